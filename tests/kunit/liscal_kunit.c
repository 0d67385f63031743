// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_kunit.c - KUnit tests of the code liscal shares with userland
 * (on-disk superblock, bitmap math, wire headers, handshake decision), run
 * in the kernel it is built for. The same sources are unit-tested and
 * fuzzed on the host (tests/host/unit/test_liscal.c); the golden values
 * below are what the host build computes, so a difference between the
 * kernel's and userland's CRC32C, byte order or layout fails here.
 *
 * The shared files are compiled into this module, not linked from
 * liscal.ko, so the suite loads without the driver.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "liscal_meta.c"
#include "liscal_bitmap.c"
#include "liscal_wire.c"

#define GIB ((u64)SZ_1G)
#define MIB ((u64)SZ_1M)

/* Computed by the host build (tests/host/unit/test_liscal.c, "golden"). */
#define GOLDEN_SB_CHECKSUM	0x5bcbc24eU	/* fresh md01 superblock */
#define GOLDEN_HDR_CRC		0x4db4296bU	/* DATA header bytes */

static const u8 kt_uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
				 9, 10, 11, 12, 13, 14, 15, 16 };

/* The superblock the host's tests start from: md01, node 0, 2 GiB. */
static struct liscal_sb_disk *kt_fresh(struct kunit *test,
				       struct liscal_sb *sb)
{
	struct liscal_sb_disk *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_EQ(test, liscal_meta_init(sb, "md01", 0, 2 * GIB,
					       64 * MIB, kt_uuid, 0x1234,
					       1000, true), 0);
	liscal_meta_encode(sb, d);
	return d;
}

static void liscal_crc32c_check_value(struct kunit *test)
{
	/* Arrange */
	static const char digits[] = "123456789";

	/* Act, Assert: the standard CRC32C check value, as on the host */
	KUNIT_EXPECT_EQ(test, clp_crc32c(digits, 9), 0xE3069283U);
}

static void liscal_sb_golden_checksum(struct kunit *test)
{
	/* Arrange */
	struct liscal_sb sb;
	struct liscal_sb_disk *d;

	/* Act */
	d = kt_fresh(test, &sb);

	/* Assert: byte for byte what userland writes */
	KUNIT_EXPECT_EQ(test, le32_to_cpu(d->checksum), GOLDEN_SB_CHECKSUM);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(d->magic), LISCAL_SB_MAGIC);
	KUNIT_EXPECT_EQ(test, offsetof(struct liscal_sb_disk, seq), (size_t)160);
}

static void liscal_sb_round_trip(struct kunit *test)
{
	/* Arrange */
	struct liscal_meta_expect exp = { "md01", 0, 2 * GIB, 64 * MIB };
	struct liscal_sb sb, out;
	struct liscal_sb_disk *d = kt_fresh(test, &sb);
	char err[128];
	int ret;

	sb.gen_bitmap = 77;
	sb.gen_history[0] = 5;
	sb.break_time = 99;
	liscal_meta_encode(&sb, d);

	/* Act */
	ret = liscal_meta_decode(d, &out, &exp, err, sizeof(err));

	/* Assert */
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, memcmp(&sb, &out, sizeof(sb)), 0);
}

static void liscal_sb_corruption_refused(struct kunit *test)
{
	/* Arrange */
	struct liscal_meta_expect exp = { "md01", 0, 2 * GIB, 64 * MIB };
	struct liscal_sb sb, out;
	struct liscal_sb_disk *d = kt_fresh(test, &sb);
	char err[128];

	/* Act: one bit flipped in the middle of the superblock */
	((u8 *)d)[100] ^= 1;

	/* Assert: refused as corrupt, with a message */
	KUNIT_EXPECT_EQ(test, liscal_meta_decode(d, &out, &exp, err,
						 sizeof(err)),
			LISCAL_META_E_CSUM);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "checksum"));

	/* Act: intact again, but expected by the other node */
	((u8 *)d)[100] ^= 1;
	exp.node_id = 1;

	/* Assert */
	KUNIT_EXPECT_EQ(test, liscal_meta_decode(d, &out, &exp, err,
						 sizeof(err)),
			LISCAL_META_E_NODE);
}

