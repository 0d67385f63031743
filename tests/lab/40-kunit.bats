#!/usr/bin/env bats
# The KUnit suite of the code liscal shares with userland (tests/kunit/),
# run in a 1-node lab of a kernel with CONFIG_KUNIT. Under make check that
# is the small KUnit kernel of scripts/kunit-kernel (built once per machine,
# cached; make check builds it before the suites, a run of this suite alone
# builds it here), and the test module is built against it in a copy of the
# sources under /var/tmp. make check-debug sets CLP_KUNIT_KO (and the debug
# kernel) instead. The golden values it asserts are those the host build
# computes (tests/host/unit/test_liscal.c).

load helpers

# The KUnit kernel's variables and liscal_kunit.ko built against it, in
# CLP_KUNIT_BUILD (removed by teardown_file).
kunit_kernel_module() {
	local vars
	vars=$("$REPO/scripts/kunit-kernel") || {
		echo "# scripts/kunit-kernel failed: no KUnit kernel" >&2
		return 1
	}
	eval "$vars"
	export CLPLAB_KERNEL CLPLAB_KVER CLPLAB_MODDIR
	export CLPLAB_CACHE=${CLPLAB_CACHE_KUNIT:-/var/tmp/clplab/.cache-kunit}
	CLP_KUNIT_BUILD=$(mktemp -d /var/tmp/clpstack-kunit-ko.XXXXXX)
	export CLP_KUNIT_BUILD
	tar -C "$REPO" -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude=modules.order \
		--exclude=Module.symvers common netlink/uapi tests/kunit |
		tar -C "$CLP_KUNIT_BUILD" -xf -
	make -s -C "$CLP_KUNIT_KDIR" M="$CLP_KUNIT_BUILD/tests/kunit" W=1 modules >&2 || {
		echo "# liscal_kunit.ko did not build against $CLP_KUNIT_KDIR" >&2
		return 1
	}
	export CLP_KUNIT_KO=$CLP_KUNIT_BUILD/tests/kunit/liscal_kunit.ko
}

setup_file() {
	skip_if_no_lab || return 0
	if [ -z "${CLP_KUNIT_KO:-}" ]; then
		kunit_kernel_module || return 1
	fi
	[ -f "$CLP_KUNIT_KO" ] || {
		echo "# no $CLP_KUNIT_KO" >&2
		return 1
	}
	export CLPLAB_NAME=t$$-kunit
	run_lab up --nodes 1 --name "$CLPLAB_NAME"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
	[ -z "${CLP_KUNIT_BUILD:-}" ] || rm -rf "$CLP_KUNIT_BUILD"
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
