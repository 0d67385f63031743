#!/usr/bin/env bats
# clpstack's mirror under a real Pacemaker + Corosync cluster (Debian's
# packages; Documentation/pacemaker.md): three nodes booted with systemd,
# node1 and node2 with clpstack installed ("make install", the mirror md01
# in clp.conf without groups, clpsvcctrl.sh --enable -a), node3 for quorum
# only. The configuration is userland/ocf/examples/md01.crm as it is (the
# promotable clone of ocf:clpstack:md, ext4 on /dev/NMP1 by
# ocf:heartbeat:Filesystem) plus tests/lab/pacemaker/lab.crm: the lab's
# fence device (lab up --fence: fence_clplab in the nodes asks the host to
# cut a node's power). Proven: promotion on node1 with the file system;
# power cut of node1 during committed writes: fenced, node2 promoted within
# the configured timeouts, every committed record there; node1 back as
# Unpromoted, resynchronised differentially; an outdated standby is never
# promoted (Pacemaker's view and the scores shown); bad agent parameters
# refused through Pacemaker with nothing changed. Not in make check (about
# 16 minutes): make check-pacemaker.
# suite-timeout: 3000

load ../helpers
load ../md-helpers

P=/opt/clpstack
B=$P/bin
STATE=$REPO/tests/lab/tools/pcmk-state.py

setup_file() {
	skip_if_no_lab || return 0
	[ -x /lib/systemd/systemd ] || file_skip "the systemd lab needs /lib/systemd/systemd (scripts/deps)" || return 0
	local c
	for c in corosync pacemakerd crm_mon crm cibadmin; do
		command -v $c >/dev/null ||
			file_skip "Pacemaker's suite needs $c (scripts/deps --pacemaker: pacemaker corosync crmsh)" || return 0
	done
	[ ! -e /etc/systemd/system/multi-user.target.wants/corosync.service ] &&
		[ ! -e /etc/systemd/system/multi-user.target.wants/pacemaker.service ] ||
		file_skip "corosync or pacemaker is enabled on this host, so in every lab node sharing its root: run scripts/deps --pacemaker (it disables them here)" ||
		return 0
	export CLPLAB_NAME=t$$-pcmk
	run_lab up --nodes 3 --name "$CLPLAB_NAME" --disk-size 512M --systemd --fence
	local n key
	key=$(head -c 256 /dev/urandom | base64 -w0)
	for n in node1 node2; do
		# The lab's clp.conf: a dead peer noticed after 2 + 2 x 1 s;
		# fencing 1 (a break holds the active's writes until the other
		# copy is marked fenced, Documentation/pacemaker.md).
		lab_exec $n "sed -e 's|<hbinterval>10<|<hbinterval>2<|' -e 's|<pingtimeout>2<|<pingtimeout>1<|' -e 's|<pingretry>8<|<pingretry>2<|' -e 's|<mkfs>1</mkfs>|<mkfs>1</mkfs><fencing>1</fencing>|' $REPO/userland/conf/examples/lab-clp.conf >/tmp/clp.conf &&
			grep -q '<fencing>1<' /tmp/clp.conf &&
			make -C $REPO install CONF=/tmp/clp.conf >/var/log/clp-install.log 2>&1 || { tail -n 20 /var/log/clp-install.log; exit 1; }"
		lab_exec $n "insmod $P/drivers/liscal.ko && $B/clpmdinit --create force md01 && rmmod liscal && $B/clpsvcctrl.sh --enable -a"
	done
	for n in node1 node2 node3; do
		lab_exec $n "install -m 644 $REPO/tests/lab/pacemaker/corosync.conf /etc/corosync/corosync.conf &&
			echo $key | base64 -d >/etc/corosync/authkey && chmod 400 /etc/corosync/authkey &&
			install -m 755 $REPO/scripts/lab.d/fence_clplab /usr/sbin/fence_clplab &&
			systemctl enable corosync.service pacemaker.service 2>&1"
	done
	for n in node1 node2; do
		lab_exec $n "systemctl start clpstack-core.service"
	done
	wait_for 600 both_green
	# ext4 on the mirror, made through node1's active copy.
	lab_exec node1 "$B/clpmdctrl --active -nomount md01 && mkfs.ext4 -q -F /dev/NMP1 && $B/clpmdctrl --deactive md01"
	for n in node1 node2 node3; do
		lab_exec $n "systemctl start pacemaker.service"
	done
	wait_for 300 pcmk_has "node node1 online" "node node2 online" "node node3 online"
	# Loaded where the agent is installed (crm shell reads its meta-data).
	lab_exec node1 "crm_attribute --type crm_config --name stonith-action --update off &&
		cat $REPO/userland/ocf/examples/md01.crm $REPO/tests/lab/pacemaker/lab.crm >/tmp/md01-lab.crm &&
		crm configure load update /tmp/md01-lab.crm 2>&1 && crm_verify -L -V 2>&1"
}