static void liscal_bitmap_ranges(struct kunit *test)
{
	/* Arrange: 64 KiB per bit (128 sectors), 200 bits */
	u64 bm[4] = { 0 }, f = 0, l = 0;
	const u32 sh = 16;

	/* Act, Assert: sector ranges to bits */
	KUNIT_EXPECT_TRUE(test, liscal_bm_range(127, 2, sh, 200, &f, &l));
	KUNIT_EXPECT_EQ(test, f, 0ULL);
	KUNIT_EXPECT_EQ(test, l, 1ULL);
	KUNIT_EXPECT_FALSE(test, liscal_bm_range(200 * 128, 1, sh, 200, &f, &l));
	KUNIT_EXPECT_FALSE(test, liscal_bm_range(~0ULL - 1, 4, sh, 200, &f, &l));

	/* Act: a range across words */
	liscal_bm_set_range(bm, 60, 130);

	/* Assert */
	KUNIT_EXPECT_EQ(test, liscal_bm_count(bm, 256), 71ULL);
	KUNIT_EXPECT_EQ(test, liscal_bm_next_set(bm, 256, 0), 60ULL);
	KUNIT_EXPECT_EQ(test, liscal_bm_next_clear(bm, 256, 60), 131ULL);
	KUNIT_EXPECT_TRUE(test, liscal_bm_all_set(bm, 60, 130));
	KUNIT_EXPECT_FALSE(test, liscal_bm_any_set(bm, 0, 59));

	/* Act: clear a whole middle word, then trim beyond nbits */
	liscal_bm_clear_range(bm, 64, 127);
	KUNIT_EXPECT_EQ(test, liscal_bm_count(bm, 256), 7ULL);
	liscal_bm_set_range(bm, 0, 255);
	liscal_bm_trim(bm, 200);

	/* Assert */
	KUNIT_EXPECT_EQ(test, bm[3], (1ULL << 8) - 1);
}

static void liscal_bitmap_disk_order(struct kunit *test)
{
	/* Arrange */
	u64 bm[2] = { 0xffULL, 1ULL << 63 }, back[2];
	__le64 disk[2];

	/* Act */
	liscal_bm_to_disk(disk, bm, 2);
	liscal_bm_from_disk(back, disk, 2);

	/* Assert: little-endian words on disk, same words back */
	KUNIT_EXPECT_EQ(test, ((u8 *)disk)[0], (u8)0xff);
	KUNIT_EXPECT_EQ(test, ((u8 *)disk)[1], (u8)0);
	KUNIT_EXPECT_EQ(test, ((u8 *)disk)[15], (u8)0x80);
	KUNIT_EXPECT_EQ(test, memcmp(back, bm, sizeof(bm)), 0);
}

