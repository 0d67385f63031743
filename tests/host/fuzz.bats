#!/usr/bin/env bats
# libFuzzer (clang, ASan, UBSan) over every decoder of outside input shared
# with the kernel: liscal packet headers, HELLO, STATE, SYNC, FORCE, the I/O
# range check and the whole cluster partition superblock; clpkhb heartbeat
# packets. A bounded run of each from its committed corpus (tests/fuzz/
# corpus/); `make fuzz` runs longer. A build failure fails: scripts/deps
# installs clang and its fuzzer runtime.

load helpers

RUNS=${CLP_FUZZ_RUNS:-2000000}

setup_file() {
	command -v clang >/dev/null || return 0
	make -s -C "$REPO/tests/fuzz" >&2
}

# fuzz TARGET: RUNS inputs, new ones into a scratch dir (the committed
# corpus is only read).
fuzz() {
	command -v clang >/dev/null ||
		fail "clang is not installed: run scripts/deps (it installs clang and libclang-rt-14-dev)"
	[ -x "$REPO/tests/host/bin/$1_fuzz" ] || fail "tests/fuzz did not build $1_fuzz (see the make output above)"
	mkdir -p "$BATS_TEST_TMPDIR/new"
	run "$REPO/tests/host/bin/$1_fuzz" -runs="$RUNS" -seed=1 -print_final_stats=1 \
		"$BATS_TEST_TMPDIR/new" "$REPO/tests/fuzz/corpus/$1"
	echo "$output" | grep -E '^(stat::number_of_executed_units|Done|INFO: seed corpus)' >&3 || true
	assert_success
	assert_output --partial "Done $RUNS runs"
	refute_output --partial "ERROR: AddressSanitizer"
	refute_output --partial "runtime error"
}

@test "liscal decoders: libFuzzer run from the committed corpus" {
	fuzz liscal_wire
}

@test "clpkhb packet decoder: libFuzzer run from the committed corpus" {
	fuzz khb_wire
}
