// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_res.c - resource life cycle: open the partitions, check the
 * cluster partition, create /dev/NMPn, destroy; superblock writes and
 * the I/O error policy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "liscal_int.h"

u64 liscal_now(void)
{
	return ktime_get_real_seconds();
}

u64 liscal_new_gen(void)
{
	u64 g;

	do {
		g = get_random_u64();
	} while (!g);
	return g;
}

void liscal_params_default(struct liscal_params *p)
{
	p->sync_mode = LISCAL_SYNC_SYNC;
	p->send_timeout = 30000;
	p->connect_timeout = 10000;
	p->ack_timeout = 100000;
	p->recv_timeout = 100000;
	p->hb_interval = 10000;
	p->ping_timeout = 2000;
	p->ping_retry = 8;
	p->recovery_chunk = LISCAL_CHUNK_DEFAULT;
	p->cp_io_error = LISCAL_IOERR_NONE;
	p->dp_io_error = LISCAL_IOERR_NONE;
	p->auto_construct = 1;
	p->send_queue_size = 2048;
	p->hot_extents = LISCAL_HOT_EXTENTS_DEFAULT;
}

struct liscal_res *liscal_res_find(const char *name)
{
	struct liscal_res *res;

	lockdep_assert_held(&liscal_res_mutex);
	list_for_each_entry(res, &liscal_res_list, list)
		if (!strcmp(res->name, name))
			return res;
	return NULL;
}

/*
 * Applies the configured action to an I/O error on a partition: PANIC,
 * RESET (emergency restart, so that the other server takes over), or NONE:
 * the disk state becomes FAILED, and fail_work records it in the
 * superblock. Any context (bio completions).
 */
void liscal_io_error(struct liscal_res *res, bool cp, int err)
{
	u8 action = cp ? READ_ONCE(res->p.cp_io_error) :
			 READ_ONCE(res->p.dp_io_error);
	unsigned long flags;
	bool record;

	pr_err("%s: I/O error %d on the %s partition\n", res->name, err,
	       cp ? "cluster" : "data");
	if (action == LISCAL_IOERR_PANIC)
		panic("liscal: %s: I/O error on the %s partition\n", res->name,
		      cp ? "cluster" : "data");
	if (action == LISCAL_IOERR_RESET)
		emergency_restart();
	spin_lock_irqsave(&res->lock, flags);
	res->disk_state = LISCAL_DISK_FAILED;
	record = !res->fail_recorded;
	res->fail_recorded = true;
	spin_unlock_irqrestore(&res->lock, flags);
	if (record)
		queue_work(res->wq, &res->fail_work);
}

/*
 * The failed disk on the cluster partition (FAILED, not UPTODATE): after a
 * restart the copy still comes back failed and is never taken for current.
 * If the cluster partition is what failed, this write fails too: the
 * failure then lives in memory only (HELLO and STATE still say so), and
 * the next RES_CREATE reads the partition again.
 */
void liscal_fail_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, fail_work);
	unsigned long flags;
	int ret;

	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	res->sb.flags |= LISCAL_SB_F_FAILED;
	res->sb.flags &= ~LISCAL_SB_F_UPTODATE;
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	if (ret)
		pr_err("%s: the disk failure could not be recorded on the cluster partition (error %d)\n",
		       res->name, ret);
	else
		pr_warn("%s: disk failure recorded: this copy is not used as current until a full recovery onto it\n",
			res->name);
	liscal_kick_state(res);
	liscal_event(res, LISCAL_REASON_LOCAL_IO_ERROR, 0, 0, 0, 0, NULL);
}

