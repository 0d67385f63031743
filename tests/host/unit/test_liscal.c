// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the liscal code shared by kernel and userland:
 * superblock round trip and every corruption, bitmap math edge cases,
 * wire header/hello validation. Prints "ok N - name" / "not ok N - name"
 * (TAP) and exits 1 on any failure.
 */
#include <stdlib.h>
#include <stddef.h>
#include "liscal_meta.h"
#include "liscal_bitmap.h"
#include "liscal_wire.h"

static void test_auth(void);

static int tests, failures;

#define CHECK(cond, name) do {						\
	tests++;							\
	if (cond) {							\
		printf("ok %d - %s\n", tests, name);			\
	} else {							\
		failures++;						\
		printf("not ok %d - %s (%s:%d: %s)\n", tests, name,	\
		       __FILE__, __LINE__, #cond);			\
	}								\
} while (0)

static const u8 uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static void fresh(struct liscal_sb *sb, struct liscal_sb_disk *d)
{
	int r = liscal_meta_init(sb, "md01", 0, 2 * GiB, 64 * MiB, uuid,
				 0x1234, 1000, true);
	if (r)
		abort();
	liscal_meta_encode(sb, d);
}

/* A fresh copy: as initialised for a non-current copy, no history yet. */
static void test_meta_fresh(void)
{
	struct liscal_sb sb;

	CHECK(liscal_meta_init(&sb, "md01", 1, 2 * GiB, 64 * MiB, uuid, 0x55, 1000,
			       false) == 0, "init not uptodate");
	CHECK(liscal_meta_fresh(sb.flags, sb.gen_history[0]), "initialised copy is fresh");
	liscal_meta_new_gen(&sb, 0x66);
	CHECK(!liscal_meta_fresh(sb.flags, sb.gen_history[0]),
	      "a generation taken over: not fresh (interrupted recovery of held data)");
	CHECK(liscal_meta_init(&sb, "md01", 0, 2 * GiB, 64 * MiB, uuid, 0x55, 1000,
			       true) == 0, "init uptodate");
	CHECK(!liscal_meta_fresh(sb.flags, sb.gen_history[0]), "current copy is not fresh");
	CHECK(!liscal_meta_fresh(LISCAL_SB_F_INITIALISED | LISCAL_SB_F_INCONSISTENT, 0),
	      "inconsistent without full sync is not fresh");
}

static void test_crc(void)
{
	CHECK(clp_crc32c("123456789", 9) == 0xE3069283U, "crc32c check value");
	CHECK(clp_crc32c("", 0) == 0, "crc32c of nothing");
}

/*
 * Golden values: the kernel's KUnit suite (tests/kunit/liscal_kunit.c)
 * asserts the same numbers, so kernel and userland encode the same bytes.
 */
static void test_golden(void)
{
	struct liscal_wire_hdr h = { LISCAL_P_DATA, LISCAL_WF_FUA, 4096, 4096, 7, 128 };
	struct liscal_wire_hdr_disk hd;
	struct liscal_sb sb;
	struct liscal_sb_disk d;

	fresh(&sb, &d);
	CHECK(le32_to_cpu(d.checksum) == 0x5bcbc24eU, "golden: fresh md01 superblock checksum");
	liscal_wire_encode_hdr(&h, &hd);
	CHECK(clp_crc32c(&hd, sizeof(hd)) == 0x4db4296bU, "golden: DATA header bytes");
}

static void test_layout(void)
{
	struct liscal_layout l;

	CHECK(liscal_meta_layout(2 * GiB, 64 * MiB, &l) == 0, "layout 2 GiB ok");
	CHECK(l.bm_shift == 16 && l.bm_bits == 32768 && l.bm_bytes == 4096,
	      "2 GiB: 64 KiB per bit, 32768 bits, one block");
	CHECK(l.cp_needed == LISCAL_BM_OFFSET + 4096, "2 GiB: cp needed");
	CHECK(liscal_meta_layout(65536 + 512, 0, &l) == 0 && l.bm_bits == 2,
	      "partial last bit counted");
	CHECK(liscal_meta_layout(4096ULL * GiB, 0, &l) == 0 && l.bm_shift == 17 &&
	      l.bm_bits == LISCAL_BM_MAX_BITS, "4 TiB: 128 KiB per bit");
	CHECK(liscal_meta_layout(0, 0, &l) == LISCAL_META_E_LAYOUT, "zero size refused");
	CHECK(liscal_meta_layout(1000, 0, &l) == LISCAL_META_E_LAYOUT, "unaligned size refused");
	CHECK(liscal_meta_layout(~511ULL, 0, &l) == LISCAL_META_E_LAYOUT,
	      "a size near 2^64 refused (no overflow to a tiny bitmap)");
	CHECK(liscal_meta_layout(2 * GiB, 65536, &l) == LISCAL_META_E_TOO_SMALL,
	      "cluster partition of 64 KiB too small");
	CHECK(liscal_meta_layout(2 * GiB, 65536 + 4096, &l) == 0, "exact fit ok");
}

