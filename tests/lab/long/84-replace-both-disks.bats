#!/usr/bin/env bats
# Guide 2.14.3, "In case of replacing mirror disks of both servers", step
# by step, on two systemd nodes (procedures.bash): both servers stopped
# with their daemons disabled, both mirror disks replaced by new empty ones
# (lab new-disk), partitioned as the original, the daemons enabled and
# both restarted. The mirror agents initialise the blank cluster
# partitions and create the file systems (mkfs 1); the initial mirror
# construction (fullcopy 1) starts by itself, from node1 (node id 0). The
# data is lost, as the guide says: step 7 restores it from a backup (a copy
# of the file taken to the host before), after which node2 holds it too
# and both data partitions are byte-identical.

load ../helpers
load procedures

@test "before the replacement: a file on md01, its hash and a backup copy of it; the partition layout; GREEN on both" {
	write_data
	"$LAB" exec node1 -- cat $MNT/data.bin >"$BATS_FILE_TMPDIR/data.bin"
	assert "$(sha256sum <"$BATS_FILE_TMPDIR/data.bin")" == "$(cat "$BATS_FILE_TMPDIR/data.sum")" "the backup copy's hash"
	save_layout node1
	both_green
}

@test "2.14.3 steps 1-3: the daemons disabled and both servers stopped, new disks installed, both started without the cluster services" {
	local n
	# step 1: disable the daemons on both servers, then stop them
	for n in node2 node1; do
		lab_exec $n "$B/clpsvcctrl.sh --disable core mgr"
		shut_down $n poweroff
	done
	# step 2: new disks in both servers
	for n in node1 node2; do
		run_lab new-disk $n --unpartitioned
	done
	# step 3: start both; the clpstack services do not start
	for n in node1 node2; do
		run_lab start $n
	done
	for n in node1 node2; do
		units_inactive $n clpstack-core clpstack-mgr
		lab_exec '?' $n "test -b /dev/vdb1"
		assert "$status" == 1 "a partition on $n's new disk"
	done
}

@test "2.14.3 step 4: the same partitions as the original disks on both (fdisk)" {
	# step 4: the layout the original disks had. New disks: no cluster
	# partition to initialise, no file system to create by hand (the
	# mirror agent does both for a blank disk, mkfs 1).
	apply_layout node1
	apply_layout node2
}

@test "2.14.3 steps 5-6: the daemons enabled, both restarted; the cluster partitions initialised, the initial mirror construction from node1 by itself; GREEN; failover1 online" {
	local n
	local -A from
	# step 5: enable the daemons, restart both servers
	for n in node1 node2; do
		lab_exec $n "$B/clpsvcctrl.sh --enable core mgr"
		from[$n]=$(log_from $n)
	done
	reboot_both reboot
	for n in node1 node2; do
		wait_for 180 service_is $n started
		lab_exec $n "tail -n +${from[$n]} $P/log/clpmgrd.log | grep -a 'mirror 30: '"
		assert_contains "$output" "md01: the blank cluster partition /dev/vdb1 initialised (a new disk), file system created on the data partition"
	done
	# step 6: the initial mirror construction (a full copy) starts
	# automatically; node1, node id 0, is its source
	wait_for 300 both_green
	full_copy_seen node1 "${from[node1]}"
	lab_exec node1 "tail -n +${from[node1]} $P/log/clpmgrd.log | grep -a 'mirror 20: '"
	assert_contains "$output" "md01"
	wait_for 180 online_on node1 node1
	online_on node2 node1
}

@test "2.14.3 step 7: the data restored from the backup after the full copy; node2 holds it too; both data partitions byte-identical" {
	# the data of the old disks is gone
	lab_exec '?' node1 "test -e $MNT/data.bin"
	assert "$status" == 1 "data.bin on the new disks before the restore"
	# step 7: recover the data from the backup
	run_lab exec node1 -i -- bash -c "cat >$MNT/data.bin && sync -f $MNT/data.bin" <"$BATS_FILE_TMPDIR/data.bin"
	data_intact node1
	replaced_node2_holds_data
}
