#!/usr/bin/env bats
# Guide 2.23.2, "Data partition configured with other than LVM", when not
# changing a device name, step by step, on two systemd nodes
# (procedures.bash): md01's data partition /dev/vdb2 is shrunk on both
# servers with fdisk (its scriptable form, sfdisk), the cluster partitions
# initialised again, the initial mirror construction copies the new
# partition, and the data backed up before is restored. /dev/NMP1 then has
# the new size on both servers.
#
# The backup device ("tape") is a tar archive in node1's /var/tmp (its own
# disk, which survives the reboots).

load ../helpers
load procedures

NEW_MIB=48 # the data partition's new size (the lab's is about 63 MiB)

@test "before the change: a file on md01 and its hash; GREEN on both" {
	write_data
	both_green
	size_of node1 /dev/vdb2
	assert "$output" -gt $((NEW_MIB << 20)) "the data partition before the change"
}

@test "2.23.2 steps 1-2: md01 in clpstat; its data backed up on node1, where failover1 runs" {
	# step 1: the mirror disk resource's name
	lab_exec node1 "$B/clpstat"
	assert_contains "$output" "md01"
	# step 2: a backup of the files (not of the partition device)
	online_on node1 node1
	lab_exec node1 "tar -C $MNT -cf /var/tmp/md01.tar . && sync /var/tmp/md01.tar && tar -tf /var/tmp/md01.tar"
	assert_contains "$output" "./data.bin"
}

@test "2.23.2 steps 3-4: the cluster service disabled on both; the cluster shut down (clpstdn), the OS restarted without it" {
	local n
	# step 3
	for n in node1 node2; do
		lab_exec $n "$B/clpsvcctrl.sh --disable core"
		autostart_is $n disabled
	done
	# step 4: clpstdn shuts every server down, then they are started
	stdn_then_start clpstack-core
}

@test "2.23.2 step 5: fdisk changes the data partition's size on both servers" {
	local n
	for n in node1 node2; do
		# the partition is out of the driver: nothing holds it
		lab_exec '?' $n "test -b /dev/NMP1"
		assert "$status" == 1 "/dev/NMP1 on $n with the cluster service disabled"
		lab_exec $n "echo ',${NEW_MIB}M' | sfdisk -q -N 2 /dev/vdb && partx -u /dev/vdb && udevadm settle"
		size_of $n /dev/vdb2
		assert "$output" == $((NEW_MIB << 20)) "the data partition on $n after fdisk"
	done
}

@test "2.23.2 step 6: clpmdinit --create force md01 on both: cluster partitions initialised, the file system created" {
	local n
	for n in node1 node2; do
		lab_exec $n "$B/clpmdinit --create force md01"
		lab_exec $n "blkid -o value -s TYPE /dev/vdb2"
		assert "$output" == ext4 "md01's file system on $n after the initial mkfs"
	done
}

@test "2.23.2 steps 7-10: the cluster service enabled, both rebooted; the initial mirror construction; failover1 active with the new size; GREEN" {
	local from n
	from=$(log_from node1)
	# steps 7 and 8
	enable_reboot_both core
	# step 9: the initial construction, seen with clpmdstat --mirror
	wait_for 300 both_green
	lab_exec node1 "$B/clpmdstat --mirror md01"
	assert_contains "$output" "Normal"
	lab_exec node1 "tail -n +$from $P/log/clpmgrd.log | grep -a -E 'mirror 11[45]: '"
	assert_contains "$output" "mirror 115: "
	# step 10: failover1 starts, md01 active with the new size
	wait_for 180 online_on node1 node1
	size_of node1 /dev/NMP1
	assert "$output" == $((NEW_MIB << 20)) "/dev/NMP1 on node1 after the change"
	lab_exec node1 "df -B1 --output=size $MNT | tail -n 1"
	assert "$output" -le $((NEW_MIB << 20)) "md01's file system size"
}

@test "2.23.2 step 11: the backup restored on node1; the file hashed before reads the same on both servers" {
	lab_exec node1 "tar -C $MNT -xf /var/tmp/md01.tar && sync -f $MNT/data.bin"
	data_intact node1
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	data_intact node2
	size_of node2 /dev/NMP1
	assert "$output" == $((NEW_MIB << 20)) "/dev/NMP1 on node2 after the change"
	lab_exec node2 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node2
	partitions_identical
}
