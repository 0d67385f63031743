# SPDX-License-Identifier: GPL-2.0
# Helpers of the disk-fault suites (25-liscal-faults, long/33-active-disk-errors),
# loaded after helpers and liscal-nl: md01 over device-mapper targets
# between liscal and the partitions (/dev/mapper/dN over /dev/vdb2, cN over
# /dev/vdb1), switched to the error and flakey targets by the tests.
# shellcheck disable=SC2154 # LAB, REPO, T, S, CONF: from the helpers loaded before

# The connect timeout also bounds how long an activation waits for the
# peer's answer (the forger's answers come from the test, a few seconds).
PARAMS="ack-timeout=$((5000 * S)) hb-interval=1000 ping-timeout=2000 ping-retry=$((3 * S)) connect-timeout=$((8000 * S)) send-timeout=$((5000 * S))"

# dm_lab_up SUFFIX (in setup_file, after skip_if_no_lab): the lab of
# liscal_lab_up with device-mapper loaded and both partitions of each node
# under a linear target.
dm_lab_up() {
	command -v dmsetup >/dev/null || file_skip "dmsetup is not installed (dmsetup, from scripts/deps)" || return 0
	liscal_lab_up "$1" 128M
	local n
	for n in node1 node2; do
		dm_node_prepare $n
		dm $n d linear
		dm $n c linear
	done
}

# dm_node_prepare NODE: device-mapper loaded, the clp.conf of clpmdstat (the
# colours; no mirror agent runs) in place; also after NODE restarted.
dm_node_prepare() {
	lab_exec "$1" "(modprobe dm-mod 2>/dev/null || test -d /sys/module/dm_mod) && (modprobe dm-flakey 2>/dev/null || dmsetup targets | grep -q ^flakey)"
	lab_exec "$1" "mkdir -p /opt/clpstack/etc && cp $REPO/userland/conf/examples/lab-clp.conf $CONF"
}

# dm ['?'] NODE d|c TARGET: /dev/mapper/dN over the data partition
# /dev/vdb2 (d) or cN over the cluster partition /dev/vdb1 (c) of node N,
# with TARGET linear, error (every I/O fails) or flakey (writes fail, reads
# pass). '?': any exit status (the node may restart under the command).
dm() {
	local st=0
	[ "$1" = '?' ] && st='?' && shift
	local n=${1#node} dev=/dev/vdb2
	[ "$2" = c ] && dev=/dev/vdb1
	lab_exec "$st" "$1" "s=\$(blockdev --getsz $dev)
		case $3 in
		linear) t=\"0 \$s linear $dev 0\" ;;
		error) t=\"0 \$s error\" ;;
		flakey) t=\"0 \$s flakey $dev 0 0 1 1 error_writes\" ;;
		esac
		if [ -e /dev/mapper/$2$n ]; then
			dmsetup suspend --noflush $2$n && dmsetup load $2$n --table \"\$t\" && dmsetup resume $2$n
		else
			dmsetup create $2$n --table \"\$t\" && dmsetup mknodes $2$n
		fi"
}

# dinit NODE [uptodate]: a fresh cluster partition for md01 on NODE.
dinit() {
	local n=${1#node}
	lab_exec "$1" "$T init md01 $((n - 1)) /dev/mapper/c$n /dev/mapper/d$n ${2:-}"
}

# dcreate NODE: md01 on NODE over its device-mapper partitions.
dcreate() {
	local n=${1#node}
	lab_exec "$1" "$T create md01 1 /dev/mapper/d$n /dev/mapper/c$n $((n - 1)) 198.18.2.$n:29031 198.18.2.$((3 - n)):29031 $PARAMS"
}

# sb_flags_are NODE MASK VALUE: md01's superblock flags & MASK == VALUE.
sb_flags_are() {
	local f
	f=$(st "$1" sb_flags)
	[ $((f & $2)) -eq $(($3)) ] || { echo "$1 sb_flags=$f"; return 1; }
}

# What a test that failed may have left: 25-liscal-faults' forger, md01 on both nodes,
# the device-mapper targets switched.
clean_up() {
	local n
	lab_exec '?' node2 "[ -p /run/forger.in ] && timeout 5 sh -c 'echo close > /run/forger.in'"
	for n in node1 node2; do
		lab_exec '?' $n "$T deactivate md01; $T destroy md01"
		dm $n d linear
		dm $n c linear
	done
}

# Both copies fresh over zeroed data partitions (what the tests before
# wrote on node1 is zeroed again), taken as identical: connected, both
# current. Kept when the test before left them so.
pair_up() {
	if is node1 role 1 && is node2 role 1 && both_uptodate; then
		return 0
	fi
	clean_up
	lab_exec node1 "dd if=/dev/zero of=/dev/mapper/d1 bs=64k count=16 seek=10 oflag=direct status=none"
	dinit node1
	dinit node2
	dcreate node1
	dcreate node2
	wait_for 60 is node1 conn 3
	lab_exec node1 "$T recover md01 assume-sync"
	wait_for 60 both_uptodate
}
