#!/usr/bin/env bats
# make install / uninstall into a DESTDIR, the cluster service's unit and
# clpsvcctrl.sh against a fake systemctl (it records its arguments): no
# systemd, no root, nothing outside a temporary directory. The same in a
# systemd node, across reboots: tests/lab/27-service.bats.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

SVC=$REPO/userland/scripts/clpsvcctrl.sh

setup() {
	T=$(mktemp -d)
	export CLP_SYSTEMCTL=$T/systemctl LOG=$T/systemctl.log
	cat >"$CLP_SYSTEMCTL" <<-'EOF'
		#!/bin/sh
		echo "$*" >>"$LOG"
		case $1 in
		is-enabled) echo enabled ;;
		is-active) echo active ;;
		esac
	EOF
	chmod +x "$CLP_SYSTEMCTL"
}

teardown() {
	rm -rf "$T"
}

@test "clpsvcctrl.sh and node-systemd are shellcheck clean" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck "$SVC" "$REPO/scripts/lab.d/node-systemd"
	assert_success
	assert_output ""
}

@test "clpsvcctrl.sh --enable|--disable: systemctl on the unit, once, as the guide writes it" {
	run "$SVC" --enable -a
	assert_success
	assert_output $'core: enabled (clpstack-core.service)\nmgr: enabled (clpstack-mgr.service)'
	run "$SVC" --disable core mgr
	assert_success
	run "$SVC" --disable core
	assert_output "core: disabled (clpstack-core.service)"
	run "$SVC" --enable core
	run "$SVC" --enable mgr -a core
	assert_success
	run cat "$LOG"
	assert_output $'enable clpstack-core.service clpstack-mgr.service\ndisable clpstack-core.service clpstack-mgr.service\ndisable clpstack-core.service\nenable clpstack-core.service\nenable clpstack-mgr.service clpstack-core.service'
	run "$SVC" --status -a
	assert_success
	assert_output $'core clpstack-core.service enabled active\nmgr clpstack-mgr.service enabled active'
	run "$SVC" --help
	assert_success
	assert_line --index 0 "Usage: clpsvcctrl.sh --enable|--disable [core] [mgr] [-a]"
}

@test "clpsvcctrl.sh: bad input exits 2 with a message naming it, systemctl never runs" {
	local args msg
	while IFS='|' read -r args msg; do
		eval "run --separate-stderr \"\$SVC\" $args"
		assert_equal "$status" 2
		assert_equal "$output" ""
		assert_equal "${stderr_lines[0]}" "clpsvcctrl.sh: $msg"
		assert_equal "${stderr_lines[1]}" "Run 'clpsvcctrl.sh --help' for usage."
	done <<-'EOF'
		|--enable, --disable or --status is required
		core mgr|--enable, --disable or --status is required
		--enable|no service given (core, mgr or -a)
		--disable webmgr|unknown service 'webmgr' (core, mgr or -a)
		--enable core CORE|unknown service 'CORE' (core, mgr or -a)
		--enable --disable -a|--enable and --disable cannot be used together
		--status --enable core|--status and --enable cannot be used together
		--enable -x core|unknown option '-x'
		--disable ''|empty service name
	EOF
	[ ! -e "$LOG" ]
	CLP_SYSTEMCTL=$T/none run "$SVC" --enable -a
	assert_failure 1
	assert_output --partial "$T/none not found"
	printf '#!/bin/sh\necho "Failed to enable unit: Unit file clpstack-core.service does not exist." >&2\nexit 1\n' >"$CLP_SYSTEMCTL"
	run "$SVC" --enable core
	assert_failure 1
	assert_output --partial "Unit file clpstack-core.service does not exist."
	assert_output --partial "clpsvcctrl.sh: systemctl enable clpstack-core.service failed"
}

@test "make install: the tree under PREFIX, the unit with PREFIX in it; clp.conf never overwritten; uninstall" {
	local d=$T/root p=$T/root/usr/local/clp
	[ -x "$REPO/userland/bin/clpmgrd" ] || skip "userland not built (make)"
	run make -C "$REPO" install DESTDIR="$d" PREFIX=/usr/local/clp CONF=userland/conf/examples/lab-clp.conf
	assert_success
	for f in bin/clpmgrd bin/clpmdctrl bin/clpmdstat bin/clpmdinit bin/clpkhbctrl bin/clpkactrl \
		bin/clptoratio bin/clpsvcctrl.sh share/clp.rng share/clp-md.rng share/clp-hb.rng \
		share/examples/lab-clp.conf share/examples/md01.crm share/man/man8/clpmdctrl.8 share/man/man8/clpsvcctrl.sh.8 \
		share/man/man5/clp.conf.5; do
		[ -f "$p/$f" ] || fail "no $p/$f"
	done
	[ -x "$p/bin/clpsvcctrl.sh" ]
	for f in drivers etc log log/ecap alert/log work scripts perf/disk perf/system \
		perf/cluster/heartbeat perf/cluster/group perf/cluster/monitor; do
		[ -d "$p/$f" ] || fail "no directory $p/$f"
	done
	cmp "$p/etc/clp.conf" "$REPO/userland/conf/examples/lab-clp.conf"
	run grep -E '^(ExecStart|ExecStartPre|Environment|Restart|KillMode|Type|After)=' "$d/lib/systemd/system/clpstack-mgr.service"
	assert_line "ExecStart=/usr/local/clp/bin/clpmgrd -f -n"
	assert_line "Environment=CLP_PREFIX=/usr/local/clp"
	assert_line "Restart=no"
	assert_line "KillMode=process"
	assert_line "Type=notify"
	assert_line --regexp "^After=.*network-online\.target"
	assert_line --partial "insmod /usr/local/clp/drivers/\$\$m.ko"
	run grep -E '^(ExecStart|ExecStop|Requires|Type|Environment)=' "$d/lib/systemd/system/clpstack-core.service"
	assert_line "ExecStart=/usr/local/clp/bin/clpcl -s"
	assert_line "ExecStop=/usr/local/clp/bin/clpcl -t"
	assert_line "Requires=clpstack-mgr.service"
	assert_line "Type=oneshot"
	assert_line "Environment=CLP_PREFIX=/usr/local/clp"
	run cat "$d/lib/systemd/system/clpstack-core.service" "$d/lib/systemd/system/clpstack-mgr.service"
	refute_output --partial @PREFIX@
	# A second install keeps an administrator's clp.conf.
	echo "<root/>" >"$p/etc/clp.conf"
	run make -C "$REPO" install DESTDIR="$d" PREFIX=/usr/local/clp CONF=userland/conf/examples/lab-clp.conf
	assert_success
	assert_output --partial "keeping the existing $p/etc/clp.conf"
	assert_equal "$(cat "$p/etc/clp.conf")" "<root/>"
	run make -C "$REPO" uninstall DESTDIR="$d" PREFIX=/usr/local/clp
	assert_success
	run find "$d" -type f
	assert_output "$p/etc/clp.conf"
	[ ! -e "$p/bin" ] && [ ! -e "$p/perf" ] && [ ! -e "$d/lib/systemd/system/clpstack-core.service" ] && [ ! -e "$d/lib/systemd/system/clpstack-mgr.service" ]
}