static int liscal_sb_io(struct liscal_res *res, blk_opf_t opf)
{
	struct bio *bio;
	int ret;

	bio = bio_alloc(res->cbdev, 1, opf, GFP_NOIO);
	bio->bi_iter.bi_sector = 0;
	__bio_add_page(bio, virt_to_page(res->sb_buf), LISCAL_SB_SIZE, 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/* Writes res->sb durably. Context: process, state_mutex held. */
int liscal_sb_write(struct liscal_res *res)
{
	int ret;

	lockdep_assert_held(&res->state_mutex);
	/* a current copy is not fenced (any more): FENCED never with UPTODATE */
	if (res->sb.flags & LISCAL_SB_F_UPTODATE)
		res->sb.flags &= ~LISCAL_SB_F_FENCED;
	res->sb.seq++;
	liscal_meta_encode(&res->sb, res->sb_buf);
	ret = liscal_sb_io(res, REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA | REQ_SYNC);
	if (ret)
		liscal_io_error(res, true, ret);
	return ret;
}

/*
 * Makes a state change the caller made in res->sb (under lock, from @old)
 * durable: the whole bitmap first if @bitmap, then the superblock. If a
 * write fails, res->sb is @old again (the disk failed, liscal_io_error())
 * and the error is returned: the caller changes nothing else then.
 * Context: process, state_mutex held, res->lock not held.
 */
int liscal_sb_commit(struct liscal_res *res, const struct liscal_sb *old,
		     bool bitmap)
{
	unsigned long flags;
	int ret = 0;

	if (bitmap)
		ret = liscal_bm_flush(res, true);
	if (!ret)
		ret = liscal_sb_write(res);
	if (ret) {
		spin_lock_irqsave(&res->lock, flags);
		res->sb = *old;
		spin_unlock_irqrestore(&res->lock, flags);
	}
	return ret;
}

static int liscal_open_bdev(struct liscal_res *res, const char *path,
			    struct block_device **out, const char *what,
			    struct netlink_ext_ack *extack)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, FMODE_READ | FMODE_WRITE | FMODE_EXCL,
				  res);
	if (IS_ERR(bdev)) {
		liscal_errf(extack, "cannot open %s partition %s: error %ld",
			    what, path, PTR_ERR(bdev));
		return PTR_ERR(bdev);
	}
	*out = bdev;
	return 0;
}

