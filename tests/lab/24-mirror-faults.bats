#!/usr/bin/env bats
# Faults on the mirror connection (issue 13, section 5): a lying peer on
# the mirror port, and bad links (tc netem delay, loss, reordering) during
# writes and recovery, with the send and ack timeouts as configured. The
# liscal driver is driven over netlink with tests/lab/tools/liscal-nl.c,
# the lies come from tests/lab/tools/mirror-forge.py run in node1.

load helpers
load liscal-nl
load fault-helpers

F=$REPO/tests/lab/tools/mirror-forge.py
PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=2000 send-timeout=$((5000 * S))"

setup_file() {
	skip_if_no_lab || return 0
	liscal_lab_up mfault 192M
}

# The state a refused packet must not change.
snapshot() {
	"$LAB" exec "$1" -- "$T" get md01 |
		grep -E '^(role|disk|split_brain|recovery_dir|sb_flags|gen_current|gen_bitmap|dirty_bits)='
}

# forge_cases PHASE...: the forger's cases of those phases, minus the
# truncated ones (run on their own), on one line.
forge_cases() {
	local phases=$*
	"$LAB" exec node1 -- "$F" --list |
		awk -F'\t' -v p=" $phases " 'index(p, " " $2 " ") && $1 !~ /truncated/ { print $1 }' | tr '\n' ' '
}

@test "mirror of two fresh copies assumed in sync (nothing copied)" {
	lab_exec node1 "$T init md01 0 /dev/vdb1 /dev/vdb2"
	lab_exec node2 "$T init md01 1 /dev/vdb1 /dev/vdb2"
	create node1
	create node2
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 assume-sync"
	wait_for 60 both_uptodate
}

# node1 breaks its own connection and lends its address to the forger;
# node2 (node id 1) listens for node1 and takes the forger's connection.
@test "a lying peer on the mirror port: every malformed packet refused and counted, nothing written, no state changed" {
	local ref state r0 b0 w0 conn_cases hs_cases n_conn n_hs
	lab_exec node1 "$T break md01"
	wait_for 30 is node2 conn 2
	# The forger speaks the protocol: a valid DATA lands and is acknowledged
	# (then the zeros it replaced are written back).
	ref=$(data_md5 node2)
	lab_exec node1 "$F --timeout $((30 * S)) write 245760 0xa5 4096"
	wait_for 30 is node2 conn 2
	lab_exec node2 "dd if=/dev/vdb2 bs=4096 skip=30720 count=1 iflag=direct status=none | od -An -v -tx1 | tr -s ' ' '\\n' | sort -u | tr -d '\\n'"
	assert "$output" == a5 "the bytes of the forger's valid write on node2"
	lab_exec node1 "$F --timeout $((30 * S)) write 245760 0 4096"
	wait_for 30 is node2 conn 2
	assert "$(data_md5 node2)" == "$ref" "node2's data partition back as before the valid write"

	state=$(snapshot node2)
	r0=$(st node2 stat_refused_packets)
	b0=$(st node2 stat_breaks)
	w0=$(st node2 stat_peer_write_bytes)
	conn_cases=$(forge_cases conn)
	hs_cases=$(forge_cases hello bitmap)
	n_conn=$(wc -w <<<"$conn_cases")
	n_hs=$(wc -w <<<"$hs_cases")
	assert "$n_conn" -ge 20 "malformed packets after the handshake"
	assert "$n_hs" -ge 10 "malformed packets in the handshake"
	lab_exec node1 "$F --timeout $((30 * S)) $conn_cases $hs_cases"
	echo "# ${output//$'\n'/$'\n'# }" >&3
	lab_exec node1 "$F --timeout $((30 * S)) data-truncated-close header-truncated"
	lab_exec node1 "$F --timeout $((60 * S)) data-truncated-stall"
	wait_for 30 is node2 conn 2
	assert "$(st node2 stat_refused_packets)" == $((r0 + n_conn + n_hs)) "node2's refused packets: one per malformed packet"
	assert "$(st node2 stat_breaks)" == $((b0 + n_conn + 3)) "node2's breaks: one per connection that passed the handshake"
	assert "$(st node2 stat_peer_write_bytes)" == "$w0" "bytes written for the peer"
	assert "$(data_md5 node2)" == "$ref" "node2's data partition unchanged"
	assert "$(snapshot node2)" == "$state" "node2's state unchanged"
	# From another address of node1's mirror network: no HELLO at all.
	lab_exec node1 "ip addr add 198.18.2.9/24 dev $(mirror_if node1)"
	lab_exec node1 "$F --bind 198.18.2.9 --timeout $((30 * S)) stranger"
	lab_exec node1 "ip addr del 198.18.2.9/24 dev $(mirror_if node1)"
	lab_exec node2 "dmesg | grep -c 'md01: refused a connection from 198.18.2.9'"
	assert "$output" -ge 1 "node2 logged the stranger's address"
	# The real peer back: connected, in sync; nobody else gets in then.
	lab_exec node1 "$T connect md01"
	wait_for 60 both_uptodate
	lab_exec node1 "$F port-closed"
	assert "$(data_md5 node1)" == "$ref" "node1's data partition"
}

