#!/usr/bin/env bats
# Kernel-mode LAN heartbeat (clpkhb) in a two-node lab: lankhb1 on the
# interconnect (198.18.1.N), lankhb2 on the mirror network (198.18.2.N),
# interval 200 ms, timeout 2000 ms.
#
# Timing assertions use what the kernel measured, not wall clock around
# "lab exec" (whose latency under TCG is seconds): a peer-down event's
# reason carries the silence the tick saw, "no heartbeat on any link for X
# ms (timeout T ms)". The tick runs every interval and declares the peer
# down at the first tick where X >= T, so T <= X < T + interval; we allow
# 100 ms on top for hrtimer/softirq delay under TCG.

load helpers

# Binaries and modules are copied to each node's own disk at setup, so a
# rebuild on the host during the suite cannot change them under the node.
B=/opt/khbtest/bin
K=/opt/khbtest
IVL=200
TMO=2000
SLACK=100
PY=/usr/bin/python3

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-khb
	run_lab up --nodes 2 --name "$CLPLAB_NAME"
	for n in node1 node2; do
		conf "" | "$LAB" exec $n -i -- bash -c "cat > /etc/clp-hb.conf"
		lab_exec $n "mkdir -p $B $K/clpkhb $K/clpka && cp $REPO/userland/bin/clp* $B/ &&
			cp $KMODS/clpkhb/clpkhb.ko $K/clpkhb/ && cp $KMODS/clpka/clpka.ko $K/clpka/ &&
			insmod $K/clpkhb/clpkhb.ko && insmod $K/clpka/clpka.ko"
	done
	# One cluster key for both nodes, and a wrong one on node2 for the forger.
	lab_exec node1 "head -c 32 /dev/urandom > /etc/clp-hb.key && chmod 600 /etc/clp-hb.key && od -An -tx1 /etc/clp-hb.key | tr -d ' \n'"
	local hex=$output
	"$LAB" exec node2 -- bash -c "printf '$(sed 's/../\\x&/g' <<<"$hex")' > /etc/clp-hb.key && chmod 600 /etc/clp-hb.key && head -c 32 /dev/urandom > /etc/wrong.key"
	for n in node1 node2; do
		conf /etc/clp-hb.key | "$LAB" exec $n -i -- bash -c "cat > /etc/clp-hb-key.conf"
	done
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# clp.conf of the lab with the test's timing; $1: key file or "".
conf() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<root>
  <cluster>
    <name>khb</name>
    <heartbeat><interval>$IVL</interval><timeout>$TMO</timeout>${1:+<keyfile>$1</keyfile>}</heartbeat>
  </cluster>
  <server name="node1">
    <device id="0"><type>lan</type><info>198.18.1.1</info></device>
    <device id="1"><type>mdc</type><info>198.18.2.1</info></device>
  </server>
  <server name="node2">
    <device id="0"><type>lan</type><info>198.18.1.2</info></device>
    <device id="1"><type>mdc</type><info>198.18.2.2</info></device>
  </server>
  <heartbeat>
    <lankhb name="lankhb1"><priority>0</priority><device>0</device></lankhb>
    <lankhb name="lankhb2"><priority>1</priority><device>1</device></lankhb>
  </heartbeat>
</root>
EOF
}

# Peer node2 as seen from node1: the JSON field $1 of the peer, or with
# a link number $2, of its link lankhb$2.
peer_field() {
	local q=".peers[0].$1"
	[ -n "${2:-}" ] && q=".peers[0].links[] | select(.name == \"lankhb$2\") | .$1"
	"$LAB" exec node1 -- bash -c "$B/clpkhbctrl --json | jq -r '$q'"
}
# State of peer node2 ("up", "down", "unknown"), or of its link lankhb$1.
peer_state() { peer_field state "${1:-}"; }
peer_is() { [ "$(peer_state "${2:-}")" = "$1" ]; }

