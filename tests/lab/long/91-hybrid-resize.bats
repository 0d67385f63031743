#!/usr/bin/env bats
# Guide 2.24.1, "With the data partition configured with LVM", extension
# of an ext4 data partition of a hybrid disk without stopping the business,
# step by step, on the hybrid lab with systemd as PID 1 (lab up --hybrid
# --systemd, as 90-hybrid-replace.bats): hd1's data partition is the
# logical volume vghd/hd1 (4 MiB extents) on /dev/vdb2 of each disk, svg1's
# shared one (node1 creates it, node2 sees it) and node3's own; failover1
# runs on node1. clphdctrl --resize runs on the current server of the group
# where hd1 is not active (node3) first, then on node1; node2, not current,
# is shut down meanwhile (step 5) and refuses the command before. The file
# system is grown on node1 while mounted; then node2, back, takes failover1
# from the shared disk at the new size.
#
# Steps 4 and 9 (suspending and resuming the hybrid disk monitors) are not
# run: clpstack has no monitor resources yet, so no monitor starts a
# recovery in between.

# suite-timeout: 2400

load ../helpers
load procedures
load hybrid

MNT=/mnt/hd1
LV=/dev/vghd/hd1
OLD_MIB=320
# not a multiple of the 4 MiB extent: the volume becomes 384 MiB, the
# hybrid disk keeps 382 MiB (the guide's "1022M" note)
NEW_MIB=382
LV_MIB=384

# LVM on each disk's data partition: svg1's shared one from node1, seen by
# node2.
hybrid_prepare_disks() {
	local n
	for n in node1 node3; do
		lab_exec $n "pvcreate -q -y /dev/vdb2 && vgcreate -q -s 4M vghd /dev/vdb2 && lvcreate -q -y -W y -Z y -L ${OLD_MIB}M -n hd1 vghd && udevadm settle && test -b $LV"
	done
	lab_exec node2 "pvscan -q --cache && vgchange -q -ay vghd && udevadm settle && test -b $LV"
}

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-91
	hybrid_procedures_up 600M "s|<dppath>/dev/vdb2</dppath>|<dppath>$LV</dppath>|"
}

teardown() {
	cluster_logs_on_failure node1 node2 node3
}

fs_bytes() { # fs_bytes NODE: $output = hd1's file system size (df)
	lab_exec "$1" "df -B1 --output=size $MNT | tail -n 1 | tr -d ' '"
}

@test "before: hd1 on an LVM volume of $OLD_MIB MiB on every disk, ext4, failover1 on node1; a file and its hash" {
	local n
	for n in node1 node3; do
		size_of $n /dev/NMP1
		assert "$output" == $((OLD_MIB << 20)) "/dev/NMP1 on $n"
	done
	assert "$(sysattr node2 role)" == absent "NMP1 on node2, not current"
	write_hd_data node1
}

@test "bad input and the wrong server are refused with the reason; nothing changes" {
	lab_exec 5 node2 "$B/clphdctrl --resize ${NEW_MIB}M hd1"
	assert_contains "$output" "hd1: node1 is the current server of svg1, not node2: run clphdctrl there"
	lab_exec 2 node3 "$B/clphdctrl --resize 300M hd1"
	assert_contains "$output" "only extends"
	assert_contains "$output" "2.24.2"
	lab_exec 2 node3 "$B/clphdctrl --resize 390001K hd1"
	assert_contains "$output" "not a multiple of 4 KiB"
	# more than the volume group holds: lvextend's refusal, named
	lab_exec 1 node3 "$B/clphdctrl --resize 4G hd1"
	assert_contains "$output" "cannot extend the data partition $LV"
	size_of node3 $LV
	assert "$output" == $((OLD_MIB << 20)) "node3's volume after the refusals"
	size_of node1 $LV
	assert "$output" == $((OLD_MIB << 20)) "node1's volume after the refusals"
	mirrors node1 node3
}

@test "2.24.1 steps 1-3 and 5: hd1 in clpstat; the normal status, free extents; node2 (not current) shut down, clphdstat -a shows the current servers" {
	local n
	lab_exec node1 "$B/clpstat"
	assert_contains "$output" "hd1"
	mirrors node1 node3
	for n in node1 node3; do
		lab_exec $n "vgs --noheadings --units m --nosuffix -o vg_free vghd | cut -d. -f1 | tr -d ' '"
		assert "$output" -ge $((LV_MIB - OLD_MIB)) "free MiB in vghd on $n"
	done
	lab_exec node1 "$B/clphdstat -a --mirror hd1 --json | jq -r '[.groups[] | .current_server] | join(\" \")'"
	assert "$output" == "node1 node3" "the current servers, clphdstat -a on node1"
	lab_exec node2 "$B/clphdstat -a --mirror hd1"
	assert_contains "$output" "Runs on node1, the current server of svg1"
	shut_down node2 poweroff
	online_on node1 node1
}

