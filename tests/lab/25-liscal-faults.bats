#!/usr/bin/env bats
# The mirror's state and metadata under faults (issue 13, section 2): state
# packets that do not fit this side's state (a forger on the mirror port,
# tools/liscal-forger.py), failed cluster partition writes, activation on
# both servers at once, and disk errors under the partitions
# (device-mapper error and flakey targets between liscal and /dev/vdb1,
# /dev/vdb2): the failed disk is recorded and never taken for current.
# I/O errors under the active's partitions, with the configured action and
# every acknowledged write kept, are tests/lab/long/33-active-disk-errors.bats
# (make soak).

load helpers
load md-helpers
load liscal-nl
load dm-helpers

F=$REPO/tests/lab/tools/liscal-forger.py

setup_file() {
	skip_if_no_lab || return 0
	dm_lab_up faults
}

refused() {
	st "$1" stat_refused_packets
}

# is_refused NODE N: NODE counted N refused state packets.
is_refused() {
	is "$1" stat_refused_packets "$2"
}

# forger_start MODE [ARGS]: the forger (node id 1 of md01) on node2's
# mirror address in MODE (src: it claims a newer copy; tgt: one that node1
# went on from); it reads commands from /run/forger.in and logs to
# /run/forger.log.
forger_start() {
	lab_exec node2 "rm -f /run/forger.in /run/forger.log && mkfifo /run/forger.in && setsid -f python3 $F 198.18.2.2:29031 /run/forger.in --mode $* >/run/forger.log 2>&1 </dev/null"
	wait_for 30 flog 'handshake done'
	wait_for 30 is node1 conn 3
}

fsend() {
	lab_exec node2 "timeout 10 sh -c 'echo \"$*\" > /run/forger.in'"
}

# flog RE: the forger's log has a line matching RE (grep -E).
flog() {
	"$LAB" exec node2 -- grep -qE -- "$1" /run/forger.log
}

# flog_at_least RE N: at least N lines of the forger's log match RE.
flog_at_least() {
	[ "$("$LAB" exec node2 -- grep -cE -- "$1" /run/forger.log)" -ge "$2" ]
}

# The forger's announced generation.
fgen() {
	"$LAB" exec node2 -- sed -n 's/^mine gen=\([0-9]*\) .*/\1/p' /run/forger.log
}

# The sequence number of node1's last activation request (the forger's log).
last_req() {
	"$LAB" exec node2 -- sh -c "grep -oE 'rx STATE flags=0x20 seq=[0-9]+' /run/forger.log | tail -n 1 | cut -d= -f3"
}

# activate_bg: ACTIVATE on node1 in the background (/run/act.out, act.rc).
activate_bg() {
	lab_exec node1 "rm -f /run/act.rc && setsid -f sh -c '$T activate md01 >/run/act.out 2>&1; echo \$? >/run/act.rc' </dev/null >/dev/null 2>&1"
}

act_rc() {
	"$LAB" exec node1 -- cat /run/act.rc
}

act_done() {
	[ -n "$(act_rc 2>/dev/null)" ]
}

@test "a failed cluster partition write fails ACTIVATE: standby, same generation, the disk failed" {
	local gen
	dinit node1 uptodate
	dcreate node1
	gen=$(st node1 gen_current)
	dm node1 c error
	lab_exec 1 node1 "$T activate md01 force"
	assert_match "$output" "cluster partition write failed"
	is node1 role 1
	is node1 gen_current "$gen"
	# The write failed: the copy is failed (cluster partition action NONE).
	wait_for 10 is node1 disk 4
	dm node1 c linear
	lab_exec 1 node1 "$T activate md01 force"
	assert_match "$output" "the local disk failed"
	is node1 role 1
	# The failure comes back with the resource (written by its last superblock write).
	lab_exec node1 "$T destroy md01"
	dcreate node1
	is node1 disk 4
	lab_exec node1 "$T destroy md01"
}

