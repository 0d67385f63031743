#!/usr/bin/env bats
# Autostart of the cluster service (guide 2.2, 2.14...: clpsvcctrl.sh): two
# nodes booted with systemd as PID 1 (lab up --systemd), clpstack installed
# in each with "make install" (PREFIX=/opt/clpstack, the node's overlay
# root) and the cluster suite's clp.conf (failover1 = md01 + exec1 + fip1).
# clpsvcctrl.sh --enable -a and a reboot: the cluster starts and failover1
# comes online on node1; --disable core: only the manager runs, 'clpcl -s -a'
# starts the cluster; --disable -a: nothing runs; bad input is refused with
# a message and exit status 2 and changes nothing.

load ../helpers

P=/opt/clpstack
SVC=$P/bin/clpsvcctrl.sh
B=$P/bin

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-27
	run_lab up --nodes 2 --name "$CLPLAB_NAME" --disk-size 128M --systemd
	# The install as an administrator does it, in each node (its writes go
	# to the node's disk); then the cluster partition clpmgrd wants.
	for n in node1 node2; do
		lab_exec $n "sed 's|@SYNCTIME@|120|' $REPO/tests/lab/cluster/clp.conf >/tmp/clp.conf && make -C $REPO install CONF=/tmp/clp.conf >/var/log/clp-install.log 2>&1 || { tail -n 20 /var/log/clp-install.log; exit 1; }"
		lab_exec $n "cp $REPO/tests/lab/cluster/exec1-*.sh $P/scripts/ && systemctl daemon-reload"
		lab_exec $n "insmod $P/drivers/liscal.ko && $P/bin/clpmdinit --create force md01 && rmmod liscal"
	done
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

boots_above() { # boots_above NODE N
	(($("$LAB" boots "$1") > $2))
}

# reboot_node NODE: reboot from inside (systemd's reboot), wait until the
# lab counted the new boot and the node answers again.
reboot_node() {
	local before
	before=$("$LAB" boots "$1")
	lab_exec "$1" reboot
	wait_for 180 boots_above "$1" "$before"
	run_lab wait "$1" --timeout 240
	assert "$("$LAB" boots "$1")" == $((before + 1)) "boots of $1"
}

# "<state> <current>" of failover1 as NODE's clpstat shows it.
grp_on() {
	"$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.groups[0] | .state + \" \" + (.current // \"-\")'"
}
online_on() { [ "$(grp_on "$1")" = "online $2" ]; }
service_is() { # service_is NODE started|stopped (of NODE itself)
	[ "$("$LAB" exec "$1" -- bash -c "$B/clpstat --json | jq -r '.servers[] | select(.name == \"$1\") | .service'")" = "$2" ]
}

@test "the nodes run systemd; make install laid out the tree and the units" {
	lab_exec node1 "ps -o comm= -p 1"
	assert "$output" == systemd "PID 1"
	lab_exec node1 "cd $P && ls -d bin/clpmgrd bin/clpcl bin/clpstat bin/clpsvcctrl.sh bin/clpmdctrl drivers/liscal.ko drivers/clpkhb.ko drivers/clpka.ko etc/clp.conf log work scripts perf/disk perf/cluster/heartbeat share/clp.rng"
	lab_exec node1 "grep -E '^(Type|ExecStart|Restart|KillMode|After)=' /lib/systemd/system/clpstack-mgr.service"
	assert_match "$output" "^Type=notify$"
	assert_match "$output" "^ExecStart=$P/bin/clpmgrd -f -n$"
	assert_match "$output" "^KillMode=process$"
	assert_match "$output" "^After=.*network-online\.target"
	lab_exec node1 "grep -E '^(Type|ExecStart|ExecStop|Requires|After)=' /lib/systemd/system/clpstack-core.service"
	assert_match "$output" "^Type=oneshot$"
	assert_match "$output" "^ExecStart=$P/bin/clpcl -s$"
	assert_match "$output" "^ExecStop=$P/bin/clpcl -t$"
	assert_match "$output" "^Requires=clpstack-mgr\.service$"
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service clpstack-mgr.service"
	assert "$output" == $'disabled\ndisabled' "a fresh install enables nothing"
	lab_exec '?' node1 "pgrep -x clpmgrd"
	assert "$status" == 1 "no clpmgrd before it is enabled"
}

