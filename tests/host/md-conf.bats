#!/usr/bin/env bats
# clp.conf of mirror disk resources: the lab example parses to the documented
# values, defaults apply, and every kind of bad configuration is refused with
# file:line: key and exit 4 (through the real commands).

load md-helpers

setup_file() {
	md_build_units
}

setup() {
	unset CLP_CONF CLP_SERVER
}

@test "conf: the lab example validates against the schema" {
	run xmllint --noout --relaxng "$REPO/userland/conf/clp.rng" "$EXAMPLE"
	assert_success
}

@test "conf: the lab example as node1 and node2" {
	run "$REPO/tests/host/bin/md_conf_dump" "$EXAMPLE" node1 md01
	assert_success
	assert_line "nmppath=/dev/NMP1"
	assert_line "local=node1 node 0 198.18.2.1 /dev/vdb2 /dev/vdb1"
	assert_line "peer=node2 node 1 198.18.2.2 /dev/vdb2 /dev/vdb1"
	assert_line "port=29031"
	assert_line "mount_point=/mnt/md01"
	assert_line "fullcopy=1"
	assert_line "mkfs=1"
	run "$REPO/tests/host/bin/md_conf_dump" "$EXAMPLE" node2 md01
	assert_success
	assert_line "local=node2 node 1 198.18.2.2 /dev/vdb2 /dev/vdb1"
	assert_line "peer=node1 node 0 198.18.2.1 /dev/vdb2 /dev/vdb1"
}

@test "conf: keys left out take the documented defaults" {
	CONF=$BATS_TEST_TMPDIR/min.conf
	# Keep only servers and the required partition paths.
	sed -e '/<mirrordriver>/,/<\/mirroragent>/d' \
		-e '/<sendtimeout>/,/<\/mdc>/d' -e '/<mddriver>/,/<\/mddriver>/d' \
		-e '/<fs>/,/<\/mkfs>/d' -e '/<nmppath>/d' "$EXAMPLE" > "$CONF"
	run "$REPO/tests/host/bin/md_conf_dump" "$CONF" node1 md01
	assert_success
	for kv in nmppath=/dev/NMP1 fs=ext4 mount_point= mount_option=rw fullcopy=1 mkfs=0 fencing=0 \
		sync=1 sendqueuesize=2048 hotextents=1237 bandlimit=0 compress=0 crypto=0 sendtimeout=30 \
		connecttimeout=10 acktimeout=100 recvnormaltimeout=100 hbinterval=10 \
		pingtimeout=2 pingretry=8 port=29031 reqqueue=2048 cperror=RESET dperror=RESET \
		recoverysize=1024 cptimeout=30 autorecovery=1 statistics=1; do
		assert_line "$kv"
	done
	assert_line "local=node1 node 0 198.18.2.1 /dev/vdb2 /dev/vdb1"
}

@test "conf: per-server partition paths override the common ones" {
	CONF=$BATS_TEST_TMPDIR/srv.conf
	sed 's|<comment>lab mirror disk</comment>|<server name="node2"><parameters><diskdev><dppath>/dev/vdc2</dppath><cppath>/dev/vdc1</cppath></diskdev></parameters></server>|' \
		"$EXAMPLE" > "$CONF"
	run "$REPO/tests/host/bin/md_conf_dump" "$CONF" node2 md01
	assert_success
	assert_line "local=node2 node 1 198.18.2.2 /dev/vdc2 /dev/vdc1"
	assert_line "peer=node1 node 0 198.18.2.1 /dev/vdb2 /dev/vdb1"
}

# Run clpmdstat --mirror md01 on the current $CONF: config errors come first.
stat_md01() {
	run "$B/clpmdstat" --mirror md01
}