@test "2.24.1 step 6: clphdctrl --resize on node3 (svg2's current server, hd1 not active there): its volume extended to whole extents, ready; still GREEN" {
	kmsg_from node1 >"$BATS_FILE_TMPDIR/kfrom"
	lab_exec node3 "$B/clphdctrl --resize ${NEW_MIB}M hd1"
	assert_contains "$output" "ready for $((NEW_MIB << 20)) bytes"
	assert_contains "$output" "clphdctrl --resize $((NEW_MIB << 20)) hd1' on node1"
	size_of node3 $LV
	assert "$output" == $((LV_MIB << 20)) "node3's volume after lvextend (whole 4 MiB extents)"
	size_of node3 /dev/NMP1
	assert "$output" == $((OLD_MIB << 20)) "/dev/NMP1 on node3 before node1 grows"
	mirrors node1 node3
}

@test "2.24.1 step 7: clphdctrl --resize on node1: both hybrid disks grown while failover1 runs; GREEN, no recovery" {
	local kfrom n
	kfrom=$(cat "$BATS_FILE_TMPDIR/kfrom")
	lab_exec node1 "$B/clphdctrl --resize ${NEW_MIB}M hd1"
	assert_contains "$output" "grown to $((NEW_MIB << 20)) bytes on both servers"
	for n in node1 node3; do
		size_of $n /dev/NMP1
		assert "$output" == $((NEW_MIB << 20)) "/dev/NMP1 on $n"
		size_of $n $LV
		assert "$output" == $((LV_MIB << 20)) "$LV on $n"
		lab_exec $n "dmesg | grep -c 'hd1: grown from $((OLD_MIB << 20)) to $((NEW_MIB << 20)) bytes'"
		assert "$output" == 1 "$n's kernel log"
	done
	mirrors node1 node3
	online_on node1 node1
	# the new region was zeroed on both: nothing to copy
	lab_exec '?' node1 "dmesg | tail -n +$kfrom | grep 'hd1: mirror recovery started'"
	assert "$output" == "" "recoveries node1 started since step 6"
	hd_data_intact node1
}

@test "2.24.1 step 8: the ext4 file system grown on node1 while mounted; the new space takes data" {
	local before
	fs_bytes node1
	before=$output
	lab_exec node1 "resize2fs -p /dev/NMP1"
	fs_bytes node1
	assert "$output" -gt "$before" "hd1's file system size after growing it"
	assert "$output" -le $((NEW_MIB << 20)) "hd1's file system within the hybrid disk"
	echo "$output" >"$BATS_FILE_TMPDIR/fs.bytes"
	# more than the old size could hold
	lab_exec node1 "head -c $(((OLD_MIB - 40) << 20)) /dev/urandom >$MNT/big.bin && sync -f $MNT/big.bin && sha256sum <$MNT/big.bin"
	echo "$output" >"$BATS_FILE_TMPDIR/big.sum"
	hd_data_intact node1
	mirrors node1 node3
}

@test "2.24.1 step 10: node2 started, it waits; failover1 moved to node2 (node1 hands the lease over) comes up from the shared disk at the new size with the data; then on node3 too" {
	run_lab start node2
	wait_for 180 service_is node2 started
	lab_exec node2 "blockdev --getsize64 $LV"
	assert "$output" == $((LV_MIB << 20)) "the shared volume on node2 (extended by node1)"
	wait_for 60 "$LAB" exec node2 -- grep -aq "node1 is the current server of svg1: node2 waits" "$P/log/clpmgrd.log"
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 180 online_on node2 node2
	# node1 deactivated hd1 and handed svg1's lease over when node2 asked.
	lab_exec node1 "grep -ac 'hd1: node1 hands the lease of svg1 to node2' $P/log/clpmgrd.log"
	assert "$output" == 1 "hand-overs logged on node1"
	lab_exec node1 "$B/clphdstat --mirror hd1 --json"
	assert "$output" =~ '"current": *false' "node1 is not current"
	assert "$output" =~ '"current_server": *"node2"' "svg1 current server seen from node1"
	size_of node2 /dev/NMP1
	assert "$output" == $((NEW_MIB << 20)) "/dev/NMP1 on node2"
	hd_data_intact node2
	lab_exec node2 "sha256sum <$MNT/big.bin"
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/big.sum")" "big.bin on node2"
	fs_bytes node2
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/fs.bytes")" "the file system size on node2"
	wait_for 300 mirrors node2 node3
	lab_exec node2 "$B/clpgrp -m failover1 -h node3"
	wait_for 180 online_on node3 node3
	lab_exec node3 "sha256sum <$MNT/big.bin"
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/big.sum")" "big.bin on node3"
	fs_bytes node3
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/fs.bytes")" "the file system size on node3"
}

@test "kernel logs clean" {
	local n
	for n in node1 node2 node3; do
		dmesg_clean $n
	done
}