static void test_meta_roundtrip(void)
{
	struct liscal_sb sb, out;
	struct liscal_sb_disk d;
	struct liscal_meta_expect exp = { "md01", 0, 2 * GiB, 64 * MiB };
	char err[256];

	fresh(&sb, &d);
	sb.gen_bitmap = 77;
	sb.gen_history[0] = 5;
	sb.gen_history[1] = 6;
	sb.break_time = 99;
	sb.seq = 3;
	liscal_meta_encode(&sb, &d);
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == 0, "decode ok");
	CHECK(memcmp(&sb, &out, sizeof(sb)) == 0, "round trip identical");
	CHECK(err[0] == 0, "no error text on success");
	CHECK(le32_to_cpu(d.magic) == LISCAL_SB_MAGIC, "magic little endian");
	CHECK(offsetof(struct liscal_sb_disk, seq) == 160, "seq at offset 160");
	CHECK(liscal_meta_init(&sb, "bad name", 0, 2 * GiB, 0, uuid, 1, 0, true) ==
	      LISCAL_META_E_NAME, "init refuses bad name");
	CHECK(liscal_meta_init(&sb, "md01", 2, 2 * GiB, 0, uuid, 1, 0, true) ==
	      LISCAL_META_E_NODE, "init refuses node 2");
	CHECK(liscal_meta_init(&sb, "md01", 1, 2 * GiB, 0, uuid, 1, 0, false) == 0 &&
	      (sb.flags & LISCAL_SB_F_INCONSISTENT) && (sb.flags & LISCAL_SB_F_FULL_SYNC) &&
	      !(sb.flags & LISCAL_SB_F_UPTODATE), "init not uptodate = inconsistent");
	liscal_meta_new_gen(&sb, 42);
	CHECK(sb.gen_current == 42 && sb.gen_history[0] == 1, "new generation shifts history");
}

static int corrupt_case(void (*mut)(struct liscal_sb_disk *), const struct liscal_meta_expect *exp,
			char *err, size_t len, bool resum)
{
	struct liscal_sb sb, out;
	struct liscal_sb_disk d;

	fresh(&sb, &d);
	mut(&d);
	if (resum) {
		d.checksum = 0;
		d.checksum = cpu_to_le32(clp_crc32c(&d, sizeof(d)));
	}
	return liscal_meta_decode(&d, &out, exp, err, len);
}

static void m_magic(struct liscal_sb_disk *d) { d->magic = 0; }
static void m_version(struct liscal_sb_disk *d) { d->version = cpu_to_le32(9); }
static void m_flip(struct liscal_sb_disk *d) { ((u8 *)d)[100] ^= 1; }
static void m_pad(struct liscal_sb_disk *d) { d->pad[3000] ^= 0x80; }
static void m_size(struct liscal_sb_disk *d) { d->sb_size = cpu_to_le32(512); }
static void m_flags(struct liscal_sb_disk *d) { d->flags |= cpu_to_le32(1U << 20); }
static void m_noinit(struct liscal_sb_disk *d) { d->flags &= cpu_to_le32((u32)~LISCAL_SB_F_INITIALISED); }
static void m_both(struct liscal_sb_disk *d) { d->flags |= cpu_to_le32(LISCAL_SB_F_INCONSISTENT); }
static void m_shift(struct liscal_sb_disk *d) { d->bm_shift = cpu_to_le32(20); }
static void m_bits(struct liscal_sb_disk *d) { d->bm_bits = cpu_to_le64(1); }
static void m_name(struct liscal_sb_disk *d) { memcpy(d->name, "a b", 4); }
static void m_gen0(struct liscal_sb_disk *d) { d->gen_current = 0; }
static void m_none(struct liscal_sb_disk *d) { (void)d; }

static void test_meta_corrupt(void)
{
	char err[256];
	struct liscal_meta_expect exp = { "md01", 0, 2 * GiB, 64 * MiB };
	struct liscal_meta_expect other = { "md02", 0, 0, 0 };
	struct liscal_meta_expect node1 = { NULL, 1, 0, 0 };
	struct liscal_meta_expect size = { NULL, -1, GiB, 0 };
	struct liscal_meta_expect larger = { NULL, -1, 3 * GiB, 0 };
	struct liscal_meta_expect small = { NULL, -1, 0, 65536 };

	CHECK(corrupt_case(m_magic, &exp, err, sizeof(err), false) == LISCAL_META_E_MAGIC &&
	      strstr(err, "bad magic"), "zero magic: bad magic");
	CHECK(corrupt_case(m_version, &exp, err, sizeof(err), false) == LISCAL_META_E_VERSION &&
	      strstr(err, "version 9"), "version 9 named");
	CHECK(corrupt_case(m_flip, &exp, err, sizeof(err), false) == LISCAL_META_E_CSUM &&
	      strstr(err, "checksum"), "flipped bit: checksum");
	CHECK(corrupt_case(m_pad, &exp, err, sizeof(err), false) == LISCAL_META_E_CSUM,
	      "flipped padding bit: checksum");
	CHECK(corrupt_case(m_size, &exp, err, sizeof(err), true) == LISCAL_META_E_LAYOUT,
	      "superblock size");
	CHECK(corrupt_case(m_flags, &exp, err, sizeof(err), true) == LISCAL_META_E_FLAGS &&
	      strstr(err, "0x100000"), "unknown flag named");
	CHECK(corrupt_case(m_noinit, &exp, err, sizeof(err), true) == LISCAL_META_E_NOT_INIT,
	      "not initialised");
	CHECK(corrupt_case(m_both, &exp, err, sizeof(err), true) == LISCAL_META_E_FLAGS,
	      "uptodate and inconsistent");
	CHECK(corrupt_case(m_shift, &exp, err, sizeof(err), true) == LISCAL_META_E_LAYOUT,
	      "wrong bitmap shift");
	CHECK(corrupt_case(m_bits, &exp, err, sizeof(err), true) == LISCAL_META_E_LAYOUT,
	      "wrong bitmap bits");
	CHECK(corrupt_case(m_name, &exp, err, sizeof(err), true) == LISCAL_META_E_NAME,
	      "bad stored name");
	CHECK(corrupt_case(m_gen0, &exp, err, sizeof(err), true) == LISCAL_META_E_LAYOUT,
	      "zero generation");
	CHECK(corrupt_case(m_none, &other, err, sizeof(err), false) == LISCAL_META_E_FOREIGN &&
	      strstr(err, "'md01'") && strstr(err, "'md02'"), "foreign resource named");
	CHECK(corrupt_case(m_none, &node1, err, sizeof(err), false) == LISCAL_META_E_NODE,
	      "other node's partition");
	CHECK(corrupt_case(m_none, &size, err, sizeof(err), false) == LISCAL_META_E_SIZE,
	      "data partition smaller than the mirrored size");
	CHECK(corrupt_case(m_none, &larger, err, sizeof(err), false) == 0,
	      "data partition larger than the mirrored size (extended to grow)");
	CHECK(corrupt_case(m_none, &small, err, sizeof(err), false) == LISCAL_META_E_TOO_SMALL,
	      "cluster partition too small");
	CHECK(corrupt_case(m_magic, &exp, NULL, 0, false) == LISCAL_META_E_MAGIC,
	      "no error buffer is fine");
	CHECK(strcmp(liscal_meta_strerror(-100), "unknown error") == 0, "strerror range");
}

