#!/usr/bin/env bats
# Guide 2.2, "How to delete EXPRESSCLUSTER logs or alerts", step by step,
# on two systemd nodes (procedures.bash): the cluster services disabled on
# both servers, the cluster shut down (clpstdn) and started again without
# them, the logs (<prefix>/log/) and alerts (<prefix>/alert/log/) deleted
# on both, the services enabled and both servers rebooted. Afterwards the
# cluster runs as before and both logs start afresh: nothing written
# before the deletion is in them.

load ../helpers
load procedures

# first_line NODE FILE: the first line of FILE (under the prefix) on NODE.
first_line() {
	lab_exec "$1" "head -n 1 $P/$2"
}

@test "before: module and alert logs on both servers, with the events of the cluster's start; GREEN, failover1 on node1" {
	local n
	for n in node1 node2; do
		lab_exec $n "grep -a -c 'rc 4: cluster service started on $n' $P/log/clpmgrd.log"
		lab_exec $n "grep -a -c ' $n rc 4: cluster service started on $n' $P/alert/log/alert.log"
		first_line $n log/clpmgrd.log
		echo "$output" >"$BATS_FILE_TMPDIR/log-$n"
		first_line $n alert/log/alert.log
		echo "$output" >"$BATS_FILE_TMPDIR/alert-$n"
	done
	both_green
	online_on node1 node1
}

@test "2.2 steps 1-2: every cluster service disabled on both; the cluster shut down (clpstdn) and started again without them" {
	local n
	# step 1
	for n in node1 node2; do
		lab_exec $n "$B/clpsvcctrl.sh --disable -a"
		autostart_is $n disabled
	done
	# step 2: clpstdn shuts every server down; then the cluster is started
	stdn_then_start clpstack-core clpstack-mgr
}

@test "2.2 steps 3-4: the logs and the alerts deleted on both servers" {
	local n
	for n in node1 node2; do
		# the shutdown was logged before the deletion
		lab_exec $n "grep -a -c 'rc 9: ' $P/log/clpmgrd.log"
		# step 3: the files and directories under log/
		lab_exec $n "rm -rf $P/log/* && test -z \"\$(ls -A $P/log)\""
		# step 4: the files under alert/log/
		lab_exec $n "rm -f $P/alert/log/* && test -z \"\$(ls -A $P/alert/log)\""
	done
}

@test "2.2 steps 5-6: the services enabled, both rebooted; the cluster runs, both logs start afresh" {
	local n
	# steps 5 and 6
	enable_reboot_both -a
	wait_for 300 both_green
	wait_for 180 online_on node1 node1
	for n in node1 node2; do
		# the new logs hold this start, and nothing from before the deletion
		lab_exec $n "grep -a -c 'rc 4: cluster service started on $n' $P/log/clpmgrd.log"
		assert "$output" == 1 "starts of the cluster service in $n's new module log"
		lab_exec $n "grep -a -c ' $n rc 4: cluster service started on $n' $P/alert/log/alert.log"
		assert "$output" == 1 "starts of the cluster service in $n's new alert log"
		lab_exec '?' $n "grep -a -c 'rc 9: ' $P/log/clpmgrd.log $P/alert/log/alert.log"
		assert_line "$P/log/clpmgrd.log:0"
		assert_line "$P/alert/log/alert.log:0"
		first_line $n log/clpmgrd.log
		assert "$output" != "$(cat "$BATS_FILE_TMPDIR/log-$n")" "the first line of $n's module log"
		first_line $n alert/log/alert.log
		assert "$output" != "$(cat "$BATS_FILE_TMPDIR/alert-$n")" "the first line of $n's alert log"
	done
}
