#!/usr/bin/env bats
# Network partition resolution by majority (Documentation/cluster.md):
# three servers, failover2 (exec2 + fip1) on node1, node3 running no group.
# node1's cables are pulled: node1 holds 1 of 3 servers and loses (npaction
# 5, keepalive reset); node2 holds 2 of 3 with node3, wins and takes
# failover2 over; node3 takes no group. Afterwards one server runs it.

load helpers
load md-helpers
load cluster-helpers

setup_file() {
	skip_if_no_lab || return 0
	export CLPLAB_NAME=t$$-maj
	run_lab up --nodes 3 --name "$CLPLAB_NAME"
	for n in node1 node2 node3; do
		lab_exec $n "mkdir -p /opt/clpstack/etc /opt/clpstack/scripts && cp $D/clp-3.conf $CONF && cp $D/exec2.sh /opt/clpstack/scripts/ && $B/clpmgrd --check"
		lab_exec $n "for m in clpkhb clpka; do grep -q \"^\$m \" /proc/modules || insmod $K/\$m/\$m.ko; done"
		daemon_start $n
	done
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

grp2_on() {
	"$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.groups[] | select(.name == \"failover2\") | .state + \" \" + (.current // \"null\")'"
}
online2_on() { [ "$(grp2_on "$1")" = "online $2" ]; }

@test "clpcl -s -a on three servers: failover2 online on node1, seen from each" {
	lab_exec node1 "$B/clpcl -s -a"
	for n in node1 node2 node3; do
		wait_for 120 online2_on $n node1
	done
	lab_exec node1 "grep -c '^START node1 failover2' /var/log/exec2.log"
	lab_exec node1 "ip -4 addr show dev eth0 | grep -c 198.18.1.100/24"
}

@test "node1's cables pulled: node1 (1 of 3) resets through clpka, node2 (2 of 3) takes failover2 over, node3 takes nothing" {
	local console
	console=$("$LAB" console node1)
	isolate_node1 online2_on node2 node2
	run grep -a "network partition resolution lost" "$console"
	assert_success
	assert_output --partial "majority: this side has 1 of 3 servers"
	lab_exec node2 "grep -a -E 'rc (60|3): ' /opt/clpstack/log/clpmgrd.log"
	assert_line --index 0 --partial "network partition resolution won: majority: this side has 2 of 3 servers"
	assert_line --index 1 --partial "failover of failover2 from node1 to node2"
	lab_exec node2 "ip -4 addr show dev eth0 | grep -c 198.18.1.100/24"
	lab_exec node3 "! grep -a -q 'rc 3: ' /opt/clpstack/log/clpmgrd.log && ! ip -4 addr show | grep -q 198.18.1.100"
	wait_for 30 online2_on node3 node2
	run_lab link node1 interconnect up
	run_lab link node1 mirror up
	run_lab wait node1 --timeout 600
	# After its reset node1 runs nothing: exactly one server has failover2.
	lab_exec node1 "! ip -4 addr show | grep -q 198.18.1.100"
	online2_on node2 node2
}

@test "the kernel logs are clean" {
	dmesg_clean node2
	dmesg_clean node3
}
