#!/usr/bin/env bats
# The liscal mirror over a bad mirror link (issue 13, "Bad links"): tc netem
# on the mirror interface (eth1) inside the nodes delays, drops and
# reorders packets while node1 writes and while a recovery runs, and black-
# holes the link to see the ack and send timeouts break the mirror when
# configured, not before. The written data is compared with its own hash,
# taken before it was written, on both data partitions.

load ../helpers
load ../liscal-nl

S=${CLPLAB_WAIT_SCALE:-1}
# Timeouts long enough that a slow, lossy link under TCG never breaks the
# mirror; auto-construct 0: both fresh, zeroed copies are declared in sync
# (assume-sync) instead of a full copy.
PARAMS="ack-timeout=$((30000 * S)) send-timeout=$((30000 * S)) hb-interval=1000 ping-timeout=$((5000 * S)) ping-retry=$((5 * S)) connect-timeout=2000 auto-construct=0"
BAD="delay 40ms 20ms loss 3% reorder 25% 50%"

setup_file() {
	skip_if_no_lab || return 0
	liscal_lab_up badlink 192M
	have_qdisc netem delay 1ms || return 0
	pair_in_sync
}

teardown() {
	tc_clear
}

# netem NODE ARGS...: node's mirror interface gets netem ARGS.
netem() {
	local n=$1
	shift
	lab_exec "$n" "tc qdisc replace dev eth1 root netem $*"
}

# data NODE FILE MIB: FILE on NODE gets MIB MiB of random data; prints its md5.
data() {
	lab_exec "$1" "head -c $3M /dev/urandom > $2 && md5sum < $2 | cut -c1-32"
	echo "$output"
}

# region_md5 NODE SKIP MIB: md5 of MIB MiB of NODE's data partition from
# SKIP MiB on, read with O_DIRECT (what is on the disk, not in a cache).
region_md5() {
	"$LAB" exec "$1" -- sh -c "dd if=/dev/vdb2 bs=1M skip=$2 count=$3 iflag=direct status=none | md5sum" | cut -c1-32
}

# holds NODE SKIP MIB MD5: both data partitions hold the written data.
holds() {
	local n
	for n in node1 node2; do
		assert "$(region_md5 $n "$1" "$2")" == "$3" "$n's data partition, $2 MiB at $1 MiB, against the hash of the written data"
	done
}

