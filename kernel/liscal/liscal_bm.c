// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_bm.c - the dirty bitmap in memory and on the cluster partition,
 * write-intent flushing and lazy clearing (Documentation/liscal.md).
 *
 * In memory (res->lock): oos = regions that may differ from the peer;
 * intent[2] = regions with writes in flight, by epoch; hot = the extents
 * of the hot set; unflushed = recovered regions the target has not
 * flushed yet (liscal_rs.c); ondisk = what the on-disk bitmap holds. The
 * on-disk bitmap must always be a superset of oos | intent[0] | intent[1] |
 * unflushed for every write issued to the data partition: a write is
 * issued only when its bits are in ondisk. The hot set only adds bits: a
 * region leaves intent only once its writes are durable on both disks, so
 * its hot bits may go from the disk at any time after.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "liscal_int.h"

#define LISCAL_BLOCK_BITS	(LISCAL_BM_BLOCK * 8)
#define LISCAL_BLOCK_WORDS	(LISCAL_BM_BLOCK / 8)
#define LISCAL_CLEAN_PERIOD	HZ	/* write-intent epoch length */

/*
 * The in-memory bitmap arrays of @nblocks bitmap blocks (whole blocks, so
 * that block snapshots never run past the end), zeroed, no word in the hot
 * set. Context: process; the caller sets the allocation scope
 * (memalloc_noio_save() where I/O may wait on it). Returns -ENOMEM with
 * nothing left allocated.
 */
int liscal_bm_set_alloc(struct liscal_bm_set *s, size_t nblocks)
{
	size_t bytes = nblocks * LISCAL_BM_BLOCK;
	size_t words = nblocks * LISCAL_BLOCK_WORDS;

	s->oos = kvzalloc(bytes, GFP_KERNEL);
	s->intent[0] = kvzalloc(bytes, GFP_KERNEL);
	s->intent[1] = kvzalloc(bytes, GFP_KERNEL);
	s->ondisk = kvzalloc(bytes, GFP_KERNEL);
	s->hot = kvzalloc(bytes, GFP_KERNEL);
	s->unflushed = kvzalloc(bytes, GFP_KERNEL);
	s->hot_link = kvmalloc_array(words, sizeof(*s->hot_link), GFP_KERNEL);
	s->dirty = bitmap_zalloc(nblocks, GFP_KERNEL);
	if (!s->oos || !s->intent[0] || !s->intent[1] || !s->ondisk ||
	    !s->hot || !s->unflushed || !s->hot_link || !s->dirty) {
		liscal_bm_set_free(s);
		return -ENOMEM;
	}
	/* every prev and next LISCAL_HOT_NONE */
	memset(s->hot_link, 0xff, words * sizeof(*s->hot_link));
	return 0;
}

void liscal_bm_set_free(struct liscal_bm_set *s)
{
	kvfree(s->oos);
	kvfree(s->intent[0]);
	kvfree(s->intent[1]);
	kvfree(s->ondisk);
	kvfree(s->hot);
	kvfree(s->unflushed);
	kvfree(s->hot_link);
	bitmap_free(s->dirty);
	memset(s, 0, sizeof(*s));
}

/* Lock held (or the resource not yet visible). Exchanges its arrays with @s's. */
void liscal_bm_set_swap(struct liscal_res *res, struct liscal_bm_set *s)
{
	swap(res->oos, s->oos);
	swap(res->intent[0], s->intent[0]);
	swap(res->intent[1], s->intent[1]);
	swap(res->ondisk, s->ondisk);
	swap(res->hot.mask, s->hot);
	swap(res->unflushed, s->unflushed);
	swap(res->hot.link, s->hot_link);
	swap(res->dirty_blocks, s->dirty);
}

/*
 * Lock held. Copies the resource's first @words words into @s (a larger
 * set: growth), oos only with @oos; the hot set's links are word indices,
 * so its order carries over as it is.
 */
void liscal_bm_set_copy(struct liscal_bm_set *s, struct liscal_res *res,
			size_t words, bool oos)
{
	if (oos)
		memcpy(s->oos, res->oos, words * 8);
	memcpy(s->intent[0], res->intent[0], words * 8);
	memcpy(s->intent[1], res->intent[1], words * 8);
	memcpy(s->ondisk, res->ondisk, words * 8);
	memcpy(s->hot, res->hot.mask, words * 8);
	memcpy(s->unflushed, res->unflushed, words * 8);
	memcpy(s->hot_link, res->hot.link, words * sizeof(*s->hot_link));
}

