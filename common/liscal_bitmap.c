// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_bitmap.c - dirty bitmap arithmetic (see liscal_bitmap.h).
 * Compiled into the kernel module and into userland.
 */
#include "liscal_bitmap.h"

bool liscal_bm_range(u64 sector, u64 nsect, u32 shift, u64 nbits,
		     u64 *first, u64 *last)
{
	u32 s = shift - 9;
	u64 end;

	if (!nsect || shift < 9 || shift > 63)
		return false;
	end = sector + nsect - 1;
	if (end < sector)	/* wrapped */
		return false;
	if ((sector >> s) >= nbits || (end >> s) >= nbits)
		return false;
	*first = sector >> s;
	*last = end >> s;
	return true;
}

void liscal_bm_bit_sectors(u64 bit, u32 shift, u64 data_sectors,
			   u64 *sector, u64 *nsect)
{
	u32 s = shift - 9;
	u64 start = bit << s;
	u64 len = 1ULL << s;

	if (start >= data_sectors) {
		*sector = data_sectors;
		*nsect = 0;
		return;
	}
	if (len > data_sectors - start)
		len = data_sectors - start;
	*sector = start;
	*nsect = len;
}

static inline u64 liscal_bm_mask(u64 from, u64 to)	/* bits from..to of one word */
{
	u64 hi = (to % 64 == 63) ? ~0ULL : ((1ULL << (to % 64 + 1)) - 1);

	return hi & ~((1ULL << (from % 64)) - 1);
}

bool liscal_bm_test(const u64 *bm, u64 bit)
{
	return (bm[bit / 64] >> (bit % 64)) & 1;
}

void liscal_bm_set_range(u64 *bm, u64 first, u64 last)
{
	u64 w;

	for (w = first / 64; w <= last / 64; w++) {
		u64 from = w == first / 64 ? first : w * 64;
		u64 to = w == last / 64 ? last : w * 64 + 63;

		bm[w] |= liscal_bm_mask(from, to);
	}
}

void liscal_bm_clear_range(u64 *bm, u64 first, u64 last)
{
	u64 w;

	for (w = first / 64; w <= last / 64; w++) {
		u64 from = w == first / 64 ? first : w * 64;
		u64 to = w == last / 64 ? last : w * 64 + 63;

		bm[w] &= ~liscal_bm_mask(from, to);
	}
}

bool liscal_bm_all_set(const u64 *bm, u64 first, u64 last)
{
	u64 w;

	for (w = first / 64; w <= last / 64; w++) {
		u64 from = w == first / 64 ? first : w * 64;
		u64 to = w == last / 64 ? last : w * 64 + 63;
		u64 m = liscal_bm_mask(from, to);

		if ((bm[w] & m) != m)
			return false;
	}
	return true;
}

bool liscal_bm_any_set(const u64 *bm, u64 first, u64 last)
{
	u64 w;

	for (w = first / 64; w <= last / 64; w++) {
		u64 from = w == first / 64 ? first : w * 64;
		u64 to = w == last / 64 ? last : w * 64 + 63;

		if (bm[w] & liscal_bm_mask(from, to))
			return true;
	}
	return false;
}

static unsigned int liscal_popcount64(u64 x)
{
	unsigned int n = 0;

	while (x) {
		x &= x - 1;
		n++;
	}
	return n;
}

u64 liscal_bm_count(const u64 *bm, u64 nbits)
{
	u64 n = 0, w;

	for (w = 0; w < nbits / 64; w++)
		n += liscal_popcount64(bm[w]);
	if (nbits % 64)
		n += liscal_popcount64(bm[w] & liscal_bm_mask(0, nbits % 64 - 1));
	return n;
}

static u64 liscal_bm_next(const u64 *bm, u64 nbits, u64 from, u64 invert)
{
	u64 w, word;

	if (from >= nbits)
		return nbits;
	w = from / 64;
	word = (bm[w] ^ invert) & ~((1ULL << (from % 64)) - 1);
	for (;;) {
		if (word) {
			u64 bit = w * 64;

			while (!(word & 1)) {
				word >>= 1;
				bit++;
			}
			return bit < nbits ? bit : nbits;
		}
		w++;
		if (w * 64 >= nbits)
			return nbits;
		word = bm[w] ^ invert;
	}
}

u64 liscal_bm_next_set(const u64 *bm, u64 nbits, u64 from)
{
	return liscal_bm_next(bm, nbits, from, 0);
}

u64 liscal_bm_next_clear(const u64 *bm, u64 nbits, u64 from)
{
	return liscal_bm_next(bm, nbits, from, ~0ULL);
}

void liscal_bm_trim(u64 *bm, u64 nbits)
{
	if (nbits % 64)
		bm[nbits / 64] &= liscal_bm_mask(0, nbits % 64 - 1);
}

void liscal_bm_to_disk(__le64 *out, const u64 *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = cpu_to_le64(in[i]);
}

void liscal_bm_from_disk(u64 *out, const __le64 *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = le64_to_cpu(in[i]);
}

void liscal_hot_init(struct liscal_hot *h)
{
	h->head = LISCAL_HOT_NONE;
	h->tail = LISCAL_HOT_NONE;
	h->count = 0;
}

static void liscal_hot_unlink(struct liscal_hot *h, u32 w)
{
	struct liscal_hot_link *l = &h->link[w];

	if (l->prev != LISCAL_HOT_NONE)
		h->link[l->prev].next = l->next;
	else
		h->head = l->next;
	if (l->next != LISCAL_HOT_NONE)
		h->link[l->next].prev = l->prev;
	else
		h->tail = l->prev;
	l->prev = LISCAL_HOT_NONE;
	l->next = LISCAL_HOT_NONE;
}

void liscal_hot_touch(struct liscal_hot *h, u32 w, u64 mask)
{
	struct liscal_hot_link *l = &h->link[w];

	if (h->mask[w])
		liscal_hot_unlink(h, w);
	else
		h->count++;
	h->mask[w] = mask;
	l->prev = LISCAL_HOT_NONE;
	l->next = h->head;
	if (h->head != LISCAL_HOT_NONE)
		h->link[h->head].prev = w;
	else
		h->tail = w;
	h->head = w;
}

u32 liscal_hot_trim(struct liscal_hot *h, u32 max)
{
	u32 n = 0;

	while (h->count > max && h->tail != LISCAL_HOT_NONE) {
		u32 w = h->tail;

		liscal_hot_unlink(h, w);
		h->mask[w] = 0;
		h->count--;
		n++;
	}
	return n;
}