static void liscal_close_bdevs(struct liscal_res *res)
{
	if (res->cbdev)
		blkdev_put(res->cbdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
	if (res->dbdev)
		blkdev_put(res->dbdev, FMODE_READ | FMODE_WRITE | FMODE_EXCL);
	res->cbdev = NULL;
	res->dbdev = NULL;
}

/* Reads and checks the superblock; sets the states from its flags. */
static int liscal_load_meta(struct liscal_res *res,
			    struct netlink_ext_ack *extack)
{
	struct liscal_meta_expect exp = {
		.name = res->name,
		.node_id = res->node_id,
		.data_bytes = res->data_bytes,
		.cp_bytes = bdev_nr_bytes(res->cbdev),
	};
	char err[200];
	int ret;

	ret = liscal_sb_io(res, REQ_OP_READ);
	if (ret) {
		liscal_errf(extack, "cannot read cluster partition %s: error %d",
			    res->cp_path, ret);
		return ret;
	}
	ret = liscal_meta_decode(res->sb_buf, &res->sb, &exp, err, sizeof(err));
	if (ret) {
		liscal_errf(extack, "cluster partition %s: %s",
			    res->cp_path, err);
		pr_err("%s: cluster partition %s: %s\n", res->name,
		       res->cp_path, err);
		return -EUCLEAN;
	}
	res->shift = res->sb.bm_shift;
	res->nbits = res->sb.bm_bits;
	if (res->sb.flags & LISCAL_SB_F_FAILED) {
		/* recorded by liscal_fail_work(): still failed */
		res->disk_state = LISCAL_DISK_FAILED;
		res->fail_recorded = true;
		pr_warn("%s: the cluster partition records a disk failure: this copy is failed until a full recovery onto it\n",
			res->name);
	} else if (res->sb.flags & LISCAL_SB_F_INCONSISTENT) {
		res->disk_state = LISCAL_DISK_INCONSISTENT;
	} else if (res->sb.flags & LISCAL_SB_F_UPTODATE) {
		res->disk_state = LISCAL_DISK_UPTODATE;
	} else {
		res->disk_state = LISCAL_DISK_OUTDATED;
	}
	res->pdisk = (res->sb.flags & LISCAL_SB_F_PEER_OUTDATED) ?
		     LISCAL_DISK_OUTDATED : LISCAL_DISK_UNKNOWN;
	res->split_brain = res->sb.flags & LISCAL_SB_F_SPLIT_BRAIN;
	return 0;
}

static void liscal_res_free(struct liscal_res *res)
{
	if (res->wq)
		destroy_workqueue(res->wq);
	liscal_bm_free(res);
	mempool_destroy(res->req_pool);
	bioset_exit(&res->bs);
	liscal_page_pool_free(res);
	if (res->sb_buf)
		free_page((unsigned long)res->sb_buf);
	kfree_sensitive(res);	/* the key */
}

int liscal_res_create(struct liscal_res *tmpl, u32 flags,
		      struct netlink_ext_ack *extack)
{
	struct liscal_res *res, *o;
	int ret;

	lockdep_assert_held(&liscal_res_mutex);
	list_for_each_entry(o, &liscal_res_list, list) {
		if (!strcmp(o->name, tmpl->name)) {
			liscal_errf(extack, "resource %s exists", o->name);
			return -EEXIST;
		}
		if (o->minor == tmpl->minor) {
			liscal_errf(extack, "/dev/NMP%u is used by %s",
				    o->minor, o->name);
			return -EEXIST;
		}
	}
	/*
	 * The resource's module reference. rmmod may have begun already
	 * (it waits in genl_unregister_family() for this command): then
	 * try_module_get() fails, where __module_get() would have let a
	 * resource outlive the module.
	 */
	if (!try_module_get(THIS_MODULE)) {
		liscal_errf(extack, "the liscal module is being unloaded");
		return -ENODEV;
	}
	ret = -ENOMEM;
	res = kmemdup(tmpl, sizeof(*tmpl), GFP_KERNEL);
	if (!res)
		goto err_module_put;
	INIT_LIST_HEAD(&res->list);
	mutex_init(&res->state_mutex);
	mutex_init(&res->bm_mutex);
	mutex_init(&res->send_mutex);
	mutex_init(&res->sock_mutex);
	mutex_init(&res->rs_mutex);
	INIT_WORK(&res->ctl_work, liscal_ctl_work);
	INIT_LIST_HEAD(&res->ack_q);
	INIT_LIST_HEAD(&res->peer_writes);
	INIT_WORK(&res->ack_work, liscal_peer_ack_work);
	spin_lock_init(&res->lock);
	spin_lock_init(&res->page_lock);
	INIT_LIST_HEAD(&res->page_pool);
	res->page_pooled = 0;
	atomic64_set(&res->pages_reused, 0);
	init_waitqueue_head(&res->waitq);
	init_waitqueue_head(&res->conn_waitq);
	INIT_LIST_HEAD(&res->writes);
	INIT_LIST_HEAD(&res->issue_q);
	INIT_LIST_HEAD(&res->deferred);
	INIT_LIST_HEAD(&res->held);
	INIT_LIST_HEAD(&res->fence_acks);
	INIT_LIST_HEAD(&res->ack_wait);
	INIT_LIST_HEAD(&res->send_q);
	INIT_WORK(&res->send_work, liscal_async_send_work);
	INIT_WORK(&res->catchup_work, liscal_async_catchup_work);
	INIT_LIST_HEAD(&res->rs_chunks);
	INIT_WORK(&res->issue_work, liscal_issue_work);
	INIT_DELAYED_WORK(&res->clean_work, liscal_clean_work);
	INIT_WORK(&res->ahead_work, liscal_bm_ahead_work);
	INIT_WORK(&res->fail_work, liscal_fail_work);
	INIT_WORK(&res->grow_work, liscal_grow_work);
	res->role = LISCAL_ROLE_STANDBY;
	res->conn = LISCAL_CONN_STANDALONE;
	res->period_start_ns = ktime_get_ns();

	ret = -ENOMEM;
	res->sb_buf = (void *)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	if (!res->sb_buf)
		goto err_free_res;
	if (bioset_init(&res->bs, 64, 0, BIOSET_NEED_BVECS))
		goto err_free_res;
	res->req_pool = mempool_create_kmalloc_pool(64, sizeof(struct liscal_req));
	if (!res->req_pool)
		goto err_free_res;
	res->wq = alloc_workqueue("liscal_%s", WQ_MEM_RECLAIM | WQ_UNBOUND, 0,
				  res->name);
	if (!res->wq)
		goto err_free_res;

	ret = liscal_open_bdev(res, res->data_path, &res->dbdev, "data", extack);
	if (ret)
		goto err_free_res;
	ret = liscal_open_bdev(res, res->cp_path, &res->cbdev, "cluster", extack);
	if (ret)
		goto err_close_bdevs;
	/*
	 * The data partition may be larger than what is mirrored (extended
	 * for a growth): the superblock says how much is.
	 */
	res->data_bytes = bdev_nr_bytes(res->dbdev) & ~4095ULL;
	ret = liscal_load_meta(res, extack);
	if (ret)
		goto err_close_bdevs;
	res->data_bytes = res->sb.data_bytes;
	res->data_sectors = res->data_bytes >> 9;
	ret = liscal_bm_alloc(res);
	if (ret)
		goto err_close_bdevs;
	ret = liscal_bm_load(res);
	if (ret) {
		liscal_errf(extack, "cannot read the bitmap on %s: error %d",
			    res->cp_path, ret);
		goto err_close_bdevs;
	}
	ret = liscal_disk_create(res);
	if (ret) {
		liscal_errf(extack, "cannot create /dev/NMP%u: error %d",
			    res->minor, ret);
		goto err_close_bdevs;
	}
	list_add_tail(&res->list, &liscal_res_list);
	queue_delayed_work(res->wq, &res->clean_work, HZ);
	pr_info("%s: /dev/NMP%u over %s (cluster partition %s), %llu bytes, %u KiB per bit, %llu bits dirty\n",
		res->name, res->minor, res->data_path, res->cp_path,
		res->data_bytes, 1U << (res->shift - 10), liscal_dirty_bits(res));
	liscal_event(res, LISCAL_REASON_CREATED, 0, 0, 0, 0, NULL);
	if (!(flags & LISCAL_F_NO_CONNECT)) {
		res->want_connect = true;
		liscal_conn_start(res);
	}
	return 0;

err_close_bdevs:
	liscal_close_bdevs(res);
err_free_res:
	liscal_res_free(res);
err_module_put:
	module_put(THIS_MODULE);
	return ret;
}

int liscal_res_destroy(struct liscal_res *res, struct netlink_ext_ack *extack)
{
	unsigned long flags;
	int ret;

	lockdep_assert_held(&liscal_res_mutex);
	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	if (res->role == LISCAL_ROLE_ACTIVE || res->openers) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		liscal_errf(extack, "%s is active or /dev/NMP%u is open: deactivate first",
			    res->name, res->minor);
		return -EBUSY;
	}
	if (res->cmd_waiting) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		liscal_errf(extack, "%s: another command on it is running",
			    res->name);
		return -EBUSY;
	}
	res->destroying = true;
	res->want_connect = false;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);

	liscal_rs_stop(res);
	liscal_conn_stop(res);
	/* a peer's GROW request answered before /dev/NMPn goes */
	cancel_work_sync(&res->grow_work);
	liscal_disk_destroy(res);
	cancel_delayed_work_sync(&res->clean_work);
	flush_workqueue(res->wq);
	mutex_lock(&res->state_mutex);
	liscal_bm_drop_hot(res);
	ret = liscal_bm_flush(res, false);
	if (!ret)
		ret = liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	/* a failure of that write queued it: done before the partitions go */
	flush_work(&res->fail_work);
	if (ret) {
		liscal_errf(extack,
			    "%s destroyed, but its last cluster partition write failed (error %d): the partition may hold an older state",
			    res->name, ret);
		pr_err("%s: last cluster partition write failed (error %d)\n",
		       res->name, ret);
	}
	liscal_event(res, LISCAL_REASON_DESTROYED, 0, 0, 0, 0, NULL);
	list_del(&res->list);
	liscal_close_bdevs(res);
	pr_info("%s: destroyed\n", res->name);
	liscal_res_free(res);
	module_put(THIS_MODULE);
	return ret;
}
