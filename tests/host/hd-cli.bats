#!/usr/bin/env bats
# clphdinit, clphdstat and clphdctrl on the host (Documentation/commands.md,
# Documentation/hybrid.md):
# the hybrid lab example with its partitions as image files; the group's
# lease taken first (a live current server of the group refuses it), the
# node id of the server group, bad input refused before any change.

load md-helpers

HEX=$REPO/userland/conf/examples/lab-hybrid-clp.conf
L=$REPO/tests/host/bin/hd-lease

setup_file() {
	md_build_units
	make -s -C "$REPO/tests/lab/tools" >&2
}

setup() {
	CONF=$BATS_TEST_TMPDIR/clp.conf
	CP=$BATS_TEST_TMPDIR/cp.img
	sed -e "s|/dev/vdb1|$CP|; s|/dev/vdb2|$BATS_TEST_TMPDIR/dp.img|" "$HEX" >"$CONF"
	export CLP_CONF=$CONF CLP_SERVER=node1
	truncate -s 64M "$CP"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
}

teardown() {
	[ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null || true
}

# hold_lease NODE: NODE takes svg1's lease and renews it (hd-lease hold, in
# the background) until stop_holder.
hold_lease() {
	"$L" "$CP" hold "$1" 500 >"$BATS_TEST_TMPDIR/h" 2>&1 &
	HOLDER=$!
	until_grep 10 current "$BATS_TEST_TMPDIR/h" || true
	grep -q "current $1" "$BATS_TEST_TMPDIR/h"
}
stop_holder() {
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null || true
	HOLDER=
}

# sb NAME|NODE: the superblock's resource name / node id.
sb() {
	case $1 in
	name) dd if="$CP" bs=1 skip=16 count=16 status=none | tr -d '\0' ;;
	node) od -An -tu4 -j48 -N4 "$CP" | tr -d ' ' ;;
	esac
}

@test "clphdinit --create: the group's node id, from node1 and node3; the lease is free afterwards" {
	run "$B/clphdinit" --create normal hd1
	assert_success
	assert_output --partial "hd1: cluster partition $CP initialised"
	assert_equal "$(sb name)" hd1
	assert_equal "$(sb node)" 0
	run "$L" "$CP" show
	assert_output "holder=none counter=0 lease_ms=0"
	CLP_SERVER=node3 run "$B/clphdinit" --create force hd1
	assert_success
	assert_equal "$(sb node)" 1
	# A stale lease (a holder that does not renew) is waited out.
	"$L" "$CP" acquire node2 500
	CLP_SERVER=node1 run "$B/clphdinit" --create force hd1
	assert_success
	assert_equal "$(sb node)" 0
	run "$L" "$CP" show
	assert_output --regexp "^holder=none "
}

@test "clphdinit: refused while another server of the group is current; nothing written" {
	run "$B/clphdinit" --create force hd1
	assert_success
	hold_lease node2
	cp "$CP" "$BATS_TEST_TMPDIR/before"
	run "$B/clphdinit" --create force hd1
	assert_failure 5
	assert_output --partial "hd1: $CP: node2 is the current server of svg1: run clphdinit there"
	stop_holder
	# Only the lease record moved (node2's renewals): the superblock and
	# the rest are as before.
	cmp -n 8192 "$CP" "$BATS_TEST_TMPDIR/before"
	cmp -i 12288 "$CP" "$BATS_TEST_TMPDIR/before"
}

@test "clphdinit: bad input exits 2 or 4, nothing written" {
	local before
	before=$(md5sum <"$CP")
	run "$B/clphdinit" hd1
	assert_failure 2
	assert_output --partial "missing --create normal|quick|force"
	run "$B/clphdinit" --create fast hd1
	assert_failure 2
	assert_output --partial "--create: 'fast' is not one of normal, quick, force"
	run "$B/clphdinit" --create force md01
	assert_failure 2
	assert_output --partial "'md01' is not a hybrid disk resource name"
	run "$B/clphdinit" --create force
	assert_failure 2
	assert_output --partial "missing the hybrid disk resource name"
	run "$B/clphdinit" --create force hd1 hd2
	assert_failure 2
	assert_output --partial "unexpected argument 'hd2'"
	run "$B/clphdinit" --create force hd2
	assert_failure 2
	assert_output --partial "hd2: no such hybrid disk resource"
	CLP_SERVER=node9 run "$B/clphdinit" --create force hd1
	assert_failure 4
	assert_output --partial "server node9 is in neither of its server groups (svg1, svg2)"
	sed -i 's/<servergroup name="svg2"\/>//' "$CONF"
	run "$B/clphdinit" --create force hd1
	assert_failure 4
	assert_output --partial "a hybrid disk needs exactly two server groups"
	assert_equal "$(md5sum <"$CP")" "$before"
	run "$B/clphdinit" --create force --check hd1
	assert_failure 4
}

