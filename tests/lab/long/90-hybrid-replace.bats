#!/usr/bin/env bats
# Guide 2.17, "How to replace a server with a new one ~For a hybrid disk~",
# step by step, on the hybrid lab with systemd as PID 1 (lab up --hybrid
# --systemd): node1 and node2 share one disk (server group svg1), node3 has
# its own (svg2); clpstack installed on each with make install and the
# hybrid cluster suite's clp.conf (failover1 = hd1 on node1, then node2,
# then node3; fullcopy 1, mkfs 1). What the lab models, as in the mirror
# disk procedures (82-replace-server.bats): a failed server is a lab cut;
# the new server is the same node with a blank system layer (lab new-root:
# the same host name and addresses, none of clpstack); a new disk is lab
# new-disk (the shared disk's only while both sharers are stopped);
# Cluster WebUI's upload is node1's or node3's clp.conf copied over.
#
#   2.17.1  node3 and its disk replaced: clphdinit on it, restart, a full
#           copy from svg1's current server; the data hashed before is on node3
#   2.17.2  node1 and the shared disk replaced (failover1 kept running on
#           node3): clpsvcctrl.sh --disable/--enable core, clphdinit on the
#           new node1, both sharers restarted, a full copy from node3 to
#           svg1's new current server
#   2.17.3  node3 replaced, its disk kept: restart, a differential copy
#           (what svg1 wrote meanwhile) at most
#   2.17.4  node2 (a sharer, not current) replaced: it joins svg1 and
#           waits; nothing copied

# suite-timeout: 3000

load ../helpers
load procedures
load hybrid

MNT=/mnt/hd1

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-90
	hybrid_procedures_up 128M
}

teardown() {
	cluster_logs_on_failure node1 node2 node3
}

# move_to NODE: failover1 moved to NODE, online there.
move_to() {
	lab_exec "$1" "$B/clpgrp -m failover1 -h $1"
	wait_for 180 online_on "$1" "$1"
}
# data partitions of A and B byte-identical, failover1's file system
# frozen on RUNNER meanwhile.
hd_partitions_identical() { # hd_partitions_identical RUNNER A B
	local sum other
	lab_exec "$1" "fsfreeze -f $MNT"
	lab_exec "$2" "dd if=/dev/vdb2 bs=1M iflag=direct status=none | sha256sum"
	sum=$output
	lab_exec "$3" "dd if=/dev/vdb2 bs=1M iflag=direct status=none | sha256sum"
	other=$output
	lab_exec "$1" "fsfreeze -u $MNT"
	assert "$other" == "$sum" "$3's data partition against $2's"
}
# upload_conf NODE FROM: Cluster WebUI's upload: FROM's clp.conf on NODE,
# checked; no service enabled (the procedure says when).
# shellcheck disable=SC2153 # CONF: from procedures.bash
upload_conf() {
	"$LAB" exec "$2" -- cat "$CONF" >"$BATS_FILE_TMPDIR/clp.conf"
	run_lab exec "$1" -i -- bash -c "cat >$CONF && $B/clpmgrd --check" <"$BATS_FILE_TMPDIR/clp.conf"
}
other() { [ "$1" = node1 ] && echo node2 || echo node1; }
# recoveries_from NODE FROM: $output = the recoveries NODE's driver started
# since kernel log line FROM ("full" or "differential", one a line).
recoveries_from() {
	lab_exec '?' "$1" "dmesg | tail -n +$2 | sed -n 's/.*hd1: mirror recovery started (\([a-z]*\)).*/\1/p'"
}

@test "before: failover1 on node1 (svg1's current), node3 mirrors it; a file and its hash" {
	local n
	online_on node1 node1
	assert "$(hd_status node1)" == "true Normal node1 node3" "clphdstat on node1"
	assert "$(sysattr node2 role)" == absent "NMP1 on node2, not current"
	write_hd_data node1
	# Each server's addresses, which its replacement must have.
	for n in node1 node2 node3; do
		addresses_of $n
		echo "$output" >"$BATS_FILE_TMPDIR/addrs-$n"
	done
}

