#!/usr/bin/env bats
# Guide 2.14.2, "In case of replacing a mirror disk constructed with a
# number of disks (RAID)", step by step, twice on node2, on two systemd
# nodes (procedures.bash). The lab has no RAID controller: "install the new
# disks, reconstruct the RAID before OS startup" is a new mirror disk (lab
# new-disk), the LUN the rebuilt RAID presents. Its content is not
# trusted either way; the procedure initialises its cluster partition and
# the initial mirror construction copies everything from node1.
#   First: a LUN that kept its partition table (new-disk partitioned, step
#   6 not needed), method (2) of step 7 (dd of zeroes over the cluster
#   partition, clpmdinit --create quick) and procedure (B): failover1
#   stopped during the copy, started by the administrator after it.
#   Second: an initialised LUN (new-disk --unpartitioned, fdisk of step
#   6), method (1) (clpmdinit --create force) and procedure (A): failover1
#   running on node1 throughout, the copy started by itself.
# Afterwards node2 holds the file hashed before and both data partitions
# are byte-identical.

load ../helpers
load procedures

@test "before the replacement: a file on md01 and its hash; GREEN on both" {
	write_data
	save_layout node1
	both_green
}

@test "2.14.2 (B), steps 1-5: node2's daemons disabled, stopped; the RAID rebuilt on new disks (a LUN with its partitions); started without the cluster services" {
	new_disk_in node2
	online_on node1 node1
}

@test "2.14.2 (B), step 7 method (2): zeroes over the cluster partition, clpmdinit --create quick" {
	# step 6: the LUN kept its partitions: no fdisk
	# step 7 (2): dd ends with "No space left on device", not an error
	lab_exec '?' node2 "dd if=/dev/zero of=/dev/vdb1 bs=1M oflag=direct"
	assert_contains "$output" "No space left on device"
	lab_exec node2 "cmp -n \$(blockdev --getsize64 /dev/vdb1) /dev/vdb1 /dev/zero"
	lab_exec node2 "$B/clpmdinit --create quick md01"
}

@test "2.14.2 (B), steps 8-11: failover1 stopped; the daemons enabled, restart; clpmdctrl --force node1 md01; GREEN; failover1 started after the copy" {
	local from
	# step 8 (B): the operation stops until the copy is over
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	from=$(log_from node1)
	# step 9: enable the daemons, restart the server
	lab_exec node2 "$B/clpsvcctrl.sh --enable core mgr"
	reboots node2 reboot
	wait_for 180 service_is node2 started
	# step 10 (B): the initial mirror construction, from node1. The mirror
	# agent (fullcopy 1) may have started it at the connection already:
	# the command says so.
	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	assert_match "$output" "md01: (full copy from node1 started|a full copy from node1 is running already)"
	wait_for 300 both_green
	full_copy_seen node1 "$from"
	offline_on node1
	# step 11: the operation starts after the copy
	lab_exec node1 "$B/clpgrp -s failover1"
	wait_for 60 online_on node1 node1
	data_intact node1
}

@test "2.14.2 (A), steps 1-6: node2 again: stopped, an initialised LUN (no partition) started without the cluster services; fdisk" {
	new_disk_in node2 --unpartitioned
	online_on node1 node1
	# step 6: the LUN was initialised: partitions as the original disk
	apply_layout node2
}

@test "2.14.2 (A), steps 7-10: clpmdinit --create force; failover1 running on node1; the daemons enabled, restart; the copy starts by itself; GREEN" {
	local from
	# step 7 (1): the cluster partition initialised (and, mkfs 1, the
	# file system created)
	lab_exec node2 "$B/clpmdinit --create force md01"
	# step 8 (A): the operation goes on on node1
	online_on node1 node1
	from=$(log_from node1)
	# step 9
	lab_exec node2 "$B/clpsvcctrl.sh --enable core mgr"
	reboots node2 reboot
	wait_for 180 service_is node2 started
	# step 10 (A): the initial mirror construction starts automatically
	wait_for 300 both_green
	full_copy_seen node1 "$from"
	online_on node1 node1
}

@test "2.14.2: after the replacements node2 holds the data hashed before; both data partitions byte-identical" {
	replaced_node2_holds_data
}
