# SPDX-License-Identifier: GPL-2.0
# Helpers of the hybrid disk suites on the hybrid lab (node1 and node2 share
# svg1's disk, node3 has its own: 58-hybrid-cluster.bats and, with
# procedures.bash, 90-hybrid-replace.bats, 91-hybrid-resize.bats),
# loaded after ../helpers with "load hybrid". hd1 on /dev/NMP1, its mirror
# port 29051 on the 198.18.2.0/24 network.
# shellcheck disable=SC2154 # LAB, B, CONF, REPO, output: from helpers.bash / procedures.bash

# sysattr NODE ATTR: /sys/block/NMP1/liscal/ATTR on NODE ("absent" without NMP1).
sysattr() {
	"$LAB" exec "$1" -- bash -c "cat /sys/block/NMP1/liscal/$2 2>/dev/null || echo absent"
}
# mirrors A B: A and B connected to each other, both copies GREEN, B's
# peer A.
mirrors() {
	[ "$(sysattr "$1" connection)" = connected ] && [ "$(sysattr "$2" connection)" = connected ] &&
		[ "$(sysattr "$1" colour)" = GREEN ] && [ "$(sysattr "$1" peer_colour)" = GREEN ] &&
		[ "$(sysattr "$2" colour)" = GREEN ] && [ "$(sysattr "$2" peer_colour)" = GREEN ] &&
		[ "$(sysattr "$2" peer_address)" = "198.18.2.${1#node}:29051" ]
}
node3_connected() { [ "$(sysattr node3 connection)" = connected ]; }
# svg1_current: svg1's current server as node3's driver sees it (its peer).
svg1_current() {
	case "$(sysattr node3 peer_address)" in
	198.18.2.1:*) echo node1 ;;
	198.18.2.2:*) echo node2 ;;
	*) echo none ;;
	esac
}
# kmsg_from NODE: the next line number of NODE's kernel log.
kmsg_from() {
	lab_exec "$1" "dmesg | wc -l"
	echo $((output + 1))
}

# hd_status NODE: "<current> <mirror status> <svg1's current> <svg2's
# current>" from clphdstat on NODE.
hd_status() {
	"$LAB" exec "$1" -- bash -c "$B/clphdstat --mirror hd1 --json | jq -r '[.current, .mirror_status, .groups[] .current_server] | join(\" \")'"
}

# The procedure suites (systemd lab, procedures.bash): data.bin on hd1,
# written where failover1 runs, and its hash.
write_hd_data() { # write_hd_data NODE
	lab_exec "$1" "head -c 8M /dev/urandom >$MNT/data.bin && sync -f $MNT/data.bin && sha256sum <$MNT/data.bin"
	echo "$output" >"$BATS_FILE_TMPDIR/data.sum"
}
hd_data_intact() { # hd_data_intact NODE
	lab_exec "$1" "sha256sum <$MNT/data.bin"
	assert "$output" == "$(cat "$BATS_FILE_TMPDIR/data.sum")" "the hash of data.bin on $1 (taken before)"
}

# hybrid_procedures_up SIZE [SED]: the hybrid lab with systemd as PID 1
# (disks of SIZE), clpstack installed on each node with make install and
# the hybrid cluster suite's clp.conf (SED: more sed commands for it), the
# cluster partition of each disk initialised (svg1's shared one from
# node1, node3's own), autostart enabled and the cluster started: failover1
# online on node1, mirrored to node3. A suite may define
# hybrid_prepare_disks, run before the installation (e.g. LVM).
hybrid_procedures_up() {
	local n
	run_lab up --hybrid --name "$CLPLAB_NAME" --disk-size "$1" --systemd
	if declare -F hybrid_prepare_disks >/dev/null; then
		hybrid_prepare_disks
	fi
	for n in node1 node2 node3; do
		lab_exec $n "sed 's|@SYNCTIME@|120|; ${2:-}' $REPO/tests/lab/cluster/clp-hybrid.conf >/tmp/clp.conf && make -C $REPO install CONF=/tmp/clp.conf >/var/log/clp-install.log 2>&1 || { tail -n 20 /var/log/clp-install.log; exit 1; }"
	done
	lab_exec node1 "$B/clphdinit --create force hd1"
	lab_exec node3 "$B/clphdinit --create force hd1"
	for n in node1 node2 node3; do
		lab_exec $n "$B/clpsvcctrl.sh --enable -a >/dev/null && systemctl start --no-block clpstack-core.service"
	done
	wait_for 300 online_on node1 node1
	wait_for 300 mirrors node1 node3
}
