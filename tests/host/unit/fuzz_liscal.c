// SPDX-License-Identifier: GPL-2.0
/*
 * Random-input decode harness for the liscal shared decoders: feeds
 * random and mutated superblocks, packet headers and payloads to the
 * decoders and checks they never accept something inconsistent.
 * usage: fuzz_liscal [iterations] [seed]
 */
#include <stdlib.h>
#include "liscal_meta.h"
#include "liscal_bitmap.h"
#include "liscal_wire.h"

static u64 rnd_state;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void fill(void *p, size_t n)
{
	u8 *b = p;

	while (n--)
		*b++ = (u8)rnd();
}

static int fail(const char *what, unsigned long i)
{
	fprintf(stderr, "iteration %lu: %s\n", i, what);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	unsigned long i, accepted_sb = 0, accepted_hdr = 0;
	static struct liscal_sb_disk d, good;
	struct liscal_sb sb;
	char err[256];
	u8 uuid[16] = { 0 };

	rnd_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ULL;
	if (liscal_meta_init(&sb, "md01", 0, 1ULL << 30, 64 << 20, uuid, 9, 1, true))
		return fail("init", 0);
	liscal_meta_encode(&sb, &good);
	for (i = 0; i < iters; i++) {
		struct liscal_wire_hdr_disk hd;
		struct liscal_wire_hdr h;
		struct liscal_wire_hello_disk hel;
		struct liscal_wire_hello ho;
		int n, r;

		/* Superblock: mutate a few bytes of a good one, sometimes re-sum. */
		d = good;
		for (n = 1 + rnd() % 4; n; n--)
			((u8 *)&d)[rnd() % 200] = (u8)rnd();
		if (rnd() & 1) {
			d.checksum = 0;
			d.checksum = cpu_to_le32(clp_crc32c(&d, sizeof(d)));
		}
		r = liscal_meta_decode(&d, &sb, NULL, err, sizeof(err));
		if (r == 0) {
			struct liscal_layout l;

			accepted_sb++;
			if (liscal_meta_layout(sb.data_bytes, 0, &l) || l.bm_bits != sb.bm_bits ||
			    !liscal_name_valid(sb.name) || sb.node_id > 1 || !sb.gen_current)
				return fail("accepted an inconsistent superblock", i);
		} else if (!err[0]) {
			return fail("rejected without a message", i);
		}
		/* Packet header: random, with a valid magic half the time. */
		fill(&hd, sizeof(hd));
		if (rnd() & 1)
			hd.magic = cpu_to_be32(LISCAL_WIRE_MAGIC);
		if (rnd() & 1)
			hd.type = cpu_to_be16(1 + rnd() % (__LISCAL_P_MAX - 1));
		if (rnd() & 1)
			hd.len = cpu_to_be32(rnd() % 5000);
		if (rnd() & 3)
			hd.flags = 0;
		if (liscal_wire_decode_hdr(&hd, &h, err, sizeof(err)) == 0) {
			int fixed = liscal_wire_fixed_len(h.type);

			accepted_hdr++;
			if (fixed >= 0 && h.len != (u32)fixed)
				return fail("accepted wrong fixed length", i);
			if ((h.type == LISCAL_P_DATA || h.type == LISCAL_P_RS_DATA) &&
			    ((h.flags & LISCAL_WF_COMP ? !h.len || h.len >= h.size :
						     h.len != h.size) ||
			     h.size > LISCAL_WIRE_MAX_RS || h.size & 511))
				return fail("accepted bad I/O size", i);
			if (h.len > LISCAL_WIRE_MAX_RS)
				return fail("accepted huge length", i);
			liscal_wire_check_io(&h, 1ULL << 30, err, sizeof(err));
		} else if (!err[0]) {
			return fail("header rejected without a message", i);
		}
		fill(&hel, sizeof(hel));
		if (liscal_wire_decode_hello(&hel, &ho, err, sizeof(err)) == 0 &&
		    (ho.node_id > 1 || !liscal_name_valid(ho.name)))
			return fail("accepted a bad HELLO", i);
	}
	printf("%lu iterations: %lu superblocks accepted, %lu headers accepted, no failures\n",
	       iters, accepted_sb, accepted_hdr);
	return 0;
}
