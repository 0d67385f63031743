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
	if (req->copy)
		liscal_page_bio_free(res, req->copy);
	if (!req->bio_done) {
		bio->bi_status = req->local_status;
		bio_endio(bio);
	}
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
	/*
	 * Asynchronous: the write completes for the application now; the
	 * request stays until the peer acknowledged its copy (its bits are
	 * marked out of sync if it never does).
	 */
	if (req->async) {
		req->bio_done = true;
		req->bio->bi_status = req->local_status;
		bio_endio(req->bio);
	}
	liscal_req_put(req);
}

static void liscal_async_queue(struct liscal_res *res, struct liscal_req *req,
			       struct bio *clone);

/*
 * Lock held. Do the peer's flushes ahead, done or announced, cover every
 * DATA_ACK received so far? (peer_flushed <= peer_flushing: a FLUSHED
 * reports the one announced.)
 */
static bool liscal_flush_covered(struct liscal_res *res)
{
	return res->peer_flushing >= res->acks_rcvd;
}

/*
 * Flushes ahead (Documentation/liscal.md, "Flushes ahead"). Lock held;
 * @req is mirrored synchronously and about to be sent as @h.
 *
 * For a second after an empty flush of this device (an fsync() of data
 * only: a journal's commit block is a write with PREFLUSH and FUA, which
 * gains nothing from this), each write asks the peer to flush ahead once
 * it acknowledged it (AHEAD): the peer announces such a
 * flush on an ack (FLUSHING) and reports it done (FLUSHED) with the count
 * of DATA_ACKs it covers. Every write that completed before an empty flush
 * here was acknowledged before it (synchronous mode), so when the peer's
 * flushes cover every DATA_ACK received so far, its part of the flush is
 * done (the flush is not sent: @req->send false); when only the announced
 * flush does, @req waits for its FLUSHED on ack_wait instead of a flush's
 * round trip (@req->ahead). A write with FUA or data needs its own packet.
 */
static void liscal_flush_ahead(struct liscal_res *res, struct liscal_req *req,
			       struct liscal_wire_hdr *h)
{
	u64 now = ktime_get_ns();

	if (req->nsect) {
		if (now - res->flush_hint_ns < NSEC_PER_SEC)
			h->flags |= LISCAL_WF_AHEAD;
		return;
	}
	if (req->bio->bi_opf & REQ_FUA)
		return;
	res->flush_hint_ns = now;
	if (!liscal_flush_covered(res))
		return;
	liscal_stat_add(res, LISCAL_STATS_A_FLUSHES_COVERED, 1);
	if (res->peer_flushed >= res->acks_rcvd) {
		req->send = false;
		return;
	}
	req->ahead = true;
	req->flush_need = res->acks_rcvd;
}

static void liscal_hdr_init(struct liscal_wire_hdr *h, struct liscal_req *req)
{
	*h = (struct liscal_wire_hdr){
		.type = LISCAL_P_DATA,
		.sector = req->sector,
		.size = req->nsect << 9,
		.len = req->nsect << 9,
	};
}

/* The clone of @req's bio that goes to the data partition; NULL: no memory. */
static struct bio *liscal_clone(struct liscal_res *res, struct liscal_req *req)
{
	struct bio *clone;

	clone = bio_alloc_clone(res->dbdev, req->bio, GFP_NOIO, &res->bs);
	if (!clone)
		return NULL;
	clone->bi_private = req;
	clone->bi_end_io = liscal_write_endio;
	return clone;
}

/*
 * Lock held. The connection check, flushes ahead and the enqueue on
 * ack_wait of a synchronously mirrored write, in one critical section:
 * teardown changes conn and takes ack_wait over in one section of its
 * own, so a write is either failed by it or never sent. Checked and
 * enqueued apart, teardown could run in between and leave the write
 * waiting for an ack that never comes. Afterwards @req is to be sent as
 * @h when req->send && !req->ahead.
 */
