#!/usr/bin/env bats
# Guide 2.19.3, "Backing up standby mirror disks", step by step (mirror
# disk resources), on two systemd nodes (procedures.bash): node2, the
# standby, is backed up in its OS (dd) while node1 runs the operation; then
# automatic mirror recovery brings node2 back. Its image holds the file
# written before the backup, not the one node1 wrote during it.
#
# Steps 3 and 10 pause and resume the mirror disk monitor resources with
# clpmonctrl: clpstack has no mirror disk monitor resource yet (monitors
# other than userw arrive with the monitor issue), so there is nothing to
# pause; what the pause prevents, an automatic mirror recovery during the
# backup, cannot happen either: node2's mirror disk is out of its driver.

load ../helpers
load procedures

@test "2.19.3 steps 1-2: the mirror is GREEN on both; failover1 stopped" {
	write_file node1 before-backup
	# step 1: GREEN for both servers
	for n in node1 node2; do
		lab_exec $n "$B/clpmdstat --mirror md01"
		assert_contains "$output" "mirror_status : Normal"
		assert "$(colours $n)" == "GREEN GREEN Normal" "colours seen from $n"
	done
	# step 2: stop the failover group (the quiescent point)
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
}

@test "2.19.3 step 4: clpbackup.sh --pre --no-shutdown on the standby: backup mode, autostart disabled, its cluster service stopped" {
	# step 4: on the standby server (the server to be backed up)
	lab_exec node2 "$B/clpbackup.sh --pre --no-shutdown"
	assert_contains "$output" "md01: cluster partition /dev/vdb1 switched to backup mode"
	autostart_is node2 disabled
	wait_for 30 service_is node2 stopped
	assert "$(backup_mode node2)" == on "backup mode on node2"
	# the active server is untouched
	autostart_is node1 enabled
	service_is node1 started
	assert "$(backup_mode node1)" == off "backup mode on node1"
}

@test "2.19.3 steps 6-7: the operation restarted on the active server; the standby backed up" {
	# step 6: restart the operation at once on the active server
	lab_exec node1 "$B/clpgrp -s failover1"
	wait_for 120 online_on node1 node1
	write_file node1 after-backup
	# node1 writes alone: current there, the other copy missed writes
	assert "$(colours node1 | cut -d' ' -f1)" == GREEN "node1's own colour"
	# step 7: back up the disk to its image on the standby server
	lab_exec node2 "dd if=/dev/vdb of=/var/tmp/md01-backup.img bs=1M conv=fsync status=none"
	lab_exec node2 "od -An -tu4 -j\$((1048576 + 52)) -N4 /var/tmp/md01-backup.img"
	assert "$(((output >> 1) & 1))" == 1 "backup-mode flag in node2's image"
}

@test "2.19.3 steps 8, 10-12: clpbackup.sh --post --no-reboot on the standby: its cluster service starts, automatic mirror recovery, GREEN on both" {
	lab_exec node1 "wc -l <$P/log/clpmgrd.log"
	local from=$((output + 1))
	# step 8: on the standby server
	lab_exec node2 "$B/clpbackup.sh --post --no-reboot"
	assert_contains "$output" "returned from backup mode to normal mode"
	autostart_is node2 enabled
	# step 10: the cluster service starts up on the standby server
	wait_for 120 service_is node2 started
	assert "$(backup_mode node2)" == off "backup mode on node2"
	# step 11: the operation runs on the active server
	online_on node1 node1
	# step 12: automatic mirror recovery synchronises the differences
	wait_for 180 both_green
	lab_exec node1 "tail -n +$from $P/log/clpmgrd.log | grep -a -c 'mirror 21: '"
	lab_exec node2 "$B/clpmdstat --mirror md01"
	assert_contains "$output" "mirror_status : Normal"
}

@test "2.19.3: the standby's backup holds the data of the backup's time: before-backup there, after-backup not" {
	holds_backup node2 /var/tmp/md01-backup.img
	# and the mirror carried after-backup to node2 after the backup
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	lab_exec node2 "cat $MNT/after-backup"
	assert_match "$output" "^after-backup written at"
}
