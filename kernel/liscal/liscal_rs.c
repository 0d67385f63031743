// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_rs.c - mirror recovery. The source walks its oos bitmap in
 * chunks of the recovery data size, a window of them in flight at once:
 * each chunk's region is locked (new local writes to it wait), read once
 * no local write in flight overlaps it (asynchronously, while earlier
 * chunks are on the wire), sent, and its bits cleared and its region
 * released when the target acked its disk write. The target writes without
 * FUA: until a flush of the target's disk confirmed the chunk (one sent for
 * every LISCAL_RS_FLUSH_BYTES acked, while the pipeline goes on, and one
 * waited for at the end of each pass) its bits move from oos to
 * res->unflushed, which keeps them on disk and goes back into oos if the
 * flush is not confirmed. The bits on disk are cleared lazily, so a crash
 * of either side resumes from what is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sched/mm.h>

#include "liscal_int.h"

/*
 * The window: chunks are locked while fewer than LISCAL_RS_MIN_CHUNKS are
 * in flight, or while fewer than LISCAL_RS_MAX_CHUNKS are and the next one
 * keeps their data within LISCAL_RS_MAX_BYTES (Documentation/liscal.md,
 * Recovery, says why these values).
 */
#define LISCAL_RS_MIN_CHUNKS	2
#define LISCAL_RS_MAX_CHUNKS	16
#define LISCAL_RS_MAX_BYTES	(4U << 20)
/*
 * Acked recovery data between two flushes of the target's disk: 4 windows.
 * The pipeline waits for a flush only when as much again was acked while
 * it was in flight, or at the end of a pass.
 */
#define LISCAL_RS_FLUSH_BYTES	(16U << 20)

enum liscal_rs_state {
	LISCAL_RSC_LOCKED,	/* range locked, issued writes may overlap it */
	LISCAL_RSC_READING,	/* read bio submitted */
	LISCAL_RSC_READ,	/* read completed, status set */
	LISCAL_RSC_SENT,	/* RS_DATA sent, waiting for its RS_ACK */
	LISCAL_RSC_ACKED,	/* RS_ACK arrived, ack_err set */
};

/*
 * One recovery chunk in flight, on res->rs_chunks. Allocated, sent and
 * freed only by the recovery thread; state, status, ack_err, seq and
 * ack_us change under res->lock.
 */
struct liscal_rs_chunk {
	struct list_head list;		/* res->rs_chunks, lock */
	struct liscal_res *res;
	struct bio *bio;		/* bio_kmalloc()ed; its pages hold the data */
	struct bvec_iter iter;		/* bio's iterator as built, for the send */
	u64 first, last;		/* bitmap bits */
	u32 bytes;
	enum liscal_rs_state state;
	blk_status_t status;		/* read result */
	bool ack_err;			/* the target's write failed */
	u64 seq;			/* RS_DATA sequence once SENT */
	u64 lock_ns, sent_ns;
	u64 ack_us;			/* send to RS_ACK */
};

/* The walk over the bitmap: recovery thread only. */
struct liscal_rs_walk {
	u64 cursor;			/* next bit to look at in this pass */
	bool pass_end;			/* no set bit from cursor to the end */
};

/*
 * The acknowledged chunks not yet confirmed durable on the target (their
 * bits are in res->unflushed; their data and ranges are released):
 * recovery thread only. @pend were acked after the flush in flight was
 * sent (or none is), @flushing are covered by it.
 */
struct liscal_rs_unfl {
	struct list_head pend, flushing;
	u64 pend_bytes;
	bool busy;			/* holds the one peer flush */
	u64 sent_ns;			/* when it was sent */
};

/* RS_ACK from the receiver: matched by sequence, in any order. */
void liscal_rs_ack(struct liscal_res *res, u64 seq, bool err)
{
	struct liscal_rs_chunk *c;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&res->lock, flags);
	list_for_each_entry(c, &res->rs_chunks, list) {
		if (c->state == LISCAL_RSC_SENT && c->seq == seq) {
			c->state = LISCAL_RSC_ACKED;
			c->ack_err = err;
			c->ack_us = (ktime_get_ns() - c->sent_ns) / 1000;
			res->rs_unacked--;
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(&res->lock, flags);
	/* an ack of an abandoned chunk (after a stop) finds nothing */
	if (found)
		wake_up_all(&res->waitq);
}

/* Lock held. Do bits [first, last] overlap a recovery chunk in flight? */
bool liscal_rs_locked(struct liscal_res *res, u64 first, u64 last)
{
	struct liscal_rs_chunk *c;

	list_for_each_entry(c, &res->rs_chunks, list)
		if (c->first <= last && c->last >= first)
			return true;
	return false;
}

static void liscal_rs_chunk_free(struct liscal_rs_chunk *c)
{
	if (c->bio)
		liscal_page_bio_free(c->res, c->bio);
	kfree(c);
}

static void liscal_rs_list_free(struct list_head *l)
{
	struct liscal_rs_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, l, list) {
		list_del(&c->list);
		liscal_rs_chunk_free(c);
	}
}

