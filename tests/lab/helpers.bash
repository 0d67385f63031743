# SPDX-License-Identifier: GPL-2.0
# Helpers for the lab suites (tests/lab/*.bats), loaded with "load helpers".
# Each suite boots one lab in setup_file with a name of its own and stops it
# in teardown_file:
#
#   setup_file() {
#       skip_if_no_lab || return 0
#       export CLPLAB_NAME=t$$-xyz
#       run_lab up --nodes 2 --name "$CLPLAB_NAME"
#   }
#   teardown_file() { "$LAB" down >/dev/null 2>&1 || true; }
#
# Tests wait on a state with wait_for, never with a bare sleep. Helpers
# report failures on stderr and return non-zero, which fails the test.
# shellcheck disable=SC2154 # status, output: set by bats' run

bats_require_minimum_version 1.5.0 # run --separate-stderr, run -N

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=${CLPLAB_BIN:-$REPO/scripts/lab}
# Where the suites take the modules from: liscal/liscal.ko, clpkhb/clpkhb.ko,
# clpka/clpka.ko under it (make check-debug points it at a debug build).
KMODS=${CLP_KMOD_DIR:-$REPO/kernel}
export REPO LAB KMODS

# bats-assert's assert_output, assert_success, assert_equal... are there too;
# its "assert" is replaced by the one below (which also runs a command).
for _lib in bats-support bats-assert; do
	[ -f "/usr/lib/bats/$_lib/load.bash" ] && load "/usr/lib/bats/$_lib/load"
done
unset _lib

# A failure message: what, expected, actual (multi-line values indented).
_lab_fail() {
	local what=$1 expected=$2 actual=$3
	{
		echo "#/vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
		echo "#|     FAIL: $what"
		echo "#| expected: ${expected//$'\n'/$'\n'#|           }"
		echo "#|   actual: ${actual//$'\n'/$'\n'#|           }"
		echo "#\\^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
	} >&2
	return 1
}

# file_skip, skip_if_file_skipped and the default setup()
source "$REPO/tests/file-skip.bash"

# skip_if_no_lab (in setup_file, as "skip_if_no_lab || return 0"): when the
# lab cannot run here, skip every test of the file, naming what is missing.
skip_if_no_lab() {
	local c
	for c in qemu-system-x86_64 busybox mkfs.ext4 sfdisk cpio /usr/sbin/qemu-ga; do
		command -v "$c" >/dev/null ||
			file_skip "the lab needs $c (scripts/deps installs it)" || return
	done
	compgen -G "/boot/vmlinuz-*" >/dev/null || [ -n "${CLPLAB_KERNEL:-}" ] ||
		file_skip "the lab needs a kernel in /boot (linux-image-amd64)" || return
	[ -x "$LAB" ] || file_skip "no lab script at $LAB"
}

# run_lab [EXPECTED_STATUS|'?'] ARGS...: run "lab ARGS..." with bats' run
# ($output, $status; stdout and stderr together) under a wall-clock limit
# ($CLPLAB_RUN_TIMEOUT, default 900 s), and fail unless it exits with
# EXPECTED_STATUS (default 0; '?' accepts any).
run_lab() {
	local expect=0
	case ${1:-} in
	'?' | [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) expect=$1 && shift ;;
	esac
	run timeout -k 10 "${CLPLAB_RUN_TIMEOUT:-900}" "$LAB" "$@"
	echo "# lab $* -> $status" >&2
	[ -z "$output" ] || echo "#   ${output//$'\n'/$'\n'#   }" >&2
	if [ "$expect" != '?' ] && [ "$status" != "$expect" ]; then
		_lab_fail "exit status of: lab $*" "$expect" "$status"
		return 1
	fi
}

# lab_exec [EXPECTED_STATUS|'?'] NODE CMD...: run_lab exec NODE -- CMD...
# (one CMD word is a bash command line).
lab_exec() {
	local expect=0
	case ${1:-} in
	'?' | [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) expect=$1 && shift ;;
	esac
	local node=$1
	shift
	run_lab "$expect" exec "$node" -- "$@"
}

