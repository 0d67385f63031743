// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_conn.c - the mirror connection: TCP setup (lower node id
 * connects, the other listens), handshake (HELLO + bitmaps + decision),
 * the receiver (peer writes, acks, pings), breaks and teardown.
 *
 * The connection thread owns the socket: only it creates and releases it.
 * Others stop a connection with liscal_conn_fail(), which shuts the socket
 * down (waking a blocked sender and the receiver) under sock_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/inet.h>
#include <linux/tcp.h>
#include <linux/highmem.h>
#include <linux/sched/mm.h>
#include <linux/random.h>
#include <crypto/algapi.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "liscal_int.h"

#define LISCAL_RCV_POLL		(HZ / 4)
#define LISCAL_SEND_VECS	16	/* pages per sendmsg of a bio's data */

/* A write from the peer being applied to the data partition. */
struct liscal_peer_req {
	struct list_head list;	/* res->ack_q once written, lock */
	struct list_head wlist;	/* res->peer_writes until written, lock */
	struct liscal_res *res;
	struct bio *bio;
	u64 seq;
	u64 sector;	/* bi_sector is advanced once the bio completes */
	u32 size;
	u16 ack_type;
	bool ahead;	/* DATA with AHEAD: flush ahead once acknowledged */
	blk_status_t status;
};

int liscal_parse_addr(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	u16 port;

	if (!colon || colon == s || colon - s > 15)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!in4_pton(s, colon - s, (u8 *)&sa->sin_addr.s_addr, ':', NULL))
		return -EINVAL;
	if (kstrtou16(colon + 1, 10, &port) || !port)
		return -EINVAL;
	sa->sin_port = htons(port);
	return 0;
}

/* Sends all of @len bytes at @buf; handles partial sends. */
int liscal_sock_send(struct socket *sock, const void *buf, size_t len,
		     int more)
{
	while (len) {
		struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | more };
		int n = kernel_sendmsg(sock, &msg, &iov, 1, len);

		if (n <= 0)
			return n ? n : -EPIPE;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Sends all of @len bytes of the @n pages in @vec, in one sendmsg. */
static int liscal_sock_send_vec(struct socket *sock, const struct bio_vec *vec,
				unsigned int n, size_t len, int more)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | more };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, vec, n, len);
	while (msg_data_left(&msg)) {
		int sent = sock_sendmsg(sock, &msg);

		if (sent <= 0)
			return sent ? sent : -EPIPE;
	}
	return 0;
}

/*
 * The parts of one packet in clear: every part but the last with
 * MSG_MORE. @bio: its h->size bytes follow (NULL: no data).
 */
static int liscal_send_plain(struct liscal_res *res,
			     const struct liscal_wire_hdr_disk *hd,
			     const void *payload, size_t plen, struct bio *bio)
{
	int ret;

	ret = liscal_sock_send(res->sock, hd, sizeof(*hd),
			       (plen || bio) ? MSG_MORE : 0);
	if (!ret && plen)
		ret = liscal_sock_send(res->sock, payload, plen,
				       bio ? MSG_MORE : 0);
	if (!ret && bio) {
		/* batches of segments: one sendmsg each, not one per page */
		struct bio_vec vec[LISCAL_SEND_VECS];
		u32 left = be32_to_cpu(hd->size), len = 0;
		struct bvec_iter it;
		struct bio_vec bv;
		unsigned int n = 0;

		bio_for_each_segment(bv, bio, it) {
			vec[n++] = bv;
			len += bv.bv_len;
			left -= bv.bv_len;
			if (n < LISCAL_SEND_VECS && left)
				continue;
			ret = liscal_sock_send_vec(res->sock, vec, n, len,
						   left ? MSG_MORE : 0);
			if (ret)
				break;
			n = 0;
			len = 0;
		}
	}
	return ret;
}

/* The same packet into sealed records (liscal_xf.c), flushed at its end. */
static int liscal_send_sealed(struct liscal_res *res,
			      const struct liscal_wire_hdr_disk *hd,
			      const void *payload, size_t plen, struct bio *bio)
{
	int ret;

	ret = liscal_xf_put(res, hd, sizeof(*hd));
	if (!ret && plen)
		ret = liscal_xf_put(res, payload, plen);
	if (!ret && bio) {
		struct bvec_iter it;
		struct bio_vec bv;

		bio_for_each_segment(bv, bio, it) {
			ret = liscal_xf_put_page(res, &bv);
			if (ret)
				break;
		}
	}
	if (!ret)
		ret = liscal_xf_flush(res);
	return ret;
}

/* A failed send breaks the mirror: its send timeout expired, or the peer closed. */
void liscal_send_failed(struct liscal_res *res, int err)
{
	liscal_conn_fail(res, err == -EAGAIN ? LISCAL_REASON_BREAK_SEND_TIMEOUT :
				LISCAL_REASON_BREAK_PEER_CLOSED);
}

/*
 * Sends one packet: header, @payload, then the data of @bio if given (its
 * h->size bytes; an empty flush has a bio and none).
 * Context: process; takes send_mutex; noio allocation. Returns 0, or
 * -EAGAIN when the send timeout expired, or another error.
 *
 * Every part but the packet's last goes with MSG_MORE, the last without:
 * that one pushes the packet out. A last part sent with MSG_MORE stays in
 * the socket (TCP_NODELAY does not help) until the next packet or TCP's
 * probe timer (at least TCP_RTO_MIN, 200 ms) sends it: every empty flush
 * of the active (an fsync) waited that long for its ack.
 */
int liscal_send(struct liscal_res *res, struct liscal_wire_hdr *h,
		const void *payload, size_t plen, struct bio *bio)
{
	struct liscal_wire_hdr_disk hd;
	unsigned int noio = memalloc_noio_save();
	bool data = bio && h->size;
	unsigned long flags;
	u32 comp_in = 0;
	int ret;

	mutex_lock(&res->send_mutex);
	if (!res->sock) {
		ret = -ENOTCONN;
		goto out_unlock;
	}
	/* compression (liscal_xf.c): the payload replaces the bio's data */
	if (data && !plen && liscal_comp_wanted(res, h)) {
		const void *cbuf;
		u32 clen;

		comp_in = h->size;
		cbuf = liscal_comp_bio(res, bio, h->size, &clen);
		if (cbuf) {
			h->flags |= LISCAL_WF_COMP;
			h->len = clen;
			payload = cbuf;
			plen = clen;
			data = false;
		}
	}
	liscal_wire_encode_hdr(h, &hd);
	if (res->xf)
		ret = liscal_send_sealed(res, &hd, payload, plen, data ? bio : NULL);
	else
		ret = liscal_send_plain(res, &hd, payload, plen, data ? bio : NULL);
	if (!ret) {
		spin_lock_irqsave(&res->lock, flags);
		liscal_stat_add(res, LISCAL_STATS_A_SEND_BYTES, h->len);
		if (comp_in) {
			liscal_stat_add(res, LISCAL_STATS_A_COMPRESS_IN_BYTES,
					comp_in);
			liscal_stat_add(res, LISCAL_STATS_A_COMPRESS_OUT_BYTES,
					h->len);
		}
		spin_unlock_irqrestore(&res->lock, flags);
	}
out_unlock:
	mutex_unlock(&res->send_mutex);
	memalloc_noio_restore(noio);
	return ret;
}

int liscal_send_simple(struct liscal_res *res, u16 type, u16 flags, u64 seq,
		       u64 sector, u32 size, const void *payload, size_t plen)
{
	struct liscal_wire_hdr h = {
		.type = type, .flags = flags, .seq = seq, .sector = sector,
		.size = size, .len = plen,
	};

	return liscal_send(res, &h, payload, plen, NULL);
}

/* STATE: this side's role, disk state, flags, generation; @wflags ACT_*. */
int liscal_send_state(struct liscal_res *res, u16 wflags, u64 seq)
{
	struct liscal_wire_state st;
	struct liscal_wire_state_disk sd;
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	st.role = res->role;
	st.disk_state = res->disk_state;
	st.sb_flags = res->sb.flags;
	st.gen_current = res->sb.gen_current;
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_wire_encode_state(&st, &sd);
	return liscal_send_simple(res, LISCAL_P_STATE, wflags, seq, 0, 0, &sd,
				  sizeof(sd));
}

void liscal_ctl_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, ctl_work);
	bool ping, pong, state, reply, reply_ok;
	unsigned long flags;
	u64 reply_seq;

	spin_lock_irqsave(&res->lock, flags);
	/* Only on an established connection, never inside the handshake. */
	if (res->conn != LISCAL_CONN_CONNECTED) {
		spin_unlock_irqrestore(&res->lock, flags);
		return;
	}
	ping = res->ping_pending;
	pong = res->pong_pending;
	state = res->state_pending;
	reply = res->act_reply_pending;
	reply_ok = res->act_reply_ok;
	reply_seq = res->act_reply_seq;
	res->ping_pending = false;
	res->pong_pending = false;
	res->state_pending = false;
	res->act_reply_pending = false;
	spin_unlock_irqrestore(&res->lock, flags);
	if (ping)
		liscal_send_simple(res, LISCAL_P_PING, 0, 0, 0, 0, NULL, 0);
	if (pong)
		liscal_send_simple(res, LISCAL_P_PONG, 0, 0, 0, 0, NULL, 0);
	if (state)
		liscal_send_state(res, 0, 0);
	if (reply)
		liscal_send_state(res, LISCAL_WF_ACT_REPLY |
				  (reply_ok ? 0 : LISCAL_WF_ERROR), reply_seq);
}

/* Asks the connection to go down for @reason. Any context but irq. */
void liscal_conn_fail(struct liscal_res *res, int reason)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	if (!res->fail_reason)
		res->fail_reason = reason;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_lock(&res->sock_mutex);
	if (res->sock)
		kernel_sock_shutdown(res->sock, SHUT_RDWR);
	mutex_unlock(&res->sock_mutex);
	wake_up_all(&res->waitq);
}

static bool liscal_should_stop(struct liscal_res *res)
{
	return kthread_should_stop() || READ_ONCE(res->fail_reason);
}