static void liscal_rs_read_endio(struct bio *bio)
{
	struct liscal_rs_chunk *c = bio->bi_private;
	struct liscal_res *res = c->res;
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	c->status = bio->bi_status;
	c->state = LISCAL_RSC_READ;
	spin_unlock_irqrestore(&res->lock, flags);
	wake_up_all(&res->waitq);
}

/* A chunk for bits [f, l] with its read bio and pages; NULL: no memory. */
static struct liscal_rs_chunk *liscal_rs_chunk_alloc(struct liscal_res *res,
						     u64 f, u64 l)
{
	u64 sector = f << (res->shift - 9);
	u64 nsect = min((l - f + 1) << (res->shift - 9),
			res->data_sectors - sector);
	u32 bytes = nsect << 9;
	struct liscal_rs_chunk *c;
	struct bio *bio;

	if (WARN_ON_ONCE(!bytes || bytes > LISCAL_WIRE_MAX_RS))
		return NULL;
	c = kzalloc(sizeof(*c), GFP_NOIO);
	if (!c)
		return NULL;
	bio = liscal_page_bio_alloc(res, sector, bytes, REQ_OP_READ);
	if (!bio) {
		kfree(c);
		return NULL;
	}
	bio->bi_private = c;
	bio->bi_end_io = liscal_rs_read_endio;
	c->bio = bio;
	c->iter = bio->bi_iter;
	c->res = res;
	c->first = f;
	c->last = l;
	c->bytes = bytes;
	c->state = LISCAL_RSC_LOCKED;
	return c;
}

/* Lock held. May one more chunk of up to @bytes be locked? */
static bool liscal_rs_room(struct liscal_res *res, u64 bytes)
{
	if (res->rs_nchunks < LISCAL_RS_MIN_CHUNKS)
		return true;
	return res->rs_nchunks < LISCAL_RS_MAX_CHUNKS &&
	       res->rs_nbytes + bytes <= LISCAL_RS_MAX_BYTES;
}

static u64 liscal_rs_chunk_bits(struct liscal_res *res)
{
	return max_t(u64, 1, READ_ONCE(res->p.recovery_chunk) >> res->shift);
}

/*
 * Locks the next chunks of the walk (contiguous set bits from the cursor,
 * up to the recovery data size each) while the window has room: from
 * here on, writes overlapping them are deferred by the issue worker.
 * Returns 0 or -ENOMEM.
 */
static int liscal_rs_fill(struct liscal_res *res, struct liscal_rs_walk *w)
{
	struct liscal_rs_chunk *c;
	unsigned long flags;
	u64 f, l, bits;

	while (!w->pass_end) {
		bits = liscal_rs_chunk_bits(res);
		spin_lock_irqsave(&res->lock, flags);
		if (!liscal_rs_room(res, bits << res->shift)) {
			spin_unlock_irqrestore(&res->lock, flags);
			return 0;
		}
		f = liscal_bm_next_set(res->oos, res->nbits, w->cursor);
		if (f == res->nbits) {
			w->pass_end = true;
			spin_unlock_irqrestore(&res->lock, flags);
			return 0;
		}
		l = f;
		while (l + 1 < res->nbits && l + 1 - f < bits &&
		       liscal_bm_test(res->oos, l + 1))
			l++;
		spin_unlock_irqrestore(&res->lock, flags);
		/*
		 * Chunks of a pass are taken in ascending order and the
		 * cursor is past all of them: only this thread clears bits,
		 * so [f, l] stays set and overlaps no chunk in flight.
		 */
		c = liscal_rs_chunk_alloc(res, f, l);
		if (!c)
			return -ENOMEM;
		c->lock_ns = ktime_get_ns();
		spin_lock_irqsave(&res->lock, flags);
		WARN_ON_ONCE(liscal_rs_locked(res, f, l));
		list_add_tail(&c->list, &res->rs_chunks);
		res->rs_nchunks++;
		res->rs_nbytes += c->bytes;
		spin_unlock_irqrestore(&res->lock, flags);
		w->cursor = l + 1;
	}
	return 0;
}

/* Lock held. A locked chunk no issued write overlaps any more, or NULL. */
static struct liscal_rs_chunk *liscal_rs_readable(struct liscal_res *res)
{
	struct liscal_rs_chunk *c;

	list_for_each_entry(c, &res->rs_chunks, list)
		if (c->state == LISCAL_RSC_LOCKED &&
		    !liscal_writes_overlap(res, c->first, c->last))
			return c;
	return NULL;
}

/* Lock held. The first chunk in @state, or NULL. */
static struct liscal_rs_chunk *liscal_rs_find(struct liscal_res *res,
					      enum liscal_rs_state state)
{
	struct liscal_rs_chunk *c;

	list_for_each_entry(c, &res->rs_chunks, list)
		if (c->state == state)
			return c;
	return NULL;
}

/*
 * Submits the reads of the locked chunks that no issued write overlaps
 * any more (the time a chunk waited for them: "recovery-read waiting
 * local-write"). They complete in liscal_rs_read_endio.
 */
