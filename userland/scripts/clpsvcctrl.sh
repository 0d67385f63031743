#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# clpsvcctrl.sh: enable or disable the start of the clpstack services at
# boot, as the EXPRESSCLUSTER Maintenance Guide uses it:
#   clpsvcctrl.sh --enable|--disable [core] [mgr] [-a]
# core: the cluster service, clpstack-core.service ('clpcl -s' at boot).
# mgr:  the manager, clpstack-mgr.service (the modules and clpmgrd -n: it
#       answers the commands and the other servers; core needs it and pulls
#       it in even when it is disabled).
# -a:   all services (core and mgr).
# Exit: 0 done; 1 systemctl failed; 2 bad usage (nothing changed).
set -uo pipefail

prog=${0##*/}
SYSTEMCTL=${CLP_SYSTEMCTL:-systemctl}
declare -A unit_of=([core]=clpstack-core.service [mgr]=clpstack-mgr.service)
all=(core mgr)

usage() {
	cat <<USAGE
Usage: $prog --enable|--disable [core] [mgr] [-a]
       $prog --status [core] [mgr] [-a]
       $prog --help
Enable or disable the start of the clpstack services at the next boot.
  --enable     start the services at boot (systemctl enable)
  --disable    do not start them at boot (systemctl disable)
  --status     print "<service> <unit> <enabled|disabled> <active|inactive|...>"
  core         the cluster service (clpstack-core.service: clpcl -s at boot)
  mgr          the manager (clpstack-mgr.service: modules, clpmgrd -n)
  -a, --all    all services (core and mgr)
The running daemon is not started or stopped: reboot, or use systemctl.
USAGE
}

usage_error() {
	echo "$prog: $*" >&2
	echo "Run '$prog --help' for usage." >&2
	exit 2
}

action='' services=()
while (($#)); do
	case $1 in
	--enable | --disable | --status)
		[ -z "$action" ] || [ "$action" = "${1#--}" ] ||
			usage_error "--$action and $1 cannot be used together"
		action=${1#--}
		;;
	-a | --all) services+=("${all[@]}") ;;
	-h | --help)
		usage
		exit 0
		;;
	core | mgr) services+=("$1") ;;
	-*) usage_error "unknown option '$1'" ;;
	'') usage_error "empty service name" ;;
	*) usage_error "unknown service '$1' (core, mgr or -a)" ;;
	esac
	shift
done
[ -n "$action" ] || usage_error "--enable, --disable or --status is required"
((${#services[@]})) || usage_error "no service given (core, mgr or -a)"

# The units, each once, in order.
units=()
for s in "${services[@]}"; do
	[[ " ${units[*]} " == *" ${unit_of[$s]} "* ]] || units+=("${unit_of[$s]}")
done

command -v "$SYSTEMCTL" >/dev/null 2>&1 || {
	echo "$prog: $SYSTEMCTL not found (clpstack's services need systemd)" >&2
	exit 1
}

if [ "$action" = status ]; then
	done_svc=" "
	for s in "${services[@]}"; do
		[[ $done_svc == *" $s "* ]] && continue
		done_svc+="$s "
		u=${unit_of[$s]}
		en=$("$SYSTEMCTL" is-enabled "$u" 2>/dev/null)
		act=$("$SYSTEMCTL" is-active "$u" 2>/dev/null)
		echo "$s $u ${en:-unknown} ${act:-unknown}"
	done
	exit 0
fi

if ! out=$("$SYSTEMCTL" "$action" "${units[@]}" 2>&1); then
	[ -z "$out" ] || echo "$out" >&2
	echo "$prog: systemctl $action ${units[*]} failed" >&2
	exit 1
fi
for s in "${services[@]}"; do
	echo "$s: ${action}d (${unit_of[$s]})"
done | sort -u
