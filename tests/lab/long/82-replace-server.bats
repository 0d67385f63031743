#!/usr/bin/env bats
# Guide 2.16.1, "Replacing a server and its mirror disk", step by step, on
# two systemd nodes (procedures.bash). What the lab models: node2 fails
# (lab cut); the new server is node2 with a blank system layer (lab
# new-root: the OS as installed, none of clpstack, the same host name and
# addresses, which the lab gives by node) and a new empty mirror disk (lab
# new-disk). Cluster WebUI's upload of the configuration is node1's
# clp.conf (and the group's scripts) copied to node2. After the restart the
# mirror agent initialises the blank cluster partition, creates the file
# system (mkfs 1) and the initial mirror construction (fullcopy 1) copies
# everything from node1: the file hashed before the failure reads the same
# on node2, and both data partitions are byte-identical.

load ../helpers
load procedures

@test "before the failure: a file on md01 and its hash; GREEN on both" {
	write_data
	both_green
}

@test "2.16.1 step 1: node2 fails; a new server (blank system layer, new disk) with the same host name and addresses" {
	addresses_of node2
	local addrs=$output
	run_lab cut node2
	# the operation goes on on node1
	wait_for 60 online_on node1 node1
	# step 1: the server machine and its disk replaced
	run_lab new-root node2
	run_lab new-disk node2 --unpartitioned
	start_new_server node2 "$addrs"
}

@test "2.16.1 step 2: partitions on the new disk (fdisk); clpstack installed, restart" {
	# step 2: partitions as the failed server's disk had (node1's layout)
	partition_like node2 node1
	# the installation, then the restart it asks for
	install_new_server node2
}

@test "2.16.1 steps 4-5: the configuration uploaded, restart; the cluster partition initialised, a file system created, the full copy from node1; GREEN" {
	local from
	# step 3 is for a disk that was a mirror disk before: not this one.
	# step 4: upload the configuration (node1's) and restart the server
	upload_configuration node2
	from=$(log_from node1)
	reboots node2 reboot
	wait_for 180 service_is node2 started
	# step 5: the cluster partition initialised, the file system created
	lab_exec node2 "grep -a 'mirror 30: ' $P/log/clpmgrd.log"
	assert_contains "$output" "md01: the blank cluster partition /dev/vdb1 initialised (a new disk), file system created on the data partition"
	# the mirror recovery (initial mirror construction: a full copy)
	wait_for 300 both_green
	full_copy_seen node1 "$from"
	lab_exec node2 "$B/clpmdstat --mirror md01"
	assert_contains "$output" "mirror_status : Normal"
	online_on node1 node1
}

@test "2.16.1: the new server holds the data hashed before; both data partitions byte-identical" {
	replaced_node2_holds_data
}
