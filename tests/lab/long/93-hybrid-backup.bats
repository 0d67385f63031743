#!/usr/bin/env bats
# Guide 2.19.1 and 2.20.2 for a hybrid disk, step by step, on the hybrid
# lab with systemd as PID 1 (lab up --hybrid --systemd, as
# 90-hybrid-replace.bats): node1 and node2 share svg1's disk, node3 has its
# own; failover1 (hd1) runs on node1.
#
#   2.19.1  both server groups backed up to disk images at once:
#           clpbackup.sh --pre on one server of each group (node2, which is
#           not svg1's current server: the guide allows any; node3), then
#           --only-shutdown on the other (node1); the images saved with lab
#           save (svg1's shared disk once, node3's); all started;
#           clpbackup.sh --post on node1 and node3, --only-reboot on node2;
#           the mirror Normal again without a full copy.
#   2.20.2  each group restored from its own image: clprestore.sh --pre on
#           every server; lab restore; all started; clprestore.sh --post on
#           node1 and node3, --only-reboot on node2: both copies restored,
#           RED on both sides, failover1 fails to start; clphdctrl --force
#           on svg1's current server, the group started there, clphdctrl
#           --recovery: a full copy; the data is the backup's.
#
# Steps 3 of 2.19.3 / 2.20 (suspending the hybrid disk monitors) are not
# run: clpstack has no monitor resources yet.

# suite-timeout: 3000

load ../helpers
load procedures
load hybrid

MNT=/mnt/hd1

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-93
	hybrid_procedures_up 128M
}

teardown() {
	cluster_logs_on_failure node1 node2 node3
}

# hd_json NODE FILTER: jq FILTER on clphdstat --mirror hd1 --json on NODE.
hd_json() {
	"$LAB" exec "$1" -- bash -c "$B/clphdstat --mirror hd1 --json | jq -r '$2'"
}
hd_backup_mode() { hd_json "$1" .backup_mode; }
# svg1_holder: svg1's current server from its lease (node1's view), or none.
svg1_holder() { hd_json node1 '.groups[0].current_server'; }
hd_file() { # hd_file NODE NAME: write NAME on hd1 (failover1 runs on NODE)
	lab_exec "$1" "echo '$2 written at' \$(date +%s.%N) >$MNT/$2 && sync -f $MNT/$2"
}
# all_started: the cluster service started on the three.
all_started() {
	local n
	for n in node1 node2 node3; do
		wait_for 180 service_is $n started
	done
}
# reboot_by NODE CMD...: CMD (one per NODE, "node:cmd") run at once; each
# node rebooted and answering again.
reboot_by() {
	local nc n
	local -A before
	for nc in "$@"; do
		n=${nc%%:*}
		before[$n]=$("$LAB" boots "$n")
		in_background "$n" "${nc#*:}"
	done
	for nc in "$@"; do
		n=${nc%%:*}
		wait_for 240 boots_above "$n" "${before[$n]}"
		run_lab wait $n --timeout 300
	done
}
# start_all_in_backup_mode WHAT: the three started (after clpbackup.sh
# or clprestore.sh --pre), each without the cluster service, hd1's backup
# mode on as each sees it (WHAT names it in a failure).
start_all_in_backup_mode() {
	local n
	for n in node1 node2 node3; do
		run_lab start $n
	done
	for n in node1 node2 node3; do
		run_lab wait $n --timeout 300
		autostart_is $n disabled
		units_inactive $n clpstack-core
		assert "$(hd_backup_mode $n)" == on "$1 $n"
	done
}
# restored_holds NODE: failover1 on NODE: the file written before the
# backup is there, the one after it is not.
restored_holds() {
	lab_exec "$1" "cat $MNT/before-backup"
	assert_match "$output" "^before-backup written at"
	lab_exec '?' "$1" "test -e $MNT/after-backup"
	assert "$status" == 1 "after-backup on $1 (written after the backup)"
}

@test "2.19.1 steps 1-2: the mirror Normal, the current servers node1 and node3; a file; failover1 stopped" {
	online_on node1 node1
	assert "$(hd_json node1 '[.mirror_status, .groups[].current_server] | join(" ")')" == "Normal node1 node3" "clphdstat on node1"
	hd_file node1 before-backup
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
}

@test "2.19.1 steps 3-4: clpbackup.sh --pre on node2 (svg1, not current: node1 switches the shared partition) and on node3; --only-shutdown on node1" {
	local from
	from=$(log_from node1)
	# refused while failover1 runs on svg1's current server: nothing changes
	lab_exec node1 "$B/clpgrp -s failover1"
	wait_for 120 online_on node1 node1
	lab_exec 5 node2 "$B/clpbackup.sh --pre"
	assert_contains "$output" "Some invalid status. Check the status of cluster."
	assert_contains "$output" "hd1 is active on node1, the current server of svg1: stop its group first (clpgrp -t)"
	autostart_is node2 enabled
	assert "$(hd_backup_mode node1)" == off "backup mode after the refusal"
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	# step 3 on svg1: node2 asks node1, the current server
	shut_down node2 "$B/clpbackup.sh --pre"
	assert "$(hd_backup_mode node1)" == on "svg1's backup mode (node1's view)"
	assert "$(sysattr node1 role)" == absent "hd1 in node1's driver"
	lab_exec node1 "tail -n +$from $P/log/clpmgrd.log | grep -a 'hybrid 23: '"
	assert_contains "$output" "hd1: the cluster partition of svg1 switched to backup mode by node1, its current server"
	assert "$(svg1_holder)" == node1 "svg1's lease holder"
	# step 3 on svg2: node3, its current server
	shut_down node3 "$B/clpbackup.sh --pre"
	# step 4: the other server of svg1
	shut_down node1 "$B/clpbackup.sh --pre --only-shutdown"
}

