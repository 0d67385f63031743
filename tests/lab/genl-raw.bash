# SPDX-License-Identifier: GPL-2.0
# Raw generic netlink requests with tests/lab/tools/genl-raw.c, for the
# raw netlink tests of 20-liscal and 31-keepalive ("load genl-raw" after
# helpers; the suite's setup_file builds the tools).
# shellcheck disable=SC2154,SC2034 # output, status: set by bats' run; NOBODY, NOCAP: used by the suites

G=$REPO/tests/host/bin/genl-raw
# Callers without CAP_NET_ADMIN: the user nobody, and root with
# CAP_NET_ADMIN dropped (the kernel's GENL_ADMIN_PERM refuses both; no
# user id is checked anywhere on the way).
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
NOCAP="setpriv --inh-caps=-net_admin --bounding-set=-net_admin"

# raw_cases NODE FAMILY [PREFIX]: each line of stdin is "ARGS => ANSWER";
# genl-raw FAMILY ARGS runs on NODE (after PREFIX, e.g. "$NOBODY"), all in
# one exec, and its last output line must be ANSWER exactly (which errno,
# which attribute, range and extack message). Fails listing every case
# that was answered otherwise.
raw_cases() {
	local node=$1 fam=$2 prefix=${3:-} cases args want got bad="" i
	cases=$(grep -v '^[[:space:]]*$')
	args=$(sed 's/ => .*//' <<<"$cases")
	run "$LAB" exec "$node" -i -- bash -c \
		"while IFS= read -r l; do $prefix $G $fam \$l 2>&1 | tail -n 1; done" <<<"$args"
	[ "$status" = 0 ] || {
		_lab_fail "genl-raw runs on $node" "exit status 0" "$status: $output"
		return 1
	}
	mapfile -t want < <(sed 's/.* => //' <<<"$cases")
	mapfile -t got <<<"$output"
	for ((i = 0; i < ${#want[@]}; i++)); do
		[ "${got[i]:-}" == "${want[i]}" ] && continue
		bad+="  $prefix $fam $(sed -n "$((i + 1))p" <<<"$args")"$'\n'"    want: ${want[i]}"$'\n'"    got:  ${got[i]:-}"$'\n'
	done
	[ -z "$bad" ] && return 0
	_lab_fail "raw $fam requests answered as expected" "the answers below" $'\n'"$bad"
}
