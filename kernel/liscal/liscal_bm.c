// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_bm.c - the dirty bitmap in memory and on the cluster partition,
 * write-intent flushing and lazy clearing (Documentation/liscal.md).
 *
 * In memory (res->lock): oos = regions that may differ from the peer;
 * intent[2] = regions with writes in flight, by epoch; ondisk = what the
 * on-disk bitmap holds. The on-disk bitmap must always be a superset of
 * oos | intent[0] | intent[1] for every write issued to the data
 * partition: a write is issued only when its bits are in ondisk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "liscal_int.h"

#define LISCAL_BLOCK_BITS	(LISCAL_BM_BLOCK * 8)
#define LISCAL_BLOCK_WORDS	(LISCAL_BM_BLOCK / 8)
#define LISCAL_CLEAN_PERIOD	HZ	/* write-intent epoch length */

int liscal_bm_alloc(struct liscal_res *res)
{
	size_t bytes;

	res->nwords = LISCAL_BM_WORDS(res->nbits);
	res->nblocks = DIV_ROUND_UP(res->nbits, LISCAL_BLOCK_BITS);
	/* Whole blocks, so that block snapshots never run past the end. */
	bytes = res->nblocks * LISCAL_BM_BLOCK;
	res->oos = kvzalloc(bytes, GFP_KERNEL);
	res->intent[0] = kvzalloc(bytes, GFP_KERNEL);
	res->intent[1] = kvzalloc(bytes, GFP_KERNEL);
	res->ondisk = kvzalloc(bytes, GFP_KERNEL);
	res->dirty_blocks = bitmap_zalloc(res->nblocks, GFP_KERNEL);
	res->bm_buf = (void *)__get_free_page(GFP_KERNEL);
	if (!res->oos || !res->intent[0] || !res->intent[1] || !res->ondisk ||
	    !res->dirty_blocks || !res->bm_buf)
		return -ENOMEM;
	return 0;
}

void liscal_bm_free(struct liscal_res *res)
{
	kvfree(res->oos);
	kvfree(res->intent[0]);
	kvfree(res->intent[1]);
	kvfree(res->ondisk);
	bitmap_free(res->dirty_blocks);
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
 * Writes the marked bitmap blocks (all blocks if @all) with FUA, each as
 * a snapshot of oos | intent[0] | intent[1], and records the snapshot in
 * ondisk. Context: process; takes bm_mutex. Returns the first error.
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
			snap[w] = res->oos[base + w] | res->intent[0][base + w] |
				  res->intent[1][base + w];
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

/*
 * Makes every region with write-intent bits out of sync: at a break, the
 * writes the peer acknowledged but has not flushed may be lost with its
 * power. Lock held.
 */
void liscal_bm_merge_intent(struct liscal_res *res)
{
	size_t i;

	for (i = 0; i < res->nwords; i++)
		res->oos[i] |= res->intent[0][i] | res->intent[1][i];
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
 * swap; bitmap blocks whose on-disk copy now holds bits nobody needs are
 * rewritten (lazily: a late clear is only a little extra recovery).
 */
void liscal_clean_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(to_delayed_work(w),
					      struct liscal_res, clean_work);
	unsigned long flags;
	unsigned int old;
	size_t i;
	bool any = false, drained, mirrored, pending = false;

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
		goto out_requeue;
	spin_lock_irqsave(&res->lock, flags);
	if (drained && !res->inflight[old]) {
		memset(res->intent[old], 0, res->nwords * 8);
		res->icur = old;
		for (i = 0; i < res->nwords; i++) {
			u64 want = res->oos[i] | res->intent[0][i] |
				   res->intent[1][i];

			if (res->ondisk[i] & ~want) {
				__set_bit(i / LISCAL_BLOCK_WORDS, res->dirty_blocks);
				any = true;
			}
		}
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (any)
		liscal_bm_flush(res, false);
out_requeue:
	if (!READ_ONCE(res->destroying))
		queue_delayed_work(res->wq, &res->clean_work,
				   LISCAL_CLEAN_PERIOD);
}
