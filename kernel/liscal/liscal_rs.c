// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_rs.c - mirror recovery. The source walks its oos bitmap in
 * chunks of the recovery data size: locks the chunk's region (new local
 * writes to it wait), waits for local writes in flight there, reads it,
 * sends it, and clears the bits when the target acked its disk write.
 * The bits on disk are cleared lazily, so a crash of either side resumes
 * from what is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sched/mm.h>

#include "liscal_int.h"

void liscal_rs_ack(struct liscal_res *res, u64 seq, bool err)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	if (seq == res->rs_seq) {
		res->rs_acked = true;
		res->rs_ack_err = err;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	wake_up_all(&res->waitq);
}

static bool liscal_rs_region_free(struct liscal_res *res, u64 f, u64 l)
{
	unsigned long flags;
	bool busy;

	spin_lock_irqsave(&res->lock, flags);
	busy = liscal_writes_overlap(res, f, l);
	spin_unlock_irqrestore(&res->lock, flags);
	return !busy || READ_ONCE(res->rs_stop);
}

static void liscal_rs_release(struct liscal_res *res)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	res->rs_active = false;
	list_splice_tail_init(&res->deferred, &res->issue_q);
	spin_unlock_irqrestore(&res->lock, flags);
	queue_work(res->wq, &res->issue_work);
}

static void liscal_free_bio_pages(struct bio *bio)
{
	struct bvec_iter_all it;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, bio, it)
		__free_page(bv->bv_page);
	bio_put(bio);
}

/* Copies bits [f, l]. Returns 0, or an error after failing the link. */
static int liscal_rs_chunk(struct liscal_res *res, u64 f, u64 l)
{
	u64 sector = f << (res->shift - 9);
	u64 nsect = min((l - f + 1) << (res->shift - 9),
			res->data_sectors - sector);
	u32 bytes = nsect << 9;
	struct liscal_wire_hdr h = {
		.type = LISCAL_P_RS_DATA, .sector = sector, .size = bytes,
		.len = bytes,
	};
	struct bvec_iter iter;
	unsigned long flags;
	struct bio *bio;
	u64 t0, us;
	u32 left;
	long tmo;
	int ret;

	t0 = ktime_get_ns();
	wait_event(res->waitq, liscal_rs_region_free(res, f, l));
	us = (ktime_get_ns() - t0) / 1000;
	spin_lock_irqsave(&res->lock, flags);
	liscal_stat_add(res, LISCAL_STATS_A_RR_WAIT_LW_TOTAL, us);
	liscal_stat_add(res, LISCAL_STATS_A_RR_WAIT_LW_TOTAL2, us);
	spin_unlock_irqrestore(&res->lock, flags);
	if (READ_ONCE(res->rs_stop))
		return -EINTR;

	bio = bio_alloc(res->dbdev, DIV_ROUND_UP(bytes, PAGE_SIZE), REQ_OP_READ,
			GFP_NOIO);
	bio->bi_iter.bi_sector = sector;
	for (left = bytes; left; ) {
		u32 n = min_t(u32, left, PAGE_SIZE);
		struct page *page = alloc_page(GFP_NOIO);

		if (!page) {
			liscal_free_bio_pages(bio);
			return -ENOMEM;
		}
		__bio_add_page(bio, page, n, 0);
		left -= n;
	}
	iter = bio->bi_iter;
	ret = submit_bio_wait(bio);
	if (ret) {
		liscal_free_bio_pages(bio);
		liscal_io_error(res, false, ret);
		return ret;
	}
	bio->bi_iter = iter;

	spin_lock_irqsave(&res->lock, flags);
	h.seq = ++res->rs_counter;
	res->rs_seq = h.seq;
	res->rs_acked = false;
	res->rs_ack_err = false;
	liscal_stat_add(res, LISCAL_STATS_A_LOCAL_READ_BYTES, bytes);
	spin_unlock_irqrestore(&res->lock, flags);
	t0 = ktime_get_ns();
	ret = liscal_send(res, &h, NULL, 0, bio);
	liscal_free_bio_pages(bio);
	if (ret) {
		liscal_conn_fail(res, ret == -EAGAIN ?
				 LISCAL_REASON_BREAK_SEND_TIMEOUT :
				 LISCAL_REASON_BREAK_PEER_CLOSED);
		return ret;
	}
	tmo = wait_event_timeout(res->waitq, READ_ONCE(res->rs_acked) ||
				 READ_ONCE(res->rs_stop),
				 msecs_to_jiffies(READ_ONCE(res->p.ack_timeout)));
	if (READ_ONCE(res->rs_stop))
		return -EINTR;
	if (!tmo) {
		liscal_conn_fail(res, LISCAL_REASON_BREAK_ACK_TIMEOUT);
		return -ETIMEDOUT;
	}
	if (READ_ONCE(res->rs_ack_err)) {
		liscal_conn_fail(res, LISCAL_REASON_PEER_IO_ERROR);
		return -EIO;
	}
	us = (ktime_get_ns() - t0) / 1000;
	spin_lock_irqsave(&res->lock, flags);
	liscal_bm_clear_range(res->oos, f, l);
	res->rs_done += bytes;
	liscal_stat_add(res, LISCAL_STATS_A_RECOVERY_SENT_BYTES, bytes);
	res->st.v[LISCAL_STATS_A_RECOVERY_ACK_CUR] = us;
	liscal_stat_max(res, LISCAL_STATS_A_RECOVERY_ACK_MAX, us);
	liscal_stat_max(res, LISCAL_STATS_A_RECOVERY_ACK_MAX2, us);
	spin_unlock_irqrestore(&res->lock, flags);
	return 0;
}

