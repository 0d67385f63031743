#!/usr/bin/env bats
# I/O errors under the active's partitions (issue 13, section 5; guide
# 2.12.11): the action RESET restarts the server, the action NONE fails
# the copy and gives the writer the error; either way the standby takes
# over with every acknowledged write. Run by make soak, not make check: the
# three tests took about 200 s of 25-liscal-faults (each waits for a
# restart or a writer's error); make check keeps 25-liscal-faults' tests of
# the failed disk on the standby and of a failed cluster partition write,
# which prove the failed-disk state, its record and the colours.

load ../helpers
load ../md-helpers
load ../liscal-nl
load ../dm-helpers

setup_file() {
	skip_if_no_lab || return 0
	dm_lab_up adisk
}

# booted_since NODE N: NODE booted more than N times.
booted_since() {
	[ "$(node_boots "$1")" -gt "$2" ]
}

# writer_done NODE: the record writer on NODE has exited (a write failed).
writer_done() {
	! "$LAB" exec "$1" -- pgrep -f '[l]iscal-records' >/dev/null
}

# node_back NODE: after NODE restarted, liscal and device-mapper loaded
# again and the clp.conf of clpmdstat in place (nothing if already so).
node_back() {
	run_lab wait "$1"
	lab_exec "$1" "lsmod | grep -q '^liscal ' || insmod $K"
	dm_node_prepare "$1"
}

# console_mark NODE: where NODE's console log ends now (for console_since).
console_mark() {
	echo $(($(stat -c %s "$("$LAB" console "$1")") + 1))
}

# console_since NODE MARK RE: NODE's console after MARK has a line matching RE.
console_since() {
	tail -c "+$2" "$("$LAB" console "$1")" | grep -aqE "$3"
}

# reset_at_error PART KEY BASE: node1 active with the action RESET for
# errors on PART (d: data partition, key dp-io-error; c: cluster partition,
# cp-io-error) while the record writer writes from block BASE; PART then
# fails every I/O. node1 must restart with the error on its console (logged
# since the switch), and node2 take over with every record the writer saw
# acknowledged.
reset_at_error() {
	local part=$1 key=$2 base=$3 what=data boots last mark
	[ "$part" = c ] && what=cluster
	pair_up
	lab_exec node1 "$T set md01 $key=1"
	is node1 "${key//-/_}" 1
	lab_exec node1 "$T activate md01"
	wait_for 10 is node2 peer_role 2
	lab_exec node1 "setsid -f $REC /dev/NMP1 $base >/dev/null 2>&1 </dev/null"
	wait_for 60 acked_at_least node1 "$base" $((base + 20))
	boots=$(node_boots node1)
	mark=$(console_mark node1)
	# node1 restarts at its next write, maybe before the command returns
	dm '?' node1 "$part" error
	wait_for 120 booted_since node1 "$boots"
	console_since node1 "$mark" "md01: I/O error -?[0-9]+ on the $what partition" ||
		fail "node1's console has no $what partition I/O error since the switch"
	last=$(acked node1 "$base")
	assert "$last" -ge $((base + 20)) "records acknowledged before the error"
	wait_for 60 is node2 disk 2
	lab_exec node2 "$T activate md01 force"
	check_records node2 "$base" "$last"
	lab_exec node2 "$T deactivate md01"
	node_back node1
}

@test "I/O errors on the active's data partition, action RESET: it restarts, the standby takes over with every acknowledged write" {
	reset_at_error d dp-io-error 2000
}

# The guide (2.12.11) resets the server at a mirror disk error; with the
# action NONE (dperror) the copy fails instead and the writer gets the
# error: nothing it was told was written may be missing on the standby.
@test "I/O errors on the active's data partition, action NONE: failed and RED in both views, the writer gets the error, the standby takes over with every acknowledged write" {
	local base=3000 last mark
	pair_up
	lab_exec node1 "$T set md01 dp-io-error=0"
	is node1 dp_io_error 0
	lab_exec node1 "$T activate md01"
	wait_for 10 is node2 peer_role 2
	lab_exec node1 "setsid -f $REC /dev/NMP1 $base >/dev/null 2>&1 </dev/null"
	wait_for 60 acked_at_least node1 $base $((base + 20))
	mark=$(console_mark node1)
	dm node1 d error
	# The next write fails on node1's disk: the writer stops on its error.
	wait_for 60 writer_done node1
	wait_for 30 is node1 disk 4
	is node1 role 2
	last=$(acked node1 $base)
	assert "$last" -ge $((base + 20)) "records acknowledged before the error"
	console_since node1 "$mark" 'md01: I/O error -?[0-9]+ on the data partition' ||
		fail "node1's console has no data partition I/O error since the switch"
	# node1's STATE told node2: the copies' colours as both see them.
	wait_for 30 is node2 peer_disk 4
	is node2 disk 3
	wait_for 10 self_is node1 RED
	assert_match "$(colours node1)" "^RED GREEN " "node1's view: itself RED, node2 GREEN"
	assert_match "$(colours node2)" "^GREEN RED " "node2's view: itself GREEN, node1 RED"
	# The failure is on node1's cluster partition (FAILED 0x200, not UPTODATE).
	wait_for 10 sb_flags_are node1 0x204 0x200
	# The other server takes over: node1 standby, node2 active (granted by
	# node1 over the connection, no force), with every acknowledged record.
	lab_exec node1 "$T deactivate md01"
	lab_exec node2 "$T activate md01"
	is node2 role 2
	check_records node2 $base "$last"
	lab_exec node2 "$T deactivate md01"
	clean_up
}

# The cluster partition fails under the active while it writes: the
# write-intent bits of the writer's next region cannot be written, and the
# action RESET (the guide's, 2.12.11) restarts node1 at once.
@test "a cluster partition write error on the active while it writes, action RESET: it restarts, the standby takes over with every acknowledged write" {
	node_back node1
	reset_at_error c cp-io-error 4000
}

@test "kernel logs clean" {
	dmesg_clean node1
	dmesg_clean node2
}
