#!/usr/bin/env bats
# check-lane: 2 (scripts/check: runs beside the other host suites)
# The Debian packages (debian/, Documentation/install.md): one version in
# version.h, debian/changelog and dkms.conf; "make deb" builds clpstack and
# clpstack-dkms with no lintian error, and their contents (dpkg-deb -c)
# hold the commands, the units pointing at /opt/clpstack, the man pages,
# the module sources and dkms.conf. Skips where debhelper, dh-dkms or
# lintian are missing (scripts/deps --deb installs them).

load helpers

VERSION=$(sed -n 's/^#define CLPSTACK_VERSION "\(.*\)"/\1/p' "$REPO/netlink/uapi/clpstack/version.h")

setup_file() {
	local t
	for t in dpkg-buildpackage dh dh_dkms lintian git; do
		command -v "$t" >/dev/null ||
			file_skip "$t is not installed (scripts/deps --deb)" || return 0
	done
	git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 ||
		file_skip "make deb copies the files git knows: not a git checkout" || return 0
	export DEB_OUT=$BATS_FILE_TMPDIR/deb
	make -C "$REPO" deb DEB_OUT="$DEB_OUT" >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1 ||
		{ tail -n 40 "$BATS_FILE_TMPDIR/make-deb.log" >&3; return 1; }
}

# Paths in a package, without the leading "./".
contents() {
	dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's,^\./,,'
}

deb() {
	echo "$DEB_OUT/$1_${VERSION}_$2.deb"
}

@test "one version: version.h, debian/changelog, dkms.conf" {
	[ -n "$VERSION" ]
	assert_equal "$(cd "$REPO" && dpkg-parsechangelog -S Version)" "$VERSION"
	assert_equal "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")" "$VERSION"
}

@test "make deb: both packages, lintian finds no error" {
	[ -f "$(deb clpstack amd64)" ] && [ -f "$(deb clpstack-dkms all)" ]
	run grep -E '^E: ' "$BATS_FILE_TMPDIR/make-deb.log"
	assert_output ""
}

