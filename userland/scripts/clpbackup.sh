#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# clpbackup.sh / clprestore.sh: prepare this server for a backup of its
# mirror disks to disk images and for their restore (EXPRESSCLUSTER X 5.2
# Maintenance Guide 2.18-2.20; Documentation/commands.md). One file:
# clprestore.sh is installed as a copy and acts by its name.
#
#   clpbackup.sh --pre [--no-shutdown | --only-shutdown]
#   clpbackup.sh --post [--no-reboot | --only-reboot]
#   clprestore.sh --pre
#   clprestore.sh --post [--skip-copy | --only-reboot]
#
# Every mirror disk resource of clp.conf (clpmdstat --list) and every hybrid
# disk of which this server is a member (clphdstat --list) is acted on: the
# guide backs up and restores all of a server's disks together. The state
# of each is kept in its cluster partition (clpmdinit / clphdinit --backup,
# --restore, --create skip-copy), so that it travels with the disk image.
# A hybrid disk's is its server group's shared partition: the command runs
# on one server of each group, the others run --only-shutdown /
# --only-reboot. Its backup mode is set before the cluster service stops,
# through the group's current server (clphdinit), so that no other member
# takes the group over in between.
# Exit: 0 done; 1 failed (the message says what, and what was done before);
# 2 bad usage (nothing changed); 5 not in a state the guide allows here
# ("Some invalid status. Check the status of cluster.", nothing changed);
# 6 not root (nothing changed).
set -uo pipefail

prog=${0##*/}
case $prog in
clprestore*) cmd=restore ;;
*) cmd=backup ;;
esac
BIN=${CLP_BIN:-$(cd "$(dirname "$0")" && pwd)}
POWEROFF=${CLP_POWEROFF:-poweroff}
REBOOT=${CLP_REBOOT:-reboot}
me=${CLP_SERVER:-$(hostname)}
INVALID="Some invalid status. Check the status of cluster."

usage() {
	if [ "$cmd" = backup ]; then
		cat <<USAGE
Usage: $prog --pre [--no-shutdown | --only-shutdown]
       $prog --post [--no-reboot | --only-reboot]
       $prog --help
Before and after backing up this server's mirror disks to disk images.
  --pre                 switch every mirror disk and hybrid disk to backup
                        mode, disable the automatic start of the cluster
                        service, stop it and shut the server down
    --no-shutdown       ... but do not shut down
    --only-shutdown     only disable the automatic start and shut down (the
                        other servers of a hybrid disk's server group)
  --post                return every mirror disk and hybrid disk to normal
                        mode, enable the automatic start of the cluster
                        service and reboot
    --no-reboot         ... but start the cluster service instead of rebooting
    --only-reboot       only enable the automatic start and reboot (the
                        other servers of a hybrid disk's server group)
USAGE
	else
		cat <<USAGE
Usage: $prog --pre
       $prog --post [--skip-copy | --only-reboot]
       $prog --help
Before and after restoring this server's mirror and hybrid disks from disk
images.
  --pre                 disable the automatic start of the cluster service
                        and shut the server down
  --post                mark every mirror disk and hybrid disk as restored
                        (a full mirror recovery chooses its data), enable
                        the automatic start of the cluster service and reboot
    --skip-copy         both servers were restored from the same image:
                        initialise every cluster partition instead (the
                        mirror comes up GREEN on both without a copy);
                        needs fullcopy and mkfs 0 in clp.conf
    --only-reboot       only enable the automatic start and reboot (the
                        other servers of a hybrid disk's server group)
USAGE
	fi
}

usage_error() {
	echo "$prog: $*" >&2
	echo "Run '$prog --help' for usage." >&2
	exit 2
}

fail() { # fail STATUS MESSAGE
	echo "$prog: $2" >&2
	exit "$1"
}

invalid() {
	echo "$prog: $INVALID" >&2
	echo "$prog: $*" >&2
	exit 5
}

say() {
	echo "$prog: $*"
}

phase='' opt=''
while (($#)); do
	case $1 in
	--pre | --post)
		[ -z "$phase" ] || [ "$phase" = "$1" ] || usage_error "--pre and --post cannot be used together"
		phase=$1
		;;
	--no-shutdown | --only-shutdown | --no-reboot | --only-reboot | --skip-copy)
		[ -z "$opt" ] || [ "$opt" = "$1" ] || usage_error "$opt and $1 cannot be used together"
		opt=$1
		;;
	-h | --help)
		usage
		exit 0
		;;
	'') usage_error "empty argument" ;;
	*) usage_error "unknown option '$1'" ;;
	esac
	shift
done
[ -n "$phase" ] || usage_error "give --pre or --post"
if [ -n "$opt" ]; then
	case $cmd$phase$opt in
	backup--pre--no-shutdown | backup--pre--only-shutdown | backup--post--no-reboot | \
		backup--post--only-reboot | restore--post--skip-copy | restore--post--only-reboot) ;;
	*) usage_error "$opt cannot be used with $phase" ;;
	esac
fi
((EUID == 0)) || fail 6 "must be run as root"

# The mirror disk resources of clp.conf ("<md01>" per line); clpmdstat
# --list fails (exit 4, its message names the key) on a bad clp.conf.
mds=()
list=$("$BIN/clpmdstat" --list) || fail 1 "cannot read the mirror disk resources of clp.conf"
for m in $list; do
	mds+=("${m//[<>]/}")
