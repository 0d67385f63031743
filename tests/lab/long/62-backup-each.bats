#!/usr/bin/env bats
# Guide 2.19.2, "Backing up active/standby mirror disks in each server":
# 2.19.3 on the standby (node2), the group moved to it, 2.19.3 on the
# previously active server (node1), the group moved back, on two systemd
# nodes (procedures.bash). 2.19.3's steps 3 and 10 (clpmonctrl) type
# nothing: clpstack has no mirror disk monitor resource yet.

load ../helpers
load procedures

# backup_standby ACTIVE STANDBY FILE: 2.19.3 with STANDBY backed up in its
# OS (dd to FILE) while ACTIVE runs failover1; ends GREEN on both.
backup_standby() {
	local a=$1 s=$2 from
	# 2.19.3 step 1: GREEN on both
	wait_for 180 both_green
	# step 2: the failover group stopped (the quiescent point)
	lab_exec "$a" "$B/clpgrp -t failover1"
	wait_for 60 offline_on "$a"
	# step 4: backup mode on the standby
	lab_exec "$s" "$B/clpbackup.sh --pre --no-shutdown"
	assert_contains "$output" "md01: cluster partition /dev/vdb1 switched to backup mode"
	autostart_is "$s" disabled
	wait_for 30 service_is "$s" stopped
	assert "$(backup_mode "$s")" == on "backup mode on $s"
	# step 6: the operation restarted on the active server
	lab_exec "$a" "$B/clpgrp -s failover1"
	wait_for 120 online_on "$a" "$a"
	# step 7: the backup on the standby
	lab_exec "$s" "dd if=/dev/vdb of=$3 bs=1M conv=fsync status=none"
	lab_exec "$a" "wc -l <$P/log/clpmgrd.log"
	from=$((output + 1))
	# step 8: back to normal mode on the standby
	lab_exec "$s" "$B/clpbackup.sh --post --no-reboot"
	assert_contains "$output" "returned from backup mode to normal mode"
	autostart_is "$s" enabled
	# step 10: its cluster service starts
	wait_for 120 service_is "$s" started
	# step 12: automatic mirror recovery, GREEN on both
	wait_for 180 both_green
	lab_exec "$a" "tail -n +$from $P/log/clpmgrd.log | grep -a -c 'mirror 21: '"
}

@test "2.19.2 step 1: the standby (node2) backed up as 2.19.3 says" {
	write_file node1 before-backup
	backup_standby node1 node2 /var/tmp/md01-node2.img
}

@test "2.19.2 step 2: mirror recovery completed, failover1 moved to node2" {
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	lab_exec node2 "cat $MNT/before-backup"
}

@test "2.19.2 step 3: the previously active server (node1) backed up as 2.19.3 says" {
	backup_standby node2 node1 /var/tmp/md01-node1.img
}

@test "2.19.2 step 4: mirror recovery completed, failover1 moved back; each backup holds the file before it, not the one after" {
	lab_exec node2 "$B/clpgrp -m failover1 -h node1"
	wait_for 120 online_on node1 node1
	write_file node1 after-backup
	holds_backup node2 /var/tmp/md01-node2.img
	holds_backup node1 /var/tmp/md01-node1.img
}
