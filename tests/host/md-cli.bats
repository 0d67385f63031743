#!/usr/bin/env bats
# clpmdctrl, clpmdstat, clpmdinit on the host: argument checking (before any
# change), exit codes, messages; clpmdinit on image files with the driver's
# own format code. No VM: the liscal module is never loaded here.

load md-helpers

setup_file() {
	md_build_units
}

setup() {
	unset CLP_CONF CLP_SERVER
	md_conf
}

@test "cli: --help of each command exits 0 with its usage" {
	for c in clpmdctrl clpmdstat clpmdinit; do
		run "$B/$c" --help
		assert_success
		assert_output --partial "Usage: $c"
		run "$B/$c" -h
		assert_success
	done
}

@test "cli: unknown option exits 2 naming it" {
	for c in clpmdctrl clpmdstat clpmdinit; do
		run "$B/$c" --bogus md01
		assert_failure 2
		assert_output --partial "bogus"
	done
}

@test "clpmdctrl: no action" {
	run "$B/clpmdctrl" md01
	assert_failure 2
	assert_output --partial "give one of --active, --deactive, --break, --recovery, --force, --cancel"
}

@test "clpmdctrl: two actions" {
	run "$B/clpmdctrl" --active --break md01
	assert_failure 2
	assert_output --partial "give only one of"
	run "$B/clpmdctrl" -r -c md01
	assert_failure 2
}

@test "clpmdctrl: missing resource name" {
	for a in --active --deactive --break --recovery --force --cancel -a -d -b -r -f -c; do
		run "$B/clpmdctrl" $a
		assert_failure 2
		assert_output --partial "missing the mirror disk resource name"
	done
}

@test "clpmdctrl: extra argument" {
	run "$B/clpmdctrl" --break md01 md02
	assert_failure 2
	assert_output --partial "unexpected argument 'md02'"
	run "$B/clpmdctrl" --force node1 node2 md01
	assert_failure 2
	assert_output --partial "unexpected argument 'md01'"
}

@test "clpmdctrl: resource name with a bad syntax" {
	run "$B/clpmdctrl" --recovery "md01'"
	assert_failure 2
	assert_output --partial "is not a mirror disk resource name"
}

@test "clpmdctrl: unknown resource md09 names clp.conf" {
	for a in --active --deactive --break --recovery --cancel --updatekey; do
		run "$B/clpmdctrl" $a md09
		assert_failure 2
		assert_output "clpmdctrl: md09: no such mirror disk resource in $CONF"
	done
}

@test "clpmdctrl: --force from a server that is not in clp.conf" {
	run "$B/clpmdctrl" --force node3 md01
	assert_failure 2
	assert_output "clpmdctrl: node3: no such server in $CONF (servers of md01: node1, node2)"
}

@test "clpmdctrl: --updatekey of a mirror disk that is not encrypted" {
	run "$B/clpmdctrl" --updatekey md01
	assert_failure 2
	assert_output "clpmdctrl: md01: mirror communication is not encrypted (mddriver/crypto/use 0): there is no key to update"
}

@test "clpmdctrl: --resize sizes the guide's way; bad ones refused with the reason" {
	run "$B/clpmdctrl" --resize md01
	assert_failure 2
	assert_output --partial "--resize needs the new size and the mirror disk"
	run "$B/clpmdctrl" --resize 12X md01
	assert_failure 2
	assert_output --partial "size '12X': unknown unit 'X'"
	run "$B/clpmdctrl" --resize 500GB md01
	assert_failure 2
	assert_output --partial "unknown unit 'GB'"
	run "$B/clpmdctrl" --resize G md01
	assert_failure 2
	assert_output --partial "expected a number of bytes"
	run "$B/clpmdctrl" --resize 1000 md01
	assert_failure 2
	assert_output --partial "(1000 bytes) is not a multiple of 4 KiB"
	run "$B/clpmdctrl" --resize 0 md01
	assert_failure 2
	assert_output --partial "out of range"
	run "$B/clpmdctrl" --resize 99999999T md01
	assert_failure 2
	assert_output --partial "out of range"
	run "$B/clpmdctrl" --resize 500G 600G md01
	assert_failure 2
	assert_output --partial "unexpected argument 'md01'"
	# a valid size goes on to the resource (not configured here)
	run "$B/clpmdctrl" --resize -force 1022M md99
	assert_failure
	refute_output --partial "size"
}

