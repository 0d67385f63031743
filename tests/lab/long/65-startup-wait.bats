#!/usr/bin/env bats
# Guide 2.21, "Wait time for synchronized cluster startup", on two systemd
# nodes (procedures.bash): a server that starts alone waits for the other
# servers before it starts any group; the wait is 5 minutes unless the
# configuration says otherwise (Cluster WebUI's Timeout tab, "Synchronize
# Wait Time": cluster/startup/synctime in clp.conf, written on both
# servers as an upload would). Each case: the cluster shut down with
# clpstdn, node1 powered on alone.
#   - no synctime in clp.conf: node1 waits up to 300 s; node2 powered on
#     during the wait: the wait ends, failover1 starts on node1;
#   - synctime 20: node2 stays off; after 20 s the wait times out and
#     failover1 starts on node1 alone; node2 joins later.

load ../helpers
load procedures

waiting_on() { # waiting_on NODE: NODE's cluster service waits for the others
	[ "$("$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.servers[] | select(.name == \"$1\") | .waiting'")" = true ]
}

# set_synctime VALUE|none: clp.conf's synctime on both servers (none: no
# such element, the default applies), checked by clpmgrd --check.
set_synctime() {
	local n expr='s|<startup><synctime>[0-9]*</synctime></startup>||'
	[ "$1" = none ] || expr="$expr;/<interval>/s|</heartbeat>|</heartbeat><startup><synctime>$1</synctime></startup>|"
	for n in node1 node2; do
		lab_exec $n "sed -i '$expr' $CONF && sync $CONF && $B/clpmgrd --check >/dev/null && grep -c '<synctime>' $CONF || true"
		assert "$output" == "$([ "$1" = none ] && echo 0 || echo 1)" "synctime elements in $n's clp.conf"
	done
}

# node1_alone_waits SECONDS: clpstdn; node1 powered on alone, its cluster
# service waits up to SECONDS for node2, failover1 not started.
node1_alone_waits() {
	stdn_both
	run_lab start node1
	wait_for 180 waiting_on node1
	lab_exec node1 "grep -a 'rc 6: ' $P/log/clpmgrd.log | tail -n 1"
	assert_contains "$output" "waiting up to $1 s for the other servers"
	offline_on node1
}

@test "2.21 the default, 5 minutes: node1 started alone waits; node2 started during the wait: both run, failover1 on node1" {
	set_synctime none
	node1_alone_waits 300
	run_lab start node2
	wait_for 180 service_is node2 started
	wait_for 120 online_on node1 node1
	lab_exec node1 "grep -a 'rc 7: ' $P/log/clpmgrd.log | tail -n 1"
	assert_contains "$output" "startup wait ended: every server is up"
	wait_for 300 both_green
}

@test "2.21 the wait changed to 20 s: node1 started alone waits, times out and starts failover1 alone; node2 joins later" {
	set_synctime 20
	node1_alone_waits 20
	wait_for 120 online_on node1 node1
	lab_exec node1 "grep -a 'rc 7: ' $P/log/clpmgrd.log | tail -n 1"
	assert_contains "$output" "startup wait ended: timed out"
	run_lab start node2
	wait_for 180 service_is node2 started
	wait_for 300 both_green
	online_on node1 node1
	online_on node2 node1
}
