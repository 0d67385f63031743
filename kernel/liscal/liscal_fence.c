// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_fence.c - fencing at a mirror break (Documentation/liscal.md,
 * "Fencing").
 *
 * With the fencing parameter on, an active whose connection to an
 * up-to-date peer breaks acknowledges nothing more until it is told to
 * (FENCE_RELEASE, or a new connection): the writes that waited for the
 * peer's ack keep their completion, new writes wait on res->held. The
 * cluster service releases them once the peer's copy is confirmed
 * outdated (OUTDATE there) or it won the partition resolution; a server
 * that lost the resolution is reset with its writes unacknowledged.
 *
 * Locks: res->fenced and res->fence_acks are protected by res->lock; they
 * change with state_mutex held too (the teardown sets them, FENCE_RELEASE
 * and a new connection clear them), so that a state change sees them
 * stable.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "liscal_int.h"

/*
 * Lock and state_mutex held; called by the teardown of an established
 * connection with the writes whose peer ack failed on @failed, before the
 * peer's disk state changes. Holds them (moved to res->fence_acks) and
 * fences the resource when fencing is on, this side is active, the peer's
 * copy was current (a failover could use it) and the break was not the
 * administrator's. Returns true when it fenced.
 */
bool liscal_fence_break(struct liscal_res *res, int reason,
			struct list_head *failed)
{
	lockdep_assert_held(&res->state_mutex);
	lockdep_assert_held(&res->lock);
	if (!res->p.fencing || res->role != LISCAL_ROLE_ACTIVE ||
	    res->pdisk != LISCAL_DISK_UPTODATE || res->split_brain ||
	    res->destroying || reason == LISCAL_REASON_BREAK_ADMIN)
		return false;
	res->fenced = true;
	list_splice_tail_init(failed, &res->fence_acks);
	return true;
}

/*
 * Lets the held writes go: the completions held since the break end (the
 * writes' regions stay out of sync, as for any write the peer missed) and
 * the new writes are issued. @reason: LISCAL_REASON_FENCE_RELEASED (the
 * command) or LISCAL_REASON_CONNECTED (a new connection: the peer is back
 * and is resynchronised). Returns -EALREADY when nothing is fenced.
 * Context: process, state_mutex held.
 */
int liscal_fence_release(struct liscal_res *res, int reason)
{
	struct liscal_req *req, *tmp;
	struct liscal_snap snap;
	unsigned long flags;
	LIST_HEAD(acks);
	unsigned int n = 0;

	lockdep_assert_held(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (!res->fenced) {
		spin_unlock_irqrestore(&res->lock, flags);
		return -EALREADY;
	}
	res->fenced = false;
	list_splice_init(&res->fence_acks, &acks);
	/* a handshake holding writes lets them go itself at its end */
	if (!res->hold_writes)
		list_splice_tail_init(&res->held, &res->issue_q);
	spin_unlock_irqrestore(&res->lock, flags);
	list_for_each_entry_safe(req, tmp, &acks, ack_list) {
		liscal_req_put(req);
		n++;
	}
	queue_work(res->wq, &res->issue_work);
	wake_up_all(&res->waitq);
	pr_info("%s: fenced writes released (%s), %u waiting for the peer completed\n",
		res->name, reason == LISCAL_REASON_CONNECTED ?
		"the peer is connected again" : "fence-release", n);
	liscal_event_since(res, &snap, LISCAL_REASON_FENCE_RELEASED,
			   reason == LISCAL_REASON_CONNECTED ? "reconnected" : NULL);
	return 0;
}

/*
 * OUTDATE: this standby copy is marked fenced on disk (not current, the
 * active goes on without it), then the command answers, so that the
 * cluster service tells the active only what is durable. Refused, with
 * nothing changed, while active or connected. Again on a fenced copy: 0.
 */
int liscal_outdate(struct liscal_res *res, struct netlink_ext_ack *extack)
{
	struct liscal_snap snap;
	struct liscal_sb old_sb;
	unsigned long flags;
	int ret = 0;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (res->role == LISCAL_ROLE_ACTIVE) {
		liscal_errf(extack, "%s is active here: only a standby copy is outdated",
			    res->name);
		ret = -EPERM;
	} else if (res->conn == LISCAL_CONN_CONNECTED) {
		liscal_errf(extack,
			    "%s is connected to the peer: its copy is mirrored, not outdated (try again once the mirror broke)",
			    res->name);
		ret = -EBUSY;
	}
	if (ret || (res->sb.flags & LISCAL_SB_F_FENCED)) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		return ret;
	}
	old_sb = res->sb;
	res->sb.flags &= ~LISCAL_SB_F_UPTODATE;
	res->sb.flags |= LISCAL_SB_F_FENCED;
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_commit(res, &old_sb, false);
	if (ret) {
		mutex_unlock(&res->state_mutex);
		liscal_errf(extack, "%s: cluster partition write failed (%d): not outdated",
			    res->name, ret);
		return ret;
	}
	spin_lock_irqsave(&res->lock, flags);
	if (res->disk_state == LISCAL_DISK_UPTODATE)
		res->disk_state = LISCAL_DISK_OUTDATED;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	pr_info("%s: this copy is outdated and fenced: the active goes on without it\n",
		res->name);
	liscal_event_since(res, &snap, LISCAL_REASON_OUTDATED, NULL);
	return 0;
}