# node2's data partition behind a device of 4 KiB logical blocks (dm-crypt
# with the null cipher: the same bytes, 4 KiB sectors; it fails every bio
# not aligned to them). A DATA aligned to 512 bytes only is valid for
# node1's disk but would fail node2's: the driver refuses it before the
# disk sees it (before, the disk failed: "I/O error on the data partition").
@test "a lying peer's write not aligned to the data partition's 4 KiB blocks: refused, the disk does not fail" {
	local n r0 ref forged
	"$LAB" exec node2 -- modprobe dm-crypt || skip "node2's kernel has no dm-crypt"
	command -v dmsetup >/dev/null || skip "dmsetup is not installed (scripts/deps)"
	lab_exec node1 "$T break md01"
	wait_for 30 is node2 conn 2
	lab_exec node2 "$T destroy md01"
	n=$("$LAB" exec node2 -- blockdev --getsz /dev/vdb2)
	lab_exec node2 "dmsetup create d4k --table '0 $((n / 8 * 8)) crypt cipher_null-ecb - 0 /dev/vdb2 0 1 sector_size:4096' && dmsetup mknodes d4k"
	lab_exec node2 "blockdev --getss /dev/mapper/d4k"
	assert "$output" == 4096 "logical block size of node2's data partition"
	ref=$(region_md5 node2 /dev/mapper/d4k)
	lab_exec node2 "$T create md01 1 /dev/mapper/d4k /dev/vdb1 1 198.18.2.2:29031 198.18.2.1:29031 $PARAMS"
	wait_for 30 is node2 conn 2
	is node2 disk 3
	r0=$(st node2 stat_refused_packets)
	lab_exec '?' node1 "$F --timeout $((30 * S)) data-misaligned-start data-misaligned-size"
	echo "# ${output//$'\n'/$'\n'# }" >&3
	forged=$status
	is node2 disk 3
	lab_exec node2 "dmesg | grep -c 'I/O error' || true"
	assert "$output" == 0 "I/O errors on node2"
	assert "$forged" == 0 "the forger's exit status (0: both writes refused)"
	wait_for 30 is node2 conn 2
	assert "$(st node2 stat_refused_packets)" == $((r0 + 2)) "node2's refused packets"
	assert "$(region_md5 node2 /dev/mapper/d4k)" == "$ref" "node2's data partition unchanged"
	lab_exec node2 "$T destroy md01 && dmsetup remove d4k"
	create node2
	lab_exec node1 "$T connect md01"
	wait_for 60 both_uptodate
}

# Every netem setting of a test is gone after it, passed or not.
teardown() {
	[ -n "${CLP_FILE_SKIP:-}" ] || { netem node1 off; netem node2 off; } || true
}

# Generous network trouble for TCP, far below the heartbeat's limits (echo
# timeout 2 s): 10-30 ms of delay with reordering, 1 % loss each way.
BAD=(delay 20ms 10ms loss 1% reorder 25% 50%)

@test "delay, loss and reordering on the mirror link during writes: no break, the standby holds every written byte" {
	local b1 b2 h
	"$LAB" exec node1 -- sh -c "tc qdisc add dev lo root netem delay 1ms && tc qdisc del dev lo root" ||
		skip "node1's kernel has no netem qdisc (CONFIG_NET_SCH_NETEM)"
	lab_exec node1 "$T activate md01"
	b1=$(st node1 stat_breaks)
	b2=$(st node2 stat_breaks)
	netem node1 "${BAD[@]}"
	netem node2 "${BAD[@]}"
	h=$(write_random node1 0 8)
	is node1 conn 3
	assert "$(st node1 stat_breaks)" == "$b1" "node1: no mirror break"
	assert "$(st node2 stat_breaks)" == "$b2" "node2: no mirror break"
	# Synchronous mirror: every completed write is on node2's disk now.
	assert "$(region_md5 node2 /dev/vdb2 0 8)" == "$h" "node2's copy of the 8 MiB written"
	assert "$(region_md5 node1 /dev/vdb2 0 8)" == "$h" "node1's copy of the 8 MiB written"
}

@test "delay, loss and reordering during a recovery with writes: it completes, both copies equal the written data" {
	local ref want
	lab_exec node1 "$T activate md01"
	run_lab link node1 mirror down
	wait_for 30 is node1 conn 2
	write_random node1 8 16 >/dev/null
	run_lab link node1 mirror up
	wait_for 60 is node1 conn 3
	netem node1 "${BAD[@]}"
	netem node2 "${BAD[@]}"
	lab_exec node1 "$T recover md01"
	# Writes while the recovery runs, into regions it copies and others.
	write_random node1 20 8 >/dev/null
	ref=$(data_md5 node1)
	wait_for 300 both_uptodate
	netem node1 off
	netem node2 off
	# What was written to 8..28 MiB: the first 16 MiB, then 8 MiB over its
	# last 4.
	lab_exec node1 "dd if=/tmp/wr-20.bin of=/tmp/wr-8.bin bs=1M seek=12 conv=notrunc status=none && md5sum < /tmp/wr-8.bin"
	want=${output%% *}
	assert "$(region_md5 node1 /dev/vdb2 8 20)" == "$want" "node1: the data written to 8..28 MiB"
	assert "$(region_md5 node2 /dev/vdb2 8 20)" == "$want" "node2: the data written to 8..28 MiB (recovered and written during the recovery)"
	lab_exec node1 "$T deactivate md01"
	assert "$(data_md5 node1)" == "$ref" "node1 (the source) unchanged by the recovery"
	assert "$(data_md5 node2)" == "$ref" "node2 equals node1 as it was after the writes"
}