# assert ACTUAL OP EXPECTED [WHAT]: OP is == != =~ !~ -eq -ne -lt -le -gt
# -ge. assert CMD...: CMD must succeed (as in bats-assert).
assert() {
	local actual=${1:-} op=${2:-} expected=${3:-} ok=
	local what=${4:-"${1:-} ${2:-} ${3:-}"}
	case $op in
	== | = | != | =~ | '!~' | -eq | -ne | -lt | -le | -gt | -ge)
		(($# >= 3)) || {
			echo "assert: usage: assert ACTUAL OP EXPECTED [WHAT]" >&2
			return 1
		}
		;;
	*)
		"$@" && return 0
		_lab_fail "$*" "success" "failure"
		return 1
		;;
	esac
	case $op in
	== | =) [ "$actual" == "$expected" ] && ok=1 ;;
	!=) [ "$actual" != "$expected" ] && ok=1 ;;
	=~) [[ $actual =~ $expected ]] && ok=1 ;;
	'!~') [[ ! $actual =~ $expected ]] && ok=1 ;;
	*) test "$actual" "$op" "$expected" 2>/dev/null && ok=1 ;;
	esac
	[ -n "$ok" ] && return 0
	_lab_fail "$what" "$op $expected" "$actual"
}

# assert_match TEXT ERE [WHAT]: the text, or one of its lines (so ^ and $
# anchor to lines too), matches the extended regular expression.
assert_match() {
	local text=$1 re=$2 what=${3:-output matches}
	[[ $text =~ $re ]] && return 0
	grep -qE -- "$re" <<<"$text" && return 0
	_lab_fail "$what" "=~ $re" "$text"
}

# assert_contains TEXT SUBSTRING [WHAT]
assert_contains() {
	local text=$1 sub=$2 what=${3:-output contains}
	[[ $text == *"$sub"* ]] && return 0
	_lab_fail "$what" "to contain: $sub" "$text"
}

# wait_for TIMEOUT CMD...: poll CMD (every 0.5 s, output hidden) until it
# succeeds; after TIMEOUT seconds fail showing CMD's last output. A slower
# kernel (make check-debug) multiplies every TIMEOUT by $CLPLAB_WAIT_SCALE
# (a whole number, default 1); what is awaited stays the same.
wait_for() {
	local timeout=$(($1 * ${CLPLAB_WAIT_SCALE:-1})) out end
	shift
	end=$((SECONDS + timeout))
	while :; do
		out=$("$@" 2>&1) && return 0
		if ((SECONDS >= end)); then
			_lab_fail "wait_for $timeout s: $*" "success" "still failing; its last output: $out"
			return 1
		fi
		sleep 0.5
	done
}

# dmesg_clean NODE: the node's kernel log has no warning, BUG, oops, lockdep
# report or hung task: this boot's dmesg, and the serial console of every
# boot of this lab (a node whose power was cut lost its earlier dmesg).
# Counted from the first clpstack module load of each boot ("clpstack ...
# loaded"): what the kernel reports before it, during its own early boot,
# is not ours; it is shown as a TAP note, not hidden (make check-debug's
# kernel once oopsed in mask_ioapic_irq 1.3 s into a boot after a power
# cut, see Documentation/lab.md).
dmesg_clean() {
	local node=$1 log bad early
	run "$LAB" exec "$node" -- dmesg
	if [ "$status" != 0 ]; then
		_lab_fail "dmesg of $node" "exit status 0" "$status: $output"
		return 1
	fi
	log=$(printf '%s\n' "$output"; tr -d '\r' <"$("$LAB" console "$node")")
	bad=$(_klog_reports after <<<"$log")
	early=$(_klog_reports before <<<"$log")
	[ -z "$early" ] ||
		printf '# note: %s: kernel report before any clpstack module was loaded (not counted):\n%s\n' \
			"$node" "$(sed 's/^/#   /' <<<"$early")" >&3
	[ -z "$bad" ] && return 0
	_lab_fail "$node's kernel log is clean" "no WARNING/BUG/Oops/lockdep/hung task" "$bad"
}

