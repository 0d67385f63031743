#!/usr/bin/env bats
# check-lane: 2 (scripts/check: runs beside the other host suites)
# libFuzzer (Debian's clang, ASan, UBSan) over every decoder of outside
# input (Documentation/fuzzing.md): liscal packets (header of every type,
# HELLO, STATE, SYNC, FORCE, the I/O range check), the handshake decision
# from two HELLOs, the whole cluster partition (superblock against the
# configuration's expectations, then its bitmap), clpkhb heartbeat packets
# (with and without a key) and clp.conf. A bounded run of each from its
# committed corpus (tests/fuzz/corpus/); `make fuzz` runs longer. A build
# failure or a missing clang fails, never skips: scripts/deps installs
# clang and its fuzzer runtime.
#
# CLP_FUZZ_SECONDS (default 6) bounds each run. Crash inputs are kept in
# $CLP_CHECK_LOG/fuzz/ (default /var/tmp/clpstack-check/fuzz/).

load helpers

SECONDS_EACH=${CLP_FUZZ_SECONDS:-6}
ARTIFACTS=${CLP_CHECK_LOG:-/var/tmp/clpstack-check}/fuzz

setup_file() {
	command -v clang >/dev/null ||
		{ echo "clang is not installed: run scripts/deps (clang, libclang-rt-14-dev)" >&2; return 1; }
	# A compile error fails every test of the suite (bats: setup_file failed).
	make -s -C "$REPO/tests/fuzz" >&2
}

# fuzz TARGET: SECONDS_EACH seconds from the committed corpus, new inputs
# into a scratch dir (the committed corpus is only read).
fuzz() {
	local t=$1 bin=$REPO/tests/host/bin/$1_fuzz execs
	[ -x "$bin" ] || fail "tests/fuzz did not build ${t}_fuzz"
	mkdir -p "$BATS_TEST_TMPDIR/new" "$ARTIFACTS"
	[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] &&
		export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
	run "$bin" -max_total_time="$SECONDS_EACH" -seed=1 -print_final_stats=1 \
		-artifact_prefix="$ARTIFACTS/$t-" "$BATS_TEST_TMPDIR/new" "$REPO/tests/fuzz/corpus/$t"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$output")
	echo "# $t: ${execs:-0} executions in $SECONDS_EACH s from $(ls "$REPO/tests/fuzz/corpus/$t" | wc -l) corpus files" >&3
	if [ "$status" -ne 0 ]; then
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|#[0-9]+ 0x' <<<"$output" | head -40 >&2
		fail "$t: libFuzzer found a failure; reproduce with: $bin $ARTIFACTS/$t-<crash file>"
	fi
	refute_output --partial "ERROR: AddressSanitizer"
	refute_output --partial "runtime error"
	assert_output --partial "INITED"
	# It ran: every corpus input and then some (not an empty loop).
	[ "${execs:-0}" -ge 1000 ] || fail "$t: only ${execs:-0} executions"
}

@test "fuzz liscal packets: every type's header, HELLO, STATE, SYNC, FORCE, I/O range" {
	fuzz liscal_wire
}

@test "fuzz liscal handshake: both sides name the same source for any two HELLOs" {
	fuzz liscal_handshake
}

@test "fuzz liscal cluster partition: superblock against expectations, then its bitmap" {
	fuzz liscal_meta
}

@test "fuzz clpkhb heartbeat packets, with and without a key" {
	fuzz khb_wire
}

@test "fuzz clp.conf: schema, mirror disk and heartbeat models" {
	fuzz clp_conf
}

@test "fuzz a hybrid disk's lease record (shared cluster partition)" {
	fuzz clp_hd_lease
}