static void liscal_rs_read(struct liscal_res *res)
{
	struct liscal_rs_chunk *c;
	unsigned long flags;
	u64 us;

	for (;;) {
		spin_lock_irqsave(&res->lock, flags);
		c = liscal_rs_readable(res);
		if (!c) {
			spin_unlock_irqrestore(&res->lock, flags);
			return;
		}
		c->state = LISCAL_RSC_READING;
		us = (ktime_get_ns() - c->lock_ns) / 1000;
		liscal_stat_add(res, LISCAL_STATS_A_RR_WAIT_LW_TOTAL, us);
		liscal_stat_add(res, LISCAL_STATS_A_RR_WAIT_LW_TOTAL2, us);
		spin_unlock_irqrestore(&res->lock, flags);
		submit_bio(c->bio);
	}
}

/*
 * Sends the first chunk whose read completed. Returns 1 when one was
 * sent, 0 when none was ready, or an error after failing the link (send)
 * or applying the I/O error action (read).
 */
static int liscal_rs_send(struct liscal_res *res)
{
	struct liscal_wire_hdr h = { .type = LISCAL_P_RS_DATA };
	struct liscal_rs_chunk *c;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&res->lock, flags);
	c = liscal_rs_find(res, LISCAL_RSC_READ);
	if (!c) {
		spin_unlock_irqrestore(&res->lock, flags);
		return 0;
	}
	if (c->status) {
		ret = blk_status_to_errno(c->status);
		spin_unlock_irqrestore(&res->lock, flags);
		liscal_io_error(res, false, ret);
		return ret;
	}
	h.seq = ++res->rs_counter;
	c->seq = h.seq;
	c->sent_ns = ktime_get_ns();
	c->state = LISCAL_RSC_SENT;
	res->rs_unacked++;
	liscal_stat_max(res, LISCAL_STATS_A_RECOVERY_INFLIGHT_MAX,
			res->rs_unacked);
	liscal_stat_add(res, LISCAL_STATS_A_LOCAL_READ_BYTES, c->bytes);
	spin_unlock_irqrestore(&res->lock, flags);
	/* Only this thread uses c->bio and frees c, even once it is acked. */
	c->bio->bi_iter = c->iter;
	h.sector = c->iter.bi_sector;
	h.size = c->bytes;
	h.len = c->bytes;
	ret = liscal_send(res, &h, NULL, 0, c->bio);
	if (ret) {
		liscal_send_failed(res, ret);
		return ret;
	}
	return 1;
}

/*
 * Retires the acknowledged chunks: moves their bits from oos to unflushed
 * and the chunks, their data freed, to @u->pend (until a flush of the
 * target's disk covers them, liscal_rs_durable), counts them in the
 * statistics, and releases their ranges, waking the writes deferred
 * behind them. A chunk acked with an error is left for liscal_rs_abandon
 * (its bits stay) and fails the link: returns -EIO.
 */
static int liscal_rs_retire(struct liscal_res *res, struct liscal_rs_unfl *u)
{
	struct liscal_rs_chunk *c, *tmp;
	unsigned long flags;
	LIST_HEAD(done);
	bool peer_err = false;

	spin_lock_irqsave(&res->lock, flags);
	list_for_each_entry_safe(c, tmp, &res->rs_chunks, list) {
		if (c->state != LISCAL_RSC_ACKED)
			continue;
		if (c->ack_err) {
			peer_err = true;
			break;
		}
		liscal_bm_clear_range(res->oos, c->first, c->last);
		liscal_bm_set_range(res->unflushed, c->first, c->last);
		u->pend_bytes += c->bytes;
		res->rs_done += c->bytes;
		liscal_stat_add(res, LISCAL_STATS_A_RECOVERY_SENT_BYTES, c->bytes);
		if (u->busy)
			liscal_stat_add(res, LISCAL_STATS_A_RECOVERY_FLUSH_OVERLAP, 1);
		res->st.v[LISCAL_STATS_A_RECOVERY_ACK_CUR] = c->ack_us;
		liscal_stat_max(res, LISCAL_STATS_A_RECOVERY_ACK_MAX, c->ack_us);
		liscal_stat_max(res, LISCAL_STATS_A_RECOVERY_ACK_MAX2, c->ack_us);
		res->rs_nchunks--;
		res->rs_nbytes -= c->bytes;
		list_move_tail(&c->list, &done);
	}
	if (!list_empty(&done))
		list_splice_tail_init(&res->deferred, &res->issue_q);
	spin_unlock_irqrestore(&res->lock, flags);
	if (!list_empty(&done))
		queue_work(res->wq, &res->issue_work);
	list_for_each_entry(c, &done, list) {
		liscal_page_bio_free(c->res, c->bio);
		c->bio = NULL;
	}
	list_splice_tail(&done, &u->pend);
	if (peer_err) {
		liscal_conn_fail(res, LISCAL_REASON_PEER_IO_ERROR);
		return -EIO;
	}
	return 0;
}

/*
 * Lock held. The recovered regions not confirmed durable on the target go
 * back to oos: a later pass or recovery copies them again.
 */