/*
 * The FAILED flag (a disk failure recorded): written as format version 2,
 * every other superblock as version 1, so that a driver knowing only
 * version 1 reads them and refuses a failed copy.
 */
static void test_meta_failed(void)
{
	struct liscal_meta_expect exp = { "md01", 0, 2 * GiB, 64 * MiB };
	struct liscal_sb sb, out;
	struct liscal_sb_disk d;
	char err[256];

	fresh(&sb, &d);
	CHECK(le32_to_cpu(d.version) == 1, "a superblock without FAILED is version 1");
	sb.flags &= ~LISCAL_SB_F_UPTODATE;
	sb.flags |= LISCAL_SB_F_FAILED;
	liscal_meta_encode(&sb, &d);
	CHECK(le32_to_cpu(d.version) == 2, "FAILED is written as version 2");
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == 0 &&
	      (out.flags & LISCAL_SB_F_FAILED) && out.version == 2, "FAILED decoded");
	d.version = cpu_to_le32(1);
	d.checksum = 0;
	d.checksum = cpu_to_le32(clp_crc32c(&d, sizeof(d)));
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == LISCAL_META_E_FLAGS &&
	      strstr(err, "version 2"), "FAILED in a version 1 superblock refused");
	sb.flags |= LISCAL_SB_F_UPTODATE;
	liscal_meta_encode(&sb, &d);
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == LISCAL_META_E_FLAGS &&
	      strstr(err, "uptodate and failed"), "FAILED and UPTODATE refused");
	d.version = cpu_to_le32(4);
	d.checksum = 0;
	d.checksum = cpu_to_le32(clp_crc32c(&d, sizeof(d)));
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == LISCAL_META_E_VERSION &&
	      strstr(err, "1 to 3"), "version 4 refused, naming the known ones");
}

/*
 * The FENCED flag (the active went on without this copy): version 3, so
 * that a driver knowing only versions 1-2 refuses the copy; never with
 * UPTODATE.
 */
static void test_meta_fenced(void)
{
	struct liscal_meta_expect exp = { "md01", 0, 2 * GiB, 64 * MiB };
	struct liscal_sb sb, out;
	struct liscal_sb_disk d;
	char err[256];

	fresh(&sb, &d);
	sb.flags &= ~LISCAL_SB_F_UPTODATE;
	sb.flags |= LISCAL_SB_F_FENCED;
	liscal_meta_encode(&sb, &d);
	CHECK(le32_to_cpu(d.version) == 3, "FENCED is written as version 3");
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == 0 &&
	      (out.flags & LISCAL_SB_F_FENCED) && out.version == 3, "FENCED decoded");
	d.version = cpu_to_le32(2);
	d.checksum = 0;
	d.checksum = cpu_to_le32(clp_crc32c(&d, sizeof(d)));
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == LISCAL_META_E_FLAGS &&
	      strstr(err, "version 3"), "FENCED in a version 2 superblock refused");
	sb.flags |= LISCAL_SB_F_UPTODATE;
	liscal_meta_encode(&sb, &d);
	CHECK(liscal_meta_decode(&d, &out, &exp, err, sizeof(err)) == LISCAL_META_E_FLAGS &&
	      strstr(err, "uptodate and fenced"), "FENCED and UPTODATE refused");
}

