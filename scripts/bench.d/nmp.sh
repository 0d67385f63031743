# shellcheck shell=bash disable=SC2154 # sourced by scripts/bench
# SPDX-License-Identifier: GPL-2.0
# clpstack's own mirror (/dev/NMP1: kernel/liscal + clpmgrd, clpmdinit,
# clpmdctrl, clpmdstat) as targets of scripts/bench; sourced. Uses from
# scripts/bench: lx, lxi, die, kv, $bd, $work, $repo, $data_bytes, $ddev,
# $mdev.
# Driven as an administrator would, with the documented commands
# (Documentation/commands.md) and scripts/bench.d/clp.conf.in.
#
#   nmp_snapshot        copy the module, commands and schema into both
#                       nodes' /run/bench/nmp (a rebuild of the tree during
#                       the bench does not mix versions)
#   nmp_copy NODE       the snapshot into NODE again (after its restart)
#   nmp_probe           can /dev/NMP1 be measured? else print why, exit 1
#   nmp_ready           fresh cluster partitions, connected, full initial
#                       construction from node1 (timed: prints the
#                       seconds=.. wire_bytes=.. of node-timed), node1 active
#   nmp_disconnect      clpmdctrl --break on node1
#   nmp_counters NODE   the driver's counters (clpmdstat --counters)
#   nmp_down            deactivate, stop the agent, unload the module
#   nmp_diff_sync       (after nmp_ready or a previous one) break, dirty
#                       10%, clpmdctrl --recovery, timed until in sync

nmp_snap=$work/nmp
nmp_dir=/run/bench/nmp
nmp_env="CLP_CONF=$nmp_dir/clp.conf CLP_SCHEMA=$nmp_dir/conf/clp.rng"
nmp_cmds="clpmdctrl clpmdinit clpmdstat clpmgrd"

# nmp_copy NODE: the snapshot into NODE's /run/bench/nmp (again after the
# node was restarted: /run is a tmpfs).
nmp_copy() {
	tar -C "$nmp_snap" -cf - . | lxi "$1" "rm -rf $nmp_dir && mkdir -p $nmp_dir && tar -C $nmp_dir -xf -" || {
		echo "could not copy the module and commands into $1"
		return 1
	}
}

