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
	backup_standby_node2 mirror
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
	run_lab restore node2 mirror "$BATS_FILE_TMPDIR/mirror-node2.img"
	cmp "$BATS_FILE_TMPDIR/mirror-node2.img" "$("$LAB" disk node2)"
	# steps 6-7: start it; the device names are those of clp.conf
	start_restored node2
	assert "$(backup_mode node2)" == on "backup mode of the restored copy"
	# the restored data partition (read-only, outside the cluster) holds
	# the file written before the backup, not the one after
	holds_backup node2 /dev/vdb2
}

@test "2.18 steps 8-11: clprestore.sh --post on node2 reboots it; a full copy from node1; GREEN on both" {
	restored_node2_recovers
}

@test "2.20.3: after the full copy node2 holds the mirror's current data (both files)" {
	node2_holds_both_files
}
