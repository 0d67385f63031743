#!/usr/bin/env bats
# Guide 2.18, "How to restore a virtual machine ~For a mirror disk~": the
# system disk of node2 fails and node2 is restored whole, its system disk
# and its mirror disk, from images taken outside the OS, on two systemd
# nodes (procedures.bash). The images: node2 backed up as 2.19.3 with
# clpbackup.sh --pre (the server shuts down, as 2.18 asks, so that the
# system disk is static), both disks saved by lab save (root: the node's
# system layer, mirror: its mirror disk). Afterwards node2's system is the
# backup's (a file written there after the backup is gone) and its mirror
# copy, fully copied from node1, holds the mirror's current data.
#
# Steps 2 and 10 pause and resume the mirror disk monitor resources with
# clpmonctrl: clpstack has none yet (the monitor issue); nothing is typed.

load ../helpers
load procedures

@test "the backup of node2's system and mirror disks (2.19.3 with clpbackup.sh --pre, saved by lab save), then files written after it" {
	lab_exec node2 "echo before > /root/system-before-backup && sync"
	backup_standby_node2 root mirror
	lab_exec node2 "echo after > /root/system-after-backup && sync"
	# node2 runs failover1 when its system disk fails
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
}

@test "2.18 steps 1, 3: failover1 moved off the target node2 and running on node1; clprestore.sh --pre on node2: it shuts down" {
	# step 1: move the group off the target server, check it started
	lab_exec node2 "$B/clpgrp -m failover1 -h node1"
	wait_for 120 online_on node1 node1
	lab_exec node1 "mountpoint -q $MNT && cat $MNT/after-backup"
	# step 3: shut the target server down
	shut_down node2 "$B/clprestore.sh --pre"
	online_on node1 node1
}

@test "2.18 steps 4-7: both of node2's disks replaced by their images; started without the cluster service, the system of the backup, the device names unchanged" {
	# steps 4-5: new virtual disks from the backup images
	run_lab restore node2 root "$BATS_FILE_TMPDIR/root-node2.img"
	run_lab restore node2 mirror "$BATS_FILE_TMPDIR/mirror-node2.img"
	cmp "$BATS_FILE_TMPDIR/mirror-node2.img" "$("$LAB" disk node2)"
	# step 6: started; the cluster service does not start (clpbackup.sh
	# --pre had disabled it when the image was taken); step 7: the device
	# names are those of clp.conf
	start_restored node2
	# the system disk is the backup's
	lab_exec node2 "cat /root/system-before-backup"
	lab_exec '?' node2 "test -e /root/system-after-backup"
	assert "$status" == 1 "a file written on node2's system after the backup"
	assert "$(backup_mode node2)" == on "backup mode of the restored mirror copy"
	holds_backup node2 /dev/vdb2
}

@test "2.18 steps 8-11: clprestore.sh --post reboots node2; a full copy from node1, where the data is updated; GREEN on both" {
	restored_node2_recovers
}

@test "2.18: after the restore node2 holds the mirror's current data (both files); its system keeps the backup's state" {
	node2_holds_both_files
	lab_exec '?' node2 "test -e /root/system-after-backup"
	assert "$status" == 1 "a file written on node2's system after the backup"
}
