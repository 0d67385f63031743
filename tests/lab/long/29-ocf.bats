#!/usr/bin/env bats
# The OCF resource agent ocf:clpstack:md (userland/ocf/md,
# Documentation/pacemaker.md) against the real driver on a 2-node mirror,
# without Pacemaker: resource-agents' ocf-tester passes; an outdated copy
# gets no promotion score and its promotion is refused; bad parameters
# change nothing; after a power cut of the promoted node the survivor,
# current when its peer left, scores 1000 and is promoted with every
# written block. Pacemaker's crm_attribute and crm_node are recording stubs
# in the nodes (/usr/local/bin, the node's own layer): crm_node -p prints
# /etc/clp-members, the Corosync partition the test pretends, and
# corosync-cmapctl a token of 1 s and a consensus of 1.2 s (the agent then
# waits 7 s after a break before it takes a listed peer for alive).

load ../helpers
load ../md-helpers

AGENT=$REPO/userland/ocf/md

setup_file() {
	skip_if_no_lab || return 0
	command -v ocf-tester >/dev/null || file_skip "ocf-tester is not installed (resource-agents, scripts/deps)" ||
		return 0
	command -v jq >/dev/null || file_skip "the agent needs jq (scripts/deps)" || return 0
	export CLPLAB_NAME=t$$-ocf
	md_lab_up
	local n
	for n in node1 node2; do
		# The agent's default prefix holds the commands of the tree.
		lab_exec $n "mkdir -p /opt/clpstack/bin && ln -sf $B/clpmdctrl $B/clpmdstat /opt/clpstack/bin/"
		lab_exec $n "printf '%s\n' '#!/bin/sh' '[ \"\$1\" = --help-all ] && { echo \"  -p, --promotion=RESOURCE\"; exit 0; }' \
			'echo \"\$*\" >>/var/log/crm_attribute.log' >/usr/local/bin/crm_attribute &&
			printf '%s\n' '#!/bin/sh' '[ \"\$1\" = -p ] && cat /etc/clp-members' >/usr/local/bin/crm_node &&
			printf '%s\n' '#!/bin/sh' 'case \"\$2\" in' '*.token) echo \"runtime.config.totem.token (u32) = 1000\" ;;' \
				'*.consensus) echo \"runtime.config.totem.consensus (u32) = 1200\" ;;' '*) exit 1 ;;' 'esac' >/usr/local/bin/corosync-cmapctl &&
			chmod +x /usr/local/bin/crm_attribute /usr/local/bin/crm_node /usr/local/bin/corosync-cmapctl && echo node1 node2 >/etc/clp-members &&
			: >/var/log/crm_attribute.log"
	done
}

# The same clp.conf as 21-mirror-cmds (a dead peer noticed after 2 + 3 x 1 s).
install_conf() {
	lab_exec "$1" "mkdir -p /opt/clpstack/etc && sed -e 's|<hbinterval>10<|<hbinterval>2<|' -e 's|<pingtimeout>2<|<pingtimeout>1<|' -e 's|<pingretry>8<|<pingretry>$((2 * ${CLPLAB_WAIT_SCALE:-1}))<|' $REPO/userland/conf/examples/lab-clp.conf > $CONF && grep -q '<hbinterval>2<' $CONF"
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# ra [EXPECTED_STATUS|'?'] NODE ACTION [VAR=VALUE...]: the agent's ACTION
# on NODE as Pacemaker runs it for the clone instance md01-clone:N.
ra() {
	local expect=0
	case ${1:-} in
	'?' | [0-9]) expect=$1 && shift ;;
	esac
	local node=$1 action=$2
	shift 2
	lab_exec "$expect" "$node" "env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=md01-clone:${node#node} \
		OCF_RESKEY_resource=md01 $* $AGENT $action"
}

# NODE's monitor drops the "was current" mark of a copy outdated while the
# peer is listed (after the membership's grace): its message says so.
drops_mark() {
	ra "$1" monitor
	[[ $output == *"copy outdated while node1 is in the cluster"* ]]
}

last_score() {
	"$LAB" exec "$1" -- tail -n 1 /var/log/crm_attribute.log
}

@test "ocf-tester passes on node1 (both copies GREEN)" {
	wait_for 600 both_green
	lab_exec node1 "ocf-tester -v -n md01-clone:1 -o resource=md01 $AGENT 2>&1"
	echo "$output" | tail -n 2 | sed "s/^/# /" >&3
	assert_match "$output" "$AGENT passed all tests"
	# It promoted (activated) and demoted through clpmdctrl; stopped at the end.
	assert "$(role node1)" == standby
	lab_exec node1 "grep -c -- '-v 10000' /var/log/crm_attribute.log"
	assert "$output" -gt 0 "score 10000 set while GREEN"
	wait_for 60 both_green
}

