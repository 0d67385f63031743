#!/usr/bin/env bats
# Online growth of a mirror disk in the driver (GROW, liscal.md "Online
# growth"; clpmdctrl --resize and guide 2.23.1 on LVM are
# long/88-resize-lvm.bats): md01's data partition is a device-mapper linear
# target over the start of /dev/vdb2 (/dev/mapper/gN), extended by reloading
# its table as lvextend would. Bad sizes are refused with nothing changed;
# the standby grows first while the active writes, then both grow without a
# recovery; the active alone is refused; with force a side grows alone, the
# standby grows itself at the next handshake and the recovery copies
# everything; a standby whose partition is too small is refused with the
# sizes.

load helpers
load liscal-nl
load fault-helpers

MIB=$((1 << 20))
PARAMS="ack-timeout=5000 hb-interval=1000 ping-timeout=2000 ping-retry=3 connect-timeout=8000 send-timeout=5000"

setup_file() {
	skip_if_no_lab || return 0
	command -v dmsetup >/dev/null || file_skip "dmsetup is not installed (scripts/deps)" || return 0
	liscal_lab_up grow 160M
	local n
	for n in node1 node2; do
		lab_exec $n "modprobe dm-mod 2>/dev/null || test -d /sys/module/dm_mod"
		g $n 48
		lab_exec $n "$T init md01 $((${n#node} - 1)) /dev/vdb1 /dev/mapper/g${n#node}"
		lab_exec $n "$T create md01 1 /dev/mapper/g${n#node} /dev/vdb1 $((${n#node} - 1)) 198.18.2.${n#node}:29031 198.18.2.$((3 - ${n#node})):29031 $PARAMS"
	done
	assume_sync
	lab_exec node1 "$T activate md01"
}