static void test_bitmap(void)
{
	u64 bm[4] = { 0 }, f, l, s, n;
	u32 sh = 16;	/* 128 sectors per bit */

	CHECK(liscal_bm_range(0, 1, sh, 200, &f, &l) && f == 0 && l == 0, "one sector, bit 0");
	CHECK(liscal_bm_range(127, 2, sh, 200, &f, &l) && f == 0 && l == 1, "straddles bits 0-1");
	CHECK(liscal_bm_range(128, 128, sh, 200, &f, &l) && f == 1 && l == 1, "exactly bit 1");
	CHECK(!liscal_bm_range(0, 0, sh, 200, &f, &l), "zero length: no bits");
	CHECK(!liscal_bm_range(200 * 128, 1, sh, 200, &f, &l), "beyond end refused");
	CHECK(!liscal_bm_range(~0ULL - 1, 4, sh, 200, &f, &l), "wrapping range refused");
	liscal_bm_bit_sectors(1, sh, 200, &s, &n);
	CHECK(s == 128 && n == 72, "last partial bit clamped");
	liscal_bm_bit_sectors(5, sh, 200, &s, &n);
	CHECK(n == 0, "bit beyond data: empty");
	liscal_bm_set_range(bm, 60, 130);
	CHECK(liscal_bm_count(bm, 256) == 71, "set across words counts 71");
	CHECK(liscal_bm_test(bm, 60) && liscal_bm_test(bm, 130) && !liscal_bm_test(bm, 59) &&
	      !liscal_bm_test(bm, 131), "range edges");
	CHECK(liscal_bm_all_set(bm, 60, 130) && !liscal_bm_all_set(bm, 59, 130), "all_set");
	CHECK(liscal_bm_any_set(bm, 0, 60) && !liscal_bm_any_set(bm, 0, 59), "any_set");
	CHECK(liscal_bm_next_set(bm, 256, 0) == 60 && liscal_bm_next_set(bm, 256, 131) == 256,
	      "next_set");
	CHECK(liscal_bm_next_clear(bm, 256, 60) == 131, "next_clear");
	liscal_bm_clear_range(bm, 64, 127);
	CHECK(liscal_bm_count(bm, 256) == 7 && liscal_bm_next_set(bm, 256, 64) == 128,
	      "clear whole middle word");
	liscal_bm_set_range(bm, 0, 255);
	CHECK(liscal_bm_count(bm, 200) == 200, "count limited to nbits");
	liscal_bm_trim(bm, 200);
	CHECK(bm[3] == (1ULL << 8) - 1, "trim beyond nbits");
	CHECK(liscal_bm_next_clear(bm, 200, 0) == 200, "no clear bit: nbits");
	{
		__le64 disk[4];
		u64 back[4];

		liscal_bm_to_disk(disk, bm, 4);
		liscal_bm_from_disk(back, disk, 4);
		CHECK(memcmp(back, bm, sizeof(bm)) == 0 &&
		      ((u8 *)disk)[24] == 0xff && ((u8 *)disk)[25] == 0, "disk words little endian");
	}
}

/* The list from head to tail as "w w w", and checks it backwards too. */
static const char *hot_order(const struct liscal_hot *h)
{
	static char buf[128];
	u32 w, back = 0, fwd = 0;
	size_t n = 0;

	buf[0] = 0;
	for (w = h->head; w != LISCAL_HOT_NONE; w = h->link[w].next) {
		n += snprintf(buf + n, sizeof(buf) - n, "%s%u", n ? " " : "", w);
		fwd++;
	}
	for (w = h->tail; w != LISCAL_HOT_NONE; w = h->link[w].prev)
		back++;
	if (fwd != back || fwd != h->count)
		snprintf(buf, sizeof(buf), "broken: %u forward, %u back, count %u",
			 fwd, back, h->count);
	return buf;
}

/* The hot set's order: Arrange, Act, Assert, one step at a time. */
static void test_hot(void)
{
	u64 mask[8] = { 0 };
	struct liscal_hot_link link[8];
	struct liscal_hot h = { .mask = mask, .link = link };
	u32 w;

	memset(link, 0xff, sizeof(link));
	liscal_hot_init(&h);
	CHECK(h.count == 0 && !strcmp(hot_order(&h), ""), "hot: empty at first");
	for (w = 2; w <= 5; w++)
		liscal_hot_touch(&h, w, ~0ULL);
	CHECK(!strcmp(hot_order(&h), "5 4 3 2") && h.count == 4, "hot: most recent first");
	liscal_hot_touch(&h, 3, ~0ULL);
	CHECK(!strcmp(hot_order(&h), "3 5 4 2") && h.count == 4, "hot: a touched word moves to the front, counted once");
	liscal_hot_touch(&h, 3, 0xff);
	CHECK(!strcmp(hot_order(&h), "3 5 4 2") && mask[3] == 0xff, "hot: touching the front renews its mask");
	CHECK(liscal_hot_trim(&h, 4) == 0 && h.count == 4, "hot: nothing left at the limit");
	CHECK(liscal_hot_trim(&h, 2) == 2 && !strcmp(hot_order(&h), "3 5"),
	      "hot: the least recently touched leave first");
	CHECK(mask[2] == 0 && mask[4] == 0 && mask[3] && mask[5] == ~0ULL,
	      "hot: a word that left has no mask, the others keep theirs");
	CHECK(link[2].prev == LISCAL_HOT_NONE && link[2].next == LISCAL_HOT_NONE,
	      "hot: a word that left is unlinked");
	liscal_hot_touch(&h, 2, 1);
	CHECK(!strcmp(hot_order(&h), "2 3 5") && h.count == 3, "hot: a word that left can join again");
	liscal_hot_touch(&h, 5, ~0ULL);
	CHECK(!strcmp(hot_order(&h), "5 2 3") && h.tail == 3, "hot: the tail moved to the front, the tail follows");
	CHECK(liscal_hot_trim(&h, 0) == 3 && h.count == 0 && h.head == LISCAL_HOT_NONE &&
	      h.tail == LISCAL_HOT_NONE && !mask[2] && !mask[3] && !mask[5],
	      "hot: trimmed to nothing, empty again");
	liscal_hot_touch(&h, 7, ~0ULL);
	CHECK(!strcmp(hot_order(&h), "7") && h.head == 7 && h.tail == 7, "hot: one word is head and tail");
}