@test "a stranger on the mirror port: SYNC_DONE, SYNC_START and FORCE that do not fit are refused and counted, nothing changes" {
	local gen dirty r
	clean_up
	dinit node1 uptodate
	dcreate node1
	lab_exec node1 "$T activate md01 force"
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=64k count=16 seek=10 oflag=direct status=none"
	gen=$(st node1 gen_current)
	dirty=$(st node1 dirty_bits)
	assert "$dirty" -ge 16 "node1's writes are out of sync"

	# node1 active, the forger an older copy: SYNC_DONE must not clear
	# the active's bitmap.
	forger_start tgt --disk 2
	is node1 peer_disk 2
	r=$(refused node1)
	fsend syncdone mine
	wait_for 10 is_refused node1 $((r + 1))
	is node1 dirty_bits "$dirty"
	is node1 gen_current "$gen"
	is node1 disk 3
	is node1 role 2
	fsend close
	wait_for 30 is node1 conn 2
	lab_exec node1 "$T deactivate md01"

	# node1 standby, the forger claims a newer copy: node1 is outdated.
	forger_start src
	is node1 disk 2
	is node1 peer_disk 3
	r=$(refused node1)
	# No recovery ran: SYNC_DONE would make the outdated copy current.
	fsend syncdone mine
	wait_for 10 is_refused node1 $((r + 1))
	is node1 disk 2
	is node1 recovery_dir 0
	# SYNC_START with a generation the forger did not announce.
	fsend syncstart other full
	wait_for 10 is_refused node1 $((r + 2))
	is node1 recovery_dir 0
	is node1 disk 2
	# A proper one: node1 becomes the recovery target, inconsistent.
	fsend syncstart mine full
	wait_for 10 is node1 recovery_dir 2
	is node1 disk 1
	# FORCE (make the half-recovered copy current), a second SYNC_START,
	# SYNC_DONE with another generation, an answer to no request.
	fsend force 0 force
	wait_for 10 is_refused node1 $((r + 3))
	fsend syncstart mine full
	wait_for 10 is_refused node1 $((r + 4))
	fsend syncdone other
	wait_for 10 is_refused node1 $((r + 5))
	fsend state 1 3 reply 77
	wait_for 10 is_refused node1 $((r + 6))
	is node1 disk 1
	is node1 recovery_dir 2
	is node1 gen_current "$gen"
	is node1 conn 3
	# The end of the recovery as announced: accepted.
	fsend syncdone mine
	wait_for 10 is node1 disk 3
	is node1 recovery_dir 0
	is node1 gen_current "$(fgen)"
	is_refused node1 $((r + 6))
	fsend close
	wait_for 30 is node1 conn 2
	lab_exec node1 "$T destroy md01"
}

@test "a stranger on the mirror port: FLUSHED for no announced flush ahead is refused, counted, and breaks the link" {
	local r
	clean_up
	dinit node1 uptodate
	dcreate node1
	lab_exec node1 "$T activate md01 force"
	forger_start tgt --disk 2
	is node1 conn 3
	r=$(refused node1)
	fsend flushed 5
	wait_for 10 is_refused node1 $((r + 1))
	wait_for 30 is node1 conn 2
	lab_exec node1 "dmesg | grep -q 'md01: FLUSHED covering 5 acks, but the flush announced last covers 0'"
	is node1 role 2
	is node1 disk 3
	lab_exec node1 "$T deactivate md01"
	lab_exec node1 "$T destroy md01"
}

@test "activation while connected needs the peer's grant: refused while active, granted, crossed (node 0 wins), refused" {
	clean_up
	dinit node1 uptodate
	dcreate node1
	lab_exec node1 "$T activate md01 force"
	# node1 the newer copy, the forger connected as the older one.
	forger_start tgt --disk 2
	# The forger asks while node1 is active: no.
	fsend state 1 2 req
	wait_for 10 flog 'rx STATE flags=0x44 seq=1'
	is node1 role 2
	is node1 peer_role 1
	lab_exec node1 "$T deactivate md01"
	# The forger asks first and is granted: node1 sees it active and
	# refuses to activate.
	fsend state 1 3 req
	wait_for 10 flog 'rx STATE flags=0x40 seq=1'
	wait_for 10 is node1 peer_role 2
	lab_exec 1 node1 "$T activate md01"
	assert_match "$output" "active on the peer"
	fsend state 1 3
	wait_for 10 is node1 peer_role 1
	# Both ask at once: node1 (node id 0) refuses the forger's request
	# while waiting for its own answer, and goes active when granted.
	activate_bg
	wait_for 10 flog 'rx STATE flags=0x20 seq=[0-9]+'
	is node1 role 1
	fsend state 1 3 req
	wait_for 10 flog_at_least 'rx STATE flags=0x44 seq=1' 2
	fsend state 1 3 reply "$(last_req)"
	wait_for 10 act_done
	assert "$(act_rc)" == 0 "node1's activation, granted"
	is node1 role 2
	lab_exec node1 "$T deactivate md01"
	# Refused by the peer: node1 stays standby and says why.
	activate_bg
	wait_for 10 flog_at_least 'rx STATE flags=0x20' 2
	fsend state 1 3 nak "$(last_req)"
	wait_for 10 act_done
	assert "$(act_rc)" != 0 "node1's activation, refused by the peer"
	lab_exec node1 "cat /run/act.out"
	assert_match "$output" "the peer refused"
	is node1 role 1
	fsend close
	wait_for 30 is node1 conn 2
	lab_exec node1 "$T destroy md01"
}