/* Checks the ack timeout and drives the mirror-connect heartbeat. */
static int liscal_conn_timers(struct liscal_res *res)
{
	u64 now = ktime_get_ns();
	u64 ack_to = (u64)READ_ONCE(res->p.ack_timeout) * NSEC_PER_MSEC;
	u64 hb = (u64)READ_ONCE(res->p.hb_interval) * NSEC_PER_MSEC;
	u64 pto = (u64)READ_ONCE(res->p.ping_timeout) * NSEC_PER_MSEC;
	struct liscal_req *oldest;
	unsigned long flags;
	bool ping = false;
	int reason = 0;

	spin_lock_irqsave(&res->lock, flags);
	oldest = list_first_entry_or_null(&res->ack_wait, struct liscal_req,
					  ack_list);
	if (oldest && now - oldest->sent_ns > ack_to)
		reason = LISCAL_REASON_BREAK_ACK_TIMEOUT;
	/*
	 * Only silence is a miss: when other packets came from the peer
	 * since the echo timeout started, the PONG waits behind data (a
	 * recovery window, large writes) and the ack timeout bounds that
	 * data, so the timeout starts again and the PING stays outstanding.
	 */
	if (res->ping_sent_ns && now - res->ping_wait_ns > pto) {
		if (res->last_rx_ns > res->ping_wait_ns) {
			res->ping_wait_ns = now;
		} else {
			res->ping_misses++;
			res->ping_sent_ns = 0;
			if (res->ping_misses > READ_ONCE(res->p.ping_retry))
				reason = LISCAL_REASON_BREAK_PING_TIMEOUT;
			else
				ping = true;
		}
	}
	if (!res->ping_sent_ns && now - res->last_ping_ns >= hb)
		ping = true;
	if (ping && !reason) {
		res->ping_sent_ns = now;
		res->ping_wait_ns = now;
		res->last_ping_ns = now;
	}
	if (ping && !reason)
		res->ping_pending = true;
	spin_unlock_irqrestore(&res->lock, flags);
	if (reason) {
		liscal_conn_fail(res, reason);
		return -ETIMEDOUT;
	}
	/*
	 * Never block the receiver on the send path: the work item sends
	 * the PING, after the packet being sent (the recovery pipeline
	 * keeps send_mutex nearly always held; a trylock would miss).
	 */
	if (ping)
		queue_work(res->wq, &res->ctl_work);
	return 0;
}

/*
 * Receives exactly @len bytes. Connected (@timers): runs the ack timeout and
 * the heartbeat while waiting. Handshaking (!@timers): ends at
 * res->hs_deadline.
 */
int liscal_sock_recv(struct liscal_res *res, void *buf, size_t len,
		     bool timers)
{
	u64 deadline = res->hs_deadline;

	while (len) {
		struct kvec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
		int n;

		if (liscal_should_stop(res))
			return -EINTR;
		n = kernel_recvmsg(res->sock, &msg, &iov, 1, len, msg.msg_flags);
		if (n == -EAGAIN || n == -EINTR) {
			if (timers && liscal_conn_timers(res))
				return -ETIMEDOUT;
			if (!timers && ktime_get_ns() > deadline)
				return -ETIMEDOUT;
			continue;
		}
		if (n <= 0)
			return n ? n : -ECONNRESET;
		buf += n;
		len -= n;
	}
	return 0;
}

/* @len bytes of the packet stream: from the socket or the open records. */
static int liscal_recv_full(struct liscal_res *res, void *buf, size_t len,
			    bool timers)
{
	if (res->xf)
		return liscal_xf_recv(res, buf, len, timers);
	return liscal_sock_recv(res, buf, len, timers);
}

/* Receives exactly @len bytes into the @n pages of @vec, running the timers. */
static int liscal_recv_vec(struct liscal_res *res, const struct bio_vec *vec,
			   unsigned int n, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };

	if (res->xf) {
		unsigned int i;
		int ret;

		for (i = 0; i < n; i++) {
			ret = liscal_xf_recv_page(res, &vec[i]);
			if (ret)
				return ret;
		}
		res->last_rx_ns = ktime_get_ns();
		return 0;
	}

	iov_iter_bvec(&msg.msg_iter, ITER_DEST, vec, n, len);
	while (msg_data_left(&msg)) {
		int got;

		if (liscal_should_stop(res))
			return -EINTR;
		got = sock_recvmsg(res->sock, &msg, msg.msg_flags);
		if (got == -EAGAIN || got == -EINTR) {
			if (liscal_conn_timers(res))
				return -ETIMEDOUT;
			continue;
		}
		if (got <= 0)
			return got ? got : -ECONNRESET;
		res->last_rx_ns = ktime_get_ns();
	}
	return 0;
}

static void liscal_sock_setup(struct liscal_res *res, struct socket *sock)
{
	struct sock *sk = sock->sk;

	tcp_sock_set_nodelay(sk);
	sk->sk_allocation = GFP_NOIO;
	sk->sk_sndtimeo = msecs_to_jiffies(READ_ONCE(res->p.send_timeout));
	sk->sk_rcvtimeo = LISCAL_RCV_POLL;
}

static struct socket *liscal_connect(struct liscal_res *res,
				     const struct sockaddr_in *peer)
{
	struct sockaddr_in local = res->local_addr;
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (ret)
		return NULL;
	local.sin_port = 0;
	ret = kernel_bind(sock, (struct sockaddr *)&local, sizeof(local));
	if (!ret) {
		sock->sk->sk_sndtimeo =
			msecs_to_jiffies(READ_ONCE(res->p.connect_timeout));
		ret = kernel_connect(sock, (struct sockaddr *)peer,
				     sizeof(*peer), 0);
	}
	if (ret) {
		sock_release(sock);
		return NULL;
	}
	return sock;
}

/*
 * Accepts the configured peer only (read at each connection: RES_SET may
 * change it meanwhile); its address in @from.
 */
static struct socket *liscal_accept(struct liscal_res *res,
				    struct sockaddr_in *from)
{
	unsigned long end = jiffies +
		msecs_to_jiffies(READ_ONCE(res->p.connect_timeout));
	struct socket *lsock, *sock = NULL;
	struct sockaddr_in peer;
	unsigned long flags;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &lsock);
	if (ret)
		return NULL;
	sock_set_reuseaddr(lsock->sk);
	ret = kernel_bind(lsock, (struct sockaddr *)&res->local_addr,
			  sizeof(res->local_addr));
	if (!ret)
		ret = kernel_listen(lsock, 2);
	while (!ret && !sock && time_before(jiffies, end) &&
	       !kthread_should_stop() && READ_ONCE(res->want_connect)) {
		ret = kernel_accept(lsock, &sock, O_NONBLOCK);
		if (ret == -EAGAIN) {
			ret = 0;
			sock = NULL;
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		if (ret)
			break;
		spin_lock_irqsave(&res->lock, flags);
		*from = res->peer_addr;
		spin_unlock_irqrestore(&res->lock, flags);
		if (kernel_getpeername(sock, (struct sockaddr *)&peer) < 0 ||
		    peer.sin_addr.s_addr != from->sin_addr.s_addr) {
			/* anyone on the network can make this happen */
			pr_warn_ratelimited("%s: refused a connection from %pI4\n",
					    res->name, &peer.sin_addr);
			sock_release(sock);
			sock = NULL;
		}
	}
	sock_release(lsock);
	return sock;
}

static void liscal_hello_fill(struct liscal_res *res,
			      struct liscal_wire_hello *h)
{
	unsigned long flags;

	memset(h, 0, sizeof(*h));
	h->proto = LISCAL_WIRE_PROTO;
	h->node_id = res->node_id;
	memcpy(h->name, res->name, LISCAL_NAME_LEN);
	memcpy(h->uuid, res->sb.uuid, LISCAL_UUID_LEN);
	h->data_bytes = res->data_bytes;
	h->bm_shift = res->shift;
	h->lbs = bdev_logical_block_size(res->dbdev);
	spin_lock_irqsave(&res->lock, flags);
	h->sb_flags = res->sb.flags;
	h->gen_current = res->sb.gen_current;
	h->gen_bitmap = res->sb.gen_bitmap;
	h->gen_history[0] = res->sb.gen_history[0];
	h->gen_history[1] = res->sb.gen_history[1];
	h->role = res->role;
	h->disk_state = res->disk_state;
	h->dirty_bits = liscal_bm_count(res->oos, res->nbits);
	spin_unlock_irqrestore(&res->lock, flags);
}

/* Receives one header and checks it is of @type. */
static int liscal_recv_hdr(struct liscal_res *res, struct liscal_wire_hdr *h,
			   int type)
{
	struct liscal_wire_hdr_disk hd;
	char err[128];
	int ret;

	ret = liscal_recv_full(res, &hd, sizeof(hd), false);
	if (ret)
		return ret;
	ret = liscal_wire_decode_hdr(&hd, h, err, sizeof(err));
	if (ret) {
		pr_err("%s: handshake: %s\n", res->name, err);
		return ret;
	}
	if (type && h->type != type) {
		pr_err("%s: handshake: %s where %s was expected\n", res->name,
		       liscal_wire_type_name(h->type), liscal_wire_type_name(type));
		return -EPROTO;
	}
	return 0;
}

