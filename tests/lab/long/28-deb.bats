#!/usr/bin/env bats
# The Debian packages installed as an administrator does it
# (Documentation/install.md), in two nodes booted with systemd as PID 1
# (their writes go to their disks, the host is untouched): dpkg -i of
# clpstack-dkms and clpstack from $CLP_DEB_DIR (default build/deb, "make
# deb"); DKMS builds the three modules for the node's kernel (the host's
# headers; about 5 minutes under TCG); nothing is enabled or started; man
# finds the pages; with a clp.conf the manager unit loads the DKMS modules
# with modprobe and clpmgrd answers; the two servers run the mirror from
# the installed files (the cluster unit, the mirror agent, DKMS's liscal)
# and a write on one reads back on the other; then on node1: a kernel upgrade (the lab's debug
# kernel as the new one, when this machine has built it): the kernel's
# install hook makes DKMS build the modules for it, the node boots it (lab
# start --kernel) and the manager unit loads them; removal stops it and
# removes the modules from every kernel, keeping clp.conf. Not in make
# check (the builds are long): make check-deb.

load ../helpers
load ../md-helpers

P=/opt/clpstack
# md-helpers' both_green reads the installed clpmdstat.
B=$P/bin
DEB_DIR=${CLP_DEB_DIR:-$REPO/build/deb}
VERSION=$(sed -n 's/^#define CLPSTACK_VERSION "\(.*\)"/\1/p' "$REPO/netlink/uapi/clpstack/version.h")

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	[ -f "$DEB_DIR/clpstack_${VERSION}_amd64.deb" ] && [ -f "$DEB_DIR/clpstack-dkms_${VERSION}_all.deb" ] ||
		file_skip "no packages in $DEB_DIR: run make deb (or make check-deb)" || return 0
	[ -d "/lib/modules/$(uname -r)/build" ] || ls -d /lib/modules/*/build >/dev/null 2>&1 ||
		file_skip "DKMS needs the kernel headers (linux-headers-amd64)" || return 0
	export CLPLAB_NAME=t$$-28
	run_lab up --nodes 2 --name "$CLPLAB_NAME" --disk-size 128M --systemd
	# Both servers install the packages, at the same time (the DKMS build
	# of three modules under TCG takes minutes).
	local n pids=() rc=0
	for n in node1 node2; do
		# A container host's /usr/sbin/policy-rc.d (Docker's: exit 101)
		# would make the maintainer scripts skip every start and stop; a
		# server has none. Removed in the node only (a whiteout on its disk).
		lab_exec $n "rm -f /usr/sbin/policy-rc.d"
		timeout -k 10 1800 "$LAB" exec $n --timeout 1700 -- bash -c \
			"DEBIAN_FRONTEND=noninteractive dpkg -i $DEB_DIR/clpstack-dkms_${VERSION}_all.deb \
			$DEB_DIR/clpstack_${VERSION}_amd64.deb >/var/log/clp-deb.log 2>&1 || { tail -n 30 /var/log/clp-deb.log; exit 1; }" \
			>"$BATS_FILE_TMPDIR/dpkg-$n.log" 2>&1 &
		pids+=($!)
	done
	for n in 0 1; do
		wait "${pids[n]}" || { rc=$? && echo "# dpkg -i on node$((n + 1)) failed ($rc):" && sed 's/^/#   /' "$BATS_FILE_TMPDIR/dpkg-node$((n + 1)).log"; } >&2
	done
	return "$rc"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

@test "dpkg -i: both packages installed, DKMS built the modules for the node's kernel, nothing enabled or started" {
	lab_exec node1 "dpkg-query -W -f='\${Package} \${Version} \${Status}\n' clpstack clpstack-dkms"
	assert "$output" == "clpstack $VERSION install ok installed"$'\n'"clpstack-dkms $VERSION install ok installed"
	local kver
	lab_exec node1 "uname -r"
	kver=$output
	lab_exec node1 "dkms status clpstack"
	assert_match "$output" "^clpstack/$VERSION, $kver, x86_64: installed"
	lab_exec node1 "modinfo -F filename liscal clpkhb clpka"
	assert "$output" == "$(printf '/lib/modules/%s/updates/dkms/%s.ko\n' "$kver" liscal "$kver" clpkhb "$kver" clpka)"
	lab_exec node1 "modinfo -F version liscal"
	assert "$output" == "$VERSION" "the DKMS module's version"
	lab_exec '?' node1 "systemctl is-enabled clpstack-core.service clpstack-mgr.service"
	assert "$output" == $'disabled\ndisabled' "the package enables nothing"
	lab_exec '?' node1 "pgrep -x clpmgrd"
	assert "$status" == 1 "no clpmgrd after the install"
	lab_exec node1 "ls $P/bin/clpmgrd $P/bin/clpsvcctrl.sh $P/share/clp.rng /usr/lib/ocf/resource.d/clpstack/md && test -d $P/etc && test ! -e $P/etc/clp.conf"
}

@test "man finds the pages in /usr/share/man" {
	lab_exec node1 "man -w clpmdctrl; man -w 5 clp.conf; MANWIDTH=80 man clpsvcctrl.sh | head -n 4"
	assert_match "$output" "^/usr/share/man/man8/clpmdctrl\.8\.gz$"
	assert_match "$output" "^/usr/share/man/man5/clp\.conf\.5\.gz$"
	assert_match "$output" "clpsvcctrl\.sh - enable or disable"
}

@test "with a clp.conf, systemctl start clpstack-mgr loads the DKMS modules by modprobe and clpmgrd answers; the OCF agent validates" {
	lab_exec node1 "sed 's|@SYNCTIME@|120|' $REPO/tests/lab/cluster/clp.conf >$P/etc/clp.conf"
	lab_exec node1 "systemctl start clpstack-mgr.service && systemctl is-active clpstack-mgr.service"
	assert "$output" == active
	lab_exec node1 "cut -d' ' -f1 /proc/modules | grep -E '^(liscal|clpkhb|clpka)$' | sort | xargs"
	assert "$output" == "clpka clpkhb liscal" "modules loaded by the mgr unit"
	lab_exec node1 "$P/bin/clpmdstat --version"
	assert_match "$output" "module_version : $VERSION"
	lab_exec node1 "$P/bin/clpstat"
	assert_match "$output" "node1"
	# The OCF agent as installed: its default prefix, this clp.conf.
	lab_exec node1 "OCF_RESKEY_resource=md01 /usr/lib/ocf/resource.d/clpstack/md validate-all"
	lab_exec 6 node1 "OCF_RESKEY_resource=md09 /usr/lib/ocf/resource.d/clpstack/md validate-all"
	assert_match "$output" "'md09' is not an md resource of clp.conf \(it has: md01\)"
}

@test "two servers from the packages: the mirror agent builds md01, a write on node1 reads back on node2" {
	local n sum
	for n in node1 node2; do
		lab_exec $n "systemctl stop clpstack-mgr.service; cp $REPO/userland/conf/examples/lab-clp.conf $P/etc/clp.conf &&
			modprobe liscal && $P/bin/clpmdinit --create force md01 && systemctl start clpstack-core.service"
	done
	wait_for 600 both_green
	lab_exec node1 "$P/bin/clpmdctrl --active -nomount md01 >/dev/null && head -c 4194304 /dev/urandom >/tmp/blob &&
		dd if=/tmp/blob of=/dev/NMP1 bs=1M oflag=direct status=none && $P/bin/clpmdctrl --deactive md01 >/dev/null && md5sum </tmp/blob"
	sum=$output
	lab_exec node2 "$P/bin/clpmdctrl --active -nomount md01 >/dev/null && dd if=/dev/NMP1 bs=1M count=4 iflag=direct status=none | md5sum &&
		$P/bin/clpmdctrl --deactive md01 >/dev/null"
	assert "$output" == "$sum" "the 4 MiB written on node1, read on node2"
	lab_exec node2 "modinfo -F filename liscal"
	assert_match "$output" "^/lib/modules/.*/updates/dkms/liscal\.ko$"
	# Back to one server with the manager only, for the tests below.
	for n in node1 node2; do
		lab_exec $n "systemctl stop clpstack-core.service clpstack-mgr.service"
	done
}

