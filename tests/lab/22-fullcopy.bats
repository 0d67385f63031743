#!/usr/bin/env bats
# "Execute the initial mirror construction" off (clp.conf fullcopy 0) in a
# 2-node lab with the mirror agent: both copies fresh -> the normal state is
# assumed, nothing copied (guide 2.14.2, 2.20.1); a replaced copy facing a
# current one -> nothing starts by itself until 'clpmdctrl --force <source>
# <md>' (guide 2.14.1), also after an interrupted initial construction;
# the assume-sync flag and the auto-construct
# attribute refused with a message when wrong, no change of state.

load helpers
load md-helpers

T=$REPO/tests/host/bin/liscal-nl

setup_file() {
	skip_if_no_lab || return 0
	make -s -C "$REPO/tests/lab/tools" >&2
	export CLPLAB_NAME=t$$-fc
	# The lab's disks are sparse and zeroed: both data partitions identical,
	# which is what fullcopy 0 with two fresh copies takes for granted.
	md_lab_up
}

# The repo's example with fullcopy 0, mkfs 0 (mkfs on both servers would
# make the data partitions differ) and a short mirror connect heartbeat.
install_conf() {
	lab_exec "$1" "mkdir -p /opt/clpstack/etc && sed -e 's|<fullcopy>1<|<fullcopy>0<|' -e 's|<mkfs>1<|<mkfs>0<|' -e 's|<hbinterval>10<|<hbinterval>2<|' -e 's|<pingtimeout>2<|<pingtimeout>1<|' -e 's|<pingretry>8<|<pingretry>$((2 * ${CLPLAB_WAIT_SCALE:-1}))<|' $REPO/userland/conf/examples/lab-clp.conf > $CONF && grep -q '<fullcopy>0<' $CONF && grep -q '<mkfs>0<' $CONF"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# Value of KEY in "liscal-nl get md01" on NODE.
nl_get() {
	"$LAB" exec "$1" -- "$T" get md01 | sed -n "s/^$2=//p"
}

# NODE's driver sees KEY=VALUE.
nl_is() {
	[ "$(nl_get "$1" "$2")" = "$3" ]
}

logged() {
	"$LAB" exec "$1" -- grep -qE "$2" /var/log/clpmgrd.log
}

# NODE's agent logged a line matching ERE $3 from line $2 of its log on.
logged_since() {
	"$LAB" exec "$1" -- sh -c "tail -n +$2 /var/log/clpmgrd.log | grep -qE '$3'"
}

data_md5() {
	"$LAB" exec "$1" -- sh -c "dd if=/dev/vdb2 bs=1M iflag=direct 2>/dev/null | md5sum" | cut -d' ' -f1
}

@test "fullcopy 0, both copies fresh: both GREEN at once, nothing copied, writes mirrored" {
	wait_for 180 both_green
	for n in node1 node2; do
		assert "$(nl_get $n stat_recovery_sent_bytes)" == "0" "recovery bytes sent by $n"
		assert "$(nl_get $n stat_recovery_recv_bytes)" == "0" "recovery bytes received by $n"
		assert "$(nl_get $n fresh)" == "0" "$n's copy no longer fresh"
	done
	assert "$(nl_get node1 gen_current)" == "$(nl_get node2 gen_current)" "same generation"
	lab_exec node1 "grep -c 'mirror 28: md01: initial mirror construction is off (fullcopy 0) and both copies are fresh: the normal state is assumed' /var/log/clpmgrd.log"
	assert "$output" == "1" "normal state assumed once, by node1 (node id 0)"
	lab_exec node2 "grep -cE 'mirror (20|28):' /var/log/clpmgrd.log || true"
	assert "$output" == "0" "node2 started nothing"
	lab_exec node1 "dmesg | grep -c 'md01: both copies fresh: assumed identical'"

	# A write through node1's /dev/NMP1 reaches node2's data partition.
	lab_exec node1 "$B/clpmdctrl --active -nomount md01"
	lab_exec node1 "head -c 4M /dev/urandom > /tmp/blob && dd if=/tmp/blob of=/dev/NMP1 bs=1M seek=8 oflag=direct 2>/dev/null && md5sum < /tmp/blob | cut -d' ' -f1"
	sum=$output
	lab_exec node1 "$B/clpmdctrl --deactive md01"
	lab_exec node2 "dd if=/dev/vdb2 bs=1M skip=8 count=4 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1"
	assert "$output" == "$sum" "the 4 MiB written on node1 are on node2's data partition"
	assert "$(data_md5 node1)" == "$(data_md5 node2)" "md5 of /dev/vdb2 on node1 and node2"
	assert "$(nl_get node1 stat_recovery_sent_bytes)" == "0" "still nothing sent by recovery"
	wait_for 60 both_green
}

@test "assume-sync and auto-construct: refused with a message when wrong, no change" {
	gen=$(nl_get node1 gen_current)
	# Both copies hold data now.
	run "$LAB" exec node1 -- "$T" recover md01 assume-sync
	assert "$status" == "1" "assume-sync with both copies current"
	assert_match "$output" "md01: assume-sync: this copy is not fresh \(it holds mirrored data\)"
	run "$LAB" exec node1 -- "$T" recover md01 assume-sync full
	assert "$status" == "1" "assume-sync with full"
	assert_match "$output" "assume-sync cannot be combined with force, full or a source node"
	run "$LAB" exec node2 -- "$T" recover md01 assume-sync src=1
	assert "$status" == "1" "assume-sync with a source node"
	assert_match "$output" "assume-sync cannot be combined"
	assert "$(nl_get node1 gen_current)" == "$gen" "generation unchanged"
	assert "$(nl_get node1 recovery_dir)" == "0" "no recovery started"

	# The attribute: 0 or 1 only, refused by the netlink policy (range in the
	# extack); the agent passed clp.conf's fullcopy 0.
	assert "$(nl_get node1 auto_construct)" == "0" "auto-construct from clp.conf"
	run "$LAB" exec node1 -- "$T" set md01 auto-construct=2
	assert "$status" == "1" "auto-construct=2"
	assert_match "$output" "set: integer out of range"
	assert "$(nl_get node1 auto_construct)" == "0" "auto-construct unchanged"
	run "$LAB" exec node1 -- "$T" create md02 2 /dev/vdc1 /dev/vdc2 0 198.18.2.1:29032 198.18.2.2:29032 auto-construct=7
	assert "$status" == "1" "RES_CREATE with auto-construct=7"
	assert_match "$output" "integer out of range"
	run "$LAB" exec node1 -- "$T" get md02
	assert "$status" == "1" "md02 not created"
	both_green
}

@test "fullcopy 0, node2's disk replaced (guide 2.14.1): nothing copied until clpmdctrl --force node1" {
	sent=$(nl_get node1 stat_recovery_sent_bytes)
	overlap=$(nl_get node1 stat_recovery_flush_overlap)
	reused=$(nl_get node1 stat_pages_reused)
	run_lab cut node2
	run_lab start node2
	install_conf node2
	lab_exec node2 "insmod $K/liscal/liscal.ko"
	# The new disk holds something else.
	lab_exec node2 "head -c 8M /dev/urandom | dd of=/dev/vdb2 bs=1M seek=4 oflag=direct 2>/dev/null"
	lab_exec node2 "$B/clpmdinit --create force md01"
	lab_exec node1 "wc -l < /var/log/clpmgrd.log"
	nlog=$output
	lab_exec node2 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd.log 2>&1 </dev/null"
	# The handshake happened: node1 is connected to a fresh copy, and its
	# agent said what to do.
	wait_for 120 nl_is node1 peer_fresh 1
	wait_for 60 logged node1 "mirror 23: md01: initial mirror construction is off \(fullcopy 0\): start it with 'clpmdctrl --force <source_server> md01'"
	lab_exec node1 "dmesg | grep -c \"md01: the peer's copy is fresh and initial mirror construction is off\""
	assert "$(nl_get node1 conn)" == "3" "node1 connected"
	assert "$(nl_get node1 recovery_dir)" == "0" "no recovery running on node1"
	assert "$(nl_get node1 stat_recovery_sent_bytes)" == "$sent" "nothing sent by recovery"
	self_is node2 RED
	# clpmdstat says why nothing copies: the peer's copy is fresh, fullcopy 0.
	lab_exec node1 "$B/clpmdstat -m md01 --json"
	assert_match "$output" '"initial_construction":"by clpmdctrl --force \(fullcopy 0\)"'
	assert_match "$output" '"server":"node1","local":true,[^}]*"fresh":false'
	assert_match "$output" '"server":"node2","local":false,[^}]*"fresh":true'
	lab_exec node1 "tail -n +$((nlog + 1)) /var/log/clpmgrd.log | grep -c 'mirror 114:' || true"
	assert "$output" == "0" "no recovery started on node1"

	# The fresh node2 cannot assume the normal state with node1's current copy.
	run "$LAB" exec node2 -- "$T" recover md01 assume-sync
	assert "$status" == "1" "assume-sync on the fresh node2"
	assert_match "$output" "md01: assume-sync: the peer's copy is not fresh"
	assert "$(nl_get node2 fresh)" == "1" "node2's copy still fresh"
	self_is node2 RED

	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	assert_match "$output" "md01: full copy from node1 started"
	wait_for 300 both_green
	sent2=$(nl_get node1 stat_recovery_sent_bytes)
	assert "$sent2" -gt "$sent" "the full copy sent data"
	assert "$(data_md5 node1)" == "$(data_md5 node2)" "md5 of /dev/vdb2 after the full copy"
	# The copy did not stop for the target's flush every 16 MiB: chunks
	# were acked while one was in flight. Both sides' chunks reused pages.
	assert "$((sent2 - sent))" -gt "$((32 << 20))" "the copy is long enough for a flush in flight"
	assert "$(nl_get node1 stat_recovery_flush_overlap)" -gt "$overlap" "node1's chunks acked while a recovery flush was in flight"
	assert "$(nl_get node1 stat_pages_reused)" -gt "$reused" "node1's recovery reads reused pages"
	assert "$(nl_get node2 stat_pages_reused)" -gt 0 "node2's recovery writes reused pages"
}

@test "fullcopy 0: an interrupted initial construction is not resumed by itself; clpmdctrl --force node1 again" {
	# Replace node2's copy again and start its construction, slowly.
	run_lab cut node2
	run_lab start node2
	install_conf node2
	lab_exec node2 "insmod $K/liscal/liscal.ko"
	lab_exec node2 "$B/clpmdinit --create force md01"
	lab_exec node2 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd.log 2>&1 </dev/null"
	wait_for 120 nl_is node1 peer_fresh 1
	lab_exec node1 "$T set md01 chunk=65536"
	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	assert_match "$output" "full copy from node1 started"
	# Power cut of the target in the middle of the copy: at once, since a
	# pipelined copy of the ~63 MiB can end between two polls of its
	# progress (a finished copy shows below: node2 would not be fresh).
	run_lab cut node2
	wait_for 60 nl_is node1 conn 2
	lab_exec node1 "wc -l < /var/log/clpmgrd.log"
	nlog=$output
	sent=$(nl_get node1 stat_recovery_sent_bytes)
	run_lab start node2
	install_conf node2
	lab_exec node2 "insmod $K/liscal/liscal.ko"
	lab_exec node2 "setsid -f $B/clpmgrd -f >/var/log/clpmgrd.log 2>&1 </dev/null"
	# Reconnected to the still fresh copy: nothing resumes by itself.
	wait_for 120 nl_is node1 peer_fresh 1
	wait_for 60 logged_since node1 $((nlog + 1)) "mirror 23: md01: initial mirror construction is off"
	assert "$(nl_get node1 recovery_dir)" == "0" "no recovery running on node1"
	assert "$(nl_get node1 stat_recovery_sent_bytes)" == "$sent" "nothing sent since the reconnection"
	assert "$(nl_get node2 fresh)" == "1" "node2's copy still fresh"
	self_is node2 RED

	lab_exec node1 "$T set md01 chunk=1048576"
	ref=$(data_md5 node1)
	lab_exec node1 "$B/clpmdctrl --force node1 md01"
	wait_for 300 both_green
	assert "$(data_md5 node2)" == "$ref" "node2's /dev/vdb2 after the full copy: node1's before it"
	assert "$(data_md5 node1)" == "$ref" "node1's /dev/vdb2 unchanged by the copy (node1 -> node2)"
}

@test "no WARN, BUG, oops or lockdep report on either node" {
	dmesg_clean node1
	dmesg_clean node2
}
