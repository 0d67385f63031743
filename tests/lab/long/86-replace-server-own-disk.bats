#!/usr/bin/env bats
# Guide 2.16.2, "Using the mirror disk of the failed server", step by step,
# on two systemd nodes (procedures.bash). What the lab models: node2 fails
# (lab cut); the new server is node2 with a blank system layer (lab
# new-root: the OS as installed, none of clpstack, the same host name and
# addresses) and the failed server's mirror disk, kept. While node2 is
# down failover1 goes on writing on node1, so the copies differ: after the
# restart the automatic mirror recovery copies only the difference (a
# differential recovery, not a full copy). Cluster WebUI's upload of the
# configuration is node1's clp.conf (and the group's scripts) copied to
# node2. Afterwards node2 holds the file hashed before the failure and the
# one written while it was down, and both data partitions are
# byte-identical.

load ../helpers
load procedures

@test "before the failure: a file on md01 and its hash; GREEN on both" {
	write_data
	both_green
}

@test "2.16.2 step 1: node2 fails; node1 goes on writing; a new server (blank system layer, the old mirror disk) with the same host name and addresses; clpstack installed, restart" {
	addresses_of node2
	local addrs=$output
	run_lab cut node2
	# the operation goes on on node1, and changes the data
	wait_for 60 online_on node1 node1
	write_file node1 while-node2-down
	# step 1: the server machine replaced, its mirror disk kept
	run_lab new-root node2
	start_new_server node2 "$addrs"
	lab_exec node2 "test -b /dev/vdb1 && test -b /dev/vdb2"
	# the installation, then the restart it asks for
	install_new_server node2
}

@test "2.16.2 steps 2-3: the configuration uploaded, restart; the difference recovered by the automatic mirror recovery (differential); Normal" {
	local from
	# step 2: upload the configuration (node1's), restart the server
	upload_configuration node2
	from=$(log_from node1)
	lab_exec node1 "dmesg | wc -l"
	local kfrom=$((output + 1))
	reboots node2 reboot
	wait_for 180 service_is node2 started
	# the old disk's cluster partition is used as it is: not initialised
	lab_exec '?' node2 "grep -a 'mirror 30: ' $P/log/clpmgrd.log"
	assert "$status" == 1 "node2's cluster partition initialised: $output"
	# step 3: the difference, recovered automatically (autorecovery 1)
	wait_for 300 both_green
	full_copy_seen node1 "$from"
	lab_exec node1 "dmesg | tail -n +$kfrom | grep 'mirror recovery started'"
	assert_contains "$output" "mirror recovery started (differential)"
	lab_exec node2 "$B/clpmdstat --mirror md01"
	assert_contains "$output" "mirror_status : Normal"
	online_on node1 node1
}

@test "2.16.2: the new server holds the file hashed before and the one written while it was down; both data partitions byte-identical" {
	lab_exec node1 "cat $MNT/while-node2-down"
	local written=$output
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	data_intact node2
	lab_exec node2 "cat $MNT/while-node2-down"
	assert "$output" == "$written" "the file written while node2 was down, on node2"
	lab_exec node2 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node2
	partitions_identical
}