@test "clpmdctrl: -nomount and -force only with --active" {
	run "$B/clpmdctrl" --deactive -nomount md01
	assert_failure 2
	assert_output --partial "-nomount goes with --active only"
	run "$B/clpmdctrl" --break -force md01
	assert_failure 2
	assert_output --partial "-force goes with --active or --resize only"
}

@test "clpmdctrl: not root exits 6 and changes nothing" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$B/clpmdctrl" --break md01
	assert_failure 6
	assert_output --partial "must be run as root"
}

@test "clpmdinit: not root exits 6" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$B/clpmdinit" --create force md01
	assert_failure 6
}

@test "clpmdctrl: module not loaded exits 3 with a clear message" {
	need_liscal_absent
	for a in "--active" "--active -nomount" "--deactive" "--break" "--recovery" "--force" \
		"--force node2" "--cancel"; do
		run "$B/clpmdctrl" $a md01
		assert_failure 3
		assert_output --partial "the liscal module is not loaded"
	done
}

@test "clpmdstat: module not loaded exits 3" {
	need_liscal_absent
	run "$B/clpmdstat" --mirror md01
	assert_failure 3
	assert_output --partial "the liscal module is not loaded"
	run "$B/clpmdstat" --counters md01 --json
	assert_failure 3
	assert_output --partial "the liscal module is not loaded"
}

@test "clpmdstat: argument errors" {
	run "$B/clpmdstat"
	assert_failure 2
	assert_output --partial "give one of --mirror, --counters, --list, --version"
	run "$B/clpmdstat" --mirror
	assert_failure 2
	assert_output --partial "--mirror: missing the mirror disk resource name"
	run "$B/clpmdstat" -m md01 -l
	assert_failure 2
	assert_output --partial "give only one of"
	run "$B/clpmdstat" -m md01 md02
	assert_failure 2
	assert_output --partial "unexpected argument 'md02'"
	run "$B/clpmdstat" -m md09
	assert_failure 2
	assert_output "clpmdstat: md09: no such mirror disk resource in $CONF"
	run "$B/clpmdstat" --list md01
	assert_failure 2
}

@test "clpmdstat --counters: argument errors and unknown resource" {
	run "$B/clpmdstat" --counters
	assert_failure 2
	assert_output --partial "--counters: missing the mirror disk resource name"
	run "$B/clpmdstat" --counters md01 md02
	assert_failure 2
	assert_output --partial "unexpected argument 'md02'"
	run "$B/clpmdstat" -c md01 -m md01
	assert_failure 2
	assert_output --partial "give only one of --mirror, --counters"
	run "$B/clpmdstat" --counters md09 --json
	assert_failure 2
	assert_output "clpmdstat: md09: no such mirror disk resource in $CONF"
	run "$B/clpmdstat" --counters 'md/01'
	assert_failure 2
	run "$B/clpmdstat" --counters=md01
	assert_failure 2
}

@test "clpmdstat --list: guide's <md01> form and JSON" {
	md_conf 's|</resource>|<md name="md02"><parameters><nmppath>/dev/NMP2</nmppath><diskdev><dppath>/dev/vdc2</dppath><cppath>/dev/vdc1</cppath></diskdev></parameters></md></resource>|'
	run "$B/clpmdstat" --list
	assert_success
	assert_output $'<md01>\n<md02>'
	run "$B/clpmdstat" -l --json
	assert_success
	assert_output '{"resources":["md01","md02"]}'
	run python3 -c 'import json,sys; print(json.load(sys.stdin)["resources"][1])' <<<"$output"
	assert_output md02
}