/* Flushes ahead: AHEAD on a write, FLUSHING on an ack, FLUSHED. */
static void test_wire_ahead(void)
{
	struct liscal_wire_hdr h = { LISCAL_P_DATA, LISCAL_WF_AHEAD, 4096, 4096, 7, 8 }, o;
	struct liscal_wire_hdr_disk d;
	char err[200];

	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0 &&
	      o.flags == LISCAL_WF_AHEAD, "ahead: a write asking for a flush ahead");
	h.flags = LISCAL_WF_AHEAD | LISCAL_WF_PREFLUSH;
	h.len = h.size = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "AHEAD"), "ahead: refused on an empty flush");
	h = (struct liscal_wire_hdr){ LISCAL_P_DATA_ACK, LISCAL_WF_FLUSHING, 0, 4096, 7, 8 };
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0 &&
	      o.flags == LISCAL_WF_FLUSHING, "ahead: an ack announcing a flush");
	h.flags = LISCAL_WF_FLUSHING | LISCAL_WF_ERROR;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "ERROR and FLUSHING"), "ahead: a failed write announces no flush");
	h = (struct liscal_wire_hdr){ LISCAL_P_FLUSHED, 0, 0, 0, 12, 0 };
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0 && o.seq == 12 &&
	      !strcmp(liscal_wire_type_name(o.type), "FLUSHED"), "ahead: FLUSHED covering 12 acks");
	h.flags = LISCAL_WF_ERROR;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0, "ahead: FLUSHED of a failed flush");
	h.flags = LISCAL_WF_FLUSHING;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "flags"), "ahead: FLUSHED with another flag refused");
	h.flags = 0;
	h.seq = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "covering 0 acks"), "ahead: FLUSHED covering nothing refused");
	h.seq = 3;
	h.size = 512;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO,
	      "ahead: FLUSHED with a size refused");
	h.size = 0;
	h.len = 8;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "length"), "ahead: FLUSHED with a payload refused");
}

static void test_wire(void)
{
	struct liscal_wire_hdr h = { LISCAL_P_DATA, LISCAL_WF_FUA, 4096, 4096, 7, 128 }, o;
	struct liscal_wire_hdr_disk d;
	struct liscal_wire_hello he = { 0 }, ho;
	struct liscal_wire_hello_disk hd;
	char err[200];

	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0 &&
	      o.type == h.type && o.flags == h.flags && o.len == h.len &&
	      o.size == h.size && o.seq == h.seq && o.sector == h.sector,
	      "DATA header round trip");
	CHECK(liscal_wire_check_io(&o, 2 * GiB, err, sizeof(err)) == 0, "DATA in range");
	o.sector = (2 * GiB >> 9) - 7;
	CHECK(liscal_wire_check_io(&o, 2 * GiB, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "beyond"), "DATA beyond the end");
	d.magic = 0;
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO && strstr(err, "magic"),
	      "bad magic");
	h.type = 99;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO && strstr(err, "type 99"),
	      "unknown type");
	h.type = LISCAL_P_DATA;
	h.len = 512;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO, "len != size");
	h.len = h.size = 100;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO, "unaligned size");
	h.len = h.size = 2 << 20;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO, "oversize DATA");
	h.len = h.size = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO, "empty DATA without flush");
	h.flags = LISCAL_WF_PREFLUSH;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0, "empty flush DATA ok");
	test_wire_ahead();
	h.type = LISCAL_P_PING;
	h.flags = LISCAL_WF_FUA;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO && strstr(err, "flags"),
	      "flag not allowed on PING");
	h.flags = 0;
	h.len = 4;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO && strstr(err, "length"),
	      "PING with payload");
	h.type = LISCAL_P_BITMAP;
	h.len = 8 + 8 * 513;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO, "BITMAP too long");

	he.proto = LISCAL_WIRE_PROTO;
	he.node_id = 1;
	strcpy(he.name, "md01");
	he.data_bytes = 2 * GiB;
	he.bm_shift = 16;
	he.sb_flags = LISCAL_SB_F_INITIALISED;
	he.gen_current = 5;
	he.role = 1;
	he.disk_state = 3;
	he.dirty_bits = 10;
	he.lbs = 4096;
	liscal_wire_encode_hello(&he, &hd);
	memset(&ho, 0, sizeof(ho));	/* memcmp below: the padding too */
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == 0 &&
	      memcmp(&he, &ho, sizeof(he)) == 0, "HELLO round trip");
	he.bm_shift = 17;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == -EPROTO, "HELLO wrong shift");
	he.bm_shift = 16;
	he.dirty_bits = 1 << 20;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == -EPROTO, "HELLO dirty > bits");
	he.dirty_bits = 0;
	he.proto = LISCAL_WIRE_PROTO - 1;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "protocol 6"), "HELLO of the previous protocol version refused");
	he.proto = LISCAL_WIRE_PROTO;
	he.disk_state = 4;
	he.sb_flags |= LISCAL_SB_F_FAILED;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == 0 &&
	      (ho.sb_flags & LISCAL_SB_F_FAILED) && ho.disk_state == 4, "HELLO of a failed copy");

	/* STATE: an activation request, or an answer (ERROR: refused). */
	h.type = LISCAL_P_STATE;
	h.len = sizeof(struct liscal_wire_state_disk);
	h.size = 0;
	h.flags = LISCAL_WF_ACT_REQ;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0 &&
	      o.flags == LISCAL_WF_ACT_REQ, "STATE ACT_REQ");
	h.flags = LISCAL_WF_ACT_REPLY | LISCAL_WF_ERROR;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0, "STATE ACT_REPLY with ERROR");
	h.flags = LISCAL_WF_ACT_REQ | LISCAL_WF_ACT_REPLY;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO,
	      "STATE both request and answer refused");
	h.flags = LISCAL_WF_ERROR;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO,
	      "STATE ERROR without an answer refused");
	h.flags = LISCAL_WF_FORCE;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO,
	      "STATE with FORCE refused");
	he.lbs = 1024 + 512;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "logical block size 1536"), "HELLO logical block size not a power of two");
	he.lbs = 256;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "logical block size 256"), "HELLO logical block size below 512");
	he.lbs = 512;
	he.proto = LISCAL_WIRE_PROTO + 1;
	liscal_wire_encode_hello(&he, &hd);
	CHECK(liscal_wire_decode_hello(&hd, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "protocol 8"), "HELLO protocol version");
	h.type = LISCAL_P_HELLO;
	h.flags = 0;
	h.len = LISCAL_WIRE_HELLO_OLD_LEN;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "HELLO of protocol 1 or 2") && strstr(err, "speaks protocol 7"),
	      "HELLO of protocols 1 and 2 (no block size) refused by name");
	h.len = sizeof(hd);
	liscal_wire_encode_hdr(&h, &d);
	CHECK(sizeof(hd) == 112 && liscal_wire_decode_hdr(&d, &o, err, sizeof(err)) == 0,
	      "HELLO of protocol 3: 112 bytes");
	test_auth();
	CHECK(strcmp(liscal_wire_type_name(LISCAL_P_RS_ACK), "RS_ACK") == 0 &&
	      strcmp(liscal_wire_type_name(0), "UNKNOWN") == 0, "type names");
}