static void liscal_issue_locked(struct liscal_res *res, struct liscal_req *req,
				struct liscal_wire_hdr *h)
{
	/* The connection may have gone since the issue worker decided. */
	if (req->send && res->conn != LISCAL_CONN_CONNECTED)
		req->send = false;
	if (req->send)
		liscal_flush_ahead(res, req, h);
	if (!req->send)
		return;
	if (req->bio->bi_opf & REQ_FUA)
		h->flags |= LISCAL_WF_FUA;
	if (req->bio->bi_opf & REQ_PREFLUSH)
		h->flags |= LISCAL_WF_PREFLUSH;
	h->seq = req->seq;
	atomic_inc(&req->pending);
	req->sent = true;
	req->sent_ns = ktime_get_ns();
	list_add_tail(&req->ack_list, &res->ack_wait);
	res->sync_diff += h->size;
	res->send_queue++;
	liscal_stat_max(res, LISCAL_STATS_A_SYNC_DIFF_MAX, res->sync_diff);
	liscal_stat_max(res, LISCAL_STATS_A_SEND_QUEUE_MAX, res->send_queue);
	liscal_stat_max(res, LISCAL_STATS_A_SEND_QUEUE_MAX2, res->send_queue);
}

/* After liscal_issue_locked(): the local write, the packet, @req's reference. */
static void liscal_issue_go(struct liscal_res *res, struct liscal_req *req,
			    struct bio *clone, struct liscal_wire_hdr *h)
{
	int ret;

	submit_bio_noacct(clone);
	if (req->send && !req->ahead) {
		ret = liscal_send(res, h, NULL, 0, req->bio);
		if (ret)
			liscal_send_failed(res, ret);
	}
	liscal_req_put(req);
}

/*
 * Issues one write whose intent bits are on disk. Context: the issue
 * worker, or the submitter for a write that is not mirrored (fast path;
 * liscal_submit_bio() issues a covered empty flush itself). @clone: the
 * submitter's, allocated before it took the lock, or NULL.
 */
static void liscal_issue(struct liscal_res *res, struct liscal_req *req,
			 struct bio *clone)
{
	struct liscal_wire_hdr h;
	unsigned long flags;

	if (!clone)
		clone = liscal_clone(res, req);
	if (!clone) {
		req->local_status = BLK_STS_RESOURCE;
		liscal_req_put(req);
		return;
	}
	atomic_inc(&req->pending);
	if (req->send && req->async) {
		liscal_async_queue(res, req, clone);
		return;
	}
	liscal_hdr_init(&h, req);
	spin_lock_irqsave(&res->lock, flags);
	liscal_issue_locked(res, req, &h);
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_issue_go(res, req, clone, &h);
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
 * Asynchronous mode (Documentation/liscal.md, "Asynchronous mode").
 *
 * A mirrored write's data is copied (GFP_NOIO) and the request queued on
 * send_q in admission order before its local write is issued; the write
 * completes for the application when its local write did
 * (liscal_write_endio()). The sender (send_work) sends the queue in order
 * and moves each request to ack_wait; the request, its write-intent bits
 * and its place in nr_issued stay until the peer's DATA_ACK, so that a
 * break marks every write the peer may lack out of sync (teardown fails
 * send_q and ack_wait) and a recovery chunk waits for the queued writes it
 * overlaps. A flush or FUA write is a barrier: sent only once every
 * earlier write is acknowledged, and the next one only once it is, so the
 * peer's copy is always a prefix of this side's writes.
 *
 * When the queue is full (send_queue_size writes, or the byte limit, or no
 * memory for the copy) the write is not mirrored: the peer is taken as
 * outdated from here on (nothing more is queued: its copy stays a prefix)
 * and catchup_work starts a differential recovery, which copies the
 * regions marked since.
 */

/* Bytes of copied data queued or unacked at most: a "0 = unlimited" queue
 * is still bounded by memory, an eighth of it, and at most 256 MiB.
 */
static u64 liscal_async_max_bytes(void)
{
	return min_t(u64, 256ULL << 20,
		     ((u64)totalram_pages() << PAGE_SHIFT) / 8);
}

/* Lock held. Is there room on the queue for @bytes more? */
static bool liscal_async_room(struct liscal_res *res, u32 bytes)
{
	u32 max = READ_ONCE(res->p.send_queue_size);

	if (max && res->send_queue >= max)
		return false;
	return res->sync_diff + bytes <= liscal_async_max_bytes();
}

/*
 * Lock held. A mirrored asynchronous write that does not fit: no longer
 * mirrored (its bits go out of sync, liscal_async_queue()). Outside a recovery the
 * peer becomes outdated until a recovery catches it up; during one, the
 * recovery walks the bits again.
 */
static void liscal_async_overflow(struct liscal_res *res,
				  struct liscal_req *req)
{
	req->send = false;
	liscal_stat_add(res, LISCAL_STATS_A_ASYNC_OVERFLOWS, 1);
	if (res->rs_dir == LISCAL_RECOVERY_NONE &&
	    res->pdisk == LISCAL_DISK_UPTODATE) {
		res->pdisk = LISCAL_DISK_OUTDATED;
		queue_work(res->wq, &res->catchup_work);
	}
}

/*
 * Queues an admitted, mirrored asynchronous write for the sender and
 * issues its local write (@clone). Context: the issue worker; the
 * request's issuer reference is dropped here.
 */
static void liscal_async_queue(struct liscal_res *res, struct liscal_req *req,
			       struct bio *clone)
{
	u32 bytes = req->nsect << 9;
	unsigned long flags;
	bool queued = false;

