// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_grow.c - online growth of a mirror disk (GROW, guide 2.23.1:
 * clpmdctrl --resize). Documentation/liscal.md, "Online growth".
 *
 * The standby grows first: its GROW command zeroes the region its data
 * partition gained and remembers the size (grow_prepared). The command on
 * the other server zeroes its own region too and asks the peer (a GROW
 * packet); the prepared peer grows and grants, then the requester grows:
 * both copies then hold zeroes in the new region, and no recovery is
 * needed. With -force, a side grows alone, every bit of its bitmap set:
 * the next recovery copies everything, and a smaller peer grows itself at
 * the next handshake when its data partition is large enough.
 *
 * Growth keeps the bitmap's granularity (bm_shift): every bit keeps its
 * region, so writes in flight keep their bits while the arrays are
 * replaced by larger ones (under bm_mutex and lock).
 *
 * Fields (liscal_int.h): grow_prepared, growing, grow_seq, grow_reply
 * and the pending request (grow_req_*) under lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "liscal_int.h"

#define LISCAL_BLOCK_BITS	(LISCAL_BM_BLOCK * 8)

/*
 * The checks that need no peer: the new size's superblock (@sb, from
 * the current one), the same bitmap granularity, a data partition that
 * holds it. Returns 0 or an error with a sentence in @err.
 */
static int liscal_grow_check(struct liscal_res *res, u64 bytes,
			     struct liscal_sb *sb, char *err, size_t len)
{
	u64 part = bdev_nr_bytes(res->dbdev);
	int ret;

	*sb = res->sb;
	ret = liscal_meta_grow(sb, bytes, bdev_nr_bytes(res->cbdev), err, len);
	if (ret)
		return ret == LISCAL_META_E_TOO_SMALL ? -ENOSPC : -EINVAL;
	if (sb->bm_shift != res->shift) {
		snprintf(err, len,
			 "%llu bytes would change the bitmap's granularity from %u to %u KiB a bit: not online (procedure 2.23.2)",
			 bytes, 1U << (res->shift - 10),
			 1U << (sb->bm_shift - 10));
		return -EOPNOTSUPP;
	}
	if (part < bytes) {
		snprintf(err, len,
			 "the data partition %s has %llu bytes, fewer than %llu: extend it first (lvextend)",
			 res->data_path, part, bytes);
		return -ENOSPC;
	}
	return 0;
}

/* Zeroes what the data partition gained up to @bytes. */
static int liscal_grow_zero(struct liscal_res *res, u64 bytes, char *err,
			    size_t len)
{
	int ret;

	ret = blkdev_issue_zeroout(res->dbdev, res->data_sectors,
				   (bytes >> 9) - res->data_sectors, GFP_NOIO, 0);
	if (ret)
		snprintf(err, len,
			 "cannot zero the new region of the data partition %s: error %d",
			 res->data_path, ret);
	return ret;
}

/*
 * Grows this side to @bytes (checked by liscal_grow_check() into @sb):
 * larger bitmap arrays with the same bits, the new region's bits set when
 * @mark_all (then every bit: a full copy follows), the bitmap and the
 * superblock written, /dev/NMPn's capacity. Called with state_mutex held,
 * no recovery running, and no handshake using peer_bm unless the caller
 * is the connection thread in it (and growing, or the caller holding
 * state_mutex throughout, keeping other growths out). Returns 0 or an error with @err set;
 * on an error the size is the old one.
 */
