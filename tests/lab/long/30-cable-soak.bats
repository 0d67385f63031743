#!/usr/bin/env bats
# Mirror cable soak (make soak; Documentation/reliability.md): PULLS times,
# the mirror cable of a random node is pulled at a random moment of an
# fsync-acknowledged workload on the active (node1), writes go on while
# the mirror is broken, the cable is plugged back at another random
# moment, and a differential recovery runs. After each recovery every
# acknowledged record is on node1's copy, the two data partitions are
# identical (so the standby holds the written data too), and the
# recovery went from node1 to node2 (the reference taken before it).

load ../helpers
load ../liscal-nl

PULLS=${LISCAL_PULLS:-50}
# Each round writes at most ROUND_RECS 4 KiB records at its own offset.
ROUND_RECS=400
DISK_MB=$((64 + PULLS * ROUND_RECS * 4 / 1024 * 2))
DISK=${LISCAL_LAB_DISK:-$((DISK_MB < 128 ? 128 : DISK_MB))M}
# Timeouts as in 20-liscal (ping detection: 1 s interval, 2 s echo timeout).
PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=2000 send-timeout=$((5000 * S))"

setup_file() {
	skip_if_no_lab || return 0
	liscal_lab_up cable "$DISK"
}

data_md5() {
	"$LAB" exec "$1" -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct status=none | md5sum" | cut -d' ' -f1
}

# writer_stop: the record writer on node1 stopped, no write of it left.
writer_stop() {
	# (the patterns do not match this command line itself)
	lab_exec node1 "pkill -f 'sh [^ ]*liscal-records[.]sh'; while pgrep -f 'sh [^ ]*liscal-records[.]sh' >/dev/null || pgrep -x dd >/dev/null; do sleep 0.1; done"
}

@test "node1 active, both copies uptodate after the initial copy" {
	lab_exec node1 "$T init md01 0 /dev/vdb1 /dev/vdb2"
	lab_exec node2 "$T init md01 1 /dev/vdb1 /dev/vdb2"
	create node1
	create node2
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 force src=0"
	wait_for 600 both_uptodate
	lab_exec node1 "$T activate md01"
	wait_for 30 is node2 peer_role 2
}

@test "mirror cable pulled and plugged back $PULLS times at random moments of acknowledged writes: every record kept, both copies equal" {
	local r base k victim mark last ref breaks0
	breaks0=$(st node1 stat_breaks)
	for ((r = 0; r < PULLS; r++)); do
		base=$((r * ROUND_RECS))
		victim=node$((RANDOM % 2 + 1))
		k=$((RANDOM % 40 + 1))
		lab_exec node1 "setsid -f $REC /dev/NMP1 $base >/dev/null 2>&1 </dev/null"
		wait_for 60 acked_at_least node1 "$base" $((base + k))
		run_lab link "$victim" mirror down
		wait_for 60 is node1 peer_disk 2
		mark=$(acked node1 "$base")
		wait_for 60 acked_at_least node1 "$base" $((mark + RANDOM % 40 + 3))
		run_lab link "$victim" mirror up
		wait_for 60 is node1 conn 3
		writer_stop
		last=$(acked node1 "$base")
		assert "$last" -lt $((base + ROUND_RECS)) "round $r stayed in its $ROUND_RECS records"
		ref=$(data_md5 node1)
		lab_exec '?' node1 "$T recover md01"
		wait_for 300 both_uptodate
		check_records node1 "$base" "$last"
		assert "$(data_md5 node1)" == "$ref" "node1's copy unchanged by the recovery (round $r)"
		assert "$(data_md5 node2)" == "$ref" "node2's copy equals node1's after the recovery (round $r)"
		echo "# round $r: $victim's cable pulled after record $((base + k)), replugged after $mark; records $base..$last kept" >&3
	done
	assert "$(($(st node1 stat_breaks) - breaks0))" -ge "$PULLS" "every pull broke the mirror"
}

@test "the kernel logs are clean" {
	dmesg_clean node1
	dmesg_clean node2
}