done
# The hybrid disks of which this server is a member.
hds=()
list=$("$BIN/clphdstat" --list) || fail 1 "cannot read the hybrid disk resources of clp.conf"
for m in $list; do
	hds+=("${m//[<>]/}")
done

# "started", "stopped", "suspended", ... of this server's cluster service,
# or "none" when no daemon answers (clpstat fails: the manager is stopped).
service_state() {
	local st
	st=$("$BIN/clpstat" 2>/dev/null) || {
		echo none
		return
	}
	sed -n "s/^    $me *: service \([a-z]*\) .*/\1/p" <<<"$st"
}

# The guide stops the groups before clpbackup.sh and clprestore.sh --pre;
# refused (5, nothing changed) while one runs here, the service is between
# states, or a mirror disk cannot leave the driver (active, recovering).
check_state() {
	local st g svc
	svc=$(service_state)
	case $svc in
	none | started | stopped) ;;
	*) invalid "the cluster service on $me is '${svc:-unknown}'" ;;
	esac
	if [ "$svc" = started ]; then
		st=$("$BIN/clpstat") || invalid "clpstat failed"
		g=$(sed -n "s/^    \([^ ]*\) *: \(starting\|online\|stopping\|error\) *on $me$/\1 (\2)/p" <<<"$st")
		[ -z "$g" ] || invalid "a group runs on $me: $(echo "$g" | xargs); stop it first (clpgrp -t)"
	fi
	if [ "$cmd" = backup ]; then
		for m in "${mds[@]}"; do
			"$BIN/clpmdinit" --backup on --check "$m" >/dev/null 2>&1 ||
				invalid "$("$BIN/clpmdinit" --backup on --check "$m" 2>&1 | sed "s/^clpmdinit: //")"
		done
		# a hybrid disk: where its group's current server is (active
		# there: refused)
		for m in "${hds[@]}"; do
			"$BIN/clphdinit" --backup on --check "$m" >/dev/null 2>&1 ||
				invalid "$("$BIN/clphdinit" --backup on --check "$m" 2>&1 | sed "s/^clphdinit: //")"
		done
	fi
}

# Stop the cluster service here (clpcl -t: the groups, then the service).
stop_service() {
	local svc
	svc=$(service_state)
	[ "$svc" = started ] || return 0
	"$BIN/clpcl" -t || fail 1 "stopping the cluster service failed (clpcl -t)"
}

autostart() { # autostart enable|disable
	"$BIN/clpsvcctrl.sh" "--$1" core ||
		fail 1 "could not $1 the automatic start of the cluster service"
}

power() { # power poweroff|reboot
	if [ "$1" = reboot ]; then
		say "rebooting $me"
		$REBOOT || fail 1 "$REBOOT failed"
	else
		say "shutting $me down"
		$POWEROFF || fail 1 "$POWEROFF failed"
	fi
}

each_md() { # each_md CLPMDINIT-ARGS...: run clpmdinit ARGS <md> for every md
	local m
	for m in "${mds[@]}"; do
		"$BIN/clpmdinit" "$@" "$m" || fail 1 "$m: clpmdinit $* failed"
	done
}

each_hd() { # each_hd CLPHDINIT-ARGS...: run clphdinit ARGS <hd> for every hd
	local m
	for m in "${hds[@]}"; do
		"$BIN/clphdinit" "$@" "$m" || fail 1 "$m: clphdinit $* failed"
	done
}

# Every check first, nothing changed before all of them passed.
check_post() {
	local m out tool=clpmdinit
	for m in "${mds[@]}" - "${hds[@]}"; do
		if [ "$m" = - ]; then
			tool=clphdinit
			continue
		fi
		if ! out=$("$BIN/$tool" "$@" --check "$m" 2>&1); then
			case $out in
			*"configured in the liscal driver"* | *"held by the liscal driver"*)
				[ "$cmd" = backup ] &&
					fail 5 "$m: the mirror agent holds the cluster partition (the cluster service has been started): it is not in backup mode; run $prog --pre first"
				fail 5 "$m: the mirror agent has started and holds the cluster partition: run $prog --pre, start the server and run $prog $phase${opt:+ $opt} again" ;;
			*) fail 5 "${out#"$tool: "}" ;;
			esac
		fi
	done
}

case $cmd$phase$opt in
backup--pre | backup--pre--no-shutdown)
	check_state
	each_hd --backup on
	stop_service
	each_md --backup on
	autostart disable
	[ "$opt" = --no-shutdown ] && exit 0
	power poweroff
	;;
backup--pre--only-shutdown | restore--pre)
	[ "$cmd" = restore ] && check_state
	autostart disable
	power poweroff
	;;
backup--post | backup--post--no-reboot)
	check_post --backup off
	# hybrid disks first: their lease may still refuse (another member
	# current), before any mirror disk changed
	each_hd --backup off
	each_md --backup off
	autostart enable
	if [ "$opt" = --no-reboot ]; then
		"$BIN/clpcl" -s ||
			fail 1 "the cluster service did not start (clpcl -s; the mirror agent may have timed out): wait a while and run $prog --post --no-reboot again"
		exit 0
	fi
	power reboot
	;;
restore--post)
	check_post --restore
	each_hd --restore
	each_md --restore
	autostart enable
	power reboot
	;;
restore--post--skip-copy)
	check_post --create skip-copy
	each_hd --create skip-copy
	each_md --create skip-copy
	autostart enable
	power reboot
	;;
backup--post--only-reboot | restore--post--only-reboot)
	autostart enable
	power reboot
	;;
esac
