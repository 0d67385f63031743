#!/usr/bin/env bats
# Host checks of the build products: no VM needed.

load helpers

@test "every module was built" {
	for m in liscal clpkhb clpka; do
		[ -f "$REPO/kernel/$m/$m.ko" ] || fail "kernel/$m/$m.ko missing"
	done
}

@test "modules carry the release version and the genl family alias" {
	for m in liscal clpkhb clpka; do
		run modinfo -F version "$REPO/kernel/$m/$m.ko"
		assert_equal "$output" "$(sed -n 's/.*CLPSTACK_VERSION "\(.*\)"/\1/p' "$REPO/netlink/uapi/clpstack/version.h")"
		run modinfo -F alias "$REPO/kernel/$m/$m.ko"
		assert_output --partial "net-pf-16-proto-16-family-$m"
	done
}

@test "liscal declares the major module parameter" {
	run modinfo -F parm "$REPO/kernel/liscal/liscal.ko"
	assert_output --partial "major:"
}

@test "UAPI headers and the liscal and clpka per-command policies match the YAML specs" {
	run "$REPO/tests/host/check-uapi.py" "$REPO/netlink"
	assert_success
}

# A range of clp.conf, the UAPI constant it is, the userland check and the
# kernel policy that use the constant, and the schema stating it: one value.
@test "clp.conf ranges: schema, UAPI constants, userland checks and kernel policies agree" {
	run "$REPO/tests/host/check-limits.py" "$REPO"
	assert_success
	assert_output --regexp "^[1-9][0-9]* ranges checked, 0 mismatches$"
}

@test "commands: --help exits 0, unknown option exits 2 naming it" {
	for c in clpmdstat clpkhbctrl clpkactrl clpcl clpgrp clpstat clpstdn clpbwctrl clplogcc; do
		run "$REPO/userland/bin/$c" --help
		assert_success
		assert_output --partial "Usage: $c"
		run "$REPO/userland/bin/$c" --no-such-option
		assert_failure 2
		assert_output --partial "no-such-option"
	done
}

@test "commands: --version without the module says it is not loaded (exit 3)" {
	need_liscal_absent
	run "$REPO/userland/bin/clpmdstat" --version
	assert_failure 3
	assert_output --partial "liscal module is not loaded"
}

@test "clpmgrd refuses a missing configuration file naming it (exit 4)" {
	run "$REPO/userland/bin/clpmgrd" -f -c /nonexistent/clp.conf
	assert_failure 4
	assert_output --partial "/nonexistent/clp.conf"
}

# Bats 1.8 fails a file whose setup_file calls skip; the lab suites use
# file_skip instead (tests/lab/helpers.bash). Run two of them where they
# cannot run: every test must be reported skipped, with the reason, exit 0.
@test "a lab suite that cannot run here skips every test with the reason, and passes" {
	# 40-kunit's setup_file skips before it would build its KUnit kernel.
	run env -u CLP_KUNIT_KO CLPLAB_BIN=/nonexistent/lab bats --tap "$REPO/tests/lab/40-kunit.bats"
	assert_success
	assert_output --partial "# skip no lab script at /nonexistent/lab"
	refute_output --partial "not ok"
	run env CLPLAB_BIN=/nonexistent/lab bats --tap "$REPO/tests/lab/10-modules.bats"
	assert_success
	assert_output --partial "ok 4 "
	assert_output --partial "# skip no lab script at /nonexistent/lab"
	refute_output --partial "not ok"
}

@test "dmesg_clean counts kernel reports from the first clpstack module load of each boot" {
	local log='[    0.000000] Linux version 6.1.0 (x)
[    1.300000] BUG: KASAN: null-ptr-deref in mask_ioapic_irq+0x37/0x130
[    0.000000] Linux version 6.1.0 (x)
[    2.000000] WARNING: CPU: 0 PID: 1 at early.c:1 early+0x1
[   40.000000] liscal: clpstack 0.1.0 loaded, block major 218
[   50.000000] WARNING: CPU: 1 PID: 99 at kernel/liscal/liscal_io.c:10 x+0x1
[    0.000000] Linux version 6.1.0 (x)
[    3.000000] Oops: 0000 [#1] PREEMPT SMP'
	run bash -c "source '$REPO/tests/lab/helpers.bash' 2>/dev/null; _klog_reports after" <<<"$log"
	assert_output "[   50.000000] WARNING: CPU: 1 PID: 99 at kernel/liscal/liscal_io.c:10 x+0x1"
	run bash -c "source '$REPO/tests/lab/helpers.bash' 2>/dev/null; _klog_reports before" <<<"$log"
	assert_line --index 0 --partial "mask_ioapic_irq"
	assert_line --index 1 --partial "early.c:1"
	assert_line --index 2 --partial "Oops"
}