	req->copy = liscal_page_bio_alloc(res, req->sector, bytes,
					  REQ_OP_WRITE);
	if (req->copy && bytes)
		bio_copy_data(req->copy, req->bio);
	spin_lock_irqsave(&res->lock, flags);
	/* the connection may have gone, or the queue overflowed, since */
	if (res->conn != LISCAL_CONN_CONNECTED || !liscal_mirrored(res))
		req->send = false;
	else if (!req->copy || !liscal_async_room(res, bytes))
		liscal_async_overflow(res, req);
	if (!req->send && req->has_bits)	/* as in liscal_admit() */
		liscal_bm_set_range(res->oos, req->first, req->last);
	if (req->send) {
		atomic_inc(&req->pending);
		req->sent = true;
		list_add_tail(&req->ack_list, &res->send_q);
		res->sync_diff += bytes;
		res->send_queue++;
		liscal_stat_max(res, LISCAL_STATS_A_SYNC_DIFF_MAX, res->sync_diff);
		liscal_stat_max(res, LISCAL_STATS_A_SEND_QUEUE_MAX, res->send_queue);
		liscal_stat_max(res, LISCAL_STATS_A_SEND_QUEUE_MAX2, res->send_queue);
		queued = true;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	submit_bio_noacct(clone);
	if (queued)
		queue_work(res->wq, &res->send_work);
	liscal_req_put(req);
}

/* The sender stops waiting: the connection is failing or gone. */
static bool liscal_async_stop(struct liscal_res *res)
{
	return READ_ONCE(res->fail_reason) ||
	       READ_ONCE(res->conn) != LISCAL_CONN_CONNECTED;
}

/*
 * Bandwidth limit (p.bandlimit KiB/s): a token bucket of bytes refilled
 * at the rate, holding at most a quarter of a second or one largest
 * packet. Waits until @bytes may go; false when the sender must stop.
 */
static bool liscal_async_throttle(struct liscal_res *res, u32 bytes)
{
	u64 rate = (u64)READ_ONCE(res->p.bandlimit) * 1024;
	s64 burst, wait_ms;
	u64 now;

	if (!rate)
		return true;
	burst = max_t(s64, rate / 4, LISCAL_WIRE_MAX_IO);
	now = ktime_get_ns();
	if (!res->tb_last_ns)
		res->tb_tokens = burst;
	else
		res->tb_tokens += div64_u64((now - res->tb_last_ns) * rate,
					    NSEC_PER_SEC);
	res->tb_tokens = min(res->tb_tokens, burst);
	res->tb_last_ns = now;
	res->tb_tokens -= bytes;
	if (res->tb_tokens >= 0)
		return true;
	wait_ms = div64_u64((u64)-res->tb_tokens * MSEC_PER_SEC, rate) + 1;
	wait_event_timeout(res->waitq, liscal_async_stop(res),
			   msecs_to_jiffies(wait_ms));
	return !liscal_async_stop(res);
}

/* Waits until the peer acknowledged every write sent; false: stop. */
static bool liscal_async_drain(struct liscal_res *res)
{
	wait_event(res->waitq, list_empty(&res->ack_wait) ||
		   liscal_async_stop(res));
	return !liscal_async_stop(res);
}

/* The sender: send_q in order, flushes and FUA writes as barriers. */
void liscal_async_send_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, send_work);
	unsigned int noio = memalloc_noio_save();
	struct liscal_wire_hdr h;
	struct liscal_req *req;
	unsigned long flags;
	bool barrier;
	int ret;

