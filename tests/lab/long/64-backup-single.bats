#!/usr/bin/env bats
# Guide 2.19.4, "Backing up mirror disks on the single server": 2.19.1 with
# "both servers" read as "single server", on node1 while node2 is stopped
# and the mirror not synchronised, on two systemd nodes (procedures.bash);
# the cluster activation synchronisation wait cancelled with clpbwctrl -c,
# as the section's "See also" says.

load ../helpers
load procedures

@test "node2 stopped: node1 alone runs failover1, its copy GREEN" {
	shut_down node2 poweroff
	write_file node1 before-backup
	online_on node1 node1
	wait_for 60 eval '[ "$(colours node1 | cut -d" " -f1)" = GREEN ]'
}

@test "2.19.4 (2.19.1 steps 1-3 on the single server): node1 GREEN; failover1 stopped; clpbackup.sh --pre --no-shutdown" {
	# step 1: the single server's copy is current
	assert "$(colours node1 | cut -d' ' -f1)" == GREEN "node1's own colour"
	# step 2: stop the activated failover group
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	# step 3: switch the mirror disks to backup mode
	lab_exec node1 "$B/clpbackup.sh --pre --no-shutdown"
	assert_contains "$output" "md01: cluster partition /dev/vdb1 switched to backup mode"
	autostart_is node1 disabled
	wait_for 30 service_is node1 stopped
	assert "$(backup_mode node1)" == on "backup mode on node1"
}

@test "2.19.4 (2.19.1 steps 5-6, 8 on the single server): the backup; clpbackup.sh --post --no-reboot; clpbwctrl -c ends the startup wait; failover1 online" {
	# step 5: the backup
	lab_exec node1 "dd if=/dev/vdb of=/var/tmp/md01-backup.img bs=1M conv=fsync status=none"
	# step 6: back to normal mode; the cluster service starts and waits
	# for node2 (2.21)
	"$LAB" exec node1 -- bash -c "$B/clpbackup.sh --post --no-reboot" >"$BATS_FILE_TMPDIR/post.log" 2>&1 &
	local pid=$!
	wait_for 120 "$LAB" exec node1 -- bash -c "$B/clpstat | grep -q 'waiting for the other servers'"
	# See also: start the operation without waiting for the other server
	lab_exec node1 "$B/clpbwctrl -c"
	wait "$pid" || fail "clpbackup.sh --post --no-reboot: $(cat "$BATS_FILE_TMPDIR/post.log")"
	assert_contains "$(cat "$BATS_FILE_TMPDIR/post.log")" "returned from backup mode to normal mode"
	autostart_is node1 enabled
	assert "$(backup_mode node1)" == off "backup mode on node1"
	# step 8: the cluster service runs, node1's copy is current
	wait_for 60 service_is node1 started
	wait_for 120 online_on node1 node1
	assert "$(colours node1 | cut -d' ' -f1)" == GREEN "node1's own colour"
	write_file node1 after-backup
}

@test "2.19.4: the backup holds before-backup, not after-backup; clpbwctrl -c without a wait is an error" {
	holds_backup node1 /var/tmp/md01-backup.img
	lab_exec 5 node1 "$B/clpbwctrl -c"
}
