#!/usr/bin/env bats
# Guide 2.23.1, "Data partition configured with LVM", extension of an ext4
# or xfs data partition without stopping the business, step by step, on two
# systemd nodes (procedures.bash): md01's data partition is the logical
# volume vgmd/md01 on /dev/vdb2 (4 MiB extents), failover1 runs on node1.
# clpmdctrl --resize runs on the standby (node2) first, then on node1; the
# file system is grown on node1 while it is mounted. Then the -force path
# of the guide's "Important" note: a mirror break between the two steps.
#
# This file runs with ext4; 89-resize-lvm-xfs.bats is a link to it that
# runs with xfs (the file system is taken from the file's name). xfs needs
# at least 300 MB, hence the 900 MiB lab disk.
#
# Steps 4 and 8 (suspending and resuming the mirror disk monitors with
# clpmonctrl) are not run: clpstack has no monitor resources yet, so no
# monitor starts a recovery in between.

load ../helpers
load procedures

FS=ext4
case ${BATS_TEST_FILENAME##*/} in *xfs*) FS=xfs ;; esac
LV=/dev/vgmd/md01
OLD_MIB=320
# not a multiple of the 4 MiB extent: the volume becomes 384 MiB, the
# mirror disk keeps 382 MiB (the guide's "1022M" note)
NEW_MIB=382
LV_MIB=384
FORCE_MIB=400
PROC_DISK_SIZE=900M
PROC_CONF_SED="s|<dppath>/dev/vdb2</dppath>|<dppath>$LV</dppath>|; s|<fs>ext4</fs>|<fs>$FS</fs>|"

proc_prepare_node() { # LVM on the lab's data partition
	lab_exec "$1" "pvcreate -q -y /dev/vdb2 && vgcreate -q -s 4M vgmd /dev/vdb2 && lvcreate -q -y -W y -Z y -L ${OLD_MIB}M -n md01 vgmd && udevadm settle && test -b $LV"
}

sizes_on_both() { # sizes_on_both NMP_MIB LV_MIB [WHEN]: /dev/NMP1 and the volume on both nodes
	local n
	for n in node1 node2; do
		size_of $n /dev/NMP1
		assert "$output" == $(($1 << 20)) "/dev/NMP1 on $n${3:+ $3}"
		size_of $n $LV
		assert "$output" == $(($2 << 20)) "$LV on $n${3:+ $3}"
	done
}
fs_bytes() { # fs_bytes NODE: $output = md01's file system size (df)
	lab_exec "$1" "df -B1 --output=size $MNT | tail -n 1 | tr -d ' '"
}
# the first MIB MiB of both logical volumes are identical (failover1 stopped)
copies_identical() { # copies_identical MIB
	local sum
	lab_exec node1 "dd if=$LV bs=1M count=$1 iflag=direct status=none | sha256sum"
	sum=$output
	lab_exec node2 "dd if=$LV bs=1M count=$1 iflag=direct status=none | sha256sum"
	assert "$output" == "$sum" "the first $1 MiB of node2's volume against node1's"
}
not_normal() { [[ $(colours "$1") != *" Normal" ]]; }
recovery_lines() { # recovery_lines NODE FROM: the mirror agent's recovery lines since FROM
	lab_exec "$1" "tail -n +$2 $P/log/clpmgrd.log | grep -a -c -E 'mirror 11[0-9]: .*(recovery|full copy)' || true"
}

@test "before the extension: md01 on an LVM volume with $FS, a file and its hash; GREEN on both" {
	local n
	for n in node1 node2; do
		size_of $n /dev/NMP1
		assert "$output" == $((OLD_MIB << 20)) "/dev/NMP1 on $n"
	done
	lab_exec node1 "findmnt -n -o FSTYPE $MNT"
	assert "$output" == "$FS" "md01's file system"
	write_data
	both_green
}

@test "bad sizes are refused with the reason, nothing changes" {
	lab_exec 2 node2 "$B/clpmdctrl --resize 300M md01"
	assert_contains "$output" "only extends"
	lab_exec 2 node2 "$B/clpmdctrl --resize 390001K md01"
	assert_contains "$output" "not a multiple of 4 KiB"
	lab_exec 2 node2 "$B/clpmdctrl --resize 12X md01"
	assert_contains "$output" "unknown unit"
	lab_exec 2 node2 "$B/clpmdctrl --resize md01"
	assert_contains "$output" "needs the new size"
	lab_exec 2 node2 "$B/clpmdctrl --resize -nomount 400M md01"
	assert_contains "$output" "-nomount goes with --active only"
	# more than the volume group holds: lvextend's refusal, named
	lab_exec 1 node2 "$B/clpmdctrl --resize 4G md01"
	assert_contains "$output" "cannot extend the data partition $LV"
	sizes_on_both $OLD_MIB $OLD_MIB "after the refusals"
	both_green
}

@test "2.23.1 steps 1-3: md01 in clpstat, its files backed up on node1; the normal status; free extents on both" {
	local n
	lab_exec node1 "$B/clpstat"
	assert_contains "$output" "md01"
	online_on node1 node1
	lab_exec node1 "tar -C $MNT -cf /var/tmp/md01.tar . && sync /var/tmp/md01.tar"
	both_green
	for n in node1 node2; do
		lab_exec $n "vgs --noheadings --units m --nosuffix -o vg_free vgmd | cut -d. -f1 | tr -d ' '"
		assert "$output" -ge $((FORCE_MIB - OLD_MIB)) "free MiB in vgmd on $n"
	done
}

@test "2.23.1 step 5: clpmdctrl --resize on the standby (node2): its volume extended to whole extents, the mirror disk ready; still GREEN" {
	local from
	from=$(log_from node1)
	echo "$from" >"$BATS_FILE_TMPDIR/from"
	lab_exec node2 "$B/clpmdctrl --resize ${NEW_MIB}M md01"
	assert_contains "$output" "ready for $((NEW_MIB << 20)) bytes"
	assert_contains "$output" "on node1"
	size_of node2 $LV
	assert "$output" == $((LV_MIB << 20)) "node2's volume after lvextend (whole 4 MiB extents)"
	size_of node2 /dev/NMP1
	assert "$output" == $((OLD_MIB << 20)) "/dev/NMP1 on node2 before node1 grows"
	both_green
}

@test "2.23.1 step 6: clpmdctrl --resize on node1: both mirror disks grown while failover1 runs; GREEN, no recovery" {
	local from
	from=$(cat "$BATS_FILE_TMPDIR/from")
	lab_exec node1 "$B/clpmdctrl --resize ${NEW_MIB}M md01"
	assert_contains "$output" "grown to $((NEW_MIB << 20)) bytes on both servers"
	sizes_on_both $NEW_MIB $LV_MIB
	both_green
	online_on node1 node1
	lab_exec node1 "$B/clpmdstat --mirror md01"
	assert_contains "$output" "Normal"
	# the new region was zeroed on both: nothing to copy
	recovery_lines node1 "$from"
	assert "$output" == 0 "mirror recovery lines in node1's log since step 5"
	lab_exec node1 "dmesg | grep -c 'md01: grown from $((OLD_MIB << 20)) to $((NEW_MIB << 20)) bytes'"
	assert "$output" == 1 "node1's kernel log"
	lab_exec node2 "dmesg | grep -c 'md01: grown from $((OLD_MIB << 20)) to $((NEW_MIB << 20)) bytes'"
	assert "$output" == 1 "node2's kernel log"
	data_intact node1
}

@test "2.23.1 step 7: the $FS file system grown on node1 while mounted; the new space takes data" {
	local before
	fs_bytes node1
	before=$output
	if [ "$FS" = xfs ]; then
		lab_exec node1 "xfs_growfs $MNT"
	else
		lab_exec node1 "resize2fs -p /dev/NMP1"
	fi
	fs_bytes node1
	assert "$output" -gt "$before" "md01's file system size after growing it"
	assert "$output" -le $((NEW_MIB << 20)) "md01's file system within the mirror disk"
	echo "$output" >"$BATS_FILE_TMPDIR/fs.bytes"
	# more than the old size could hold
	lab_exec node1 "head -c $(((OLD_MIB - 40) << 20)) /dev/urandom >$MNT/big.bin && sync -f $MNT/big.bin && sha256sum <$MNT/big.bin"
	echo "$output" >"$BATS_FILE_TMPDIR/big.sum"
	data_intact node1
	both_green
}

@test "after the extension: failover1 on node2 reads the same files; both volumes identical over the mirror disk" {
	lab_exec node1 "$B/clpgrp -m failover1 -h node2"
	wait_for 120 online_on node2 node2
	data_intact node2
	lab_exec node2 "sha256sum <$MNT/big.bin"
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/big.sum")" "big.bin on node2"
	fs_bytes node2
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/fs.bytes")" "md01's file system size on node2 (node1's after growing it)"
	lab_exec node2 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node2
	copies_identical $NEW_MIB
	lab_exec node2 "$B/clpgrp -s failover1 -h node1"
	wait_for 120 online_on node1 node1
}

@test "2.23.1 Important: a mirror break between steps 5 and 6; --resize refused there, -force grows each server alone, a full copy follows" {
	local n from
	from=$(log_from node1)
	lab_exec node1 "$B/clpmdctrl --break md01"
	wait_for 30 not_normal node1
	wait_for 30 not_normal node2
	# step 5 on node2, then the break: step 6 refused without -force
	lab_exec 5 node1 "$B/clpmdctrl --resize ${FORCE_MIB}M md01"
	assert_contains "$output" "only in the normal status"
	size_of node1 /dev/NMP1
	assert "$output" == $((NEW_MIB << 20)) "/dev/NMP1 on node1 after the refusal"
	lab_exec node1 "$B/clpmdctrl --resize -force ${FORCE_MIB}M md01"
	assert_contains "$output" "on this server alone"
	lab_exec node2 "$B/clpmdctrl --resize -force ${FORCE_MIB}M md01"
	for n in node1 node2; do
		size_of $n /dev/NMP1
		assert "$output" == $((FORCE_MIB << 20)) "/dev/NMP1 on $n"
	done
	lab_exec node1 "dmesg | grep 'md01:' | grep -c 'full copy follows'"
	assert "$output" == 1 "node1 grew alone, every region out of sync"
	# the recovery reconnects the copies; it covers every region
	lab_exec node1 "$B/clpmdctrl --recovery md01"
	wait_for 300 both_green
	lab_exec node1 "dmesg | grep 'md01: mirror recovery started' | tail -n 1"
	assert_contains "$output" "$((FORCE_MIB << 20)) bytes to copy"
	data_intact node1
	lab_exec node1 "$B/clpgrp -t failover1"
	wait_for 60 offline_on node1
	copies_identical $FORCE_MIB
}