	while (!liscal_async_stop(res)) {
		spin_lock_irqsave(&res->lock, flags);
		req = list_first_entry_or_null(&res->send_q, struct liscal_req,
					       ack_list);
		spin_unlock_irqrestore(&res->lock, flags);
		if (!req)
			break;
		/* Only the sender removes from send_q (teardown after it). */
		barrier = req->bio_flags & (REQ_PREFLUSH | REQ_FUA);
		if ((barrier || res->tx_barrier) && !liscal_async_drain(res))
			break;
		if (!liscal_async_throttle(res, req->nsect << 9))
			break;
		memset(&h, 0, sizeof(h));
		h.type = LISCAL_P_DATA;
		h.sector = req->sector;
		h.size = req->nsect << 9;
		h.len = h.size;
		if (req->bio_flags & REQ_FUA)
			h.flags |= LISCAL_WF_FUA;
		if (req->bio_flags & REQ_PREFLUSH)
			h.flags |= LISCAL_WF_PREFLUSH;
		h.seq = req->seq;
		spin_lock_irqsave(&res->lock, flags);
		if (res->conn != LISCAL_CONN_CONNECTED || res->fail_reason) {
			spin_unlock_irqrestore(&res->lock, flags);
			break;
		}
		list_move_tail(&req->ack_list, &res->ack_wait);
		req->sent_ns = ktime_get_ns();
		atomic_inc(&req->pending);	/* ours while sending */
		spin_unlock_irqrestore(&res->lock, flags);
		res->tx_barrier = barrier;
		ret = liscal_send(res, &h, NULL, 0, req->copy);
		liscal_req_put(req);
		if (ret) {
			liscal_send_failed(res, ret);
			break;
		}
	}
	/* a new connection starts without a barrier pending */
	if (liscal_async_stop(res))
		res->tx_barrier = false;
	memalloc_noio_restore(noio);
}

/*
 * After an overflow: a differential recovery brings the peer up to date.
 * Under state_mutex, like the other state transitions. If it cannot start
 * (the link broke meanwhile), the peer stays outdated and the next
 * handshake or RECOVERY_START decides.
 */
void liscal_async_catchup_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res,
					      catchup_work);
	int ret;

	mutex_lock(&res->state_mutex);
	ret = liscal_rs_start(res, false, NULL);
	mutex_unlock(&res->state_mutex);
	if (ret)
		pr_warn("%s: asynchronous send queue overflowed; catch-up recovery not started (%d), the peer stays outdated\n",
			res->name, ret);
	else
		pr_info("%s: asynchronous send queue overflowed: catching up by recovery\n",
			res->name);
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
	if (req->send) {
		req->seq = ++res->seq;
		req->async = READ_ONCE(res->p.sync_mode) == LISCAL_SYNC_ASYNC;
		req->bio_flags = req->bio->bi_opf;
	}
	if (!req->has_bits)
		return true;
	/*
	 * A write the peer will not get is out of sync from now on, not only
	 * from its completion: a recovery that starts meanwhile (the
	 * asynchronous catch-up does at once) must not end before it saw the
	 * bit. Its chunk read waits for the write (an issued write overlaps).
	 */
	if (!req->send)
		liscal_bm_set_range(res->oos, req->first, req->last);
	req->epoch = res->icur;
	req->counted = true;
	res->inflight[req->epoch]++;
	liscal_bm_set_range(res->intent[req->epoch], req->first, req->last);
	if (req->send) {
		liscal_bm_touch_hot(res, req->first, req->last);
		liscal_bm_hot_ahead(res, req->sector, req->sector + req->nsect,
				    req->last);
	}
	if (!liscal_bm_all_set(res->ondisk, req->first, req->last)) {
		liscal_bm_mark_dirty(res, req->first, req->last);
		liscal_stat_add(res, LISCAL_STATS_A_INTENT_WAITS, 1);
		*flush = true;
	}
	return true;
}

/*
 * Lock held. May a new write skip the issue worker at all? Only when
 * nothing is queued before it and no handshake or fence holds writes.
 */
static bool liscal_nothing_before(struct liscal_res *res)
{
	return list_empty(&res->issue_q) && !res->hold_writes && !res->fenced;
}

/*
 * Lock held. Can a new write be issued at once by its submitter? Only
 * when nothing is before it (liscal_nothing_before()), it is not mirrored
 * (the socket is the worker's: a submitter never blocks on the peer) and
 * its intent bits are already on disk: then liscal_admit() issues it
 * without a flush.
 */
