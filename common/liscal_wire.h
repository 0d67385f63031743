/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liscal_wire.h - mirror connection protocol, shared by the kernel module
 * and userland (host unit tests, fuzzing). Documentation/wire-protocol.md.
 *
 * Every packet: a 32-byte header (big-endian) then hdr.len payload bytes.
 * Every header and fixed payload read from the socket goes through
 * liscal_wire_decode_hdr() / liscal_wire_decode_*() before any field is
 * used; I/O packets additionally through liscal_wire_check_io().
 */
#ifndef _LISCAL_WIRE_H
#define _LISCAL_WIRE_H

#include "clp_compat.h"
#include "liscal_meta.h"

#define LISCAL_WIRE_MAGIC	0x4c53434dU	/* "LSCM" */
/*
 * 2: STATE before SYNC_*, ACT_*; 3: HELLO carries the logical block size;
 * 4: AUTH before HELLO (peer authentication, encryption); 5: GROW;
 * 6: recovery data without FUA; 7: flushes ahead (AHEAD, FLUSHING, FLUSHED)
 */
#define LISCAL_WIRE_PROTO	7
#define LISCAL_WIRE_HELLO_OLD_LEN 104	/* HELLO of protocols 1 and 2, refused by name */
#define LISCAL_WIRE_HDR_SIZE	32
#define LISCAL_WIRE_MAX_IO	BIT(20)	/* DATA payload */
#define LISCAL_WIRE_MAX_RS	(4U << 20)	/* RS_DATA payload */
#define LISCAL_WIRE_BM_WORDS	512		/* BITMAP words per packet */

enum liscal_wire_type {
	LISCAL_P_HELLO = 1,	/* handshake, struct liscal_wire_hello */
	LISCAL_P_BITMAP,	/* __be64 first word index, then le64 words */
	LISCAL_P_BITMAP_DONE,	/* end of the bitmap exchange */
	LISCAL_P_DATA,		/* mirrored write: sector, size, payload */
	LISCAL_P_DATA_ACK,	/* seq of the DATA, flag ERROR on failure */
	LISCAL_P_RS_DATA,	/* recovery data */
	LISCAL_P_RS_ACK,
	LISCAL_P_PING,
	LISCAL_P_PONG,
	LISCAL_P_STATE,		/* struct liscal_wire_state */
	LISCAL_P_SYNC_START,	/* struct liscal_wire_sync */
	LISCAL_P_SYNC_DONE,	/* struct liscal_wire_sync */
	LISCAL_P_FORCE,		/* struct liscal_wire_force */
	LISCAL_P_CLOSE,		/* orderly disconnect, no payload */
	LISCAL_P_AUTH,		/* first packet each way, struct liscal_wire_auth */
	LISCAL_P_REKEY,		/* encrypted links only: the new 32-byte key */
	LISCAL_P_GROW,		/* online resize: sector = new size in sectors */
	LISCAL_P_FLUSHED,	/* flush ahead done: seq = DATA_ACKs it covers */
	__LISCAL_P_MAX
};

/* hdr.flags */
#define LISCAL_WF_FUA		BIT(0)	/* DATA: forced unit access */
#define LISCAL_WF_PREFLUSH	BIT(1)	/* DATA: flush before writing */
#define LISCAL_WF_ERROR		BIT(2)	/* *_ACK: the I/O failed */
#define LISCAL_WF_FULL		BIT(3)	/* SYNC_START, FORCE: full copy */
#define LISCAL_WF_FORCE		BIT(4)	/* FORCE: override the checks */
#define LISCAL_WF_ACT_REQ	BIT(5)	/* STATE: may I become active? */
#define LISCAL_WF_ACT_REPLY	BIT(6)	/* STATE: answer (ERROR: refused) */
#define LISCAL_WF_PROOF		BIT(7)	/* AUTH: the proof, not the challenge */
/*
 * DATA, RS_DATA: the payload is the LZ4 compression of the size bytes of
 * the I/O (len < size); without it the payload is the data (len == size).
 */
#define LISCAL_WF_COMP		BIT(8)
/* GROW: the answer to a request (ERROR: refused, size = the reason) */
#define LISCAL_WF_REPLY		BIT(9)
/*
 * Flushes ahead (Documentation/wire-protocol.md). AHEAD on a DATA with
 * data: the sender's device is being flushed, so flush once this write is
 * acknowledged. FLUSHING on a DATA_ACK: a flush starts now that covers
 * every DATA_ACK sent on this connection up to this one; FLUSHED (type)
 * reports it done, seq = that count of DATA_ACKs (ERROR: it failed).
 */
