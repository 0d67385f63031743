#!/usr/bin/env bats
# clp.conf of hybrid disk resources and server groups (Documentation/hybrid.md):
# the hybrid lab example parses as documented from every server, and bad
# server groups and resources are refused naming file, line and what.

load md-helpers

HEX=$REPO/userland/conf/examples/lab-hybrid-clp.conf
DUMP=$REPO/tests/host/bin/hd_conf_dump

setup_file() {
	md_build_units
}

# hd_conf SED: a copy of the hybrid example with SED applied, in $CONF.
hd_conf() {
	CONF=$BATS_TEST_TMPDIR/clp.conf
	sed -e "$1" "$HEX" >"$CONF"
}

@test "hd conf: the hybrid lab example validates against the schema" {
	run xmllint --noout --relaxng "$REPO/userland/conf/clp.rng" "$HEX"
	assert_success
}

@test "hd conf: the example from node1, node2 and node3" {
	run "$DUMP" "$HEX" node1 hd1
	assert_success
	assert_line "local_group=0"
	assert_line "group0=svg1 node1 node2"
	assert_line "group1=svg2 node3"
	assert_line "nmppath=/dev/NMP1"
	assert_line "port=29051"
	assert_line "local=node1 node 0 198.18.2.1 /dev/vdb2 /dev/vdb1"
	assert_line "peer=node3 node 1 198.18.2.3 /dev/vdb2 /dev/vdb1"
	# node2 is in the same group: the same node id on the shared partition.
	run "$DUMP" "$HEX" node2 hd1
	assert_success
	assert_line "local=node2 node 0 198.18.2.2 /dev/vdb2 /dev/vdb1"
	# node3's peer is the current server of svg1: node1 unless told.
	run "$DUMP" "$HEX" node3 hd1
	assert_success
	assert_line "local_group=1"
	assert_line "peer=node1 node 0 198.18.2.1 /dev/vdb2 /dev/vdb1"
	run "$DUMP" "$HEX" node3 hd1 node2
	assert_success
	assert_line "peer=node2 node 0 198.18.2.2 /dev/vdb2 /dev/vdb1"
}

@test "hd conf: defaults: NMP after the mirror disks, port 29030 + NMP" {
	hd_conf '/<nmppath>/d; /<port>/d'
	run "$DUMP" "$CONF" node1 hd1
	assert_success
	assert_line "nmppath=/dev/NMP1"
	assert_line "port=29031"
}

@test "bad hd conf: a peer in the local server's own group, or in no group" {
	run "$DUMP" "$HEX" node1 hd1 node2
	assert_failure 4
	assert_output --partial "resource/hd@hd1: server node2 is not in server group svg2"
	run "$DUMP" "$HEX" node9 hd1
	assert_failure 4
	assert_output --partial "resource/hd@hd1: server node9 is in neither of its server groups (svg1, svg2)"
}

@test "bad hd conf: one server group, an unknown one, the same one twice" {
	hd_conf '/<servergroup name="svg2"\/>/d'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --regexp "clp.conf:[0-9]+: resource/hd@hd1: a hybrid disk needs exactly two server groups \(servergroup@<name>\), 1 given"
	hd_conf 's/<servergroup name="svg2"\/>/<servergroup name="svg9"\/>/'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --regexp "clp.conf:$(grep -n 'svg9' "$CONF" | cut -d: -f1): resource/hd@hd1/servergroup@svg9: no such server group"
	hd_conf 's/<servergroup name="svg2"\/>/<servergroup name="svg1"\/>/'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --partial "resource/hd@hd1: servergroup@svg1 given twice"
}

@test "bad hd conf: a server in two groups, an unknown server, an empty group" {
	hd_conf 's/<server name="node3"\/>/<server name="node3"\/><server name="node2"\/>/'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --partial "server node2 is in two server groups (svg1 and svg2)"
	hd_conf 's/<server name="node3"\/>/<server name="node7"\/>/'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --regexp "clp.conf:[0-9]+: servergroup@svg2: server node7 is not in the configuration"
	hd_conf 's/<server name="node3"\/>//'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --partial "servergroup@svg2: 0 servers, a server group has 1-8"
}

@test "bad hd conf: the mirror disk keys are checked with hd@ in the key" {
	hd_conf 's/<fs>ext4</<fs>ntfs</'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --regexp "clp.conf:$(grep -n '<fs>' "$CONF" | cut -d: -f1): resource/hd@hd1/parameters/fs: 'ntfs' is not one of ext4, ext3, ext2, xfs"
	hd_conf 's|<dppath>/dev/vdb2<|<dppath>/dev/vdb1<|'
	run "$DUMP" "$CONF" node3 hd1
	assert_failure 4
	assert_output --partial "data and cluster partition are the same device /dev/vdb1"
	# A member of a group without a mirror connect address.
	hd_conf '/<info>198.18.2.2</d'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --partial "server node2 has no device 1"
	hd_conf 's/<hd name="hd1">/<hd name="xd1">/'
	run "$DUMP" "$CONF" node1 xd1
	assert_failure 4
	assert_output --partial "resource/hd@xd1: 'xd1' is not a hybrid disk resource name"
}

@test "bad hd conf: an hd and an md on one NMP number or port" {
	hd_conf 's|</resource>|<md name="md01"><parameters><nmppath>/dev/NMP1</nmppath><diskdev><cppath>/dev/vdc1</cppath><dppath>/dev/vdc2</dppath></diskdev></parameters></md></resource>|'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --partial "resource/md@md01 and hd@hd1 both use /dev/NMP1"
	hd_conf 's|</resource>|<md name="md01"><parameters><nmppath>/dev/NMP2</nmppath><mdc><port>29051</port></mdc><diskdev><cppath>/dev/vdc1</cppath><dppath>/dev/vdc2</dppath></diskdev></parameters></md></resource>|'
	run "$DUMP" "$CONF" node1 hd1
	assert_failure 4
	assert_output --partial "resource/md@md01 and hd@hd1 both use port 29051"
}