static int liscal_send_bitmap(struct liscal_res *res)
{
	size_t plen = 8 + 8 * LISCAL_WIRE_BM_WORDS, w, n, i;
	unsigned long flags;
	__le64 *buf;
	int ret = 0;

	buf = kmalloc(plen, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (w = 0; w < res->nwords && !ret; w += n) {
		n = min_t(size_t, LISCAL_WIRE_BM_WORDS, res->nwords - w);
		*(__be64 *)buf = cpu_to_be64(w);
		spin_lock_irqsave(&res->lock, flags);
		for (i = 0; i < n; i++)
			buf[1 + i] = cpu_to_le64(res->oos[w + i]);
		spin_unlock_irqrestore(&res->lock, flags);
		ret = liscal_send_simple(res, LISCAL_P_BITMAP, 0, 0, 0, 0, buf,
					 8 + 8 * n);
	}
	kfree(buf);
	if (!ret)
		ret = liscal_send_simple(res, LISCAL_P_BITMAP_DONE, 0, 0, 0, 0,
					 NULL, 0);
	return ret;
}

static int liscal_recv_bitmap(struct liscal_res *res)
{
	size_t plen = 8 + 8 * LISCAL_WIRE_BM_WORDS;
	struct liscal_wire_hdr h;
	__le64 *buf;
	int ret;

	buf = kmalloc(plen, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		u64 first, n;

		ret = liscal_recv_hdr(res, &h, 0);
		if (ret)
			break;
		if (h.type == LISCAL_P_BITMAP_DONE)
			break;
		ret = -EPROTO;
		if (h.type != LISCAL_P_BITMAP) {
			pr_err("%s: handshake: %s during the bitmap exchange\n",
			       res->name, liscal_wire_type_name(h.type));
			break;
		}
		ret = liscal_recv_full(res, buf, h.len, false);
		if (ret)
			break;
		first = be64_to_cpu(*(__be64 *)buf);
		n = (h.len - 8) / 8;
		if (first > res->nwords || n > res->nwords - first) {
			pr_err("%s: handshake: bitmap words %llu+%llu beyond %zu\n",
			       res->name, first, n, res->nwords);
			ret = -EPROTO;
			break;
		}
		liscal_bm_from_disk(res->peer_bm + first, buf + 1, n);
	}
	kfree(buf);
	if (!ret)
		liscal_bm_trim(res->peer_bm, res->nbits);
	return ret;
}

/* Applies the handshake decision. Context: conn_task, state_mutex held. */
static int liscal_apply_decision(struct liscal_res *res,
				 const struct liscal_wire_hello *ph,
				 enum liscal_decision *dp)
{
	bool peer_failed = ph->disk_state == LISCAL_DISK_FAILED;
	bool local_failed = res->disk_state == LISCAL_DISK_FAILED;
	enum liscal_decision d = *dp;
	struct in_addr peer_ip;
	unsigned long flags;
	size_t i;
	int reason = LISCAL_REASON_CONNECTED, ret;

	spin_lock_irqsave(&res->lock, flags);
	peer_ip = res->peer_addr.sin_addr;
	/*
	 * RES_SET changed the peer while this connection was being made
	 * (both hold state_mutex): it is to the former one; a new attempt
	 * goes to the new one.
	 */
	if (peer_ip.s_addr != res->conn_addr.sin_addr.s_addr) {
		spin_unlock_irqrestore(&res->lock, flags);
		pr_info("%s: the peer address changed during the handshake: reconnecting to %pI4\n",
			res->name, &peer_ip);
		return -EAGAIN;
	}
	res->peer_role = ph->role;
	res->peer_gen = ph->gen_current;
	res->peer_gen_bitmap = ph->gen_bitmap;
	res->peer_flags = ph->sb_flags;
	res->peer_fresh = liscal_meta_fresh(ph->sb_flags, ph->gen_history[0]);
	res->peer_claim = ph->disk_state;
	/* Never let the peer overwrite an active copy, nor two actives. */
	if ((d == LISCAL_DEC_P_SRC || d == LISCAL_DEC_P_SRC_FULL) &&
	    res->role == LISCAL_ROLE_ACTIVE)
		d = LISCAL_DEC_SPLIT_BRAIN;
	if (res->role == LISCAL_ROLE_ACTIVE && ph->role == LISCAL_ROLE_ACTIVE)
		d = LISCAL_DEC_SPLIT_BRAIN;
	/*
	 * A copy whose disk failed is never current, whatever its
	 * generations say: never the source, not in sync, not mirrored to.
	 * The peer's HELLO says so; this side's own failure reaches the peer
	 * the same way.
	 */
	if (peer_failed && (d == LISCAL_DEC_P_SRC || d == LISCAL_DEC_P_SRC_FULL ||
			    d == LISCAL_DEC_IN_SYNC)) {
		pr_warn("%s: the peer's disk failed: its copy is not used\n",
			res->name);
		d = LISCAL_DEC_NO_DATA;
	}
	/*
	 * The same for this side's failed copy: never the source, never in
	 * sync (the peer's is then the current one); the peer's copy is
	 * shown as it is.
	 */
	if (local_failed && d == LISCAL_DEC_IN_SYNC)
		d = LISCAL_DEC_P_SRC;
	if (local_failed && (d == LISCAL_DEC_L_SRC || d == LISCAL_DEC_L_SRC_FULL)) {
		pr_warn("%s: this disk failed: this copy is not used\n",
			res->name);
		d = LISCAL_DEC_NO_DATA;
	}
	switch (d) {
	case LISCAL_DEC_IN_SYNC:
		res->pdisk = LISCAL_DISK_UPTODATE;
		break;
	case LISCAL_DEC_L_SRC:
	case LISCAL_DEC_L_SRC_FULL:
		for (i = 0; i < res->nwords; i++)
			res->oos[i] |= res->peer_bm[i];
		if (d == LISCAL_DEC_L_SRC_FULL) {
			liscal_bm_set_range(res->oos, 0, res->nbits - 1);
			res->rs_full = true;
		}
		res->pdisk = (ph->sb_flags & LISCAL_SB_F_INCONSISTENT) ?
			     LISCAL_DISK_INCONSISTENT : LISCAL_DISK_OUTDATED;
		if (!liscal_bm_count(res->oos, res->nbits))
			res->pdisk = LISCAL_DISK_UPTODATE;
		break;
	case LISCAL_DEC_P_SRC:
	case LISCAL_DEC_P_SRC_FULL:
		/*
		 * The source merges both bitmaps and copies; this side keeps
		 * only its own bits, so that an interrupted recovery resumes
		 * with what is left at the source, not everything again.
		 */
		res->pdisk = LISCAL_DISK_UPTODATE;
		if (d == LISCAL_DEC_P_SRC && res->disk_state != LISCAL_DISK_FAILED &&
		    !ph->dirty_bits && !liscal_bm_count(res->oos, res->nbits)) {
			/* Nothing differs: current at once, with the peer's gen. */
			res->disk_state = LISCAL_DISK_UPTODATE;
			res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT |
					   LISCAL_SB_F_FULL_SYNC);
			if (res->sb.gen_current != ph->gen_current)
				liscal_meta_new_gen(&res->sb, ph->gen_current);
			res->sb.gen_bitmap = 0;
			res->sb.last_update = liscal_now();
		} else if (res->disk_state == LISCAL_DISK_UPTODATE) {
			res->disk_state = LISCAL_DISK_OUTDATED;
		}
		break;
	case LISCAL_DEC_SPLIT_BRAIN:
		/* Union of both sides' changes: a forced recovery copies them. */
		for (i = 0; i < res->nwords; i++)
			res->oos[i] |= res->peer_bm[i];
		res->split_brain = true;
		res->pdisk = LISCAL_DISK_OUTDATED;
		reason = LISCAL_REASON_SPLIT_BRAIN;
		break;
	case LISCAL_DEC_NO_DATA:
		res->pdisk = LISCAL_DISK_INCONSISTENT;
		break;
	}
	if (local_failed && d == LISCAL_DEC_NO_DATA)
		res->pdisk = (ph->sb_flags & LISCAL_SB_F_INCONSISTENT) ?
			     LISCAL_DISK_INCONSISTENT : LISCAL_DISK_OUTDATED;
	if (peer_failed)
		res->pdisk = LISCAL_DISK_FAILED;
	res->conn = LISCAL_CONN_CONNECTED;
	res->conn_epoch++;
	/* flushes ahead count DATA_ACKs of this connection */
	res->acks_rcvd = 0;
	res->peer_flushing = 0;
	res->peer_flushed = 0;
	res->acks_sent = 0;
	res->ahead_cover = 0;
	res->ahead_busy = false;
	res->ahead_done = false;
	res->sb.flags &= ~LISCAL_SB_F_UPTODATE;
	if (res->disk_state == LISCAL_DISK_UPTODATE)
		res->sb.flags |= LISCAL_SB_F_UPTODATE;
	if (res->pdisk == LISCAL_DISK_UPTODATE)
		res->sb.flags &= ~LISCAL_SB_F_PEER_OUTDATED;
	else if (d != LISCAL_DEC_NO_DATA || peer_failed)
		res->sb.flags |= LISCAL_SB_F_PEER_OUTDATED;
	if (d == LISCAL_DEC_IN_SYNC || (d == LISCAL_DEC_L_SRC &&
					res->pdisk == LISCAL_DISK_UPTODATE))
		res->sb.gen_bitmap = 0;
	if (res->split_brain)
		res->sb.flags |= LISCAL_SB_F_SPLIT_BRAIN;
	spin_unlock_irqrestore(&res->lock, flags);
	/* A decision not on disk is not taken: the handshake fails. */
	ret = liscal_bm_flush(res, true);
	if (!ret)
		ret = liscal_sb_write(res);
	if (ret) {
		pr_err("%s: cannot record the handshake's decision (%d)\n",
		       res->name, ret);
		return ret;
	}
	pr_info("%s: connected to node %u (%pI4): %s\n", res->name, ph->node_id,
		&peer_ip, liscal_decision_name(d));
	*dp = d;
	return reason;
}

static const char *const liscal_key_mode_names[] = {
	[LISCAL_AUTH_NONE] = "no key",
	[LISCAL_AUTH_KEY] = "the cluster key (authentication)",
	[LISCAL_AUTH_CRYPT] = "the encryption key",
};

/* A handshake whose key was not proven; the peer changed nothing here. */
void liscal_auth_failed(struct liscal_res *res)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	liscal_stat_add(res, LISCAL_STATS_A_AUTH_FAILURES, 1);
	spin_unlock_irqrestore(&res->lock, flags);
}

/* Receives the peer's AUTH (@proof: the proof, else the challenge). */
static int liscal_recv_auth(struct liscal_res *res, struct liscal_wire_auth *a,
			    bool proof, char *err, size_t errlen)
{
	struct liscal_wire_auth_disk ad;
	struct liscal_wire_hdr h;
	int ret;

	ret = liscal_recv_hdr(res, &h, 0);
	if (ret)
		return ret;
	if (h.type == LISCAL_P_HELLO) {
		snprintf(err, errlen,
			 "the peer sent HELLO first: it speaks protocol 3 or older, this side %u",
			 LISCAL_WIRE_PROTO);
		return -EPROTO;
	}
	if (h.type != LISCAL_P_AUTH || !(h.flags & LISCAL_WF_PROOF) != !proof) {
		snprintf(err, errlen, "%s%s where the AUTH %s was expected",
			 liscal_wire_type_name(h.type),
			 h.flags & LISCAL_WF_PROOF ? " proof" : "",
			 proof ? "proof" : "challenge");
		return -EPROTO;
	}
	ret = liscal_recv_full(res, &ad, sizeof(ad), false);
	if (ret)
		return ret;
	return liscal_wire_decode_auth(&ad, a, proof, err, errlen);
}

/*
 * The AUTH step, first in each handshake: challenges (a fresh nonce each
 * way), then, with a key, proofs: HMAC-SHA256 under the key over both
 * nonces, the mode and the sender's node id (a proof is never valid the
 * other way round). Both sides send their proof before checking the
 * peer's, so a wrong key is refused on both with the same reason. With
 * encryption the record layer starts after the proofs. Returns 0, or an
 * error with @err set (-EACCES: the key was not proven).
 */
