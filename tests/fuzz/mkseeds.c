// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed inputs of the liscal_meta and liscal_handshake fuzzers
 * into corpus/<target>/seed-*, with the driver's own encoders (so that a
 * format change regenerates valid seeds): make -C tests/fuzz seeds.
 *   mkseeds <corpus dir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liscal_meta.h"
#include "liscal_wire.h"

#define MiB (1ULL << 20)
#define TiB (1ULL << 40)

static const char *dir;

static void put(const char *target, const char *name, const void *a, size_t an,
		const void *b, size_t bn, const void *c, size_t cn)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%s", dir, target, name);
	f = fopen(path, "w");
	if (!f || fwrite(a, 1, an, f) != an || (bn && fwrite(b, 1, bn, f) != bn) ||
	    (cn && fwrite(c, 1, cn, f) != cn) || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Cluster partition: ctl, superblock, the first bytes of the bitmap. */
static void meta(const char *name, const u8 ctl[4], u32 node, u64 data_bytes,
		 bool uptodate, const u8 *bm, size_t bmlen)
{
	static const u8 uuid[LISCAL_UUID_LEN] = { 0xc1, 0x95 };
	static struct liscal_sb_disk d;
	struct liscal_sb sb;

	if (liscal_meta_init(&sb, "md01", node, data_bytes, 64 * MiB, uuid,
			     0x1234567890abcdefULL + node, 1700000000, uptodate)) {
		fprintf(stderr, "mkseeds: liscal_meta_init failed for %s\n", name);
		exit(1);
	}
	liscal_meta_encode(&sb, &d);
	put("liscal_meta", name, ctl, 4, &d, sizeof(d), bm, bmlen);
}

struct side {
	u32 node, flags;
	u64 cur, bm, h0, h1, dirty;
};

static void hello(const struct side *s, struct liscal_wire_hello_disk *out)
{
	struct liscal_wire_hello h;
	struct liscal_layout l;

	memset(&h, 0, sizeof(h));
	liscal_meta_layout(192 * MiB, 0, &l);
	h.proto = LISCAL_WIRE_PROTO;
	h.node_id = s->node;
	strcpy(h.name, "md01");
	h.data_bytes = 192 * MiB;
	h.bm_shift = l.bm_shift;
	h.sb_flags = LISCAL_SB_F_INITIALISED | s->flags;
	h.gen_current = s->cur;
	h.gen_bitmap = s->bm;
	h.gen_history[0] = s->h0;
	h.gen_history[1] = s->h1;
	h.role = 1 + (s->flags & LISCAL_SB_F_WAS_ACTIVE ? 1 : 0);
	h.disk_state = 1;
	h.dirty_bits = s->dirty;
	h.lbs = 512;
	liscal_wire_encode_hello(&h, out);
}

static void pair(const char *name, struct side a, struct side b)
{
	struct liscal_wire_hello_disk ha, hb;

	a.node = 0;
	b.node = 1;
	hello(&a, &ha);
	hello(&b, &hb);
	put("liscal_handshake", name, &ha, sizeof(ha), &hb, sizeof(hb), NULL, 0);
}

int main(int argc, char **argv)
{
	static const u8 bm[] = { 0x01, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
				 0x10, 0x20 };
	static u8 ones[4096];
	const u32 up = LISCAL_SB_F_UPTODATE, act = LISCAL_SB_F_WAS_ACTIVE;
	const u32 inc = LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds <corpus dir>\n");
		return 2;
	}
	dir = argv[1];
	memset(ones, 0xff, sizeof(ones));
	meta("sb-node0", (const u8[4]){ 0, 0, 0, 0 }, 0, 192 * MiB, true, bm, sizeof(bm));
	meta("sb-expect", (const u8[4]){ 2, 1, 1, 1 }, 0, 192 * MiB, true, bm, sizeof(bm));
	meta("sb-node1-inconsistent", (const u8[4]){ 3, 2, 1, 0 }, 1, 192 * MiB, false,
	     ones, sizeof(ones));
	meta("sb-odd-size", (const u8[4]){ 2, 0, 0, 0 }, 0, 192 * MiB + 4096 + 512, true,
	     ones, 40);
	meta("sb-1TiB", (const u8[4]){ 0, 0, 0, 0 }, 0, TiB, true, bm, sizeof(bm));
	meta("sb-5TiB", (const u8[4]){ 2, 0, 1, 0 }, 1, 5 * TiB + 512, true, ones, 64);

	pair("in-sync", (struct side){ .flags = up, .cur = 7 },
	     (struct side){ .flags = up, .cur = 7 });
	pair("crash-leftovers", (struct side){ .flags = up | act, .cur = 7, .dirty = 3 },
	     (struct side){ .flags = up, .cur = 7 });
	pair("active-went-on", (struct side){ .flags = up | act, .cur = 9, .bm = 7, .h0 = 7 },
	     (struct side){ .cur = 7 });
	pair("split-brain", (struct side){ .flags = up, .cur = 9, .bm = 7, .h0 = 7 },
	     (struct side){ .flags = up, .cur = 8, .bm = 7, .h0 = 7 });
	pair("forced", (struct side){ .flags = up | LISCAL_SB_F_FORCED, .cur = 9, .h0 = 7 },
	     (struct side){ .flags = up, .cur = 8, .bm = 7, .h0 = 7 });
	pair("fresh-target", (struct side){ .flags = up, .cur = 7 },
	     (struct side){ .flags = inc, .cur = 5 });
	pair("history", (struct side){ .flags = up, .cur = 11, .h0 = 9, .h1 = 7 },
	     (struct side){ .flags = up, .cur = 7, .h0 = 5 });
	pair("no-data", (struct side){ .flags = inc, .cur = 3 },
	     (struct side){ .flags = inc, .cur = 5 });
	return 0;
}