static void liscal_rs_unflushed_back(struct liscal_res *res)
{
	size_t i;

	for (i = 0; i < res->nwords; i++) {
		res->oos[i] |= res->unflushed[i];
		res->unflushed[i] = 0;
	}
}

/*
 * The flush held ended with @ret: confirmed, the regions it covers leave
 * unflushed (those acked again since stay: a region may be copied twice,
 * and its second copy is not covered); otherwise every region not
 * confirmed goes back to oos and the link fails, as for a chunk's ack
 * timeout or a send error (the target is left inconsistent and the next
 * handshake resumes the recovery).
 */
static int liscal_rs_flush_ended(struct liscal_res *res,
				 struct liscal_rs_unfl *u, int ret)
{
	struct liscal_rs_chunk *c;
	unsigned long flags;

	u->busy = false;
	spin_lock_irqsave(&res->lock, flags);
	if (!ret) {
		list_for_each_entry(c, &u->flushing, list)
			liscal_bm_clear_range(res->unflushed, c->first, c->last);
		list_for_each_entry(c, &u->pend, list)
			liscal_bm_set_range(res->unflushed, c->first, c->last);
	} else {
		liscal_rs_unflushed_back(res);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_rs_list_free(&u->flushing);
	if (!ret)
		return 0;
	/* all of them are in oos again */
	liscal_rs_list_free(&u->pend);
	u->pend_bytes = 0;
	if (ret != -ENOTCONN && ret != -EINTR) {
		pr_warn("%s: the peer did not confirm a flush of the recovered data (%d): the regions stay out of sync\n",
			res->name, ret);
		if (ret == -EREMOTEIO)
			liscal_conn_fail(res, LISCAL_REASON_PEER_IO_ERROR);
		else if (ret == -ETIMEDOUT)
			liscal_conn_fail(res, LISCAL_REASON_BREAK_ACK_TIMEOUT);
		else
			liscal_send_failed(res, ret);
	}
	return ret;
}

/* Nanoseconds left until the flush in flight's ack timeout; 0: expired. */
static u64 liscal_rs_flush_left(struct liscal_res *res,
				const struct liscal_rs_unfl *u)
{
	u64 ack_to = (u64)READ_ONCE(res->p.ack_timeout) * NSEC_PER_MSEC;
	u64 age = ktime_get_ns() - u->sent_ns;

	return age < ack_to ? ack_to - age : 0;
}

/*
 * Makes the retired chunks durable: a flush of the target's disk covers
 * every write the target completed before it acked them, so a flush sent
 * now covers @u->pend. Only this thread sets unflushed.
 *
 * While the pipeline runs (!@all) the flush is sent once LISCAL_RS_FLUSH_BYTES
 * are pending and not waited for: its ack is collected on a later call;
 * the thread waits only when a flush is still in flight and as much again
 * is pending, or when the cleaner's flush holds the claim then (it is
 * retried on the next call). With @all (the end of a pass) it waits until
 * everything pending is confirmed. Returns 0, or the error after which
 * every region not confirmed is back in oos and the link fails.
 */
static int liscal_rs_durable(struct liscal_res *res, struct liscal_rs_unfl *u,
			     bool all)
{
	u64 left;
	int ret;

	for (;;) {
		if (u->busy) {
			left = liscal_rs_flush_left(res, u);
			if (!liscal_peer_flush_done(res) && left &&
			    !READ_ONCE(res->rs_stop)) {
				if (!all && u->pend_bytes < LISCAL_RS_FLUSH_BYTES)
					return 0;
				wait_event_timeout(res->waitq,
						   liscal_peer_flush_done(res) ||
						   READ_ONCE(res->rs_stop),
						   nsecs_to_jiffies(left) + 1);
				continue;
			}
			if (READ_ONCE(res->rs_stop))
				ret = -EINTR;
			else if (liscal_peer_flush_done(res))
				ret = -ENOTCONN;	/* unless acked */
			else
				ret = -ETIMEDOUT;
			ret = liscal_rs_flush_ended(res, u,
						    liscal_peer_flush_end(res, ret));
			if (ret)
				return ret;
		}
		if (!u->pend_bytes ||
		    (!all && u->pend_bytes < LISCAL_RS_FLUSH_BYTES))
			return 0;
		if (READ_ONCE(res->rs_stop))
			return -EINTR;
		ret = liscal_peer_flush_start(res);
		if (ret < 0)
			return liscal_rs_flush_ended(res, u, ret);
		if (!ret) {
			if (!all)
				return 0;	/* the cleaner's: later */
			wait_event(res->waitq, !READ_ONCE(res->flush_state) ||
				   READ_ONCE(res->rs_stop));
			continue;
		}
		list_splice_tail_init(&u->pend, &u->flushing);
		u->pend_bytes = 0;
		u->sent_ns = ktime_get_ns();
		u->busy = true;
	}
}

/*
 * The ack timeout, per chunk from its send. Returns -ETIMEDOUT after
 * failing the link, else 0 with *@tmo the jiffies until the next chunk's
 * deadline (at most a second).
 */
static int liscal_rs_timeout(struct liscal_res *res, long *tmo)
{
	u64 ack_to = (u64)READ_ONCE(res->p.ack_timeout) * NSEC_PER_MSEC;
	u64 now = ktime_get_ns(), left = NSEC_PER_SEC;
	struct liscal_rs_chunk *c;
	unsigned long flags;
	bool expired = false;

	spin_lock_irqsave(&res->lock, flags);
	list_for_each_entry(c, &res->rs_chunks, list) {
		if (c->state != LISCAL_RSC_SENT)
			continue;
		if (now - c->sent_ns >= ack_to) {
			expired = true;
			break;
		}
		left = min(left, c->sent_ns + ack_to - now);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (expired) {
		liscal_conn_fail(res, LISCAL_REASON_BREAK_ACK_TIMEOUT);
		return -ETIMEDOUT;
	}
	*tmo = nsecs_to_jiffies(left) + 1;
	return 0;
}

/* The flush in flight's ack timeout shortens the wait to its deadline. */
static void liscal_rs_flush_tmo(struct liscal_res *res,
				const struct liscal_rs_unfl *u, long *tmo)
{
	if (u->busy)
		*tmo = min_t(long, *tmo,
			     nsecs_to_jiffies(liscal_rs_flush_left(res, u)) + 1);
}

/* Something for the recovery thread to do (its wait condition)? */
static bool liscal_rs_has_work(struct liscal_res *res,
			       const struct liscal_rs_walk *w,
			       const struct liscal_rs_unfl *u)
{
	u64 bytes = liscal_rs_chunk_bits(res) << res->shift;
	unsigned long flags;
	bool work;

	if (READ_ONCE(res->rs_stop) || (u->busy && liscal_peer_flush_done(res)))
		return true;
	spin_lock_irqsave(&res->lock, flags);
	work = (w->pass_end ? !res->rs_nchunks : liscal_rs_room(res, bytes)) ||
	       liscal_rs_find(res, LISCAL_RSC_ACKED) ||
	       liscal_rs_find(res, LISCAL_RSC_READ) ||
	       liscal_rs_readable(res);
	spin_unlock_irqrestore(&res->lock, flags);
	return work;
}

static bool liscal_rs_no_reads(struct liscal_res *res)
{
	unsigned long flags;
	bool reading;

	spin_lock_irqsave(&res->lock, flags);
	reading = liscal_rs_find(res, LISCAL_RSC_READING);
	spin_unlock_irqrestore(&res->lock, flags);
	return !reading;
}

/*
 * Ends the pipeline: waits for the reads in flight, then drops every
 * chunk still in flight without clearing its bits (a later recovery
 * copies it again), releases their ranges and frees them.
 */
static void liscal_rs_abandon(struct liscal_res *res)
{
	struct liscal_rs_chunk *c, *tmp;
	unsigned long flags;
	LIST_HEAD(gone);

	wait_event(res->waitq, liscal_rs_no_reads(res));
	spin_lock_irqsave(&res->lock, flags);
	list_splice_init(&res->rs_chunks, &gone);
	res->rs_nchunks = 0;
	res->rs_nbytes = 0;
	res->rs_unacked = 0;
	list_splice_tail_init(&res->deferred, &res->issue_q);
	spin_unlock_irqrestore(&res->lock, flags);
	queue_work(res->wq, &res->issue_work);
	list_for_each_entry_safe(c, tmp, &gone, list)
		liscal_rs_chunk_free(c);
}

/*
 * The pipeline: returns 1 when a full pass found no bit left after every
 * chunk was acked, or an error (the link failed, a read failed, stopped).
 */
static int liscal_rs_pipeline(struct liscal_res *res)
{
	struct liscal_rs_walk w = { 0 };
	struct liscal_rs_unfl u = { .pend = LIST_HEAD_INIT(u.pend),
				    .flushing = LIST_HEAD_INIT(u.flushing) };
	unsigned long flags;
	bool clean;
	long tmo;
	int ret;

	for (;;) {
		if (READ_ONCE(res->rs_stop)) {
			ret = -EINTR;
			break;
		}
		ret = liscal_rs_retire(res, &u);
		if (!ret)
			ret = liscal_rs_durable(res, &u, false);
		if (!ret)
			ret = liscal_rs_fill(res, &w);
		if (ret)
			break;
		liscal_rs_read(res);
		ret = liscal_rs_send(res);
		if (ret < 0)
			break;
		if (ret)
			continue;
		ret = liscal_rs_timeout(res, &tmo);
		if (ret)
			break;
		liscal_rs_flush_tmo(res, &u, &tmo);
		spin_lock_irqsave(&res->lock, flags);
		clean = w.pass_end && !res->rs_nchunks;
		spin_unlock_irqrestore(&res->lock, flags);
		/* the pass is over: what it copied is made durable first */
		if (clean) {
			ret = liscal_rs_durable(res, &u, true);
			if (ret)
				break;
		}
		spin_lock_irqsave(&res->lock, flags);
		if (clean && liscal_bm_count(res->oos, res->nbits)) {
			/* bits set behind the cursor: another pass */
			w.cursor = 0;
			w.pass_end = false;
			clean = false;
			spin_unlock_irqrestore(&res->lock, flags);
			continue;
		}
		spin_unlock_irqrestore(&res->lock, flags);
		if (clean) {
			ret = 1;
			break;
		}
		wait_event_timeout(res->waitq, liscal_rs_has_work(res, &w, &u),
				   tmo);
	}
	/* a flush still in flight is given up: its late ack matches nothing */
	if (u.busy)
		liscal_peer_flush_end(res, -EINTR);
	/* not confirmed durable: back to oos, a later recovery copies them */
	spin_lock_irqsave(&res->lock, flags);
	liscal_rs_unflushed_back(res);
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_rs_list_free(&u.pend);
	liscal_rs_list_free(&u.flushing);
	return ret;
}

static void liscal_rs_finish(struct liscal_res *res)
{
	struct liscal_wire_sync sy;
	struct liscal_wire_sync_disk sd;
	struct liscal_snap snap;
	unsigned long flags;
	int ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	/*
	 * The cleared bits on disk, so that a crash does not copy it all
	 * again. A failure costs nothing but that (set bits are a superset)
	 * and fails this disk: the target has everything and becomes current.
	 */
	ret = liscal_bm_flush(res, true);
	if (ret)
		pr_err("%s: bitmap write failed (%d) at the end of the recovery\n",
		       res->name, ret);
	/*
	 * SYNC_DONE carries the generation the target adopts; the STATE
	 * before it tells the target that generation (it refuses a SYNC_DONE
	 * with another one). Both under state_mutex: it cannot change
	 * in between.
	 */
	sy.gen = res->sb.gen_current;
	sy.bytes = 0;
	liscal_wire_encode_sync(&sy, &sd);
	if (liscal_send_state(res, 0, 0) ||
	    liscal_send_simple(res, LISCAL_P_SYNC_DONE, 0, 0, 0, 0, &sd,
			       sizeof(sd))) {
		mutex_unlock(&res->state_mutex);
		return;
	}
	spin_lock_irqsave(&res->lock, flags);
	res->pdisk = LISCAL_DISK_UPTODATE;
	res->rs_dir = LISCAL_RECOVERY_NONE;
	res->split_brain = false;
	res->rs_full = false;
	res->sb.flags &= ~(LISCAL_SB_F_PEER_OUTDATED | LISCAL_SB_F_FORCED |
			   LISCAL_SB_F_FULL_SYNC | LISCAL_SB_F_SPLIT_BRAIN);
	res->sb.gen_bitmap = 0;
	res->sb.last_update = liscal_now();
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	if (ret)
		pr_err("%s: the end of the recovery could not be recorded here (%d): this disk failed, the peer's copy is current\n",
		       res->name, ret);
	pr_info("%s: mirror recovery done, %llu bytes copied\n", res->name,
		res->rs_done);
	liscal_event_since(res, &snap, LISCAL_REASON_RECOVERY_DONE, NULL);
}

static int liscal_rs_thread(void *data)
{
	struct liscal_res *res = data;
	unsigned int noio = memalloc_noio_save();
	struct liscal_wire_sync sy;
	struct liscal_wire_sync_disk sd;
	unsigned long flags;
	int ret;

	/*
	 * The target accepts a SYNC_START only from a copy that said it is
	 * current, with the generation it said: a STATE first, both under
	 * state_mutex (the generation cannot change in between).
	 */
	mutex_lock(&res->state_mutex);
	sy.gen = res->sb.gen_current;
	sy.bytes = res->rs_total;
	liscal_wire_encode_sync(&sy, &sd);
	ret = liscal_send_state(res, 0, 0);
	if (!ret)
		ret = liscal_send_simple(res, LISCAL_P_SYNC_START,
					 res->rs_full ? LISCAL_WF_FULL : 0, 0,
					 0, 0, &sd, sizeof(sd));
	mutex_unlock(&res->state_mutex);
	if (!ret)
		ret = liscal_rs_pipeline(res);
	liscal_rs_abandon(res);
	if (ret == 1) {
		liscal_rs_finish(res);
	} else {
		spin_lock_irqsave(&res->lock, flags);
		res->rs_dir = LISCAL_RECOVERY_NONE;
		spin_unlock_irqrestore(&res->lock, flags);
		liscal_event(res, LISCAL_REASON_RECOVERY_CANCELLED, 0, 0, 0, 0,
			     NULL);
	}
	memalloc_noio_restore(noio);
	return 0;
}

/* Starts recovery with this side as the source. */
int liscal_rs_start(struct liscal_res *res, bool full,
		    struct netlink_ext_ack *extack)
{
	struct task_struct *t;
	struct liscal_snap snap;
	unsigned long flags;
	int ret = 0;

	mutex_lock(&res->rs_mutex);
	if (res->rs_task && READ_ONCE(res->rs_dir) == LISCAL_RECOVERY_NONE) {
		/* reap the thread of the last recovery, which has ended */
		kthread_stop(res->rs_task);
		put_task_struct(res->rs_task);
		res->rs_task = NULL;
	}
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (res->conn != LISCAL_CONN_CONNECTED) {
		liscal_errf(extack, "%s is not connected to the peer", res->name);
		ret = -ENOTCONN;
	} else if (res->disk_state != LISCAL_DISK_UPTODATE) {
		liscal_errf(extack, "%s: this copy is not current, it cannot be the source",
			    res->name);
		ret = -EINVAL;
	} else if (res->split_brain) {
		liscal_errf(extack, "%s: split brain: only a forced recovery resolves it",
			    res->name);
		ret = -EINVAL;
	} else if (res->peer_role == LISCAL_ROLE_ACTIVE) {
		/* never overwrite the copy an application is using */
		liscal_errf(extack, "%s is active on the peer: deactivate it there first",
			    res->name);
		ret = -EPERM;
	} else if (res->rs_dir != LISCAL_RECOVERY_NONE) {
		liscal_errf(extack, "%s: recovery already running", res->name);
		ret = -EALREADY;
	}
	if (ret) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->rs_mutex);
		return ret;
	}
	/* What a failed disk still holds is unknown: everything is copied. */
	if (res->pdisk == LISCAL_DISK_FAILED)
		full = true;
	if (full || res->rs_full) {
		liscal_bm_set_range(res->oos, 0, res->nbits - 1);
		res->rs_full = true;
	}
	res->rs_dir = LISCAL_RECOVERY_TO_PEER;
	res->rs_stop = false;
	res->rs_done = 0;
	res->rs_total = min(liscal_bm_count(res->oos, res->nbits) << res->shift,
			    res->data_bytes);
	if (res->pdisk == LISCAL_DISK_UPTODATE && res->rs_total)
		res->pdisk = LISCAL_DISK_OUTDATED;
	spin_unlock_irqrestore(&res->lock, flags);
	/* the set bits on disk: a crash resumes the full copy */
	ret = full ? liscal_bm_flush(res, true) : 0;
	if (ret) {
		liscal_errf(extack, "%s: bitmap write failed (%d): recovery not started",
			    res->name, ret);
		t = ERR_PTR(ret);
	} else {
		t = kthread_create(liscal_rs_thread, res, "liscal_rs_%s",
				   res->name);
	}
	if (IS_ERR(t)) {
		spin_lock_irqsave(&res->lock, flags);
		res->rs_dir = LISCAL_RECOVERY_NONE;
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->rs_mutex);
		return PTR_ERR(t);
	}
	get_task_struct(t);
	res->rs_task = t;
	wake_up_process(t);
	mutex_unlock(&res->rs_mutex);
	pr_info("%s: mirror recovery started (%s), %llu bytes to copy\n",
		res->name, full ? "full" : "differential", res->rs_total);
	liscal_event_since(res, &snap, LISCAL_REASON_RECOVERY_STARTED, NULL);
	return 0;
}

