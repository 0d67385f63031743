#!/usr/bin/env bats
# Keepalive driver (clpka) in a one-node lab: missed keepalives with LOG
# (node stays up, kernel log names the client) and RESET (the node
# reboots: the lab counts boots, the console log keeps clpka's message),
# magic close, the shutdown monitor, immediate actions, the timeout ratio,
# and bad input.

load helpers
load genl-raw

# Copied to the node's own disk at setup (immune to host rebuilds).
B=/opt/katest/bin
K=/opt/katest
PY=/usr/bin/python3

setup_file() {
	skip_if_no_lab || return 0
	make -s -C "$REPO/tests/lab/tools" >&2
	export CLPLAB_NAME=t$$-ka
	run_lab up --nodes 1 --name "$CLPLAB_NAME"
	lab_exec node1 "mkdir -p $B && cp $REPO/userland/bin/clp* $B/ &&
		cp $KMODS/clpkhb/clpkhb.ko $KMODS/clpka/clpka.ko $K/ &&
		insmod $K/clpkhb.ko && insmod $K/clpka.ko"
	"$LAB" exec node1 -i -- bash -c "cat > /tmp/ka.py" <<'EOF'
# ka.py ACTION...: drive /dev/clpka by hand.
#   arm MS ACTION NAME | ping | write DATA | disarm | sleep S | close | ioctl-raw NR
#   until PATH (wait until PATH exists)
import fcntl, os, struct, sys, time
ARM, PING, DISARM = 0x4028CA01, 0xCA02, 0xCA03
fd = os.open('/dev/clpka', os.O_WRONLY)
args = sys.argv[1:]
while args:
    a = args.pop(0)
    try:
        if a == 'arm':
            ms, act, name = int(args.pop(0)), int(args.pop(0)), args.pop(0).encode()
            fcntl.ioctl(fd, ARM, struct.pack('II32s', ms, act, name))
        elif a == 'armraw':
            fcntl.ioctl(fd, ARM, struct.pack('II', int(args.pop(0)), int(args.pop(0))) + b'x' * 32)
        elif a == 'ping':
            fcntl.ioctl(fd, PING)
        elif a == 'write':
            os.write(fd, args.pop(0).encode())
        elif a == 'disarm':
            fcntl.ioctl(fd, DISARM)
        elif a == 'sleep':
            time.sleep(float(args.pop(0)))
        elif a == 'until':
            path = args.pop(0)
            while not os.path.exists(path):
                time.sleep(0.1)
        elif a == 'ioctl':
            fcntl.ioctl(fd, int(args.pop(0), 0))
        print(a, 'ok')
    except OSError as e:
        print(a, 'errno', e.errno)
os.close(fd)
EOF
	conf | "$LAB" exec node1 -i -- bash -c "cat > /etc/clp-ka.conf"
}

setup() {
	skip_if_file_skipped
	"$LAB" exec node1 -- bash -c "grep -qw clpkhb /proc/modules || insmod $K/clpkhb.ko
		grep -qw clpka /proc/modules || insmod $K/clpka.ko" || true
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

conf() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<root>
  <cluster><name>ka</name><heartbeat><interval>200</interval><timeout>2000</timeout></heartbeat></cluster>
  <server name="node1"><device id="0"><type>lan</type><info>198.18.1.1</info></device></server>
  <monitor><userw name="userw"><action>RESET</action></userw></monitor>
</root>
EOF
}

# The console log has a kernel boot banner after a line matching $1: the
# node was reset (its new boot may still take minutes on a busy host).
reset_after() {
	awk -v pat="$1" 'index($0, pat) { hit = 1 } hit && /Linux version/ { found = 1 } END { exit !found }' \
		"$("$LAB" console node1)"
}

# has_client NAME: clpka lists a client of that name.
has_client() {
	"$LAB" exec node1 -- bash -c "$B/clpkactrl --json | jq -e '.clients[] | select(.name == \"$1\")' >/dev/null"
}
no_client() { ! has_client "$1"; }
# no_process NAME: no process of that name runs on node1.
no_process() { ! "$LAB" exec node1 -- pgrep -x "$1" >/dev/null; }

klog_has() { "$LAB" exec node1 -- bash -c "dmesg | grep -q \"$1\""; }

