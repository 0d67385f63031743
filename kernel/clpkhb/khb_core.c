// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb core: start/stop, the tick and the liveness rules.
 *
 * Every interval the tick (a soft hrtimer, softirq context) checks every
 * peer and link, then queues the send work. A link is down when no good
 * packet came over it for the effective timeout (timeout x ratio); it comes
 * back up after CLPKHB_UP_PACKETS consecutive good packets. A peer is down
 * when no good packet came over any link for the effective timeout, so the
 * decision is made at the first tick after the timeout: between timeout
 * and timeout + interval.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <crypto/hash.h>

#include "khb.h"

struct khb khb;

const char *khb_state_name(u8 state)
{
	switch (state) {
	case CLPKHB_STATE_UP:
		return "up";
	case CLPKHB_STATE_DOWN:
		return "down";
	default:
		return "unknown";
	}
}

u64 khb_effective_timeout_ms(void)
{
	u64 end;
	u32 ratio;

	khb_ratio_get(&ratio, &end);
	return (u64)khb.timeout_ms * ratio;
}

/* Context: softirq (tick), khb.lock held. */
static void khb_check_peer(struct khb_peer *p, ktime_t now, u64 tmo_ms)
{
	char reason[96];
	unsigned int i;
	u64 silence;

	for (i = 0; i < khb.nlinks; i++) {
		struct khb_peer_link *pl = &p->pl[i];

		if (!pl->configured || pl->state != CLPKHB_STATE_UP)
			continue;
		silence = ktime_ms_delta(now, pl->last_good);
		if (silence < tmo_ms)
			continue;
		pl->state = CLPKHB_STATE_DOWN;
		pl->good_run = 0;
		snprintf(reason, sizeof(reason),
			 "no heartbeat for %llu ms (timeout %llu ms)",
			 silence, tmo_ms);
		khb_event(CLPKHB_EVENT_LINK_DOWN, p, &khb.links[i], reason);
	}
	if (p->state != CLPKHB_STATE_UP)
		return;
	silence = ktime_ms_delta(now, p->last_good);
	if (silence >= tmo_ms) {
		p->state = CLPKHB_STATE_DOWN;
		for (i = 0; i < khb.nlinks; i++)
			p->pl[i].good_run = 0;
		snprintf(reason, sizeof(reason),
			 "no heartbeat on any link for %llu ms (timeout %llu ms)",
			 silence, tmo_ms);
		khb_event(CLPKHB_EVENT_PEER_DOWN, p, NULL, reason);
	} else if (!p->warned && silence * 4 >= tmo_ms * 3) {
		p->warned = true;
		pr_warn("peer %s (node %u): no heartbeat for %llu ms, 75%% of the timeout %llu ms\n",
			p->name, p->node_id, silence, tmo_ms);
	}
}

/* Context: softirq (HRTIMER_MODE_REL_SOFT). */
static enum hrtimer_restart khb_tick(struct hrtimer *t)
{
	u64 tmo_ms = khb_effective_timeout_ms();
	ktime_t now = ktime_get();
	unsigned int i;

	spin_lock_bh(&khb.lock);
	for (i = 0; i < khb.npeers; i++)
		khb_check_peer(&khb.peers[i], now, tmo_ms);
	spin_unlock_bh(&khb.lock);

	queue_work(khb.wq, &khb.send_work);
	hrtimer_forward_now(t, ms_to_ktime(khb.interval_ms));
	return HRTIMER_RESTART;
}

/* Forget run-time state; before a start. Context: process, cfg_lock held. */
static void khb_reset_runtime(void)
{
	unsigned int i, j;

	spin_lock_bh(&khb.lock);
	for (i = 0; i < khb.npeers; i++) {
		struct khb_peer *p = &khb.peers[i];

		p->state = CLPKHB_STATE_UNKNOWN;
		p->warned = false;
		p->mismatch = false;
		p->last_good = 0;
		p->incarnation = 0;
		p->peer_interval_ms = 0;
		p->peer_timeout_ms = 0;
		for (j = 0; j < CLPKHB_MAX_LINKS; j++) {
			struct khb_peer_link *pl = &p->pl[j];

			pl->state = CLPKHB_STATE_UNKNOWN;
			pl->good_run = 0;
			pl->last_seq = 0;
			pl->last_good = 0;
			pl->last_error = NULL;
			memset(&pl->st, 0, sizeof(pl->st));
		}
	}
	for (i = 0; i < khb.nlinks; i++)
		khb.links[i].unknown_sender = 0;
	spin_unlock_bh(&khb.lock);
}

