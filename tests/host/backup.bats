#!/usr/bin/env bats
# clpbackup.sh and clprestore.sh on the host: the real clpmdstat and
# clpmdinit on image files (md_conf), fakes of clpcl, clpstat,
# clpsvcctrl.sh, poweroff and reboot that record their calls; no daemon, no
# liscal module. Bad options and refused states change nothing. The
# procedures themselves, in systemd nodes: tests/lab/long/6*-*.bats.

load md-helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

SCRIPTS=$REPO/userland/scripts

setup_file() {
	md_build_units
}

setup() {
	need_liscal_absent
	unset CLP_CONF CLP_SERVER
	md_conf 's|<mkfs>1<|<mkfs>0<|'
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	"$B/clpmdinit" --create force md01 >/dev/null
	F=$BATS_TEST_TMPDIR/bin
	mkdir -p "$F"
	export CLP_BIN=$F CALLS=$BATS_TEST_TMPDIR/calls CLP_SERVER=node1
	export CLP_POWEROFF=$F/poweroff CLP_REBOOT=$F/reboot
	ln -s "$B/clpmdinit" "$B/clpmdstat" "$B/clphdinit" "$B/clphdstat" "$SCRIPTS/clpbackup.sh" "$SCRIPTS/clprestore.sh" "$F/"
	# clpstat: the service state and the groups in $STAT (no file: the daemon is absent)
	cat >"$F/fake" <<-'EOF2'
		#!/bin/bash
		echo "${0##*/}${*:+ $*}" >>"$CALLS"
		[ "${0##*/}" = clpstat ] || exit 0
		[ -f "$STAT" ] || { echo "clpstat: the daemon is not running" >&2; exit 1; }
		cat "$STAT"
	EOF2
	chmod +x "$F/fake"
	for c in clpcl clpstat clpsvcctrl.sh poweroff reboot; do ln -s fake "$F/$c"; done
	export STAT=$BATS_TEST_TMPDIR/stat
}

# clpstat's text with node1's service and failover1's state.
stat_is() { # stat_is SERVICE GROUP-STATE
	printf '%s\n' " =====  CLUSTER STATUS  =====" "  Cluster : lab" "  <server>" \
		"    node1           : service $1 heartbeat up" \
		"    node2           : service started heartbeat up" "  <group>" \
		"    failover1       : $2" >"$STAT"
}

cp_flags() {
	printf '0x%x' "$(od -An -tu4 -j52 -N4 "$BATS_TEST_TMPDIR/cp.img" | tr -d ' ')"
}

calls() {
	cat "$CALLS" 2>/dev/null || true
}

@test "clpbackup.sh, clprestore.sh: shellcheck clean; --help" {
	if command -v shellcheck >/dev/null; then
		run shellcheck "$SCRIPTS/clpbackup.sh"
		assert_success
	fi
	run "$F/clpbackup.sh" --help
	assert_success
	assert_output --partial "Usage: clpbackup.sh --pre [--no-shutdown | --only-shutdown]"
	run "$F/clprestore.sh" --help
	assert_success
	assert_output --partial "Usage: clprestore.sh --pre"
	assert_output --partial "--post [--skip-copy | --only-reboot]"
}

@test "clpbackup.sh, clprestore.sh: bad options exit 2 naming them, nothing run or changed" {
	stat_is started offline
	before=$(md5sum <"$BATS_TEST_TMPDIR/cp.img")
	local -a bad=(
		"clpbackup.sh|give --pre or --post"
		"clpbackup.sh --pre --post|--pre and --post cannot be used together"
		"clpbackup.sh --pre --no-reboot|--no-reboot cannot be used with --pre"
		"clpbackup.sh --post --no-shutdown|--no-shutdown cannot be used with --post"
		"clpbackup.sh --pre --no-shutdown --only-shutdown|--no-shutdown and --only-shutdown cannot be used together"
		"clpbackup.sh --pre --skip-copy|--skip-copy cannot be used with --pre"
		"clpbackup.sh --pre --force|unknown option '--force'"
		"clprestore.sh --pre --no-shutdown|--no-shutdown cannot be used with --pre"
		"clprestore.sh --pre --only-reboot|--only-reboot cannot be used with --pre"
		"clprestore.sh --post --no-reboot|--no-reboot cannot be used with --post"
		"clprestore.sh --post --skip-copy --only-reboot|--skip-copy and --only-reboot cannot be used together"
		"clprestore.sh md01|unknown option 'md01'"
	)
	for b in "${bad[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$F"/${b%%|*}
		assert_failure 2
		[[ $stderr == *"${b#*|}"* ]] || fail "'${b%%|*}': stderr '$stderr' lacks '${b#*|}'"
	done
	assert_equal "$(calls)" ""
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/cp.img")" "$before"
}