@test "clphdstat --mirror: this group's current server from its lease; not current here: where the mirror runs; -a: every server; --json" {
	run "$B/clphdinit" --create force hd1
	assert_success
	run "$B/clphdstat" --mirror hd1
	assert_success
	assert_output --partial "No current server in this server group"
	run "$B/clphdstat" --mirror hd1 --json
	assert_success
	assert_equal "$(jq -r '.current, .server_group, .groups[0].current_server, .groups[1].server_group' <<<"$output" | tr '\n' ' ')" "false svg1 none svg2 "
	"$L" "$CP" acquire node2 500
	run "$B/clphdstat" -a --mirror hd1 --json
	assert_success
	assert_equal "$(jq -r '.groups[0].current_server' <<<"$output")" node2
	assert_equal "$(jq -r '[.groups[0].servers[] | .server + "=" + .current] | join(" ")' <<<"$output")" "node1=no node2=yes"
	assert_equal "$(jq -r '[.groups[1].servers[] | .server + "=" + .current] | join(" ")' <<<"$output")" "node3=unknown"
	run "$B/clphdstat" --mirror hd1
	assert_output --partial "Runs on node2, the current server of svg1 (run clphdstat there)"
}

@test "clphdinit --backup on|off, --restore, --create skip-copy (no cluster service): under the group's lease; clphdstat shows backup_mode; refused while another server is current" {
	run "$B/clphdinit" --create force hd1
	assert_success
	run "$B/clphdstat" --mirror hd1 --json
	assert_equal "$(jq -r .backup_mode <<<"$output")" off
	run "$B/clphdinit" --backup on --check hd1
	assert_success
	assert_equal "$(jq -r .backup_mode <<<"$("$B/clphdstat" --mirror hd1 --json)")" off "after --check"
	run "$B/clphdinit" --backup on hd1
	assert_success
	assert_output --partial "hd1: cluster partition $CP switched to backup mode"
	# a member of the group reads it from the shared partition
	CLP_SERVER=node2 run "$B/clphdstat" --mirror hd1 --json
	assert_equal "$(jq -r .backup_mode <<<"$output")" on
	run "$L" "$CP" show
	assert_output --regexp "^holder=none "
	# another member current: refused, nothing written
	hold_lease node2
	run "$B/clphdinit" --backup off hd1
	assert_failure 5
	assert_output --partial "node2 is the current server of svg1"
	stop_holder
	assert_equal "$(jq -r .backup_mode <<<"$("$B/clphdstat" --mirror hd1 --json)")" on "after the refusal"
	run "$B/clphdinit" --backup off hd1
	assert_success
	assert_output --partial "returned from backup mode to normal mode"
	assert_equal "$(jq -r .backup_mode <<<"$("$B/clphdstat" --mirror hd1 --json)")" off
	run "$B/clphdinit" --restore hd1
	assert_success
	assert_output --partial "marked as restored from a disk image"
	# skip-copy needs fullcopy and mkfs 0
	run "$B/clphdinit" --create skip-copy hd1
	assert_failure
	assert_output --partial "fullcopy"
	assert_output --partial "resource/hd@hd1/parameters/fullcopy"
	sed -i 's|<fs>ext4</fs>|<fs>ext4</fs><fullcopy>0</fullcopy>|' "$CONF"
	run "$B/clphdinit" --create skip-copy hd1
	assert_success
	run "$B/clphdinit" --backup maybe hd1
	assert_failure 2
	assert_output --partial "--backup: 'maybe' is not one of on, off"
	run "$B/clphdinit" --backup on --restore hd1
	assert_failure 2
	assert_output --partial "--create, --backup and --restore cannot be used together"
}