/* Stops the source loop and reaps its thread. Not under state_mutex. */
void liscal_rs_stop(struct liscal_res *res)
{
	unsigned long flags;

	mutex_lock(&res->rs_mutex);
	if (res->rs_task) {
		spin_lock_irqsave(&res->lock, flags);
		res->rs_stop = true;
		spin_unlock_irqrestore(&res->lock, flags);
		wake_up_all(&res->waitq);
		kthread_stop(res->rs_task);
		put_task_struct(res->rs_task);
		res->rs_task = NULL;
	}
	mutex_unlock(&res->rs_mutex);
}

/*
 * Target: the source starts sending; this copy becomes inconsistent, on
 * disk before any recovery data is written. Refused (counted, nothing
 * changes; the RS_DATA that follows breaks the connection) during a
 * recovery, from a copy that did not say it is current with this
 * generation (HELLO or STATE), and, differential, onto a failed copy.
 * Returns -EPROTO when active, -EIO after a failed superblock write
 * (the connection is failed), else 0.
 */
int liscal_rs_target_start(struct liscal_res *res, u64 gen, u64 bytes,
			   bool full)
{
	const char *why = NULL;
	struct liscal_snap snap;
	struct liscal_sb old_sb;
	unsigned long flags;
	int ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (res->role == LISCAL_ROLE_ACTIVE) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		pr_err("%s: the peer wants to recover this active copy: refused\n",
		       res->name);
		return -EPROTO;
	}
	if (res->rs_dir != LISCAL_RECOVERY_NONE)
		why = "SYNC_START during a recovery";
	else if (gen != res->peer_gen || res->peer_claim != LISCAL_DISK_UPTODATE)
		why = "SYNC_START from a copy that did not say it is current";
	else if (res->disk_state == LISCAL_DISK_FAILED && !full)
		why = "a differential SYNC_START onto a failed copy";
	if (why) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		liscal_refuse(res, why);
		return 0;
	}
	old_sb = res->sb;
	res->sb.flags |= LISCAL_SB_F_INCONSISTENT;
	res->sb.flags &= ~LISCAL_SB_F_UPTODATE;
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_commit(res, &old_sb, false);
	if (ret) {
		mutex_unlock(&res->state_mutex);
		pr_err("%s: cannot record the start of the recovery (%d): refused\n",
		       res->name, ret);
		liscal_conn_fail(res, LISCAL_REASON_LOCAL_IO_ERROR);
		return -EIO;
	}
	spin_lock_irqsave(&res->lock, flags);
	res->rs_dir = LISCAL_RECOVERY_FROM_PEER;
	res->disk_state = LISCAL_DISK_INCONSISTENT;
	res->pdisk = LISCAL_DISK_UPTODATE;
	res->rs_done = 0;
	res->rs_total = min(bytes, res->data_bytes);
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	liscal_event_since(res, &snap, LISCAL_REASON_RECOVERY_STARTED,
			   full ? "full" : "differential");
	return 0;
}

