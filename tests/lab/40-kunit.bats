#!/usr/bin/env bats
# The KUnit suite of the code liscal shares with userland (tests/kunit/),
# run in a lab node of a kernel with CONFIG_KUNIT: the lab's debug kernel,
# under make check-debug, which builds the test module and sets
# CLP_KUNIT_KO. Debian's kernel has no KUnit, so make check skips this.
# The golden values it asserts are those the host build computes
# (tests/host/unit/test_liscal.c).

load helpers

setup_file() {
	[ -n "${CLP_KUNIT_KO:-}" ] ||
		file_skip "needs a kernel with KUnit and the test module: run make check-debug" ||
		return 0
	[ -f "$CLP_KUNIT_KO" ] ||
		file_skip "no $CLP_KUNIT_KO (make check-debug builds it)" || return 0
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-kunit
	run_lab up --nodes 1 --name "$CLPLAB_NAME"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

R=/sys/kernel/debug/kunit/liscal-shared/results

@test "the liscal-shared KUnit suite passes in the kernel: every case ok, none failed" {
	lab_exec node1 "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug"
	lab_exec node1 "insmod $CLP_KUNIT_KO"
	lab_exec node1 "cat $R"
	local results=$output cases
	cases=$(grep -c 'KUNIT_CASE(' "$REPO/tests/kunit/liscal_kunit.c")
	run grep -cE '^[[:space:]]+ok [0-9]+ ' <<<"$results"
	assert "$output" == "$cases" "KUnit cases ok (of $cases in liscal_kunit.c); results: $results"
	run grep -cE 'not ok' <<<"$results"
	assert "$output" == 0 "KUnit cases not ok; results: $results"
	assert_match "$results" '^ok 1 liscal-shared$' "the suite's own result"
	lab_exec node1 "rmmod liscal_kunit"
	dmesg_clean node1
}