static int liscal_auth(struct liscal_res *res, char *err, size_t errlen)
{
	struct liscal_wire_auth mine = { .proto = LISCAL_WIRE_PROTO };
	struct liscal_wire_auth_disk ad;
	struct liscal_wire_auth pa;
	u8 key[LISCAL_KEY_LEN], want[LISCAL_WIRE_MAC_LEN];
	const u8 *n0, *n1;
	struct liscal_xf *xf;
	unsigned long flags;
	u32 peer = 1 - res->node_id;
	int ret;

	err[0] = 0;
	spin_lock_irqsave(&res->lock, flags);
	memcpy(key, res->key, sizeof(key));
	mine.mode = res->key_mode;
	spin_unlock_irqrestore(&res->lock, flags);
	if (mine.mode != LISCAL_AUTH_NONE)
		get_random_bytes(mine.nonce, sizeof(mine.nonce));
	liscal_wire_encode_auth(&mine, &ad);
	ret = liscal_send_simple(res, LISCAL_P_AUTH, 0, 0, 0, 0, &ad, sizeof(ad));
	if (!ret)
		ret = liscal_recv_auth(res, &pa, false, err, errlen);
	if (ret)
		goto out_zero;
	if (pa.mode != mine.mode) {
		snprintf(err, errlen, "key: this side uses %s, the peer %s",
			 liscal_key_mode_names[mine.mode],
			 liscal_key_mode_names[pa.mode]);
		ret = -EACCES;
		goto out_zero;
	}
	if (mine.mode == LISCAL_AUTH_NONE)
		goto out_zero;
	n0 = res->node_id ? pa.nonce : mine.nonce;
	n1 = res->node_id ? mine.nonce : pa.nonce;
	ret = liscal_xf_mac(key, "liscal auth", res->node_id, mine.mode, n0, n1,
			    mine.mac);
	if (!ret)
		ret = liscal_xf_mac(key, "liscal auth", peer, mine.mode, n0, n1,
				    want);
	if (ret) {
		snprintf(err, errlen, "hmac(sha256) unavailable (%d)", ret);
		goto out_zero;
	}
	memset(mine.nonce, 0, sizeof(mine.nonce));
	liscal_wire_encode_auth(&mine, &ad);
	ret = liscal_send_simple(res, LISCAL_P_AUTH, LISCAL_WF_PROOF, 0, 0, 0,
				 &ad, sizeof(ad));
	if (!ret)
		ret = liscal_recv_auth(res, &pa, true, err, errlen);
	if (ret)
		goto out_zero;
	if (pa.mode != mine.mode || crypto_memneq(pa.mac, want, sizeof(want))) {
		snprintf(err, errlen,
			 "authentication failed: the peer did not prove %s (a different key file, or not the peer)",
			 liscal_key_mode_names[mine.mode]);
		ret = -EACCES;
		goto out_zero;
	}
	if (mine.mode == LISCAL_AUTH_CRYPT) {
		xf = liscal_xf_create(key, res->node_id, n0, n1);
		if (IS_ERR(xf)) {
			ret = PTR_ERR(xf);
			snprintf(err, errlen, "gcm(aes) unavailable (%d)", ret);
			goto out_zero;
		}
		mutex_lock(&res->send_mutex);
		res->xf = xf;
		mutex_unlock(&res->send_mutex);
	}
out_zero:
	memzero_explicit(key, sizeof(key));
	memzero_explicit(want, sizeof(want));
	memzero_explicit(&mine, sizeof(mine));
	return ret;
}

static int liscal_handshake(struct liscal_res *res, int *reason)
{
	struct liscal_wire_hello mine, ph;
	struct liscal_wire_hello_disk hd;
	struct liscal_gen_view lv, pv;
	enum liscal_decision d;
	struct liscal_wire_hdr h;
	struct liscal_snap snap;
	char err[256];
	int ret;

	*reason = LISCAL_REASON_HANDSHAKE_REFUSED;
	/* The whole handshake: the active's writes are held while it runs. */
	res->hs_deadline = ktime_get_ns() +
		(u64)READ_ONCE(res->p.connect_timeout) * NSEC_PER_MSEC;
	ret = liscal_auth(res, err, sizeof(err));
	if (ret == -EACCES || (ret == -EPROTO && err[0])) {
		if (ret == -EACCES)
			liscal_auth_failed(res);
		pr_warn_ratelimited("%s: handshake refused: %s\n", res->name,
				    err);
		liscal_event(res, LISCAL_REASON_HANDSHAKE_REFUSED, 0, 0, 0, 0,
			     err);
		return ret;
	}
	if (ret)
		return ret;
	liscal_hello_fill(res, &mine);
	liscal_wire_encode_hello(&mine, &hd);
	ret = liscal_send_simple(res, LISCAL_P_HELLO, 0, 0, 0, 0, &hd, sizeof(hd));
	if (ret)
		return ret;
	ret = liscal_recv_hdr(res, &h, LISCAL_P_HELLO);
	if (!ret)
		ret = liscal_recv_full(res, &hd, sizeof(hd), false);
	if (ret)
		return ret;
	ret = liscal_wire_decode_hello(&hd, &ph, err, sizeof(err));
	if (!ret && strcmp(ph.name, res->name)) {
		snprintf(err, sizeof(err), "peer resource is %s, not %s",
			 ph.name, res->name);
		ret = -EPROTO;
	}
	if (!ret && ph.node_id == res->node_id) {
		snprintf(err, sizeof(err), "peer has the same node id %u",
			 ph.node_id);
		ret = -EPROTO;
	}
	/*
	 * Sizes differ after a growth one side made alone (or missed): the
	 * smaller side grows itself when it can (liscal_grow_to_peer()),
	 * and both end this attempt; the next one finds equal sizes.
	 */
	if (!ret && ph.data_bytes > res->data_bytes) {
		ret = liscal_grow_to_peer(res, ph.data_bytes, err, sizeof(err));
		if (!ret) {
			snprintf(err, sizeof(err),
				 "grown to the peer's %llu bytes, every region out of sync: connecting again",
				 ph.data_bytes);
			ret = -EAGAIN;
		}
	} else if (!ret && ph.data_bytes < res->data_bytes) {
		/* the peer grows, or says why it cannot (its log and events) */
		snprintf(err, sizeof(err),
			 "the peer mirrors %llu bytes, this side %llu: waiting for it to grow (clpmdctrl --resize -force there)",
			 ph.data_bytes, res->data_bytes);
		ret = ph.role == LISCAL_ROLE_ACTIVE ? -EPROTO : -EAGAIN;
	}
	/*
	 * /dev/NMPn has this side's logical block size: a write that small
	 * would fail on a peer disk with larger blocks (and the peer's
	 * writes here if ours are larger), failing a copy for a
	 * configuration error.
	 */
	if (!ret && ph.lbs != mine.lbs) {
		snprintf(err, sizeof(err),
			 "peer data partition has %u-byte logical blocks, this side %u",
			 ph.lbs, mine.lbs);
		ret = -EPROTO;
	}
	if (ret == -EAGAIN) {
		pr_info_ratelimited("%s: %s\n", res->name, err);
		return ret;
	}
	if (ret) {
		pr_err_ratelimited("%s: handshake refused: %s\n", res->name, err);
		liscal_event(res, LISCAL_REASON_HANDSHAKE_REFUSED, 0, 0, 0, 0, err);
		return ret;
	}
	/*
	 * One side sends its bitmap while the other only reads, then the
	 * other way round: if both sent first, a bitmap larger than the two
	 * socket buffers (about 0.4 TiB of data at 64 KiB a bit) would block
	 * both senders for good. Node 0 (the connecting side) sends first.
	 */
	if (res->node_id < ph.node_id) {
		ret = liscal_send_bitmap(res);
		if (!ret)
			ret = liscal_recv_bitmap(res);
	} else {
		ret = liscal_recv_bitmap(res);
		if (!ret)
			ret = liscal_send_bitmap(res);
	}
	if (ret)
		return ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	lv.node_id = res->node_id;
	lv.flags = res->sb.flags;
	lv.gen_current = res->sb.gen_current;
	lv.gen_bitmap = res->sb.gen_bitmap;
	lv.gen_history[0] = res->sb.gen_history[0];
	lv.gen_history[1] = res->sb.gen_history[1];
	lv.dirty_bits = mine.dirty_bits;
	pv.node_id = ph.node_id;
	pv.flags = ph.sb_flags;
	pv.gen_current = ph.gen_current;
	pv.gen_bitmap = ph.gen_bitmap;
	pv.gen_history[0] = ph.gen_history[0];
	pv.gen_history[1] = ph.gen_history[1];
	pv.dirty_bits = ph.dirty_bits;
	d = liscal_gen_decide(&lv, &pv);
	ret = liscal_apply_decision(res, &ph, &d);
	mutex_unlock(&res->state_mutex);
	if (ret < 0) {
		*reason = ret == -EAGAIN ? LISCAL_REASON_HANDSHAKE_REFUSED :
					   LISCAL_REASON_LOCAL_IO_ERROR;
		return ret;
	}
	*reason = ret;
	liscal_event_since(res, &snap, *reason, liscal_decision_name(d));
	/*
	 * The peer is the target of an interrupted recovery (a crash or a
	 * break of either side): resume it from the bitmap at once.
	 */
	if ((d == LISCAL_DEC_L_SRC || d == LISCAL_DEC_L_SRC_FULL) &&
	    (ph.sb_flags & LISCAL_SB_F_INCONSISTENT) &&
	    ph.disk_state != LISCAL_DISK_FAILED) {
		/*
		 * A fresh peer copy (never mirrored, or its initial
		 * construction was interrupted) is filled by itself only
		 * with auto-construct (clp.conf fullcopy 1).
		 */
		if (!READ_ONCE(res->p.auto_construct) &&
		    liscal_meta_fresh(ph.sb_flags, ph.gen_history[0])) {
			pr_info("%s: the peer's copy is fresh and initial mirror construction is off (auto-construct 0): nothing copied until a forced recovery from this side\n",
				res->name);
			return 0;
		}
		pr_info("%s: resuming the interrupted mirror recovery\n",
			res->name);
		liscal_rs_start(res, d == LISCAL_DEC_L_SRC_FULL, NULL);
	}
	return 0;
}

/*
 * Sends the acks of the peer writes on @batch, LISCAL_ACK_BATCH headers
 * per sendmsg (or per sealed record), the last part of each without
 * MSG_MORE. Context: the ack work; takes send_mutex. A failed send fails
 * the link (the stream may end inside a packet), whose teardown frees the
 * rest; without a socket the acks are dropped.
 */
static int liscal_send_acks(struct liscal_res *res, struct list_head *batch,
			    struct liscal_peer_req *flushing, u64 *cover)
{
	unsigned int noio = memalloc_noio_save();
	struct liscal_peer_req *pr;
	unsigned int n = 0;
	int ret = 0;

