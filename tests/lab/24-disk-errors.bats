#!/usr/bin/env bats
# Disk errors under the mirror (issue 13, section 5, first part): node2's
# data partition sits under a device-mapper target that the test switches
# from linear to error while node1 writes. The standby's failed disk must
# never pass for current: the active stops mirroring to it, and after the
# reconnection the handshake keeps it failed (before, it took the failed
# copy for merely outdated, or current). Every write node1 acknowledged
# stays on node1.

load helpers
load liscal-nl

PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=2000 send-timeout=$((5000 * S))"

setup_file() {
	skip_if_no_lab || return 0
	command -v dmsetup >/dev/null || file_skip "dmsetup is not installed (dmsetup, from scripts/deps)" || return 0
	liscal_lab_up dkerr 160M
	lab_exec node2 "modprobe dm-mod 2>/dev/null || test -d /sys/module/dm_mod"
}

# node2's data partition through dm "d2": TARGET linear or error.
d2_table() {
	lab_exec node2 "n=\$(blockdev --getsz /dev/vdb2); t='0 '\$n' linear /dev/vdb2 0'; [ $1 = error ] && t='0 '\$n' error'; if [ -e /dev/mapper/d2 ]; then dmsetup suspend --noflush d2 && dmsetup load d2 --table \"\$t\" && dmsetup resume d2; else dmsetup create d2 --table \"\$t\" && dmsetup mknodes d2; fi"
}

@test "the standby's data partition fails: failed disk, mirroring stops, the handshake never takes that copy" {
	local w
	lab_exec node1 "$T init md01 0 /dev/vdb1 /dev/vdb2"
	lab_exec node2 "$T init md01 1 /dev/vdb1 /dev/vdb2"
	d2_table linear
	create node1
	lab_exec node2 "$T create md01 1 /dev/mapper/d2 /dev/vdb1 1 198.18.2.2:29031 198.18.2.1:29031 $PARAMS"
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 force src=0"
	wait_for 300 both_uptodate
	lab_exec node1 "$T activate md01"
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=64k count=16 seek=10 oflag=direct status=none"
	d2_table error
	# The next mirrored write fails on node2: its ack says so, node1 breaks.
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=64k count=16 seek=100 oflag=direct conv=fsync status=none"
	wait_for 30 is node2 disk 4
	wait_for 60 is node1 conn 3
	is node1 peer_disk 4
	is node1 disk 3
	# Writes go on, not mirrored: their regions are out of sync.
	w=$(st node1 dirty_bits)
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=64k count=16 seek=300 oflag=direct conv=fsync status=none"
	run st node1 dirty_bits
	assert "$output" -ge $((w + 16)) "writes after the failure are out of sync"
	# The failed copy is never activated, not even by force.
	lab_exec node1 "$T deactivate md01"
	lab_exec 1 node2 "$T activate md01 force"
	assert_match "$output" "the local disk failed"
	is node2 role 1
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
