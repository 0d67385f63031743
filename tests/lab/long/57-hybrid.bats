#!/usr/bin/env bats
# Hybrid disks (Documentation/hybrid.md): the lab's hybrid shape
# (scripts/lab up --hybrid): node1 and node2 attach one shared disk (server
# group 1), node3 its own (server group 2).

load ../helpers

L=$REPO/tests/host/bin/hd-lease
LEASE_MS=3000

setup_file() {
	skip_if_no_lab || return 0
	make -s -C "$REPO/userland" >&2
	make -s -C "$REPO/tests/lab/tools" >&2
	export CLPLAB_NAME=t$$-57
	run_lab up --hybrid --name "$CLPLAB_NAME"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# image_block NODE MIB: md5 of the 4 KiB at MIB MiB of NODE's mirror disk image.
image_block() {
	dd if="$("$LAB" disk "$1")" bs=4096 skip=$(($2 * 256)) count=1 status=none | md5sum | cut -d' ' -f1
}

# node_block NODE MIB: the same 4 KiB read by NODE from its /dev/vdb, past its
# page cache.
node_block() {
	"$LAB" exec "$1" "dd if=/dev/vdb bs=4096 skip=$(($2 * 256)) count=1 iflag=direct status=none | md5sum" | cut -d' ' -f1
}

@test "up --hybrid: three nodes; node1 and node2 share one mirror disk, node3 has its own" {
	local zero data
	run_lab status
	assert "$(grep -c ' running ' <<<"$output")" == 3 "running nodes"
	assert "$(readlink -f "$("$LAB" disk node1)")" == "$(readlink -f "$("$LAB" disk node2)")" "node1's and node2's disk image"
	assert "$(readlink -f "$("$LAB" disk node1)")" != "$(readlink -f "$("$LAB" disk node3)")" "node3's disk image"
	for n in 1 2 3; do
		lab_exec node$n "sfdisk -d /dev/vdb | grep -c 'name=\"clp-'"
		assert "$output" == 2 "clp-cluster and clp-data on node$n's vdb"
	done
	zero=$(node_block node3 200)
	lab_exec node1 "head -c 4096 /dev/urandom > /tmp/s.bin"
	data=$("$LAB" exec node1 -- md5sum /tmp/s.bin | cut -d' ' -f1)
	assert "$data" != "$zero" "the test data"
	lab_exec node1 "dd if=/tmp/s.bin of=/dev/vdb bs=4096 seek=$((200 * 256)) oflag=direct conv=fsync status=none"
	assert "$(node_block node2 200)" == "$data" "node2 reads what node1 wrote to the shared disk"
	assert "$(node_block node3 200)" == "$zero" "node3's disk is its own"
	# And back: node2 overwrites, node1 reads it.
	lab_exec node2 "head -c 4096 /dev/urandom > /tmp/t.bin && dd if=/tmp/t.bin of=/dev/vdb bs=4096 seek=$((200 * 256)) oflag=direct status=none"
	data=$("$LAB" exec node2 -- md5sum /tmp/t.bin | cut -d' ' -f1)
	assert "$(node_block node1 200)" == "$data" "node1 reads what node2 wrote"
}

@test "a power cut of a shared-disk node keeps the shared disk's completed writes; node3's cut still drops its unflushed ones" {
	local data zero
	lab_exec node1 "head -c 4096 /dev/urandom > /tmp/u.bin && dd if=/tmp/u.bin of=/dev/vdb bs=4096 seek=$((201 * 256)) oflag=direct status=none"
	data=$("$LAB" exec node1 -- md5sum /tmp/u.bin | cut -d' ' -f1)
	run_lab cut node1
	assert_contains "$output" "node1 power cut, shared disk: every completed write kept"
	assert "$(image_block node1 201)" == "$data" "node1's unflushed write on the shared disk after the cut"
	assert "$(node_block node2 201)" == "$data" "node2 still reads it"
	# node3: the honest cut as in 00-lab.
	zero=$(image_block node3 101)
	lab_exec node3 "head -c 4096 /dev/urandom | dd of=/dev/vdb bs=4096 seek=$((101 * 256)) oflag=direct status=none"
	assert "$(image_block node3 101)" != "$zero" "the completed write reached node3's image"
	run_lab cut node3
	assert_match "$output" "node3 power cut, mirror disk: kept [0-9]* writes .* dropped [1-9][0-9]* writes"
	assert "$(image_block node3 101)" == "$zero" "node3's unflushed write was lost with the power"
	run_lab start node1
	assert "$(node_block node1 201)" == "$data" "node1 reads its write after its restart"
	run_lab start node3
}

# The lease of the current server (Documentation/hybrid.md) on the shared
# cluster partition /dev/vdb1, through the test tool hd-lease.
hold() { # hold NODE: NODE tries to become current and renews, logging
	"$LAB" exec "$1" "setsid nohup $L /dev/vdb1 hold $1 $LEASE_MS >/root/lease.log 2>&1 </dev/null & echo \$! >/root/lease.pid"
}
show() { # show NODE: the lease record as NODE reads it
	"$LAB" exec "$1" -- "$L" /dev/vdb1 show
}
counter() { show "$1" | sed -n 's/.* counter=\([0-9]*\) .*/\1/p'; }
current_count() { # how many of node1, node2 logged "current" (0 for a stopped node)
	local n=0 node
	for node in node1 node2; do
		"$LAB" exec "$node" "grep -q current /root/lease.log" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}
some_current() { (($(current_count) >= 1)); }
# renewed NODE N: the counter NODE reads moved N past $C0.
renewed() { (($(counter "$1") >= C0 + $2)); }

@test "lease: node1 and node2 race for current; exactly one is, seen alike from both; a power cut of it hands over; back, it stays waiting" {
	local holder other
	lab_exec node1 "dd if=/dev/zero of=/dev/vdb1 bs=4096 seek=2 count=1 oflag=direct status=none"
	show node1 | grep -q '^holder=none counter=0 ' || false
	hold node1
	hold node2
	wait_for 60 some_current
	C0=$(counter node1)
	# Ten renewals (over three lease times) later: still one, both agree.
	wait_for 120 renewed node2 10
	assert "$(current_count)" == 1 "servers current"
	holder=$(show node1 | sed -n 's/^holder=\([a-z0-9]*\) .*/\1/p')
	assert "$holder" =~ "^node[12]$" "holder as node1 reads it"
	assert "$(show node2 | cut -d' ' -f1)" == "holder=$holder" "holder as node2 reads it"
	lab_exec "$holder" "grep -c current /root/lease.log"
	other=node$((3 - ${holder#node}))
	lab_exec 1 "$other" "grep -q current /root/lease.log"
	# The holder's power cut: the other takes over after the lease time.
	run_lab cut "$holder"
	wait_for 120 "$LAB" exec "$other" "grep -q 'current $other' /root/lease.log"
	assert "$(show "$other" | cut -d' ' -f1)" == "holder=$other" "holder after the cut"
	# Back, the old holder waits: the other renews, it never becomes current.
	run_lab start "$holder"
	hold "$holder"
	C0=$(counter "$holder")
	wait_for 120 renewed "$holder" 10
	lab_exec 1 "$holder" "grep -q current /root/lease.log"
	assert "$(show "$holder" | cut -d' ' -f1)" == "holder=$other" "holder as the restarted node reads it"
	assert "$(show "$other" | cut -d' ' -f1)" == "holder=$other" "holder as the current node reads it"
	lab_exec "$other" "! grep -q lost /root/lease.log"
}

@test "lease: node3's own cluster partition has no lease; a corrupt record is refused on the shared disk" {
	run_lab exec node3 -- "$L" /dev/vdb1 show
	assert "$output" == "holder=none counter=0 lease_ms=0" "node3's record"
	lab_exec node1 'kill $(cat /root/lease.pid)'
	lab_exec node2 'kill $(cat /root/lease.pid)'
	lab_exec node1 "printf garbage | dd of=/dev/vdb1 bs=4096 seek=2 conv=sync oflag=direct status=none"
	run_lab 4 exec node2 -- "$L" /dev/vdb1 acquire node2 "$LEASE_MS"
	assert_contains "$output" "no lease record at offset 8192"
}

@test "clphdinit on the shared disk: node1 initialises it, node2 reads it; refused on node2 while node1 is current" {
	local env="CLP_CONF=$REPO/userland/conf/examples/lab-hybrid-clp.conf"
	# After the corrupt record above: not a lease, rewritten by force.
	lab_exec node1 "$env CLP_SERVER=node1 $REPO/userland/bin/clphdinit --create force hd1"
	assert_contains "$output" "hd1: cluster partition /dev/vdb1 initialised"
	lab_exec node2 "dd if=/dev/vdb1 bs=4096 count=1 iflag=direct status=none | head -c 19 | tail -c 3"
	assert "$output" == hd1 "the resource name node2 reads in the superblock"
	show node2 | grep -q '^holder=none ' || false
	hold node1
	wait_for 60 "$LAB" exec node1 "grep -q 'current node1' /root/lease.log"
	run_lab 5 exec node2 "$env CLP_SERVER=node2 $REPO/userland/bin/clphdinit --create force hd1"
	assert_contains "$output" "node1 is the current server of svg1"
	lab_exec node1 'kill $(cat /root/lease.pid)'
}

@test "bad input: --hybrid with another node count, images of a shared disk while a sharer runs" {
	CLPLAB_NAME=t$$-57x run_lab 2 up --hybrid --nodes 2
	assert_contains "$output" "up: --hybrid is 3 nodes, not --nodes 2"
	run_lab cut node1
	run_lab 1 save node1 mirror "$BATS_FILE_TMPDIR/g1.img"
	assert_contains "$output" "save: node2 is running and shares node1's mirror disk: stop it first"
	[ ! -e "$BATS_FILE_TMPDIR/g1.img" ]
	run_lab 1 new-disk node1
	assert_contains "$output" "new-disk: node2 is running and shares node1's mirror disk"
	# The system layer is node1's own: saved while node2 runs.
	run_lab save node1 root "$BATS_FILE_TMPDIR/r1.img"
	run_lab cut node2
	run_lab save node1 mirror "$BATS_FILE_TMPDIR/g1.img"
	cmp "$BATS_FILE_TMPDIR/g1.img" "$(readlink -f "$("$LAB" disk node2)")"
	run_lab restore node2 mirror "$BATS_FILE_TMPDIR/g1.img"
	[ -L "$(dirname "$("$LAB" disk node2)")/mirror.img" ]
	assert "$(readlink -f "$("$LAB" disk node1)")" == "$(readlink -f "$("$LAB" disk node2)")" "still one shared image after restore"
}