@test "clpbackup.sh --pre --no-shutdown: stop, backup mode, autostart off; --post --no-reboot: back, autostart on, start" {
	stat_is started offline
	run "$F/clpbackup.sh" --pre --no-shutdown
	assert_success
	assert_output --partial "md01: cluster partition $BATS_TEST_TMPDIR/cp.img switched to backup mode"
	assert_equal "$(($(cp_flags) & 0x2))" 2
	assert_equal "$(calls | grep -v '^clpstat')" $'clpcl -t\nclpsvcctrl.sh --disable core'
	: >"$CALLS"
	stat_is stopped offline
	run "$F/clpbackup.sh" --post --no-reboot
	assert_success
	assert_output --partial "returned from backup mode to normal mode"
	assert_equal "$(($(cp_flags) & 0x2))" 0
	assert_equal "$(calls)" $'clpsvcctrl.sh --enable core\nclpcl -s'
}

@test "clpbackup.sh --pre shuts down, --post reboots; --only-*: autostart and power only" {
	rm -f "$STAT" # the daemon is not running: nothing to stop
	run "$F/clpbackup.sh" --pre
	assert_success
	assert_equal "$(calls | grep -v '^clpstat')" $'clpsvcctrl.sh --disable core\npoweroff'
	assert_equal "$(($(cp_flags) & 0x2))" 2
	: >"$CALLS"
	run "$F/clpbackup.sh" --post
	assert_success
	assert_equal "$(calls)" $'clpsvcctrl.sh --enable core\nreboot'
	assert_equal "$(($(cp_flags) & 0x2))" 0
	before=$(md5sum <"$BATS_TEST_TMPDIR/cp.img")
	: >"$CALLS"
	run "$F/clpbackup.sh" --pre --only-shutdown
	assert_success
	assert_equal "$(calls)" $'clpsvcctrl.sh --disable core\npoweroff'
	: >"$CALLS"
	run "$F/clpbackup.sh" --post --only-reboot
	assert_success
	assert_equal "$(calls)" $'clpsvcctrl.sh --enable core\nreboot'
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/cp.img")" "$before"
}

@test "clpbackup.sh --pre: a group running here or a service between states is the guide's invalid status; nothing changed" {
	before=$(md5sum <"$BATS_TEST_TMPDIR/cp.img")
	stat_is started "online   on node1"
	run --separate-stderr "$F/clpbackup.sh" --pre --no-shutdown
	assert_failure 5
	[[ $stderr == *"Some invalid status. Check the status of cluster."* ]]
	[[ $stderr == *"a group runs on node1: failover1 (online); stop it first (clpgrp -t)"* ]]
	stat_is suspended "online   on node2"
	run --separate-stderr "$F/clprestore.sh" --pre
	assert_failure 5
	[[ $stderr == *"Some invalid status. Check the status of cluster."* ]]
	[[ $stderr == *"the cluster service on node1 is 'suspended'"* ]]
	assert_equal "$(calls | grep -v '^clpstat' || true)" ""
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/cp.img")" "$before"
	# a group on the other server is no obstacle
	stat_is started "online   on node2"
	run "$F/clpbackup.sh" --pre --no-shutdown
	assert_success
}