	mutex_lock(&res->send_mutex);
	/* sock and xf change only under send_mutex: checked once */
	if (!res->sock) {
		ret = -ENOTCONN;
		goto out_unlock;
	}
	list_for_each_entry(pr, batch, list) {
		struct liscal_wire_hdr h = {
			.type = pr->ack_type,
			.flags = pr->status ? LISCAL_WF_ERROR : 0,
			.seq = pr->seq, .sector = pr->sector, .size = pr->size,
		};

		if (pr->ack_type == LISCAL_P_DATA_ACK)
			res->acks_sent++;
		if (pr == flushing) {
			h.flags |= LISCAL_WF_FLUSHING;
			*cover = res->acks_sent;
		}
		liscal_wire_encode_hdr(&h, &res->ack_buf[n]);
		if (res->xf)
			ret = liscal_xf_put(res, &res->ack_buf[n],
					    sizeof(res->ack_buf[n]));
		if (ret)
			break;
		if (++n < LISCAL_ACK_BATCH && !list_is_last(&pr->list, batch))
			continue;
		ret = res->xf ? liscal_xf_flush(res) :
				liscal_sock_send(res->sock, res->ack_buf,
						 n * sizeof(res->ack_buf[0]), 0);
		n = 0;
		if (ret)
			break;
	}
out_unlock:
	mutex_unlock(&res->send_mutex);
	memalloc_noio_restore(noio);
	if (ret && ret != -ENOTCONN)
		liscal_send_failed(res, ret);
	return ret;
}

/*
 * The flush ahead completed: its FLUSHED goes out from the ack work. The
 * bio goes back to res->bs first: once the work is queued, it may bring
 * peer_inflight to 0 and let RES_DESTROY free res and its bio_set.
 */
static void liscal_ahead_endio(struct bio *bio)
{
	struct liscal_res *res = bio->bi_private;
	blk_status_t status = bio->bi_status;
	unsigned long flags;

	bio_put(bio);
	if (status)
		liscal_io_error(res, false, blk_status_to_errno(status));
	/* under the lock, as liscal_peer_endio() queues its ack */
	spin_lock_irqsave(&res->lock, flags);
	res->ahead_status = status;
	res->ahead_done = true;
	queue_work(res->wq, &res->ack_work);
	spin_unlock_irqrestore(&res->lock, flags);
}

/*
 * Lock held. The peer write on @batch whose ack announces a flush ahead
 * (the batch's last DATA_ACK), or NULL: none asked for one (AHEAD), one
 * runs already, a write failed (the link fails with its ack), or writes
 * of the peer are still on the disk: a flush ahead is for a peer that
 * waits (its next flush would wait for a round trip), and costs the disk
 * nothing then; between writes in flight it would delay them.
 */
static struct liscal_peer_req *liscal_ahead_pick(struct liscal_res *res,
						 struct list_head *batch)
{
	struct liscal_peer_req *pr, *last = NULL;
	bool asked = false;

	if (res->ahead_busy || !list_empty(&res->peer_writes))
		return NULL;
	list_for_each_entry(pr, batch, list) {
		if (pr->status)
			return NULL;
		if (pr->ack_type != LISCAL_P_DATA_ACK)
			continue;
		asked |= pr->ahead;
		last = pr;
	}
	if (!asked)
		return NULL;
	res->ahead_busy = true;
	return last;
}

/*
 * The ack work: the acks of every peer write completed so far go out
 * together (one wake-up and one send for all of them, where each had its
 * own work item and send before), then the writes are freed. A write
 * completing meanwhile queues the work again.
 *
 * Flushes ahead (Documentation/liscal.md): when one of the writes asked
 * for it and none runs, the last DATA_ACK announces one (FLUSHING) that
 * covers every DATA_ACK sent so far, and an empty flush is submitted once
 * they are sent: those writes completed before it. Its completion queues
 * this work, which sends FLUSHED with that count first thing. The flush
 * counts in peer_inflight until then, so the teardown waits for it.
 */