@test "a stopped client with action LOG: 60% warning, then the miss is logged naming it; the node stays up" {
	lab_exec node1 "setsid $B/clpkactrl --client --timeout 1000 --action log --name tlog --interval 100 </dev/null >/tmp/tlog.out 2>&1 &"
	wait_for 15 has_client tlog
	lab_exec node1 "$B/clpkactrl --json | jq -c '.clients[] | select(.name == \"tlog\") | {armed, timeout_ms, action}'"
	assert "$output" == '{"armed":true,"timeout_ms":1000,"action":"LOG"}' "client status"
	lab_exec node1 "pkill -STOP -x clpkactrl"
	wait_for 15 klog_has "client 'tlog' (clpkactrl pid [0-9]*): no keepalive within 1000 ms: action LOG"
	lab_exec node1 "dmesg | grep \"client 'tlog'\""
	assert_match "$output" "no keepalive for 60% of its timeout 1000 ms"
	lab_exec node1 "$B/clpkactrl --json | jq -c '.clients[] | select(.name == \"tlog\") | {armed, expired}'"
	assert "$output" == '{"armed":false,"expired":true}' "after the miss"
	lab_exec node1 "pkill -CONT -x clpkactrl; pkill -TERM -x clpkactrl"
	wait_for 15 no_process clpkactrl
	lab_exec node1 "dmesg | grep -c \"client 'tlog' .* disarmed\""
	assert "$output" == 1 "disarmed on SIGTERM"
}

@test "close without disarm keeps the timer armed (orphan); 'V' before close disarms" {
	# One exec, so that the node's slowness cannot let the orphan expire
	# before rmmod is tried.
	lab_exec node1 "$PY /tmp/ka.py arm 10000 3 orphan1 ping; rmmod clpka 2>/dev/null; echo rmmod=\$?; $B/clpkactrl --json | jq -c '.clients[] | select(.name == \"orphan1\") | {armed, orphan}'"
	assert_match "$output" "rmmod=1"
	assert_match "$output" '\{"armed":true,"orphan":true\}'
	wait_for 60 klog_has "client 'orphan1' .*no keepalive within 10000 ms: action LOG"
	# Expired: the orphan no longer holds the module.
	lab_exec node1 "rmmod clpka && insmod $K/clpka.ko"
	lab_exec node1 "dmesg | grep -c \"client 'orphan1' .* closed without disarming\""
	assert "$output" == 1

	lab_exec node1 "$PY /tmp/ka.py arm 700 3 magic1 write V; sleep 1.5; dmesg | grep \"client 'magic1'\""
	assert_match "$output" "disarmed"
	[[ ! $output =~ "no keepalive" ]] || fail "magic close still fired: $output"
}

@test "shutdown monitor: fires when not disarmed in time, silent when disarmed" {
	lab_exec node1 "$B/clpkactrl --shutdown-arm 500 --action log"
	wait_for 10 klog_has "client 'shutdown' .*no keepalive within 500 ms: action LOG"
	lab_exec node1 "$B/clpkactrl --shutdown-arm 3000 --action log && $B/clpkactrl --json | jq -c '.shutdown_monitor[0] | {armed, timeout_ms}' && $B/clpkactrl --shutdown-disarm"
	assert "$output" == '{"armed":true,"timeout_ms":3000}'
	lab_exec node1 "$B/clpkactrl --json | jq -c '.shutdown_monitor[0].armed'"
	assert "$output" == false
}