@test "validate-all: bad parameters exit 6 naming them; the mirror is left as it was" {
	local before
	before=$("$LAB" exec node1 -- "$B/clpmdstat" --mirror md01 --json | jq -c 'del(.statistics)')
	ra 6 node1 validate-all OCF_RESKEY_resource=md09
	assert_match "$output" "'md09' is not an md resource of clp.conf \(it has: md01\)"
	ra 6 node1 promote OCF_RESKEY_resource=md09
	ra 6 node1 validate-all OCF_RESKEY_mount=maybe
	assert_match "$output" "parameter 'mount' \('maybe'\) is not a boolean"
	ra 6 node1 validate-all OCF_RESKEY_CRM_meta_promoted_max=2
	assert_match "$output" "promoted-max is 2"
	assert "$("$LAB" exec node1 -- "$B/clpmdstat" --mirror md01 --json | jq -c 'del(.statistics)')" == "$before"
	# No instance recorded (ocf-tester's stop removed md01's; the
	# "was current" mark of md01 may stay).
	lab_exec node1 "ls /run/resource-agents/ 2>/dev/null | grep -c -e 'md09' -e '\.started$' || true"
	assert "$output" == 0 "no instance recorded"
}

@test "an outdated copy: no score, promotion refused, even after its peer leaves the partition" {
	wait_for 60 both_green
	ra node1 start
	ra node1 promote
	assert "$(role node1)" == active
	ra node2 start
	ra node2 monitor
	assert "$(last_score node2)" == "-q --promotion=md01-clone:2 -l reboot -v 10000"
	# Mirror break while node2 is in the partition; node1 writes alone.
	lab_exec node1 "$B/clpmdctrl --break md01"
	lab_exec node1 "dd if=/dev/urandom of=/dev/NMP1 bs=1M count=2 oflag=direct status=none"
	wait_for 60 self_is node2 RED
	# Monitors until the break is older than the membership's 7 s.
	wait_for 60 drops_mark node2
	assert "$(last_score node2)" == "-q --promotion=md01-clone:2 -l reboot -D"
	# node1 leaves the partition: still nothing, node2's copy misses writes.
	lab_exec node2 "echo node2 >/etc/clp-members"
	ra node2 monitor
	assert "$(last_score node2)" == "-q --promotion=md01-clone:2 -l reboot -D"
	ra 1 node2 promote
	assert_match "$output" "this copy is RED \(disk outdated, connection (standalone|connecting), split brain false, fenced false\): it may miss committed writes, not promoted"
	assert "$(role node2)" == standby
	lab_exec node2 "echo node1 node2 >/etc/clp-members"
	# Back to normal: the recovery makes node2 current (score again).
	lab_exec node1 "$B/clpmdctrl --recovery md01"
	wait_for 120 both_green
	ra node2 monitor
	assert "$(last_score node2)" == "-q --promotion=md01-clone:2 -l reboot -v 10000"
}

@test "power cut of the promoted node1: node2 (current when node1 left) scores 1000, is promoted with -force, has every written block" {
	wait_for 60 both_green
	ra '?' node1 monitor
	assert "$status" == 8 "node1 promoted"
	ra node2 monitor
	lab_exec node1 "dd if=/dev/urandom of=/tmp/blob bs=1M count=4 status=none && dd if=/tmp/blob of=/dev/NMP1 bs=1M oflag=direct,sync status=none && md5sum </tmp/blob | cut -d' ' -f1"
	local sum=$output
	run_lab cut node1
	wait_for 60 self_is node2 RED
	lab_exec node2 "echo node2 >/etc/clp-members"
	ra node2 monitor
	assert "$(last_score node2)" == "-q --promotion=md01-clone:2 -l reboot -v 1000"
	ra node2 promote
	assert_match "$output" "node1 is out of the cluster and this copy was current when it left: activating with -force"
	assert "$(role node2)" == active
	ra '?' node2 monitor
	assert "$status" == 8 "node2 promoted"
	assert "$(last_score node2)" == "-q --promotion=md01-clone:2 -l reboot -v 10000"
	lab_exec node2 "dd if=/dev/NMP1 bs=1M count=4 iflag=direct status=none | md5sum | cut -d' ' -f1"
	assert "$output" == "$sum" "the 4 MiB written on node1 before the cut"
	ra node2 stop
	assert "$(role node2)" == standby
}