@test "clpmdinit: argument errors" {
	run "$B/clpmdinit" md01
	assert_failure 2
	assert_output --partial "missing --create normal|quick|force"
	run "$B/clpmdinit" --create fast md01
	assert_failure 2
	assert_output "clpmdinit: --create: 'fast' is not one of normal, quick, force, skip-copy"
	run "$B/clpmdinit" --create force
	assert_failure 2
	assert_output --partial "missing the mirror disk resource name"
	run "$B/clpmdinit" --create force md09
	assert_failure 2
	assert_output "clpmdinit: md09: no such mirror disk resource in $CONF"
}

# Superblock magic "LSCP" little-endian at offset 0.
cp_magic() {
	od -An -tx1 -N4 "$BATS_TEST_TMPDIR/cp.img" | tr -d ' '
}

@test "clpmdinit: quick, then normal refuses, quick refuses, force overwrites" {
	md_conf 's|<mkfs>1<|<mkfs>0<|'
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	run "$B/clpmdinit" --create quick md01
	assert_success
	assert_output --partial "md01: cluster partition $BATS_TEST_TMPDIR/cp.img initialised (quick, node 0"
	assert_equal "$(cp_magic)" "5043534c"
	before=$(md5sum < "$BATS_TEST_TMPDIR/cp.img")

	run "$B/clpmdinit" --create normal md01
	assert_failure 5
	assert_output --partial "already holds a valid cluster partition (resource md01, node 0)"
	run "$B/clpmdinit" --create quick md01
	assert_failure 5
	assert_output --partial "is not zeroed"
	assert_equal "$(md5sum < "$BATS_TEST_TMPDIR/cp.img")" "$before"

	run "$B/clpmdinit" --create force md01
	assert_success
	assert_equal "$(cp_magic)" "5043534c"
	refute [ "$(md5sum < "$BATS_TEST_TMPDIR/cp.img")" = "$before" ]
}

@test "clpmdinit: normal over garbage writes a fresh superblock and zeroes the bitmap" {
	md_conf 's|<mkfs>1<|<mkfs>0<|'
	head -c 1M /dev/urandom > "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	run "$B/clpmdinit" --create normal md01
	assert_success
	# Bitmap area [64 KiB, 64 KiB + 4 KiB) must be zero now.
	run sh -c "dd if='$BATS_TEST_TMPDIR/cp.img' bs=4096 skip=16 count=1 2>/dev/null | tr -d '\\0' | wc -c"
	assert_output 0
	# As node2 the superblock says node 1.
	CLP_SERVER=node2 run "$B/clpmdinit" --create force md01
	assert_success
	assert_output --partial "node 1"
}

@test "clpmdinit: cluster partition too small, nothing written" {
	truncate -s 16k "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	run "$B/clpmdinit" --create force md01
	assert_failure 5
	assert_output --partial "cluster partition $BATS_TEST_TMPDIR/cp.img is too small: 16384 bytes"
	assert_equal "$(tr -d '\0' < "$BATS_TEST_TMPDIR/cp.img" | wc -c)" 0
}

@test "clpmdinit: missing data partition" {
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	run "$B/clpmdinit" --create force md01
	assert_failure 1
	assert_output --partial "$BATS_TEST_TMPDIR/dp.img: No such file or directory"
}

@test "clpmdinit: initial mkfs when configured" {
	command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4"
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	run "$B/clpmdinit" --create force md01
	assert_success
	assert_output --partial "creating the ext4 file system on $BATS_TEST_TMPDIR/dp.img"
	run blkid -o value -s TYPE "$BATS_TEST_TMPDIR/dp.img"
	assert_output ext4
}

@test "clpmgrd: a bad md configuration is refused naming the key" {
	md_conf 's|<hbinterval>10<|<hbinterval>0<|'
	# The message and the refusal to run are the mirror agent's; the exit
	# status is main.c's (see the report: it exits 0 after a failed start).
	run timeout 10 "$B/clpmgrd" -f
	assert_output --partial "clpmgrd: $CONF:$(conf_line '<hbinterval>'): resource/md@md01/parameters/hbinterval: 0 is out of range (1-600)"
	assert_output --partial "module mirror failed to start"
	refute_output --partial "clpmgrd started"
}