/*
 * Target: everything arrived; adopt the source's generation. Only the end
 * of a recovery into this copy, with the generation the source announced
 * (its SYNC_START or a STATE since): anything else would make an
 * inconsistent copy current or clear the bitmap of an active one, and is
 * refused and counted with nothing changed. The data is flushed, then the
 * bitmap and the superblock written, before the copy counts as current; a
 * failure there fails the disk and the connection (-EIO).
 */
int liscal_rs_target_done(struct liscal_res *res, u64 gen)
{
	const char *why = NULL;
	struct liscal_snap snap;
	struct liscal_sb old_sb;
	unsigned long flags;
	int ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (res->role == LISCAL_ROLE_ACTIVE ||
	    res->rs_dir != LISCAL_RECOVERY_FROM_PEER)
		why = "SYNC_DONE while not a recovery target";
	else if (gen != res->peer_gen)
		why = "SYNC_DONE with a generation the peer did not announce";
	spin_unlock_irqrestore(&res->lock, flags);
	if (why) {
		mutex_unlock(&res->state_mutex);
		liscal_refuse(res, why);
		return 0;
	}
	ret = blkdev_issue_flush(res->dbdev);
	if (ret) {
		liscal_io_error(res, false, ret);
		goto err_fail;
	}
	spin_lock_irqsave(&res->lock, flags);
	memset(res->oos, 0, res->nwords * 8);
	old_sb = res->sb;
	res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC |
			   LISCAL_SB_F_SPLIT_BRAIN | LISCAL_SB_F_FORCED |
			   LISCAL_SB_F_PEER_OUTDATED | LISCAL_SB_F_FAILED);
	res->sb.flags |= LISCAL_SB_F_UPTODATE;
	if (res->sb.gen_current != gen)
		liscal_meta_new_gen(&res->sb, gen);
	res->sb.gen_bitmap = 0;
	res->sb.last_update = liscal_now();
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_commit(res, &old_sb, true);
	if (ret)
		goto err_fail;
	spin_lock_irqsave(&res->lock, flags);
	res->rs_dir = LISCAL_RECOVERY_NONE;
	res->disk_state = LISCAL_DISK_UPTODATE;
	res->pdisk = LISCAL_DISK_UPTODATE;
	res->split_brain = false;
	res->fail_recorded = false;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	pr_info("%s: mirror recovery done, this copy is current\n", res->name);
	liscal_event_since(res, &snap, LISCAL_REASON_RECOVERY_DONE, NULL);
	return 0;