@test "sysfs /sys/class/misc/clpka: clients, armed, shutdown_timeout_ms, ratio as clpkactrl --json" {
	local S=/sys/class/misc/clpka
	# clpkactrl --json in the sysfs files' forms
	local q='(.clients[] | select(.name == "sysfs1") | "\(.id) \(.name) \(.pid) \(.comm) \(.timeout_ms) \(.action) armed"), ([.clients[] | select(.armed)] | length), (if .shutdown_monitor[0].armed then .shutdown_monitor[0].timeout_ms else 0 end), .ratio'
	lab_exec node1 "cat $S/armed $S/shutdown_timeout_ms $S/ratio; $B/clpkactrl --json | jq -r '$q'"
	assert "$(head -n 3 <<<"$output" | tr '\n' ' ')" == "$(tail -n 3 <<<"$output" | tr '\n' ' ')" "sysfs and clpkactrl --json before"
	armed0=$(head -n 1 <<<"$output")
	lab_exec node1 "rm -f /tmp/sysfs1.done; setsid $PY /tmp/ka.py arm 30000 3 sysfs1 until /tmp/sysfs1.done disarm </dev/null >/tmp/sysfs1.out 2>&1 &"
	wait_for 10 has_client sysfs1
	# 120 s: the shutdown monitor must not expire between the two reads
	# (4 s did on the debug kernel: sysfs said 4000, clpkactrl 0 after it)
	lab_exec node1 "$B/clpkactrl --shutdown-arm 120000 --action log"
	lab_exec node1 "grep '^[0-9]* sysfs1 ' $S/clients; cat $S/armed $S/shutdown_timeout_ms $S/ratio"
	sys=$output
	lab_exec node1 "$B/clpkactrl --json | jq -r '$q'"
	json=$output
	lab_exec node1 "$B/clpkactrl --shutdown-disarm; touch /tmp/sysfs1.done"
	# "<id> <name> <pid> <comm> <timeout_ms> <action> armed <remaining_ms> <orphan>"
	assert_match "$sys" "^[0-9]+ sysfs1 [0-9]+ python3 30000 LOG armed [0-9]+ 0"
	left=$(awk 'NR == 1 { print $8 }' <<<"$sys")
	assert "$left" -gt 15000 "remaining_ms of a 30 s client just armed"
	assert "$left" -le 30000 "remaining_ms at most its timeout"
	assert "$(awk 'NR == 1 { NF = 7; print }' <<<"$sys")" == "$(head -n 1 <<<"$json")" "the client line matches clpkactrl --json"
	assert "$(tail -n 3 <<<"$sys" | tr '\n' ' ')" == "$(tail -n 3 <<<"$json" | tr '\n' ' ')" "armed, shutdown_timeout_ms, ratio match clpkactrl --json"
	assert "$(sed -n 2p <<<"$sys") $(sed -n 3p <<<"$sys")" == "$((armed0 + 1)) 120000" "one more armed client, the shutdown monitor armed"
	wait_for 10 no_client sysfs1
	lab_exec node1 "cat $S/armed $S/shutdown_timeout_ms; cat /tmp/sysfs1.out"
	assert "$(head -n 2 <<<"$output" | tr '\n' ' ')" == "$armed0 0 " "armed and shutdown_timeout_ms back"
	assert_match "$output" "disarm ok"
	run "$LAB" exec node1 -- sh -c "echo 1 > $S/armed"
	assert "$status" != "0" "sysfs files are read-only"
}

@test "immediate keepalive action logs the reason and the requester" {
	lab_exec node1 "$B/clpkactrl --log --reason 'final action of group failover1'"
	lab_exec node1 "dmesg | tail -n 3"
	assert_match "$output" "clpka: requested by clpkactrl \(pid [0-9]+\): final action of group failover1: action LOG"
}

@test "clptoratio stretches clpka timeouts too" {
	lab_exec node1 "$B/clptoratio -r 10 -t 1m"
	lab_exec node1 "$B/clpkactrl --json | jq .ratio"
	assert "$output" == 10
	lab_exec node1 "$PY /tmp/ka.py arm 300 3 ratio1 sleep 1 disarm"
	lab_exec node1 "dmesg | grep \"client 'ratio1'\" || true"
	[[ ! $output =~ "no keepalive" ]] || fail "fired within the stretched timeout: $output"
	lab_exec node1 "$PY /tmp/ka.py arm 300 3 ratio2"
	wait_for 15 klog_has "client 'ratio2' .*no keepalive within 3000 ms"
	lab_exec node1 "$B/clptoratio -i"
	lab_exec node1 "$PY /tmp/ka.py arm 300 3 ratio3"
	wait_for 10 klog_has "client 'ratio3' .*no keepalive within 300 ms"
}