int liscal_bm_alloc(struct liscal_res *res)
{
	struct liscal_bm_set s = { };

	res->nwords = LISCAL_BM_WORDS(res->nbits);
	res->nblocks = DIV_ROUND_UP(res->nbits, LISCAL_BLOCK_BITS);
	liscal_hot_init(&res->hot);
	if (liscal_bm_set_alloc(&s, res->nblocks))
		return -ENOMEM;
	liscal_bm_set_swap(res, &s);
	res->bm_buf = (void *)__get_free_page(GFP_KERNEL);
	return res->bm_buf ? 0 : -ENOMEM;
}

void liscal_bm_free(struct liscal_res *res)
{
	struct liscal_bm_set s = { };

	liscal_bm_set_swap(res, &s);
	liscal_bm_set_free(&s);
	if (res->bm_buf)
		free_page((unsigned long)res->bm_buf);
}

static int liscal_bm_block_io(struct liscal_res *res, size_t blk, blk_opf_t opf)
{
	struct bio *bio;
	int ret;

	bio = bio_alloc(res->cbdev, 1, opf, GFP_NOIO);
	bio->bi_iter.bi_sector = (res->sb.bm_offset + blk * LISCAL_BM_BLOCK) >> 9;
	__bio_add_page(bio, virt_to_page(res->bm_buf), LISCAL_BM_BLOCK, 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/* Reads the on-disk bitmap into oos and ondisk. Context: create. */
int liscal_bm_load(struct liscal_res *res)
{
	size_t blk;
	int ret;

	for (blk = 0; blk < res->nblocks; blk++) {
		ret = liscal_bm_block_io(res, blk, REQ_OP_READ);
		if (ret)
			return ret;
		liscal_bm_from_disk(res->oos + blk * LISCAL_BLOCK_WORDS,
				    res->bm_buf, LISCAL_BLOCK_WORDS);
	}
	liscal_bm_trim(res->oos, res->nbits);
	memcpy(res->ondisk, res->oos, res->nblocks * LISCAL_BM_BLOCK);
	return 0;
}

/* Marks the blocks holding bits [first, last] for writing. Lock held. */
void liscal_bm_mark_dirty(struct liscal_res *res, u64 first, u64 last)
{
	u64 b;

	for (b = first / LISCAL_BLOCK_BITS; b <= last / LISCAL_BLOCK_BITS; b++)
		__set_bit(b, res->dirty_blocks);
}

/*
 * Lock held. Word @i of what the on-disk bitmap must hold (see the file's
 * head): every bitmap block write and every staleness check uses this.
 */
static u64 liscal_bm_want(const struct liscal_res *res, size_t i)
{
	return res->oos[i] | res->intent[0][i] | res->intent[1][i] |
	       res->hot.mask[i] | res->unflushed[i];
}

/*
 * Writes the marked bitmap blocks (all blocks if @all) with FUA, each as
 * a snapshot of oos | intent[0] | intent[1] | hot | unflushed, and records
 * the snapshot in ondisk. Context: process; takes bm_mutex. Returns the first error.
 */
int liscal_bm_flush(struct liscal_res *res, bool all)
{
	unsigned long flags;
	size_t blk, w;
	int ret = 0, r;

	mutex_lock(&res->bm_mutex);
	for (blk = 0; blk < res->nblocks; blk++) {
		u64 *snap = (u64 *)res->bm_buf;
		size_t base = blk * LISCAL_BLOCK_WORDS;

		spin_lock_irqsave(&res->lock, flags);
		if (!all && !test_bit(blk, res->dirty_blocks)) {
			spin_unlock_irqrestore(&res->lock, flags);
			continue;
		}
		__clear_bit(blk, res->dirty_blocks);
		for (w = 0; w < LISCAL_BLOCK_WORDS; w++) {
			snap[w] = liscal_bm_want(res, base + w);
			/*
			 * Bits this write clears stop counting as on disk now,
			 * so no new write relies on them while it is in flight.
			 */
			res->ondisk[base + w] &= snap[w];
		}
		spin_unlock_irqrestore(&res->lock, flags);

		liscal_bm_to_disk(res->bm_buf, snap, LISCAL_BLOCK_WORDS);
		r = liscal_bm_block_io(res, blk, REQ_OP_WRITE | REQ_FUA | REQ_SYNC);
		liscal_bm_from_disk(snap, res->bm_buf, LISCAL_BLOCK_WORDS);
		spin_lock_irqsave(&res->lock, flags);
		if (!r)
			memcpy(res->ondisk + base, snap, LISCAL_BM_BLOCK);
		else
			__set_bit(blk, res->dirty_blocks);
		liscal_stat_add(res, LISCAL_STATS_A_META_WRITES, 1);
		spin_unlock_irqrestore(&res->lock, flags);
		if (r && !ret) {
			ret = r;
			liscal_io_error(res, true, r);
		}
	}
	mutex_unlock(&res->bm_mutex);
	return ret;
}

/* Lock held. The bits of word @w that exist (the last word may be partial). */
static u64 liscal_word_mask(struct liscal_res *res, size_t w)
{
	u64 left = res->nbits - (u64)w * 64;

	return left >= 64 ? ~0ULL : (1ULL << left) - 1;
}

/*
 * Lock held. A mirrored write into bits [first, last]: their extents join
 * the hot set, or move to its front (their masks renewed). The masks
 * reach the disk with the next bitmap block write (the write's own intent
 * bits protect it; the hot bits only spare later writes a bitmap write).
 */
void liscal_bm_touch_hot(struct liscal_res *res, u64 first, u64 last)
{
	size_t w;

	if (!READ_ONCE(res->p.hot_extents))
		return;
	for (w = first / 64; w <= last / 64; w++)
		liscal_hot_touch(&res->hot, w, liscal_word_mask(res, w));
}

/*
 * Lock held. A mirrored write of [@sector, @end) into bits up to @last: if
 * it continues the mirrored write before it (a stream), the next extent
 * joins the hot set now and ahead_work writes its bits to disk while the
 * stream still writes in this one (a whole extent ahead: a stream of
 * 1 MiB writes at queue depth 8 has two extents in flight). Without it, a
 * stream waited for a bitmap write at every extent (4 MiB with 64 KiB
 * regions) before its next write could leave. The price: one
 * more hot extent per stream, resynchronised after a power cut of the
 * active like every hot extent. Only inside the device's capacity: a
 * growth replaces the arrays before the capacity changes, and its rollback
 * keeps only the old words.
 */
void liscal_bm_hot_ahead(struct liscal_res *res, u64 sector, u64 end, u64 last)
{
	bool stream = sector == res->stream_end;
	size_t w = last / 64 + 1;
	u64 mask;

	res->stream_end = end;
	if (!stream || !READ_ONCE(res->p.hot_extents) || w >= res->nwords ||
	    ((u64)w * 64 << (res->shift - 9)) >= get_capacity(res->disk))
		return;
	mask = liscal_word_mask(res, w);
	if (res->hot.mask[w] == mask)
		return;
	liscal_hot_touch(&res->hot, w, mask);
	if ((res->ondisk[w] & mask) == mask)
		return;
	liscal_bm_mark_dirty(res, (u64)w * 64, (u64)w * 64 + 63);
	liscal_stat_add(res, LISCAL_STATS_A_HOT_AHEAD, 1);
	queue_work(res->wq, &res->ahead_work);
}

/* Writes the bitmap blocks liscal_bm_hot_ahead() marked (and any other). */
void liscal_bm_ahead_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, ahead_work);
	unsigned int noio = memalloc_noio_save();

	liscal_bm_flush(res, false);
	memalloc_noio_restore(noio);
}