static void liscal_rs_finish(struct liscal_res *res)
{
	struct liscal_wire_sync sy;
	struct liscal_wire_sync_disk sd;
	struct liscal_snap snap;
	unsigned long flags;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	liscal_bm_flush(res, true);
	sy.gen = res->sb.gen_current;
	sy.bytes = 0;
	liscal_wire_encode_sync(&sy, &sd);
	if (liscal_send_simple(res, LISCAL_P_SYNC_DONE, 0, 0, 0, 0, &sd,
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
	liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
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
	u64 cursor = 0, f, l, chunk_bits;
	bool done = false;
	int ret;

	sy.gen = res->sb.gen_current;
	sy.bytes = res->rs_total;
	liscal_wire_encode_sync(&sy, &sd);
	ret = liscal_send_simple(res, LISCAL_P_SYNC_START,
				 res->rs_full ? LISCAL_WF_FULL : 0, 0, 0, 0,
				 &sd, sizeof(sd));
	while (!ret && !READ_ONCE(res->rs_stop)) {
		chunk_bits = max_t(u64, 1, READ_ONCE(res->p.recovery_chunk) >>
				   res->shift);
		spin_lock_irqsave(&res->lock, flags);
		f = liscal_bm_next_set(res->oos, res->nbits, cursor);
		if (f == res->nbits) {
			if (!liscal_bm_count(res->oos, res->nbits)) {
				spin_unlock_irqrestore(&res->lock, flags);
				done = true;
				break;
			}
			cursor = 0;
			spin_unlock_irqrestore(&res->lock, flags);
			continue;
		}
		l = f;
		while (l + 1 < res->nbits && l + 1 - f < chunk_bits &&
		       liscal_bm_test(res->oos, l + 1))
			l++;
		res->rs_first = f;
		res->rs_last = l;
		res->rs_active = true;
		spin_unlock_irqrestore(&res->lock, flags);
		ret = liscal_rs_chunk(res, f, l);
		liscal_rs_release(res);
		cursor = l + 1;
	}
	liscal_rs_release(res);
	if (done) {
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
	if (full)
		liscal_bm_flush(res, true);
	t = kthread_create(liscal_rs_thread, res, "liscal_rs_%s", res->name);
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

/* Target: the source starts sending; this copy becomes inconsistent. */
int liscal_rs_target_start(struct liscal_res *res, u64 gen, u64 bytes,
			   bool full)
{
	struct liscal_snap snap;
	unsigned long flags;

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
	res->rs_dir = LISCAL_RECOVERY_FROM_PEER;
	res->disk_state = LISCAL_DISK_INCONSISTENT;
	res->pdisk = LISCAL_DISK_UPTODATE;
	res->sb.flags |= LISCAL_SB_F_INCONSISTENT;
	res->sb.flags &= ~LISCAL_SB_F_UPTODATE;
	res->rs_done = 0;
	res->rs_total = min(bytes, res->data_bytes);
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	liscal_event_since(res, &snap, LISCAL_REASON_RECOVERY_STARTED,
			   full ? "full" : "differential");
	return 0;
}

/* Target: everything arrived; adopt the source's generation. */
void liscal_rs_target_done(struct liscal_res *res, u64 gen)
{
	struct liscal_snap snap;
	unsigned long flags;

	blkdev_issue_flush(res->dbdev);
	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	memset(res->oos, 0, res->nwords * 8);
	res->rs_dir = LISCAL_RECOVERY_NONE;
	res->disk_state = LISCAL_DISK_UPTODATE;
	res->pdisk = LISCAL_DISK_UPTODATE;
	res->split_brain = false;
	res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC |
			   LISCAL_SB_F_SPLIT_BRAIN | LISCAL_SB_F_FORCED |
			   LISCAL_SB_F_PEER_OUTDATED);
	res->sb.flags |= LISCAL_SB_F_UPTODATE;
	if (res->sb.gen_current != gen)
		liscal_meta_new_gen(&res->sb, gen);
	res->sb.gen_bitmap = 0;
	res->sb.last_update = liscal_now();
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_bm_flush(res, true);
	liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	pr_info("%s: mirror recovery done, this copy is current\n", res->name);
	liscal_event_since(res, &snap, LISCAL_REASON_RECOVERY_DONE, NULL);
}

/*
 * This copy was chosen by force (split brain resolution, initial full
 * copy): it becomes current and the peer's outdated. Not under state_mutex.
 */
void liscal_make_source(struct liscal_res *res)
{
	struct liscal_snap snap;
	unsigned long flags;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	res->split_brain = false;
	if (res->disk_state != LISCAL_DISK_FAILED)
		res->disk_state = LISCAL_DISK_UPTODATE;
	if (res->pdisk == LISCAL_DISK_UPTODATE || res->pdisk == LISCAL_DISK_UNKNOWN)
		res->pdisk = LISCAL_DISK_OUTDATED;
	res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_SPLIT_BRAIN);
	res->sb.flags |= LISCAL_SB_F_UPTODATE | LISCAL_SB_F_FORCED |
			 LISCAL_SB_F_PEER_OUTDATED;
	if (!res->sb.gen_bitmap) {
		res->sb.gen_bitmap = res->sb.gen_current;
		liscal_meta_new_gen(&res->sb, liscal_new_gen());
	}
	res->sb.last_update = liscal_now();
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	liscal_event_since(res, &snap, LISCAL_REASON_FORCED_CURRENT, NULL);
}