# lost_for NODE REASON: NODE's last mirror break had REASON (dmesg:
# "mirror connection lost (reason N)"; 8 send timeout, 9 ack timeout).
lost_for() {
	"$LAB" exec "$1" -- sh -c "dmesg | grep -o 'md01: mirror connection lost (reason [0-9]*)' | tail -n 1" |
		grep -q "(reason $2)"
}

# back_in_sync: netem off, connected, node1's changes recovered.
back_in_sync() {
	netem node1 off
	netem node2 off
	wait_for 60 is node1 conn 3
	lab_exec '?' node1 "$T recover md01"
	wait_for 120 both_uptodate
}

# The ack timeout is node1's (the active waits for the acks); the heartbeat
# gets 15 s x 4 tries on both sides, so that only the ack timeout can break
# the mirror while node2's packets come late. Margins: acks 0.5 s late
# (64 KiB writes: one or two round trips each) under an 8 s timeout; 4.5 s
# late over a 1.5 s one.
@test "ack timeout: acknowledgements later than ack-timeout break the mirror, earlier ones do not" {
	local b1 h
	lab_exec node1 "$T activate md01"
	wait_for 30 both_uptodate
	lab_exec node1 "$T set md01 ping-timeout=$((15000 * S)) ping-retry=3 ack-timeout=$((8000 * S))"
	lab_exec node2 "$T set md01 ping-timeout=$((15000 * S)) ping-retry=3"
	b1=$(st node1 stat_breaks)
	netem node2 delay 500ms
	h=$(write_random node1 40 1 "bs=64k oflag=direct")
	is node1 conn 3
	assert "$(st node1 stat_breaks)" == "$b1" "no break with acks 0.5 s late, ack timeout $((8000 * S)) ms"
	assert "$(region_md5 node2 /dev/vdb2 40 1)" == "$h" "node2 holds the writes acknowledged late"
	lab_exec node1 "$T set md01 ack-timeout=$((1500 * S))"
	netem node2 delay $((4500 * S))ms
	h=$(write_random node1 44 1)
	wait_for 30 lost_for node1 9
	assert "$(st node1 stat_breaks)" == $((b1 + 1)) "one break with acks $((4500 * S)) ms late, ack timeout $((1500 * S)) ms"
	run st node1 dirty_bits
	assert "$output" -ge 16 "the 1 MiB not acknowledged in time is out of sync"
	back_in_sync
	assert "$(region_md5 node2 /dev/vdb2 44 1)" == "$h" "node2 holds the write after the recovery"
	lab_exec node1 "$T set md01 $PARAMS"
	lab_exec node2 "$T set md01 $PARAMS"
}

# The send timeout bounds one send on node1's socket that makes no
# progress. A link with 300 ms of delay drains the socket buffer in well
# under the 5 s timeout; a link that loses everything node1 sends never
# does. Buffered writes flushed by fsync keep many mirrored writes in
# flight, more than the socket buffers hold. The ack timeout (60 s) and the
# heartbeat (20 s x 4 tries, both sides) are far longer: the send timeout
# must be what breaks.
@test "send timeout: a send blocked longer than send-timeout breaks the mirror, a slow link does not" {
	local b1 h
	lab_exec node1 "$T activate md01"
	wait_for 30 both_uptodate
	lab_exec node1 "$T set md01 ping-timeout=$((20000 * S)) ping-retry=3 ack-timeout=$((60000 * S)) send-timeout=$((5000 * S))"
	lab_exec node2 "$T set md01 ping-timeout=$((20000 * S)) ping-retry=3"
	b1=$(st node1 stat_breaks)
	netem node1 delay 300ms
	h=$(write_random node1 48 16 conv=fsync)
	is node1 conn 3
	assert "$(st node1 stat_breaks)" == "$b1" "no break on a link with 300 ms of delay, send timeout $((5000 * S)) ms"
	assert "$(region_md5 node2 /dev/vdb2 48 16)" == "$h" "node2 holds the writes over the slow link"
	netem node1 loss 100%
	h=$(write_random node1 64 32 conv=fsync)
	wait_for 60 lost_for node1 8
	assert "$(st node1 stat_breaks)" == $((b1 + 1)) "one break when node1's packets are all lost"
	back_in_sync
	assert "$(region_md5 node2 /dev/vdb2 64 32)" == "$h" "node2 holds the writes after the recovery"
	lab_exec node1 "$T set md01 $PARAMS"
	lab_exec node2 "$T set md01 $PARAMS"
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