# g NODE MIB: /dev/mapper/gN, the data partition, is the first MIB MiB of
# /dev/vdb2 (created, or its table reloaded under liscal as lvextend does).
g() {
	local n=${1#node}
	lab_exec "$1" "t='0 $(($2 * 2048)) linear /dev/vdb2 0'
		if [ -e /dev/mapper/g$n ]; then
			dmsetup suspend g$n && dmsetup load g$n --table \"\$t\" && dmsetup resume g$n
		else
			dmsetup create g$n --table \"\$t\" && dmsetup mknodes g$n
		fi && blockdev --getsize64 /dev/mapper/g$n"
	assert "$output" == $(($2 * MIB)) "/dev/mapper/g$n"
}
# sizes_are MIB: md01's mirrored size and /dev/NMP1 on both nodes.
sizes_are() {
	local n
	for n in node1 node2; do
		is $n data_size $(($1 * MIB)) || return 1
		[ "$("$LAB" exec $n -- blockdev --getsize64 /dev/NMP1)" = $(($1 * MIB)) ] ||
			{ echo "/dev/NMP1 on $n is not $1 MiB"; return 1; }
	done
}
# same_copies MIB: the first MIB MiB of both data partitions are equal.
same_copies() {
	assert "$(region_md5 node1 /dev/mapper/g1 0 "$1")" == "$(region_md5 node2 /dev/mapper/g2 0 "$1")" \
		"the first $1 MiB of node2's data partition against node1's"
}

@test "bad sizes are refused with the reason, nothing changes" {
	local n
	g node1 64
	g node2 64
	for n in node1 node2; do
		lab_exec 1 $n "$T grow md01 $((56 * MIB + 512))"
		assert_match "$output" "not a multiple of 4096"
		lab_exec 1 $n "$T grow md01 $((32 * MIB))"
		assert_match "$output" "not larger than the current"
		lab_exec 1 $n "$T grow md01 $((72 * MIB))"
		assert_match "$output" "has $((64 * MIB)) bytes, fewer than $((72 * MIB)): extend it first"
		lab_exec 1 $n "$T grow md01 2048"
	done
	sizes_are 48
	both_uptodate
}

@test "the standby first (ready), then the active while it writes: both grow, no recovery, the new region equal" {
	local sent w0
	sent=$(st node1 stat_recovery_sent_bytes)
	lab_exec node1 "rm -f /tmp/w-stop /tmp/w-done; setsid -f sh -c 'i=0; while [ ! -f /tmp/w-stop ]; do dd if=/dev/urandom of=/dev/NMP1 bs=4k count=1 seek=\$(( (i * 37) % 12288 )) oflag=direct status=none; i=\$((i + 1)); done; touch /tmp/w-done' >/dev/null 2>&1 </dev/null"
	w0=$(st node1 stat_write_count)
	# the standby only gets ready: its new region zeroed, its size kept
	lab_exec node2 "$T grow md01 $((56 * MIB))"
	sizes_are 48
	lab_exec node2 "dd if=/dev/mapper/g2 bs=1M skip=48 count=8 iflag=direct status=none | tr -d '\\000' | wc -c"
	assert "$output" == 0 "non-zero bytes in node2's new region"
	lab_exec node1 "$T grow md01 $((56 * MIB))"
	sizes_are 56
	wait_for 60 sh -c "[ \$($LAB exec node1 -- $T get md01 | sed -n 's/^stat_write_count=//p') -gt $((w0 + 20)) ]"
	lab_exec node1 "dmesg | grep -c 'md01: grown from $((48 * MIB)) to $((56 * MIB)) bytes'"
	assert "$output" == 1 "node1's kernel log"
	# the writer went on throughout; the new region takes writes too
	lab_exec node1 "touch /tmp/w-stop"
	wait_for 60 "$LAB" exec node1 -- test -f /tmp/w-done
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=1M seek=50 count=4 oflag=direct status=none"
	both_uptodate
	is node1 dirty_bits 0
	is node1 stat_recovery_sent_bytes "$sent"
	lab_exec node1 "$T deactivate md01"
	same_copies 56
	lab_exec node1 "$T activate md01"
}

@test "the active first: refused with the standby's reason, nothing changes; the same size again is nothing to do" {
	lab_exec 1 node1 "$T grow md01 $((64 * MIB))"
	assert_match "$output" "the peer did not grow: its data partition was not resized yet"
	sizes_are 56
	both_uptodate
	lab_exec node1 "$T grow md01 $((56 * MIB))"
	lab_exec node2 "$T grow md01 $((56 * MIB))"
	sizes_are 56
}

@test "force after a break: the active grows alone, every region out of sync; the standby grows itself at the handshake; the recovery copies everything" {
	local sent
	lab_exec node1 "$T break md01"
	wait_for 30 is node2 conn 2
	lab_exec 1 node1 "$T grow md01 $((64 * MIB))"
	assert_match "$output" "not in the normal status"
	lab_exec node1 "$T grow md01 $((64 * MIB)) force"
	is node1 data_size $((64 * MIB))
	is node1 dirty_bits "$(st node1 total_bits)"
	is node2 data_size $((56 * MIB))
	sent=$(st node1 stat_recovery_sent_bytes)
	lab_exec node1 "$T connect md01"
	wait_for 60 is node2 data_size $((64 * MIB))
	lab_exec node2 "dmesg | grep -c \"grown to the peer's $((64 * MIB)) bytes\""
	assert "$output" == 1 "node2's kernel log"
	wait_for 60 is node1 conn 3
	lab_exec '?' node1 "$T recover md01"
	wait_for 120 both_uptodate
	sizes_are 64
	assert "$(($(st node1 stat_recovery_sent_bytes) - sent))" == $((64 * MIB)) "recovery bytes sent"
	lab_exec node1 "$T deactivate md01"
	same_copies 64
	lab_exec node1 "$T activate md01"
}

@test "a standby whose data partition is too small: the handshake is refused with both sizes; extended, it grows and connects" {
	g node1 72
	lab_exec node1 "$T break md01"
	wait_for 30 is node2 conn 2
	lab_exec node1 "$T grow md01 $((72 * MIB)) force"
	lab_exec node1 "$T connect md01"
	wait_for 60 sh -c "$LAB exec node2 -- dmesg | grep -q 'the peer mirrors $((72 * MIB)) bytes, this side $((64 * MIB))'"
	lab_exec node2 "dmesg | grep 'the peer mirrors' | tail -n 1"
	assert_match "$output" "fewer than $((72 * MIB)): extend it first"
	is node2 data_size $((64 * MIB))
	is node1 conn 2
	g node2 72
	wait_for 60 is node2 data_size $((72 * MIB))
	wait_for 60 is node1 conn 3
	lab_exec '?' node1 "$T recover md01"
	wait_for 120 both_uptodate
	sizes_are 72
	lab_exec node1 "$T deactivate md01"
	same_copies 72
}