# A failed test shows Pacemaker's view and the fence log.
teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || [ -n "${CLP_FILE_SKIP:-}" ] || [ -z "${CLPLAB_NAME:-}" ] || {
		echo "# Pacemaker's view (node3):"
		pstate | sed 's/^/#   /'
		echo "# the lab's fence log:"
		sed 's/^/#   /' "${CLPLAB_DIR:-/var/tmp/clplab}/$CLPLAB_NAME/fence.log" 2>/dev/null
	} >&3
}

teardown_file() {
	[ -n "${CLPLAB_NAME:-}" ] && "$LAB" down >/dev/null 2>&1 || true
}

# Pacemaker's view as node3 (never cut) sees it: lines of pcmk-state.py.
pstate() {
	"$LAB" exec node3 -- crm_mon -1 --output-as=xml --include=all | python3 "$STATE"
}

# pcmk_has LINE...: each LINE is a line of Pacemaker's view.
pcmk_has() {
	local view l
	view=$(pstate) || return 1
	for l in "$@"; do
		grep -qxF -- "$l" <<<"$view" || {
			echo "no '$l' in: $view"
			return 1
		}
	done
}

# pcmk_lacks ERE: no line of Pacemaker's view matches ERE.
pcmk_lacks() {
	local view
	view=$(pstate) || return 1
	! grep -qE -- "$1" <<<"$view" || {
		echo "'$1' in: $view"
		return 1
	}
}

# pcmk_has_fenced NODE: Pacemaker's fencing history has NODE turned off.
pcmk_has_fenced() {
	pstate | grep -qE "^fenced $1 off success "
}

# The node md01 is Promoted on in VIEW (lines of pstate; empty if none).
promoted_in() {
	awk '$1 == "rsc" && $2 == "md01" && $3 == "Promoted" { print $4 }' <<<"$1"
}
promoted() { promoted_in "$(pstate)"; }

# md01 Promoted on one node, fs01 started on the same node: one view.
promoted_with_fs() {
	local view p
	view=$(pstate) || return 1
	p=$(promoted_in "$view")
	[ -n "$p" ] && grep -qxF "rsc fs01 Started $p" <<<"$view" || {
		echo "md01 not Promoted with fs01 started on the same node in: $view"
		return 1
	}
}

# The promotion score NODE's agent set for md01, "none" if none.
score() {
	local s
	s=$(pstate | awk -v n="$1" '$1 == "attr" && $2 == n && $3 ~ /^master-md01/ { print $4 }')
	echo "${s:-none}"
}
score_is() { [ "$(score "$1")" = "$2" ]; }

# Wait until Pacemaker has nothing left to do (crm_resource --wait).
settled() {
	lab_exec node3 "crm_resource --wait --timeout=300"
}

