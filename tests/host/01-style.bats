#!/usr/bin/env bats
# check-lane: 2 (scripts/check: runs beside the other host suites)
# Kernel style: every kernel source is checkpatch --strict clean and sparse
# clean (scripts/checkpatch; checkpatch.pl comes from linux-source-6.1).

load helpers

@test "kernel sources are checkpatch --strict and sparse clean" {
	command -v sparse >/dev/null || skip "sparse is not installed (scripts/deps installs it)"
	[ -d "/lib/modules/$(ls /lib/modules 2>/dev/null | sort -V | tail -n 1)/build" ] ||
		skip "no kernel build tree (linux-headers-amd64)"
	run "$REPO/scripts/checkpatch"
	assert_success
	refute_output --partial "WARNING"
	refute_output --partial "ERROR"
}