# The second kernel of a kernel upgrade: the lab's debug kernel
# (6.1-clpdebug, scripts/debug-kernel), when this machine has built it.
second_kernel() {
	local vars
	vars=$("$REPO/scripts/debug-kernel" --print 2>/dev/null) || return 1
	eval "$vars" # CLPLAB_KERNEL CLPLAB_KVER CLPLAB_MODDIR CLP_DEBUG_KDIR
	export CLPLAB_KVER CLPLAB_MODDIR
}

@test "a kernel upgrade: DKMS builds the modules for the new kernel from its install hook; the node boots it and the manager unit loads them" {
	second_kernel || skip "no second kernel on this machine: scripts/debug-kernel (run by make check-debug) builds the lab's debug kernel once"
	local kb=$CLPLAB_KVER ka
	lab_exec node1 "uname -r"
	ka=$output
	assert "$ka" != "$kb" "the node's kernel before the upgrade"
	# What the new kernel's packages put in place: its modules, its
	# headers (the build tree) as /lib/modules/<version>/build.
	lab_exec node1 "mkdir -p /lib/modules/$kb && cp -a $CLPLAB_MODDIR/. /lib/modules/$kb/ && rm -f /lib/modules/$kb/build /lib/modules/$kb/source && ln -s $CLP_DEBUG_KDIR /lib/modules/$kb/build && depmod $kb"
	# Then the image package's postinst runs the kernel hooks with its
	# version: dkms's builds and installs every AUTOINSTALL module.
	CLPLAB_RUN_TIMEOUT=2400 run_lab exec node1 --timeout 2300 -- bash -c \
		"/etc/kernel/postinst.d/dkms $kb >/var/log/clp-kernel-hook.log 2>&1 || { tail -n 30 /var/log/clp-kernel-hook.log; exit 1; }"
	lab_exec node1 "dkms status clpstack -k $kb"
	assert_match "$output" "^clpstack/$VERSION, $kb, x86_64: installed"
	lab_exec node1 "modinfo -k $kb -F vermagic liscal"
	assert_match "$output" "^$kb "
	# The old kernel keeps its own build.
	lab_exec node1 "modinfo -F filename liscal"
	assert "$output" == "/lib/modules/$ka/updates/dkms/liscal.ko"
	# Reboot into the new kernel.
	lab_exec node1 "systemctl stop clpstack-mgr.service; rmmod liscal clpka clpkhb 2>/dev/null; sync"
	lab_exec '?' node1 "systemctl poweroff --no-block"
	wait_for 240 stopped node1
	CLPLAB_BOOT_TIMEOUT=900 run_lab start node1 --kernel "$CLPLAB_KERNEL"
	lab_exec node1 "uname -r"
	assert "$output" == "$kb" "the node's kernel after the upgrade"
	lab_exec node1 "systemctl start clpstack-mgr.service && systemctl is-active clpstack-mgr.service"
	assert "$output" == active
	lab_exec node1 "cut -d' ' -f1 /proc/modules | grep -E '^(liscal|clpkhb|clpka)$' | sort | xargs; modinfo -F filename liscal; cat /sys/module/liscal/version"
	assert "$output" == "clpka clpkhb liscal"$'\n'"/lib/modules/$kb/updates/dkms/liscal.ko"$'\n'"$VERSION"
	lab_exec node1 "$P/bin/clpmdstat --version"
	assert_match "$output" "module_version : $VERSION"
}