@test "clpsvcctrl.sh --enable -a and a reboot of both: the cluster starts by itself, failover1 online on node1" {
	local n
	for n in node1 node2; do
		lab_exec $n "$SVC --enable -a"
		assert_match "$output" "^core: enabled \(clpstack-core\.service\)$"
		assert_match "$output" "^mgr: enabled \(clpstack-mgr\.service\)$"
		lab_exec '?' $n "pgrep -x clpmgrd"
		assert "$status" == 1 "enabling does not start the daemon now"
	done
	reboot_node node1
	reboot_node node2
	wait_for 240 online_on node1 node1
	wait_for 30 online_on node2 node1
	for n in node1 node2; do
		lab_exec $n "systemctl is-active clpstack-mgr.service clpstack-core.service"
		assert "$output" == $'active\nactive' "mgr and core on $n"
		lab_exec $n "cat /proc/modules | cut -d' ' -f1 | grep -E '^(liscal|clpkhb|clpka)$' | sort | xargs"
		assert "$output" == "clpka clpkhb liscal" "modules loaded by the mgr unit on $n"
		lab_exec $n "journalctl -b -u clpstack-mgr.service | grep -c 'clpmgrd started on server $n'"
		lab_exec $n "$SVC --status -a"
		assert_match "$output" "^core clpstack-core\.service enabled active$"
		assert_match "$output" "^mgr clpstack-mgr\.service enabled active$"
	done
	lab_exec node1 "mountpoint /mnt/md01"
}

@test "--disable core and a reboot of both: the groups stop cleanly at shutdown, only the manager runs after boot; clpcl -s -a starts the cluster" {
	local n
	for n in node1 node2; do
		lab_exec $n "$SVC --disable core"
		assert "$output" == "core: disabled (clpstack-core.service)"
	done
	reboot_node node1
	# node1's shutdown ran 'clpcl -t': failover1 stopped there, and node2,
	# told so, saw node1 go down without failing anything over.
	lab_exec node1 "grep -a -E 'rc (2|5): ' $P/log/clpmgrd.log | tail -n 2"
	assert_line --index 0 --partial "group failover1 stopped on node1"
	assert_line --index 1 --partial "cluster service stopped on node1"
	wait_for 60 "$LAB" exec node2 -- grep -a -q 'rc 11: server node1 is down' $P/log/clpmgrd.log
	lab_exec node2 "grep -a -c 'rc 3: failover of failover1' $P/log/clpmgrd.log || true"
	assert "$output" == 0 "failovers on node2"
	reboot_node node2
	for n in node1 node2; do
		wait_for 60 "$LAB" exec $n -- systemctl is-active --quiet clpstack-mgr.service
		lab_exec '?' $n "systemctl is-active clpstack-core.service"
		assert "$output" == inactive "core on $n"
		wait_for 30 service_is $n stopped
	done
	[ "$(grp_on node1)" = "offline -" ] || fail "failover1 after boot: $(grp_on node1)"
	lab_exec node1 "$B/clpcl -s -a"
	wait_for 240 online_on node1 node1
}

@test "clpsvcctrl.sh --disable -a and a reboot: clpmgrd does not run after boot" {
	lab_exec node1 "$SVC --disable -a"
	assert_match "$output" "^core: disabled \(clpstack-core\.service\)$"
	assert_match "$output" "^mgr: disabled \(clpstack-mgr\.service\)$"
	lab_exec '?' node1 "systemctl is-enabled clpstack-mgr.service"
	assert "$output" == disabled
	lab_exec node1 "pgrep -x clpmgrd" # the running daemon is left alone
	reboot_node node1
	# The boot is complete (boot marker after multi-user.target): nothing
	# started it, nothing will.
	lab_exec '?' node1 "systemctl is-system-running --wait"
	lab_exec '?' node1 "systemctl is-active clpstack-mgr.service"
	assert "$output" == inactive
	lab_exec '?' node1 "pgrep -x clpmgrd"
	assert "$status" == 1 "no clpmgrd after boot"
	lab_exec '?' node1 "grep -cE '^(liscal|clpkhb|clpka) ' /proc/modules"
	assert "$output" == 0 "no module loaded"
}

