#!/usr/bin/env bats
# Driver fencing in the cluster (Documentation/cluster.md, "Fencing"):
# three nodes, node3 a ping target on the interconnect, md01 with fencing 1.
# An O_DSYNC record writer runs on node1's mounted mirror. Only the mirror
# cable pulled: node1 holds its writes until node2's daemon confirmed its
# copy outdated and fenced, then they go on (a stall of well under a few
# seconds). Every cable of node1 pulled, the ping target reachable only
# from node2: node1 acknowledges nothing after the break, loses the
# resolution and resets (npaction 5); node2 takes failover1 over with
# every record node1 acknowledged. Every cable of node2 pulled: node1 holds
# its writes until node2 is down and node1 won the resolution, then they go
# on; node2 resets. CLP_FENCING=0 runs the same suite with
# fencing off, to see the writes it loses (tests 2 to 4 then fail).

load helpers
load md-helpers
load cluster-helpers

T=$REPO/tests/host/bin/liscal-nl
S=${CLPLAB_WAIT_SCALE:-1}

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-fe
	# $T and $REC: built here, not left to an earlier suite
	make -s -C "$REPO/tests/lab/tools" >&2
	# SED: also node_prepare's when node2 rejoins
	export SED="s|<mkfs>1</mkfs>|<mkfs>1</mkfs><fencing>${CLP_FENCING:-1}</fencing>|;$PINGNP"
	cluster_lab_up 3 "$SED"
}

teardown() {
	cluster_logs_on_failure node1 node2
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# The FENCED flag (0x400) of md01's superblock on NODE: 1024 or 0.
fenced_flag() {
	"$LAB" exec "$1" -- sh -c "echo \$(( \$($T get md01 | sed -n 's/^sb_flags=//p') & 1024 ))"
}
copy_fenced() { [ "$(fenced_flag "$1")" = 1024 ]; }

# Kernel time (s) of the first line of NODE's kernel log matching RE.
ktime() {
	"$LAB" exec "$1" -- dmesg | grep -m1 -E "$2" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}

@test "fencing on: failover1 online on node1, the mirror GREEN/GREEN, the driver told, records written" {
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 180 online_on node1 node1
	wait_for 300 both_green
	lab_exec node1 "$T get md01 | grep -x fencing=${CLP_FENCING:-1}"
	lab_exec node2 "$T get md01 | grep -x fencing=${CLP_FENCING:-1}"
	# The record writer of the next tests, on the mounted mirror.
	lab_exec node1 "setsid -f $REC /mnt/md01/rec 0 >/dev/null 2>&1 </dev/null"
	wait_for 60 acked_above node1 20
}

@test "only the mirror cable pulled: node1's writes stall until node2's copy is fenced, then go on" {
	local before held released stall
	run_lab link node1 mirror down
	wait_for 60 copy_fenced node2
	lab_exec node1 "grep -a 'held writes released: node2 confirmed' /opt/clpstack/log/clpmgrd.log"
	before=$(acked node1)
	wait_for 30 acked_above node1 $((before + 20))
	held=$(ktime node1 'md01: fenced: writes held')
	released=$(ktime node1 'md01: fenced writes released')
	[ -n "$held" ] && [ -n "$released" ]
	stall=$(awk -v a="$held" -v b="$released" 'BEGIN { printf "%d", (b - a) * 1000 }')
	echo "# writes held for $stall ms after the break was detected" >&3
	assert "$stall" -lt $((3000 * S)) "ms the writes were held (node2's confirmation)"
	lab_exec node2 "grep -a 'the copy on node2 is outdated and fenced' /opt/clpstack/log/clpmgrd.log"
	# Nothing moved; plugged back: resynchronised, the flag gone.
	online_on node1 node1
	run_lab link node1 mirror up
	wait_for 300 both_green
	run fenced_flag node2
	assert "$output" == 0 "FENCED cleared on node2 once its copy is current"
	online_on node2 node1
}

@test "every cable of node2 pulled, node1 wins: its writes are held until it won the resolution, then go on; node2 resets and rejoins" {
	local before
	# node1's driver fenced at the break; its daemon releases the writes
	# only once node2 is down and node1 won the resolution (node3 answers
	# node1's ping, not node2's). node2 loses and resets (npaction 5).
	isolate node2 "$LAB" exec node1 -- grep -a -q 'held writes released: node2 is down and this server won the network partition resolution' /opt/clpstack/log/clpmgrd.log
	lab_exec node1 "grep -a -E 'rc 60: |mirror 4[12]: ' /opt/clpstack/log/clpmgrd.log | tail -n 3"
	assert_output --partial "network partition resolution won"
	run grep -a -c 'md01: fenced: writes held' "$("$LAB" console node1)"
	assert "$output" -ge 1 "node1's driver fenced at the break"
	before=$(acked node1)
	wait_for 60 acked_above node1 $((before + 20))
	online_on node1 node1
	# node2 lost and reset, never activating its copy.
	run grep -a "network partition resolution lost" "$("$LAB" console node2)"
	assert_success
	replug node2
	node_prepare node2 "$KEYED;$SED"
	daemon_start node2
	lab_exec node2 "$B/clpcl -s"
	wait_for 300 both_green
	online_on node2 node1
	run fenced_flag node1
	assert "$output" == 0 "node1's copy never fenced"
}

@test "every cable of node1 pulled, node1 loses: it acknowledges nothing after the break, node2 takes over with every acknowledged record" {
	local console last
	console=$("$LAB" console node1)
	isolate node1 online_on node2 node2
	last=$(acked node1)
	echo "# node1 acknowledged records 0..$last" >&3
	lab_exec node2 "grep -a -E 'rc 30: .*md01: activated' /opt/clpstack/log/clpmgrd.log"
	# Every acknowledged record is on node2 (the file is on the mirror).
	check_records node2 0 "$last" /mnt/md01/rec
	# In node1's console, no record acknowledged after the driver fenced.
	run grep -a -c 'md01: fenced: writes held' "$console"
	assert "$output" -ge 1 "node1's driver fenced"
	run sh -c "grep -a -E 'md01: fenced: writes held|LISCAL-ACK' '$console' | tail -n 1"
	assert_output --partial "fenced: writes held"
	run grep -a "network partition resolution lost" "$console"
	assert_success
	replug node1
	lab_exec node1 "! grep -q ' /mnt/md01 ' /proc/mounts"
	online_on node2 node2
}

@test "the kernel logs are clean" {
	dmesg_clean node2
}
