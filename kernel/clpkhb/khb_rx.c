// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb receive: one datagram from a link's socket. The sender is the
 * configured peer whose address on this link is the source address; a
 * packet is good only when it decodes, its tag verifies (with a cluster key
 * configured), it names that peer and this link, and its sequence number
 * is new. Anything else counts as a receive error of that peer and link
 * and never refreshes liveness.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/udp.h>

#include "khb.h"
#include "khb_wire.h"

static struct khb_peer *khb_find_peer(unsigned int li, __be32 saddr)
{
	unsigned int i;

	for (i = 0; i < khb.npeers; i++)
		if (khb.peers[i].pl[li].configured &&
		    khb.peers[i].pl[li].addr == saddr)
			return &khb.peers[i];
	return NULL;
}

/* Context: softirq, khb.lock held. */
static void khb_rx_error(struct khb_peer *p, struct khb_peer_link *pl,
			 const struct khb_link *l, const char *why)
{
	pl->st.recv_error++;
	pl->last_error = why;
	pr_warn_ratelimited("lankhb%u: refused a packet from %s (node %u): %s\n",
			    l->id, p->name, p->node_id, why);
}

/*
 * The peer restarted (new incarnation): it lost its state, so it is down
 * and must come up again through the hysteresis. khb.lock held.
 */
static void khb_peer_restarted(struct khb_peer *p, u64 inc)
{
	unsigned int i;

	for (i = 0; i < khb.nlinks; i++) {
		struct khb_peer_link *pl = &p->pl[i];

		if (pl->state == CLPKHB_STATE_UP) {
			pl->state = CLPKHB_STATE_DOWN;
			khb_event(CLPKHB_EVENT_LINK_DOWN, p, &khb.links[i],
				  "peer restarted");
		}
		pl->good_run = 0;
		pl->last_seq = 0;
	}
	if (p->state == CLPKHB_STATE_UP) {
		p->state = CLPKHB_STATE_DOWN;
		khb_event(CLPKHB_EVENT_PEER_DOWN, p, NULL,
			  "peer restarted (new incarnation)");
	}
	p->incarnation = inc;
}

/* A good packet. khb.lock held. */
static void khb_rx_good(struct khb_peer *p, struct khb_peer_link *pl,
			const struct khb_link *l, const struct khb_pkt *pkt)
{
	ktime_t now = ktime_get();
	char reason[96];

	pl->st.recv_count++;
	if (pl->last_good && pl->st.recv_count > 1) {
		u64 us = ktime_us_delta(now, pl->last_good);

		if (pl->st.recv_count == 2 || us < pl->st.recv_min_us)
			pl->st.recv_min_us = us;
		if (us > pl->st.recv_max_us)
			pl->st.recv_max_us = us;
		pl->st.recv_sum_us += us;
	}
	pl->good_run = pkt->seq == pl->last_seq + 1 ? pl->good_run + 1 : 1;
	pl->last_seq = pkt->seq;
	pl->last_good = now;
	p->last_good = now;
	p->warned = false;

	if (pkt->interval_ms != khb.interval_ms ||
	    pkt->timeout_ms != khb.timeout_ms) {
		if (!p->mismatch || pkt->interval_ms != p->peer_interval_ms ||
		    pkt->timeout_ms != p->peer_timeout_ms) {
			snprintf(reason, sizeof(reason),
				 "peer uses interval %u ms timeout %u ms, this node %u ms / %u ms",
				 pkt->interval_ms, pkt->timeout_ms,
				 khb.interval_ms, khb.timeout_ms);
			khb_event(CLPKHB_EVENT_MISMATCH, p, l, reason);
		}
		p->mismatch = true;
	} else {
		p->mismatch = false;
	}
	p->peer_interval_ms = pkt->interval_ms;
	p->peer_timeout_ms = pkt->timeout_ms;

	if (pl->state != CLPKHB_STATE_UP && pl->good_run >= CLPKHB_UP_PACKETS) {
		pl->state = CLPKHB_STATE_UP;
		snprintf(reason, sizeof(reason), "%u consecutive heartbeats",
			 pl->good_run);
		khb_event(CLPKHB_EVENT_LINK_UP, p, l, reason);
		if (p->state != CLPKHB_STATE_UP) {
			p->state = CLPKHB_STATE_UP;
			khb_event(CLPKHB_EVENT_PEER_UP, p, NULL, reason);
		}
	}
}

/* Context: softirq (data-ready callback). */
void khb_rx(struct khb_link *l, struct sk_buff *skb)
{
	unsigned int li = l - khb.links;
	struct khb_peer_link *pl;
	struct khb_peer *p;
	struct khb_pkt pkt;
	u8 buf[KHB_MAX_LEN];
	const char *why = NULL;
	__be32 saddr;
	int err;

	saddr = ip_hdr(skb)->saddr;
	spin_lock_bh(&khb.lock);
	p = khb_find_peer(li, saddr);
	if (!p) {
		l->unknown_sender++;
		spin_unlock_bh(&khb.lock);
		pr_warn_ratelimited("lankhb%u: packet from %pI4, not a configured peer on this link\n",
				    l->id, &saddr);
		return;
	}
	pl = &p->pl[li];
	if (!udp_skb_csum_unnecessary(skb) && __udp_lib_checksum_complete(skb)) {
		why = "bad UDP checksum";
	} else if (skb->len > KHB_MAX_LEN) {
		why = khb_wire_strerror(KHB_ELENGTH);
	} else if (skb_copy_bits(skb, 0, buf, skb->len)) {
		why = khb_wire_strerror(KHB_ESHORT);
	} else {
		err = khb_wire_decode(buf, skb->len, &pkt,
				      khb.tfm ? khb_mac : NULL, khb.tfm);
		if (err != KHB_OK)
			why = khb_wire_strerror(err);
		else if (pkt.node_id != p->node_id)
			why = "node id does not match the sender's address";
		else if (pkt.link_id != l->id)
			why = "sent on another lankhb (link id mismatch)";
	}
	if (why) {
		khb_rx_error(p, pl, l, why);
		goto out_unlock;
	}
	/*
	 * A restart of the peer shows as a greater incarnation. A smaller one
	 * is an earlier incarnation's packet, replayed: dropped while the
	 * peer is up. (A peer whose clock went back at its restart is taken
	 * once it has been declared down.)
	 */
	if (p->incarnation && pkt.incarnation < p->incarnation &&
	    p->state == CLPKHB_STATE_UP) {
		khb_rx_error(p, pl, l, "packet of an earlier incarnation of the peer (replayed?)");
		goto out_unlock;
	}
	if (p->incarnation && pkt.incarnation != p->incarnation) {
		khb_peer_restarted(p, pkt.incarnation);
	} else if (pkt.seq <= pl->last_seq) {
		khb_rx_error(p, pl, l, "old or repeated sequence number");
		goto out_unlock;
	}
	p->incarnation = pkt.incarnation;
	khb_rx_good(p, pl, l, &pkt);
out_unlock:
	spin_unlock_bh(&khb.lock);
}
