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

teardown() {
	cluster_logs_on_failure node1 node2
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
	partition_node1 online_on "no ping target answered" "ping target 198.18.1.3 answered" failover1
	lab_exec node2 "cat /mnt/md01/np"
	assert "$output" == before-partition "data written before the partition"
	replug node1
	# After its reset node1 runs nothing: exactly one server has failover1.
	lab_exec node1 "! grep -q ' /mnt/md01 ' /proc/mounts && ! ip -4 addr show | grep -q 198.18.1.100"
	online_on node2 node2
}

@test "the kernel logs are clean" {
	dmesg_clean node2
}
