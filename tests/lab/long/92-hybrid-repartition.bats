#!/usr/bin/env bats
# Guide 2.24.2, "With the data partition configured without LVM", both of
# its cases, step by step, on the hybrid lab with systemd as PID 1 (lab up
# --hybrid --systemd, as 90-hybrid-replace.bats): node1 and node2 share
# svg1's disk, node3 has its own; failover1 (hd1 on /dev/vdb2, about
# 63 MiB) runs on node1.
#
#   not changing the device name: /dev/vdb2 shrunk to 48 MiB with fdisk
#       (sfdisk) on the shared disk from node1 and on node3's disk, the
#       cluster partitions initialised (clphdinit --create force), mkfs,
#       the services enabled, every server restarted: the initial mirror
#       construction copies the new partition; the backup is restored.
#   changing the device name: the data partition becomes /dev/vdb3 (vdb2
#       cut to 8 MiB, vdb3 40 MiB after it), clp.conf changed on node1 and
#       uploaded to the others, then as above.
#
# The backup device ("tape") is a tar archive in node1's /var/tmp (its own
# system layer, which survives the reboots). The shared disk is changed
# from node1, "either of the servers" connected to it; node2 sees the new
# table at its restart.

# suite-timeout: 3000

load ../helpers
load procedures
load hybrid

MNT=/mnt/hd1
NEW_MIB=48	# first case: /dev/vdb2's new size
DP3_MIB=40	# second case: /dev/vdb3's size

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-92
	hybrid_procedures_up 128M
}

teardown() {
	cluster_logs_on_failure node1 node2 node3
}

# Steps 2-4 of either case: failover1's files backed up on node1 (tar,
# not the partition device); the cluster service disabled on every
# server; clpstdn on node1 shuts the three down; each started again
# ("restart the OS") without the cluster service.
backup_disable_stdn() {
	local n
	online_on node1 node1
	lab_exec node1 "tar -C $MNT -cf /var/tmp/hd1.tar . && sync /var/tmp/hd1.tar && tar -tf /var/tmp/hd1.tar"
	assert_contains "$output" "./data.bin"
	for n in node1 node2 node3; do
		lab_exec $n "$B/clpsvcctrl.sh --disable core"
		autostart_is $n disabled
	done
	in_background node1 "$B/clpstdn"
	for n in node2 node3 node1; do
		wait_for 240 stopped $n
	done
	for n in node1 node2 node3; do
		run_lab start $n
	done
	for n in node1 node2 node3; do
		run_lab wait $n --timeout 300
		units_inactive $n clpstack-core
		lab_exec '?' $n "test -b /dev/NMP1"
		assert "$status" == 1 "/dev/NMP1 on $n with the cluster service disabled"
	done
}

# Steps "clphdinit", "mkfs" of either case on node1 (the shared disk) and
# node3 (its own), the data partition DP.
init_and_mkfs() { # init_and_mkfs DP
	local n
	for n in node1 node3; do
		lab_exec $n "$B/clphdinit --create force hd1"
		assert_contains "$output" "hd1: cluster partition /dev/vdb1 initialised"
		lab_exec $n "mkfs -t ext4 -F -q $1 && blkid -o value -s TYPE $1"
		assert "$output" == ext4 "the new file system on $1 of $n"
	done
}

# The last steps of either case: the service enabled on every server, all
# restarted at once; the initial mirror construction (a full copy, events
# mirror 114/115 in the log of svg1's current server) to Normal; failover1 active on
# node1 with /dev/NMP1 of SIZE bytes; the backup restored there; the data
# then also on node3, whose data partition DP equals svg1's.
enable_reboot_construct() { # enable_reboot_construct SIZE DP
	local n cur sum other
	local -A before from
	for n in node1 node2 node3; do
		lab_exec $n "$B/clpsvcctrl.sh --enable core"
		autostart_is $n enabled
	done
	for n in node1 node2 node3; do
		from[$n]=$(log_from $n)
		before[$n]=$("$LAB" boots $n)
		in_background $n reboot
	done
	for n in node1 node2 node3; do
		wait_for 240 boots_above $n "${before[$n]}"
		run_lab wait $n --timeout 300
	done
	for n in node1 node2 node3; do
		wait_for 180 service_is $n started
	done
	# the initial mirror construction, seen with clphdstat --mirror
	wait_for 120 node3_connected
	cur=$(svg1_current)
	assert "$cur" != none "node3's peer"
	wait_for 300 mirrors "$cur" node3
	assert "$(hd_status "$cur")" == "true Normal $cur node3" "clphdstat --mirror hd1 on $cur"
	full_copy_seen "$cur" "${from[$cur]}"
	# failover1 starts on node1 (its first server; a node2 that took
	# svg1's lease first hands it over); hd1 active with the new size
	wait_for 180 online_on node1 node1
	size_of node1 /dev/NMP1
	assert "$output" == "$1" "/dev/NMP1 on node1 after the change"
	lab_exec node1 "df -B1 --output=size $MNT | tail -n 1"
	assert "$output" -le "$1" "hd1's file system size"
	# the backup restored, the data on node3 too
	lab_exec node1 "tar -C $MNT -xf /var/tmp/hd1.tar && sync -f $MNT/data.bin"
	hd_data_intact node1
	wait_for 120 mirrors node1 node3
	lab_exec node1 "fsfreeze -f $MNT"
	lab_exec node1 "dd if=$2 bs=1M iflag=direct status=none | sha256sum"
	sum=$output
	lab_exec node3 "dd if=$2 bs=1M iflag=direct status=none | sha256sum"
	other=$output
	lab_exec node1 "fsfreeze -u $MNT"
	assert "$other" == "$sum" "node3's data partition $2 against node1's"
	lab_exec node1 "$B/clpgrp -m failover1 -h node3"
	wait_for 180 online_on node3 node3
	hd_data_intact node3
	lab_exec node3 "$B/clpgrp -m failover1 -h node1"
	wait_for 180 online_on node1 node1
}

