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

# Both nodes report both copies GREEN.
both_green() {
	[ "$(colours node1)" = "GREEN GREEN Normal" ] && [ "$(colours node2)" = "GREEN GREEN Normal" ]
}

# NODE sees itself with colour $2.
self_is() {
	[ "$(colours "$1" | cut -d' ' -f1)" = "$2" ]
}