@test "bad input to /dev/clpka, clpkactrl and the clpka family: errors, no state change" {
	lab_exec node1 "$B/clpkactrl --json | jq -c '[.clients[] | select(.armed)] | length'"
	local before=$output
	lab_exec node1 "$PY /tmp/ka.py arm 50 1 x arm 4000000 1 x arm 1000 0 x arm 1000 9 x armraw 1000 1 ping ioctl 0xCA09 write a"
	assert_match "$output" "^arm errno 22
arm errno 22
arm errno 22
arm errno 22
armraw errno 22
ping errno 107
ioctl errno 25
write errno 107$"
	run "$LAB" exec node1 -- setpriv --reuid=65534 --regid=65534 --clear-groups $B/clpkactrl --reset --reason x
	assert_equal "$status" 6
	run "$LAB" exec node1 -- $B/clpkactrl --reset
	assert_equal "$status" 2
	assert_output --partial "--reason <text> is required"
	run "$LAB" exec node1 -- $B/clpkactrl --shutdown-arm 10 --action reset
	assert_equal "$status" 2
	lab_exec node1 "$B/clpkactrl --json | jq -c '[.clients[] | select(.armed)] | length'"
	assert "$output" == "$before" "armed clients"
	lab_exec node1 "$B/clpkactrl --json | jq -c '.shutdown_monitor[0].armed'"
	assert "$output" == false
}

# Every clpka command, by hand-made messages (tools/genl-raw.c): wrong
# types and sizes, missing, unknown and foreign attributes, values out of
# range, a reserved header field, and callers without CAP_NET_ADMIN (the
# kernel's GENL_ADMIN_PERM: EPERM before the command runs, no extended
# ack). Action LOG everywhere: a request wrongly accepted logs, and arms
# nothing that could reset the node; the state read afterwards and the
# kernel log show that none was.
@test "raw netlink: every clpka command refuses bad attributes and unprivileged callers in the kernel; nothing changes" {
	local before who
	lab_exec node1 "$B/clpkactrl --json | jq -c '{ratio, armed: [.clients[] | select(.armed)] | length, shutdown: .shutdown_monitor[0].armed}'"
	before=$output
	lab_exec node1 "dmesg | grep -c 'requested by genl-raw' || true"
	local actions=$output
	raw_cases node1 clpka <<EOF
get-version => ok
get-version action=1 => error EINVAL attr=action msg=Unsupported attribute
get-status => ok
get-status timeout-ms=1000 => error EINVAL attr=timeout-ms msg=Unsupported attribute
9 => error EOPNOTSUPP
-r 1 get-status => error EINVAL msg=genlmsghdr.reserved field is not 0
action => error EINVAL missing=action msg=missing attribute: action
action action=3 => error EINVAL missing=reason msg=missing attribute: reason
action reason=x => error EINVAL missing=action msg=missing attribute: action
action action=0 reason=x => error ERANGE attr=action range=1..3 msg=integer out of range
action action=4 reason=x => error ERANGE attr=action range=1..3 msg=integer out of range
action action:u8=3 reason=x => error EINVAL attr=action range=1..3 msg=invalid attribute length
action action=3 reason= => error EINVAL attr=reason msg=the reason must not be empty
action action=3 reason:nonul=x => error EINVAL attr=reason maxlen=127 msg=Attribute failed policy validation
action action=3 reason=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx => error EINVAL attr=reason maxlen=127 msg=Attribute failed policy validation
action action=3 reason=x timeout-ms=1000 => error EINVAL attr=timeout-ms msg=Unsupported attribute
action action=3 reason=x 200:u32=1 => error EINVAL attr=200 msg=Unknown attribute type
shutdown-arm => error EINVAL missing=timeout-ms msg=missing attribute: timeout-ms
shutdown-arm timeout-ms=600000 => error EINVAL missing=action msg=missing attribute: action
shutdown-arm timeout-ms=99 action=3 => error ERANGE attr=timeout-ms range=100..3600000 msg=integer out of range
shutdown-arm timeout-ms=3600001 action=3 => error ERANGE attr=timeout-ms range=100..3600000 msg=integer out of range
shutdown-arm timeout-ms:u64=600000 action=3 => error EINVAL attr=timeout-ms range=100..3600000 msg=invalid attribute length
shutdown-arm timeout-ms=600000 action=0 => error ERANGE attr=action range=1..3 msg=integer out of range
shutdown-arm timeout-ms=600000 action=3 reason=x => error EINVAL attr=reason msg=Unsupported attribute
shutdown-arm timeout-ms=600000 action=3 ratio=1 => error EINVAL attr=ratio msg=Unsupported attribute
shutdown-disarm action=1 => error EINVAL attr=action msg=Unsupported attribute
EOF
	for who in "$NOBODY" "$NOCAP"; do
		raw_cases node1 clpka "$who" <<EOF
get-version => ok
get-status => ok
action action=3 reason=x => error EPERM
action action=9 => error EPERM
shutdown-arm timeout-ms=600000 action=3 => error EPERM
shutdown-disarm => error EPERM
EOF
	done
	lab_exec node1 "$B/clpkactrl --json | jq -c '{ratio, armed: [.clients[] | select(.armed)] | length, shutdown: .shutdown_monitor[0].armed}'"
	assert "$output" == "$before" "clpka after the refused requests"
	lab_exec node1 "dmesg | grep -c 'requested by genl-raw' || true"
	assert "$output" == "$actions" "immediate actions requested by genl-raw in the kernel log"
}