static void view(struct liscal_gen_view *v, u32 node, u32 flags, u64 cur,
		 u64 bm, u64 h0, u64 dirty)
{
	memset(v, 0, sizeof(*v));
	v->node_id = node;
	v->flags = flags | LISCAL_SB_F_INITIALISED;
	v->gen_current = cur;
	v->gen_bitmap = bm;
	v->gen_history[0] = h0;
	v->dirty_bits = dirty;
}

/* decide(a, b) must name the mirror image of decide(b, a). */
static bool symmetric(const struct liscal_gen_view *a, const struct liscal_gen_view *b)
{
	enum liscal_decision x = liscal_gen_decide(a, b), y = liscal_gen_decide(b, a);

	switch (x) {
	case LISCAL_DEC_L_SRC: return y == LISCAL_DEC_P_SRC;
	case LISCAL_DEC_L_SRC_FULL: return y == LISCAL_DEC_P_SRC_FULL;
	case LISCAL_DEC_P_SRC: return y == LISCAL_DEC_L_SRC;
	case LISCAL_DEC_P_SRC_FULL: return y == LISCAL_DEC_L_SRC_FULL;
	default: return x == y;
	}
}

static void test_decide(void)
{
	struct liscal_gen_view a, b;
	const u32 U = LISCAL_SB_F_UPTODATE, I = LISCAL_SB_F_INCONSISTENT,
		  F = LISCAL_SB_F_FORCED, A = LISCAL_SB_F_WAS_ACTIVE,
		  FS = LISCAL_SB_F_FULL_SYNC;

	view(&a, 0, U, 10, 0, 0, 0);
	view(&b, 1, U, 10, 0, 0, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_IN_SYNC, "same gen, clean: in sync");
	view(&a, 0, U | A, 10, 0, 0, 5);
	view(&b, 1, 0, 10, 0, 0, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_L_SRC && symmetric(&a, &b),
	      "crashed active with intent bits is the source");
	view(&a, 0, U, 10, 0, 0, 3);
	view(&b, 1, U, 10, 0, 0, 2);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_L_SRC && symmetric(&a, &b),
	      "same gen, bits on both, no active: lower node id");
	view(&a, 0, U, 20, 10, 0, 7);	/* went on after a break */
	view(&b, 1, 0, 10, 0, 0, 0);	/* outdated standby */
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_L_SRC && symmetric(&a, &b),
	      "bitmap gen = peer current: differential from local");
	view(&a, 0, U | A, 10, 0, 0, 4);	/* crashed active, comes back */
	view(&b, 1, U, 30, 10, 10, 9);		/* survivor activated */
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_P_SRC && symmetric(&a, &b),
	      "survivor that took over is the source");
	view(&a, 0, U, 20, 10, 10, 4);
	view(&b, 1, U, 30, 10, 10, 9);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_SPLIT_BRAIN && symmetric(&a, &b),
	      "both went on from the same point: split brain");
	view(&a, 0, U | F, 40, 10, 20, 4);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_L_SRC && symmetric(&a, &b),
	      "forced copy wins, differential from the common point");
	view(&b, 1, U | F, 30, 10, 10, 9);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_SPLIT_BRAIN, "both forced: split brain");
	view(&a, 0, I | FS, 1, 0, 0, 0);
	view(&b, 1, I | FS, 2, 0, 0, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_NO_DATA && symmetric(&a, &b),
	      "two fresh copies: no data, wait for force");
	view(&a, 0, U | F, 5, 1, 1, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_L_SRC_FULL && symmetric(&a, &b),
	      "initial construction: forced source, full copy");
	view(&a, 0, I, 10, 0, 0, 0);	/* interrupted target */
	view(&b, 1, U, 20, 10, 10, 50);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_P_SRC && symmetric(&a, &b),
	      "interrupted recovery resumes differential");
	view(&a, 0, I, 77, 0, 0, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_P_SRC_FULL,
	      "inconsistent with unrelated gen: full copy");
	view(&a, 0, U, 10, 0, 5, 0);
	view(&b, 1, U, 30, 0, 10, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_P_SRC_FULL && symmetric(&a, &b),
	      "peer newer by history only: full copy");
	view(&a, 0, U, 11, 0, 0, 0);
	view(&b, 1, U, 12, 0, 0, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_SPLIT_BRAIN, "unrelated data: split brain");
	/* Histories no two copies can have (corrupt or lying peer): each
	 * side alone would take the source's part (found by fuzzing). */
	view(&a, 0, U | A, 9, 7, 7, 0);
	view(&b, 1, 0, 7, 9, 0, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_SPLIT_BRAIN && symmetric(&a, &b),
	      "each went on from the other's current: split brain");
	view(&a, 0, U, 9, 0, 7, 0);
	view(&b, 1, U, 7, 0, 9, 0);
	CHECK(liscal_gen_decide(&a, &b) == LISCAL_DEC_SPLIT_BRAIN && symmetric(&a, &b),
	      "each in the other's history: split brain");
	CHECK(strcmp(liscal_decision_name(LISCAL_DEC_SPLIT_BRAIN), "split brain") == 0, "names");
}