@test "clpmgrd: a malformed cluster/metrics/listen is refused naming the key" {
	local v
	for v in 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 localhost:9731 1.2.3:80 127.0.0.1:9731x :9731 \
		'127.0.0.1: 80' 10.0.0.1:-5; do
		md_conf "s|<cluster>|<cluster><metrics><listen>$v</listen></metrics>|"
		run timeout 10 "$B/clpmgrd" -f
		assert_failure 1
		assert_output --partial "clpmgrd: metrics 1: $CONF:$(conf_line '<listen>'): cluster/metrics/listen: '$v' is not an IPv4 address and a port 1-65535 (e.g. 127.0.0.1:9731)"
		assert_output --partial "module metrics failed to start"
		refute_output --partial "clpmgrd started"
	done
	md_conf "s|<cluster>|<cluster><metrics><listen>127.0.0.1:1</listen><listen>127.0.0.1:2</listen></metrics>|"
	run timeout 10 "$B/clpmgrd" -f
	assert_failure 1
	assert_output --partial "clpmgrd: metrics 1: $CONF:$(conf_line '<listen>'): cluster/metrics/listen:"
	md_conf "s|<cluster>|<cluster><metrics><port>9731</port></metrics>|"
	run timeout 10 "$B/clpmgrd" -f
	assert_failure 1
	assert_output --partial "cluster/metrics/port: unknown key"
}

# Superblock flags (little-endian u32 at offset 52: liscal_meta.h).
cp_flags() {
	printf '0x%x' "$(od -An -tu4 -j52 -N4 "$BATS_TEST_TMPDIR/cp.img" | tr -d ' ')"
}

@test "clpmdinit --backup on|off, --restore: the flags in the cluster partition, checked, read back" {
	md_conf 's|<mkfs>1<|<mkfs>0<|'
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	run "$B/clpmdinit" --create force md01
	assert_success
	fresh=$(cp_flags)
	(((fresh & 0x2) == 0))
	run "$B/clpmdinit" --backup on md01
	assert_success
	assert_output --partial "md01: cluster partition $BATS_TEST_TMPDIR/cp.img switched to backup mode"
	assert_equal "$(cp_flags)" "$(printf '0x%x' $((fresh | 0x2)))"
	run "$B/clpmdinit" --backup on md01
	assert_success
	assert_output --partial "switched to backup mode (it already was)"
	run "$B/clpmdinit" -b off md01
	assert_success
	assert_output --partial "returned from backup mode to normal mode"
	assert_equal "$(cp_flags)" "$fresh"
	# restored: backup, current, peer outdated, split brain, active, forced
	# cleared; inconsistent and full copy set
	"$B/clpmdinit" --backup on md01
	run "$B/clpmdinit" --restore md01
	assert_success
	assert_output --partial "marked as restored from a disk image"
	f=$(cp_flags)
	assert_equal "$((f & 0x2ec))" 0
	assert_equal "$((f & 0x110))" $((0x110))
	# the other server's cluster partition is refused, unchanged
	before=$(md5sum <"$BATS_TEST_TMPDIR/cp.img")
	CLP_SERVER=node2 run "$B/clpmdinit" --backup on md01
	assert_failure 5
	assert_output --partial "does not hold a valid cluster partition of this resource and server"
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/cp.img")" "$before"
}

@test "clpmdinit --backup/--restore: bad use changes nothing" {
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	run "$B/clpmdinit" --backup maybe md01
	assert_failure 2
	assert_output "clpmdinit: --backup: 'maybe' is not one of on, off"
	run "$B/clpmdinit" --backup on --restore md01
	assert_failure 2
	assert_output --partial "--create, --backup and --restore cannot be used together"
	run "$B/clpmdinit" --restore
	assert_failure 2
	# zeroes: no cluster partition to switch
	run "$B/clpmdinit" --backup on md01
	assert_failure 5
	assert_output --partial "does not hold a valid cluster partition"
	assert_equal "$(tr -d '\0' <"$BATS_TEST_TMPDIR/cp.img" | wc -c)" 0
}

