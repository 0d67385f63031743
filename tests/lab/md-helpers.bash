# SPDX-License-Identifier: GPL-2.0
# Helpers of the lab suites that run the mirror agent and the commands
# (21-mirror-cmds.bats, 22-fullcopy.bats), loaded after helpers.bash with
# "load md-helpers". The suite defines install_conf NODE (its clp.conf).
# shellcheck disable=SC2154 # REPO, LAB: from helpers.bash
# shellcheck disable=SC2034 # B, K, CONF: used by the suites

B=$REPO/userland/bin
K=$KMODS
CONF=/opt/clpstack/etc/clp.conf

# md_lab_up: a 2-node lab ($CLPLAB_NAME) with 128M mirror disks (data
# partition ~63 MiB: full copies stay short); on both nodes the suite's
# clp.conf, liscal, a fresh cluster partition, then clpmgrd.
md_lab_up() {
	local n
	run_lab up --nodes 2 --name "$CLPLAB_NAME" --disk-size 128M
	for n in node1 node2; do
		install_conf $n
		lab_exec $n "insmod $K/liscal/liscal.ko"
		lab_exec $n "$B/clpmdinit --create force md01"
	done
	for n in node1 node2; do
		lab_exec $n "setsid -f $B/clpmgrd -f >/var/log/clpmgrd.log 2>&1 </dev/null"
	done
}

# "<this server's colour> <other server's colour> <mirror status>" as seen
# from NODE.
colours() {
	"$LAB" exec "$1" -- "$B/clpmdstat" --mirror md01 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = {x["local"]: x["colour"] for x in d["servers"]}
print(s[True], s[False], d["mirror_status"])'
}

# NODE's own role for md01 in its driver (active, standby).
role() {
	"$LAB" exec "$1" -- "$B/clpmdstat" --mirror md01 --json | jq -r '.servers[] | select(.local) | .role'
}

# Both nodes report both copies GREEN.
both_green() {
	[ "$(colours node1)" = "GREEN GREEN Normal" ] && [ "$(colours node2)" = "GREEN GREEN Normal" ]
}

# perf_rows NODE N: the mirror statistics file nmp1.cur on NODE has at
# least N lines (header + rows).
perf_rows() {
	local lines
	lines=$("$LAB" exec "$1" -- sh -c 'wc -l < /opt/clpstack/perf/disk/nmp1.cur') || return 1
	[ "$lines" -ge "$2" ]
}
# perf_file_ok NODE: nmp1.cur on NODE has a sample row (the sampler writes
# one every 60 s: waited for up to 150 s), the guide's header and 38
# columns in the row.
perf_file_ok() {
	wait_for 150 perf_rows "$1" 2
	lab_exec "$1" "head -n 1 /opt/clpstack/perf/disk/nmp1.cur"
	assert_match "$output" '^"Date", "Write, Total", "Write, Avg", .*"Fsck Time, Last"$'
	lab_exec "$1" "sed -n 2p /opt/clpstack/perf/disk/nmp1.cur | awk -F '\", \"' '{print NF}'"
	assert "$output" == "38" "columns of a sample row on $1"
}

# NODE sees itself with colour $2.
self_is() {
	[ "$(colours "$1" | cut -d' ' -f1)" = "$2" ]
}