@test "clphdstat --list: the hybrid disks this server is a member of" {
	run "$B/clphdstat" --list
	assert_success
	assert_output "<hd1>"
	run "$B/clphdstat" --list --json
	assert_equal "$(jq -r '.resources | join(" ")' <<<"$output")" hd1
	CLP_SERVER=node9 run "$B/clphdstat" --list
	assert_success
	assert_output ""
	run "$B/clphdstat" --list hd1
	assert_failure 2
	assert_output --partial "--list takes no resource"
}

@test "clphdstat: bad input exits 2 with the reason" {
	local -a cases=(
		"|give --mirror <hd> or --list"
		"--mirror|missing the hybrid disk resource name"
		"--mirror hd1 extra|unexpected argument 'extra'"
		"--mirror md01|is not a hybrid disk resource name"
		"--mirror hd9|hd9: no such hybrid disk resource"
		"--bogus|Usage: clphdstat"
	)
	local c args msg
	for c in "${cases[@]}"; do
		IFS='|' read -r args msg <<<"$c"
		# shellcheck disable=SC2086 # the arguments, split
		run "$B/clphdstat" $args
		assert_equal "$status" 2
		assert_output --partial "$msg"
	done
}

@test "clphdctrl: runs only on the group's current server; elsewhere exit 5 naming it; nothing changes" {
	local before
	run "$B/clphdinit" --create force hd1
	assert_success
	before=$(md5sum <"$CP")
	# no current server in svg1
	run "$B/clphdctrl" --break hd1
	assert_failure 5
	assert_output --partial "hd1: svg1 has no current server"
	assert_equal "$(md5sum <"$CP")" "$before" "the cluster partition is unchanged"
	# another member of the group is current
	"$L" "$CP" acquire node2 500
	before=$(md5sum <"$CP")
	for a in "--break hd1" "--recovery hd1" "--force node3 hd1" "--active hd1" "--resize 1G hd1"; do
		# shellcheck disable=SC2086 # the arguments, split
		run "$B/clphdctrl" $a
		assert_failure 5
		assert_output --partial "hd1: node2 is the current server of svg1, not node1: run clphdctrl there"
	done
	assert_equal "$(md5sum <"$CP")" "$before" "the cluster partition is unchanged"
	# this server is current, the resource is not in a driver (no module
	# on the host: exit 3; with one: 5, "not configured in the liscal driver")
	"$L" "$CP" acquire node1 500
	run "$B/clphdctrl" --break hd1
	[[ $status == 3 || $status == 5 ]] || fail "exit status $status, want 3 or 5"
	assert_output --regexp "liscal module is not loaded|not configured in the liscal driver"
}

@test "clphdctrl: bad input exits 2 or 4 with the reason" {
	run "$B/clphdinit" --create force hd1
	assert_success
	"$L" "$CP" acquire node1 500
	local -a cases=(
		"|give one of --active, --deactive"
		"hd1|give one of --active, --deactive"
		"--break|missing the hybrid disk resource name (e.g. hd1)"
		"--break hd1 extra|unexpected argument 'extra'"
		"--break md01|is not a hybrid disk resource name"
		"--break hd9|hd9: no such hybrid disk resource"
		"--break --recovery hd1|give only one of"
		"--break -nomount hd1|-nomount goes with --active only"
		"--break -force hd1|-force goes with --active or --resize only"
		"--resize hd1|--resize needs the new size and the hybrid disk (--resize 500G hd1)"
		"--resize 12Q hd1|unknown unit"
		"--resize 1001 hd1|not a multiple of 4 KiB"
		"--force node9 hd1|node9: no such server in $CONF (servers of hd1: node1, node2, node3)"
		"--updatekey hd1|mirror communication is not encrypted"
		"--bogus|Usage: clphdctrl"
	)
	local c args msg
	for c in "${cases[@]}"; do
		IFS='|' read -r args msg <<<"$c"
		# shellcheck disable=SC2086 # the arguments, split
		run "$B/clphdctrl" $args
		assert_equal "$status" 2 "clphdctrl $args"
		assert_output --partial "$msg"
	done
	CLP_SERVER=node9 run "$B/clphdctrl" --break hd1
	assert_failure 4
	assert_output --partial "server node9 is in neither of its server groups (svg1, svg2)"
	sed -i 's/<servergroup name="svg2"\/>//' "$CONF"
	run "$B/clphdctrl" --break hd1
	assert_failure 4
	assert_output --partial "a hybrid disk needs exactly two server groups"
}