@test "Pacemaker promotes md01 on node1 with ext4 on top; node3 runs neither; the fence device is up" {
	wait_for 400 pcmk_has "rsc md01 Promoted node1" "rsc md01 Unpromoted node2" "rsc fs01 Started node1"
	lab_exec node1 "findmnt -n -o SOURCE /mnt/md01"
	assert "$output" == /dev/NMP1 "what node1 mounted on /mnt/md01"
	assert "$(role node1)" == active
	assert "$(role node2)" == standby
	wait_for 120 score_is node1 10000
	wait_for 120 score_is node2 10000
	assert pcmk_lacks "^rsc (md01|fs01) .* node3$"
	assert_match "$(pstate)" "^rsc fence-lab Started node[123]$"
	lab_exec node3 "fence_clplab -o status -n node1"
	assert "$output" == "Status: ON" "the fence device's view of node1"
	# The start-up preference goes: stickiness keeps md01 where it is.
	lab_exec node3 "cibadmin --delete --xml-text '<rsc_location id=\"md01-first-node1\"/>'"
	settled
	assert pcmk_has "rsc md01 Promoted node1" "rsc fs01 Started node1"
}

@test "power cut of node1 during committed writes: fenced, node2 promoted within the timeouts, every committed record there" {
	lab_exec node1 "setsid -f $REC /mnt/md01/rec 0 >/dev/null 2>&1 </dev/null"
	wait_for 120 acked_above node1 20
	local t0=$SECONDS last
	run_lab cut node1
	# Corosync's token (10 s) and consensus (12 s), the fencing (60 s at
	# most), the promotion (100 s) and the mount (60 s) of the configuration.
	wait_for 240 pcmk_has "node node1 offline" "rsc md01 Promoted node2" "rsc fs01 Started node2"
	echo "# node2 promoted and mounted $((SECONDS - t0)) s after the cut" >&3
	assert_match "$(pstate)" "^fenced node1 off success "
	assert_match "$(cat "${CLPLAB_DIR:-/var/tmp/clplab}/$CLPLAB_NAME/fence.log")" " node[23]: [0-9a-f]+ off node1: ok " \
		"the lab's fence device was asked"
	lab_exec node2 "journalctl -b -t clpstack-md --no-pager -o cat"
	assert_match "$output" "node1 is out of the cluster and this copy was current when it left: activating with -force"
	assert "$(role node2)" == active
	last=$(acked node1)
	echo "# node1 committed records 0..$last" >&3
	check_records node2 0 "$last" /mnt/md01/rec
}

@test "node1 comes back: Unpromoted, resynchronised differentially, node2 stays Promoted" {
	run_lab start node1
	wait_for 400 pcmk_has "node node1 online" "rsc md01 Unpromoted node1" "rsc md01 Promoted node2"
	wait_for 300 both_green
	wait_for 120 score_is node1 10000
	settled
	assert pcmk_has "rsc md01 Promoted node2" "rsc fs01 Started node2" "rsc md01 Unpromoted node1"
	local recv size
	recv=$("$LAB" exec node1 -- "$B/clpmdstat" --counters md01 --json | jq .counters.recovery_recv_bytes)
	size=$("$LAB" exec node1 -- blockdev --getsize64 /dev/vdb2)
	echo "# node1 received $((recv >> 20)) MiB of its $((size >> 20)) MiB data partition" >&3
	assert "$recv" -gt 0 "bytes node1 received"
	assert "$recv" -lt $((size / 2)) "bytes node1 received (a differential recovery)"
}