@test "clprestore.sh --post: restored copies; --skip-copy refused while fullcopy or mkfs is on, else the cluster partition initialised" {
	"$B/clpmdinit" --backup on md01
	run "$F/clprestore.sh" --post
	assert_success
	f=$(cp_flags)
	assert_equal "$((f & 0x2ee))" 0 "backup, current, peer outdated, split brain, active, forced cleared"
	assert_equal "$((f & 0x110))" $((0x110)) "inconsistent, full copy"
	assert_equal "$(calls)" $'clpsvcctrl.sh --enable core\nreboot'
	: >"$CALLS"
	# the lab example has fullcopy 1: the guide's error, nothing changed
	before=$(md5sum <"$BATS_TEST_TMPDIR/cp.img")
	run --separate-stderr "$F/clprestore.sh" --post --skip-copy
	assert_failure 5
	[[ $stderr == *"md01: Execute the initial mirror construction (fullcopy) and Execute initial mkfs (mkfs) must be disabled for --skip-copy"* ]]
	assert_equal "$(calls)" ""
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/cp.img")" "$before"
	sed -i 's|<fullcopy>1<|<fullcopy>0<|' "$CONF"
	run "$F/clprestore.sh" --post --skip-copy
	assert_success
	assert_output --partial "initialised (skip-copy, node 0"
	assert_equal "$(calls)" $'clpsvcctrl.sh --enable core\nreboot'
	f=$(cp_flags)
	assert_equal "$((f & 0x2ee))" 0
	: >"$CALLS"
	run "$F/clprestore.sh" --pre
	assert_success
	assert_equal "$(calls | grep -v '^clpstat')" $'clpsvcctrl.sh --disable core\npoweroff'
}

@test "hybrid disks (the service stopped): --pre switches the group's shared partition to backup mode, --post back; --restore and --skip-copy on it; --only-* touch nothing" {
	local hcp=$BATS_TEST_TMPDIR/hcp.img
	CONF=$BATS_TEST_TMPDIR/hclp.conf
	sed -e "s|/dev/vdb1|$hcp|; s|/dev/vdb2|$BATS_TEST_TMPDIR/hdp.img|" \
		"$REPO/userland/conf/examples/lab-hybrid-clp.conf" >"$CONF"
	export CLP_CONF=$CONF
	truncate -s 64M "$hcp"
	truncate -s 256M "$BATS_TEST_TMPDIR/hdp.img"
	"$B/clphdinit" --create force hd1 >/dev/null
	rm -f "$STAT"
	run "$F/clpbackup.sh" --pre
	assert_success
	assert_output --partial "hd1: cluster partition $hcp switched to backup mode"
	assert_equal "$(calls | grep -v '^clpstat')" $'clpsvcctrl.sh --disable core\npoweroff'
	CLP_SERVER=node2 run "$B/clphdstat" --mirror hd1 --json
	assert_equal "$(jq -r .backup_mode <<<"$output")" on "seen by node2"
	# the group's other server
	before=$(md5sum <"$hcp")
	: >"$CALLS"
	CLP_SERVER=node2 run "$F/clpbackup.sh" --pre --only-shutdown
	assert_success
	assert_equal "$(calls)" $'clpsvcctrl.sh --disable core\npoweroff'
	assert_equal "$(md5sum <"$hcp")" "$before"
	: >"$CALLS"
	run "$F/clpbackup.sh" --post
	assert_success
	assert_output --partial "returned from backup mode to normal mode"
	assert_equal "$(jq -r .backup_mode <<<"$("$B/clphdstat" --mirror hd1 --json)")" off
	assert_equal "$(calls)" $'clpsvcctrl.sh --enable core\nreboot'
	run "$F/clprestore.sh" --post
	assert_success
	assert_output --partial "hd1: cluster partition $hcp marked as restored"
	run --separate-stderr "$F/clprestore.sh" --post --skip-copy
	assert_failure 5
	[[ $stderr == *"resource/hd@hd1/parameters/fullcopy"* ]]
}

@test "clpbackup.sh: not root exits 6, nothing run" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SCRIPTS/clpbackup.sh" --pre
	assert_failure 6
	assert_output --partial "must be run as root"
	assert_equal "$(calls)" ""
}
