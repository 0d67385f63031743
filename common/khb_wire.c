// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb wire format (see khb_wire.h). Shared by the module and the host
 * unit test: keep it free of kernel-only calls.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#endif

#include "khb_wire.h"

/* Constant-time comparison of two tags: 0 when equal. */
static u8 khb_tag_diff(const u8 *a, const u8 *b)
{
	u8 d = 0;
	size_t i;

	for (i = 0; i < KHB_TAG_LEN; i++)
		d |= a[i] ^ b[i];
	return d;
}

static int khb_fields_ok(const struct khb_pkt *p)
{
	return p->node_id >= 1 && p->node_id <= KHB_WIRE_MAX_NODE_ID &&
	       p->link_id >= 1 && p->link_id <= KHB_WIRE_MAX_LINK_ID &&
	       p->incarnation != 0 && p->seq != 0 &&
	       p->interval_ms >= KHB_WIRE_MIN_INTERVAL &&
	       p->interval_ms <= KHB_WIRE_MAX_INTERVAL &&
	       p->timeout_ms > p->interval_ms &&
	       p->timeout_ms <= KHB_WIRE_MAX_TIMEOUT;
}

int khb_wire_encode(const struct khb_pkt *p, u8 *buf, size_t buflen,
		    khb_mac_fn mac, void *ctx)
{
	size_t len = mac ? KHB_MAX_LEN : KHB_HDR_LEN;

	if (buflen < len || !khb_fields_ok(p))
		return -1;
	memset(buf, 0, len);
	put_unaligned_be32(KHB_MAGIC, buf);
	buf[4] = KHB_VERSION;
	buf[5] = mac ? KHB_F_TAG : 0;
	put_unaligned_be16((u16)len, buf + 6);
	put_unaligned_be32(p->node_id, buf + 8);
	put_unaligned_be32(p->link_id, buf + 12);
	put_unaligned_be64(p->incarnation, buf + 16);
	put_unaligned_be64(p->seq, buf + 24);
	put_unaligned_be32(p->interval_ms, buf + 32);
	put_unaligned_be32(p->timeout_ms, buf + 36);
	if (mac && mac(ctx, buf, KHB_HDR_LEN, buf + KHB_HDR_LEN))
		return -1;
	return (int)len;
}

int khb_wire_decode(const u8 *buf, size_t len, struct khb_pkt *p,
		    khb_mac_fn mac, void *ctx)
{
	u8 tag[KHB_TAG_LEN];
	u8 flags;

	if (len < KHB_HDR_LEN)
		return KHB_ESHORT;
	if (get_unaligned_be32(buf) != KHB_MAGIC)
		return KHB_EMAGIC;
	if (buf[4] != KHB_VERSION)
		return KHB_EVERSION;
	flags = buf[5];
	if (flags & ~KHB_F_TAG)
		return KHB_EFLAGS;
	if (get_unaligned_be16(buf + 6) != len ||
	    len != ((flags & KHB_F_TAG) ? KHB_MAX_LEN : KHB_HDR_LEN))
		return KHB_ELENGTH;
	if (get_unaligned_be64(buf + 40) != 0)
		return KHB_ERESERVED;
	if (mac && !(flags & KHB_F_TAG))
		return KHB_ENOTAG;
	if (!mac && (flags & KHB_F_TAG))
		return KHB_EUNEXPTAG;
	if (mac) {
		if (mac(ctx, buf, KHB_HDR_LEN, tag))
			return KHB_EMAC;
		if (khb_tag_diff(tag, buf + KHB_HDR_LEN))
			return KHB_ETAG;
	}
	p->node_id = get_unaligned_be32(buf + 8);
	p->link_id = get_unaligned_be32(buf + 12);
	p->incarnation = get_unaligned_be64(buf + 16);
	p->seq = get_unaligned_be64(buf + 24);
	p->interval_ms = get_unaligned_be32(buf + 32);
	p->timeout_ms = get_unaligned_be32(buf + 36);
	if (!khb_fields_ok(p))
		return KHB_EFIELD;
	return KHB_OK;
}

const char *khb_wire_strerror(int err)
{
	static const char *const msg[KHB_NERR] = {
		[KHB_OK] = "ok",
		[KHB_ESHORT] = "packet too short",
		[KHB_EMAGIC] = "bad magic",
		[KHB_EVERSION] = "unsupported version",
		[KHB_ELENGTH] = "bad length",
		[KHB_EFLAGS] = "unknown flags",
		[KHB_ERESERVED] = "reserved bytes not zero",
		[KHB_EFIELD] = "field out of range",
		[KHB_ENOTAG] = "no authentication tag (key configured here)",
		[KHB_EUNEXPTAG] = "authentication tag but no key configured here",
		[KHB_ETAG] = "authentication tag mismatch (wrong cluster key)",
		[KHB_EMAC] = "cannot compute HMAC",
	};

	if (err < 0 || err >= KHB_NERR)
		return "unknown error";
	return msg[err];
}