# _klog_reports after|before: the lines of a kernel log on stdin matching
# KLOG_BAD after (or before) the first clpstack module load of their boot;
# a "Linux version" line starts a boot.
_klog_reports() {
	awk -v want="$1" -v bad="$KLOG_BAD" '
		/Linux version [0-9]/ { loaded = 0 }
		/clpstack .* loaded/ { loaded = 1 }
		$0 ~ bad && (loaded ? "after" : "before") == want' || true
}

# Lockdep reports start with "WARNING:" (circular/recursive locking,
# inconsistent lock state, suspicious RCU usage); the debug kernel's own
# "RCU lockdep checking is enabled" is not one.
KLOG_BAD='WARNING:|BUG:|Oops|general protection|INFO: task .* blocked|KASAN:|UBSAN:|DEBUG_LOCKS_WARN_ON|lockdep is turned off|INFO: possible|sleeping function called from invalid context'

# node_boots NODE: how many times NODE has booted (console markers).
node_boots() {
	"$LAB" boots "$1"
}

# node_state NODE: running, stopped or boot-failed (lab status); stopped
# NODE: its qemu is gone (a power cut, a poweroff or shutdown inside it).
node_state() { "$LAB" status | awk -v n="$1" '$1 == n { print $2 }'; }
stopped() { [ "$(node_state "$1")" = stopped ]; }

# The record writer (tools/liscal-records.sh): record N in 4 KiB block N of
# its target (a device or a file), logged to the node's console as
# "LISCAL-ACK N" once its O_DSYNC write returned.
REC=$REPO/tests/lab/tools/liscal-records.sh

# acked NODE [BASE]: the highest record number >= BASE (default 0) the
# writer on NODE logged as acknowledged (the console log survives a power
# cut or a restart); -1 if none.
acked() {
	grep -ao 'LISCAL-ACK [0-9]*' "$("$LAB" console "$1")" |
		awk -v b="${2:-0}" '$2 >= b && (m == "" || $2 > m) { m = $2 }
			END { print (m == "" ? -1 : m) }'
}

# acked_above NODE N: NODE's writer acknowledged a record above N.
acked_above() { (($(acked "$1") > $2)); }

# acked_at_least NODE BASE N: record N or a later one (from BASE on).
acked_at_least() { [ "$(acked "$1" "$2")" -ge "$3" ]; }

# check_records NODE FIRST LAST [TARGET]: blocks FIRST..LAST of TARGET
# (default /dev/NMP1; a device or a file) on NODE hold records FIRST..LAST,
# read at once.
check_records() {
	local node=$1 first=$2 last=$3 target=${4:-/dev/NMP1} want got i
	want=$(for ((i = first; i <= last; i++)); do printf 'rec %08d\n' "$i"; done)
	got=$("$LAB" exec "$node" -- sh -c "dd if=$target bs=4096 skip=$first count=$((last - first + 1)) status=none | tr -d '\\000'")
	assert "$got" == "$want" "records $first..$last on $node"
}

# cluster_logs_on_failure NODES...: for a teardown. After a failed test,
# the end of each node's daemon log, printed with the failure (in CI the
# TAP output is all that is kept).
cluster_logs_on_failure() {
	local n
	[ -n "${BATS_TEST_COMPLETED:-}" ] && return 0
	for n in "$@"; do
		echo "--- $n: the end of /opt/clpstack/log/clpmgrd.log"
		"$LAB" exec "$n" --timeout 10 -- tail -n 25 /opt/clpstack/log/clpmgrd.log 2>&1 |
			sed 's/^/  /' || true
	done
}