static int liscal_grow_apply(struct liscal_res *res, struct liscal_sb *sb,
			     bool mark_all, char *err, size_t len)
{
	size_t nblocks = DIV_ROUND_UP(sb->bm_bits, LISCAL_BLOCK_BITS);
	size_t bytes = nblocks * LISCAL_BM_BLOCK;
	struct liscal_bm_set n = { };
	u64 *peer_bm = NULL;
	u64 old_bytes = res->data_bytes, old_bits = res->nbits;
	size_t old_words = res->nwords, old_blocks = res->nblocks;
	struct liscal_snap snap;
	struct liscal_sb old_sb;
	unsigned long flags;
	unsigned int noio;
	int ret;

	lockdep_assert_held(&res->state_mutex);
	noio = memalloc_noio_save();
	ret = liscal_bm_set_alloc(&n, nblocks);
	if (!ret && res->peer_bm) {
		peer_bm = kvzalloc(bytes, GFP_KERNEL);
		if (!peer_bm) {
			liscal_bm_set_free(&n);
			ret = -ENOMEM;
		}
	}
	memalloc_noio_restore(noio);
	if (ret) {
		snprintf(err, len, "no memory for the bitmap of %llu bytes",
			 sb->data_bytes);
		return ret;
	}

	/* every bit set before the lock (a superset of the old ones) */
	if (mark_all)
		liscal_bm_set_range(n.oos, 0, sb->bm_bits - 1);
	/*
	 * Every block dirty: a write admitted before the swap may wait for
	 * its block's flush, which must not find the new map clean (its
	 * intent bit reaches the disk before the write, liscal_bm.c).
	 */
	bitmap_fill(n.dirty, nblocks);
	liscal_snap(res, &snap);
	mutex_lock(&res->bm_mutex);
	spin_lock_irqsave(&res->lock, flags);
	liscal_bm_set_copy(&n, res, old_words, !mark_all);
	liscal_bm_set_swap(res, &n);
	/* peer_bm: the new size, zeroed, as when it was allocated */
	if (peer_bm)
		swap(res->peer_bm, peer_bm);
	res->nbits = sb->bm_bits;
	res->nwords = LISCAL_BM_WORDS(sb->bm_bits);
	res->nblocks = nblocks;
	old_sb = res->sb;
	res->sb = *sb;
	res->data_bytes = sb->data_bytes;
	res->data_sectors = sb->data_bytes >> 9;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->bm_mutex);
	/* the old arrays */
	liscal_bm_set_free(&n);
	kvfree(peer_bm);

	/* every block, the new ones included, then the superblock */
	ret = liscal_sb_commit(res, &old_sb, true);
	if (ret) {
		spin_lock_irqsave(&res->lock, flags);
		liscal_bm_trim(res->oos, old_bits);
		/* a write admitted meanwhile may have widened the last mask */
		liscal_bm_trim(res->hot.mask, old_bits);
		liscal_bm_trim(res->unflushed, old_bits);
		res->nbits = old_bits;
		res->nwords = old_words;
		res->nblocks = old_blocks;
		res->data_bytes = old_bytes;
		res->data_sectors = old_bytes >> 9;
		spin_unlock_irqrestore(&res->lock, flags);
		snprintf(err, len,
			 "cannot write the grown bitmap and superblock on %s: error %d; the size stays %llu bytes",
			 res->cp_path, ret, old_bytes);
		return ret;
	}
	set_capacity_and_notify(res->disk, res->data_sectors);
	pr_info("%s: grown from %llu to %llu bytes (%llu bits)%s\n", res->name,
		old_bytes, res->data_bytes, res->nbits,
		mark_all ? ", every region out of sync: a full copy follows" : "");
	snprintf(err, len, "grown from %llu to %llu bytes%s", old_bytes,
		 res->data_bytes, mark_all ? " alone: a full copy follows" : "");
	liscal_event_since(res, &snap, LISCAL_REASON_GROWN, err);
	err[0] = 0;
	return 0;
}

/* Connected, both copies current, no handshake or recovery. Lock held. */
static bool liscal_grow_normal(struct liscal_res *res)
{
	return res->conn == LISCAL_CONN_CONNECTED && !res->hold_writes &&
	       res->rs_dir == LISCAL_RECOVERY_NONE &&
	       res->disk_state == LISCAL_DISK_UPTODATE &&
	       res->pdisk == LISCAL_DISK_UPTODATE && !res->split_brain;
}

static bool liscal_grow_answered(struct liscal_res *res, u32 epoch)
{
	return READ_ONCE(res->grow_reply) ||
	       READ_ONCE(res->conn) != LISCAL_CONN_CONNECTED ||
	       READ_ONCE(res->conn_epoch) != epoch;
}

/*
 * Asks the peer to grow to @bytes and waits for its answer (at most the
 * connect plus the ack timeout), with state_mutex dropped meanwhile (the receiver may
 * need it) and liscal_res_mutex too (liscal_cmd_unlock(): the resource
 * stays); res->growing keeps other growths out. Returns 0 granted,
 * -EAGAIN refused (@why: LISCAL_GROW_*), -ETIMEDOUT, -ENOTCONN or -EINTR.
 */
