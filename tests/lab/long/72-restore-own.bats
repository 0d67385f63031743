#!/usr/bin/env bats
# Guide 2.20.2, "Simultaneously restoring the mirror disks on both of the
# active and standby servers from their respective disk images", step by
# step, on two systemd nodes (procedures.bash). The backup first (2.19.1
# with clpbackup.sh --pre, each node's image saved by lab save), a file
# written after it, then each node restored from its own image: the mirror
# comes up RED on both, failover1 fails to start, clpmdctrl --force on
# node1 makes it GREEN there, the group starts, and a full copy brings
# node2 back.

load ../helpers
load procedures

@test "the backup (2.19.1 with clpbackup.sh --pre, saved by lab save), then a file written after it" {
	backup_both_to_images
}

@test "2.20.2 steps 1-2: failover1 stopped; clprestore.sh --pre on both: autostart disabled, the servers shut down" {
	# step 1: stop the activated failover group; step 2: clprestore.sh --pre
	# on all the active/standby servers
	restore_pre_both
}

@test "2.20.2 steps 3-5: each server restored from its own image; they start without the cluster service, the paths unchanged" {
	local n
	for n in node1 node2; do
		# step 3: the cluster and the data partitions from the server's image
		run_lab restore $n mirror "$BATS_FILE_TMPDIR/md01-$n.img"
		cmp "$BATS_FILE_TMPDIR/md01-$n.img" "$("$LAB" disk $n)"
	done
	for n in node1 node2; do
		# step 4: start all the servers; step 5: the paths
		start_restored $n
		assert "$(backup_mode $n)" == on "backup mode of the restored copy on $n"
	done
}

@test "2.20.2 steps 6, 8-9: clprestore.sh --post on both: autostart enabled, reboot; the mirror RED on both, failover1 failed to start" {
	local n
	# step 6: on each of the active and the standby server
	reboot_both "$B/clprestore.sh --post"
	for n in node1 node2; do
		lab_exec $n "grep -a -v '^exit' $PROCLOG || true"
		assert_contains "$output" "marked as restored from a disk image"
		autostart_is $n enabled
		wait_for 180 service_is $n started
	done
	# step 8: "Abnormal" (RED) for both servers
	for n in node1 node2; do
		wait_for 120 eval '[ "$(colours '$n')" = "RED RED Abnormal" ]'
		assert "$(backup_mode $n)" == off "backup mode on $n"
	done
	# step 9: the failover group failed to start (clpstat)
	wait_for 180 eval '[[ "$(grp_on node1)" == error* ]]'
	lab_exec node1 "$B/clpstat"
	assert_match "$output" "failover1 +: error"
}

@test "2.20.2 steps 10-13: the failed group stopped, clpmdctrl --force on node1, the group started there, a full copy" {
	local cur
	# step 10: stop the failover group that failed the startup
	cur=$(grp_on node1 | cut -d' ' -f2)
	lab_exec node1 "$B/clpgrp -t failover1${cur:+ -h $cur}"
	wait_for 60 offline_on node1
	# step 11: forced mirror recovery on the server to be GREEN
	lab_exec node1 "$B/clpmdctrl --force md01"
	wait_for 60 eval '[ "$(colours node1)" = "GREEN RED Mirror break" ]'
	# step 12: the failover group on the latest server
	lab_exec node1 "$B/clpgrp -s failover1"
	wait_for 120 online_on node1 node1
	# step 13: mirror recovery (full copy)
	lab_exec node1 "wc -l <$P/log/clpmgrd.log"
	local from=$((output + 1))
	lab_exec node1 "$B/clpmdctrl --recovery md01"
	wait_for 300 both_green
	# a recovery started and completed here (events 114, 115)
	lab_exec node1 "tail -n +$from $P/log/clpmgrd.log | grep -a -E 'mirror 11[45]: '"
	assert_contains "$output" "mirror 114: "
	assert_contains "$output" "mirror 115: "
}

@test "2.20.2: the restored data on both servers: before-backup there, after-backup not" {
	assert_restored node1
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	assert_restored node2
}