@test "clpmdinit --create skip-copy: refused while fullcopy or mkfs is 1, nothing written; else a fresh partition" {
	truncate -s 64M "$BATS_TEST_TMPDIR/cp.img"
	truncate -s 256M "$BATS_TEST_TMPDIR/dp.img"
	# the example has fullcopy 1 and mkfs 1
	md_conf 's|<mkfs>1<|<mkfs>0<|'
	for a in "--check " ""; do
		# shellcheck disable=SC2086
		run "$B/clpmdinit" --create skip-copy $a md01
		assert_failure 5
		assert_output --partial "md01: Execute the initial mirror construction (fullcopy) and Execute initial mkfs (mkfs) must be disabled for --skip-copy: set resource/md@md01/parameters/fullcopy to 0"
	done
	md_conf 's|<fullcopy>1<|<fullcopy>0<|'
	run "$B/clpmdinit" --create skip-copy md01
	assert_failure 5
	assert_output --partial "parameters/mkfs to 0"
	assert_equal "$(tr -d '\0' <"$BATS_TEST_TMPDIR/cp.img" | wc -c)" 0
	sed -i 's|<mkfs>1<|<mkfs>0<|' "$CONF"
	run "$B/clpmdinit" --create skip-copy --check md01
	assert_success
	assert_output ""
	assert_equal "$(tr -d '\0' <"$BATS_TEST_TMPDIR/cp.img" | wc -c)" 0
	run "$B/clpmdinit" --create skip-copy md01
	assert_success
	assert_output --partial "initialised (skip-copy, node 0"
	assert_equal "$(cp_magic)" "5043534c"
}

@test "clproset: bad arguments exit 2 naming what is wrong" {
	run "$B/clproset" -d /dev/null
	assert_failure 2
	assert_output --partial "missing -w (readable/writable) or -o (read-only)"
	run "$B/clproset" -w -o -d /dev/null
	assert_failure 2
	assert_output --partial "-w and -o cannot be used together"
	run "$B/clproset" -w
	assert_failure 2
	assert_output --partial "missing -d <device>"
	run "$B/clproset" -o -d /dev/null extra
	assert_failure 2
	assert_output --partial "unexpected argument 'extra'"
	run "$B/clproset" -w -x -d /dev/null
	assert_failure 2
	run "$B/clproset" --help
	assert_success
	assert_output --partial "Usage: clproset -w|-o -d <device>"
}

@test "clproset: a device that is not a mirror disk's data partition exits 2, nothing changed" {
	[ "$(id -u)" = 0 ] || skip "needs root (clproset checks it first)"
	run "$B/clproset" -w -d "$BATS_TEST_TMPDIR/none"
	assert_failure 2
	assert_output --partial "-d $BATS_TEST_TMPDIR/none: not a block device"
	run "$B/clproset" -o -d /dev/null
	assert_failure 2
	assert_output --partial "-d /dev/null: not a block device"
	local dev
	dev=$(lsblk -dnp -o NAME 2>/dev/null | head -n 1)
	[ -n "$dev" ] || skip "no block device on this host"
	local ro
	ro=$(blockdev --getro "$dev")
	run "$B/clproset" -o -d "$dev"
	assert_failure 2
	assert_output --partial "-d $dev: not the data partition of a mirror disk resource on this server (clp.conf: md01 $BATS_TEST_TMPDIR/dp.img)"
	assert_equal "$(blockdev --getro "$dev")" "$ro"
}

@test "clproset: not root exits 6" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$B/clproset" -o -d /dev/null
	assert_failure 6
	assert_output --partial "must be run as root"
}

@test "clproset -w's superblock edit against the driver's generation rules (unit)" {
	run "$REPO/tests/host/bin/md_meta_test"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "1..9"
}
