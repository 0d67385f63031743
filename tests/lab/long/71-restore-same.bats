#!/usr/bin/env bats
# Guide 2.20.1, "Simultaneously restoring the mirror disks on both of the
# active and standby servers from the same disk image", step by step, on two
# systemd nodes (procedures.bash). The backup first, as 2.18 recommends it
# for images taken outside the OS (2.19.1 with clpbackup.sh --pre: the
# server shuts down), saved with the lab's imaging tool; then a file
# written after the backup; then the restore of node1's image onto both.
# --skip-copy is refused while the initial mirror construction is enabled;
# with it disabled the mirror is GREEN on both without a copy.

load ../helpers
load procedures

@test "the backup (2.19.1 with clpbackup.sh --pre, saved by lab save), then a file written after it" {
	backup_both_to_images
}

@test "2.20.1 steps 1-2: failover1 stopped; clprestore.sh --pre on both: autostart disabled, the servers shut down" {
	# step 1: stop the activated failover group; step 2: clprestore.sh --pre
	# on all the active/standby servers
	restore_pre_both
}

@test "2.20.1 steps 3-5: the same image restored on both servers; they start without the cluster service, the paths unchanged" {
	local n
	IMG=$BATS_FILE_TMPDIR/md01-node1.img
	# step 3: the cluster and the data partitions of both from the same image
	for n in node1 node2; do
		run_lab restore $n mirror "$IMG"
		cmp "$IMG" "$("$LAB" disk $n)"
	done
	# step 4: start all the servers; step 5: the paths
	for n in node1 node2; do
		start_restored $n
		# the image was taken in backup mode
		assert "$(backup_mode $n)" == on "backup mode of the restored copy on $n"
	done
}

@test "2.20.1 step 6: clprestore.sh --post --skip-copy fails while the initial mirror construction is enabled, nothing changed" {
	lab_exec node1 "sha256sum </dev/vdb1"
	local sum=$output
	lab_exec 5 node1 "$B/clprestore.sh --post --skip-copy"
	assert_contains "$output" "md01: Execute the initial mirror construction (fullcopy) and Execute initial mkfs (mkfs) must be disabled for --skip-copy"
	lab_exec node1 "sha256sum </dev/vdb1"
	assert "$output" == "$sum" "the cluster partition after the refusal"
	autostart_is node1 disabled
}

@test "2.20.1 steps 6 and 8: with the initial mirror construction and mkfs disabled, --skip-copy on both; the servers reboot GREEN/GREEN, nothing copied" {
	local n
	for n in node1 node2; do
		# the setting changed as Cluster WebUI's Apply would
		lab_exec $n "sed -i 's|<fullcopy>1</fullcopy>|<fullcopy>0</fullcopy>|; s|<mkfs>1</mkfs>|<mkfs>0</mkfs>|' $CONF && $B/clpmgrd --check"
	done
	# the mirror agent's events from here on
	lab_exec node1 "wc -l <$P/log/clpmgrd.log"
	local from=$((output + 1))
	# step 6: on each of the active and the standby server
	reboot_both "$B/clprestore.sh --post --skip-copy"
	for n in node1 node2; do
		lab_exec $n "grep -a -v '^exit' $PROCLOG || true"
		assert_contains "$output" "initialised (skip-copy, node"
		autostart_is $n enabled
		wait_for 180 service_is $n started
	done
	# step 8: both servers GREEN
	wait_for 180 both_green
	for n in node1 node2; do
		assert "$(backup_mode $n)" == off "backup mode on $n"
		lab_exec $n "$B/clpmdstat --mirror md01"
		assert_contains "$output" "mirror_status : Normal"
	done
	# no mirror recovery: the normal state was assumed (event 28)
	lab_exec node1 "tail -n +$from $P/log/clpmgrd.log | grep -a -c 'mirror 28: '"
	lab_exec '?' node1 "tail -n +$from $P/log/clpmgrd.log | grep -a -c -E 'mirror (20|21): '"
	assert "$output" == 0 "copies started after the restore"
}

@test "2.20.1: the restored data on both servers: before-backup there, after-backup not" {
	wait_for 180 online_on node1 node1
	assert_restored node1
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	assert_restored node2
}

@test "2.20.1 step 9: the initial mirror construction setting restored" {
	local n
	for n in node1 node2; do
		lab_exec $n "sed -i 's|<fullcopy>0</fullcopy>|<fullcopy>1</fullcopy>|; s|<mkfs>0</mkfs>|<mkfs>1</mkfs>|' $CONF && $B/clpmgrd --check"
	done
}
