#!/usr/bin/env bats
# The lease of a hybrid disk's current server (userland/lib/clp_hd_lease.c,
# Documentation/hybrid.md) on a file standing for the shared cluster
# partition, through the test tool hd-lease: the takeover rule, a race of
# two servers, a dead holder, corrupt records and bad arguments.

load helpers

L=$REPO/tests/host/bin/hd-lease

setup_file() {
	make -s -C "$REPO/userland" >&2
	make -s -C "$REPO/tests/lab/tools" >&2
}

setup() {
	CP=$BATS_TEST_TMPDIR/cp.img
	truncate -s 4M "$CP"
}

teardown() {
	local p
	for p in ${HOLDERS:-}; do
		kill "$p" 2>/dev/null || true
	done
}

@test "hd-lease: a free record is taken at once; a renewing holder keeps it, another server is refused" {
	run "$L" "$CP" show
	assert_success
	assert_output "holder=none counter=0 lease_ms=0"
	"$L" "$CP" hold node1 500 >"$BATS_TEST_TMPDIR/h1" 2>&1 &
	HOLDERS=$!
	until_grep 10 "current node1" "$BATS_TEST_TMPDIR/h1"
	run "$L" "$CP" acquire node2 500
	assert_failure 1
	assert_output --partial "the lease is held by node1 (renewed)"
	run "$L" "$CP" show
	assert_output --regexp "^holder=node1 counter=[0-9]+ lease_ms=500$"
	run "$L" "$CP" release node2
	assert_failure 3
	assert_output --partial "node2 does not hold the lease (holder: node1)"
}

@test "hd-lease: a dead holder is taken over after its lease time; it learns it lost the lease" {
	local t0
	run "$L" "$CP" acquire node1 500
	assert_success
	t0=$(date +%s%N)
	run "$L" "$CP" acquire node2 500
	assert_success
	assert_output "current node2"
	# 1.5 lease times of waiting, and the settle time after the write.
	(($(date +%s%N) - t0 >= 1250000000))
	run "$L" "$CP" release node1
	assert_failure 3
	assert_output --partial "node1 does not hold the lease (holder: node2)"
	run "$L" "$CP" release node2
	assert_success
	run "$L" "$CP" show
	assert_output --regexp "^holder=none "
}

@test "hd-lease: two servers racing for a free lease, both renewing: exactly one is ever current" {
	local i n h
	for i in 1 2 3; do
		truncate -s 0 "$CP" && truncate -s 4M "$CP"
		: >"$BATS_TEST_TMPDIR/r1" && : >"$BATS_TEST_TMPDIR/r2"
		"$L" "$CP" hold node1 500 >"$BATS_TEST_TMPDIR/r1" 2>&1 &
		HOLDERS=$!
		"$L" "$CP" hold node2 500 >"$BATS_TEST_TMPDIR/r2" 2>&1 &
		HOLDERS="$HOLDERS $!"
		until_grep 10 current "$BATS_TEST_TMPDIR/r1" "$BATS_TEST_TMPDIR/r2"
		# Several lease times later, still one: the other keeps waiting.
		sleep 3
		n=$(cat "$BATS_TEST_TMPDIR/r1" "$BATS_TEST_TMPDIR/r2" | grep -c current)
		[ "$n" = 1 ] || {
			echo "round $i: $n servers current: $(cat "$BATS_TEST_TMPDIR"/r?)"
			false
		}
		! grep -qs lost "$BATS_TEST_TMPDIR"/r? || false
		h=$(grep -l current "$BATS_TEST_TMPDIR"/r?)
		run "$L" "$CP" show
		assert_output --regexp "^holder=node${h: -1} "
		kill $HOLDERS
		wait $HOLDERS 2>/dev/null || true
		HOLDERS=
	done
}

@test "bad lease record: not a lease, a wrong checksum: refused, nothing written" {
	printf 'garbage' | dd of="$CP" bs=1 seek=8192 conv=notrunc status=none
	cp "$CP" "$BATS_TEST_TMPDIR/before"
	run "$L" "$CP" acquire node1 500
	assert_failure 4
	assert_output --partial "no lease record at offset 8192 (magic 0x62726167, not 0x534c4448)"
	cmp "$CP" "$BATS_TEST_TMPDIR/before"
	truncate -s 0 "$CP" && truncate -s 4M "$CP"
	run "$L" "$CP" acquire node1 500
	assert_success
	printf 'X' | dd of="$CP" bs=1 seek=$((8192 + 40)) conv=notrunc status=none
	cp "$CP" "$BATS_TEST_TMPDIR/before"
	run "$L" "$CP" show
	assert_failure 4
	assert_output --partial "lease record checksum mismatch (corrupt record)"
	run "$L" "$CP" acquire node2 500
	assert_failure 4
	cmp "$CP" "$BATS_TEST_TMPDIR/before"
}

@test "hd-lease: bad arguments" {
	run "$L" "$CP" acquire node1 100
	assert_failure 2
	assert_output --partial "bad LEASE_MS '100' (500-600000)"
	run "$L" "$CP" acquire node1 5x
	assert_failure 2
	run "$L" "$CP" acquire "$(printf 'n%.0s' {1..70})" 500
	assert_failure 2
	assert_output --partial "is not a server name for the lease"
	run "$L" "$CP" frob
	assert_failure 2
	assert_output --partial "usage: hd-lease"
	run "$L" "$BATS_TEST_TMPDIR/none" show
	assert_failure 4
	assert_output --partial "none: No such file or directory"
	run "$L" "$CP" show
	assert_output "holder=none counter=0 lease_ms=0"
}
