#!/usr/bin/env bats
# Host unit tests of the liscal code shared by the kernel module and
# userland (common/): cluster partition format, bitmap math, wire
# protocol, handshake decision. Built with ASan and UBSan
# (tests/host/unit/Makefile): a sanitizer report fails the test.

load helpers

setup_file() {
	make -s -C "$REPO/tests/host/unit" >&2
}

@test "liscal shared code: unit tests (meta, bitmap, wire)" {
	run "$REPO/tests/host/bin/test_liscal"
	echo "$output" | grep -v '^ok' >&2 || true
	assert_success
	refute_output --partial "not ok"
	# Every planned test reported ok (the plan line 1..N comes last).
	planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' <<<"$output")
	[ -n "$planned" ] || fail "no TAP plan line in the unit test output"
	assert_equal "$(grep -c '^ok ' <<<"$output")" "$planned"
}

@test "liscal shared code: random-input decode harness" {
	run "$REPO/tests/host/bin/fuzz_liscal" 200000 12345
	assert_success
	assert_output --partial "no failures"
}

@test "liscal shared code: harness with another seed" {
	run "$REPO/tests/host/bin/fuzz_liscal" 100000 987654321
	assert_success
}
