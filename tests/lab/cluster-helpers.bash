# SPDX-License-Identifier: GPL-2.0
# Helpers of the cluster service's lab suites (50-cluster, 51-cluster-np),
# loaded after helpers.bash and md-helpers.bash with "load cluster-helpers".
# shellcheck disable=SC2154 # REPO, LAB, B, K: from helpers.bash, md-helpers.bash
# shellcheck disable=SC2034 # D: used by the suites

D=$REPO/tests/lab/cluster

# node_prepare NODE [SED]: the suite's clp.conf (startup wait ${SYNC:-120}
# s; SED applied to it too, $KEYED by default), the exec scripts (synced:
# a power cut or reset must not take them), the three modules.
node_prepare() {
	lab_exec "$1" "mkdir -p /opt/clpstack/etc /opt/clpstack/scripts && sed -e 's|@SYNCTIME@|${SYNC:-120}|' -e '${2:-$KEYED}' $D/clp.conf > $CONF && cp $D/exec1-*.sh /opt/clpstack/scripts/ && sync && $B/clpmgrd --check"
	lab_exec "$1" "for m in liscal clpkhb clpka; do grep -q \"^\$m \" /proc/modules || insmod $K/\$m/\$m.ko; done; grep -cE '^(liscal|clpkhb|clpka) ' /proc/modules"
	assert "$output" == "3" "modules loaded on $1"
}

# daemon_start NODE: the daemon without the cluster service (as the mgr
# unit starts it), answering on its socket; $MGR_ENV (VAR=value ...) in
# its environment.
daemon_start() {
	lab_exec "$1" "${MGR_ENV:+env $MGR_ENV} setsid -f $B/clpmgrd -f -n >>/var/log/clpmgrd.log 2>&1 </dev/null"
	wait_for 20 "$LAB" exec "$1" -- test -S /opt/clpstack/work/clpmgrd.sock
}

# A sed of clp.conf: node3 (198.18.1.3) as the ping target, npaction 5
# (keepalive reset) at a lost resolution (51-cluster-np, 54-cluster-fence).
PINGNP='s|</resource>|</resource><networkpartition><npaction>5</npaction><pingnp name="pingnp1"><target>198.18.1.3</target><timeout>3</timeout></pingnp></networkpartition>|'

# cluster_lab_up NODES [SED]: a lab of NODES nodes; node1 and node2 with
# clp.conf, modules, a fresh cluster partition and the daemon. The cluster
# key (heartbeats and the daemons' requests signed with it) is the same on
# both: made here, sent to each node.
KEYED='s|<timeout>8000</timeout>|<timeout>8000</timeout><keyfile>/opt/clpstack/etc/cluster.key</keyfile>|'
cluster_lab_up() {
	local n key=$BATS_FILE_TMPDIR/cluster.key
	head -c 32 /dev/urandom >"$key"
	run_lab up --nodes "$1" --name "$CLPLAB_NAME" --disk-size 128M
	for n in node1 node2; do
		"$LAB" exec $n -i -- bash -c "mkdir -p /opt/clpstack/etc && cat >/opt/clpstack/etc/cluster.key && chmod 600 /opt/clpstack/etc/cluster.key" <"$key"
		node_prepare $n "$KEYED;${2:-}"
		lab_exec $n "$B/clpmdinit --create force md01"
		daemon_start $n
	done
}

# "<state> <current>" of failover1 as NODE's clpstat --json shows it.
grp_on() {
	"$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.groups[] | select(.name == \"failover1\") | .state + \" \" + (.current // \"null\")'"
}
online_on() { # online_on VIEWER SERVER
	[ "$(grp_on "$1")" = "online $2" ]
}

# The MAC of NODE's eth0, and the one 198.18.1.100 answers with, seen
# from VIEWER.
mac_of() { "$LAB" exec "$1" -- cat /sys/class/net/eth0/address; }
fip_mac() {
	"$LAB" exec "$1" -- bash -c "ip neigh flush dev eth0 to 198.18.1.100; ping -c1 -W2 198.18.1.100 >/dev/null && ip neigh show 198.18.1.100 dev eth0 | awk '{print \$3}'"
}
fip_answers_from() { # fip_answers_from VIEWER OWNER
	[ "$(fip_mac "$1")" = "$(mac_of "$2")" ]
}

# isolate NODE CHECK...: both of NODE's cables pulled; waits until CHECK
# (e.g. "online_on node2 node2") holds and NODE booted again (it lost the
# resolution and reset). 51-cluster-np, 52-cluster-majority,
# 54-cluster-fence.
isolate() {
	local node=$1 boots
	shift
	boots=$("$LAB" boots "$node")
	run_lab link "$node" interconnect down
	run_lab link "$node" mirror down
	wait_for 120 "$@"
	wait_for 120 boots_above "$node" "$boots"
}

other() { [ "$1" = node1 ] && echo node2 || echo node1; }
boots_above() { (($("$LAB" boots "$1") > $2)); }

# partition_node1 ONLINE LOST WON GROUP: pull both cables of node1, which
# runs GROUP. node2 must take it over (ONLINE node2 node2 holds) after
# winning the partition resolution (its log: "...won: WON", then the
# failover), and node1 must reset (its console: "...lost...LOST").
partition_node1() {
	local console
	console=$("$LAB" console node1)
	isolate node1 "$1" node2 node2
	run grep -a "network partition resolution lost" "$console"
	assert_success
	assert_output --partial "$2"
	lab_exec node2 "grep -a -E 'rc (60|3): ' /opt/clpstack/log/clpmgrd.log"
	assert_line --index 0 --partial "network partition resolution won: $3"
	assert_line --index 1 --partial "failover of $4 from node1 to node2"
}

# replug NODE: NODE's cables back, NODE up again after its reset.
replug() {
	run_lab link "$1" interconnect up
	run_lab link "$1" mirror up
	run_lab wait "$1" --timeout 600
}