err_fail:
	mutex_unlock(&res->state_mutex);
	pr_err("%s: the end of the recovery could not be made durable (%d): this copy is not current\n",
	       res->name, ret);
	liscal_conn_fail(res, LISCAL_REASON_LOCAL_IO_ERROR);
	return -EIO;
}

/*
 * This copy was chosen by force (split brain resolution, initial full
 * copy): it becomes current and the peer's outdated, once the superblock
 * says so. Returns -EPERM for a failed disk (never current), or the error
 * of the superblock write (nothing changed). Not under state_mutex.
 */
int liscal_make_source(struct liscal_res *res)
{
	struct liscal_snap snap;
	struct liscal_sb old_sb;
	unsigned long flags;
	int ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (res->disk_state == LISCAL_DISK_FAILED) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		return -EPERM;
	}
	old_sb = res->sb;
	res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_SPLIT_BRAIN);
	res->sb.flags |= LISCAL_SB_F_UPTODATE | LISCAL_SB_F_FORCED |
			 LISCAL_SB_F_PEER_OUTDATED;
	if (!res->sb.gen_bitmap) {
		res->sb.gen_bitmap = res->sb.gen_current;
		liscal_meta_new_gen(&res->sb, liscal_new_gen());
	}
	res->sb.last_update = liscal_now();
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_commit(res, &old_sb, false);
	if (ret) {
		mutex_unlock(&res->state_mutex);
		return ret;
	}
	spin_lock_irqsave(&res->lock, flags);
	res->split_brain = false;
	res->disk_state = LISCAL_DISK_UPTODATE;
	if (res->pdisk == LISCAL_DISK_UPTODATE || res->pdisk == LISCAL_DISK_UNKNOWN)
		res->pdisk = LISCAL_DISK_OUTDATED;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	liscal_event_since(res, &snap, LISCAL_REASON_FORCED_CURRENT, NULL);
	return 0;
}