static bool liscal_fast_path(struct liscal_res *res, struct liscal_req *req)
{
	return liscal_nothing_before(res) && !liscal_mirrored(res) &&
	       !liscal_rs_blocks(res, req) &&
	       (!req->has_bits ||
		liscal_bm_all_set(res->ondisk, req->first, req->last));
}

/*
 * Lock held. Can an empty flush (not FUA) of the connected mirror be
 * issued at once by its submitter? Only when nothing is before it
 * (liscal_nothing_before()), the mode is synchronous and the
 * peer's flushes ahead cover every DATA_ACK received so far: then it
 * needs no packet (liscal_flush_ahead()), only the local flush and maybe
 * a wait on ack_wait for the announced FLUSHED. The decision, the admission
 * and the enqueue on ack_wait are one critical section of the submitter's,
 * so no DATA_ACK arriving in between can make it need the socket.
 */
static bool liscal_flush_fast(struct liscal_res *res, struct liscal_req *req)
{
	return !req->nsect && !(req->bio->bi_opf & REQ_FUA) &&
	       liscal_nothing_before(res) && liscal_mirrored(res) &&
	       READ_ONCE(res->p.sync_mode) != LISCAL_SYNC_ASYNC &&
	       liscal_flush_covered(res);
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
			liscal_issue(res, req, NULL);
		}
		blk_finish_plug(&plug);
	}
	memalloc_noio_restore(noio);
}