@test "2.17.1 steps 1-3: node3 and its disk fail; a new server (blank system layer, new unpartitioned disk), partitioned (fdisk) like the old, clpstack installed, restart" {
	local addrs
	addresses_of node3
	addrs=$output
	run_lab cut node3
	online_on node1 node1
	# step 1: the machine and its disk replaced
	run_lab new-root node3
	run_lab new-disk node3 --unpartitioned
	start_new_server node3 "$addrs"
	# step 2: partitions on the new disk, like svg1's shared disk
	partition_like node3 node1
	# step 3: the installation, then the restart it asks for
	install_new_server node3
}

@test "2.17.1 steps 4-7: the configuration uploaded; clphdinit --create force on node3; restart; a full copy from node1; clphdstat Normal; node3 holds the data" {
	local from kfrom
	# step 4: the upload (node1's clp.conf); the services as installed
	upload_conf node3 node1
	lab_exec node3 "$B/clpsvcctrl.sh --enable -a"
	# step 5
	lab_exec node3 "$B/clphdinit --create force hd1"
	assert_contains "$output" "hd1: cluster partition /dev/vdb1 initialised"
	# step 6
	from=$(log_from node1)
	kfrom=$(kmsg_from node1)
	reboots node3 reboot
	wait_for 180 service_is node3 started
	# step 7: the initial mirror construction (fullcopy 1): a full copy
	wait_for 300 mirrors node1 node3
	full_copy_seen node1 "$from"
	recoveries_from node1 "$kfrom"
	assert "$output" == full "the recoveries node1 started"
	assert "$(hd_status node1)" == "true Normal node1 node3" "clphdstat --mirror hd1 on node1"
	hd_partitions_identical node1 node1 node3
	online_on node3 node1
}

@test "2.17.2 steps 1-2: node1 fails; failover1 goes to node2; core disabled on node2, failover1 moved to node3, node2 shut down" {
	run_lab cut node1
	wait_for 240 online_on node2 node2
	hd_data_intact node2
	wait_for 300 mirrors node2 node3
	# step 1 (the failed server cannot be reached: only node2)
	lab_exec node2 "$B/clpsvcctrl.sh --disable core"
	autostart_is node2 disabled
	# step 2: the operation kept on node3, then node2 shut down
	move_to node3
	hd_data_intact node3
	shut_down node2 poweroff
}

@test "2.17.2 steps 3-7: node1 and the shared disk replaced, partitioned, clpstack installed; node2 started without the cluster service; the configuration uploaded; clphdinit on node1" {
	local addrs
	addrs=$(cat "$BATS_FILE_TMPDIR/addrs-node1")
	# step 3: the machine and the shared disk (both sharers are stopped)
	run_lab new-root node1
	run_lab new-disk node1 --unpartitioned
	start_new_server node1 "$addrs"
	# step 4: partitions from the replaced server, like node3's disk
	partition_like node1 node3
	# step 5: the installation and its restart; node2 started: its
	# cluster service does not start
	install_new_server node1
	run_lab start node2
	units_inactive node2 clpstack-core
	lab_exec node2 "test -b /dev/vdb1 && blockdev --getsize64 /dev/vdb2"
	# step 6: the upload (node3's clp.conf)
	upload_conf node1 node3
	# step 7
	lab_exec node1 "$B/clphdinit --create force hd1"
	assert_contains "$output" "hd1: cluster partition /dev/vdb1 initialised"
	online_on node3 node3
}

