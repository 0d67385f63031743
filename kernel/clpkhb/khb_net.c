// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb sockets: one kernel UDP socket per link, bound to this node's
 * address on that link and the cluster's heartbeat port. Sending happens
 * in the send work (a WQ_MEM_RECLAIM workqueue, under memalloc_noio, with
 * MSG_DONTWAIT: it never waits for memory or buffer space); receiving in
 * the socket's data-ready callback (softirq).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/net.h>
#include <linux/pkt_sched.h>
#include <linux/sched/mm.h>
#include <linux/uio.h>
#include <crypto/hash.h>
#include <net/sock.h>
#include <net/udp.h>

#include "khb.h"
#include "khb_wire.h"

/*
 * khb_mac_fn for khb_wire.c: HMAC-SHA256 with the cluster key. Context:
 * any (the shash is synchronous; the key only changes while stopped).
 */
int khb_mac(void *ctx, const u8 *data, size_t len, u8 *out)
{
	struct crypto_shash *tfm = ctx;

	return crypto_shash_tfm_digest(tfm, data, (unsigned int)len, out);
}

/* Context: softirq, from the UDP receive path. */
static void khb_data_ready(struct sock *sk)
{
	struct khb_link *l;
	struct sk_buff *skb;
	int err;

	read_lock_bh(&sk->sk_callback_lock);
	l = sk->sk_user_data;
	if (!l)
		goto out_unlock;
	while ((skb = skb_recv_udp(sk, MSG_DONTWAIT, &err)) != NULL) {
		khb_rx(l, skb);
		skb_consume_udp(sk, skb, 0);
	}
out_unlock:
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Context: process, cfg_lock held. */
int khb_link_open(struct khb_link *l, struct netlink_ext_ack *extack)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = l->local_addr,
		.sin_port = htons(khb.port),
	};
	struct socket *sock;
	struct sock *sk;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
			       &sock);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot create a UDP socket");
		return ret;
	}
	sk = sock->sk;
	sk->sk_allocation = GFP_NOIO;
	sk->sk_priority = TC_PRIO_CONTROL;
	/*
	 * No SO_REUSEADDR: with it any local process could bind the same
	 * address and port and take the heartbeats. A UDP port is free again
	 * as soon as the socket is released, so a restart needs none.
	 */
	ret = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	if (ret) {
		pr_err("lankhb%u: cannot bind to %pI4:%u: %d\n", l->id,
		       &l->local_addr, khb.port, ret);
		NL_SET_ERR_MSG(extack,
			       "cannot bind a link's socket to its local address and port (address not on this node, or port in use)");
		goto err_release;
	}
	write_lock_bh(&sk->sk_callback_lock);
	l->saved_data_ready = sk->sk_data_ready;
	sk->sk_user_data = l;
	sk->sk_data_ready = khb_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	l->sock = sock;
	return 0;

err_release:
	sock_release(sock);
	return ret;
}

/* Context: process; the send work is not running. */
void khb_link_close(struct khb_link *l)
{
	struct sock *sk;

	if (!l->sock)
		return;
	sk = l->sock->sk;
	/* After this no data-ready callback sees the link. */
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = l->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	kernel_sock_shutdown(l->sock, SHUT_RDWR);
	sock_release(l->sock);
	l->sock = NULL;
}

static void khb_stat_time(u64 *min, u64 *max, u64 *sum, u64 n, u64 us)
{
	if (n == 1 || us < *min)
		*min = us;
	if (us > *max)
		*max = us;
	*sum += us;
}

/* Context: process (send work), no lock held. */
static void khb_send_one(struct khb_link *l, unsigned int li,
			 struct khb_peer *p, const u8 *buf, int len)
{
	struct khb_peer_link *pl = &p->pl[li];
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = pl->addr,
		.sin_port = htons(khb.port),
	};
	struct msghdr msg = {
		.msg_name = &sin,
		.msg_namelen = sizeof(sin),
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };
	ktime_t t0 = ktime_get();
	u64 us;
	int ret;

	ret = kernel_sendmsg(l->sock, &msg, &vec, 1, len);
	us = ktime_us_delta(ktime_get(), t0);
	spin_lock_bh(&khb.lock);
	if (ret == len) {
		pl->st.send_count++;
		khb_stat_time(&pl->st.send_min_us, &pl->st.send_max_us,
			      &pl->st.send_sum_us, pl->st.send_count, us);
	} else {
		pl->st.send_error++;
	}
	spin_unlock_bh(&khb.lock);
}

/* Context: process (khb.wq), runs once per tick. */
void khb_send_work(struct work_struct *w)
{
	struct khb_pkt pkt = {
		.node_id = khb.node_id,
		.incarnation = khb.incarnation,
		.interval_ms = khb.interval_ms,
		.timeout_ms = khb.timeout_ms,
	};
	u8 buf[KHB_MAX_LEN];
	unsigned int noio, li, pi;
	int len;

	if (!READ_ONCE(khb.running))
		return;
	noio = memalloc_noio_save();
	pkt.seq = ++khb.seq;
	for (li = 0; li < khb.nlinks; li++) {
		struct khb_link *l = &khb.links[li];

		pkt.link_id = l->id;
		len = khb_wire_encode(&pkt, buf, sizeof(buf),
				      khb.tfm ? khb_mac : NULL, khb.tfm);
		if (WARN_ON_ONCE(len < 0))
			break;
		for (pi = 0; pi < khb.npeers; pi++)
			if (khb.peers[pi].pl[li].configured)
				khb_send_one(l, li, &khb.peers[pi], buf, len);
	}
	memalloc_noio_restore(noio);
}
