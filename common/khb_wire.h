/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpkhb wire format: encode, decode and verify one heartbeat packet.
 *
 * Compiled twice: in the module and, with khb_wire_host.h, in the host unit
 * test and fuzz harness (tests/host/unit/). No allocation, no locking, no
 * kernel-only calls; the HMAC is computed by the caller's callback.
 *
 * Layout (all integers big-endian, offsets in bytes):
 *    0  u32 magic       KHB_MAGIC ("CKHB")
 *    4  u8  version     KHB_VERSION
 *    5  u8  flags       KHB_F_TAG: a 32-byte HMAC-SHA256 tag follows
 *    6  u16 length      total packet length (48, or 80 with the tag)
 *    8  u32 node_id     sender, 1..CLPKHB_MAX_NODE_ID
 *   12  u32 link_id     N of the sender's lankhbN the packet was sent on
 *   16  u64 incarnation sender's module instance, never 0
 *   24  u64 seq         per sender, +1 every interval, never 0
 *   32  u32 interval_ms the sender's interval
 *   36  u32 timeout_ms  the sender's timeout (without a ratio)
 *   40  u64 reserved    0
 *   48  u8  tag[32]     HMAC-SHA256(key, bytes 0..47) when KHB_F_TAG
 */
#ifndef KHB_WIRE_H
#define KHB_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "khb_wire_host.h"
#endif

#define KHB_MAGIC	0x434b4842u
#define KHB_VERSION	1
#define KHB_F_TAG	0x01
#define KHB_HDR_LEN	48
#define KHB_TAG_LEN	32
#define KHB_MAX_LEN	(KHB_HDR_LEN + KHB_TAG_LEN)

#define KHB_WIRE_MAX_NODE_ID	64
#define KHB_WIRE_MAX_LINK_ID	99
#define KHB_WIRE_MIN_INTERVAL	1
#define KHB_WIRE_MAX_INTERVAL	3600000
#define KHB_WIRE_MAX_TIMEOUT	3600000

struct khb_pkt {
	u32 node_id;
	u32 link_id;
	u64 incarnation;
	u64 seq;
	u32 interval_ms;
	u32 timeout_ms;
};

/* Why a packet was refused (0: accepted). */
enum khb_wire_err {
	KHB_OK,
	KHB_ESHORT,	/* shorter than the header */
	KHB_EMAGIC,
	KHB_EVERSION,
	KHB_ELENGTH,	/* length field disagrees with the datagram */
	KHB_EFLAGS,	/* unknown flag bits */
	KHB_ERESERVED,	/* reserved bytes not zero */
	KHB_EFIELD,	/* a field out of range */
	KHB_ENOTAG,	/* a key is configured, the packet has no tag */
	KHB_EUNEXPTAG,	/* no key is configured, the packet has a tag */
	KHB_ETAG,	/* the tag does not verify */
	KHB_EMAC,	/* the HMAC could not be computed */
	KHB_NERR
};

/*
 * HMAC-SHA256 of @len bytes at @data with the cluster key into @out[32].
 * Returns 0 or a negative errno.
 */
typedef int (*khb_mac_fn)(void *ctx, const u8 *data, size_t len, u8 *out);

/*
 * Encode @p into @buf (at least KHB_MAX_LEN bytes). With @mac, a tag is
 * appended. Returns the packet length, or -1 when @p is out of range or the
 * MAC fails.
 */
int khb_wire_encode(const struct khb_pkt *p, u8 *buf, size_t buflen,
		    khb_mac_fn mac, void *ctx);

/*
 * Decode and verify @len bytes at @buf into @p. @mac is NULL when no key is
 * configured. Returns KHB_OK or an enum khb_wire_err; on error @p is
 * unspecified.
 */
int khb_wire_decode(const u8 *buf, size_t len, struct khb_pkt *p,
		    khb_mac_fn mac, void *ctx);

/* A short English reason for an enum khb_wire_err. */
const char *khb_wire_strerror(int err);

#endif /* KHB_WIRE_H */