/*
 * Lock held. Evicts the least recently written extents until at most @max
 * are left; the caller rewrites the bitmap blocks (see the file's head:
 * always safe). Returns whether any left.
 */
static bool liscal_bm_trim_hot(struct liscal_res *res, u32 max)
{
	u32 n = liscal_hot_trim(&res->hot, max);

	/* the list ended before the count did: they disagree */
	WARN_ON_ONCE(res->hot.count > max);
	liscal_stat_add(res, LISCAL_STATS_A_HOT_EVICTIONS, n);
	return n;
}

/*
 * Lock held. Marks for writing every bitmap block whose on-disk bits
 * include some nobody needs any more. Returns whether there is one.
 */
static bool liscal_bm_mark_stale(struct liscal_res *res)
{
	bool any = false;
	size_t i;

	for (i = 0; i < res->nwords; i++) {
		if (res->ondisk[i] & ~liscal_bm_want(res, i)) {
			__set_bit(i / LISCAL_BLOCK_WORDS, res->dirty_blocks);
			any = true;
		}
	}
	return any;
}

/*
 * Empties the hot set and rewrites the blocks that held it (a clean
 * teardown: the next start resynchronises no hot extent). A failed write
 * leaves its blocks marked for the caller's next flush. Context: process,
 * no bm_mutex.
 */