@test "an outdated standby is never promoted: node1's cable out, node2 writes (node1's copy fenced), node2 dies at once; md01 stays Unpromoted" {
	wait_for 60 both_green
	wait_for 60 score_is node1 10000
	run_lab link node1 mirror down
	# fencing 1: node2's write waits until node1's copy is marked fenced.
	lab_exec node2 "dd if=/dev/urandom of=/mnt/md01/late bs=1M count=4 conv=fsync status=none"
	lab_exec node1 "$B/clpmdstat --mirror md01 --json | jq -r '.servers[] | select(.local) | .colour + \" \" + (.fenced | tostring)'"
	assert "$output" == "RED true" "node1's copy"
	# node2 dies before node1's next monitor need have run: the window a
	# promotion score can lag behind the copy's state.
	run_lab cut node2
	wait_for 240 pcmk_has "node node2 offline" "rsc md01 Unpromoted node1"
	wait_for 120 pcmk_has_fenced node2
	settled
	echo "# Pacemaker's view after node2's cut (node3):" >&3
	pstate | sed 's/^/#   /' >&3
	assert pcmk_lacks "^rsc md01 Promoted"
	assert pcmk_lacks "^rsc fs01 Started"
	assert "$(score node1)" == none "node1's promotion score"
	assert "$(role node1)" == standby
	lab_exec node1 "! grep -q ' /mnt/md01 ' /proc/mounts"
	lab_exec node1 "journalctl -b -t clpstack-md --no-pager -o cat | grep -E 'fenced|not promoted|outdated while'"
	echo "$output" | sed 's/^/# node1 agent: /' >&3
	assert_match "$output" "copy fenced: node2 went on writing without it|fenced true\): it may miss committed writes, not promoted|copy outdated while node2"
}

@test "node2 back and the cable in: md01 Promoted again on a current copy, node1 resynchronised, node2's late writes kept, no fenced copy ever promoted" {
	run_lab link node1 mirror up
	run_lab start node2
	wait_for 400 pcmk_has "node node2 online"
	# node2's copy is the only current one when it returns, so its agent
	# is the first to score. Pacemaker may still promote node1 if node1's
	# resynchronisation from node2 ends (and node1 scores 10000 too)
	# before node2's promotion is scheduled: equally safe, as node1 then
	# holds node2's data. Either way the file system is where md01 is
	# Promoted.
	wait_for 400 promoted_with_fs
	wait_for 300 both_green
	local p
	p=$(promoted)
	echo "# md01 Promoted on $p" >&3
	lab_exec "$p" "stat -c %s /mnt/md01/late"
	assert "$output" == 4194304 "node2's late file on $p"
	# A promote the agent refused (a fenced or outdated copy) would be a
	# failed action.
	assert pcmk_lacks "^failed md01_promote"
}

@test "bad agent parameters through Pacemaker (crm_resource --validate): refused with the reason, nothing changed" {
	local conf mirror roles
	conf=$("$LAB" exec node3 -- cibadmin -Q -o configuration | md5sum)
	roles=$(pstate | grep '^rsc md01 ')
	mirror=$("$LAB" exec node1 -- "$B/clpmdstat" --mirror md01 --json | jq -c 'del(.statistics)')
	lab_exec '?' node1 "crm_resource --validate --class ocf --provider clpstack --agent md --option resource=md09 2>&1"
	assert "$status" != 0 "crm_resource --validate's status"
	assert_match "$output" "'md09' is not an md resource of clp.conf \(it has: md01\)"
	lab_exec '?' node1 "crm_resource --validate --class ocf --provider clpstack --agent md --option resource=md01 --option mount=maybe 2>&1"
	assert "$status" != 0 "crm_resource --validate's status"
	assert_match "$output" "parameter 'mount' \('maybe'\) is not a boolean"
	assert "$("$LAB" exec node3 -- cibadmin -Q -o configuration | md5sum)" == "$conf" "the CIB's configuration"
	assert "$("$LAB" exec node1 -- "$B/clpmdstat" --mirror md01 --json | jq -c 'del(.statistics)')" == "$mirror" "the mirror's state"
	assert "$(pstate | grep '^rsc md01 ')" == "$roles" "md01's roles"
}

@test "the kernel logs are clean" {
	dmesg_clean node1
	dmesg_clean node2
}
