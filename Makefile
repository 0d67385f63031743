# SPDX-License-Identifier: GPL-2.0
# clpstack top-level Makefile.
#
#   make            build the kernel modules (against Debian's headers) and userland
#   make demo       the lab demo (installs what is missing, boots a 2-node lab)
#   make check      host tests + lab suites; last line "N passed, N failed"
#   make bench      benchmarks (not part of check)
#   make check-service  the long suite of autostart by systemd (tests/lab/long/)
#   make check-procedures the guide's backup and restore procedures, step by step
#                   (tests/lab/long/6*-*.bats, 7*-*.bats, 8*-*.bats; systemd nodes)
#   make check-resize   of them, the partition size change (guide 2.23,
#                   tests/lab/long/8*-resize-*.bats)
#   make check-pacemaker the OCF agent (ocf-tester, scores, promotion;
#                   tests/lab/long/29-ocf.bats) and a 3-node Pacemaker +
#                   Corosync cluster with the lab's fence device
#                   (tests/lab/long/34-pacemaker.bats)
#   make check-hybrid   hybrid disks: shared-disk lab, lease, clphdinit, the
#                   cluster service, clphdctrl, procedures 2.17, 2.24, the
#                   hybrid 2.19.1/2.20.2 (tests/lab/long/57-hybrid.bats,
#                   58-hybrid-cluster.bats, 9[0-3]-hybrid-*.bats)
#   make soak       the power-cut rounds of the mirror suite, SOAK_ROUNDS times (25),
#                   then SOAK_PULLS (50) mirror cable pulls during acknowledged writes,
#                   then the bad-link suite (tc netem delay, loss, reordering)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (300) each
#   make check-debug the driver suites on the lockdep/KASAN debug kernel (builds it once)
#
# KVER selects the lab kernel (default: newest /lib/modules/* with a build dir);
# KDIR overrides the kernel build tree.

KVER ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | sed 's,/lib/modules/,,;s,/build,,' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)

.PHONY: all modules userland install uninstall clean deb check-deb deps demo check check-host check-lab check-debug check-service check-procedures check-resize check-hybrid check-pacemaker bench checkpatch soak fuzz

all: modules userland

modules:
	@test -d "$(KDIR)" || { echo "no kernel build tree at '$(KDIR)': run 'scripts/deps' (installs linux-headers-amd64) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) W=1 modules

userland:
	$(MAKE) -C userland

# make install [PREFIX=/opt/clpstack] [DESTDIR=] [SYSTEMD_UNITDIR=] [MANDIR=] [OCFDIR=] [CONF=clp.conf]:
# userland's install (bin, share, etc, log, perf, work, scripts, the systemd
# units) and the modules that are built into PREFIX/drivers.
# Documentation/service.md.
PREFIX ?= /opt/clpstack
MODULES_KO := $(wildcard kernel/liscal/liscal.ko kernel/clpkhb/clpkhb.ko kernel/clpka/clpka.ko)
SYSTEMD_UNITDIR ?= /lib/systemd/system
INSTALL_VARS = PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) SYSTEMD_UNITDIR=$(SYSTEMD_UNITDIR) $(if $(MANDIR),MANDIR=$(MANDIR)) \
	$(if $(OCFDIR),OCFDIR=$(OCFDIR)) CONF=$(if $(CONF),$(abspath $(CONF)))

install:
	$(MAKE) -C userland install $(INSTALL_VARS)
	$(if $(MODULES_KO),install -m 0644 $(MODULES_KO) $(DESTDIR)$(PREFIX)/drivers/,@echo "no kernel modules built ('make modules'): $(DESTDIR)$(PREFIX)/drivers/ left empty")

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/drivers/,liscal.ko clpkhb.ko clpka.ko)
	$(MAKE) -C userland uninstall $(INSTALL_VARS)

clean:
	-$(MAKE) -C $(KDIR) M=$(PWD) clean
	$(MAKE) -C userland clean

deps:
	scripts/deps