@test "dpkg -r: the units stop, the modules leave the kernel tree, clp.conf stays" {
	# node1 runs the upgrade test's debug kernel (KASAN, lockdep) under
	# TCG: stopping the units and dpkg's triggers took over exec's 600 s
	# on 2026-12-06.
	CLPLAB_RUN_TIMEOUT=2400 run_lab exec node1 --timeout 2300 -- bash -c \
		"DEBIAN_FRONTEND=noninteractive dpkg -r clpstack >/var/log/clp-deb-r.log 2>&1 || { tail -n 20 /var/log/clp-deb-r.log; exit 1; }"
	lab_exec '?' node1 "pgrep -x clpmgrd"
	assert "$status" == 1 "removing clpstack stopped clpmgrd"
	lab_exec node1 "test ! -e $P/bin/clpmgrd && test ! -e /lib/systemd/system/clpstack-mgr.service && test ! -e /usr/lib/ocf/resource.d/clpstack/md && test -f $P/etc/clp.conf"
	# dkms remove runs depmod for every kernel it built for: minutes
	# under TCG after the upgrade test (the first run hit exec's 600 s)
	CLPLAB_RUN_TIMEOUT=2400 run_lab exec node1 --timeout 2300 -- bash -c \
		"rmmod liscal clpka clpkhb; DEBIAN_FRONTEND=noninteractive dpkg --purge clpstack-dkms clpstack >/var/log/clp-deb-p.log 2>&1 || { tail -n 20 /var/log/clp-deb-p.log; exit 1; }"
	lab_exec node1 "dkms status clpstack; ls /lib/modules/*/updates/dkms/ 2>/dev/null | grep -E '^(liscal|clpkhb|clpka)\.ko' || true; ls -d /usr/src/clpstack-$VERSION 2>/dev/null || true"
	assert "$output" == "" "no DKMS module, no module file in any kernel's tree, no sources left"
	lab_exec node1 "test -f $P/etc/clp.conf"
}