@test "bad conf: sendtimeout 5 (range 10-99) names file, line and key" {
	md_conf 's|<sendtimeout>30<|<sendtimeout>5<|'
	stat_md01
	assert_failure 4
	assert_output "clpmdstat: $CONF:$(conf_line '<sendtimeout>'): resource/md@md01/parameters/sendtimeout: 5 is out of range (10-99)"
}

@test "conf: fencing 1 is read; fencing 2 names file, line and key" {
	md_conf 's|<mkfs>1</mkfs>|<mkfs>1</mkfs><fencing>1</fencing>|'
	run "$REPO/tests/host/bin/md_conf_dump" "$CONF" node1 md01
	assert_success
	assert_line "fencing=1"
	md_conf 's|<mkfs>1</mkfs>|<mkfs>1</mkfs><fencing>2</fencing>|'
	stat_md01
	assert_failure 4
	assert_output "clpmdstat: $CONF:$(conf_line '<fencing>'): resource/md@md01/parameters/fencing: 2 is out of range (0-1)"
}

@test "bad conf: acktimeout that is not a number" {
	md_conf 's|<acktimeout>100<|<acktimeout>1O0<|'
	stat_md01
	assert_failure 4
	assert_output --partial "$CONF:$(conf_line '<acktimeout>'): resource/md@md01/parameters/acktimeout: '1O0' is not an integer"
}

@test "bad conf: missing dppath" {
	md_conf '/<dppath>/d'
	stat_md01
	assert_failure 4
	assert_output --partial "resource/md@md01/parameters/diskdev/dppath: is required"
	assert_output --partial "$CONF:"
}

@test "bad conf: relative cluster partition path" {
	md_conf "s|<cppath>[^<]*<|<cppath>vdb1<|"
	stat_md01
	assert_failure 4
	assert_output --partial "$CONF:$(conf_line '<cppath>'): resource/md@md01/parameters/diskdev/cppath: 'vdb1' is not an absolute path"
}

@test "bad conf: data and cluster partition on the same device" {
	md_conf "s|<cppath>[^<]*<|<cppath>$BATS_TEST_TMPDIR/dp.img<|"
	stat_md01
	assert_failure 4
	assert_output --partial "data and cluster partition are the same device"
}

@test "bad conf: unknown key in parameters" {
	md_conf 's|<fullcopy>1</fullcopy>|<fullcopy>1</fullcopy><fulcopy>1</fulcopy>|'
	stat_md01
	assert_failure 4
	assert_output "clpmdstat: $CONF:$(conf_line '<fulcopy>'): resource/md@md01/parameters/fulcopy: Did not expect element fulcopy there"
}

@test "bad conf: unknown nested key (diskdev/dpath)" {
	md_conf 's|<dppath>\(.*\)</dppath>|<dpath>\1</dpath>|'
	stat_md01
	assert_failure 4
	assert_output --partial "$CONF:$(conf_line '<dpath>'): resource/md@md01/parameters/diskdev/dpath: Did not expect element dpath there"
}

@test "bad conf: unknown cluster-wide mirror driver key" {
	md_conf 's|<reqqueue>2048</reqqueue>|<reqqeue>2048</reqqeue>|'
	stat_md01
	assert_failure 4
	assert_output --partial "$CONF:$(conf_line '<reqqeue>'): cluster/mirrordriver/reqqeue: unknown key"
}

@test "bad conf: a key given twice" {
	md_conf 's|<pingretry>8</pingretry>|<pingretry>8</pingretry><pingretry>9</pingretry>|'
	stat_md01
	assert_failure 4
	assert_output --partial "resource/md@md01/parameters/pingretry: given 2 times"
}

@test "bad conf: mirror data compression in synchronous mode" {
	md_conf 's|<compress>0<|<compress>1<|'
	stat_md01
	assert_failure 4
	assert_output --partial "$CONF:$(conf_line '<compress>'): resource/md@md01/parameters/mddriver/compress: compressing mirror data (bit 1) needs asynchronous mode"
}