static int liscal_grow_ask(struct liscal_res *res, u64 bytes, int *why)
{
	/* the peer writes every bitmap block and its superblock first */
	unsigned int tmo = READ_ONCE(res->p.connect_timeout) +
			   READ_ONCE(res->p.ack_timeout);
	unsigned long flags;
	long left = 0;
	int reply, ret;
	u32 epoch;
	u64 seq;

	spin_lock_irqsave(&res->lock, flags);
	if (!liscal_grow_normal(res)) {
		/* never a GROW into a handshake: the peer would take it for a protocol error */
		spin_unlock_irqrestore(&res->lock, flags);
		return -ENOTCONN;
	}
	res->grow_reply = 0;
	seq = ++res->grow_seq;
	epoch = res->conn_epoch;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	liscal_cmd_unlock(res);
	ret = liscal_send_simple(res, LISCAL_P_GROW, 0, seq, bytes >> 9, 0,
				 NULL, 0);
	if (!ret)
		left = wait_event_interruptible_timeout(res->waitq,
							liscal_grow_answered(res, epoch),
							msecs_to_jiffies(tmo));
	liscal_cmd_relock(res);
	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	reply = res->grow_reply;
	res->grow_reply = 0;
	res->grow_seq++;	/* a late answer is a stray one */
	if (!reply && (res->conn != LISCAL_CONN_CONNECTED ||
		       res->conn_epoch != epoch))
		ret = -ENOTCONN;
	spin_unlock_irqrestore(&res->lock, flags);
	if (ret)
		return -ENOTCONN;
	if (reply > 0)
		return 0;
	if (reply < 0) {
		*why = -reply;
		return -EAGAIN;
	}
	return left < 0 ? -EINTR : -ETIMEDOUT;
}

/*
 * This standby's new region up to @bytes is zeroed: it may grow when the
 * peer asks, on this connection and while its data partition keeps its
 * size (grow_work checks both).
 */
static void liscal_grow_prepare(struct liscal_res *res, u64 bytes)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	res->grow_prepared = bytes;
	res->grow_prepared_epoch = res->conn_epoch;
	res->grow_prepared_part = bdev_nr_bytes(res->dbdev);
	spin_unlock_irqrestore(&res->lock, flags);
}

static const char *liscal_grow_refusal(int why)
{
	switch (why) {
	case LISCAL_GROW_NOT_PREPARED:
		return "its data partition was not resized yet: run clpmdctrl --resize there first";
	case LISCAL_GROW_BUSY:
		return "a resize, a recovery or a handshake runs there";
	case LISCAL_GROW_ACTIVE:
		return "it is active: the standby grows first";
	case LISCAL_GROW_FAILED:
		return "its growth failed (see its kernel log)";
	case LISCAL_GROW_LARGER:
		return "it mirrors more than that already";
	default:
		return "unknown reason";
	}
}

/*
 * GROW (clpmdctrl --resize). Normal status (connected, both copies
 * current): the region the data partition gained is zeroed; a standby
 * whose peer is active only remembers the size (grow_prepared, the
 * guide's first step); otherwise the peer is asked and this side grows
 * once it granted. With @force, a side that is not in the normal status
 * or whose peer refused grows alone, every region out of sync; an active
 * one connected to a peer that refused also breaks the mirror (the peer
 * grows at the next handshake, or the connection is refused until it
 * can). Called with liscal_res_mutex held.
 */
int liscal_grow(struct liscal_res *res, u64 bytes, bool force,
		struct netlink_ext_ack *extack)
{
	struct liscal_sb sb;
	unsigned long flags;
	bool normal, active, peer_active, busy, alone = false;
	char err[200];
	int ret, why = 0;

