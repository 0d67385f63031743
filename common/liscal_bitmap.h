/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liscal_bitmap.h - dirty bitmap arithmetic, shared by the kernel module
 * and userland. A bitmap is an array of u64 words in CPU order in memory
 * and of little-endian u64 words on disk (liscal_meta.h). Bit b covers data
 * sectors [b << (shift - 9), (b + 1) << (shift - 9)), the last bit possibly
 * only partly. No locking here: callers serialise.
 */
#ifndef _LISCAL_BITMAP_H
#define _LISCAL_BITMAP_H

#include "clp_compat.h"

#define LISCAL_BM_WORDS(bits)	(((bits) + 63) / 64)

/* Bits [*first, *last] covering sectors [sector, sector + nsect). Returns
 * false (and sets nothing) when nsect is 0 or the range is outside the
 * @nbits-bit bitmap.
 */
bool liscal_bm_range(u64 sector, u64 nsect, u32 shift, u64 nbits,
		     u64 *first, u64 *last);

/* First sector and sector count of bit @bit, clamped to @data_sectors. */
void liscal_bm_bit_sectors(u64 bit, u32 shift, u64 data_sectors,
			   u64 *sector, u64 *nsect);

bool liscal_bm_test(const u64 *bm, u64 bit);
void liscal_bm_set_range(u64 *bm, u64 first, u64 last);
void liscal_bm_clear_range(u64 *bm, u64 first, u64 last);
/* True if every bit in [first, last] is set / any bit is set. */
bool liscal_bm_all_set(const u64 *bm, u64 first, u64 last);
bool liscal_bm_any_set(const u64 *bm, u64 first, u64 last);
/* Bits set in the first @nbits bits. */
u64 liscal_bm_count(const u64 *bm, u64 nbits);
/* Index of the first set bit >= @from, or @nbits if none. */
u64 liscal_bm_next_set(const u64 *bm, u64 nbits, u64 from);
/* Index of the first clear bit >= @from, or @nbits if none. */
u64 liscal_bm_next_clear(const u64 *bm, u64 nbits, u64 from);
/* Set every bit beyond @nbits in the last word to zero. */
void liscal_bm_trim(u64 *bm, u64 nbits);

/*
 * The hot set's order (kernel/liscal/liscal_bm.c, Documentation/liscal.md
 * "Hot set"): bitmap words (extents of 64 bits) in the set, the most
 * recently touched first, as a doubly linked list by word index.
 * mask[w] is the word's mask while w is in the set, else 0. The caller
 * owns the arrays: mask zeroed and every link LISCAL_HOT_NONE (all bytes
 * 0xff) before liscal_hot_init(); it serialises.
 */
#define LISCAL_HOT_NONE		0xffffffffU

struct liscal_hot_link {
	u32 prev, next;
};

struct liscal_hot {
	u64 *mask;
	struct liscal_hot_link *link;
	u32 head, tail, count;
};

void liscal_hot_init(struct liscal_hot *h);
/* Word @w joins the set, or moves to its front, with @mask (not 0). */
void liscal_hot_touch(struct liscal_hot *h, u32 w, u64 mask);
/*
 * Drops the least recently touched words until at most @max are left
 * (their masks 0); returns how many left.
 */
u32 liscal_hot_trim(struct liscal_hot *h, u32 max);

/* Words <-> disk: @n words. */
void liscal_bm_to_disk(__le64 *out, const u64 *in, size_t n);
void liscal_bm_from_disk(u64 *out, const __le64 *in, size_t n);

#endif /* _LISCAL_BITMAP_H */