@test "the guide's forms: --enable core, --disable core mgr, --enable core mgr" {
	lab_exec node1 "$SVC --enable core"
	assert "$output" == "core: enabled (clpstack-core.service)"
	lab_exec node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == enabled
	lab_exec node1 "$SVC --disable core mgr"
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service clpstack-mgr.service"
	assert "$output" == $'disabled\ndisabled'
	lab_exec node1 "$SVC --enable mgr core"
	lab_exec node1 "systemctl is-enabled clpstack-core.service clpstack-mgr.service"
	assert "$output" == $'enabled\nenabled'
	lab_exec node1 "$SVC --disable mgr"
	lab_exec '?' node1 "systemctl is-enabled clpstack-mgr.service"
	assert "$output" == disabled "mgr alone"
	lab_exec node1 "$SVC --help"
	assert_match "$output" "^Usage: clpsvcctrl\.sh --enable\|--disable \[core\] \[mgr\] \[-a\]$"
}

# bad ARGS STATUS MESSAGE: clpsvcctrl.sh ARGS exits STATUS with MESSAGE on
# stderr and nothing on stdout.
bad() {
	run --separate-stderr "$LAB" exec node1 "$SVC $1"
	assert "$status" == "$2" "exit status of: clpsvcctrl.sh $1"
	assert "$output" == "" "stdout of: clpsvcctrl.sh $1"
	assert_contains "$stderr" "$3" "stderr of: clpsvcctrl.sh $1"
}

@test "bad input to clpsvcctrl.sh: a message naming it, exit status 2, nothing changed" {
	lab_exec node1 "$SVC --enable -a"
	bad "" 2 "clpsvcctrl.sh: --enable, --disable or --status is required"
	bad "core mgr" 2 "clpsvcctrl.sh: --enable, --disable or --status is required"
	bad "--disable" 2 "clpsvcctrl.sh: no service given (core, mgr or -a)"
	bad "--disable webmgr" 2 "clpsvcctrl.sh: unknown service 'webmgr' (core, mgr or -a)"
	bad "--disable core foo" 2 "clpsvcctrl.sh: unknown service 'foo' (core, mgr or -a)"
	bad "--enable --disable -a" 2 "clpsvcctrl.sh: --enable and --disable cannot be used together"
	bad "--disable --enable core" 2 "clpsvcctrl.sh: --disable and --enable cannot be used together"
	bad "--disable -x core" 2 "clpsvcctrl.sh: unknown option '-x'"
	bad "--disable ''" 2 "clpsvcctrl.sh: empty service name"
	bad "--disable --force core" 2 "clpsvcctrl.sh: unknown option '--force'"
	lab_exec node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == enabled "no bad input disabled it"
	lab_exec '?' node1 "CLP_SYSTEMCTL=/nonexistent $SVC --disable -a"
	assert "$status" == 1 "without systemctl"
	assert_contains "$output" "/nonexistent not found"
	lab_exec node1 "$SVC --disable -a"
}

@test "make uninstall removes what install put, keeps clp.conf" {
	lab_exec node1 "make -C $REPO uninstall >/dev/null"
	lab_exec node1 "test ! -e $P/bin/clpmgrd && test ! -e $P/bin/clpsvcctrl.sh && test ! -e $P/drivers/liscal.ko && test ! -e /lib/systemd/system/clpstack-core.service && test ! -e /lib/systemd/system/clpstack-mgr.service"
	lab_exec node1 "test -f $P/etc/clp.conf"
}
