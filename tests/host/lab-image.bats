#!/usr/bin/env bats
# scripts/lab's imaging commands (save, restore, new-disk: guide 2.18-2.20)
# on a lab state dir with stopped nodes, made here: no qemu is booted. The
# same commands on booted nodes: tests/lab/long/6*-*.bats.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

LAB=$REPO/scripts/lab

setup() {
	T=$(mktemp -d)
	export CLPLAB_DIR=$T/labs CLPLAB_NAME=img
	mkdir -p "$CLPLAB_DIR/img/node1" "$CLPLAB_DIR/img/node2"
	printf '%s=%q\n' nodes 2 base 20000 kernel /dev/null initrd /dev/null mem 1024 \
		smp 1 disk_size 128M node_init lab >"$CLPLAB_DIR/img/lab.conf"
	# a disk with data, holes and a non-zero last byte
	M=$CLPLAB_DIR/img/node1/mirror.img
	truncate -s 128M "$M"
	head -c 1M /dev/urandom | dd of="$M" bs=1M seek=3 conv=notrunc status=none
	printf 'x' | dd of="$M" bs=1 seek=$((128 * 1048576 - 1)) conv=notrunc status=none
	truncate -s 64M "$CLPLAB_DIR/img/node1/root.img"
	head -c 4096 /dev/urandom | dd of="$CLPLAB_DIR/img/node1/root.img" conv=notrunc status=none
}

teardown() {
	rm -rf "$T"
}

@test "lab save/restore: a stopped node's mirror disk round-trips byte-identical" {
	run "$LAB" save node1 mirror "$T/md.img"
	assert_success
	assert_output --partial "node1 mirror disk saved to $T/md.img (134217728 bytes)"
	cmp "$M" "$T/md.img"
	sum=$(sha256sum <"$M")
	# the disk changes, then the image comes back
	head -c 1M /dev/urandom | dd of="$M" bs=1M seek=3 conv=notrunc status=none
	[ "$(sha256sum <"$M")" != "$sum" ]
	touch "$CLPLAB_DIR/img/node1/mirror.base" "$CLPLAB_DIR/img/node1/mirror.wlog"
	run "$LAB" restore node1 mirror "$T/md.img"
	assert_success
	assert_output "lab: node1 mirror disk restored from $T/md.img"
	[ "$(sha256sum <"$M")" = "$sum" ]
	# the write log of the disk it replaced is gone
	[ ! -e "$CLPLAB_DIR/img/node1/mirror.base" ] && [ ! -e "$CLPLAB_DIR/img/node1/mirror.wlog" ]
	# an image restored to the other node: the same bytes there
	run "$LAB" restore node2 mirror "$T/md.img"
	assert_success
	cmp "$M" "$CLPLAB_DIR/img/node2/mirror.img"
}

@test "lab save/restore root: the system layer round-trips byte-identical" {
	R=$CLPLAB_DIR/img/node1/root.img
	run "$LAB" save node1 root "$T/root.img"
	assert_success
	sum=$(sha256sum <"$R")
	: >"$R"
	run "$LAB" restore node1 root "$T/root.img"
	assert_success
	[ "$(sha256sum <"$R")" = "$sum" ]
}

@test "lab new-disk: a blank disk of the same size, partitioned as up does unless asked" {
	command -v sfdisk >/dev/null || skip "sfdisk is not installed"
	run "$LAB" new-disk node1
	assert_success
	assert_output "lab: node1 has a new blank mirror disk (134217728 bytes, partitioned)"
	[ "$(stat -c %s "$M")" = 134217728 ]
	run sfdisk -d "$M"
	assert_output --partial 'name="clp-cluster"'
	assert_output --partial 'name="clp-data"'
	# nothing of the old data: only the partition table is not zero
	cmp -s <(dd if="$M" bs=1M skip=1 count=126 status=none) <(head -c $((126 << 20)) /dev/zero)
	run "$LAB" new-disk node1 --unpartitioned
	assert_success
	cmp "$M" <(head -c 134217728 /dev/zero)
}

@test "lab new-root: a blank system layer of the same size, the old one gone" {
	command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is not installed"
	R=$CLPLAB_DIR/img/node1/root.img
	run "$LAB" new-root node1
	assert_success
	assert_output "lab: node1 has a new blank system layer (67108864 bytes)"
	[ "$(stat -c %s "$R")" = 67108864 ]
	run blkid -o value -s LABEL "$R"
	assert_output clp-root
	# an empty ext4: nothing but lost+found
	run bash -c "debugfs -R 'ls -p /' '$R' 2>/dev/null | awk -F/ 'NF > 5 { print \$6 }' | xargs"
	assert_output ". .. lost+found"
	run --separate-stderr "$LAB" new-root node1 extra
	assert_failure 2
	[[ $stderr == *"new-root: unexpected argument 'extra'"* ]]
	run --separate-stderr "$LAB" new-root node3
	assert_failure 2
	[ ! -e "$R.new" ]
}

