#!/usr/bin/env bats
# Guide 2.20.3, "Restoring the mirror disk on the single server from the
# disk image": the standby's mirror disk restored while the active server
# runs, through 2.18's steps 1-11 ("the server with the mirror disk to be
# restored"; steps 4-5 only for the mirror disk), on two systemd nodes
# (procedures.bash). The image: node2's mirror disk backed up as 2.19.3 with
# clpbackup.sh --pre (the server shuts down, as 2.18 asks) and lab save.
#
# Steps 2 and 10 pause and resume the mirror disk monitor resources with
# clpmonctrl: clpstack has none yet (the monitor issue); nothing is typed.

load ../helpers
load procedures

@test "the backup of the standby (2.19.3 with clpbackup.sh --pre, saved by lab save), then a file written after it" {
	write_file node1 before-backup
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	shut_down node2 "$B/clpbackup.sh --pre"
	# Until its heartbeat times out node2 counts as up, and a start asks
	# it for the reservation: powered off, it cannot answer (the start is
	# refused, "cannot reach the daemon of node2").
	wait_for 60 hb_down_on node1 node2
	lab_exec node1 "$B/clpgrp -s failover1"
	wait_for 120 online_on node1 node1
	run_lab save node2 mirror "$BATS_FILE_TMPDIR/md01-node2.img"
	run_lab start node2
	proc_log node2
	assert_contains "$output" "switched to backup mode"
	autostart_is node2 disabled
	lab_exec node2 "$B/clpbackup.sh --post --no-reboot"
	wait_for 120 service_is node2 started
	wait_for 300 both_green
	write_file node1 after-backup
}

@test "2.18 steps 1, 3: the group runs on the other server; clprestore.sh --pre on node2: autostart disabled, the server shuts down" {
	# step 1: no group runs on the target server (node2)
	online_on node1 node1
	# step 3: shut the target server down
	shut_down node2 "$B/clprestore.sh --pre"
	# the active server goes on
	online_on node1 node1
}

@test "2.18 steps 4-7: node2's mirror disk replaced by its image; started without the cluster service, the device names unchanged" {
	# steps 4-5: a new disk from the backup image, in place of the old one
	run_lab restore node2 mirror "$BATS_FILE_TMPDIR/md01-node2.img"
	cmp "$BATS_FILE_TMPDIR/md01-node2.img" "$("$LAB" disk node2)"
	# steps 6-7: start it; the device names are those of clp.conf
	start_restored node2
	assert "$(backup_mode node2)" == on "backup mode of the restored copy"
	# the restored data partition (read-only, outside the cluster) holds
	# the file written before the backup, not the one after
	holds_backup node2 /dev/vdb2
}

@test "2.18 steps 8-11: clprestore.sh --post on node2 reboots it; a full copy from node1; GREEN on both" {
	# step 8: reboot the target server
	reboots node2 "$B/clprestore.sh --post"
	lab_exec node2 "grep -a -v '^exit' $PROCLOG || true"
	assert_contains "$output" "marked as restored from a disk image"
	autostart_is node2 enabled
	wait_for 180 service_is node2 started
	assert "$(backup_mode node2)" == off "backup mode on node2"
	# step 9: mirror recovery (full copy) from node1, where the data is
	# updated. The driver has usually started it already at the connection
	# (an inconsistent copy facing a current one is resumed at once, see
	# commands.md, clpmgrd): then the command finds it running and says so.
	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	assert_match "$output" "md01: (full copy from node1 started|a full copy from node1 is running already)"
	# step 11: GREEN for both servers
	wait_for 300 both_green
	online_on node1 node1
}

@test "2.20.3: after the full copy node2 holds the mirror's current data (both files)" {
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	lab_exec node2 "cat $MNT/before-backup $MNT/after-backup"
	assert_match "$output" "^before-backup written at"
	assert_contains "$output" "after-backup written at"
}