@test "2.17.2 steps 8-10: core enabled on node1 and node2, both restarted; svg1's current server gets a full copy from node3; clphdstat Normal; failover1 back on node1 with the data" {
	local from kfrom cur n
	# step 8
	lab_exec node1 "$B/clpsvcctrl.sh --enable -a"
	lab_exec node2 "$B/clpsvcctrl.sh --enable core"
	autostart_is node1 enabled
	autostart_is node2 enabled
	# step 9
	from=$(log_from node3)
	kfrom=$(kmsg_from node3)
	for n in node1 node2; do
		reboots $n reboot
	done
	for n in node1 node2; do
		wait_for 180 service_is $n started
	done
	# step 10: the full copy to svg1's current server, from node3
	wait_for 120 node3_connected
	cur=$(svg1_current)
	echo "# svg1's current server: $cur" >&3
	assert "$cur" != none "node3's peer"
	wait_for 300 mirrors "$cur" node3
	full_copy_seen node3 "$from"
	recoveries_from node3 "$kfrom"
	assert "$output" == full "the recoveries node3 started"
	assert "$(hd_status "$cur")" == "true Normal $cur node3" "clphdstat --mirror hd1 on $cur"
	assert "$(sysattr "$(other "$cur")" role)" == absent "NMP1 on the member that is not current"
	hd_partitions_identical node3 node3 "$cur"
	move_to "$cur"
	hd_data_intact "$cur"
}

@test "2.17.3: node3 fails, replaced with its disk kept; after the restart a differential copy of what svg1 wrote meanwhile; clphdstat Normal; identical data partitions" {
	local addrs cur kfrom
	cur=$(svg1_current)
	online_on "$cur" "$cur"
	addresses_of node3
	addrs=$output
	run_lab cut node3
	lab_exec "$cur" "echo while-node3-away >$MNT/away && sync -f $MNT/away"
	# steps 1-2: the machine replaced, the disk kept; installed, restart
	run_lab new-root node3
	start_new_server node3 "$addrs"
	install_new_server node3
	# step 3: the upload, then the restart
	upload_conf node3 "$cur"
	lab_exec node3 "$B/clpsvcctrl.sh --enable -a"
	kfrom=$(kmsg_from "$cur")
	reboots node3 reboot
	wait_for 180 service_is node3 started
	# step 4: the difference recovered (auto-mirror recovery), no full copy
	wait_for 300 mirrors "$cur" node3
	recoveries_from "$cur" "$kfrom"
	assert "$output" == differential "the recoveries $cur started (the file written while node3 was away)"
	assert "$(hd_status "$cur")" == "true Normal $cur node3" "clphdstat --mirror hd1 on $cur"
	hd_partitions_identical "$cur" "$cur" node3
}

@test "2.17.4: node2 or node1, the sharer that is not current, replaced: it joins svg1 and waits; nothing copied; the data in place" {
	local addrs cur spare kfrom
	cur=$(svg1_current)
	spare=$(other "$cur")
	addresses_of "$spare"
	addrs=$output
	run_lab cut "$spare"
	kfrom=$(kmsg_from "$cur")
	# steps 1-3: the machine replaced, installed, the upload, restart
	run_lab new-root "$spare"
	start_new_server "$spare" "$addrs"
	install_new_server "$spare"
	upload_conf "$spare" "$cur"
	lab_exec "$spare" "$B/clpsvcctrl.sh --enable -a"
	reboots "$spare" reboot
	wait_for 180 service_is "$spare" started
	wait_for 60 "$LAB" exec "$spare" -- grep -aq "$cur is the current server of svg1: $spare waits" "$P/log/clpmgrd.log"
	assert "$(sysattr "$spare" role)" == absent "NMP1 on $spare, not current"
	mirrors "$cur" node3
	recoveries_from "$cur" "$kfrom"
	assert "$output" == "" "the recoveries $cur started after $spare's replacement"
	lab_exec "$spare" "$B/clphdstat --mirror hd1"
	assert_contains "$output" "Runs on $cur, the current server of svg1"
	hd_data_intact "$cur"
}

@test "kernel logs clean" {
	local n
	for n in node1 node2 node3; do
		dmesg_clean $n
	done
}