@test "lab save/restore/new-disk: bad use is refused and changes nothing" {
	sum=$(sha256sum <"$M")
	run --separate-stderr "$LAB" save node1 swap "$T/x"
	assert_failure 2
	[[ $stderr == *"unknown disk 'swap' (mirror or root)"* ]]
	run --separate-stderr "$LAB" save node3 mirror "$T/x"
	assert_failure 2
	[[ $stderr == *"unknown node 'node3'"* ]]
	run --separate-stderr "$LAB" save node1 mirror
	assert_failure 2
	[[ $stderr == *"save: missing FILE"* ]]
	: >"$T/exists"
	run --separate-stderr "$LAB" save node1 mirror "$T/exists"
	assert_failure 1
	[[ $stderr == *"exists (not overwritten)"* ]]
	run --separate-stderr "$LAB" restore node1 mirror "$T/nothing"
	assert_failure 1
	[[ $stderr == *"is not a file"* ]]
	run --separate-stderr "$LAB" new-disk node1 --raw
	assert_failure 2
	[[ $stderr == *"unknown argument '--raw'"* ]]
	[ ! -e "$T/x" ]
	[ "$(sha256sum <"$M")" = "$sum" ]
}

@test "lab save/restore/new-disk: a running node is refused" {
	# a process whose command line names the node's QMP socket, as qemu's
	sock=$CLPLAB_DIR/img/node1/qmp.sock
	bash -c 'exec -a "qemu unix:$1,server" sleep 60' _ "$sock" &
	pid=$!
	echo "$pid" >"$CLPLAB_DIR/img/node1/qemu.pid"
	sum=$(sha256sum <"$M")
	run --separate-stderr "$LAB" restore node1 mirror "$T/labs/img/lab.conf"
	kill "$pid"
	assert_failure 1
	[[ $stderr == *"node1 is running: stop it first"* ]]
	[ "$(sha256sum <"$M")" = "$sum" ]
}

# The hybrid shape (up --hybrid): node1 and node2 link to one shared image.
hybrid_state() {
	local d=$CLPLAB_DIR/img
	printf '%s=%q\n' nodes 3 base 20000 kernel /dev/null initrd /dev/null mem 1024 \
		smp 1 disk_size 128M node_init lab shared 1,2 >"$d/lab.conf"
	mkdir -p "$d/node3"
	mv "$M" "$d/shared-1.img"
	ln -s ../shared-1.img "$d/node1/mirror.img"
	ln -s ../shared-1.img "$d/node2/mirror.img"
	truncate -s 128M "$d/node3/mirror.img"
	S=$d/shared-1.img
}

@test "lab --hybrid disks: save, restore and new-disk go through the link to the one shared image; a running sharer is refused" {
	hybrid_state
	run "$LAB" disk node2
	assert_output "$CLPLAB_DIR/img/node2/mirror.img"
	run "$LAB" save node2 mirror "$T/g.img"
	assert_success
	cmp "$S" "$T/g.img"
	head -c 4096 /dev/urandom >"$T/r.img" && truncate -s 128M "$T/r.img"
	run "$LAB" restore node1 mirror "$T/r.img"
	assert_success
	cmp "$S" "$T/r.img"
	[ -L "$CLPLAB_DIR/img/node1/mirror.img" ] && [ -L "$CLPLAB_DIR/img/node2/mirror.img" ]
	cmp "$CLPLAB_DIR/img/node2/mirror.img" "$T/r.img"
	# node2 running: node1's mirror disk (the shared one) is refused, its
	# own system layer is not; node3's disk is its own.
	sock=$CLPLAB_DIR/img/node2/qmp.sock
	bash -c 'exec -a "qemu unix:$1,server" sleep 60' _ "$sock" &
	pid=$!
	echo "$pid" >"$CLPLAB_DIR/img/node2/qemu.pid"
	run --separate-stderr "$LAB" new-disk node1
	local st=$status err=$stderr
	run "$LAB" save node1 mirror "$T/g2.img"
	local st2=$status out2=$output
	run "$LAB" new-disk node3
	local st3=$status
	kill "$pid"
	assert_equal "$st" 1
	[[ $err == *"new-disk: node2 is running and shares node1's mirror disk: stop it first"* ]]
	assert_equal "$st2" 1
	[[ $out2 == *"save: node2 is running and shares node1's mirror disk"* ]]
	[ ! -e "$T/g2.img" ]
	cmp "$S" "$T/r.img"
	assert_equal "$st3" 0
	# Stopped: new-disk blanks the shared image, partitioned, links kept.
	run "$LAB" new-disk node2
	assert_success
	[ -L "$CLPLAB_DIR/img/node1/mirror.img" ]
	run sfdisk -d "$S"
	assert_output --partial 'name="clp-cluster"'
	assert_equal "$(stat -c %s "$S")" 134217728
}

@test "lab up --hybrid: another node count is refused before anything starts" {
	run "$LAB" up --hybrid --nodes 2 --name hyb-bad
	assert_failure 2
	assert_output --partial "up: --hybrid is 3 nodes, not --nodes 2"
	[ ! -e "$CLPLAB_DIR/hyb-bad" ]
}