/* Protocol 4: AUTH challenge/proof, the MAC input, the record header. */
static void test_auth(void)
{
	struct liscal_wire_auth a = { .proto = LISCAL_WIRE_PROTO, .mode = LISCAL_AUTH_CRYPT };
	struct liscal_wire_auth_disk ad;
	struct liscal_wire_auth o;
	struct liscal_wire_hdr_disk d;
	struct liscal_wire_hdr h = { .type = LISCAL_P_AUTH, .len = sizeof(ad) }, ho;
	u8 n0[LISCAL_WIRE_NONCE_LEN], n1[LISCAL_WIRE_NONCE_LEN];
	u8 msg[LISCAL_WIRE_AUTH_MSG_LEN], rec[LISCAL_WIRE_REC_HDR];
	char err[128];
	u32 len;

	CHECK(sizeof(ad) == 72, "AUTH payload is 72 bytes");
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0, "AUTH challenge header");
	h.flags = LISCAL_WF_PROOF;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0, "AUTH proof header");
	h.len = 71;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO, "AUTH short refused");
	h.type = LISCAL_P_DATA;
	h.len = 512;
	h.size = 512;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "PROOF flag on DATA refused");
	memset(a.nonce, 7, sizeof(a.nonce));
	memset(a.mac, 0, sizeof(a.mac));
	liscal_wire_encode_auth(&a, &ad);
	CHECK(liscal_wire_decode_auth(&ad, &o, false, err, sizeof(err)) == 0 &&
	      o.mode == LISCAL_AUTH_CRYPT && o.nonce[31] == 7, "AUTH challenge round trip");
	CHECK(liscal_wire_decode_auth(&ad, &o, true, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "proof with a nonce"), "AUTH proof with a nonce refused");
	a.mac[0] = 1;
	liscal_wire_encode_auth(&a, &ad);
	CHECK(liscal_wire_decode_auth(&ad, &o, false, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "challenge with a MAC"), "AUTH challenge with a MAC refused");
	memset(a.nonce, 0, sizeof(a.nonce));
	liscal_wire_encode_auth(&a, &ad);
	CHECK(liscal_wire_decode_auth(&ad, &o, true, err, sizeof(err)) == 0 && o.mac[0] == 1,
	      "AUTH proof round trip");
	a.mode = LISCAL_AUTH_NONE;
	liscal_wire_encode_auth(&a, &ad);
	CHECK(liscal_wire_decode_auth(&ad, &o, true, err, sizeof(err)) == -EPROTO,
	      "AUTH proof without a key refused");
	a.mode = 3;
	liscal_wire_encode_auth(&a, &ad);
	CHECK(liscal_wire_decode_auth(&ad, &o, true, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "unknown mode 3"), "AUTH unknown mode refused");
	a.mode = LISCAL_AUTH_KEY;
	a.proto = 3;
	liscal_wire_encode_auth(&a, &ad);
	CHECK(liscal_wire_decode_auth(&ad, &o, true, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "protocol 3"), "AUTH of another protocol refused");

	memset(n0, 0xa0, sizeof(n0));
	memset(n1, 0xb1, sizeof(n1));
	liscal_wire_auth_msg(msg, "liscal auth", 1, LISCAL_AUTH_KEY, n0, n1);
	CHECK(!memcmp(msg, "liscal auth\0\0\0\0\0", 16) && msg[19] == 1 && msg[23] == 1 &&
	      msg[24] == 0xa0 && msg[24 + 32] == 0xb1 && msg[sizeof(msg) - 1] == 0xb1,
	      "MAC input: label, node, mode, node 0's nonce, node 1's");
	liscal_wire_auth_msg(msg, "a label longer than sixteen", 0, 0, n0, n1);
	CHECK(!memcmp(msg, "a label longer t", 16) && msg[16] == 0, "MAC input: label cut at 16");

	liscal_wire_encode_rec(100, rec);
	CHECK(liscal_wire_decode_rec(rec, &len, err, sizeof(err)) == 0 && len == 100,
	      "record header round trip");
	liscal_wire_encode_rec(LISCAL_WIRE_TAG_LEN, rec);
	CHECK(liscal_wire_decode_rec(rec, &len, err, sizeof(err)) == -EPROTO,
	      "empty record refused");
	liscal_wire_encode_rec(LISCAL_WIRE_REC_MAX + LISCAL_WIRE_TAG_LEN + 1, rec);
	CHECK(liscal_wire_decode_rec(rec, &len, err, sizeof(err)) == -EPROTO,
	      "record beyond the buffer refused");
	liscal_wire_encode_rec(LISCAL_WIRE_REC_MAX + LISCAL_WIRE_TAG_LEN, rec);
	CHECK(liscal_wire_decode_rec(rec, &len, err, sizeof(err)) == 0 &&
	      LISCAL_WIRE_REC_HDR + len == 65536, "largest record fills 64 KiB");
	rec[0] = 'X';
	CHECK(liscal_wire_decode_rec(rec, &len, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "does not encrypt"), "record magic");

	/* COMP: a compressed payload is shorter than the I/O, never empty */
	h.type = LISCAL_P_RS_DATA;
	h.flags = LISCAL_WF_COMP;
	h.size = 1 << 20;
	h.len = 4000;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0 && ho.len == 4000 &&
	      ho.size == 1 << 20, "compressed RS_DATA");
	h.len = h.size;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "(compressed)"), "compressed RS_DATA not shorter refused");
	h.len = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "compressed RS_DATA of 0 bytes refused");
	h.flags = 0;
	h.len = 4000;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "RS_DATA shorter than its size without COMP refused");
	h.type = LISCAL_P_DATA;
	h.flags = LISCAL_WF_COMP | LISCAL_WF_FUA;
	h.size = 65536;
	h.len = 100;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0, "compressed DATA");
	h.type = LISCAL_P_RS_ACK;
	h.flags = LISCAL_WF_COMP;
	h.len = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO, "COMP on RS_ACK refused");
}