@test "dmesg is clean before the reset test" {
	dmesg_clean node1
}

@test "clpmgrd's userw stopped past its timeout with RESET: the node resets, the console shows clpka's message" {
	lab_exec node1 "CLP_SERVER=node1 setsid $B/clpmgrd -f -c /etc/clp-ka.conf </dev/null >/tmp/mgr.log 2>&1 &"
	wait_for 15 has_client userw
	lab_exec node1 "pgrep -x clpmgrd"
	local pid=$output
	lab_exec node1 "$B/clpkactrl --json | jq -c '.clients[] | select(.name == \"userw\") | {armed, timeout_ms, action}'"
	assert "$output" == '{"armed":true,"timeout_ms":2000,"action":"RESET"}' "userw armed with the heartbeat timeout"
	run "$LAB" boots node1
	local boots=$output
	run "$LAB" exec node1 -- kill -STOP "$pid"
	wait_for 60 reset_after "clpka: client 'userw' (clpmgrd pid $pid): no keepalive within 2000 ms: resetting the server"
	# Booting again under TCG on a busy host can take minutes.
	run "$LAB" wait node1 --timeout 600
	assert_success
	run "$LAB" boots node1
	((output > boots)) || fail "lab boots: $output, was $boots"
	local console
	console=$("$LAB" console node1)
	run grep -a "clpka: client 'userw' (clpmgrd pid $pid): no keepalive within 2000 ms: resetting the server" "$console"
	assert_success
	# The reset comes 40% of the timeout (800 ms) after the 60% warning, by
	# the kernel's timestamps; a busy host delays the vCPU, so we only ask
	# that it came after the warning and within 1 s of it (the issue's
	# "within timeout + 1 s").
	local t60 t100
	t60=$(grep -a "client 'userw' (clpmgrd pid $pid): no keepalive for 60%" "$console" | tail -n 1 | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
	t100=$(grep -a "client 'userw' (clpmgrd pid $pid): no keepalive within" "$console" | tail -n 1 | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
	awk -v a="$t60" -v b="$t100" 'BEGIN { d = b - a; exit !(d > 0 && d <= 1.0) }' ||
		fail "warning at $t60 s, reset at $t100 s: not within 1 s after it"
}

@test "shutdown stall: a hook hangs the orderly shutdown, the shutdown monitor resets the node" {
	# The node came back from the previous test; setup() loaded the modules.
	lab_exec node1 "mkdir -p /run/clplab/shutdown.d &&
		echo '$B/clpkactrl --shutdown-arm 3000 --action reset' > /run/clplab/shutdown.d/00-clpka.sh &&
		echo 'sleep 100000' > /run/clplab/shutdown.d/50-stall.sh"
	run "$LAB" boots node1
	local boots=$output
	run "$LAB" exec node1 -- reboot
	wait_for 90 reset_after "clpka: client 'shutdown' (- pid 0): no keepalive within 3000 ms: resetting the server"
	run "$LAB" wait node1 --timeout 600
	assert_success
	run "$LAB" boots node1
	((output > boots)) || fail "lab boots: $output, was $boots"
	local console
	console=$("$LAB" console node1)
	# In the last boot's log: the stalling hook started, clpka reset the
	# node, and the shutdown never completed.
	run bash -c "awk '/CLPLAB: node1 shutdown begin/ { buf = \"\" } { buf = buf \$0 \"\\n\" } END { printf \"%s\", buf }' '$console'"
	assert_output --partial "shutdown hook /run/clplab/shutdown.d/50-stall.sh"
	assert_output --partial "clpka: client 'shutdown' (- pid 0): no keepalive within 3000 ms: resetting the server"
	refute_output --partial "CLPLAB: node1 shutdown complete"
}
