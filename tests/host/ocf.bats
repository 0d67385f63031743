#!/usr/bin/env bats
# The OCF resource agent ocf:clpstack:md (userland/ocf/md,
# Documentation/pacemaker.md) on the host, without a driver or Pacemaker:
# its meta-data against the OCF schema of resource-agents, validate-all on
# bad parameters (OCF_ERR_CONFIGURED, a message naming the parameter,
# nothing run, nothing recorded), and its state -> role and promotion
# score mapping. The agent runs as installed, with a prefix whose
# clpmdstat answers --list from the real command (clp.conf parsing) and
# --mirror --json from a file the test writes; clpmdctrl, crm_attribute
# and crm_node are recording stubs.

load helpers

AGENT=$REPO/userland/ocf/md
CONF=$REPO/userland/conf/examples/lab-clp.conf

setup() {
	command -v jq >/dev/null || skip "jq is not installed (scripts/deps)"
	[ -x "$REPO/userland/bin/clpmdstat" ] || skip "userland is not built (make userland)"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/prefix/bin" "$T/path" "$T/run"
	cat >"$T/prefix/bin/clpmdstat" <<EOF
#!/bin/bash
case "\$*" in
"--mirror md01 --json") cat "$T/state.json" ;;
*) exec "$REPO/userland/bin/clpmdstat" "\$@" ;;
esac
EOF
	# clpmdctrl: records its arguments and changes the role as the driver would.
	cat >"$T/prefix/bin/clpmdctrl" <<EOF
#!/bin/bash
echo "\$*" >>"$T/clpmdctrl.log"
case "\$1" in
--active) r=active ;;
--deactive) r=standby ;;
*) exit 0 ;;
esac
jq --arg r "\$r" '(.servers[] | select(.local)).role = \$r |
	if \$r == "active" then (.servers[] | select(.local)) |= (.colour = "GREEN" | .disk_state = "uptodate") else . end' \
	"$T/state.json" >"$T/state.new" && mv "$T/state.new" "$T/state.json"
EOF
	cat >"$T/path/crm_attribute" <<EOF
#!/bin/bash
[ "\$1" = --help-all ] && { echo "  -p, --promotion=RESOURCE"; exit 0; }
echo "\$*" >>"$T/crm_attribute.log"
EOF
	cat >"$T/path/crm_node" <<EOF