@test "clpstack: every command, clpmgrd, clpsvcctrl.sh, the schema and the guide's tree under /opt/clpstack; the OCF agent" {
	local c f list
	list=$(contents "$(deb clpstack amd64)")
	for f in "$REPO"/userland/cmd/*.c; do
		c=$(basename "$f" .c)
		grep -qx "opt/clpstack/bin/$c" <<<"$list" || fail "no opt/clpstack/bin/$c"
	done
	for f in opt/clpstack/bin/clpmgrd opt/clpstack/bin/clpsvcctrl.sh opt/clpstack/share/clp.rng \
		opt/clpstack/share/clp-md.rng opt/clpstack/share/clp-hb.rng opt/clpstack/share/clp-grp.rng \
		opt/clpstack/share/examples/lab-clp.conf opt/clpstack/share/examples/md01.crm opt/clpstack/etc/ opt/clpstack/drivers/ \
		opt/clpstack/log/ opt/clpstack/work/ opt/clpstack/perf/disk/ opt/clpstack/perf/cluster/heartbeat/ \
		usr/share/doc/clpstack/README.Debian; do
		grep -qx "$f" <<<"$list" || fail "no $f"
	done
	# The OCF resource agent ocf:clpstack:md, where Pacemaker looks.
	grep -qx usr/lib/ocf/resource.d/clpstack/md <<<"$list" || fail "no usr/lib/ocf/resource.d/clpstack/md"
	run bash -c "dpkg-deb -c '$(deb clpstack amd64)' | awk '\$6 == \"./usr/lib/ocf/resource.d/clpstack/md\" { print \$1 }'"
	assert_output "-rwxr-xr-x"
	run bash -c "dpkg-deb --fsys-tarfile '$(deb clpstack amd64)' | tar -xO ./usr/lib/ocf/resource.d/clpstack/md | grep '^PREFIX_DEFAULT='"
	assert_output "PREFIX_DEFAULT=/opt/clpstack"
	run dpkg-deb -f "$(deb clpstack amd64)" Depends
	assert_output --partial jq
	# The administrator's clp.conf is not the package's.
	run grep -x 'opt/clpstack/etc/clp.conf' <<<"$list"
	assert_failure
	run bash -c "dpkg-deb -c '$(deb clpstack amd64)' | awk '\$6 ~ /opt\/clpstack\/bin\/./ { print \$1 }' | sort -u"
	assert_output "-rwxr-xr-x"
}

@test "clpstack: the units point at /opt/clpstack; nothing enabled or started at install" {
	local d=$BATS_TEST_TMPDIR/x
	dpkg-deb -x "$(deb clpstack amd64)" "$d"
	run grep -h -E '^(ExecStart|ExecStop|Environment)=' "$d/lib/systemd/system/clpstack-mgr.service" \
		"$d/lib/systemd/system/clpstack-core.service"
	assert_line "ExecStart=/opt/clpstack/bin/clpmgrd -f -n"
	assert_line "ExecStart=/opt/clpstack/bin/clpcl -s"
	assert_line "ExecStop=/opt/clpstack/bin/clpcl -t"
	assert_line "Environment=CLP_PREFIX=/opt/clpstack"
	grep -q 'insmod /opt/clpstack/drivers/' "$d/lib/systemd/system/clpstack-mgr.service"
	run cat "$d"/lib/systemd/system/*.service
	refute_output --partial @PREFIX@
	dpkg-deb -e "$(deb clpstack amd64)" "$d/DEBIAN"
	run cat "$d/DEBIAN/postinst"
	refute_output --partial "deb-systemd-invoke"
	refute_output --regexp "systemctl.* start"
	run cat "$d/DEBIAN/prerm"
	assert_output --partial 'deb-systemd-invoke stop clpstack-core.service clpstack-mgr.service'
}

@test "clpstack: a man page for every command and clp.conf, found by man in /usr/share/man" {
	local c d=$BATS_TEST_TMPDIR/x list
	list=$(contents "$(deb clpstack amd64)")
	for c in "$REPO"/man/man8/*.8; do
		grep -qx "usr/share/man/man8/$(basename "$c").gz" <<<"$list" || fail "no man page $(basename "$c")"
	done
	grep -qx usr/share/man/man5/clp.conf.5.gz <<<"$list"
	command -v man >/dev/null || skip "man-db is not installed"
	dpkg-deb -x "$(deb clpstack amd64)" "$d"
	run env MANPATH="$d/usr/share/man" man -w clpmdctrl
	assert_output "$d/usr/share/man/man8/clpmdctrl.8.gz"
	run env MANPATH="$d/usr/share/man" man -w 5 clp.conf
	assert_output "$d/usr/share/man/man5/clp.conf.5.gz"
}

@test "clpstack-dkms: dkms.conf and the module sources in /usr/src/clpstack-<version>, dkms in postinst" {
	local f list s=usr/src/clpstack-$VERSION
	list=$(contents "$(deb clpstack-dkms all)")
	for f in dkms.conf Kbuild netlink/uapi/clpstack/version.h; do
		grep -qx "$s/$f" <<<"$list" || fail "no $s/$f"
	done
	# The sources git knows (a built tree also holds *.mod.c and the like).
	for f in $(git -C "$REPO" ls-files 'kernel/*/*.[ch]' 'kernel/*/Kbuild' 'common/*.[ch]' 'netlink/uapi/clpstack/*.h'); do
		grep -qx "$s/$f" <<<"$list" || fail "no $s/$f"
	done
	[ -n "$f" ]
	run bash -c "dpkg-deb --fsys-tarfile '$(deb clpstack-dkms all)' | tar -xO ./$s/dkms.conf"
	assert_output "$(cat "$REPO/dkms.conf")"
	run dpkg-deb -f "$(deb clpstack-dkms all)" Depends
	assert_output --partial dkms
	run bash -c "dpkg-deb -I '$(deb clpstack-dkms all)' postinst"
	assert_output --partial "DKMS_NAME=clpstack"
}