# Start/stop recording node1's events into /tmp/ev.log. Started is when
# the listener's netlink socket has joined a multicast group: the Groups
# column of /proc/net/netlink for its socket's inode (it shows the first 32
# groups; the lab's kernel gives clpkhb's events group one of them, seen 9).
events_start() {
	lab_exec node1 "rm -f /tmp/ev.log; setsid $B/clpkhbctrl --events --json </dev/null >/tmp/ev.log 2>&1 &"
	wait_for 20 events_subscribed
}
events_subscribed() {
	"$LAB" exec node1 -i -- bash -s <<'EOF'
p=$(pgrep -x clpkhbctrl) || exit 1
for i in $(readlink /proc/$p/fd/* | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p'); do
	awk -v i="$i" '$2 == 16 && $10 == i && $4 != "00000000" { ok = 1 } END { exit !ok }' /proc/net/netlink && exit 0
done
exit 1
EOF
}
events_stop() { "$LAB" exec node1 -- bash -c "pkill -x clpkhbctrl; true"; }
# The silence (ms) in the last peer-down event of node2 in /tmp/ev.log.
down_silence() {
	lab_exec node1 "jq -r 'select(.event == \"peer-down\") | .reason' /tmp/ev.log | tail -n 1"
	[[ $output =~ for\ ([0-9]+)\ ms\ \(timeout\ ([0-9]+)\ ms\) ]] ||
		{ echo "no peer-down event with a silence: '$output'" >&2; return 1; }
	silence=${BASH_REMATCH[1]} timeout=${BASH_REMATCH[2]}
	echo "# ${BATS_TEST_DESCRIPTION%%:*}: peer down after $silence ms of silence (timeout $timeout ms)" >&3
}
# Receive errors counted on node1's lankhb1 (forged packets refused).
forged_count() { peer_field recv_error 1; }
forged_refused() { [ "$(forged_count)" -ge "$1" ]; }
# ([f]orge.py: the pattern must not match the shell running pkill/pgrep.)
forger_gone() { ! "$LAB" exec node2 -- pgrep -f '/tmp/[f]orge.py' >/dev/null; }
has_peer_down() { "$LAB" exec node1 -- grep -q '"peer-down"' /tmp/ev.log; }

start_hb() { # start_hb NODE [conf]
	lab_exec "$1" "CLP_SERVER=$1 $B/clpkhbctrl --config ${2:-/etc/clp-hb.conf}"
}

@test "both nodes configure from clp.conf and see each other up on both links" {
	start_hb node1
	start_hb node2
	wait_for 20 peer_is up
	wait_for 10 peer_is up 1
	wait_for 10 peer_is up 2
	lab_exec node1 "$B/clpkhbctrl --lines"
	assert_match "$output" "node2 lankhb1 : Normal Kernel Mode LAN Heartbeat"
	assert_match "$output" "node2 lankhb2 : Normal Kernel Mode LAN Heartbeat"
	lab_exec node1 "cat /sys/class/misc/clpkhb/peers /sys/class/misc/clpkhb/timeout_ms"
	assert_match "$output" "node2 2 up lankhb1:up lankhb2:up"
	assert_match "$output" "2000"
	lab_exec node1 "$B/clpkhbctrl --json | jq '.peers[0].links[0].recv_count, .peers[0].links[0].send_count, .peers[0].links[0].recv_error'"
	local counts=($output)
	((counts[0] >= 3 && counts[1] >= 3)) || fail "counters: $output"
	assert "${counts[2]}" == 0 "recv_error"
}

@test "one interconnect pulled: that link down, peer up; both: peer down on time; replugged: up after 3 packets" {
	events_start
	run_lab link node2 interconnect down
	wait_for 15 peer_is down 1
	run peer_state 2
	assert_output "up"
	run peer_state
	assert_output "up"
	run has_peer_down
	assert_failure

	run_lab link node2 mirror down
	wait_for 15 peer_is down
	down_silence
	assert "$timeout" == "$TMO" "timeout in the event"
	((silence >= TMO)) || fail "declared down after $silence ms, before the timeout $TMO ms"
	((silence < TMO + IVL + SLACK)) || fail "declared down after $silence ms, later than timeout + interval"

	run_lab link node2 interconnect up
	run_lab link node2 mirror up
	wait_for 20 peer_is up
	wait_for 10 peer_is up 2
	lab_exec node1 "jq -r 'select(.event == \"link-up\") | .reason' /tmp/ev.log | tail -n 1"
	assert_match "$output" "^3 consecutive heartbeats$"
	events_stop
}

@test "a SIGSTOPped manager daemon does not make the peer look down (the kernel keeps beating)" {
	# node2's heartbeat is configured by clpmgrd this time.
	lab_exec node2 "CLP_SERVER=node2 CLP_PREFIX=/tmp/pfx CLP_HB_STATS_SECS=1 setsid $B/clpmgrd -f -c /etc/clp-hb.conf </dev/null >/tmp/mgr.log 2>&1 &"
	wait_for 15 "$LAB" exec node2 -- pgrep -x clpmgrd
	lab_exec node2 "pgrep -x clpmgrd"
	local pid=$output
	wait_for 20 peer_is up
	# The daemon's statistics file (guide 2.6), one row per link and peer
	# per interval (1 s here): about 5 heartbeats 200 ms apart, no errors.
	wait_for 20 "$LAB" exec node2 -- bash -c "[ \$(grep -c '\"lankhb2\",\"lankhb\",\"node2\",\"node1\"' /tmp/pfx/perf/cluster/heartbeat/lankhb.cur) -ge 3 ]"
	lab_exec node2 "head -n 1 /tmp/pfx/perf/cluster/heartbeat/lankhb.cur; grep lankhb1 /tmp/pfx/perf/cluster/heartbeat/lankhb.cur | tail -n 1"
	assert_match "$output" '^"Date","Name","Type","Local","Remote","RecvCount","RecvError","RecvTime \(Min\) ",'
	assert_match "$output" '"lankhb1","lankhb","node2","node1","[1-9]","0","[0-9]+","[0-9]+","[1-3][0-9][0-9]","[1-9]","0",'
	events_start
	lab_exec node2 "kill -STOP $pid"
	# The stimulus: the daemon stays stopped for twice the timeout.
	sleep $((2 * TMO / 1000))
	run peer_state
	assert_output "up"
	run has_peer_down
	assert_failure
	lab_exec node2 "kill -CONT $pid; kill -TERM $pid"
	# A clean daemon stop stops the heartbeat: node1 sees node2 go down.
	wait_for 15 peer_is down
	down_silence
	((silence >= TMO && silence < TMO + IVL + SLACK)) || fail "down after $silence ms"
	events_stop
}

@test "forged heartbeats (wrong key) are refused and the peer still goes down on time" {
	local before
	start_hb node1 /etc/clp-hb-key.conf
	start_hb node2 /etc/clp-hb-key.conf
	wait_for 20 peer_is up
	lab_exec node1 "$B/clpkhbctrl --json | jq -r .key"
	assert "$output" == true "key set"
	events_start
	# Well-formed packets with the wrong key from node2's address on
	# lankhb1, every 100 ms (the receiver checks the source address, not
	# the port). The forger starts before node2's real sender stops, so
	# forged packets already arrive when the silence starts (on the debug
	# kernel python took longer to start than the 2 s timeout).
	"$LAB" exec node2 -i -- bash -c "cat > /tmp/forge.py" <<'EOF'
import hmac, hashlib, socket, struct, sys, time
key = open('/etc/wrong.key', 'rb').read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('198.18.1.2', 0))
seq = 1 << 40
end = time.time() + float(sys.argv[1])
while time.time() < end:
    seq += 1
    hdr = struct.pack('>IBBHIIQQIIQ', 0x434b4842, 1, 1, 80, 2, 1, 0x1234, seq, 200, 2000, 0)
    s.sendto(hdr + hmac.new(key, hdr, hashlib.sha256).digest(), ('198.18.1.1', 29106))
    time.sleep(0.1)
EOF
	lab_exec node2 "setsid $PY /tmp/forge.py 120 </dev/null >/tmp/forge.log 2>&1 &"
	wait_for 60 forged_refused 1
	before=$(forged_count)
	lab_exec node2 "$B/clpkhbctrl --stop"
	wait_for 15 peer_is down
	down_silence
	((silence >= TMO && silence < TMO + IVL + SLACK)) || fail "down after $silence ms"
	wait_for 30 forged_refused $((before + 5))
	assert_match "$(peer_field last_error 1)" "^authentication tag mismatch"
	assert "$(peer_state)" == down "peer still down while forged packets arrive"
	events_stop
	lab_exec node2 "pkill -f '/tmp/[f]orge.py' || true"
	wait_for 10 forger_gone
}

# A packet of an earlier incarnation of node2, authenticated with the real
# key (as a recorded one would be): before incarnations were ordered, one
# such packet declared the peer restarted and down at once.
@test "an authenticated packet of an earlier incarnation is refused; the peer stays up" {
	local before
	start_hb node2 /etc/clp-hb-key.conf
	wait_for 20 peer_is up
	before=$(forged_count)
	"$LAB" exec node2 -i -- bash -c "cat > /tmp/replay.py" <<'EOF'
import hmac, hashlib, socket, struct
key = open('/etc/clp-hb.key', 'rb').read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('198.18.1.2', 0))
for seq in range(1, 4):
    hdr = struct.pack('>IBBHIIQQIIQ', 0x434b4842, 1, 1, 80, 2, 1, 0x1234, seq, 200, 2000, 0)
    s.sendto(hdr + hmac.new(key, hdr, hashlib.sha256).digest(), ('198.18.1.1', 29106))
EOF
	lab_exec node2 "$PY /tmp/replay.py"
	wait_for 20 forged_refused $((before + 3))
	assert_match "$(peer_field last_error 1)" "earlier incarnation" "the refusal's reason"
	assert "$(peer_state)" == up "peer still up after the replayed packets"
}

# The heartbeat socket is bound without SO_REUSEADDR: an unprivileged
# process asking for the same address and port, with SO_REUSEADDR, is
# refused (with it set on the kernel socket it got the port and could take
# the heartbeats).
@test "no other process can bind the heartbeat port while clpkhb runs" {
	wait_for 20 peer_is up
	run "$LAB" exec node1 -- setpriv --reuid=65534 --regid=65534 --clear-groups $PY -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(('198.18.1.1', 29106))
except OSError as e:
    print('refused', e.errno)
else:
    print('bound')
"
	assert "$output" == "refused 98" "bind of 198.18.1.1:29106 by nobody (EADDRINUSE)"
}

@test "clptoratio -r 4 -t 1m delays detection fourfold; -i restores it" {
	start_hb node1
	start_hb node2
	wait_for 20 peer_is up
	lab_exec node1 "$B/clptoratio -r 4 -t 1m && $B/clptoratio -s"
	assert_match "$output" "present toratio : 4"
	lab_exec node1 "cat /sys/class/misc/clpkhb/ratio; $B/clpkhbctrl --json | jq .effective_timeout_ms"
	assert_match "$output" "8000"
	events_start
	lab_exec node2 "$B/clpkhbctrl --stop"
	wait_for 20 peer_is down
	down_silence
	assert "$timeout" == "$((4 * TMO))" "timeout under the ratio"
	((silence >= 4 * TMO && silence < 4 * TMO + IVL + SLACK)) || fail "down after $silence ms"

	start_hb node2
	wait_for 20 peer_is up
	lab_exec node1 "$B/clptoratio -i >/dev/null && $B/clptoratio -s --json"
	assert "$output" == '{"present toratio":1}' "ratio after -i"
	lab_exec node2 "$B/clpkhbctrl --stop"
	wait_for 15 peer_is down
	down_silence
	assert "$timeout" == "$TMO" "timeout after -i"
	events_stop
}

@test "bad input to the commands and the clpkhb family: clear errors, no state change" {
	start_hb node2
	wait_for 20 peer_is up
	lab_exec node1 "$B/clpkhbctrl --json | jq -c '{running, node_id, interval_ms, timeout_ms, ratio}'"
	local before=$output

	for args in "-r 0 -t 1m" "-r 10001 -t 1m" "-r 10 -t 0s" "-r 10 -t 1y" "-r 10" "-i -s"; do
		run "$LAB" exec node1 -- $B/clptoratio $args
		assert_equal "$status" 2
		assert_output --partial "clptoratio: "
	done
	run "$LAB" exec node1 -- $B/clpkhbctrl --bogus
	assert_equal "$status" 2
	run "$LAB" exec node1 -- $B/clpkhbctrl --count 0 --events
	assert_equal "$status" 2
	assert_output --partial "invalid --count"
	run "$LAB" exec node1 -- bash -c "echo '<root><server name=\"a\"/></root>' > /tmp/bad.conf; $B/clpkhbctrl --config /tmp/bad.conf"
	assert_equal "$status" 4
	run "$LAB" exec node1 -- bash -c "sed 's/<interval>$IVL</<interval>5000</' /etc/clp-hb.conf > /tmp/bad2.conf; CLP_SERVER=node1 $B/clpkhbctrl --config /tmp/bad2.conf"
	assert_equal "$status" 4
	assert_output --partial "at least twice"
	run "$LAB" exec node1 -- setpriv --reuid=65534 --regid=65534 --clear-groups $B/clptoratio -r 10 -t 1m
	assert_equal "$status" 6

	# Raw generic netlink: out-of-range, missing, wrong-size and unknown
	# attributes, changes while running, unprivileged callers.
	"$LAB" exec node1 -i -- bash -c "cat > /tmp/genl.py" <<'EOF'
import os, socket, struct, sys
NLM_F_REQUEST, NLM_F_ACK = 1, 4
def attr(t, data):
    l = 4 + len(data)
    return struct.pack('HH', l, t) + data + b'\0' * ((4 - l % 4) % 4)
def u32(t, v): return attr(t, struct.pack('I', v))
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
s.bind((0, 0))
seq = [0]
def talk(fam, cmd, payload):
    seq[0] += 1
    body = struct.pack('BBH', cmd, 1, 0) + payload
    s.send(struct.pack('IHHII', 16 + len(body), fam, NLM_F_REQUEST | NLM_F_ACK, seq[0], 0) + body)
    d = s.recv(65536)
    l, t, f, sq, pid = struct.unpack('IHHII', d[:16])
    if t != 2:
        return 0, ''
    err = struct.unpack('i', d[16:20])[0]
    msg = ''
    off = 16 + 4 + 16 if f & 0x100 else 16 + 4 + struct.unpack('I', d[20:24])[0]
    while off + 4 <= l:
        al, at = struct.unpack('HH', d[off:off + 4])
        if at == 1: msg = d[off + 4:off + al].rstrip(b'\0').decode()
        if al < 4: break
        off += (al + 3) & ~3
    return err, msg
# resolve the family id
seq[0] += 1
body = struct.pack('BBH', 3, 1, 0) + attr(2, b'clpkhb\0')
s.send(struct.pack('IHHII', 16 + len(body), 16, NLM_F_REQUEST, seq[0], 0) + body)
d = s.recv(65536)
off = 20
fam = None
while off < len(d):
    al, at = struct.unpack('HH', d[off:off + 4])
    if at == 1: fam = struct.unpack('H', d[off + 4:off + 6])[0]
    off += (al + 3) & ~3
cases = [
    ('set-params while running', 3, u32(5, 100)),
    ('node id 0', 3, u32(4, 0)),
    ('interval too small', 3, u32(5, 10)),
    ('key of 31 bytes', 4, attr(8, b'k' * 31)),
    ('add-link without address', 5, u32(9, 1)),
    ('add-peer without attributes', 6, b''),
    ('ratio 0', 10, u32(17, 0)),
    ('ratio without duration', 10, u32(17, 5)),
    ('ratio duration too long', 10, u32(17, 5) + u32(18, 400 * 86400)),
    ('unknown attribute', 9, u32(200, 1)),
    ('reply-only attribute', 3, u32(24, 1)),
    ('start while running', 7, b''),
]
for name, cmd, payload in cases:
    err, msg = talk(fam, cmd, payload)
    print('%s: %d %s' % (name, err, msg))
EOF
	lab_exec node1 "$PY /tmp/genl.py"
	echo "$output"
	local line
	while IFS= read -r line; do
		[[ $line =~ :\ (-[0-9]+)\ (.*)$ ]] || fail "request accepted: $line"
		[ -n "${BASH_REMATCH[2]}" ] || fail "no extack message: $line"
	done <<<"$output"
	assert_match "$output" "set-params while running: -16 heartbeat is running"
	assert_match "$output" "ratio without duration: -22 missing attribute: ratio-secs"
	assert_match "$output" "add-link without address: -22 missing attribute: local-addr"
	lab_exec node1 "setpriv --reuid=65534 --regid=65534 --clear-groups $B/clpkhbctrl --stop 2>&1; echo rc=\$?"
	assert_match "$output" "rc=6"

	lab_exec node1 "$B/clpkhbctrl --json | jq -c '{running, node_id, interval_ms, timeout_ms, ratio}'"
	assert "$output" == "$before" "state after bad input"
	run peer_state
	assert_output "up"
}

@test "lab cut node2: node1 reports node2 down within timeout + one interval, never before" {
	wait_for 20 peer_is up
	dmesg_clean node2
	events_start
	run_lab cut node2
	wait_for 15 peer_is down
	down_silence
	assert "$timeout" == "$TMO" "timeout"
	((silence >= TMO)) || fail "declared down after $silence ms, before the timeout"
	((silence < TMO + IVL + SLACK)) || fail "declared down after $silence ms"
	lab_exec node1 "grep -c peer-down /tmp/ev.log"
	assert "$output" == 1 "one peer-down event"
	lab_exec node1 "dmesg | grep 'no heartbeat on any link'"
	lab_exec node1 "dmesg | grep -c '75% of the timeout'"
	((output >= 1)) || fail "no 75% warning"
	events_stop
}

@test "dmesg of node1 has no WARN, BUG or oops after the suite; modules unload" {
	lab_exec node1 "$B/clpkhbctrl --stop && rmmod clpka clpkhb"
	dmesg_clean node1
}
