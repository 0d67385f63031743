# shellcheck shell=bash disable=SC2154 # sourced by scripts/bench
# SPDX-License-Identifier: GPL-2.0
# DRBD 8.4 (Debian's drbd.ko + drbd-utils) targets of scripts/bench; sourced.
# Uses from scripts/bench: lx NODE CMDLINE, lxi NODE CMDLINE <stdin, die,
# $bd (scripts/bench.d), $work, $ddev, $mdev. Resource "bench", /dev/drbd0,
# data on $ddev (/dev/vdb2), external meta-data on $mdev (/dev/vdb1), node1
# primary.

drbd_res=bench
drbd_cfg=/run/bench/drbd.conf
drbd_adm="drbdadm -c $drbd_cfg"

# drbd_install PROTOCOL: generate the resource file, install it on both.
drbd_install() {
	sed -e "s,@RES@,$drbd_res,g; s,@PROTOCOL@,$1,g; s,@DISK@,$ddev,g" \
		-e "s,@META@,$mdev,g; s,@RESYNC_RATE@,4000M,g; s,@PORT@,7789,g" \
		-e "s,@NODE1@,node1,g; s,@NODE2@,node2,g" \
		-e "s,@ADDR1@,198.18.2.1,g; s,@ADDR2@,198.18.2.2,g" \
		"$bd/drbd.res.in" >"$work/drbd.conf"
	for n in node1 node2; do
		lxi "$n" "mkdir -p /run/bench && cat >$drbd_cfg && modprobe drbd && $drbd_adm dump >/dev/null" \
			<"$work/drbd.conf" || die "DRBD: the resource file is refused on $n"
	done
}

drbd_down() {
	lx node1 "[ ! -e /proc/drbd ] || $drbd_adm down $drbd_res" >/dev/null 2>&1 || true
	lx node2 "[ ! -e /proc/drbd ] || $drbd_adm down $drbd_res" >/dev/null 2>&1 || true
}

# drbd_wait NODE REGEX [TIMEOUT]: until /proc/drbd on NODE matches.
drbd_wait() {
	if ! lx "$1" "$bd/node-timed ${3:-120} '$2' 'cat /proc/drbd'" >/dev/null; then
		# Is it DRBD or the mirror link? (2026-12-07: a DRBD C set-up
		# right after the LZ4 mirror stayed in WFConnection.)
		echo "bench: the mirror link from node1 and node2's view:" >&2
		lx node1 "ping -c 3 -W 1 198.18.2.2; ip -s link show eth1" >&2 || true
		lx node2 "ip -s link show eth1; ss -tan; cat /proc/drbd" >&2 || true
		die "DRBD: /proc/drbd on $1 never matched '$2'"
	fi
}

# Fresh meta-data on both nodes (everything out of sync), both up and
# connected, both Secondary and Inconsistent.
drbd_fresh() {
	drbd_down
	for n in node1 node2; do
		lx "$n" "$drbd_adm create-md --force $drbd_res" >/dev/null 2>&1 ||
			die "DRBD: create-md failed on $n"
	done
	for n in node1 node2; do
		lx "$n" "$drbd_adm up $drbd_res" >/dev/null || die "DRBD: up failed on $n"
	done
	drbd_wait node1 'cs:Connected'
}

# Connected, UpToDate on both without an initial sync, node1 primary.
drbd_ready() {
	drbd_fresh
	lx node1 "$drbd_adm new-current-uuid --clear-bitmap $drbd_res/0" >/dev/null ||
		die "DRBD: new-current-uuid --clear-bitmap failed"
	drbd_wait node1 'cs:Connected .*ds:UpToDate/UpToDate'
	lx node1 "$drbd_adm primary $drbd_res" >/dev/null || die "DRBD: primary failed"
}

drbd_disconnect() {
	lx node1 "$drbd_adm disconnect $drbd_res" >/dev/null || die "DRBD: disconnect failed"
	drbd_wait node1 'cs:StandAlone'
}

# The counters ns nr dw dr (KiB) of NODE's /proc/drbd as "ns=.. nr=.. ...".
drbd_counters() {
	lx "$1" "cat /proc/drbd" | "$py" -c '
import sys; sys.path.insert(0, sys.argv[1]); import benchlib as bl
print(" ".join(f"{k}={v}" for k, v in bl.parse_proc_drbd(sys.stdin.read()).items()))' "$bd"
}

# Full initial sync: fresh meta-data, then "primary --force" on node1
# starts a full sync to node2; timed until both are UpToDate.
drbd_full_sync() {
	local out
	drbd_fresh
	out=$(lx node1 "$bd/node-timed 3600 'cs:Connected .*ds:UpToDate/UpToDate' 'cat /proc/drbd' -- $drbd_adm primary --force $drbd_res") ||
		die "DRBD: full sync did not finish"
	echo "$out bytes=$data_bytes"
}

# Differential resync (after drbd_ready or a previous one): disconnect,
# dirty 10% of the device on node1, reconnect; timed until both are
# UpToDate.
drbd_diff_sync() {
	local out dirty c1 r0 r1
	drbd_disconnect
	dirty=$(dirty_device node1 /dev/drbd0)
	r0=$(drbd_counters node2)
	out=$(lx node1 "$bd/node-timed 3600 'cs:Connected .*ds:UpToDate/UpToDate' 'cat /proc/drbd' -- $drbd_adm connect $drbd_res") ||
		die "DRBD: differential resync did not finish"
	c1=$(drbd_counters node1) r1=$(drbd_counters node2)
	# DRBD zeroes ns: when a connection is established, so after the
	# reconnect it counts exactly what was sent since: the resync.
	echo "$out dirty_bytes=$dirty sent_bytes=$(($(kv ns "$c1") * 1024))" \
		"peer_written_bytes=$(($(kv dw "$r1") * 1024 - $(kv dw "$r0") * 1024))"
}