/* Context: process, cfg_lock held. */
int khb_start(struct netlink_ext_ack *extack)
{
	unsigned int i, j;
	int ret;

	lockdep_assert_held(&khb.cfg_lock);
	if (khb.running) {
		NL_SET_ERR_MSG(extack, "heartbeat is already running");
		return -EBUSY;
	}
	if (!khb.node_id) {
		NL_SET_ERR_MSG(extack, "this node's id is not set (SET_PARAMS)");
		return -EINVAL;
	}
	if (!khb.nlinks || !khb.npeers) {
		NL_SET_ERR_MSG(extack, "no link or no peer configured");
		return -EINVAL;
	}
	for (i = 0; i < khb.npeers; i++) {
		for (j = 0; j < khb.nlinks; j++)
			if (khb.peers[i].pl[j].configured)
				break;
		if (j == khb.nlinks) {
			NL_SET_ERR_MSG(extack, "a peer has no address on any link");
			return -EINVAL;
		}
	}
	khb_reset_runtime();
	for (i = 0; i < khb.nlinks; i++) {
		ret = khb_link_open(&khb.links[i], extack);
		if (ret)
			goto err_close_links;
	}
	WRITE_ONCE(khb.running, true);
	hrtimer_start(&khb.tick, ms_to_ktime(khb.interval_ms),
		      HRTIMER_MODE_REL_SOFT);
	queue_work(khb.wq, &khb.send_work);
	pr_info("started: node %u, %u link(s), %u peer(s), interval %u ms, timeout %u ms, %s\n",
		khb.node_id, khb.nlinks, khb.npeers, khb.interval_ms,
		khb.timeout_ms, khb.tfm ? "authenticated" : "no cluster key");
	return 0;

err_close_links:
	while (i-- > 0)
		khb_link_close(&khb.links[i]);
	return ret;
}

/* Context: process, cfg_lock held (or module exit). */
void khb_stop(void)
{
	unsigned int i;

	if (!khb.running)
		return;
	WRITE_ONCE(khb.running, false);
	hrtimer_cancel(&khb.tick);
	cancel_work_sync(&khb.send_work);
	for (i = 0; i < khb.nlinks; i++)
		khb_link_close(&khb.links[i]);
	pr_info("stopped\n");
}

/* Context: process, cfg_lock held, stopped. */
void khb_clear_config(void)
{
	WARN_ON_ONCE(khb.running);
	if (khb.tfm) {
		crypto_free_shash(khb.tfm);
		khb.tfm = NULL;
	}
	khb.node_id = 0;
	khb.interval_ms = CLPKHB_DEF_INTERVAL_MS;
	khb.timeout_ms = CLPKHB_DEF_TIMEOUT_MS;
	khb.port = CLPKHB_DEF_PORT;
	khb.nlinks = 0;
	khb.npeers = 0;
	memset(khb.links, 0, sizeof(khb.links));
	memset(khb.peers, 0, sizeof(khb.peers));
}

/* @key NULL: no key. Context: process, cfg_lock held, stopped. */
int khb_set_key(const u8 *key, struct netlink_ext_ack *extack)
{
	struct crypto_shash *tfm = NULL;
	int ret;

	if (key) {
		tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
		if (IS_ERR(tfm)) {
			NL_SET_ERR_MSG(extack, "hmac(sha256) is not available");
			return PTR_ERR(tfm);
		}
		ret = crypto_shash_setkey(tfm, key, CLPKHB_KEY_LEN);
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot set the HMAC key");
			crypto_free_shash(tfm);
			return ret;
		}
	}
	if (khb.tfm)
		crypto_free_shash(khb.tfm);
	khb.tfm = tfm;
	return 0;
}

int khb_core_init(void)
{
	mutex_init(&khb.cfg_lock);
	spin_lock_init(&khb.lock);
	/*
	 * The incarnation grows from one load to the next (wall-clock
	 * nanoseconds), so that a packet of an earlier incarnation, replayed,
	 * is told apart from a restart (khb_rx.c).
	 */
	khb.incarnation = ktime_get_real_ns();
	if (!khb.incarnation)
		khb.incarnation = 1;
	khb.seq = 0;
	khb_clear_config();
	hrtimer_init(&khb.tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	khb.tick.function = khb_tick;
	INIT_WORK(&khb.send_work, khb_send_work);
	/* Sends must go on under memory pressure: a rescuer thread. */
	khb.wq = alloc_workqueue("clpkhb", WQ_MEM_RECLAIM | WQ_HIGHPRI, 1);
	if (!khb.wq)
		return -ENOMEM;
	return 0;
}

void khb_core_exit(void)
{
	mutex_lock(&khb.cfg_lock);
	khb_stop();
	khb_clear_config();
	mutex_unlock(&khb.cfg_lock);
	destroy_workqueue(khb.wq);
}
