// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for the whole cluster partition as the driver reads it
 * (common/liscal_meta.c, liscal_bitmap.c): the 4 KiB superblock checked
 * against what the configuration expects (resource name, node id, data
 * and cluster partition sizes), then the on-disk dirty bitmap it
 * describes, loaded as liscal_bm_load() does (from_disk + trim).
 *
 * Input: 4 control bytes, the superblock (zero padded to 4096 bytes), then
 * the bitmap area (zero padded to the bitmap's size).
 *   ctl[0] bit 0  recompute the checksum (to reach the checks behind it)
 *          bit 1  decode with an expectation, else format checks only
 *   ctl[1]        expected node id: % 3 - 1 (-1: any)
 *   ctl[2]        expected data size: 0 any, else the stored size
 *                 + 512 * (ctl[2] - 1)
 *   ctl[3]        expected cluster partition size: 0 any, else
 *                 64 KiB * ctl[3] + the stored cp_bytes / 2
 * What is accepted must be what the expectation asked for, re-encode to a
 * block that decodes the same (but for the version, see below), and describe a bitmap whose every set bit
 * maps to sectors inside the data partition. Anything else aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "liscal_bitmap.h"
#include "liscal_meta.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define CTL 4

static struct liscal_sb_disk in, re;
/* The largest bitmap a valid superblock describes: LISCAL_BM_MAX_BITS. */
static u64 words[LISCAL_BM_WORDS(LISCAL_BM_MAX_BITS)];
static __le64 disk[LISCAL_BM_WORDS(LISCAL_BM_MAX_BITS)];

static void check_bitmap(const struct liscal_sb *sb, const u8 *d, size_t n)
{
	size_t nw = LISCAL_BM_WORDS(sb->bm_bits), bytes = nw * 8;
	u64 data_sectors = sb->data_bytes >> 9, bit, count, seen = 0;
	u64 first, last, sector, nsect;

	if (!sb->bm_bits || nw > LISCAL_BM_WORDS(LISCAL_BM_MAX_BITS) ||
	    bytes > sb->bm_bytes)
		abort();
	memset(disk, 0, bytes);
	memcpy(disk, d, n < bytes ? n : bytes);
	liscal_bm_from_disk(words, disk, nw);
	liscal_bm_trim(words, sb->bm_bits);
	count = liscal_bm_count(words, sb->bm_bits);
	if (count > sb->bm_bits)
		abort();
	/* Walk the first set bits as a recovery would. */
	for (bit = liscal_bm_next_set(words, sb->bm_bits, 0);
	     bit < sb->bm_bits && seen < 64;
	     bit = liscal_bm_next_set(words, sb->bm_bits, bit + 1), seen++) {
		if (!liscal_bm_test(words, bit))
			abort();
		liscal_bm_bit_sectors(bit, sb->bm_shift, data_sectors, &sector,
				      &nsect);
		if (!nsect || sector >= data_sectors ||
		    nsect > data_sectors - sector)
			abort();
		if (!liscal_bm_range(sector, nsect, sb->bm_shift, sb->bm_bits,
				     &first, &last) || first != bit || last != bit)
			abort();
	}
	if (bit > sb->bm_bits)
		abort();
	if (!count != !liscal_bm_any_set(words, 0, sb->bm_bits - 1) ||
	    (count == sb->bm_bits) != liscal_bm_all_set(words, 0, sb->bm_bits - 1))
		abort();
	if (liscal_bm_next_clear(words, sb->bm_bits, 0) > sb->bm_bits)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct liscal_meta_expect exp, *e = NULL;
	struct liscal_sb sb, sb2;
	u8 ctl[CTL] = { 0 };
	char err[256];
	size_t n;

	n = size < CTL ? size : CTL;
	memcpy(ctl, data, n);
	data += n;
	size -= n;
	n = size < sizeof(in) ? size : sizeof(in);
	memset(&in, 0, sizeof(in));
	memcpy(&in, data, n);
	data += n;
	size -= n;
	if (ctl[0] & 1) {
		in.checksum = 0;
		in.checksum = cpu_to_le32(clp_crc32c(&in, sizeof(in)));
	}
	if (ctl[0] & 2) {
		exp.name = "md01";
		exp.node_id = ctl[1] % 3 - 1;
		exp.data_bytes = ctl[2] ? le64_to_cpu(in.data_bytes) +
					  512ULL * (ctl[2] - 1) : 0;
		exp.cp_bytes = ctl[3] ? 65536ULL * ctl[3] +
					le64_to_cpu(in.cp_bytes) / 2 : 0;
		e = &exp;
	}
	memset(&sb, 0, sizeof(sb));
	memset(&sb2, 0, sizeof(sb2));
	if (liscal_meta_decode(&in, &sb, e, err, sizeof(err))) {
		/* A refusal says what is wrong. */
		if (!err[0])
			abort();
		return 0;
	}
	if (!liscal_name_valid(sb.name) || sb.node_id > 1 ||
	    (sb.flags & ~LISCAL_SB_F_ALL) || !sb.gen_current)
		abort();
	if (e && (strcmp(sb.name, e->name) ||
		  (e->node_id >= 0 && sb.node_id != (u32)e->node_id) ||
		  (e->data_bytes && sb.data_bytes > e->data_bytes) ||
		  (e->cp_bytes && sb.bm_offset + sb.bm_bytes > e->cp_bytes)))
		abort();
	/*
	 * The encoder writes the lowest format version that holds the flags
	 * (a v2 block without a v2 flag goes back as v1, readable by an older
	 * driver): the version is the one field that may change, and only to
	 * that one.
	 */
	liscal_meta_encode(&sb, &re);
	if (liscal_meta_decode(&re, &sb2, e, err, sizeof(err)) ||
	    sb2.version != liscal_meta_version(sb.flags) ||
	    sb2.version > sb.version)
		abort();
	sb2.version = sb.version;
	if (memcmp(&sb, &sb2, sizeof(sb)))
		abort();
	check_bitmap(&sb, data, size);
	return 0;
}