#!/bin/bash
[ "\$1" = -p ] && cat "$T/members"
EOF
	chmod +x "$T"/prefix/bin/* "$T"/path/*
	printf "node1\nnode2\nnode3\n" >"$T/members"
	: >"$T/clpmdctrl.log"
	: >"$T/crm_attribute.log"
	export PATH="$T/path:$PATH" HA_RSCTMP=$T/run OCF_ROOT=/usr/lib/ocf \
		OCF_RESOURCE_INSTANCE=md01-clone:0 OCF_RESKEY_resource=md01 \
		OCF_RESKEY_prefix=$T/prefix OCF_RESKEY_conf=$CONF OCF_RESKEY_server=node1
	mirror connected standby uptodate GREEN
}

# The state clpmdstat --mirror md01 --json shows on node1 (its keys):
# mirror <connection> <local role> <local disk> <local colour> [split] [fresh] [in driver] [fenced] [break time]
mirror() {
	local status=Normal
	[ "${7:-true}" = true ] || status="Not configured in the driver"
	jq -n --arg st "$status" --arg conn "$1" --arg role "$2" --arg disk "$3" --arg col "$4" \
		--argjson split "${5:-false}" --argjson fresh "${6:-false}" --argjson fenced "${8:-false}" --arg brk "${9:---}" '{
		name: "md01", mirror_status: $st, device: "/dev/NMP1", connection: $conn,
		split_brain: $split, initial_construction: "automatic (fullcopy 1)",
		servers: [
			{ server: "node1", local: true, colour: $col, role: $role, disk_state: $disk,
			  last_update: "--", break_time: $brk, fresh: $fresh, fenced: $fenced },
			{ server: "node2", local: false, colour: "GREEN", role: "standby",
			  disk_state: "uptodate", last_update: "--", break_time: "--", fresh: false } ],
		difference_size: "None", difference_percent: "0.00%", recovery: { running: false } }' \
		>"$T/state.json"
}

# The last promotion score call, "" when none.
last_score() {
	tail -n 1 "$T/crm_attribute.log"
}

@test "the agent is shellcheck clean" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck "$AGENT"
	assert_success
}

@test "meta-data validates against ra-api-1.dtd and the RelaxNG of resource-agents" {
	local dtd=/usr/share/resource-agents/ra-api-1.dtd rng=/usr/share/resource-agents/metadata.rng
	[ -f "$dtd" ] && [ -f "$rng" ] || skip "resource-agents is not installed (scripts/deps): no OCF schema"
	"$AGENT" meta-data >"$T/meta.xml"
	run xmllint --noout --dtdvalid "$dtd" "$T/meta.xml"
	assert_success
	run xmllint --noout --relaxng "$rng" "$T/meta.xml"
	assert_success
	# The roles of the promotable clone and every action of an OCF 1.1 one.
	run xmllint --xpath '//action[@name="monitor"]/@role' "$T/meta.xml"
	assert_output --partial 'role="Promoted"'
	assert_output --partial 'role="Unpromoted"'
	local a
	for a in start stop promote demote notify monitor meta-data validate-all; do
		xmllint --xpath "//action[@name='$a']" "$T/meta.xml" >/dev/null || fail "no action $a"
	done
}

@test "validate-all: good parameters pass; an unknown action is OCF_ERR_UNIMPLEMENTED" {
	run "$AGENT" validate-all
	assert_success
	run "$AGENT" reload-agent
	assert_failure 3
}

@test "validate-all: bad parameters exit OCF_ERR_CONFIGURED (6) naming what is wrong; nothing runs, nothing recorded" {
	local out
	check() {
		run env "$@" "$AGENT" validate-all
		assert_failure "$expect"
		assert_output --partial "$msg"
	}
	expect=6
	msg="parameter 'resource' is not set" check OCF_RESKEY_resource=
	msg="parameter 'resource' ('md 1;x') is not a resource name" check "OCF_RESKEY_resource=md 1;x"
	msg="parameter 'resource': 'md09' is not an md resource of clp.conf (it has: md01)" \
		check OCF_RESKEY_resource=md09
	msg="parameter 'mount' ('maybe') is not a boolean" check OCF_RESKEY_mount=maybe
	msg="parameter 'conf': cannot read '/nonexistent/clp.conf'" check OCF_RESKEY_conf=/nonexistent/clp.conf
	printf '<root><cluster><name>x</name>\n' >"$T/bad.conf"
	msg="clpmdstat --list: clpmdstat: $T/bad.conf" check OCF_RESKEY_conf="$T/bad.conf"
	msg="clone-max is 3: a mirror has two servers" check OCF_RESKEY_CRM_meta_clone_max=3
	msg="promoted-max is 2: only one server" check OCF_RESKEY_CRM_meta_promoted_max=2
	msg="promoted-max is 2" check OCF_RESKEY_CRM_meta_master_max=2
	msg="not a promotable clone" check OCF_RESKEY_CRM_meta_promotable=false
	expect=5
	msg="no /nonexistent/bin/clpmdctrl (parameter 'prefix'" check OCF_RESKEY_prefix=/nonexistent
	# The same bad parameter on start and promote: refused the same way.
	expect=6
	run env OCF_RESKEY_resource=md09 "$AGENT" start
	assert_failure 6
	run env OCF_RESKEY_resource=md09 "$AGENT" promote
	assert_failure 6
	# Nothing happened: no command, no score, no state.
	run cat "$T/clpmdctrl.log" "$T/crm_attribute.log"
	assert_output ""
	run ls -A "$T/run"
	assert_output ""
	# A probe of an instance that never started is "not running", a stop succeeds.
	run env OCF_RESKEY_resource=md09 "$AGENT" monitor
	assert_failure 7
	run env OCF_RESKEY_resource=md09 "$AGENT" stop
	assert_success
}

@test "monitor: not started is 7 with no score; start; Unpromoted 0 and Promoted 8 with score 10000" {
	run "$AGENT" monitor
	assert_failure 7
	assert_equal "$(last_score)" ""
	run "$AGENT" start
	assert_success
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -v 10000"
	run "$AGENT" monitor
	assert_success
	mirror connected active uptodate GREEN
	run "$AGENT" monitor
	assert_failure 8
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -v 10000"
	# Started but gone from the driver (the mirror agent removed it): failed.
	mirror connected standby uptodate GREEN false false false
	run "$AGENT" monitor
	assert_failure 1
	assert_output --partial "md01 is not in the liscal driver"
}

@test "promotion score: only a current copy scores; outdated, inconsistent, failed, split brain and recovery targets get none" {
	"$AGENT" start
	check() {
		mirror "$@"
		: >"$T/crm_attribute.log"
		run "$AGENT" monitor
		assert_success
		assert_equal "$(last_score)" "$expect"
	}
	expect="-q --promotion=md01-clone:0 -l reboot -v 10000"
	check connected standby uptodate GREEN
	check standalone standby uptodate GREEN
	expect="-q --promotion=md01-clone:0 -l reboot -D"
	check connected standby outdated RED
	check connected standby inconsistent YELLOW
	check connected standby inconsistent RED false true
	check connected standby failed RED
	check connected standby uptodate RED true
	check standalone standby outdated RED true
	# Outdated without having been current and connected here first.
	rm -f "$T/run/clpstack-md-md01.current"
	echo node1 node3 >"$T/members"
	check standalone standby outdated RED
}

@test "the survivor: current when its peer left the cluster scores 1000 and promotes with -force" {
	"$AGENT" start
	mirror connected standby uptodate GREEN
	"$AGENT" monitor
	# node2 (promoted) dies: the driver marks this copy outdated, the
	# peer is out of the partition.
	mirror connecting standby outdated RED
	echo node1 node3 >"$T/members"
	: >"$T/crm_attribute.log"
	run "$AGENT" monitor
	assert_success
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -v 1000"
	run "$AGENT" promote
	assert_success
	assert_equal "$(cat "$T/clpmdctrl.log")" "--active -force -nomount md01"
	run "$AGENT" monitor
	assert_failure 8
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -v 10000"
}

@test "a copy seen disconnected while its peer is in the cluster is never promoted, even after the peer leaves" {
	"$AGENT" start
	mirror connected standby uptodate GREEN
	"$AGENT" monitor
	# Mirror link cut, node2 still a member (it may write without us).
	mirror standalone standby outdated RED
	: >"$T/crm_attribute.log"
	run "$AGENT" monitor
	assert_success
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -D"
	assert_output --partial "copy outdated while node2 is in the cluster"
	echo node1 node3 >"$T/members"
	run "$AGENT" monitor
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -D"
	run "$AGENT" promote
	assert_failure 1
	assert_output --partial "this copy is RED (disk outdated, connection standalone, split brain false, fenced false): it may miss committed writes, not promoted"
	assert_equal "$(cat "$T/clpmdctrl.log")" ""
}

@test "a break younger than Corosync's time to notice a dead peer: no score yet, the mark kept; the peer leaves: the survivor" {
	"$AGENT" start
	mirror connected standby uptodate GREEN
	"$AGENT" monitor
	# Broken 5 s ago, node2 still listed (no Corosync here: 60 s grace).
	mirror standalone standby outdated RED false false true false "$(date -d '5 seconds ago' '+%Y/%m/%d %H:%M:%S')"
	: >"$T/crm_attribute.log"
	run "$AGENT" monitor
	assert_success
	refute_output --partial "copy outdated while"
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -D"
	run "$AGENT" promote
	assert_failure 1
	echo node1 node3 >"$T/members"
	run "$AGENT" monitor
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -v 1000"
	# Broken 2 minutes ago with node2 a member: the mark goes for good.
	echo node1 node2 >"$T/members"
	mirror standalone standby outdated RED false false true false "$(date -d '2 minutes ago' '+%Y/%m/%d %H:%M:%S')"
	run "$AGENT" monitor
	assert_output --partial "copy outdated while node2 is in the cluster (the mirror broke 1"
	echo node1 node3 >"$T/members"
	run "$AGENT" monitor
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -D"
}

@test "a copy marked fenced (fencing 1: the peer went on without it) gets no score and is never promoted, whatever the timing" {
	"$AGENT" start
	mirror connected standby uptodate GREEN
	"$AGENT" monitor
	# The peer had this copy fenced at the break and died before a
	# monitor saw the copy disconnected while it was a member.
	echo node1 node3 >"$T/members"
	mirror standalone standby outdated RED false false true true
	: >"$T/crm_attribute.log"
	run "$AGENT" monitor
	assert_success
	assert_output --partial "copy fenced: node2 went on writing without it"
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -D"
	run "$AGENT" promote
	assert_failure 1
	assert_output --partial "this copy is RED (disk outdated, connection standalone, split brain false, fenced true): it may miss committed writes, not promoted"
	assert_output --partial "ocf-exit-reason:promote: this copy is RED"
	assert_equal "$(cat "$T/clpmdctrl.log")" ""
	# The same state without the mark: the survivor of a dead peer.
	mirror connected standby uptodate GREEN
	"$AGENT" monitor
	mirror standalone standby outdated RED
	run "$AGENT" monitor
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -v 1000"
}

@test "promote, demote, stop: clpmdctrl --active [-nomount] / --deactive; idempotent; stop forgets the score" {
	"$AGENT" start
	run "$AGENT" promote
	assert_success
	run "$AGENT" promote
	assert_success
	run "$AGENT" demote
	assert_success
	run "$AGENT" demote
	assert_success
	OCF_RESKEY_mount=true run "$AGENT" promote
	assert_success
	run "$AGENT" stop
	assert_success
	assert_equal "$(cat "$T/clpmdctrl.log")" $'--active -nomount md01\n--deactive md01\n--active md01\n--deactive md01'
	assert_equal "$(last_score)" "-q --promotion=md01-clone:0 -l reboot -D"
	run "$AGENT" monitor
	assert_failure 7
	run "$AGENT" stop
	assert_success
	# A notification never fails, and refreshes the score after an operation.
	: >"$T/crm_attribute.log"
	run env OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=start "$AGENT" notify
	assert_success
}

@test "make install: the agent in OCFDIR (/usr/lib/ocf/resource.d/clpstack/md) with PREFIX as its default prefix; uninstall removes it" {
	local d=$T/root a=$T/root/usr/lib/ocf/resource.d/clpstack/md
	run make -C "$REPO/userland" install DESTDIR="$d" PREFIX=/usr/local/clp
	assert_success
	[ -x "$a" ] || fail "no executable $a"
	run grep -x 'PREFIX_DEFAULT=/usr/local/clp' "$a"
	assert_success
	run "$a" meta-data
	assert_output --partial '<content type="string" default="/usr/local/clp"/>'
	run make -C "$REPO/userland" uninstall DESTDIR="$d" PREFIX=/usr/local/clp
	assert_success
	[ ! -e "$a" ] && [ ! -e "$(dirname "$a")" ]
}
