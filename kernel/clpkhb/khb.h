/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpkhb internals shared by the module's files.
 *
 * One global instance (struct khb, "khb"). Two locks:
 *  - khb.cfg_lock (mutex) protects the configuration (node id, interval,
 *    timeout, port, key, the link and peer tables' membership and
 *    addresses) and the running flag's transitions. Taken by the netlink
 *    ops and sysfs readers, in process context. The configuration only
 *    changes while the heartbeat is stopped, so the timer, the send work and
 *    the receive callback, which only run while it is started, read it
 *    without a lock.
 *  - khb.lock (spinlock, taken with _bh) protects the run-time state: peer
 *    and link states, last-seen times, sequence numbers, incarnations and
 *    counters. Taken by the tick (softirq hrtimer), the receive callback
 *    (softirq), the send work and the netlink/sysfs readers.
 * The timeout ratio has its own lock (khb_ratio.c).
 */
#ifndef KHB_H
#define KHB_H

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include <clpstack/clpkhb.h>

struct crypto_shash;

struct khb_stats {
	u64 recv_count, recv_error;
	u64 recv_min_us, recv_max_us, recv_sum_us;
	u64 send_count, send_error;
	u64 send_min_us, send_max_us, send_sum_us;
};

/* One of this node's interconnects, lankhb<id>. */
struct khb_link {
	u32 id;
	u32 prio;
	__be32 local_addr;
	struct socket *sock;		/* while running */
	void (*saved_data_ready)(struct sock *sk);
	u64 unknown_sender;		/* under khb.lock */
};

/* A peer as seen on one link (index = slot of the link in khb.links). */
struct khb_peer_link {
	bool configured;
	__be32 addr;
	/* run time, under khb.lock: */
	u8 state;			/* enum clpkhb_state */
	u32 good_run;			/* consecutive good packets */
	u64 last_seq;
	ktime_t last_good;		/* 0: never */
	struct khb_stats st;
	const char *last_error;		/* static string or NULL */
};

struct khb_peer {
	u32 node_id;
	char name[CLPKHB_NAME_LEN];
	/* run time, under khb.lock: */
	u8 state;			/* enum clpkhb_state */
	bool warned;			/* 75% warning given for this silence */
	bool mismatch;
	ktime_t last_good;
	u64 incarnation;		/* the peer's, 0: not heard yet */
	u32 peer_interval_ms, peer_timeout_ms;
	struct khb_peer_link pl[CLPKHB_MAX_LINKS];
};

struct khb {
	struct mutex cfg_lock;		/* configuration, see the top */
	spinlock_t lock;		/* run-time state, see the top */
	bool running;
	u32 node_id;
	u32 interval_ms;
	u32 timeout_ms;
	u16 port;
	u64 incarnation;		/* this module instance, never 0 */
	u64 seq;			/* last sequence sent; send work only */
	struct crypto_shash *tfm;	/* NULL: no cluster key */
	unsigned int nlinks, npeers;
	struct khb_link links[CLPKHB_MAX_LINKS];
	struct khb_peer peers[CLPKHB_MAX_PEERS];
	struct hrtimer tick;
	struct work_struct send_work;
	struct workqueue_struct *wq;
};

extern struct khb khb;
extern struct genl_family khb_genl_family;

/* khb_core.c */
int khb_core_init(void);
void khb_core_exit(void);
int khb_start(struct netlink_ext_ack *extack);
void khb_stop(void);
void khb_clear_config(void);
int khb_set_key(const u8 *key, struct netlink_ext_ack *extack);
u64 khb_effective_timeout_ms(void);
const char *khb_state_name(u8 state);

/* khb_net.c */
int khb_link_open(struct khb_link *l, struct netlink_ext_ack *extack);
void khb_link_close(struct khb_link *l);
void khb_send_work(struct work_struct *w);
int khb_mac(void *ctx, const u8 *data, size_t len, u8 *out);

/* khb_rx.c */
void khb_rx(struct khb_link *l, struct sk_buff *skb);

/* khb_nl.c */
int khb_nl_init(void);
void khb_nl_exit(void);
void khb_event(u8 type, const struct khb_peer *p, const struct khb_link *l,
	       const char *reason);

/* khb_ratio.c */
void khb_ratio_get(u32 *ratio, u64 *end_real);
int khb_ratio_set(u32 ratio, u32 secs);

/* khb_sysfs.c */
extern const struct attribute_group *khb_sysfs_groups[];

#endif /* KHB_H */
