#!/usr/bin/env bats
# The three modules load and unload cleanly in a lab node, register their
# device numbers, and answer the netlink version query.

load helpers

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-mod
	run_lab up --nodes 1 --name "$CLPLAB_NAME"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

K=$KMODS
B=$REPO/userland/bin

clp_version() {
	sed -n 's/.*CLPSTACK_VERSION "\(.*\)"/\1/p' "$REPO/netlink/uapi/clpstack/version.h"
}

@test "liscal registers block major 218 and answers get-version" {
	lab_exec node1 "insmod $K/liscal/liscal.ko"
	lab_exec node1 "grep -w NMP /proc/devices"
	assert_match "$output" "^218 NMP$"
	lab_exec node1 "$B/clpmdstat --version"
	assert_match "$output" "module_version : $(clp_version)"
	assert_match "$output" "major : 218"
	lab_exec node1 "$B/clpmdstat --version --json"
	assert_match "$output" '"major":218'
	lab_exec node1 "rmmod liscal"
	lab_exec node1 "grep -cw NMP /proc/devices || true"
	assert "$output" == "0" "NMP major after rmmod"
}

@test "liscal major is a module parameter; an out-of-range one is refused" {
	lab_exec node1 "insmod $K/liscal/liscal.ko major=231 && grep -w NMP /proc/devices && rmmod liscal"
	assert_match "$output" "^231 NMP$"
	run "$LAB" exec node1 -- insmod "$K/liscal/liscal.ko" major=9999
	assert "$status" != 0 "insmod with major=9999"
	lab_exec node1 "dmesg | tail -n 5"
	assert_match "$output" "major=9999 is out of range"
}

@test "clpkhb and clpka create misc devices 10:253 and 10:254" {
	lab_exec node1 "insmod $K/clpkhb/clpkhb.ko && insmod $K/clpka/clpka.ko"
	lab_exec node1 "stat -c '%t:%T' /dev/clpkhb /dev/clpka"
	assert "$output" == $'a:fd\na:fe' "major:minor (hex) of /dev/clpkhb and /dev/clpka"
	lab_exec node1 "$B/clpkhbctrl --version"
	assert_match "$output" "misc_minor : 253"
	lab_exec node1 "$B/clpkactrl --version"
	assert_match "$output" "misc_minor : 254"
	lab_exec node1 "rmmod clpka && rmmod clpkhb"
	lab_exec node1 "test ! -e /dev/clpkhb && test ! -e /dev/clpka"
}

@test "load and unload leave no WARN, BUG or oops in dmesg" {
	lab_exec node1 "for i in 1 2 3; do for m in liscal clpkhb clpka; do insmod $K/\$m/\$m.ko || exit 1; done; rmmod clpka liscal clpkhb || exit 1; done"
	dmesg_clean node1
}