void liscal_bm_drop_hot(struct liscal_res *res)
{
	unsigned long flags;
	bool any;

	spin_lock_irqsave(&res->lock, flags);
	liscal_bm_trim_hot(res, 0);
	any = liscal_bm_mark_stale(res);
	spin_unlock_irqrestore(&res->lock, flags);
	if (any)
		liscal_bm_flush(res, false);
}

/*
 * Makes every region with write-intent bits out of sync: at a break, the
 * writes the peer acknowledged but has not flushed may be lost with its
 * power; so may recovered regions it has not flushed (the recovery thread
 * puts them back too when it ends). Lock held.
 */
void liscal_bm_merge_intent(struct liscal_res *res)
{
	size_t i;

	for (i = 0; i < res->nwords; i++)
		res->oos[i] |= res->intent[0][i] | res->intent[1][i] |
			       res->unflushed[i];
}

u64 liscal_dirty_bits(struct liscal_res *res)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&res->lock, flags);
	n = liscal_bm_count(res->oos, res->nbits);
	spin_unlock_irqrestore(&res->lock, flags);
	return n;
}

/*
 * Every LISCAL_CLEAN_PERIOD: when every write of the older epoch has
 * completed on both sides, its intent bits are dropped and the epochs
 * swap; the hot set is trimmed to its size (to nothing unless this copy
 * is the active one of a connected mirror); bitmap blocks whose on-disk
 * copy now holds bits nobody needs are rewritten (lazily: a late clear is
 * only a little extra recovery).
 */
void liscal_clean_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(to_delayed_work(w),
					      struct liscal_res, clean_work);
	unsigned long flags;
	unsigned int old;
	size_t i;
	bool any = false, drained, mirrored, pending = false, swapped = false;
	u32 hot_max;

	spin_lock_irqsave(&res->lock, flags);
	old = 1 - res->icur;
	drained = !res->inflight[old];
	mirrored = res->conn == LISCAL_CONN_CONNECTED &&
		   res->pdisk == LISCAL_DISK_UPTODATE;
	for (i = 0; drained && i < res->nwords && !pending; i++)
		pending = res->intent[old][i] != 0;
	spin_unlock_irqrestore(&res->lock, flags);
	/*
	 * Intent bits of completed writes may only go once the data is
	 * durable on both disks (volatile write caches): flush ours, then the
	 * peer's. If the peer cannot confirm, keep the bits (the regions are
	 * resynchronised later; never too little).
	 */
	if (drained && pending &&
	    (blkdev_issue_flush(res->dbdev) ||
	     (mirrored && liscal_peer_flush(res)) || !mirrored))
		drained = false;
	spin_lock_irqsave(&res->lock, flags);
	if (drained && !res->inflight[old]) {
		memset(res->intent[old], 0, res->nwords * 8);
		res->icur = old;
		swapped = true;
	}
	hot_max = mirrored && res->role == LISCAL_ROLE_ACTIVE ?
		  READ_ONCE(res->p.hot_extents) : 0;
	if (liscal_bm_trim_hot(res, hot_max) || swapped)
		any = liscal_bm_mark_stale(res);
	spin_unlock_irqrestore(&res->lock, flags);
	if (any)
		liscal_bm_flush(res, false);
	if (!READ_ONCE(res->destroying))
		queue_delayed_work(res->wq, &res->clean_work,
				   LISCAL_CLEAN_PERIOD);
}