void liscal_peer_ack_work(struct work_struct *w)
{
	struct liscal_res *res = container_of(w, struct liscal_res, ack_work);
	struct liscal_peer_req *pr, *tmp, *flushing;
	struct bio *ahead = NULL;
	blk_status_t status = 0;
	unsigned long flags;
	u64 done_cover = 0, cover = 0;
	bool done;
	LIST_HEAD(batch);
	int n = 0, ret;

	spin_lock_irqsave(&res->lock, flags);
	list_splice_init(&res->ack_q, &batch);
	done = res->ahead_done;
	if (done) {
		res->ahead_done = false;
		status = res->ahead_status;
		done_cover = res->ahead_cover;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (done) {
		/* a failed send fails the link, as for the acks */
		ret = liscal_send_simple(res, LISCAL_P_FLUSHED,
					 status ? LISCAL_WF_ERROR : 0,
					 done_cover, 0, 0, NULL, 0);
		if (ret && ret != -ENOTCONN)
			liscal_send_failed(res, ret);
		spin_lock_irqsave(&res->lock, flags);
		if (!ret && !status)
			liscal_stat_add(res, LISCAL_STATS_A_FLUSHES_AHEAD, 1);
		res->ahead_busy = false;
		spin_unlock_irqrestore(&res->lock, flags);
		n = 1;		/* the flush's place in peer_inflight */
	}
	if (!list_empty(&batch)) {
		spin_lock_irqsave(&res->lock, flags);
		flushing = liscal_ahead_pick(res, &batch);
		spin_unlock_irqrestore(&res->lock, flags);
		/* from the resource's own reserve: waits rather than fail */
		if (flushing)
			ahead = bio_alloc_bioset(res->dbdev, 0,
						 REQ_OP_WRITE | REQ_PREFLUSH,
						 GFP_NOIO, &res->bs);
		/* announced only with the bio in hand */
		if (!liscal_send_acks(res, &batch, ahead ? flushing : NULL,
				      &cover) && ahead) {
			spin_lock_irqsave(&res->lock, flags);
			res->ahead_cover = cover;
			spin_unlock_irqrestore(&res->lock, flags);
			atomic_inc(&res->peer_inflight);
			ahead->bi_private = res;
			ahead->bi_end_io = liscal_ahead_endio;
			submit_bio(ahead);
		} else if (flushing) {
			if (ahead)
				bio_put(ahead);
			spin_lock_irqsave(&res->lock, flags);
			res->ahead_busy = false;
			spin_unlock_irqrestore(&res->lock, flags);
		}
	}
	list_for_each_entry_safe(pr, tmp, &batch, list) {
		liscal_page_bio_free(res, pr->bio);
		kfree(pr);
		n++;
	}
	if (n && atomic_sub_and_test(n, &res->peer_inflight))
		wake_up_all(&res->waitq);
}

static void liscal_peer_endio(struct bio *bio)
{
	struct liscal_peer_req *pr = bio->bi_private;
	struct liscal_res *res = pr->res;
	unsigned long flags;

	pr->status = bio->bi_status;
	if (bio->bi_status)
		liscal_io_error(res, false, blk_status_to_errno(bio->bi_status));
	/*
	 * Queued under the lock: a running ack work could otherwise send
	 * this ack and bring peer_inflight to 0, letting teardown and
	 * RES_DESTROY free res before this queue_work().
	 */
	spin_lock_irqsave(&res->lock, flags);
	list_del_init(&pr->wlist);
	if (res->peer_write_waiting)
		wake_up_all(&res->waitq);
	list_add_tail(&pr->list, &res->ack_q);
	queue_work(res->wq, &res->ack_work);
	spin_unlock_irqrestore(&res->lock, flags);
}

/* Reads the payload of a DATA/RS_DATA into pages and writes it. */
/* A compressed payload (h->len bytes) decompressed into @bio's pages. */
static int liscal_recv_comp(struct liscal_res *res,
			    const struct liscal_wire_hdr *h, struct bio *bio)
{
	void *buf = liscal_comp_rx_buf(res);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = liscal_recv_full(res, buf, h->len, true);
	if (!ret)
		ret = liscal_comp_unpack(res, h, bio);
	return ret;
}

/*
 * The receive plug. The peer's writes that arrive together go to the disk
 * under one block plug (one submission to the disk's queue, where each
 * write was its own); liscal_receive() finishes it before it would wait
 * for the socket, so they are never held back for more data. Finishing it
 * there, not when the wait sleeps, submits them from conn_task: a plug
 * flushed by the scheduler runs the queue from kblockd, one more wake-up.
 * Context: conn_task.
 */
static void liscal_rx_plug_finish(struct liscal_res *res)
{
	if (res->rx_plug_on) {
		blk_finish_plug(&res->rx_plug);
		res->rx_plug_on = false;
	}
}

/* Lock held. Does a peer write not yet completed overlap [@start, @end)? */
static bool liscal_peer_write_overlaps(struct liscal_res *res, u64 start,
				       u64 end)
{
	struct liscal_peer_req *pr;

	list_for_each_entry(pr, &res->peer_writes, wlist)
		if (start < pr->sector + (pr->size >> 9) && pr->sector < end)
			return true;
	return false;
}

/*
 * @pr (with data) joins peer_writes unless it overlaps one there, in one
 * section of the lock: true if it joined (counted as a wait if @waited),
 * false with peer_write_waiting set so that a completion wakes waitq.
 */
static bool liscal_peer_write_enter(struct liscal_res *res,
				    struct liscal_peer_req *pr, bool waited)
{
	unsigned long flags;
	bool clear;

	spin_lock_irqsave(&res->lock, flags);
	clear = !liscal_peer_write_overlaps(res, pr->sector,
					    pr->sector + (pr->size >> 9));
	res->peer_write_waiting = !clear;
	if (clear) {
		list_add_tail(&pr->wlist, &res->peer_writes);
		if (waited)
			liscal_stat_add(res, LISCAL_STATS_A_PEER_OVERLAP_WAITS, 1);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	return clear;
}

/*
 * @pr is about to be submitted. The disk applies the peer's writes in the
 * order they arrive where they overlap: neither the block layer (6.1
 * issues a plug last first, sends flush and FUA writes past it, and a
 * plug the scheduler flushed runs later from kblockd) nor the disk
 * (in-flight writes complete in any order) keeps that order by itself,
 * and in asynchronous mode a write and a later one overlapping it can
 * both be in flight here. So a write overlapping one not yet completed
 * waits for it (plug finished first, so that it can complete). A flush or
 * FUA write finishes the plug too: it reaches the disk after every
 * earlier write was submitted. Otherwise the write joins the plug.
 * Context: conn_task; sleeps.
 */
static void liscal_rx_plug_add(struct liscal_res *res,
			       struct liscal_peer_req *pr, blk_opf_t opf)
{
	if (pr->size && !liscal_peer_write_enter(res, pr, false)) {
		liscal_rx_plug_finish(res);
		wait_event(res->waitq, liscal_peer_write_enter(res, pr, true));
	}
	if ((opf & (REQ_FUA | REQ_PREFLUSH)) || !pr->size) {
		liscal_rx_plug_finish(res);
	} else if (!res->rx_plug_on) {
		blk_start_plug(&res->rx_plug);
		res->rx_plug_on = true;
	}
}

/*
 * Are more bytes of the packet stream ready without waiting: in the
 * socket's receive queue, or opened and not yet read in the current
 * record? A hint, read without the socket lock. Context: conn_task.
 */
static bool liscal_rx_ready(struct liscal_res *res)
{
	if (res->xf && liscal_xf_rx_buffered(res))
		return true;
	return !skb_queue_empty_lockless(&res->sock->sk->sk_receive_queue);
}

static int liscal_recv_write(struct liscal_res *res,
			     const struct liscal_wire_hdr *h)
{
	blk_opf_t opf = REQ_OP_WRITE;
	struct liscal_peer_req *pr;
	unsigned long flags;
	int ret;

	/*
	 * Recovery data is written without FUA: the source clears its bits
	 * only after an empty PREFLUSH DATA that this side acknowledges once
	 * its disk was flushed (liscal_rs.c, liscal_rs_durable()).
	 */
	if (h->flags & LISCAL_WF_FUA)
		opf |= REQ_FUA;
	if (h->flags & LISCAL_WF_PREFLUSH)
		opf |= REQ_PREFLUSH;
	pr = kzalloc(sizeof(*pr), GFP_NOIO);
	if (!pr)
		return -ENOMEM;
	pr->res = res;
	INIT_LIST_HEAD(&pr->wlist);
	pr->seq = h->seq;
	pr->size = h->size;
	pr->ack_type = h->type == LISCAL_P_DATA ? LISCAL_P_DATA_ACK :
						  LISCAL_P_RS_ACK;
	pr->ahead = h->flags & LISCAL_WF_AHEAD;
	pr->sector = h->sector;
	pr->bio = liscal_page_bio_alloc(res, h->sector, h->size, opf);
	if (!pr->bio) {
		kfree(pr);
		return -ENOMEM;
	}
	pr->bio->bi_private = pr;
	pr->bio->bi_end_io = liscal_peer_endio;
	if (h->flags & LISCAL_WF_COMP)
		ret = liscal_recv_comp(res, h, pr->bio);
	else	/* the whole payload in as few recvmsg calls as the socket allows */
		ret = liscal_recv_vec(res, pr->bio->bi_io_vec, pr->bio->bi_vcnt,
				      h->size);
	if (ret) {
		liscal_page_bio_free(res, pr->bio);
		kfree(pr);
		return ret;
	}
	spin_lock_irqsave(&res->lock, flags);
	liscal_stat_add(res, LISCAL_STATS_A_RECV_BYTES, h->size);
	if (h->type == LISCAL_P_DATA) {
		liscal_stat_add(res, LISCAL_STATS_A_PEER_WRITE_BYTES, h->size);
		liscal_stat_add(res, LISCAL_STATS_A_LOCAL_WRITE_BYTES, h->size);
	} else {
		liscal_stat_add(res, LISCAL_STATS_A_RECOVERY_RECV_BYTES, h->size);
		if (res->rs_dir == LISCAL_RECOVERY_FROM_PEER)
			res->rs_done += h->size;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	atomic_inc(&res->peer_inflight);
	liscal_rx_plug_add(res, pr, opf);
	submit_bio(pr->bio);
	return 0;
}

static int liscal_data_ack(struct liscal_res *res,
			   const struct liscal_wire_hdr *h)
{
	struct liscal_req *req, *found = NULL;
	unsigned long flags;
	u64 flushing;

	spin_lock_irqsave(&res->lock, flags);
	res->acks_rcvd++;
	/* one flush ahead at a time: announced after the last one's FLUSHED */
	if (h->flags & LISCAL_WF_FLUSHING) {
		flushing = res->peer_flushing;
		if (flushing > res->peer_flushed) {
			spin_unlock_irqrestore(&res->lock, flags);
			pr_err("%s: DATA_ACK announces a flush ahead while the one covering %llu acks is not reported\n",
			       res->name, flushing);
			return -EPROTO;
		}
		res->peer_flushing = res->acks_rcvd;
	}
	list_for_each_entry(req, &res->ack_wait, ack_list) {
		if (!req->ahead && req->seq == h->seq) {
			found = req;
			list_del(&req->ack_list);
			break;
		}
	}
	if (found) {
		u64 us = (ktime_get_ns() - found->sent_ns) / 1000;

		if (h->flags & LISCAL_WF_ERROR)
			found->peer_failed = true;
		res->sync_diff -= found->nsect << 9;
		res->send_queue--;
		liscal_stat_max(res, LISCAL_STATS_A_SYNC_ACK_MAX, us);
		res->st.v[LISCAL_STATS_A_SYNC_ACK_CUR] = us;
	}
	if (!found && res->flush_state == 1 && h->seq == res->flush_seq) {
		res->flush_state = (h->flags & LISCAL_WF_ERROR) ? -1 : 2;
		wake_up_all(&res->waitq);
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (found)
		liscal_req_put(found);
	if (h->flags & LISCAL_WF_ERROR)
		liscal_conn_fail(res, LISCAL_REASON_PEER_IO_ERROR);
	return 0;
}

/*
 * FLUSHED: the peer's flush ahead announced on a DATA_ACK is done, covering
 * h->seq DATA_ACKs; the empty flushes waiting for it complete. It must be
 * the one announced last and not yet reported (one runs at a time): any
 * other count is refused (-EPROTO: counted, the link fails, and the writes
 * still in the intent bits are resynchronised). Context: conn_task.
 */
static int liscal_flushed(struct liscal_res *res,
			  const struct liscal_wire_hdr *h)
{
	struct liscal_req *req, *tmp;
	u64 announced, reported;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&res->lock, flags);
	announced = res->peer_flushing;
	reported = res->peer_flushed;
	if (h->seq != announced || h->seq <= reported) {
		spin_unlock_irqrestore(&res->lock, flags);
		pr_err("%s: FLUSHED covering %llu acks, but the flush announced last covers %llu and %llu are reported\n",
		       res->name, h->seq, announced, reported);
		return -EPROTO;
	}
	if (!(h->flags & LISCAL_WF_ERROR)) {
		res->peer_flushed = h->seq;
		list_for_each_entry_safe(req, tmp, &res->ack_wait, ack_list)
			if (req->ahead && req->flush_need <= h->seq) {
				list_move_tail(&req->ack_list, &done);
				res->send_queue--;
			}
	}
	spin_unlock_irqrestore(&res->lock, flags);
	list_for_each_entry_safe(req, tmp, &done, ack_list) {
		list_del_init(&req->ack_list);
		liscal_req_put(req);
	}
	/* the flushes waiting stay on ack_wait: the teardown fails them */
	if (h->flags & LISCAL_WF_ERROR)
		liscal_conn_fail(res, LISCAL_REASON_PEER_IO_ERROR);
	return 0;
}

/*
 * Claims the one peer flush (the cleaner's and the recovery's share
 * flush_seq): 1 with *@seq its sequence number and flush_state 1, 0 while
 * another is in progress, -ENOTCONN when the link is down or failing.
 * Context: any (it only takes res->lock).
 */
static int liscal_peer_flush_claim(struct liscal_res *res, u64 *seq)
{
	unsigned long flags;
	int ret = 1;

	spin_lock_irqsave(&res->lock, flags);
	if (res->conn != LISCAL_CONN_CONNECTED || res->fail_reason) {
		ret = -ENOTCONN;
	} else if (res->flush_state) {
		ret = 0;
	} else {
		*seq = ++res->seq;
		res->flush_seq = *seq;
		res->flush_state = 1;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	return ret;
}

/* Ends the peer flush held: releases it, wakes a caller waiting to claim. */
static void liscal_peer_flush_release(struct liscal_res *res)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	res->flush_state = 0;
	spin_unlock_irqrestore(&res->lock, flags);
	wake_up_all(&res->waitq);
}

/* Sends the peer flush claimed as @seq: 1, or the send's error, released. */
static int liscal_peer_flush_send(struct liscal_res *res, u64 seq)
{
	int ret;

	ret = liscal_send_simple(res, LISCAL_P_DATA, LISCAL_WF_PREFLUSH, seq, 0,
				 0, NULL, 0);
	if (ret) {
		liscal_peer_flush_release(res);
		return ret;
	}
	return 1;
}

/*
 * Sends a peer flush without waiting for it (the recovery's, liscal_rs.c):
 * 1 when it was sent, the caller then holding the one peer flush until
 * liscal_peer_flush_end(); 0 when the cleaner's holds it (try again
 * later); -ENOTCONN or the send's error, nothing held. Context: process,
 * no mutex held.
 */
int liscal_peer_flush_start(struct liscal_res *res)
{
	u64 seq = 0;
	int ret;

	ret = liscal_peer_flush_claim(res, &seq);
	if (ret <= 0)
		return ret;
	return liscal_peer_flush_send(res, seq);
}

/*
 * Has the peer flush held ended: acknowledged, failed, or the link failing
 * (its ack will not come)? A wait condition: waitq is woken for each.
 */
bool liscal_peer_flush_done(struct liscal_res *res)
{
	return READ_ONCE(res->flush_state) != 1 ||
	       READ_ONCE(res->fail_reason) ||
	       READ_ONCE(res->conn) != LISCAL_CONN_CONNECTED;
}

/*
 * Releases the peer flush held and returns its result: 0 when the peer
 * confirmed it, -EREMOTEIO when its flush failed (the ack already failed
 * the link), else @otherwise (the reason it is given up: -ETIMEDOUT,
 * -ENOTCONN, -EINTR). A late ack of a flush given up matches nothing.
 */
int liscal_peer_flush_end(struct liscal_res *res, int otherwise)
{
	unsigned long flags;
	int st;

	/* read and released in one section: an ack in between is not lost */
	spin_lock_irqsave(&res->lock, flags);
	st = res->flush_state;
	res->flush_state = 0;
	spin_unlock_irqrestore(&res->lock, flags);
	wake_up_all(&res->waitq);
	if (st == 2)
		return 0;
	return st == -1 ? -EREMOTEIO : otherwise;
}

/*
 * Makes every write the peer acknowledged so far durable on its disk: an
 * empty PREFLUSH write, acknowledged after the peer's flush completed.
 * One at a time: the caller waits while the recovery's holds the claim.
 * Context: process (the bitmap cleaner), no mutex held. Returns 0 when
 * the peer confirmed; -EREMOTEIO when its flush failed (the ack already
 * failed the link), -ETIMEDOUT after the ack timeout, -ENOTCONN when the
 * link is down or failing, or the send's error.
 */
int liscal_peer_flush(struct liscal_res *res)
{
	u64 seq = 0;
	long tmo;
	int ret;

	wait_event(res->waitq, (ret = liscal_peer_flush_claim(res, &seq)) != 0);
	if (ret < 0)
		return ret;
	ret = liscal_peer_flush_send(res, seq);
	if (ret < 0)
		return ret;
	tmo = wait_event_timeout(res->waitq, liscal_peer_flush_done(res),
				 msecs_to_jiffies(READ_ONCE(res->p.ack_timeout)));
	/* -ENOTCONN: the link is failing already */
	return liscal_peer_flush_end(res, tmo ? -ENOTCONN : -ETIMEDOUT);
}

static void liscal_recv_state(struct liscal_res *res,
			      const struct liscal_wire_hdr *h,
			      const struct liscal_wire_state *st)
{
	struct liscal_snap snap;
	unsigned long flags;

	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	res->peer_role = st->role;
	res->peer_gen = st->gen_current;
	res->peer_claim = st->disk_state;
	/* a copy that says its disk failed is failed (nothing mirrored to it) */
	if (st->disk_state == LISCAL_DISK_FAILED)
		res->pdisk = LISCAL_DISK_FAILED;
	if (st->role == LISCAL_ROLE_ACTIVE && res->role == LISCAL_ROLE_ACTIVE)
		res->split_brain = true;
	spin_unlock_irqrestore(&res->lock, flags);
	/* an activation request or answer (liscal_nl.c) */
	if (h->flags & (LISCAL_WF_ACT_REQ | LISCAL_WF_ACT_REPLY))
		liscal_act_recv(res, h);
	liscal_event_since(res, &snap, LISCAL_REASON_PEER_STATE, NULL);
}

/* One more packet refused from the peer (invalid, or not fitting the state). */
static void liscal_count_refused(struct liscal_res *res)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	liscal_stat_add(res, LISCAL_STATS_A_REFUSED_PACKETS, 1);
	spin_unlock_irqrestore(&res->lock, flags);
}

/*
 * A state packet that does not fit this side's state: counted, logged
 * (rate-limited), nothing changed; the connection stays.
 */
void liscal_refuse(struct liscal_res *res, const char *what)
{
	liscal_count_refused(res);
	pr_warn_ratelimited("%s: refused %s from the peer\n", res->name, what);
}

/*
 * REKEY: the peer's administrator ran clpmdctrl --updatekey (guide 2.29).
 * Only inside an encrypted link, whose records prove the sender holds the
 * current key: this side takes the new key and ends the connection; the
 * next handshake proves the new key on both. Mirroring is suspended
 * meanwhile; what is written then is recovered afterwards.
 */
static int liscal_recv_rekey(struct liscal_res *res, const u8 *key, char *err,
			     size_t errlen)
{
	unsigned long flags;

	if (!res->xf || READ_ONCE(res->key_mode) != LISCAL_KEY_CRYPT) {
		snprintf(err, errlen, "REKEY on a link that is not encrypted");
		return -EPROTO;
	}
	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	memcpy(res->key, key, LISCAL_KEY_LEN);
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	pr_info("%s: encryption key updated by the peer: mirror connection restarted\n",
		res->name);
	liscal_conn_fail(res, LISCAL_REASON_KEY_UPDATE);
	return -ECONNRESET;
}

/*
 * The key changed (RES_SET): an established connection uses the old one.
 * An encrypted link first carries the new key to the peer (REKEY), which
 * ends the connection when it has taken it; otherwise, or when that
 * cannot be sent, the connection ends here. Returns true when there was
 * a connection. Context: process, no locks held.
 */
bool liscal_rekey(struct liscal_res *res)
{
	u8 key[LISCAL_KEY_LEN];
	unsigned long flags;
	bool crypt;
	int ret = -ENOTCONN;

	mutex_lock(&res->send_mutex);
	crypt = res->xf && res->sock;
	mutex_unlock(&res->send_mutex);
	if (!READ_ONCE(res->sock))
		return false;
	spin_lock_irqsave(&res->lock, flags);
	memcpy(key, res->key, sizeof(key));
	crypt = crypt && res->key_mode == LISCAL_KEY_CRYPT;
	spin_unlock_irqrestore(&res->lock, flags);
	if (crypt)
		ret = liscal_send_simple(res, LISCAL_P_REKEY, 0, 0, 0, 0, key,
					 sizeof(key));
	memzero_explicit(key, sizeof(key));
	if (ret)
		liscal_conn_fail(res, LISCAL_REASON_KEY_UPDATE);
	return true;
}

static int liscal_dispatch(struct liscal_res *res, struct liscal_wire_hdr *h)
{
	union {
		struct liscal_wire_state_disk st;
		struct liscal_wire_sync_disk sy;
		struct liscal_wire_force_disk fo;
		u8 key[LISCAL_WIRE_KEY_LEN];
	} p;
	struct liscal_wire_state st;
	struct liscal_wire_sync sy;
	struct liscal_wire_force fo;
	unsigned long flags;
	unsigned int lbs;
	char err[128];
	int ret;

	switch (h->type) {
	case LISCAL_P_DATA:
	case LISCAL_P_RS_DATA:
		ret = liscal_wire_check_io(h, res->data_bytes, err, sizeof(err));
		/*
		 * The data partition's own logical block size: a write not
		 * aligned to it fails on the disk, which would mark this copy
		 * failed (or run the I/O error action) for the peer's fault.
		 * An empty flush has no range.
		 */
		lbs = bdev_logical_block_size(res->dbdev);
		if (!ret && h->size &&
		    ((((u32)h->sector << 9) | h->size) & (lbs - 1))) {
			snprintf(err, sizeof(err),
				 "%s at sector %llu, %u bytes: not aligned to the data partition's %u-byte blocks",
				 liscal_wire_type_name(h->type), h->sector,
				 h->size, lbs);
			ret = -EPROTO;
		}
		/* An empty flush (the peer's cleaner) is harmless anywhere. */
		if (!ret && h->type == LISCAL_P_DATA && h->size &&
		    READ_ONCE(res->role) == LISCAL_ROLE_ACTIVE) {
			snprintf(err, sizeof(err), "DATA received while active");
			ret = -EPROTO;
		}
		/* Recovery data only into a copy that accepted SYNC_START. */
		if (!ret && h->type == LISCAL_P_RS_DATA &&
		    (READ_ONCE(res->role) == LISCAL_ROLE_ACTIVE ||
		     READ_ONCE(res->rs_dir) != LISCAL_RECOVERY_FROM_PEER)) {
			snprintf(err, sizeof(err), "RS_DATA received while %s",
				 READ_ONCE(res->role) == LISCAL_ROLE_ACTIVE ?
				 "active" : "not a recovery target");
			ret = -EPROTO;
		}
		if (ret) {
			pr_err("%s: %s\n", res->name, err);
			return ret;
		}
		return liscal_recv_write(res, h);
	case LISCAL_P_DATA_ACK:
		return liscal_data_ack(res, h);
	case LISCAL_P_FLUSHED:
		return liscal_flushed(res, h);
	case LISCAL_P_RS_ACK:
		liscal_rs_ack(res, h->seq, h->flags & LISCAL_WF_ERROR);
		return 0;
	case LISCAL_P_PING:
		spin_lock_irqsave(&res->lock, flags);
		res->pong_pending = true;
		spin_unlock_irqrestore(&res->lock, flags);
		queue_work(res->wq, &res->ctl_work);
		return 0;
	case LISCAL_P_PONG:
		spin_lock_irqsave(&res->lock, flags);
		if (res->ping_sent_ns) {
			u64 us = (ktime_get_ns() - res->ping_sent_ns) / 1000;

			res->st.v[LISCAL_STATS_A_MDC_HB_CUR] = us;
			liscal_stat_max(res, LISCAL_STATS_A_MDC_HB_MAX, us);
			liscal_stat_max(res, LISCAL_STATS_A_MDC_HB_MAX2, us);
		}
		res->ping_sent_ns = 0;
		res->ping_misses = 0;
		spin_unlock_irqrestore(&res->lock, flags);
		return 0;
	default:
		break;
	}
	/* Fixed-size payloads; HELLO and BITMAP belong to the handshake. */
	if (h->len > sizeof(p)) {
		pr_err("%s: unexpected %s packet\n", res->name,
		       liscal_wire_type_name(h->type));
		return -EPROTO;
	}
	ret = liscal_recv_full(res, &p, h->len, true);
	if (ret)
		return ret;
	switch (h->type) {
	case LISCAL_P_STATE:
		ret = liscal_wire_decode_state(&p.st, &st, err, sizeof(err));
		if (!ret)
			liscal_recv_state(res, h, &st);
		break;
	case LISCAL_P_SYNC_START:
		liscal_wire_decode_sync(&p.sy, &sy);
		ret = liscal_rs_target_start(res, sy.gen, sy.bytes,
					     h->flags & LISCAL_WF_FULL);
		break;
	case LISCAL_P_SYNC_DONE:
		/* checked against this side's state there (liscal_rs.c) */
		liscal_wire_decode_sync(&p.sy, &sy);
		ret = liscal_rs_target_done(res, sy.gen);
		break;
	case LISCAL_P_FORCE:
		ret = liscal_wire_decode_force(&p.fo, &fo, err, sizeof(err));
		if (ret)
			break;
		if (fo.source_node != res->node_id) {
			snprintf(err, sizeof(err), "FORCE names source node %u, this is %u",
				 fo.source_node, res->node_id);
			ret = -EPROTO;
			break;
		}
		/* The requester would be overwritten: it must not be active. */
		if (READ_ONCE(res->peer_role) == LISCAL_ROLE_ACTIVE) {
			liscal_refuse(res, "FORCE from an active peer");
			break;
		}
		/*
		 * As the local command: a copy being recovered, or a failed
		 * one, never becomes current because the peer asks; nor does
		 * a recovery start while one runs.
		 */
		if (READ_ONCE(res->rs_dir) != LISCAL_RECOVERY_NONE ||
		    ((fo.flags & LISCAL_WF_FORCE) &&
		     READ_ONCE(res->disk_state) == LISCAL_DISK_FAILED)) {
			liscal_refuse(res, "FORCE during a recovery or onto a failed copy");
			break;
		}
		if ((fo.flags & LISCAL_WF_FORCE) && liscal_make_source(res)) {
			pr_warn("%s: peer asked for a forced recovery from here: this copy cannot be made the source\n",
				res->name);
			break;
		}
		/* A refusal here is not a protocol error: it is logged. */
		if (liscal_rs_start(res, fo.flags & LISCAL_WF_FULL, NULL))
			pr_warn("%s: peer asked for a recovery from here: not possible now\n",
				res->name);
		ret = 0;
		break;
	case LISCAL_P_CLOSE:
		liscal_conn_fail(res, LISCAL_REASON_BREAK_PEER_CLOSED);
		ret = -ECONNRESET;
		break;
	case LISCAL_P_GROW:
		liscal_grow_recv(res, h);
		ret = 0;
		break;
	case LISCAL_P_REKEY:
		ret = liscal_recv_rekey(res, p.key, err, sizeof(err));
		memzero_explicit(p.key, sizeof(p.key));
		break;
	default:
		snprintf(err, sizeof(err), "unexpected %s packet",
			 liscal_wire_type_name(h->type));
		ret = -EPROTO;
	}
	if (ret == -EPROTO)
		pr_err("%s: %s\n", res->name, err);
	return ret;
}

static int liscal_receive(struct liscal_res *res)
{
	struct liscal_wire_hdr_disk hd;
	struct liscal_wire_hdr h;
	char err[128];
	int ret;

	for (;;) {
		u64 now;

		if (res->rx_plug_on && !liscal_rx_ready(res))
			liscal_rx_plug_finish(res);
		ret = liscal_recv_full(res, &hd, sizeof(hd), true);
		if (ret)
			break;
		/*
		 * The timers also run while packets keep coming (the socket
		 * read never times out then): at most every LISCAL_RCV_POLL.
		 */
		now = ktime_get_ns();
		res->last_rx_ns = now;
		if (now - res->timers_ns >= jiffies_to_nsecs(LISCAL_RCV_POLL)) {
			res->timers_ns = now;
			if (liscal_conn_timers(res)) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		ret = liscal_wire_decode_hdr(&hd, &h, err, sizeof(err));
		if (ret) {
			pr_err("%s: invalid packet from the peer: %s\n",
			       res->name, err);
		} else {
			ret = liscal_dispatch(res, &h);
		}
		if (ret == -EPROTO) {
			liscal_count_refused(res);
			liscal_conn_fail(res, LISCAL_REASON_BREAK_PROTOCOL);
		}
		if (ret)
			break;
	}
	liscal_rx_plug_finish(res);
	return ret;
}

/* After the connection is gone: fail what waits for the peer, record. */
static void liscal_teardown(struct liscal_res *res, bool was_connected)
{
	struct liscal_req *req, *tmp;
	struct liscal_snap snap;
	unsigned long flags;
	LIST_HEAD(failed);
	int reason;
	bool was_rs_target, fenced = false;
	struct liscal_xf *xf;
	struct socket *sock;

	/*
	 * From here on nothing waits for the peer: a fail reason makes every
	 * wait on it (the cleaner's peer flush, which teardown's
	 * flush_workqueue() waits for) end now instead of at its timeout.
	 */
	spin_lock_irqsave(&res->lock, flags);
	if (!res->fail_reason)
		res->fail_reason = LISCAL_REASON_BREAK_PEER_CLOSED;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_lock(&res->sock_mutex);
	sock = res->sock;
	if (sock)
		kernel_sock_shutdown(sock, SHUT_RDWR);
	mutex_unlock(&res->sock_mutex);
	wake_up_all(&res->waitq);
	liscal_rs_stop(res);
	mutex_lock(&res->sock_mutex);
	mutex_lock(&res->send_mutex);
	res->sock = NULL;
	xf = res->xf;
	res->xf = NULL;
	mutex_unlock(&res->send_mutex);
	mutex_unlock(&res->sock_mutex);
	if (sock)
		sock_release(sock);
	liscal_xf_free(xf);
	/* Peer writes still on the disk: their acks fail, then free. */
	wait_event(res->waitq, !atomic_read(&res->peer_inflight));
	flush_workqueue(res->wq);

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	reason = res->fail_reason;
	list_splice_init(&res->ack_wait, &failed);
	/* asynchronous writes not sent yet, after the older sent ones */
	list_splice_tail_init(&res->send_q, &failed);
	list_for_each_entry(req, &failed, ack_list)
		req->peer_failed = true;
	/* fencing: their completion is held (liscal_fence.c) */
	if (was_connected)
		fenced = liscal_fence_break(res, reason, &failed);
	/*
	 * The peer acknowledges a write when it is on its disk, not when it
	 * is stable there: only the cleaner's peer flush makes it so, and
	 * until then its region stays in the write-intent bits. Whatever they
	 * still hold may be lost if the peer loses power, so it becomes out
	 * of sync here and is resynchronised after the next handshake. The
	 * intent bits are on disk already (a write is issued only then), so
	 * the on-disk bitmap covers the new oos bits.
	 */
	liscal_bm_merge_intent(res);
	res->sync_diff = 0;
	res->send_queue = 0;
	res->conn = res->want_connect ? LISCAL_CONN_CONNECTING :
					LISCAL_CONN_STANDALONE;
	was_rs_target = res->rs_dir == LISCAL_RECOVERY_FROM_PEER;
	res->rs_dir = LISCAL_RECOVERY_NONE;
	if (was_connected) {
		if (res->role == LISCAL_ROLE_ACTIVE) {
			if (res->pdisk != LISCAL_DISK_INCONSISTENT)
				res->pdisk = LISCAL_DISK_OUTDATED;
			res->sb.flags |= LISCAL_SB_F_PEER_OUTDATED;
			if (!res->sb.gen_bitmap) {
				res->sb.gen_bitmap = res->sb.gen_current;
				liscal_meta_new_gen(&res->sb, liscal_new_gen());
			}
		} else if (res->peer_role == LISCAL_ROLE_ACTIVE &&
			   res->disk_state == LISCAL_DISK_UPTODATE) {
			res->disk_state = LISCAL_DISK_OUTDATED;
			res->sb.flags &= ~LISCAL_SB_F_UPTODATE;
		}
		res->sb.break_time = liscal_now();
		liscal_stat_add(res, LISCAL_STATS_A_BREAKS, 1);
	}
	res->peer_role = 0;
	spin_unlock_irqrestore(&res->lock, flags);
	/* a failure fails the disk (liscal_io_error()): never current then */
	if (was_connected && liscal_sb_write(res))
		pr_err("%s: the break could not be recorded on the cluster partition\n",
		       res->name);
	mutex_unlock(&res->state_mutex);

	list_for_each_entry_safe(req, tmp, &failed, ack_list)
		liscal_req_put(req);
	/* no recovery and no peer write until the next connection */
	liscal_page_pool_free(res);
	if (was_connected) {
		pr_warn("%s: mirror connection lost (reason %d)%s\n", res->name,
			reason, was_rs_target ? " during recovery" : "");
		liscal_event_since(res, &snap, reason, NULL);
	}
	if (fenced) {
		pr_warn("%s: fenced: writes held until the peer's copy is outdated or the partition resolution is won\n",
			res->name);
		liscal_event_since(res, &snap, LISCAL_REASON_FENCED, NULL);
	}
}

/*
 * Holds new writes (liscal_admit() puts them on res->held) and waits until
 * every issued one has completed: a write that went without the peer sets
 * its out-of-sync bits when it completes, and the HELLO and bitmap sent next
 * must hold them all, or the peer could take its copy for current while
 * this side still has writes it missed. Writes wait at most the handshake
 * (the connect timeout) plus the local writes in flight. Context: conn_task.
 */
static void liscal_hold_writes(struct liscal_res *res)
{
	unsigned long flags;

	/*
	 * Under state_mutex: an activation runs whole before the handshake
	 * (the HELLO carries its role) or waits for its end (liscal_nl.c).
	 */
	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	res->hold_writes = true;
	spin_unlock_irqrestore(&res->lock, flags);
	/* a growth replaces peer_bm under state_mutex, never while held */
	memset(res->peer_bm, 0, res->nwords * 8);
	mutex_unlock(&res->state_mutex);
	wait_event(res->waitq, !READ_ONCE(res->nr_issued));
}

/* The handshake is over (decision applied, or failed): writes go on. */
static void liscal_release_writes(struct liscal_res *res)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	res->hold_writes = false;
	/* held writes were submitted before anything now in issue_q */
	list_splice_init(&res->held, &res->issue_q);
	spin_unlock_irqrestore(&res->lock, flags);
	queue_work(res->wq, &res->issue_work);
	wake_up_all(&res->waitq);	/* an activation waits for this */
}

static int liscal_conn_thread(void *data)
{
	struct liscal_res *res = data;
	unsigned long flags;

	/*
	 * Writes wait on this thread (handshake, acks, teardown): nothing it
	 * allocates may recurse into I/O, whatever the allocation's flags.
	 */
	memalloc_noio_save();
	while (!kthread_should_stop()) {
		struct sockaddr_in peer;
		struct socket *sock;
		bool connected = false;
		int reason, ret;

		if (!READ_ONCE(res->want_connect)) {
			wait_event_interruptible_timeout(res->conn_waitq,
							 kthread_should_stop() ||
							 READ_ONCE(res->want_connect),
							 HZ);
			continue;
		}
		/* RES_SET may change the address while not connected. */
		spin_lock_irqsave(&res->lock, flags);
		peer = res->peer_addr;
		spin_unlock_irqrestore(&res->lock, flags);
		sock = res->node_id == 0 ? liscal_connect(res, &peer) :
					   liscal_accept(res, &peer);
		res->conn_addr = peer;
		if (!sock) {
			if (res->node_id == 0)
				schedule_timeout_interruptible(HZ);
			continue;
		}
		liscal_sock_setup(res, sock);
		spin_lock_irqsave(&res->lock, flags);
		res->fail_reason = 0;
		res->ping_sent_ns = 0;
		res->ping_pending = false;
		res->act_reply_pending = false;	/* an answer for the old link */
		res->ping_misses = 0;
		res->last_ping_ns = ktime_get_ns();
		res->last_rx_ns = res->last_ping_ns;
		res->timers_ns = res->last_ping_ns;
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_lock(&res->sock_mutex);
		mutex_lock(&res->send_mutex);
		res->sock = sock;
		mutex_unlock(&res->send_mutex);
		mutex_unlock(&res->sock_mutex);

		/* the peer is back and is resynchronised: fenced writes go */
		mutex_lock(&res->state_mutex);
		liscal_fence_release(res, LISCAL_REASON_CONNECTED);
		mutex_unlock(&res->state_mutex);
		liscal_hold_writes(res);
		ret = liscal_handshake(res, &reason);
		liscal_release_writes(res);
		if (ret == -EPROTO)
			liscal_count_refused(res);
		if (!ret) {
			connected = true;
			liscal_receive(res);
		}
		liscal_teardown(res, connected);
		if (!connected)
			schedule_timeout_interruptible(HZ);
	}
	return 0;
}

int liscal_conn_start(struct liscal_res *res)
{
	struct task_struct *t;

	if (res->conn_task)
		return 0;
	if (!res->peer_bm) {
		res->peer_bm = kvzalloc(DIV_ROUND_UP(res->nbits, 64 * 512) *
					LISCAL_BM_BLOCK, GFP_KERNEL);
		if (!res->peer_bm)
			return -ENOMEM;
	}
	t = kthread_run(liscal_conn_thread, res, "liscal_%s", res->name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	res->conn_task = t;
	res->conn = LISCAL_CONN_CONNECTING;
	return 0;
}

void liscal_conn_stop(struct liscal_res *res)
{
	if (!res->conn_task)
		goto out_free;
	liscal_conn_fail(res, LISCAL_REASON_BREAK_ADMIN);
	kthread_stop(res->conn_task);
	res->conn_task = NULL;
out_free:
	kvfree(res->peer_bm);
	res->peer_bm = NULL;
	liscal_comp_free(res);
}
