# SPDX-License-Identifier: GPL-2.0
# Helpers of the mirror fault suites (24-mirror-faults.bats,
# 26-cable-soak.bats), loaded after helpers.bash: "load fault-helpers".
# shellcheck disable=SC2154 # LAB, REPO: from helpers.bash

# region_md5 NODE DEV [SKIP_MIB COUNT_MIB]: md5 of DEV on NODE (the whole
# device, or COUNT_MIB MiB from SKIP_MIB), read with O_DIRECT: /dev/vdb2's
# own page cache does not see what /dev/NMP1 wrote underneath it.
region_md5() {
	local range=
	[ -z "${3:-}" ] || range="skip=$3 count=$4"
	"$LAB" exec "$1" -- sh -c "dd if=$2 bs=1M $range iflag=direct status=none | md5sum" | cut -d' ' -f1
}

# data_md5 NODE: md5 of NODE's whole data partition.
data_md5() {
	region_md5 "$1" /dev/vdb2
}

# mirror_if NODE: the name of NODE's mirror interface (198.18.2.N).
mirror_if() {
	local n=${1#node}
	"$LAB" exec "$1" -- sh -c "ip -o -4 addr show to 198.18.2.$n | awk '{ print \$2 }'"
}

# write_random NODE SEEK_MIB COUNT_MIB [DD_OPTS]: writes COUNT_MIB MiB of
# fresh random data (kept in /tmp/wr-SEEK_MIB.bin) to /dev/NMP1 at SEEK_MIB
# MiB, in 1 MiB direct writes unless DD_OPTS says otherwise ("bs=64k
# oflag=direct", "conv=fsync"), and prints its md5: the reference the
# copies are compared with, not each other.
write_random() {
	local f=/tmp/wr-$2.bin opts=${4:-oflag=direct} out
	out=$("$LAB" exec "$1" -- sh -c "head -c $(($3 << 20)) /dev/urandom > $f && dd if=$f of=/dev/NMP1 bs=1M seek=$(($2 << 20)) oflag=seek_bytes $opts status=none && md5sum < $f") || {
		echo "write_random $*: $out" >&2
		return 1
	}
	echo "${out%% *}"
}

# netem NODE ARGS...: NODE's mirror interface sends through netem ARGS
# ("delay 50ms 20ms loss 2%"); netem NODE off: plain again.
netem() {
	local node=$1 dev
	shift
	dev=$(mirror_if "$node") || return
	if [ "$*" = off ]; then
		"$LAB" exec "$node" -- sh -c "tc qdisc del dev $dev root 2>/dev/null || true"
	else
		"$LAB" exec "$node" -- tc qdisc replace dev "$dev" root netem "$@"
	fi
}