@test "2.19.1 step 5: svg1's shared disk and node3's disk saved (lab save)" {
	run_lab save node1 mirror "$BATS_FILE_TMPDIR/hd1-svg1.img"
	run_lab save node3 mirror "$BATS_FILE_TMPDIR/hd1-svg2.img"
}

@test "2.19.1 steps 6-8: every server started (no cluster service, backup mode on); clpbackup.sh --post on node1 and node3, --only-reboot on node2; Normal again without a full copy; failover1 with the data" {
	local n
	start_all_in_backup_mode "backup mode seen by"
	reboot_by "node1:$B/clpbackup.sh --post" "node3:$B/clpbackup.sh --post" "node2:$B/clpbackup.sh --post --only-reboot"
	for n in node1 node3; do
		proc_log $n
		assert_contains "$output" "returned from backup mode to normal mode"
	done
	all_started
	for n in node1 node2 node3; do
		autostart_is $n enabled
		assert "$(hd_backup_mode $n)" == off "backup mode on $n"
	done
	wait_for 120 node3_connected
	wait_for 300 mirrors "$(svg1_current)" node3
	wait_for 180 online_on node1 node1
	assert "$(hd_json node1 .mirror_status)" == Normal "clphdstat on node1"
	# step 8: synchronised; the copies were equal: no full copy since
	# the reboot (the kernel log of this boot)
	for n in node1 node2 node3; do
		lab_exec $n "dmesg | grep -c 'hd1: mirror recovery started (full)' || true"
		assert "$output" == 0 "full copies started on $n"
	done
	lab_exec node1 "cat $MNT/before-backup"
	hd_file node1 after-backup
}

@test "2.20.2 steps 1-2: failover1 stopped; clprestore.sh --pre on every server" {
	local n
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	for n in node2 node3 node1; do
		shut_down $n "$B/clprestore.sh --pre"
	done
}

@test "2.20.2 steps 3-5: each group's disk restored from its own image; every server started without the cluster service" {
	run_lab restore node1 mirror "$BATS_FILE_TMPDIR/hd1-svg1.img"
	run_lab restore node3 mirror "$BATS_FILE_TMPDIR/hd1-svg2.img"
	start_all_in_backup_mode "backup mode of the restored copy seen by"
}

@test "2.20.2 steps 6-9: clprestore.sh --post on node1 and node3, --only-reboot on node2; both copies RED; failover1 failed to start" {
	local n cur
	reboot_by "node1:$B/clprestore.sh --post" "node3:$B/clprestore.sh --post" "node2:$B/clprestore.sh --post --only-reboot"
	for n in node1 node3; do
		proc_log $n
		assert_contains "$output" "marked as restored from a disk image"
	done
	all_started
	for n in node1 node2 node3; do
		autostart_is $n enabled
		assert "$(hd_backup_mode $n)" == off "backup mode on $n"
	done
	wait_for 180 eval '[[ "$(grp_on node1)" == error* ]]'
	cur=$(svg1_holder)
	echo "# svg1's current server: $cur" >&3
	assert "$cur" != none "svg1's current server"
	assert "$(sysattr "$cur" colour)" == RED "svg1's copy on $cur"
	assert "$(sysattr node3 colour)" == RED "svg2's copy on node3"
}

@test "2.20.2 steps 10-13: the failed group stopped; clphdctrl --force on svg1's current server; the group started there; clphdctrl --recovery: a full copy; the backup's data on both groups" {
	local cur on from
	on=$(grp_on node1 | cut -d' ' -f2)
	lab_exec node1 "$B/clpgrp -t failover1${on:+ -h $on}"
	wait_for 60 offline_on node1
	cur=$(svg1_holder)
	lab_exec "$cur" "$B/clphdctrl --force hd1"
	wait_for 60 eval '[ "$(sysattr '"$cur"' colour)" = GREEN ]'
	lab_exec "$cur" "$B/clpgrp -s failover1 -h $cur"
	wait_for 120 online_on "$cur" "$cur"
	from=$(log_from "$cur")
	lab_exec "$cur" "$B/clphdctrl --recovery hd1"
	wait_for 300 mirrors "$cur" node3
	full_copy_seen "$cur" "$from"
	restored_holds "$cur"
	lab_exec "$cur" "$B/clpgrp -m failover1 -h node3"
	wait_for 180 online_on node3 node3
	restored_holds node3
}

@test "kernel logs clean" {
	local n
	for n in node1 node2 node3; do
		dmesg_clean $n
	done
}