/* Online growth: the new superblock geometry and the refusals. */
static void test_meta_grow(void)
{
	struct liscal_sb sb, before;
	struct liscal_sb_disk d;
	char err[256];

	fresh(&sb, &d);
	before = sb;
	CHECK(liscal_meta_grow(&sb, 2 * GiB, 64 * MiB, err, sizeof(err)) ==
	      LISCAL_META_E_SIZE && strstr(err, "not larger than the current") &&
	      !memcmp(&sb, &before, sizeof(sb)), "grow: same size refused, sb unchanged");
	CHECK(liscal_meta_grow(&sb, GiB, 64 * MiB, err, sizeof(err)) ==
	      LISCAL_META_E_SIZE && !memcmp(&sb, &before, sizeof(sb)),
	      "grow: smaller size refused, sb unchanged");
	CHECK(liscal_meta_grow(&sb, 3 * GiB + 512, 64 * MiB, err, sizeof(err)) ==
	      LISCAL_META_E_LAYOUT && strstr(err, "not a multiple of 4096") &&
	      !memcmp(&sb, &before, sizeof(sb)), "grow: unaligned size refused");
	CHECK(liscal_meta_grow(&sb, 4096ULL * GiB, 2 * MiB, err, sizeof(err)) ==
	      LISCAL_META_E_TOO_SMALL && strstr(err, "cannot hold the bitmap") &&
	      !memcmp(&sb, &before, sizeof(sb)),
	      "grow: bitmap larger than the cluster partition refused");
	CHECK(liscal_meta_grow(&sb, 3 * GiB, 64 * MiB, err, sizeof(err)) == 0 &&
	      sb.data_bytes == 3 * GiB && sb.bm_shift == 16 &&
	      sb.bm_bits == 49152 && sb.bm_bytes == 8192 &&
	      sb.gen_current == before.gen_current, "grow: 2 GiB to 3 GiB");
	/* the grown superblock reads back as a valid one of the new size */
	liscal_meta_encode(&sb, &d);
	struct liscal_meta_expect exp = { .name = "md01", .node_id = 0,
					  .data_bytes = 3 * GiB, .cp_bytes = 64 * MiB };
	CHECK(liscal_meta_decode(&d, &before, &exp, err, sizeof(err)) == 0,
	      "grow: the grown superblock decodes at the new size");
	CHECK(liscal_meta_grow(&sb, 4096ULL * GiB, 64 * MiB, err, sizeof(err)) == 0 &&
	      sb.bm_shift == 17, "grow: past 2 TiB the granularity doubles");
}

/* Protocol 5: GROW requests and answers. */
static void test_grow_wire(void)
{
	struct liscal_wire_hdr h = { .type = LISCAL_P_GROW, .sector = 2097152 }, ho;
	struct liscal_wire_hdr_disk d;
	char err[128];

	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0 &&
	      ho.sector == 2097152 && !ho.flags, "GROW request");
	h.flags = LISCAL_WF_REPLY;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0, "GROW grant");
	h.flags = LISCAL_WF_REPLY | LISCAL_WF_ERROR;
	h.size = LISCAL_GROW_NOT_PREPARED;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == 0 &&
	      ho.size == LISCAL_GROW_NOT_PREPARED, "GROW refusal with its reason");
	h.size = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "GROW packet"), "GROW refusal without a reason refused");
	h.size = __LISCAL_GROW_MAX;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "GROW refusal with an unknown reason refused");
	h.flags = LISCAL_WF_ERROR;
	h.size = LISCAL_GROW_BUSY;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "GROW request with ERROR refused");
	h.flags = 0;
	h.size = 1;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "GROW request with a reason refused");
	h.size = 0;
	h.sector = 2097153;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "GROW to a size not a multiple of 4 KiB refused");
	h.sector = 0;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "GROW to 0 refused");
	h.sector = 8;
	h.len = 8;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO &&
	      strstr(err, "length 8"), "GROW with a payload refused");
	h.len = 0;
	h.flags = LISCAL_WF_FUA;
	liscal_wire_encode_hdr(&h, &d);
	CHECK(liscal_wire_decode_hdr(&d, &ho, err, sizeof(err)) == -EPROTO,
	      "GROW with a DATA flag refused");
	CHECK(strcmp(liscal_wire_type_name(LISCAL_P_GROW), "GROW") == 0, "GROW named");
}

int main(void)
{
	test_crc();
	test_golden();
	test_layout();
	test_meta_roundtrip();
	test_meta_fresh();
	test_meta_grow();
	test_meta_corrupt();
	test_meta_failed();
	test_meta_fenced();
	test_bitmap();
	test_hot();
	test_wire();
	test_grow_wire();
	test_decide();
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