# activate_both: ACTIVATE on both servers at once (as far as two lab exec
# calls go); prints their exit statuses "rc1 rc2".
activate_both() {
	local d=$BATS_FILE_TMPDIR p1 p2 r1=0 r2=0
	"$LAB" exec node1 -- "$T" activate md01 >"$d/a1" 2>&1 &
	p1=$!
	"$LAB" exec node2 -- "$T" activate md01 >"$d/a2" 2>&1 &
	p2=$!
	wait $p1 || r1=$?
	wait $p2 || r2=$?
	echo "$r1 $r2"
}

@test "activation on both servers at once: exactly one becomes active, the other says why" {
	local round rcs win lose
	pair_up
	for round in 1 2 3 4; do
		rcs=$(activate_both)
		case $rcs in
		"0 1") win=node1 lose=node2 ;;
		"1 0") win=node2 lose=node1 ;;
		*) assert "$rcs" == "0 1 or 1 0" "round $round: exit status of the two activations" ;;
		esac
		assert_match "$(cat "$BATS_FILE_TMPDIR/a${lose#node}")" "active on the peer|the peer refused"
		is "$win" role 2
		is "$lose" role 1
		wait_for 10 is "$lose" peer_role 2
		lab_exec "$win" "$T deactivate md01"
		wait_for 10 is "$lose" peer_role 1
	done
	wait_for 30 both_uptodate
}

@test "I/O errors on the standby's data partition: failed, RED, recorded, never the source; a full copy once repaired" {
	local ref
	pair_up
	lab_exec node1 "$T activate md01"
	wait_for 10 is node2 peer_role 2
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=64k count=16 seek=10 oflag=direct status=none"
	dm node2 d flakey
	# node2's write of the next mirrored data fails: its disk failed.
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=64k count=16 seek=100 oflag=direct conv=fsync status=none"
	wait_for 30 is node2 disk 4
	wait_for 60 is node1 conn 3
	wait_for 30 is node1 peer_disk 4
	is node1 disk 3
	wait_for 10 self_is node2 RED
	assert_match "$(colours node1)" "^GREEN RED " "node1's view: itself GREEN, node2 RED"
	# Recorded on node2's cluster partition (FAILED 0x200, not UPTODATE).
	wait_for 10 sb_flags_are node2 0x204 0x200
	# Still failed when the resource comes back; never current.
	lab_exec node2 "$T destroy md01"
	dcreate node2
	is node2 disk 4
	wait_for 60 is node1 conn 3
	is node1 peer_disk 4
	lab_exec 1 node2 "$T activate md01 force"
	assert_match "$output" "the local disk failed"
	lab_exec 1 node2 "$T force-current md01"
	assert_match "$output" "failed"
	is node2 disk 4
	# Repaired: a recovery from node1 copies everything onto it.
	dm node2 d linear
	lab_exec node1 "$T recover md01"
	wait_for 10 is node1 recovery_dir 1
	wait_for 300 both_uptodate
	sb_flags_are node2 0x200 0
	lab_exec node1 "$T deactivate md01"
	ref=$("$LAB" exec node1 -- sh -c "dd if=/dev/mapper/d1 bs=1M iflag=direct status=none | md5sum")
	assert "$("$LAB" exec node2 -- sh -c "dd if=/dev/mapper/d2 bs=1M iflag=direct status=none | md5sum")" == "$ref" "node2's data partition is node1's"
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