static void liscal_submit_bio(struct bio *bio)
{
	struct liscal_res *res = bio->bi_bdev->bd_disk->private_data;
	bool fast, covered = false, flush = false;
	struct bio *clone = NULL;
	struct liscal_wire_hdr h;
	struct liscal_req *req;
	unsigned long flags;

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
	req->start_ns = ktime_get_ns();
	atomic_set(&req->pending, 1);
	/* an empty flush of the connected mirror may be issued here */
	if (!req->nsect && READ_ONCE(res->conn) == LISCAL_CONN_CONNECTED &&
	    READ_ONCE(res->p.sync_mode) != LISCAL_SYNC_ASYNC)
		clone = liscal_clone(res, req);
	spin_lock_irqsave(&res->lock, flags);
	/* under lock: a growth changes nbits (liscal_grow.c) */
	req->has_bits = liscal_bm_range(req->sector, req->nsect, res->shift,
					res->nbits, &req->first, &req->last);
	list_add_tail(&req->list, &res->writes);
	res->req_queue++;
	liscal_queue_stat(res);
	fast = liscal_fast_path(res, req);
	if (fast) {
		liscal_admit(res, req, &flush);
		liscal_stat_add(res, LISCAL_STATS_A_DIRECT_WRITES, 1);
	} else if (clone && liscal_flush_fast(res, req)) {
		/* no bits and nothing holds writes: admitted, no bitmap write */
		covered = liscal_admit(res, req, &flush);
		WARN_ON_ONCE(!covered || flush);
		if (covered) {
			liscal_stat_add(res, LISCAL_STATS_A_DIRECT_WRITES, 1);
			atomic_inc(&req->pending);
			liscal_hdr_init(&h, req);
			liscal_issue_locked(res, req, &h);
		}
	} else {
		list_add_tail(&req->qlist, &res->issue_q);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (covered) {
		/*
		 * Covered, checked in the same section as conn: no packet, so
		 * the submitter never blocks on the peer's socket.
		 */
		WARN_ON_ONCE(req->send && !req->ahead);
		liscal_issue_go(res, req, clone, &h);
		return;
	}
	if (!fast) {
		if (clone)
			bio_put(clone);
		queue_work(res->wq, &res->issue_work);
		return;
	}
	/* Not mirrored, bits on disk: no socket, no metadata I/O, no worker. */
	if (WARN_ON_ONCE(flush || req->send)) {
		if (clone)
			bio_put(clone);
		req->local_status = BLK_STS_IOERR;
		liscal_req_put(req);
		return;
	}
	liscal_issue(res, req, clone);
}

static const struct block_device_operations liscal_fops = {
	.owner = THIS_MODULE,
	.submit_bio = liscal_submit_bio,
	.open = liscal_open,
	.release = liscal_release,
};

/*
 * The pages of page bios are kept for reuse, up to LISCAL_PAGE_POOL_MAX
 * per resource: a page allocated afresh is zeroed first on kernels that
 * zero every allocation (init_on_alloc, Debian's default), a cost of 1 MiB
 * per recovery chunk on each side under emulation. Reuse is safe because
 * every user fills the whole bio before its data go anywhere: a read, a
 * receive (a short one fails the link and the bio is freed unsubmitted)
 * or a copy. A page someone else still holds a reference to is not kept.
 */
#define LISCAL_PAGE_POOL_MAX	(SZ_8M >> PAGE_SHIFT)	/* two recovery windows */

/*
 * A bio of @bytes in single pages (from the pool first), for recovery reads,
 * the peer's writes and the asynchronous mode's copies: up to
 * LISCAL_WIRE_MAX_RS (1024 pages), more vecs than bio_alloc() gives
 * (BIO_MAX_VECS), hence bio_kmalloc(). @bytes 0: an empty bio (the peer's
 * flush). Process context, GFP_NOIO. NULL: no memory. Free with
 * liscal_page_bio_free().
 */
struct bio *liscal_page_bio_alloc(struct liscal_res *res, u64 sector,
				  u32 bytes, blk_opf_t opf)
{
	unsigned int npages = DIV_ROUND_UP(bytes, PAGE_SIZE), reused = 0;
	unsigned long flags;
	struct page *page;
	struct bio *bio;
	u32 left, n;

	if (WARN_ON_ONCE(npages > BIO_MAX_INLINE_VECS))
		return NULL;
	bio = bio_kmalloc(npages, GFP_NOIO);
	if (!bio)
		return NULL;
	bio_init(bio, res->dbdev, bio->bi_inline_vecs, npages, opf);
	bio->bi_iter.bi_sector = sector;
	left = bytes;
	spin_lock_irqsave(&res->page_lock, flags);
	while (left && res->page_pooled) {
		page = list_first_entry(&res->page_pool, struct page, lru);
		list_del(&page->lru);
		res->page_pooled--;
		reused++;
		n = min_t(u32, left, PAGE_SIZE);
		__bio_add_page(bio, page, n, 0);
		left -= n;
	}
	spin_unlock_irqrestore(&res->page_lock, flags);
	if (reused)
		atomic64_add(reused, &res->pages_reused);
	while (left) {
		page = alloc_page(GFP_NOIO);
		if (!page)
			goto err_free_pages;
		n = min_t(u32, left, PAGE_SIZE);
		__bio_add_page(bio, page, n, 0);
		left -= n;
	}
	return bio;

err_free_pages:
	liscal_page_bio_free(res, bio);
	return NULL;
}

/*
 * Frees a bio of liscal_page_bio_alloc(); its pages go back to the pool
 * while it has room. Any context (page_lock is taken with interrupts off).
 */
void liscal_page_bio_free(struct liscal_res *res, struct bio *bio)
{
	struct bvec_iter_all it;
	unsigned int n = 0;
	struct bio_vec *bv;
	unsigned long flags;
	struct page *page;
	bool kept = false;
	LIST_HEAD(back);

	bio_for_each_segment_all(bv, bio, it) {
		page = bv->bv_page;
		if (page_ref_count(page) == 1) {
			list_add(&page->lru, &back);
			n++;
		} else {
			__free_page(page);
		}
	}
	bio_uninit(bio);
	kfree(bio);
	if (!n)
		return;
	/* all or nothing: one splice with interrupts off */
	spin_lock_irqsave(&res->page_lock, flags);
	if (res->page_pooled + n <= LISCAL_PAGE_POOL_MAX) {
		list_splice(&back, &res->page_pool);
		res->page_pooled += n;
		kept = true;
	}
	spin_unlock_irqrestore(&res->page_lock, flags);
	if (!kept)
		put_pages_list(&back);
}

/*
 * Frees the pages kept for reuse: when the connection ends (no recovery
 * or peer write needs them until the next one) and at RES_DESTROY. Pages
 * of bios still in use come back later. Any context.
 */
void liscal_page_pool_free(struct liscal_res *res)
{
	unsigned long flags;
	LIST_HEAD(gone);

	spin_lock_irqsave(&res->page_lock, flags);
	list_splice_init(&res->page_pool, &gone);
	res->page_pooled = 0;
	spin_unlock_irqrestore(&res->page_lock, flags);
	put_pages_list(&gone);
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
