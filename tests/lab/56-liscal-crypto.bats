#!/usr/bin/env bats
# Peer authentication and encryption of the mirror link (issue 15, lab
# proof items 3 and 4; Documentation/wire-protocol.md, "Authentication and
# encryption"): with key-mode crypt a known pattern written to /dev/NMP1
# never appears in a capture of the mirror link; a wrong key is refused on
# both servers with nothing written; a key update (RES_SET with a new key
# on one server, what clpmdctrl --updatekey sends) reaches the peer inside
# the encrypted link and both reconnect with it; a stranger on the mirror
# port with a forged proof is refused and counted, no state changes.

load helpers
load liscal-nl

PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=$((8000 * S)) send-timeout=$((5000 * S))"
F=$REPO/tests/lab/tools/liscal-forger.py
KEY_A=$(printf 'a%.0s' {1..64})
KEY_B=$(printf 'b%.0s' {1..64})
# 16 bytes that occur nowhere else: the pattern looked for in the capture
PAT=CLPSTACK-SECRET9

setup_file() {
	skip_if_no_lab || return 0
	command -v tcpdump >/dev/null || file_skip "tcpdump is not installed (scripts/deps)" || return 0
	liscal_lab_up crypto 128M
}

# kcreate NODE KEYHEX [MODE]: a fresh md01 with the key (mode 2: encryption).
kcreate() {
	local n=${1#node}
	lab_exec "$1" "$T init md01 $((n - 1)) /dev/vdb1 /dev/vdb2"
	lab_exec "$1" "$T create md01 1 /dev/vdb2 /dev/vdb1 $((n - 1)) 198.18.2.$n:29031 198.18.2.$((3 - n)):29031 $PARAMS key-mode=${3:-2} key=$2"
}

# on NODE CMD: CMD's status on NODE (for wait_for).
on() {
	"$LAB" exec "$1" -- sh -c "$2"
}

clean_up() {
	local n
	lab_exec '?' node1 "pkill -x tcpdump"
	for n in node1 node2; do
		lab_exec '?' $n "$T deactivate md01; $T destroy md01"
	done
}

teardown() {
	[ -n "${CLPLAB_NAME:-}" ] && clean_up
	true
}

at_least() {
	[ "$(st "$1" "$2")" -ge "$3" ]
}

@test "encrypted link: a written pattern never appears in a capture, the peer has it" {
	kcreate node1 "$KEY_A"
	kcreate node2 "$KEY_A"
	assume_sync
	is node1 key_mode 2
	lab_exec node1 "$T activate md01"
	lab_exec node1 "rm -f /run/cap.pcap; setsid -f tcpdump -i eth1 -s 0 -U -w /run/cap.pcap tcp port 29031 >/run/tcpdump.log 2>&1 </dev/null"
	wait_for 30 on node1 "grep -q listening /run/tcpdump.log"
	# 4 MiB of the pattern, with O_DIRECT: each write is mirrored
	lab_exec node1 "yes $PAT | tr -d '\\n' | head -c 4194304 | dd of=/dev/NMP1 bs=1M oflag=direct status=none"
	lab_exec node1 "pkill -x tcpdump"
	wait_for 10 on node1 "! pgrep -x tcpdump"
	lab_exec node1 "stat -c %s /run/cap.pcap"
	[ "$output" -gt 4194304 ] || { echo "capture of $output bytes: the data did not go over eth1?"; false; }
	lab_exec 1 node1 "grep -ac $PAT /run/cap.pcap"
	assert "$output" == 0 "captured packets holding the pattern"
	lab_exec node2 "dd if=/dev/vdb2 bs=1M count=4 iflag=direct status=none | grep -ac $PAT"
	[ "$output" -ge 1 ]
	is node1 conn 3
	is node1 stat_auth_failures 0
	is node2 stat_auth_failures 0
}

@test "wrong key: refused on both with the reason, nothing written" {
	kcreate node1 "$KEY_A"
	kcreate node2 "$KEY_B"
	wait_for 60 at_least node1 stat_auth_failures 1
	wait_for 60 at_least node2 stat_auth_failures 1
	is node1 conn 2
	is node2 conn 2
	lab_exec node1 "dmesg | grep 'md01: handshake refused: authentication failed'"
	lab_exec node2 "dmesg | grep 'md01: handshake refused: authentication failed'"
	is node2 stat_peer_write_bytes 0
	is node2 stat_recovery_recv_bytes 0
	# the other key mode is refused by name too
	lab_exec node2 "$T destroy md01"
	kcreate node2 "$KEY_A" 1
	wait_for 60 on node2 "dmesg | grep 'md01: handshake refused: key: this side uses the cluster key'"
	lab_exec node1 "dmesg | grep 'md01: handshake refused: key: this side uses the encryption key'"
}

@test "key update on one server reaches the peer; both reconnect with it" {
	kcreate node1 "$KEY_A"
	kcreate node2 "$KEY_A"
	assume_sync
	lab_exec node1 "$T activate md01"
	lab_exec node1 "$T set md01 key-mode=2 key=$KEY_B"
	wait_for 30 on node2 "dmesg | grep 'md01: encryption key updated by the peer'"
	wait_for 60 is node1 conn 3
	wait_for 60 is node2 conn 3
	is node1 stat_breaks 1
	is node1 stat_auth_failures 0
	is node2 stat_auth_failures 0
	# nothing was written while suspended: in sync again at the handshake
	# (guide 2.29's recovery afterwards finds nothing to copy), then
	# mirrored under the new key
	wait_for 60 both_uptodate
	lab_exec 1 node1 "$T recover md01"
	assert_match "$output" "nothing to recover"
	lab_exec node1 "yes NEWKEY-DATA-0001 | tr -d '\\n' | head -c 65536 | dd of=/dev/NMP1 bs=64k oflag=direct status=none"
	wait_for 60 on node2 "dd if=/dev/vdb2 bs=64k count=1 iflag=direct status=none | grep -q NEWKEY-DATA-0001"
	# a key that the peer does not have: refused on the next connection
	lab_exec node2 "$T break md01"
	lab_exec node2 "$T set md01 key-mode=2 key=$KEY_A"
	lab_exec node2 "$T connect md01"
	wait_for 60 at_least node1 stat_auth_failures 1
}

@test "a stranger on the mirror port with a forged proof is refused and counted" {
	lab_exec node1 "$T init md01 0 /dev/vdb1 /dev/vdb2 uptodate"
	lab_exec node1 "$T create md01 1 /dev/vdb2 /dev/vdb1 0 198.18.2.1:29031 198.18.2.2:29031 $PARAMS key-mode=1 key=$KEY_A"
	lab_exec node1 "$T get md01"
	local before=$output
	lab_exec node2 "rm -f /run/forger.log; mkfifo /run/forger.in 2>/dev/null; setsid -f python3 $F 198.18.2.2:29031 /run/forger.in --key-mode 1 >/run/forger.log 2>&1 </dev/null"
	wait_for 60 on node2 "grep -q 'forged proof: refused' /run/forger.log"
	wait_for 10 at_least node1 stat_auth_failures 1
	lab_exec node1 "dmesg | grep 'md01: handshake refused: authentication failed'"
	is node1 conn 2
	is node1 peer_role 0
	is node1 disk 3
	lab_exec node1 "$T get md01"
	assert "$(grep -E '^(gen_current|sb_flags|role|disk)=' <<<"$output")" == \
		"$(grep -E '^(gen_current|sb_flags|role|disk)=' <<<"$before")" "state after the stranger"
	# without a key claimed: refused by mode, counted as well
	lab_exec node2 "setsid -f python3 $F 198.18.2.2:29031 /run/forger.in >/run/forger2.log 2>&1 </dev/null"
	wait_for 60 at_least node1 stat_auth_failures 2
	lab_exec node1 "dmesg | grep 'md01: handshake refused: key: this side uses the cluster key (authentication), the peer no key'"
	lab_exec '?' node2 "pkill -f liscal-forger"
}
