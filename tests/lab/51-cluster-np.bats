#!/usr/bin/env bats
# Network partition resolution (Documentation/cluster.md): three nodes,
# node3 a ping target on the interconnect. failover1 runs on node1; both of
# node1's cables are pulled (every interconnect and the mirror link), so
# the ping target stays reachable only from node2: node1 loses the
# resolution and takes its npaction (5, keepalive reset); node2 wins and
# takes failover1 over. Afterwards exactly one server runs failover1.

load helpers
load md-helpers
load cluster-helpers

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-np
	# node3: the ping target, nothing of clpstack on it.
	cluster_lab_up 3 "$PINGNP"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

@test "failover1 online on node1, the mirror GREEN/GREEN" {
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 180 online_on node1 node1
	wait_for 300 both_green
	lab_exec node1 "echo before-partition > /mnt/md01/np && sync"
}

@test "node1's cables pulled, the ping target reachable only from node2: node1 resets (npaction 5), node2 takes failover1 over" {
	local console
	console=$("$LAB" console node1)
	isolate_node1 online_on node2 node2
	run grep -a "network partition resolution lost" "$console"
	assert_success
	assert_output --partial "no ping target answered"
	lab_exec node2 "grep -a -E 'rc (60|3): ' /opt/clpstack/log/clpmgrd.log"
	assert_line --index 0 --partial "network partition resolution won: ping target 198.18.1.3 answered"
	assert_line --index 1 --partial "failover of failover1 from node1 to node2"
	lab_exec node2 "cat /mnt/md01/np"
	assert "$output" == before-partition "data written before the partition"
	run_lab link node1 interconnect up
	run_lab link node1 mirror up
	run_lab wait node1 --timeout 600
	# After its reset node1 runs nothing: exactly one server has failover1.
	lab_exec node1 "! grep -q ' /mnt/md01 ' /proc/mounts && ! ip -4 addr show | grep -q 198.18.1.100"
	online_on node2 node2
}

@test "the kernel logs are clean" {
	dmesg_clean node2
}
