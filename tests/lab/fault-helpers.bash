# SPDX-License-Identifier: GPL-2.0
# Helpers of the lying-peer suite (long/32-lying-peer.bats), loaded after
# helpers.bash: "load ../fault-helpers".
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