#define LISCAL_WF_AHEAD		BIT(10)
#define LISCAL_WF_FLUSHING	BIT(11)

/*
 * Why a GROW request was refused (the answer's size field). The requester
 * grows only after the peer answered without ERROR (it has grown, or was
 * that size already).
 */
enum liscal_wire_grow_refusal {
	LISCAL_GROW_NOT_PREPARED = 1,	/* its own --resize not run there */
	LISCAL_GROW_BUSY = 2,		/* a resize, recovery or handshake runs */
	LISCAL_GROW_ACTIVE = 3,		/* it is active: the standby grows first */
	LISCAL_GROW_FAILED = 4,		/* its growth failed (I/O, memory) */
	LISCAL_GROW_LARGER = 5,		/* it mirrors more than that already */
	__LISCAL_GROW_MAX
};

/*
 * AUTH mode: what the connection needs. NONE: no key configured; KEY:
 * both prove they hold the cluster key (handshake only); CRYPT: the same
 * with the encryption key, then every byte goes in sealed records.
 */
enum liscal_wire_auth_mode {
	LISCAL_AUTH_NONE = 0,
	LISCAL_AUTH_KEY = 1,
	LISCAL_AUTH_CRYPT = 2,
};

#define LISCAL_WIRE_KEY_LEN	32	/* AES-256 / HMAC-SHA256 key */
#define LISCAL_WIRE_NONCE_LEN	32	/* AUTH challenge */
#define LISCAL_WIRE_MAC_LEN	32	/* HMAC-SHA256 */
/* label (16) | sender node id (be32) | mode (be32) | nonce0 | nonce1 */
#define LISCAL_WIRE_AUTH_MSG_LEN (16 + 4 + 4 + 2 * LISCAL_WIRE_NONCE_LEN)

/*
 * Sealed record (AUTH mode CRYPT, after the AUTH exchange): an 8-byte
 * header {magic "LSCE", len} in clear, then len bytes: the AES-256-GCM
 * ciphertext of up to LISCAL_WIRE_REC_MAX bytes of the packet stream and
 * its 16-byte tag. The header is the associated data; the nonce is a
 * 64-bit per-direction record counter (never sent) under a key derived
 * for this connection and direction (liscal_wire_auth_msg, label "key").
 */
#define LISCAL_WIRE_REC_MAGIC	0x4c534345U	/* "LSCE" */
#define LISCAL_WIRE_REC_HDR	8
#define LISCAL_WIRE_TAG_LEN	16
#define LISCAL_WIRE_REC_MAX	(65536 - LISCAL_WIRE_REC_HDR - LISCAL_WIRE_TAG_LEN)

struct liscal_wire_hdr_disk {
	__be32 magic;
	__be16 type;
	__be16 flags;
	__be32 len;		/* payload bytes after the header */
	__be32 size;		/* I/O size in bytes (DATA, RS_*, ACKs) */
	__be64 seq;		/* sender's sequence; ACKs echo it */
	__be64 sector;		/* 512-byte sector of the I/O */
} __packed;

struct liscal_wire_hdr {
	u16 type;
	u16 flags;
	u32 len;
	u32 size;
	u64 seq;
	u64 sector;
};

struct liscal_wire_hello_disk {
	__be32 proto;
	__be32 node_id;
	char name[LISCAL_NAME_LEN];
	u8 uuid[LISCAL_UUID_LEN];
	__be64 data_bytes;
	__be32 bm_shift;
	__be32 sb_flags;
	__be64 gen_current;
	__be64 gen_bitmap;
	__be64 gen_history[2];
	__be32 role;
	__be32 disk_state;
	__be64 dirty_bits;
	__be32 lbs;		/* data partition's logical block size */
	__be32 reserved;	/* 0 */
} __packed;

struct liscal_wire_hello {
	u32 proto;
	u32 node_id;
	char name[LISCAL_NAME_LEN];
	u8 uuid[LISCAL_UUID_LEN];
	u64 data_bytes;
	u32 bm_shift;
	u32 sb_flags;
	u64 gen_current;
	u64 gen_bitmap;
	u64 gen_history[2];
	u32 role;
	u32 disk_state;
	u64 dirty_bits;
	u32 lbs;
};

struct liscal_wire_state_disk {
	__be32 role;
	__be32 disk_state;
	__be32 sb_flags;
	__be32 reserved;
	__be64 gen_current;
} __packed;