@test "before: failover1 on node1, hd1 on /dev/vdb2 larger than $NEW_MIB MiB, mirrored to node3; a file and its hash" {
	online_on node1 node1
	size_of node1 /dev/vdb2
	assert "$output" -gt $((NEW_MIB << 20)) "the data partition before the change"
	write_hd_data node1
}

@test "2.24.2 (same device name) steps 1-4: hd1 in clpstat; its files backed up on node1; the service disabled everywhere; clpstdn; every OS restarted" {
	lab_exec node1 "$B/clpstat"
	assert_contains "$output" "hd1"
	backup_disable_stdn
}

@test "2.24.2 (same device name) steps 5-7: fdisk shrinks /dev/vdb2 on the shared disk (node1) and on node3; clphdinit --create force; mkfs" {
	local n
	for n in node1 node3; do
		lab_exec $n "echo ',${NEW_MIB}M' | sfdisk -q -N 2 /dev/vdb && partx -u /dev/vdb && udevadm settle"
		size_of $n /dev/vdb2
		assert "$output" == $((NEW_MIB << 20)) "the data partition on $n after fdisk"
	done
	init_and_mkfs /dev/vdb2
}

@test "2.24.2 (same device name) steps 8-12: the service enabled, every server restarted; the initial mirror construction; failover1 with the new size; the backup restored on node1, the data on node3" {
	enable_reboot_construct $((NEW_MIB << 20)) /dev/vdb2
	size_of node2 /dev/vdb2
	assert "$output" == $((NEW_MIB << 20)) "the shared data partition seen by node2 after its restart"
}

@test "2.24.2 (new device name) steps 1-5: backup, the service disabled, clpstdn, restart; fdisk: /dev/vdb2 cut to 8 MiB, the data partition /dev/vdb3 of $DP3_MIB MiB after it" {
	local n
	backup_disable_stdn
	for n in node1 node3; do
		lab_exec $n "echo ',8M' | sfdisk -q -N 2 /dev/vdb && echo ',${DP3_MIB}M' | sfdisk -q --append /dev/vdb && partx -u /dev/vdb && udevadm settle"
		size_of $n /dev/vdb3
		assert "$output" == $((DP3_MIB << 20)) "the new data partition on $n"
	done
}

@test "2.24.2 (new device name) step 6: clp.conf changed (dppath /dev/vdb3) on node1 and uploaded to node2 and node3" {
	local n
	lab_exec node1 "sed -i 's|<dppath>/dev/vdb2</dppath>|<dppath>/dev/vdb3</dppath>|' $CONF && $B/clpmgrd --check && grep -c '<dppath>/dev/vdb3</dppath>' $CONF"
	for n in node2 node3; do
		"$LAB" exec node1 -- cat "$CONF" >"$BATS_FILE_TMPDIR/clp.conf"
		run_lab exec $n -i -- bash -c "cat >$CONF && $B/clpmgrd --check" <"$BATS_FILE_TMPDIR/clp.conf"
		lab_exec $n "grep -c '<dppath>/dev/vdb2</dppath>' $CONF || true"
		assert "$output" == 0 "the old data partition in $n's clp.conf"
	done
}

@test "2.24.2 (new device name) steps 7-13: clphdinit; mkfs on /dev/vdb3; the service enabled, every server restarted; the initial construction; failover1 on /dev/vdb3; the backup restored, the data on node3" {
	init_and_mkfs /dev/vdb3
	enable_reboot_construct $((DP3_MIB << 20)) /dev/vdb3
}

@test "kernel logs clean" {
	local n
	for n in node1 node2 node3; do
		dmesg_clean $n
	done
}