	mutex_lock(&res->state_mutex);
	if (bytes == res->data_bytes) {
		ret = 0;
		goto out_unlock;
	}
	spin_lock_irqsave(&res->lock, flags);
	/* (rs_task stays set after a recovery until the next one reaps it) */
	busy = res->growing || res->hold_writes ||
	       res->rs_dir != LISCAL_RECOVERY_NONE;
	normal = liscal_grow_normal(res);
	active = res->role == LISCAL_ROLE_ACTIVE;
	peer_active = res->peer_role == LISCAL_ROLE_ACTIVE;
	if (!busy)
		res->growing = true;
	spin_unlock_irqrestore(&res->lock, flags);
	if (busy) {
		liscal_errf(extack,
			    "%s: a resize, a recovery or the mirror handshake runs: try again after it",
			    res->name);
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = liscal_grow_check(res, bytes, &sb, err, sizeof(err));
	if (ret)
		goto out_err;
	if (!normal && !force) {
		snprintf(err, sizeof(err),
			 "not in the normal status (both copies current and connected): -force grows this side alone, and a full copy follows");
		ret = -EINVAL;
		goto out_err;
	}
	if (normal) {
		/*
		 * Zeroing may take long on a large growth: both mutexes are
		 * dropped meanwhile (status reads go on); growing keeps every
		 * other growth out, so the region stays beyond the mirror.
		 */
		mutex_unlock(&res->state_mutex);
		liscal_cmd_unlock(res);
		ret = liscal_grow_zero(res, bytes, err, sizeof(err));
		liscal_cmd_relock(res);
		mutex_lock(&res->state_mutex);
		if (ret)
			goto out_err;
		/* anything may have changed meanwhile: the checks again */
		spin_lock_irqsave(&res->lock, flags);
		active = res->role == LISCAL_ROLE_ACTIVE;
		peer_active = res->peer_role == LISCAL_ROLE_ACTIVE;
		normal = liscal_grow_normal(res);
		spin_unlock_irqrestore(&res->lock, flags);
		if (!normal) {
			snprintf(err, sizeof(err),
				 "the mirror left the normal status while the new region was zeroed: nothing grown, try again");
			ret = -EAGAIN;
			goto out_err;
		}
		if (!active && peer_active) {
			/* step 5: the active grows with this side */
			liscal_grow_prepare(res, bytes);
			pr_info("%s: ready to grow to %llu bytes with the active\n",
				res->name, bytes);
			goto out_done;
		}
		ret = liscal_grow_ask(res, bytes, &why);
		if (!ret)
			goto out_recheck;
		if (ret == -EAGAIN && !active) {
			/* the peer grows with us when it runs its own */
			liscal_grow_prepare(res, bytes);
			goto out_done;
		}
		if (ret == -EAGAIN)
			snprintf(err, sizeof(err), "the peer did not grow: %s%s",
				 liscal_grow_refusal(why), force ? "" :
				 " (-force grows this side alone and breaks the mirror)");
		else
			snprintf(err, sizeof(err),
				 "the peer %s; it may have grown: run the command again once connected",
				 ret == -ETIMEDOUT ? "did not answer in time" :
				 ret == -EINTR ? "was asked, then the command was interrupted" :
				 "connection changed while it was asked");
		if (!force)
			goto out_err;
	}
	alone = true;
out_recheck:
	/* asking the peer dropped state_mutex: every check again */
	if (res->data_bytes == bytes)
		goto out_done;
	ret = liscal_grow_check(res, bytes, &sb, err, sizeof(err));
	if (ret)
		goto out_err;
	/* a handshake or a recovery may have started meanwhile */
	if (READ_ONCE(res->hold_writes) ||
	    READ_ONCE(res->rs_dir) != LISCAL_RECOVERY_NONE) {
		snprintf(err, sizeof(err),
			 "the mirror handshake or a recovery started meanwhile: this side did not grow (the peer may have), run the command again once it is over");
		ret = -EBUSY;
		goto out_err;
	}
	/* alone: the peer cannot take writes past its size, break first */
	if (alone && READ_ONCE(res->conn) == LISCAL_CONN_CONNECTED)
		liscal_conn_fail(res, LISCAL_REASON_GROWN);
	ret = liscal_grow_apply(res, &sb, alone, err, sizeof(err));
	if (ret)
		goto out_err;
out_done:
	ret = 0;
	goto out_clear;
out_err:
	liscal_errf(extack, "%s: %s", res->name, err);
out_clear:
	spin_lock_irqsave(&res->lock, flags);
	res->growing = false;
	spin_unlock_irqrestore(&res->lock, flags);
out_unlock:
	mutex_unlock(&res->state_mutex);
	return ret;
}

/*
 * The peer's GROW. Context: the receiver. A request is handled by
 * grow_work (it needs state_mutex); an answer that matches no request of
 * ours is refused and counted.
 */
void liscal_grow_recv(struct liscal_res *res, const struct liscal_wire_hdr *h)
{
	unsigned long flags;
	bool stray = false, req = !(h->flags & LISCAL_WF_REPLY);

	spin_lock_irqsave(&res->lock, flags);
	if (req) {
		if (res->grow_req_pending) {
			stray = true;
		} else {
			res->grow_req_pending = true;
			res->grow_req_seq = h->seq;
			res->grow_req_bytes = h->sector << 9;
			res->grow_req_epoch = res->conn_epoch;
		}
	} else if (res->growing && !res->grow_reply &&
		   h->seq == res->grow_seq) {
		res->grow_reply = (h->flags & LISCAL_WF_ERROR) ? -(int)h->size : 1;
	} else {
		stray = true;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (stray) {
		liscal_refuse(res, req ? "a second GROW request before the answer" :
				   "a GROW answer nobody asked for");
		return;
	}
	if (req)
		queue_work(res->wq, &res->grow_work);
	else
		wake_up_all(&res->waitq);
}

/* Answers the peer's GROW request: grows when prepared for it. */
void liscal_grow_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, grow_work);
	unsigned long flags;
	struct liscal_sb sb;
	char err[200];
	u64 bytes, seq;
	int why = 0;

	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	bytes = res->grow_req_bytes;
	seq = res->grow_req_seq;
	/* the request of a connection that is gone gets no growth */
	if (res->destroying || res->fail_reason ||
	    res->conn != LISCAL_CONN_CONNECTED ||
	    res->conn_epoch != res->grow_req_epoch)
		why = LISCAL_GROW_BUSY;
	else if (res->data_bytes == bytes)
		why = 0;	/* that size already */
	else if (res->data_bytes > bytes)
		why = LISCAL_GROW_LARGER;
	else if (res->role == LISCAL_ROLE_ACTIVE)
		why = LISCAL_GROW_ACTIVE;
	else if (res->growing || res->hold_writes ||
		 res->rs_dir != LISCAL_RECOVERY_NONE)
		why = LISCAL_GROW_BUSY;
	else if (res->grow_prepared < bytes ||
		 res->grow_prepared_epoch != res->conn_epoch ||
		 res->grow_prepared_part != bdev_nr_bytes(res->dbdev))
		why = LISCAL_GROW_NOT_PREPARED;
	spin_unlock_irqrestore(&res->lock, flags);
	if (!why && res->data_bytes < bytes) {
		if (liscal_grow_check(res, bytes, &sb, err, sizeof(err)) ||
		    liscal_grow_apply(res, &sb, false, err, sizeof(err))) {
			pr_err("%s: the peer asked to grow to %llu bytes: %s\n",
			       res->name, bytes, err);
			why = LISCAL_GROW_FAILED;
		}
	}
	spin_lock_irqsave(&res->lock, flags);
	res->grow_req_pending = false;
	if (!why)
		res->grow_prepared = 0;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	if (why)
		pr_warn("%s: the peer asked to grow to %llu bytes: refused, %s\n",
			res->name, bytes,
			why == LISCAL_GROW_NOT_PREPARED ?
			"clpmdctrl --resize was not run here" :
			why == LISCAL_GROW_ACTIVE ? "this side is active" :
			why == LISCAL_GROW_LARGER ? "this side mirrors more" :
			why == LISCAL_GROW_BUSY ? "busy or disconnected" : "failed");
	liscal_send_simple(res, LISCAL_P_GROW,
			   LISCAL_WF_REPLY | (why ? LISCAL_WF_ERROR : 0), seq,
			   bytes >> 9, why, NULL, 0);
}

