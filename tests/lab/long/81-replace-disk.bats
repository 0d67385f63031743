#!/usr/bin/env bats
# Guide 2.14.1, "In case of replacing a mirror disk constructed with a
# single disk (non-RAID)", step by step, on two systemd nodes
# (procedures.bash): node2's mirror disk is replaced by a new empty one
# (lab new-disk) while failover1 runs on node1 (procedure (A) of steps 5
# and 7); the initial mirror construction fills it by itself. Afterwards
# the file hashed before the replacement reads the same on node2, and both
# data partitions are byte-identical.

load ../helpers
load procedures

@test "before the replacement: a file on md01 and its hash; GREEN on both" {
	write_data
	both_green
}

@test "2.14.1 steps 1-3: node2's daemons disabled, the server stopped, a new disk installed, started without the cluster services" {
	# steps 1-3: the daemons disabled on the target server, then stopped
	# (failover1 goes on on node1); a new disk; started, the clpstack
	# services not
	new_disk_in node2 --unpartitioned
	online_on node1 node1
}

@test "2.14.1 step 4: the same partitions as the original disk (fdisk)" {
	# step 4: as node1's disk, whose layout the original had
	partition_like node2 node1
}

@test "2.14.1 steps 5-7 (A): failover1 runs on node1; the daemons enabled, reboot; the cluster partition initialised and the initial mirror construction started by itself; GREEN" {
	local from
	# step 5 (A): the operation goes on on node1: nothing to prevent
	online_on node1 node1
	from=$(log_from node1)
	# step 6: enable the daemons and restart the server
	lab_exec node2 "$B/clpsvcctrl.sh --enable core mgr"
	reboots node2 reboot
	wait_for 180 service_is node2 started
	# the mirror agent found the new disk's cluster partition blank
	lab_exec node2 "grep -a 'mirror 30: ' $P/log/clpmgrd.log"
	assert_contains "$output" "md01: the blank cluster partition /dev/vdb1 initialised (a new disk)"
	# step 7 (A): the initial mirror construction starts automatically
	wait_for 300 both_green
	full_copy_seen node1 "$from"
	online_on node1 node1
}

@test "2.14.1: after the replacement node2 holds the data hashed before; both data partitions byte-identical" {
	replaced_node2_holds_data
}