nmp_snapshot() {
	local c n
	rm -rf "$nmp_snap" && mkdir -p "$nmp_snap/conf"
	[ -f "$repo/kernel/liscal/liscal.ko" ] || {
		echo "kernel/liscal/liscal.ko is not built"
		return 1
	}
	cp "$repo/kernel/liscal/liscal.ko" "$nmp_snap/"
	for c in $nmp_cmds; do
		[ -x "$repo/userland/bin/$c" ] || {
			echo "userland/bin/$c is not built"
			return 1
		}
		cp "$repo/userland/bin/$c" "$nmp_snap/"
	done
	# liscal-nl (tests/lab/tools, a test client of the netlink family):
	# RES_DESTROY, which no command offers.
	make -s -C "$repo/tests/lab/tools" >/dev/null 2>&1 || true
	[ -x "$repo/tests/host/bin/liscal-nl" ] || {
		echo "tests/lab/tools/liscal-nl does not build"
		return 1
	}
	cp "$repo/tests/host/bin/liscal-nl" "$nmp_snap/"
	cp "$repo"/userland/conf/*.rng "$nmp_snap/conf/"
	cp "$bd/clp.conf.in" "$nmp_snap/clp.conf.in"
	# the encryption key of nmp-crypt, the same on both nodes
	head -c 32 /dev/urandom >"$nmp_snap/bench.key" && chmod 600 "$nmp_snap/bench.key"
	for n in node1 node2; do
		nmp_copy "$n" || return 1
	done
}

# Waiting for a state polls the driver's sysfs files (Documentation/
# sysfs.md; cheap: clpmdstat validates clp.conf on each call, which would
# steal the node's only vCPU from the recovery being timed). Output, lines
# joined: "/sys/block/NMP1/liscal/connection:connected .../colour:GREEN ...".
nmp_sys=/sys/block/NMP1/liscal
nmp_poll="grep -H . $nmp_sys/connection $nmp_sys/colour $nmp_sys/peer_colour $nmp_sys/recovery_direction"
nmp_conn() { echo "$nmp_sys/connection:$1 "; }
# In sync and connected (GREEN excludes a split brain):
nmp_normal="$(nmp_conn connected)$nmp_sys/colour:GREEN $nmp_sys/peer_colour:GREEN $nmp_sys/recovery_direction:none "

nmp_load() {
	local n
	for n in node1 node2; do
		lx "$n" "grep -q '^liscal ' /proc/modules || insmod $nmp_dir/liscal.ko" ||
			die "/dev/NMP1: insmod liscal.ko failed on $n"
	done
}

nmp_down() {
	local n
	[ -d "$nmp_snap" ] || return 0
	for n in node1 node2; do
		lx "$n" "grep -q '^liscal ' /proc/modules || exit 0
			$nmp_env $nmp_dir/clpmdctrl --deactive md01 >/dev/null 2>&1
			pkill -x clpmgrd; for i in \$(seq 50); do pgrep -x clpmgrd >/dev/null || break; sleep 0.1; done
			$nmp_dir/liscal-nl destroy md01; rmmod liscal" >/dev/null 2>&1 ||
			echo "bench: /dev/NMP1: could not unload liscal on $n" >&2
	done
}

# Both cluster partitions fresh, module loaded, agents running and the
# mirror connected (both copies inconsistent).
nmp_fresh() {
	local n
	nmp_down
	nmp_load
	for n in node1 node2; do
		# mddriver from $nmp_driver (scripts/bench's setup)
		# and the devices from $mdev, $ddev (CLP_BENCH_BACKING)
		lx "$n" "sed -e 's|<mkfs>0</mkfs>|<mkfs>0</mkfs><mddriver>${nmp_driver:-<syncmode>1</syncmode>}</mddriver>|' -e 's|<cppath>/dev/vdb1</cppath>|<cppath>$mdev</cppath>|; s|<dppath>/dev/vdb2</dppath>|<dppath>$ddev</dppath>|' $nmp_dir/clp.conf.in >$nmp_dir/clp.conf" ||
			die "/dev/NMP1: could not write clp.conf on $n"
	done
	for n in node1 node2; do
		lx "$n" "$nmp_env $nmp_dir/clpmdinit --create force md01" >/dev/null ||
			die "/dev/NMP1: clpmdinit --create force md01 failed on $n"
		lx "$n" "$nmp_env setsid $nmp_dir/clpmgrd -f </dev/null >/run/bench-clpmgrd.log 2>&1 &" ||
			die "/dev/NMP1: clpmgrd did not start on $n"
	done
	lx node1 "$bd/node-timed 60 '$(nmp_conn connected)' '$nmp_poll'" \
		>/dev/null || die "/dev/NMP1: the mirror did not connect within 60 s"
}

# Initial construction timed; prints node-timed's figures plus bytes=.
nmp_ready() {
	local out
	nmp_fresh
	out=$(lx node1 "$bd/node-timed 3600 '$nmp_normal' '$nmp_poll' -- env $nmp_env $nmp_dir/clpmdctrl --force node1 md01") ||
		die "/dev/NMP1: the initial construction (clpmdctrl --force node1 md01) did not finish"
	lx node1 "$nmp_env $nmp_dir/clpmdctrl --active -nomount md01" >/dev/null ||
		die "/dev/NMP1: clpmdctrl --active -nomount md01 failed"
	echo "$out bytes=$data_bytes"
}

nmp_disconnect() {
	lx node1 "$nmp_env $nmp_dir/clpmdctrl --break md01" >/dev/null || die "/dev/NMP1: --break failed"
	lx node1 "$bd/node-timed 60 '$(nmp_conn standalone)' '$nmp_poll'" \
		>/dev/null || die "/dev/NMP1: not standalone after --break"
}

# nmp_counters NODE [CMD]: the driver's counters as stat_<UAPI name>=N lines
# (from clpmdstat --counters' "  write_bytes : N"), then CMD's output, in
# one exec.
nmp_counters() {
	lx "$1" "$nmp_env $nmp_dir/clpmdstat --counters md01 | sed -n 's/^ *\([a-z0-9_]*\) : \([0-9][0-9]*\).*/stat_\1=\2/p'${2:+; $2}"
}

# The driver's recovery_sent counter (bytes).
nmp_sent() {
	kv stat_recovery_sent_bytes "$(nmp_counters node1 | tr '\n' ' ')"
}

nmp_diff_sync() {
	local out dirty s0 s1
	nmp_disconnect
	dirty=$(dirty_device node1 /dev/NMP1)
	s0=$(nmp_sent)
	out=$(lx node1 "$bd/node-timed 3600 '$nmp_normal' '$nmp_poll' -- env $nmp_env $nmp_dir/clpmdctrl --recovery md01") ||
		die "/dev/NMP1: the differential recovery did not finish"
	s1=$(nmp_sent)
	echo "$out dirty_bytes=$dirty${s0:+${s1:+ sent_bytes=$((s1 - s0))}}"
}

nmp_probe() {
	nmp_snapshot >"$work/probe.txt" 2>&1 || {
		cat "$work/probe.txt"
		return 1
	}
	if ! lx node1 "insmod $nmp_dir/liscal.ko" >"$work/probe.txt" 2>&1; then
		echo "insmod liscal.ko failed in the lab: $(head -c 200 "$work/probe.txt")"
		return 1
	fi
	if ! lx node1 "$nmp_dir/clpmdstat --version" >"$work/probe.txt" 2>&1; then
		echo "clpmdstat --version cannot reach the liscal netlink family: $(head -c 200 "$work/probe.txt")"
		lx node1 "rmmod liscal" >/dev/null 2>&1
		return 1
	fi
	lx node1 "rmmod liscal" >/dev/null 2>&1
	# A resource can be created and connects.
	if ! (nmp_fresh >"$work/probe.txt" 2>&1); then
		echo "a mirror could not be set up: $(tail -c 300 "$work/probe.txt" | tr '\n' ' ')"
		nmp_down
		return 1
	fi
	nmp_down
	return 0
}