@test "bad conf: unknown file system" {
	md_conf 's|<fs>ext4<|<fs>btrfs<|'
	stat_md01
	assert_failure 4
	assert_output --partial "resource/md@md01/parameters/fs: 'btrfs' is not one of ext4, ext3, ext2, xfs"
}

@test "bad conf: nmppath that is not /dev/NMP<n>" {
	md_conf 's|<nmppath>/dev/NMP1<|<nmppath>/dev/NMP0<|'
	stat_md01
	assert_failure 4
	assert_output --partial "resource/md@md01/parameters/nmppath: '/dev/NMP0': the number must be 1-255"
}

@test "bad conf: I/O error action that does not exist" {
	md_conf 's|<cperror>RESET<|<cperror>REBOOT<|'
	stat_md01
	assert_failure 4
	assert_output --partial "$CONF:$(conf_line '<cperror>'): cluster/mirrordriver/cperror: 'REBOOT' is not one of NONE, RESET, PANIC"
}

@test "bad conf: recovery data size out of range" {
	md_conf 's|<recoverysize>1024<|<recoverysize>32<|'
	stat_md01
	assert_failure 4
	assert_output --partial "cluster/mirroragent/recoverysize: 32 is out of range (64-4096)"
}

@test "bad conf: mirror connect device of type lan" {
	md_conf 's|<device>1</device>|<device>0</device>|'
	stat_md01
	assert_failure 4
	assert_output --partial "resource/md@md01/parameters/mdc/device: device 0 of server node1 is of type lan, not mdc"
}

@test "bad conf: encryption without a key file" {
	md_conf 's|<compress>0</compress>|<compress>0</compress><crypto><use>1</use></crypto>|'
	stat_md01
	assert_failure 4
	assert_output --partial "resource/md@md01/parameters/mddriver/crypto/keyfile: is required"
}

@test "bad conf: two resources on the same /dev/NMP1" {
	md_conf 's|</resource>|<md name="md02"><parameters><nmppath>/dev/NMP1</nmppath><diskdev><dppath>/dev/vdc2</dppath><cppath>/dev/vdc1</cppath></diskdev></parameters></md></resource>|'
	run "$REPO/tests/host/bin/md_conf_dump" "$CONF" node1 md02
	assert_failure 4
	assert_output --partial "resource/md@md01 and md@md02 both use /dev/NMP1"
}

@test "bad conf: resource name that is not md<...>" {
	md_conf 's|<md name="md01">|<md name="mirror1">|'
	stat_md01
	assert_failure 4
	assert_output "clpmdstat: $CONF:$(conf_line "<md name"): resource/md@mirror1: 'mirror1' is not a mirror disk resource name (md followed by 1-13 letters, digits or _)"
}

@test "bad conf: not well-formed XML names the line" {
	md_conf 's|</mount>|</mount|'
	stat_md01
	assert_failure 4
	assert_output --regexp "clp.conf:[0-9]+: "
}

@test "bad conf: this server is not in the configuration" {
	md_conf
	CLP_SERVER=node3 run "$B/clpmdstat" --mirror md01
	assert_failure 4
	assert_output --partial "this server (node3) is not in the configuration"
}

@test "bad conf: missing configuration file" {
	CLP_CONF=$BATS_TEST_TMPDIR/none.conf run "$B/clpmdstat" --list
	assert_failure 4
	assert_output --partial "$BATS_TEST_TMPDIR/none.conf: cannot read the configuration"
}

@test "mirror statistics file: columns, deltas, units, rotation (unit)" {
	run "$REPO/tests/host/bin/md_perf_test" "$BATS_TEST_TMPDIR"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "1..14"
}

@test "liscal replies and events: parser, wrong-size and random attributes, counter names; the key fingerprint (unit)" {
	run "$REPO/tests/host/bin/md_nl_test"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "1..14"
}

@test "colours: derivation table (unit)" {
	run "$REPO/tests/host/bin/md_state_test"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "1..14"
}