struct liscal_wire_state {
	u32 role;
	u32 disk_state;
	u32 sb_flags;
	u64 gen_current;
};

struct liscal_wire_sync_disk {
	__be64 gen;		/* source's gen_current */
	__be64 bytes;		/* SYNC_START: bytes to copy */
} __packed;

struct liscal_wire_sync {
	u64 gen;
	u64 bytes;
};

struct liscal_wire_force_disk {
	__be32 source_node;
	__be32 flags;		/* LISCAL_WF_FULL */
} __packed;

struct liscal_wire_force {
	u32 source_node;
	u32 flags;
};

struct liscal_wire_auth_disk {
	__be32 proto;
	__be32 mode;		/* enum liscal_wire_auth_mode */
	u8 nonce[LISCAL_WIRE_NONCE_LEN];	/* challenge; 0 in the proof */
	u8 mac[LISCAL_WIRE_MAC_LEN];	/* proof; 0 in the challenge */
} __packed;

struct liscal_wire_auth {
	u32 proto;
	u32 mode;
	u8 nonce[LISCAL_WIRE_NONCE_LEN];
	u8 mac[LISCAL_WIRE_MAC_LEN];
};

const char *liscal_wire_type_name(unsigned int type);

void liscal_wire_encode_hdr(const struct liscal_wire_hdr *h,
			    struct liscal_wire_hdr_disk *out);
/*
 * Decode and validate a header: magic, known type, flags allowed for the
 * type, payload length the type requires, I/O size rules. Returns 0 or
 * -EPROTO with a sentence in @err.
 */
int liscal_wire_decode_hdr(const struct liscal_wire_hdr_disk *in,
			   struct liscal_wire_hdr *h, char *err, size_t errlen);
/* I/O range of a DATA/RS_DATA/RS_ACK packet inside @data_bytes. */
int liscal_wire_check_io(const struct liscal_wire_hdr *h, u64 data_bytes,
			 char *err, size_t errlen);

void liscal_wire_encode_hello(const struct liscal_wire_hello *h,
			      struct liscal_wire_hello_disk *out);
int liscal_wire_decode_hello(const struct liscal_wire_hello_disk *in,
			     struct liscal_wire_hello *h, char *err,
			     size_t errlen);
void liscal_wire_encode_state(const struct liscal_wire_state *s,
			      struct liscal_wire_state_disk *out);
int liscal_wire_decode_state(const struct liscal_wire_state_disk *in,
			     struct liscal_wire_state *s, char *err,
			     size_t errlen);
void liscal_wire_encode_sync(const struct liscal_wire_sync *s,
			     struct liscal_wire_sync_disk *out);
void liscal_wire_decode_sync(const struct liscal_wire_sync_disk *in,
			     struct liscal_wire_sync *s);
void liscal_wire_encode_force(const struct liscal_wire_force *f,
			      struct liscal_wire_force_disk *out);
int liscal_wire_decode_force(const struct liscal_wire_force_disk *in,
			     struct liscal_wire_force *f, char *err,
			     size_t errlen);

void liscal_wire_encode_auth(const struct liscal_wire_auth *a,
			     struct liscal_wire_auth_disk *out);
/* Protocol and mode; @proof: the packet carries LISCAL_WF_PROOF. */
int liscal_wire_decode_auth(const struct liscal_wire_auth_disk *in,
			    struct liscal_wire_auth *a, bool proof, char *err,
			    size_t errlen);
/*
 * The input of an HMAC-SHA256 under the key: @label (up to 16 chars,
 * zero padded), @node (the proof's sender, or the direction's sender for
 * a derived key), @mode, node 0's then node 1's nonce.
 */
void liscal_wire_auth_msg(u8 out[LISCAL_WIRE_AUTH_MSG_LEN], const char *label,
			  u32 node, u32 mode, const u8 *nonce0,
			  const u8 *nonce1);
/*
 * Record header: magic, then @len = ciphertext + tag bytes that follow
 * (1..REC_MAX bytes of plaintext). Decode returns 0 with *len, or -EPROTO.
 */
void liscal_wire_encode_rec(u32 len, u8 out[LISCAL_WIRE_REC_HDR]);
int liscal_wire_decode_rec(const u8 in[LISCAL_WIRE_REC_HDR], u32 *len,
			   char *err, size_t errlen);

/* Fixed payload length of @type, or -1 if variable (DATA, BITMAP...). */
int liscal_wire_fixed_len(unsigned int type);

#endif /* _LISCAL_WIRE_H */
