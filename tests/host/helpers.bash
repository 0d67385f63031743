# Helpers for host suites: bats-support/bats-assert and the repo path.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export REPO
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

# file_skip, skip_if_file_skipped and the default setup()
source "$REPO/tests/file-skip.bash"

# The commands write their logs (and clpmgrd its state) under CLP_PREFIX,
# /opt/clpstack by default: host tests keep the host's tree untouched by
# giving every run a prefix of its own, unless the caller chose one.
if [ -z "${CLP_PREFIX:-}" ]; then
	CLP_PREFIX=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/clp-prefix
	mkdir -p "$CLP_PREFIX/log"
	export CLP_PREFIX
fi

# Tests of "the liscal module is not loaded" need a host where the liscal
# generic netlink family cannot appear: the module neither loaded nor
# installed for the running kernel (looking the family up would load an
# installed one). True on a build or CI host; skips with the reason on a
# host where clpstack is installed.
need_liscal_absent() {
	[ -e /sys/module/liscal ] && skip "the liscal module is loaded on this host"
	if find "/lib/modules/$(uname -r)" -name 'liscal.ko*' 2>/dev/null | grep -q .; then
		skip "liscal is installed for the running kernel (a lookup of its family would load it)"
	fi
	return 0
}

# until_grep SECONDS PATTERN FILE...: wait until one FILE has PATTERN
# (the output of a process started in the background); 1 when SECONDS
# passed without it.
until_grep() {
	local end=$((SECONDS + $1)) pat=$2
	shift 2
	until grep -qs "$pat" "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}