static void liscal_wire_header_golden(struct kunit *test)
{
	/* Arrange */
	struct liscal_wire_hdr h = { LISCAL_P_DATA, LISCAL_WF_FUA, 4096, 4096,
				     7, 128 }, o;
	struct liscal_wire_hdr_disk d;
	char err[128];

	/* Act */
	liscal_wire_encode_hdr(&h, &d);

	/* Assert: the bytes userland encodes, and back */
	KUNIT_EXPECT_EQ(test, clp_crc32c(&d, sizeof(d)), GOLDEN_HDR_CRC);
	KUNIT_ASSERT_EQ(test, liscal_wire_decode_hdr(&d, &o, err, sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, o.seq, 7ULL);
	KUNIT_EXPECT_EQ(test, o.sector, 128ULL);
	KUNIT_EXPECT_EQ(test, liscal_wire_check_io(&o, 2 * GIB, err,
						   sizeof(err)), 0);
}

static void liscal_wire_bad_packets_refused(struct kunit *test)
{
	/* Arrange */
	struct liscal_wire_hdr h = { LISCAL_P_DATA, 0, 4096, 4096, 1, 0 }, o;
	struct liscal_wire_hdr_disk d;
	char err[128];

	/* Act, Assert: past the end of the data partition */
	liscal_wire_encode_hdr(&h, &d);
	KUNIT_ASSERT_EQ(test, liscal_wire_decode_hdr(&d, &o, err, sizeof(err)), 0);
	o.sector = (2 * GIB >> 9) - 7;
	KUNIT_EXPECT_EQ(test, liscal_wire_check_io(&o, 2 * GIB, err,
						   sizeof(err)), -EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "beyond"));

	/* Act, Assert: unknown packet type */
	h.type = 99;
	liscal_wire_encode_hdr(&h, &d);
	KUNIT_EXPECT_EQ(test, liscal_wire_decode_hdr(&d, &o, err, sizeof(err)),
			-EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(err, "type 99"));

	/* Act, Assert: a RS_DATA over 4 MiB */
	h.type = LISCAL_P_RS_DATA;
	h.len = LISCAL_WIRE_MAX_RS + 512;
	h.size = h.len;
	liscal_wire_encode_hdr(&h, &d);
	KUNIT_EXPECT_EQ(test, liscal_wire_decode_hdr(&d, &o, err, sizeof(err)),
			-EPROTO);
}

static void kt_view(struct liscal_gen_view *v, u32 node, u32 flags, u64 cur,
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

static void liscal_decide_both_sides_agree(struct kunit *test)
{
	/* Arrange: the active went on after a break; the standby stopped */
	struct liscal_gen_view a, b;

	kt_view(&a, 0, LISCAL_SB_F_UPTODATE, 20, 10, 0, 7);
	kt_view(&b, 1, 0, 10, 0, 0, 0);

	/* Act, Assert: each side names the same source */
	KUNIT_EXPECT_EQ(test, liscal_gen_decide(&a, &b), LISCAL_DEC_L_SRC);
	KUNIT_EXPECT_EQ(test, liscal_gen_decide(&b, &a), LISCAL_DEC_P_SRC);

	/* Arrange: both went on from the same point */
	kt_view(&a, 0, LISCAL_SB_F_UPTODATE, 20, 10, 10, 4);
	kt_view(&b, 1, LISCAL_SB_F_UPTODATE, 30, 10, 10, 9);

	/* Act, Assert: split brain on both sides, nothing copied */
	KUNIT_EXPECT_EQ(test, liscal_gen_decide(&a, &b), LISCAL_DEC_SPLIT_BRAIN);
	KUNIT_EXPECT_EQ(test, liscal_gen_decide(&b, &a), LISCAL_DEC_SPLIT_BRAIN);
}

static struct kunit_case liscal_shared_cases[] = {
	KUNIT_CASE(liscal_crc32c_check_value),
	KUNIT_CASE(liscal_sb_golden_checksum),
	KUNIT_CASE(liscal_sb_round_trip),
	KUNIT_CASE(liscal_sb_corruption_refused),
	KUNIT_CASE(liscal_bitmap_ranges),
	KUNIT_CASE(liscal_bitmap_disk_order),
	KUNIT_CASE(liscal_wire_header_golden),
	KUNIT_CASE(liscal_wire_bad_packets_refused),
	KUNIT_CASE(liscal_decide_both_sides_agree),
	{}
};

static struct kunit_suite liscal_shared_suite = {
	.name = "liscal-shared",
	.test_cases = liscal_shared_cases,
};

kunit_test_suite(liscal_shared_suite);

MODULE_DESCRIPTION("KUnit tests of the code liscal shares with userland");
MODULE_LICENSE("GPL");