/*
 * Handshake: the peer mirrors @bytes, more than this side. A standby whose
 * data partition holds that much grows to it, every region out of sync
 * (the peer grew alone, or this side missed the growth): the caller then
 * ends this attempt, and the next one finds equal sizes. Context: the
 * connection thread, in the handshake (it owns peer_bm). Returns 0 when
 * grown, or an error with @err set.
 */
int liscal_grow_to_peer(struct liscal_res *res, u64 bytes, char *err,
			size_t len)
{
	struct liscal_sb sb;
	int ret;

	mutex_lock(&res->state_mutex);
	if (READ_ONCE(res->growing)) {
		snprintf(err, len,
			 "the peer mirrors %llu bytes, this side %llu: a resize runs here, connecting again after it",
			 bytes, res->data_bytes);
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (READ_ONCE(res->role) == LISCAL_ROLE_ACTIVE) {
		snprintf(err, len,
			 "the peer mirrors %llu bytes, this active side %llu: run clpmdctrl --resize here",
			 bytes, res->data_bytes);
		ret = -EPROTO;
		goto out_unlock;
	}
	ret = liscal_grow_check(res, bytes, &sb, err, len);
	if (!ret)
		ret = liscal_grow_apply(res, &sb, true, err, len);
	if (ret) {
		char why[160];

		strscpy(why, err, sizeof(why));
		snprintf(err, len, "the peer mirrors %llu bytes, this side %llu: %s",
			 bytes, res->data_bytes, why);
	}
out_unlock:
	mutex_unlock(&res->state_mutex);
	return ret;
}