# break_after MARK: milliseconds from the kernel log line MARK to node1's
# next "mirror connection lost (reason N)"; sets REASON too.
break_after() {
	local log
	log=$("$LAB" exec node1 -- dmesg)
	awk -v mark="$1" '
		index($0, mark) { t0 = $2 + 0; next }
		t0 && /md01: mirror connection lost \(reason/ {
			match($0, /reason [0-9]+/)
			printf "%d %s\n", ($2 - t0) * 1000, substr($0, RSTART + 7, RLENGTH - 7)
			exit
		}' FS='[][]' <<<"$log"
}

@test "delay, loss and reordering both ways during synchronous writes: every write on both disks, no break" {
	local ref b
	netem node1 "$BAD"
	netem node2 "$BAD"
	lab_exec node1 "$T activate md01"
	b=$(st node1 stat_breaks)
	ref=$(data node1 /tmp/w1 16)
	lab_exec node1 "dd if=/tmp/w1 of=/dev/NMP1 bs=1M seek=8 oflag=direct conv=fsync status=none"
	lab_exec node1 "tc -s qdisc show dev eth1 | grep -o 'dropped [0-9]*'"
	assert_match "$output" "dropped [1-9]" "netem dropped packets on node1's mirror link"
	assert "$(st node1 stat_breaks)" == "$b" "no mirror break"
	both_uptodate || fail "not both uptodate after the writes"
	lab_exec node1 "$T deactivate md01"
	holds 8 16 "$ref"
}

@test "recovery over a delaying, lossy, reordering link completes from the right side" {
	local ref
	lab_exec node1 "$T activate md01"
	lab_exec node1 "$T break md01"
	wait_for 30 is node1 conn 1
	ref=$(data node1 /tmp/w2 24)
	lab_exec node1 "dd if=/tmp/w2 of=/dev/NMP1 bs=1M seek=40 oflag=direct conv=fsync status=none"
	assert "$(st node1 dirty_bits)" -gt 0 "dirty regions to recover"
	netem node1 "$BAD"
	netem node2 "$BAD"
	lab_exec node1 "$T connect md01"
	wait_for 60 is node1 conn 3
	lab_exec '?' node1 "$T recover md01"
	wait_for 300 both_uptodate
	assert "$(st node1 dirty_bits)" == 0 "nothing left to recover"
	assert "$(st node1 stat_recovery_sent_bytes)" -gt 0 "node1 was the source"
	lab_exec node1 "$T deactivate md01"
	holds 40 24 "$ref"
}

# blackhole TIMEOUT_KEY TIMEOUT_MS OTHER_KEY WRITE REASON SLACK_MS: the
# mirror link of node1 drops everything while WRITE runs on node1; the
# mirror must break with REASON by the timeout TIMEOUT_KEY, not before
# TIMEOUT_MS after WRITE started and within SLACK_MS after it (the other
# timeout and node1's ping are set far away, node2's echo timeout later
# than that), and the written data must reach node2 after the link is
# repaired and the mirror recovered.
blackhole() {
	local key=$1 ms=$2 other=$3 write=$4 want=$5 slack=$6 ref got ms_taken reason n
	lab_exec node1 "$T set md01 $key=$ms $other=600000 hb-interval=600000 ping-timeout=600000 recv-timeout=600000"
	# node2 finds the dead link by its echo timeout, long after node1's
	# timeout (its break would reset node1's connection: reason 7).
	lab_exec node2 "$T set md01 hb-interval=1000 ping-timeout=$((10000 * S)) ping-retry=3"
	lab_exec node1 "$T activate md01"
	ref=$(data node1 /tmp/w3 32)
	netem node1 "loss 100%"
	lab_exec node1 "echo clp-blackhole-$key > /dev/kmsg; $write"
	wait_for 60 is node1 conn 2
	got=$(break_after "clp-blackhole-$key")
	read -r ms_taken reason <<<"$got"
	echo "# $key $ms ms: break after $ms_taken ms, reason $reason" >&3
	assert "$reason" == "$want" "break reason"
	assert "$ms_taken" -ge "$ms" "break not before the $key"
	assert "$ms_taken" -lt "$((ms + slack))" "break within $slack ms after the $key"
	lab_exec node1 "tc qdisc del dev eth1 root"
	lab_exec node1 "$T connect md01"
	wait_for 120 is node1 conn 3
	lab_exec '?' node1 "$T recover md01"
	wait_for 300 both_uptodate
	lab_exec node1 "$T deactivate md01"
	for n in node1 node2; do
		lab_exec $n "$T set md01 $PARAMS"
	done
	holds 80 32 "$ref"
}

# One 1 MiB write in flight: the peer never acknowledges it. The timers
# run every 250 ms: the break comes within a second of the ack timeout
# (8281 ms for 8000 ms on the first run).
@test "black-holed mirror link: the ack timeout breaks the mirror when configured; the write survives" {
	blackhole ack-timeout $((4000 * S)) send-timeout \
		"dd if=/tmp/w3 of=/dev/NMP1 bs=1M seek=80 oflag=direct conv=fsync status=none" 9 $((3000 * S))
}

# 32 writes of 1 MiB in flight at once fill the socket's send buffer: a
# send blocks until the send timeout. The timeout runs from the blocked
# send, after the 32 dd processes started and filled the buffer (7.9 s on
# the first run under TCG: 13854 ms for 6000 ms): the upper bound allows
# for that; nothing but the send timeout can break the mirror then.
@test "black-holed mirror link: the send timeout breaks the mirror when configured; the writes survive" {
	blackhole send-timeout $((3000 * S)) ack-timeout \
		"for i in \$(seq 0 31); do dd if=/tmp/w3 of=/dev/NMP1 bs=1M skip=\$i seek=\$((80 + i)) count=1 oflag=direct status=none & done; wait" 8 $((15000 * S))
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
