// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_io.c - /dev/NMPn: the bio-based block device, the read path and
 * the synchronous write path (write intent, local write, mirror to the
 * peer, completion when both are done).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>

#include "liscal_int.h"

static int liscal_open(struct block_device *bdev, fmode_t mode)
{
	struct liscal_res *res = bdev->bd_disk->private_data;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&res->lock, flags);
	if (res->destroying)
		ret = -ENXIO;
	else if ((mode & FMODE_WRITE) && res->role != LISCAL_ROLE_ACTIVE)
		ret = -EROFS;
	if (!ret) {
		res->openers++;
		if (mode & FMODE_WRITE)
			res->open_writers++;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	return ret;
}

static void liscal_release(struct gendisk *disk, fmode_t mode)
{
	struct liscal_res *res = disk->private_data;
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	res->openers--;
	if (mode & FMODE_WRITE)
		res->open_writers--;
	spin_unlock_irqrestore(&res->lock, flags);
}

static void liscal_read_endio(struct bio *clone)
{
	struct bio *bio = clone->bi_private;
	struct liscal_res *res = bio->bi_bdev->bd_disk->private_data;
	unsigned long flags;

	bio->bi_status = clone->bi_status;
	spin_lock_irqsave(&res->lock, flags);
	res->req_queue--;
	if (!clone->bi_status) {
		liscal_stat_add(res, LISCAL_STATS_A_READ_BYTES,
				bio->bi_iter.bi_size);
		liscal_stat_add(res, LISCAL_STATS_A_LOCAL_READ_BYTES,
				bio->bi_iter.bi_size);
		liscal_stat_add(res, LISCAL_STATS_A_READ_COUNT, 1);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	bio_put(clone);
	bio_endio(bio);
}

static void liscal_queue_stat(struct liscal_res *res)
{
	liscal_stat_max(res, LISCAL_STATS_A_REQ_QUEUE_MAX, res->req_queue);
	liscal_stat_max(res, LISCAL_STATS_A_REQ_QUEUE_MAX2, res->req_queue);
}

static void liscal_submit_read(struct liscal_res *res, struct bio *bio)
{
	struct bio *clone;
	unsigned long flags;

	clone = bio_alloc_clone(res->dbdev, bio, GFP_NOIO, &res->bs);
	if (!clone) {
		bio_io_error(bio);
		return;
	}
	clone->bi_private = bio;
	clone->bi_end_io = liscal_read_endio;
	spin_lock_irqsave(&res->lock, flags);
	res->req_queue++;
	liscal_queue_stat(res);
	spin_unlock_irqrestore(&res->lock, flags);
	submit_bio_noacct(clone);
}

/* Last reference of a write: both sides are done (or failed). */
static void liscal_req_done(struct liscal_req *req)
{
	struct liscal_res *res = req->res;
	struct bio *bio = req->bio;
	u64 now = ktime_get_ns();
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	list_del(&req->list);
	res->req_queue--;
	if (req->counted)
		res->inflight[req->epoch]--;
	if (req->issued)
		res->nr_issued--;
	if (req->has_bits && (!req->sent || req->peer_failed))
		liscal_bm_set_range(res->oos, req->first, req->last);
	if (!req->local_status) {
		liscal_stat_add(res, LISCAL_STATS_A_WRITE_BYTES, req->nsect << 9);
		liscal_stat_add(res, LISCAL_STATS_A_LOCAL_WRITE_BYTES,
				req->nsect << 9);
		liscal_stat_add(res, LISCAL_STATS_A_WRITE_COUNT, 1);
	}
	if (req->sent && !req->peer_failed) {
		u64 us = (now - req->start_ns) / 1000;

		liscal_stat_max(res, LISCAL_STATS_A_SYNC_TIME_MAX, us);
		liscal_stat_add(res, LISCAL_STATS_A_SYNC_TIME_TOTAL, us);
		liscal_stat_add(res, LISCAL_STATS_A_SYNC_COUNT, 1);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	wake_up_all(&res->waitq);
	bio->bi_status = req->local_status;
	bio_endio(bio);
	mempool_free(req, res->req_pool);
}

void liscal_req_put(struct liscal_req *req)
{
	if (atomic_dec_and_test(&req->pending))
		liscal_req_done(req);
}

static void liscal_write_endio(struct bio *clone)
{
	struct liscal_req *req = clone->bi_private;

	if (clone->bi_status) {
		req->local_status = clone->bi_status;
		liscal_io_error(req->res, false,
				blk_status_to_errno(clone->bi_status));
	}
	bio_put(clone);
	liscal_req_put(req);
}

/*
 * Issues one write whose intent bits are on disk. Context: the issue
 * worker, or the submitter for a write that is not mirrored (fast path).
 */
static void liscal_issue(struct liscal_res *res, struct liscal_req *req)
{
	struct liscal_wire_hdr h = {
		.type = LISCAL_P_DATA,
		.sector = req->sector,
		.size = req->nsect << 9,
		.len = req->nsect << 9,
	};
	struct bio *clone;
	unsigned long flags;
	int ret;

	clone = bio_alloc_clone(res->dbdev, req->bio, GFP_NOIO, &res->bs);
	if (!clone) {
		req->local_status = BLK_STS_RESOURCE;
		liscal_req_put(req);
		return;
	}
	clone->bi_private = req;
	clone->bi_end_io = liscal_write_endio;
	atomic_inc(&req->pending);

	/*
	 * One critical section for the connection check and the enqueue on
	 * ack_wait: teardown changes conn and takes ack_wait over in one
	 * section of its own, so a write is either failed by it or never
	 * sent. Checked and enqueued apart, teardown could run in between
	 * and leave the write waiting for an ack that never comes.
	 */
	spin_lock_irqsave(&res->lock, flags);
	/* The connection may have gone since the issue worker decided. */
	if (req->send && res->conn != LISCAL_CONN_CONNECTED)
		req->send = false;
	if (req->send) {
		if (req->bio->bi_opf & REQ_FUA)
			h.flags |= LISCAL_WF_FUA;
		if (req->bio->bi_opf & REQ_PREFLUSH)
			h.flags |= LISCAL_WF_PREFLUSH;
		h.seq = req->seq;
		atomic_inc(&req->pending);
		req->sent = true;
		req->sent_ns = ktime_get_ns();
		list_add_tail(&req->ack_list, &res->ack_wait);
		res->sync_diff += h.size;
		res->send_queue++;
		liscal_stat_max(res, LISCAL_STATS_A_SYNC_DIFF_MAX, res->sync_diff);
		liscal_stat_max(res, LISCAL_STATS_A_SEND_QUEUE_MAX, res->send_queue);
		liscal_stat_max(res, LISCAL_STATS_A_SEND_QUEUE_MAX2, res->send_queue);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	submit_bio_noacct(clone);
	if (req->send) {
		ret = liscal_send(res, &h, NULL, 0, req->bio);
		if (ret)
			liscal_conn_fail(res, ret == -EAGAIN ?
					 LISCAL_REASON_BREAK_SEND_TIMEOUT :
					 LISCAL_REASON_BREAK_PEER_CLOSED);
	}
	liscal_req_put(req);
}

/* Lock held. Does an issued write overlap bits [first, last]? */
bool liscal_writes_overlap(struct liscal_res *res, u64 first, u64 last)
{
	struct liscal_req *req;

	list_for_each_entry(req, &res->writes, list)
		if (req->issued && req->has_bits && req->first <= last &&
		    req->last >= first)
			return true;
	return false;
}

/* Lock held. Does a write touch a recovery chunk in flight? */
static bool liscal_rs_blocks(struct liscal_res *res, struct liscal_req *req)
{
	return req->has_bits && liscal_rs_locked(res, req->first, req->last);
}

/* Lock held. Are writes mirrored to the peer now? */
static bool liscal_mirrored(struct liscal_res *res)
{
	return res->conn == LISCAL_CONN_CONNECTED && !res->split_brain &&
	       (res->pdisk == LISCAL_DISK_UPTODATE ||
		res->rs_dir == LISCAL_RECOVERY_TO_PEER);
}

/*
 * Lock held. Admits a write: holds it (returns false, on res->held) while
 * the connection handshakes or the resource is fenced; defers it (returns false, on res->deferred)
 * when it touches a recovery chunk in flight; otherwise marks it issued,
 * decides whether it is mirrored, sets its write-intent bits and returns
 * true, with *flush set when its bits are not on disk yet.
 */
static bool liscal_admit(struct liscal_res *res, struct liscal_req *req,
			 bool *flush)
{
	if (res->hold_writes || res->fenced) {
		list_add_tail(&req->qlist, &res->held);
		return false;
	}
	if (liscal_rs_blocks(res, req)) {
		/* kept across re-deferrals behind other chunks */
		if (!req->defer_ns)
			req->defer_ns = ktime_get_ns();
		list_add_tail(&req->qlist, &res->deferred);
		return false;
	}
	if (req->defer_ns) {
		u64 us = (ktime_get_ns() - req->defer_ns) / 1000;

		liscal_stat_add(res, LISCAL_STATS_A_LW_WAIT_RR_TOTAL, us);
		liscal_stat_add(res, LISCAL_STATS_A_LW_WAIT_RR_TOTAL2, us);
		req->defer_ns = 0;
	}
	req->issued = true;
	res->nr_issued++;
	req->send = liscal_mirrored(res);
	if (req->send)
		req->seq = ++res->seq;
	if (!req->has_bits)
		return true;
	req->epoch = res->icur;
	req->counted = true;
	res->inflight[req->epoch]++;
	liscal_bm_set_range(res->intent[req->epoch], req->first, req->last);
	if (!liscal_bm_all_set(res->ondisk, req->first, req->last)) {
		liscal_bm_mark_dirty(res, req->first, req->last);
		liscal_stat_add(res, LISCAL_STATS_A_INTENT_WAITS, 1);
		*flush = true;
	}
	return true;
}

/*
 * Lock held. Can a new write be issued at once by its submitter? Only
 * when nothing is queued before it, no handshake or fence holds writes, it is not
 * mirrored (the socket is the
 * worker's: a submitter never blocks on the peer) and its intent bits are
 * already on disk: then liscal_admit() issues it without a flush.
 */
static bool liscal_fast_path(struct liscal_res *res, struct liscal_req *req)
{
	return list_empty(&res->issue_q) && !res->hold_writes && !res->fenced &&
	       !liscal_mirrored(res) && !liscal_rs_blocks(res, req) &&
	       (!req->has_bits ||
		liscal_bm_all_set(res->ondisk, req->first, req->last));
}

/*
 * The issue worker: takes every queued write, defers those that touch a
 * recovery chunk in flight, sets their write-intent bits, writes the bitmap
 * blocks that lack them in one batch, then issues them all under one plug.
 * Writes whose bits are already on disk cost no metadata I/O.
 */
void liscal_issue_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, issue_work);
	unsigned int noio = memalloc_noio_save();
	struct liscal_req *req, *tmp;
	struct blk_plug plug;
	unsigned long flags;
	LIST_HEAD(batch);
	LIST_HEAD(ready);
	bool flush;
	int ret;

	for (;;) {
		flush = false;
		spin_lock_irqsave(&res->lock, flags);
		list_splice_init(&res->issue_q, &batch);
		list_for_each_entry_safe(req, tmp, &batch, qlist) {
			list_del(&req->qlist);
			if (liscal_admit(res, req, &flush))
				list_add_tail(&req->qlist, &ready);
		}
		spin_unlock_irqrestore(&res->lock, flags);
		if (list_empty(&ready))
			break;
		ret = flush ? liscal_bm_flush(res, false) : 0;
		blk_start_plug(&plug);
		list_for_each_entry_safe(req, tmp, &ready, qlist) {
			list_del(&req->qlist);
			if (ret) {
				req->local_status = BLK_STS_IOERR;
				liscal_req_put(req);
				continue;
			}
			liscal_issue(res, req);
		}
		blk_finish_plug(&plug);
	}
	memalloc_noio_restore(noio);
}

static void liscal_submit_bio(struct bio *bio)
{
	struct liscal_res *res = bio->bi_bdev->bd_disk->private_data;
	struct liscal_req *req;
	unsigned long flags;
	bool fast, flush = false;

	bio = bio_split_to_limits(bio);
	if (!bio)
		return;
	if (bio_op(bio) == REQ_OP_READ) {
		liscal_submit_read(res, bio);
		return;
	}
	if (bio_op(bio) != REQ_OP_WRITE && bio_op(bio) != REQ_OP_FLUSH) {
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		return;
	}
	if (READ_ONCE(res->role) != LISCAL_ROLE_ACTIVE) {
		bio_io_error(bio);
		return;
	}
	req = mempool_alloc(res->req_pool, GFP_NOIO);
	memset(req, 0, sizeof(*req));
	req->res = res;
	req->bio = bio;
	req->sector = bio->bi_iter.bi_sector;
	req->nsect = bio_sectors(bio);
	req->has_bits = liscal_bm_range(req->sector, req->nsect, res->shift,
					res->nbits, &req->first, &req->last);
	req->start_ns = ktime_get_ns();
	atomic_set(&req->pending, 1);
	spin_lock_irqsave(&res->lock, flags);
	list_add_tail(&req->list, &res->writes);
	res->req_queue++;
	liscal_queue_stat(res);
	fast = liscal_fast_path(res, req);
	if (fast) {
		liscal_admit(res, req, &flush);
		liscal_stat_add(res, LISCAL_STATS_A_DIRECT_WRITES, 1);
	} else {
		list_add_tail(&req->qlist, &res->issue_q);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (!fast) {
		queue_work(res->wq, &res->issue_work);
		return;
	}
	/* Not mirrored, bits on disk: no socket, no metadata I/O, no worker. */
	if (WARN_ON_ONCE(flush || req->send)) {
		req->local_status = BLK_STS_IOERR;
		liscal_req_put(req);
		return;
	}
	liscal_issue(res, req);
}

static const struct block_device_operations liscal_fops = {
	.owner = THIS_MODULE,
	.submit_bio = liscal_submit_bio,
	.open = liscal_open,
	.release = liscal_release,
};

/*
 * A bio of @bytes in freshly allocated single pages, for recovery reads and
 * the peer's writes: up to LISCAL_WIRE_MAX_RS (1024 pages), more vecs than
 * bio_alloc() gives (BIO_MAX_VECS), hence bio_kmalloc(). @bytes 0: an empty
 * bio (the peer's flush). Process context, GFP_NOIO. NULL: no memory. Free
 * with liscal_page_bio_free().
 */
struct bio *liscal_page_bio_alloc(struct block_device *bdev, u64 sector,
				  u32 bytes, blk_opf_t opf)
{
	unsigned int npages = DIV_ROUND_UP(bytes, PAGE_SIZE);
	struct bio *bio;
	u32 left;

	if (WARN_ON_ONCE(npages > BIO_MAX_INLINE_VECS))
		return NULL;
	bio = bio_kmalloc(npages, GFP_NOIO);
	if (!bio)
		return NULL;
	bio_init(bio, bdev, bio->bi_inline_vecs, npages, opf);
	bio->bi_iter.bi_sector = sector;
	for (left = bytes; left; ) {
		u32 n = min_t(u32, left, PAGE_SIZE);
		struct page *page = alloc_page(GFP_NOIO);

		if (!page)
			goto err_free_pages;
		__bio_add_page(bio, page, n, 0);
		left -= n;
	}
	return bio;

err_free_pages:
	liscal_page_bio_free(bio);
	return NULL;
}

/* Frees a bio of liscal_page_bio_alloc() and its pages. Any context. */
void liscal_page_bio_free(struct bio *bio)
{
	struct bvec_iter_all it;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, bio, it)
		__free_page(bv->bv_page);
	bio_uninit(bio);
	kfree(bio);
}

void liscal_set_ro(struct liscal_res *res)
{
	set_disk_ro(res->disk, READ_ONCE(res->role) != LISCAL_ROLE_ACTIVE);
}

int liscal_disk_create(struct liscal_res *res)
{
	struct gendisk *disk;
	int ret;

	disk = blk_alloc_disk(NUMA_NO_NODE);
	if (!disk)
		return -ENOMEM;
	disk->major = liscal_major;
	disk->first_minor = res->minor;
	disk->minors = 1;
	disk->fops = &liscal_fops;
	disk->private_data = res;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, DISK_NAME_LEN, "NMP%u", res->minor);
	set_capacity(disk, res->data_sectors);
	blk_queue_logical_block_size(disk->queue,
				     bdev_logical_block_size(res->dbdev));
	blk_queue_physical_block_size(disk->queue, 4096);
	blk_queue_max_hw_sectors(disk->queue, LISCAL_WIRE_MAX_IO >> 9);
	blk_queue_write_cache(disk->queue, true, true);
	/*
	 * A write's pages go to the local disk and, separately, to the peer:
	 * a page cache page changed in between (a write or mmap store during
	 * writeback) would leave the two copies different. Stable writes make
	 * the page cache wait for writeback before such a page changes.
	 */
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, disk->queue);
	set_disk_ro(disk, true);
	res->disk = disk;
	ret = device_add_disk(NULL, disk, liscal_disk_groups);
	if (ret) {
		put_disk(disk);
		res->disk = NULL;
	}
	return ret;
}

void liscal_disk_destroy(struct liscal_res *res)
{
	if (!res->disk)
		return;
	del_gendisk(res->disk);
	put_disk(res->disk);
	res->disk = NULL;
}
