# SPDX-License-Identifier: GPL-2.0
# Helpers for the lab suites that drive liscal directly over netlink with
# the test client tests/lab/tools/liscal-nl.c (20-liscal, 23-large-disk,
# 25-liscal-faults, 24-disk-errors),
# loaded after helpers: "load liscal-nl". One resource, md01 on /dev/NMP1
# over /dev/vdb2 (cluster partition /dev/vdb1), mirrored over the lab's
# mirror network. The suite sets PARAMS (timeouts) before its tests run;
# teardown_file takes its lab down.
# shellcheck disable=SC2154 # output, status: set by bats' run

T=$REPO/tests/host/bin/liscal-nl
K=$KMODS/liscal/liscal.ko
S=${CLPLAB_WAIT_SCALE:-1}

# create NODE: md01 on /dev/NMP1 with the lab addresses and $PARAMS.
create() {
	local n=${1#node}
	lab_exec "$1" "$T create md01 1 /dev/vdb2 /dev/vdb1 $((n - 1)) 198.18.2.$n:29031 198.18.2.$((3 - n)):29031 $PARAMS"
}

# st NODE KEY: one status value of md01 on NODE.
st() {
	"$LAB" exec "$1" -- "$T" get md01 | sed -n "s/^$2=//p"
}

# is NODE KEY VALUE: md01's KEY on NODE is VALUE (says what it is if not).
is() {
	local v
	v=$(st "$1" "$2")
	[ "$v" = "$3" ] || { echo "$1 $2=$v, want $3"; return 1; }
}

# Connected, both copies uptodate, no recovery: as seen from both nodes.
# One reading of the status per node (four values of one moment).
both_uptodate() {
	local n s k v want
	for n in node1 node2; do
		s=$("$LAB" exec "$n" -- "$T" get md01)
		for want in conn=3 disk=3 peer_disk=3 recovery_dir=0; do
			k=${want%=*}
			v=$(sed -n "s/^$k=//p" <<<"$s")
			[ "$v" = "${want#*=}" ] || { echo "$n $k=$v, want ${want#*=}"; return 1; }
		done
	done
}

# assume_sync: md01, fresh on both nodes, taken as identical (RECOVERY_START
# ASSUME_SYNC: nothing copied) once connected; both uptodate.
assume_sync() {
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 assume-sync"
	wait_for 60 both_uptodate
}

# fresh_pair: md01 initialised fresh and created ($PARAMS) on both nodes,
# then assume_sync.
fresh_pair() {
	local n
	for n in node1 node2; do
		lab_exec $n "$T init md01 $((${n#node} - 1)) /dev/vdb1 /dev/vdb2"
		create $n
	done
	assume_sync
}

# liscal_lab_up SUFFIX DISK_SIZE (in setup_file, after skip_if_no_lab): the
# lab t<pid>-SUFFIX up with liscal loaded on both nodes.
liscal_lab_up() {
	make -s -C "$REPO/tests/lab/tools" >&2
	export CLPLAB_NAME=t$$-$1
	run_lab up --nodes 2 --name "$CLPLAB_NAME" --disk-size "$2"
	lab_exec node1 "insmod $K"
	lab_exec node2 "insmod $K"
}

# have_qdisc QDISC ARGS (in setup_file): both nodes' kernels have the tc
# qdisc (tried on lo); else the file is skipped and it returns 1.
have_qdisc() {
	local n
	for n in node1 node2; do
		"$LAB" exec $n -- bash -c "tc qdisc add dev lo root $* && tc qdisc del dev lo root" ||
			file_skip "$n's kernel has no $1 qdisc" || return 1
	done
}

# pair_in_sync (in setup_file, after liscal_lab_up): md01 on both nodes from
# fresh cluster partitions, connected, and both fresh, zeroed copies
# declared identical (assume-sync) instead of a full copy.
pair_in_sync() {
	local n
	for n in node1 node2; do
		lab_exec $n "$T init md01 $((${n#node} - 1)) /dev/vdb1 /dev/vdb2"
		create $n
	done
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 assume-sync"
	wait_for 60 both_uptodate
}

# tc_clear: no qdisc left on either node's mirror interface (eth1).
tc_clear() {
	local n
	for n in node1 node2; do
		"$LAB" exec $n -- bash -c "tc qdisc del dev eth1 root 2>/dev/null; true" || true
	done
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}