# The Debian packages clpstack and clpstack-dkms (debian/, Documentation/install.md):
# dpkg-buildpackage -us -uc -b in a copy of the tree (the files git knows
# and the new ones it does not ignore) in DEB_OUT/clpstack-<version>, so
# that this tree's userland/bin is left as it is; the .deb, .changes and
# .buildinfo files end in DEB_OUT (build/deb), then lintian must find no error. Needs: debhelper
# dh-dkms lintian (scripts/deps --deb) and debian/control's Build-Depends.
DEB_VERSION := $(shell sed -n 's/^\#define CLPSTACK_VERSION "\(.*\)"/\1/p' netlink/uapi/clpstack/version.h)
DEB_OUT ?= build/deb
DEB_SRC = $(abspath $(DEB_OUT))/clpstack-$(DEB_VERSION)
deb:
	scripts/deps --deb
	rm -rf $(DEB_SRC) $(addprefix $(DEB_OUT)/,clpstack_$(DEB_VERSION)_* clpstack-dkms_$(DEB_VERSION)_* clpstack-dbgsym_$(DEB_VERSION)_*)
	mkdir -p $(DEB_SRC)
	git ls-files -coz --exclude-standard | tar -c --null --ignore-failed-read -T - | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_SRC)
	lintian --fail-on error $(DEB_OUT)/clpstack_$(DEB_VERSION)_*.changes
	@ls -l $(DEB_OUT)/*.deb

demo: deps
	$(MAKE) all
	scripts/demo

# 40-kunit boots a small KUnit kernel (scripts/kunit-kernel), built once per
# machine and cached in /var/tmp/clpstack-kunit-kernel; scripts/check builds
# it in the background on idle CPU time while the other suites run.
# make check also installs what make deb needs: tests/host/deb.bats builds
# both packages.
check: deps
	scripts/deps --deb
	$(MAKE) all
	scripts/check

check-host: userland
	scripts/check --host-only

check-lab: all
	scripts/check --lab-only

bench: deps
	$(MAKE) all
	scripts/bench

checkpatch:
	scripts/checkpatch

# Every libFuzzer target for FUZZ_SECONDS (300) each from the committed
# corpora (tests/fuzz/corpus/); new inputs and crashes go to FUZZ_OUT
# (/var/tmp/clpstack-fuzz). make check runs a bounded run (fuzz.bats).
FUZZ_SECONDS ?= 300
fuzz: deps
	$(MAKE) -C tests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# The debug kernel is built once per machine (scripts/debug-kernel); the
# modules for it are built outside the repo. No retry: a failure is a finding.
check-debug: deps
	scripts/check-debug

# Long lab suites, not in make check (tests/lab/long/): the cluster service
# started by systemd across reboots of systemd nodes.
check-service: deps
	$(MAKE) all
	CLP_CHECK_RETRIES=0 scripts/check tests/lab/long/27-service.bats

# The packages installed in a systemd node: dpkg -i, the DKMS build, the
# manager unit, removal (tests/lab/long/28-deb.bats; the DKMS build takes
# minutes under TCG, not in make check).
check-deb: deb
	CLP_CHECK_RETRIES=0 CLP_SUITE_TIMEOUT=3600 scripts/check tests/lab/long/28-deb.bats

check-procedures: deps
	$(MAKE) all
	CLP_CHECK_RETRIES=0 scripts/check $(sort $(wildcard tests/lab/long/6*-*.bats tests/lab/long/7*-*.bats tests/lab/long/8*-*.bats))

# Guide 2.23, the size of a mirror disk's partition changed (also part of
# check-procedures).
check-resize: deps
	$(MAKE) all
	CLP_CHECK_RETRIES=0 scripts/check $(sort $(wildcard tests/lab/long/8*-resize-*.bats))

# The OCF resource agent under Pacemaker's tools, then under a real 3-node
# Pacemaker cluster (Documentation/pacemaker.md; long suites of their own,
# not in make check; Pacemaker's packages are installed for it only).
check-pacemaker: deps
	scripts/deps --pacemaker
	$(MAKE) all
	CLP_CHECK_RETRIES=0 scripts/check tests/lab/long/29-ocf.bats tests/lab/long/34-pacemaker.bats

# Hybrid disks (Documentation/hybrid.md): the lab's shared-disk shape, the
# current-server lease, clphdinit, the cluster service with a hybrid disk
# (long suites of their own, not in make check).
check-hybrid: deps
	$(MAKE) all
	CLP_CHECK_RETRIES=0 scripts/check tests/lab/long/57-hybrid.bats tests/lab/long/58-hybrid-cluster.bats tests/lab/long/90-hybrid-replace.bats tests/lab/long/91-hybrid-resize.bats tests/lab/long/92-hybrid-repartition.bats tests/lab/long/93-hybrid-backup.bats

# More power-cut rounds than make check's 2 (of the driver, and of the
# cluster during SQLite commits), then SOAK_PULLS mirror cable
# pulls during acknowledged writes, bad links and a lying peer on the mirror
# port; no retry: a failure is a finding.
SOAK_ROUNDS ?= 25
SOAK_PULLS ?= 50
soak: deps
	$(MAKE) all
	LISCAL_CUT_ROUNDS=$(SOAK_ROUNDS) LISCAL_LAB_DISK=$$((128 + 9 * $(SOAK_ROUNDS)))M CLP_CHECK_RETRIES=0 \
	CLP_SUITE_TIMEOUT=$$((900 + 60 * $(SOAK_ROUNDS))) scripts/check tests/lab/20-liscal.bats
	CLUSTER_CUT_ROUNDS=$(SOAK_ROUNDS) CLP_CHECK_RETRIES=0 CLP_SUITE_TIMEOUT=$$((900 + 60 * $(SOAK_ROUNDS))) \
	scripts/check tests/lab/50-cluster.bats
	LISCAL_PULLS=$(SOAK_PULLS) CLP_CHECK_RETRIES=0 CLP_SUITE_TIMEOUT=$$((900 + 90 * $(SOAK_PULLS))) \
	scripts/check tests/lab/long/30-cable-soak.bats
	CLP_CHECK_RETRIES=0 scripts/check tests/lab/long/31-bad-links.bats
	CLP_CHECK_RETRIES=0 scripts/check tests/lab/long/32-lying-peer.bats
	CLP_CHECK_RETRIES=0 scripts/check tests/lab/long/33-active-disk-errors.bats
