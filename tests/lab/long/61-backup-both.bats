#!/usr/bin/env bats
# Guide 2.19.1, "Simultaneously backing up both active and standby mirror
# disks", step by step (mirror disk resources), on two systemd nodes
# (procedures.bash): the backup is taken in each server's OS with dd while
# the mirror disks are in backup mode and the cluster service is stopped.
# Then each image is looked into (a loop device in the node): it holds the
# file written before the backup, not the one written after it.

load ../helpers
load procedures

@test "2.19.1 steps 1-2: the mirror is GREEN on both; failover1 stopped" {
	write_file node1 before-backup
	# step 1: clpmdstat --mirror on both servers: GREEN for both
	for n in node1 node2; do
		lab_exec $n "$B/clpmdstat --mirror md01"
		assert_contains "$output" "mirror_status : Normal"
		assert "$(colours $n)" == "GREEN GREEN Normal" "colours seen from $n"
		assert "$(backup_mode $n)" == off "backup mode on $n"
	done
	# step 2: stop the activated failover group
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	wait_for 60 offline_on node2
}

@test "2.19.1 step 3: clpbackup.sh --pre --no-shutdown on both: backup mode, autostart disabled, the cluster service stopped" {
	local n
	for n in node1 node2; do
		# step 3: on both the active and the standby server
		lab_exec $n "$B/clpbackup.sh --pre --no-shutdown"
		assert_match "$output" "md01: cluster partition /dev/vdb1 switched to backup mode"
		autostart_is $n disabled
		wait_for 30 service_is $n stopped
		assert "$(backup_mode $n)" == on "backup mode on $n"
		lab_exec $n "$B/clpmdstat --mirror md01"
		assert_contains "$output" "mirror_status : Backup mode (not configured in the driver)"
		assert_contains "$output" "backup_mode : on"
		lab_exec $n "systemctl is-active clpstack-mgr.service"
		assert "$output" == active "the server stays up (--no-shutdown) with its manager on $n"
	done
	# the mirror agent refuses a cluster partition in backup mode
	lab_exec '?' node1 "$B/clpcl -s"
	assert "$status" != 0 "clpcl -s in backup mode"
	lab_exec node1 "grep -a 'in backup mode (clpbackup.sh --pre): run clpbackup.sh --post' $P/log/clpmgrd.log | tail -n 1"
	wait_for 30 service_is node1 stopped
	assert "$(backup_mode node1)" == on
}

@test "2.19.1 step 5: the backup on both servers (dd of the mirror disk in the OS)" {
	local n
	for n in node1 node2; do
		# step 5: execute backup on both servers
		lab_exec $n "dd if=/dev/vdb of=/var/tmp/md01-backup.img bs=1M conv=fsync status=none && sha256sum </var/tmp/md01-backup.img"
		# the image's cluster partition says backup mode (flags at 1 MiB + 52)
		lab_exec $n "od -An -tu4 -j\$((1048576 + 52)) -N4 /var/tmp/md01-backup.img"
		assert "$(((output >> 1) & 1))" == 1 "backup-mode flag in $n's image"
	done
}

@test "2.19.1 steps 6 and 8: clpbackup.sh --post --no-reboot on both: normal mode, autostart enabled, the cluster service started, GREEN on both" {
	# step 6: on both servers
	post_no_reboot_both
	# step 8: the mirror is synchronised normally
	wait_for 120 both_green
	wait_for 120 online_on node1 node1
	write_file node1 after-backup
}

@test "each backup holds the data of the backup's time: before-backup is there, after-backup is not" {
	local n
	for n in node1 node2; do
		holds_backup $n /var/tmp/md01-backup.img
	done
}
