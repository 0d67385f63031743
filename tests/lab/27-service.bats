#!/usr/bin/env bats
# Autostart of the cluster service (guide 2.2, 2.14...: clpsvcctrl.sh): a
# node booted with systemd as PID 1 (lab up --systemd), clpstack installed in
# it with "make install" (PREFIX=/opt/clpstack, the node's overlay root), the
# lab's clp.conf; clpsvcctrl.sh --enable -a and a reboot start clpmgrd
# (modules loaded by the unit), --disable -a and a reboot do not; bad input
# is refused with a message and exit status 2 and changes nothing.

load helpers

P=/opt/clpstack
SVC=$P/bin/clpsvcctrl.sh

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-27
	run_lab up --nodes 1 --name "$CLPLAB_NAME" --disk-size 128M --systemd
	# The install as an administrator does it, in the node (its writes go
	# to the node's disk); then the cluster partition clpmgrd wants.
	lab_exec node1 "make -C $REPO install CONF=userland/conf/examples/lab-clp.conf >/var/log/clp-install.log 2>&1 || { tail -n 20 /var/log/clp-install.log; exit 1; }"
	lab_exec node1 "systemctl daemon-reload"
	lab_exec node1 "insmod $P/drivers/liscal.ko && $P/bin/clpmdinit --create force md01 && rmmod liscal"
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

@test "the node runs systemd; make install laid out the tree and the unit" {
	lab_exec node1 "ps -o comm= -p 1"
	assert "$output" == systemd "PID 1"
	lab_exec node1 "cd $P && ls -d bin/clpmgrd bin/clpsvcctrl.sh bin/clpmdctrl drivers/liscal.ko drivers/clpkhb.ko drivers/clpka.ko etc/clp.conf log work scripts perf/disk perf/cluster/heartbeat share/clp.rng"
	lab_exec node1 "cmp $P/etc/clp.conf $REPO/userland/conf/examples/lab-clp.conf"
	lab_exec node1 "grep -E '^(ExecStart|Restart|KillMode|After)=' /lib/systemd/system/clpstack-core.service"
	assert_match "$output" "^ExecStart=$P/bin/clpmgrd -f$"
	assert_match "$output" "^Restart=no$"
	assert_match "$output" "^KillMode=process$"
	assert_match "$output" "^After=.*network-online\.target"
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == disabled "a fresh install enables nothing"
	lab_exec '?' node1 "pgrep -x clpmgrd"
	assert "$status" == 1 "no clpmgrd before it is enabled"
}

@test "the lab under systemd: name, networks, no failed unit, shutdown hooks at reboot, poweroff and start" {
	lab_exec node1 "hostname; cat /etc/hostname; ip -4 -o addr show eth0; ip -4 -o addr show eth1; getent hosts node1-mirror"
	assert_match "$output" "^node1$"
	assert "$(grep -c '^node1$' <<<"$output")" == 2 "hostname and /etc/hostname"
	assert_match "$output" "eth0 +inet 198\.18\.1\.1/24"
	assert_match "$output" "eth1 +inet 198\.18\.2\.1/24"
	assert_match "$output" "^198\.18\.2\.1 +node1-mirror"
	lab_exec '?' node1 "systemctl is-system-running --wait; systemctl --failed --no-legend --plain"
	assert "$output" == running "systemd's state, and no failed unit"
	lab_exec node1 "systemctl is-active clplab-agent.service clplab-shutdown.service"
	lab_exec node1 "printf '%s\n' 'echo hook-ran-\$1-\$(pgrep -x qemu-ga >/dev/null && echo agent-up)' > /run/clplab/shutdown.d/50-test.sh"
	reboot_node node1
	assert_contains "$(cat "$("$LAB" console node1)")" "hook-ran-reboot-agent-up"
	lab_exec node1 "test ! -e /run/clplab/shutdown.d/50-test.sh"
	lab_exec node1 "ps -o comm= -p 1"
	assert "$output" == systemd "PID 1 after the reboot"
	# poweroff ends qemu; start boots it again, with systemd.
	lab_exec node1 "printf '%s\n' 'echo hook-ran-\$1' > /run/clplab/shutdown.d/50-test.sh"
	lab_exec node1 poweroff
	wait_for 120 bash -c "! '$LAB' exec node1 true 2>/dev/null && '$LAB' status | grep -q '^node1 stopped'"
	assert_contains "$(cat "$("$LAB" console node1)")" "hook-ran-poweroff"
	run_lab start node1
	lab_exec node1 "ps -o comm= -p 1"
	assert "$output" == systemd "PID 1 after start"
}

@test "clpsvcctrl.sh --enable -a and a reboot: clpmgrd runs after boot with the modules loaded" {
	lab_exec node1 "$SVC --enable -a"
	assert_match "$output" "^core: enabled \(clpstack-core\.service\)$"
	assert_match "$output" "^mgr: enabled \(clpstack-core\.service\)$"
	lab_exec node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == enabled
	lab_exec '?' node1 "pgrep -x clpmgrd"
	assert "$status" == 1 "enabling does not start the daemon now"
	reboot_node node1
	wait_for 60 "$LAB" exec node1 -- systemctl is-active --quiet clpstack-core.service
	lab_exec node1 "systemctl is-active clpstack-core.service clpstack-mgr.service"
	assert "$output" == $'active\nactive' "core, and mgr (its alias)"
	lab_exec node1 "pgrep -x clpmgrd"
	lab_exec node1 "cat /proc/modules | cut -d' ' -f1 | grep -E '^(liscal|clpkhb|clpka)$' | sort | xargs"
	assert "$output" == "clpka clpkhb liscal" "modules loaded by ExecStartPre"
	wait_for 30 "$LAB" exec node1 -- bash -c "journalctl -b -u clpstack-core.service | grep -q 'clpmgrd started on server node1'"
	lab_exec node1 "$SVC --status -a"
	assert_match "$output" "^core clpstack-core\.service enabled active$"
	assert_match "$output" "^mgr clpstack-core\.service enabled active$"
}

@test "clpsvcctrl.sh --disable -a and a reboot: clpmgrd does not run after boot" {
	lab_exec node1 "$SVC --disable -a"
	assert_match "$output" "^core: disabled \(clpstack-core\.service\)$"
	assert_match "$output" "^mgr: disabled \(clpstack-core\.service\)$"
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == disabled
	lab_exec node1 "pgrep -x clpmgrd" # the running daemon is left alone
	reboot_node node1
	# The boot is complete (boot marker after multi-user.target): nothing
	# started it, nothing will.
	lab_exec '?' node1 "systemctl is-system-running --wait"
	lab_exec '?' node1 "systemctl is-active clpstack-core.service"
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
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == disabled
	lab_exec node1 "$SVC --enable mgr core"
	lab_exec node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == enabled
	lab_exec node1 "$SVC --disable mgr"
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service"
	assert "$output" == disabled "mgr is clpmgrd too"
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
	lab_exec node1 "test ! -e $P/bin/clpmgrd && test ! -e $P/bin/clpsvcctrl.sh && test ! -e $P/drivers/liscal.ko && test ! -e /lib/systemd/system/clpstack-core.service"
	lab_exec node1 "test -f $P/etc/clp.conf"
}
