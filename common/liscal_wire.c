// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_wire.c - mirror protocol encode/decode/validate (liscal_wire.h).
 * Compiled into the kernel module and into userland.
 */
#include "liscal_wire.h"

static const char * const liscal_wire_names[__LISCAL_P_MAX] = {
	[LISCAL_P_HELLO] = "HELLO",
	[LISCAL_P_BITMAP] = "BITMAP",
	[LISCAL_P_BITMAP_DONE] = "BITMAP_DONE",
	[LISCAL_P_DATA] = "DATA",
	[LISCAL_P_DATA_ACK] = "DATA_ACK",
	[LISCAL_P_RS_DATA] = "RS_DATA",
	[LISCAL_P_RS_ACK] = "RS_ACK",
	[LISCAL_P_PING] = "PING",
	[LISCAL_P_PONG] = "PONG",
	[LISCAL_P_STATE] = "STATE",
	[LISCAL_P_SYNC_START] = "SYNC_START",
	[LISCAL_P_SYNC_DONE] = "SYNC_DONE",
	[LISCAL_P_FORCE] = "FORCE",
	[LISCAL_P_CLOSE] = "CLOSE",
	[LISCAL_P_AUTH] = "AUTH",
	[LISCAL_P_REKEY] = "REKEY",
	[LISCAL_P_GROW] = "GROW",
	[LISCAL_P_FLUSHED] = "FLUSHED",
};

/* Flags each type may carry. */
static const u16 liscal_wire_flags_ok[__LISCAL_P_MAX] = {
	[LISCAL_P_DATA] = LISCAL_WF_FUA | LISCAL_WF_PREFLUSH | LISCAL_WF_COMP |
			  LISCAL_WF_AHEAD,
	[LISCAL_P_RS_DATA] = LISCAL_WF_COMP,
	[LISCAL_P_DATA_ACK] = LISCAL_WF_ERROR | LISCAL_WF_FLUSHING,
	[LISCAL_P_RS_ACK] = LISCAL_WF_ERROR,
	[LISCAL_P_SYNC_START] = LISCAL_WF_FULL,
	[LISCAL_P_STATE] = LISCAL_WF_ACT_REQ | LISCAL_WF_ACT_REPLY |
			   LISCAL_WF_ERROR,
	[LISCAL_P_AUTH] = LISCAL_WF_PROOF,
	[LISCAL_P_GROW] = LISCAL_WF_REPLY | LISCAL_WF_ERROR,
	[LISCAL_P_FLUSHED] = LISCAL_WF_ERROR,
};

const char *liscal_wire_type_name(unsigned int type)
{
	if (type == 0 || type >= __LISCAL_P_MAX)
		return "UNKNOWN";
	return liscal_wire_names[type];
}

int liscal_wire_fixed_len(unsigned int type)
{
	switch (type) {
	case LISCAL_P_HELLO:
		return sizeof(struct liscal_wire_hello_disk);
	case LISCAL_P_STATE:
		return sizeof(struct liscal_wire_state_disk);
	case LISCAL_P_SYNC_START:
	case LISCAL_P_SYNC_DONE:
		return sizeof(struct liscal_wire_sync_disk);
	case LISCAL_P_FORCE:
		return sizeof(struct liscal_wire_force_disk);
	case LISCAL_P_AUTH:
		return sizeof(struct liscal_wire_auth_disk);
	case LISCAL_P_REKEY:
		return LISCAL_WIRE_KEY_LEN;
	case LISCAL_P_BITMAP_DONE:
	case LISCAL_P_DATA_ACK:
	case LISCAL_P_RS_ACK:
	case LISCAL_P_PING:
	case LISCAL_P_PONG:
	case LISCAL_P_CLOSE:
	case LISCAL_P_GROW:
	case LISCAL_P_FLUSHED:
		return 0;
	default:
		return -1;
	}
}

void liscal_wire_encode_hdr(const struct liscal_wire_hdr *h,
			    struct liscal_wire_hdr_disk *out)
{
	BUILD_BUG_ON(sizeof(struct liscal_wire_hdr_disk) != LISCAL_WIRE_HDR_SIZE);
	out->magic = cpu_to_be32(LISCAL_WIRE_MAGIC);
	out->type = cpu_to_be16(h->type);
	out->flags = cpu_to_be16(h->flags);
	out->len = cpu_to_be32(h->len);
	out->size = cpu_to_be32(h->size);
	out->seq = cpu_to_be64(h->seq);
	out->sector = cpu_to_be64(h->sector);
}

#define WIRE_ERR(fmt, ...) ({						\
	if (errlen)							\
		snprintf(err, errlen, fmt, ##__VA_ARGS__);		\
	-EPROTO;							\
})

/* Payload length of an I/O packet: the data, or less when compressed. */
static bool liscal_wire_io_len_ok(const struct liscal_wire_hdr *h)
{
	if (h->flags & LISCAL_WF_COMP)
		return h->len && h->len < h->size;
	return h->len == h->size;
}

int liscal_wire_decode_hdr(const struct liscal_wire_hdr_disk *in,
			   struct liscal_wire_hdr *h, char *err, size_t errlen)
{
	u32 magic = be32_to_cpu(in->magic);
	int fixed;

	if (errlen)
		err[0] = 0;
	if (magic != LISCAL_WIRE_MAGIC)
		return WIRE_ERR("bad packet magic 0x%08x", magic);
	h->type = be16_to_cpu(in->type);
	h->flags = be16_to_cpu(in->flags);
	h->len = be32_to_cpu(in->len);
	h->size = be32_to_cpu(in->size);
	h->seq = be64_to_cpu(in->seq);
	h->sector = be64_to_cpu(in->sector);
	if (h->type == 0 || h->type >= __LISCAL_P_MAX)
		return WIRE_ERR("unknown packet type %u", h->type);
	if (h->flags & ~liscal_wire_flags_ok[h->type])
		return WIRE_ERR("%s packet with invalid flags 0x%x",
				liscal_wire_names[h->type], h->flags);
	fixed = liscal_wire_fixed_len(h->type);
	if (h->type == LISCAL_P_HELLO && h->len == LISCAL_WIRE_HELLO_OLD_LEN)
		return WIRE_ERR("HELLO of protocol 1 or 2 (%u bytes): this side speaks protocol %u",
				h->len, LISCAL_WIRE_PROTO);
	if (fixed >= 0 && h->len != (u32)fixed)
		return WIRE_ERR("%s packet with length %u, expected %d",
				liscal_wire_names[h->type], h->len, fixed);
	switch (h->type) {
	case LISCAL_P_STATE:
		/* a request or an answer, ERROR only on an answer */
		if (((h->flags & LISCAL_WF_ACT_REQ) &&
		     (h->flags & (LISCAL_WF_ACT_REPLY | LISCAL_WF_ERROR))) ||
		    ((h->flags & LISCAL_WF_ERROR) &&
		     !(h->flags & LISCAL_WF_ACT_REPLY)))
			return WIRE_ERR("STATE packet with flags 0x%x",
					h->flags);
		break;
	case LISCAL_P_DATA:
		if (h->size > LISCAL_WIRE_MAX_IO || (h->size & 511) ||
		    !liscal_wire_io_len_ok(h) ||
		    (!h->size && !(h->flags & LISCAL_WF_PREFLUSH)))
			return WIRE_ERR("DATA packet with size %u, length %u%s",
					h->size, h->len,
					h->flags & LISCAL_WF_COMP ? " (compressed)" : "");
		/* a flush ahead follows a write, not a flush */
		if (!h->size && (h->flags & LISCAL_WF_AHEAD))
			return WIRE_ERR("DATA packet without data with flag AHEAD");
		break;
	case LISCAL_P_DATA_ACK:
		if ((h->flags & LISCAL_WF_ERROR) && (h->flags & LISCAL_WF_FLUSHING))
			return WIRE_ERR("DATA_ACK packet with flags ERROR and FLUSHING");
		break;
	case LISCAL_P_FLUSHED:
		/* a count of DATA_ACKs, at least the one that said FLUSHING */
		if (!h->seq || h->size || h->sector)
			return WIRE_ERR("FLUSHED packet covering %llu acks, size %u, sector %llu",
					(unsigned long long)h->seq, h->size,
					(unsigned long long)h->sector);
		break;
	case LISCAL_P_RS_DATA:
		if (!h->size || h->size > LISCAL_WIRE_MAX_RS ||
		    (h->size & 511) || !liscal_wire_io_len_ok(h))
			return WIRE_ERR("RS_DATA packet with size %u, length %u%s",
					h->size, h->len,
					h->flags & LISCAL_WF_COMP ? " (compressed)" : "");
		break;
	case LISCAL_P_RS_ACK:
		if (!h->size || h->size > LISCAL_WIRE_MAX_RS || (h->size & 511))
			return WIRE_ERR("RS_ACK packet with size %u", h->size);
		break;
	case LISCAL_P_GROW:
		/*
		 * A size in whole 4 KiB blocks; a refusal only on an answer,
		 * with its reason; a request or a grant carries none.
		 */
		if (!h->sector || (h->sector & 7) ||
		    h->sector > (~0ULL >> 9) ||
		    ((h->flags & LISCAL_WF_ERROR) &&
		     !(h->flags & LISCAL_WF_REPLY)) ||
		    ((h->flags & LISCAL_WF_ERROR) ?
		     (!h->size || h->size >= __LISCAL_GROW_MAX) : h->size))
			return WIRE_ERR("GROW packet with flags 0x%x, %llu sectors, reason %u",
					h->flags, (unsigned long long)h->sector,
					h->size);
		break;
	case LISCAL_P_BITMAP:
		if (h->len < 16 || h->len > 8 + 8 * LISCAL_WIRE_BM_WORDS ||
		    (h->len & 7))
			return WIRE_ERR("BITMAP packet with length %u", h->len);
		break;
	default:
		break;
	}
	return 0;
}

int liscal_wire_check_io(const struct liscal_wire_hdr *h, u64 data_bytes,
			 char *err, size_t errlen)
{
	u64 sectors = data_bytes >> 9;

	/* A partial last sector counts whole (decode_hdr refuses it for I/O). */
	if (h->sector > sectors || (((u64)h->size + 511) >> 9) > sectors - h->sector)
		return WIRE_ERR("%s beyond the end: sector %llu + %u bytes, %llu sectors",
				liscal_wire_type_name(h->type),
				(unsigned long long)h->sector, h->size,
				(unsigned long long)sectors);
	return 0;
}

void liscal_wire_encode_hello(const struct liscal_wire_hello *h,
			      struct liscal_wire_hello_disk *out)
{
	BUILD_BUG_ON(sizeof(*out) != LISCAL_WIRE_HELLO_OLD_LEN + 8);
	memset(out, 0, sizeof(*out));
	out->proto = cpu_to_be32(h->proto);
	out->node_id = cpu_to_be32(h->node_id);
	memcpy(out->name, h->name, LISCAL_NAME_LEN);
	out->name[LISCAL_NAME_LEN - 1] = 0;
	memcpy(out->uuid, h->uuid, LISCAL_UUID_LEN);
	out->data_bytes = cpu_to_be64(h->data_bytes);
	out->bm_shift = cpu_to_be32(h->bm_shift);
	out->sb_flags = cpu_to_be32(h->sb_flags);
	out->gen_current = cpu_to_be64(h->gen_current);
	out->gen_bitmap = cpu_to_be64(h->gen_bitmap);
	out->gen_history[0] = cpu_to_be64(h->gen_history[0]);
	out->gen_history[1] = cpu_to_be64(h->gen_history[1]);
	out->role = cpu_to_be32(h->role);
	out->disk_state = cpu_to_be32(h->disk_state);
	out->dirty_bits = cpu_to_be64(h->dirty_bits);
	out->lbs = cpu_to_be32(h->lbs);
}

int liscal_wire_decode_hello(const struct liscal_wire_hello_disk *in,
			     struct liscal_wire_hello *h, char *err,
			     size_t errlen)
{
	struct liscal_layout l;

	h->proto = be32_to_cpu(in->proto);
	h->node_id = be32_to_cpu(in->node_id);
	memcpy(h->name, in->name, LISCAL_NAME_LEN);
	h->name[LISCAL_NAME_LEN - 1] = 0;
	memcpy(h->uuid, in->uuid, LISCAL_UUID_LEN);
	h->data_bytes = be64_to_cpu(in->data_bytes);
	h->bm_shift = be32_to_cpu(in->bm_shift);
	h->sb_flags = be32_to_cpu(in->sb_flags);
	h->gen_current = be64_to_cpu(in->gen_current);
	h->gen_bitmap = be64_to_cpu(in->gen_bitmap);
	h->gen_history[0] = be64_to_cpu(in->gen_history[0]);
	h->gen_history[1] = be64_to_cpu(in->gen_history[1]);
	h->role = be32_to_cpu(in->role);
	h->disk_state = be32_to_cpu(in->disk_state);
	h->dirty_bits = be64_to_cpu(in->dirty_bits);
	h->lbs = be32_to_cpu(in->lbs);
	if (h->proto != LISCAL_WIRE_PROTO)
		return WIRE_ERR("peer speaks protocol %u, this side %u",
				h->proto, LISCAL_WIRE_PROTO);
	if (h->node_id > 1)
		return WIRE_ERR("peer node id %u (0 or 1)", h->node_id);
	if (!liscal_name_valid(h->name))
		return WIRE_ERR("peer resource name invalid");
	if (liscal_meta_layout(h->data_bytes, 0, &l) || l.bm_shift != h->bm_shift)
		return WIRE_ERR("peer data size %llu / bitmap shift %u invalid",
				(unsigned long long)h->data_bytes, h->bm_shift);
	if (h->sb_flags & ~LISCAL_SB_F_ALL)
		return WIRE_ERR("peer flags 0x%x unknown", h->sb_flags);
	if (h->role < 1 || h->role > 2 || h->disk_state > 4)
		return WIRE_ERR("peer role %u / disk state %u invalid",
				h->role, h->disk_state);
	if (h->dirty_bits > l.bm_bits)
		return WIRE_ERR("peer dirty bits %llu > %llu",
				(unsigned long long)h->dirty_bits,
				(unsigned long long)l.bm_bits);
	/* what a block device can have: a power of two, 512 B to 64 KiB */
	if (h->lbs < 512 || h->lbs > 65536 || (h->lbs & (h->lbs - 1)))
		return WIRE_ERR("peer logical block size %u invalid", h->lbs);
	return 0;
}

void liscal_wire_encode_state(const struct liscal_wire_state *s,
			      struct liscal_wire_state_disk *out)
{
	memset(out, 0, sizeof(*out));
	out->role = cpu_to_be32(s->role);
	out->disk_state = cpu_to_be32(s->disk_state);
	out->sb_flags = cpu_to_be32(s->sb_flags);
	out->gen_current = cpu_to_be64(s->gen_current);
}

int liscal_wire_decode_state(const struct liscal_wire_state_disk *in,
			     struct liscal_wire_state *s, char *err,
			     size_t errlen)
{
	s->role = be32_to_cpu(in->role);
	s->disk_state = be32_to_cpu(in->disk_state);
	s->sb_flags = be32_to_cpu(in->sb_flags);
	s->gen_current = be64_to_cpu(in->gen_current);
	if (s->role < 1 || s->role > 2 || s->disk_state > 4 ||
	    (s->sb_flags & ~LISCAL_SB_F_ALL))
		return WIRE_ERR("STATE with role %u, disk state %u, flags 0x%x",
				s->role, s->disk_state, s->sb_flags);
	return 0;
}

void liscal_wire_encode_sync(const struct liscal_wire_sync *s,
			     struct liscal_wire_sync_disk *out)
{
	out->gen = cpu_to_be64(s->gen);
	out->bytes = cpu_to_be64(s->bytes);
}

void liscal_wire_decode_sync(const struct liscal_wire_sync_disk *in,
			     struct liscal_wire_sync *s)
{
	s->gen = be64_to_cpu(in->gen);
	s->bytes = be64_to_cpu(in->bytes);
}

void liscal_wire_encode_force(const struct liscal_wire_force *f,
			      struct liscal_wire_force_disk *out)
{
	out->source_node = cpu_to_be32(f->source_node);
	out->flags = cpu_to_be32(f->flags);
}

int liscal_wire_decode_force(const struct liscal_wire_force_disk *in,
			     struct liscal_wire_force *f, char *err,
			     size_t errlen)
{
	f->source_node = be32_to_cpu(in->source_node);
	f->flags = be32_to_cpu(in->flags);
	if (f->source_node > 1 ||
	    (f->flags & ~(LISCAL_WF_FULL | LISCAL_WF_FORCE)))
		return WIRE_ERR("FORCE with source node %u, flags 0x%x",
				f->source_node, f->flags);
	return 0;
}

void liscal_wire_encode_auth(const struct liscal_wire_auth *a,
			     struct liscal_wire_auth_disk *out)
{
	out->proto = cpu_to_be32(a->proto);
	out->mode = cpu_to_be32(a->mode);
	memcpy(out->nonce, a->nonce, sizeof(out->nonce));
	memcpy(out->mac, a->mac, sizeof(out->mac));
}

static bool liscal_wire_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int liscal_wire_decode_auth(const struct liscal_wire_auth_disk *in,
			    struct liscal_wire_auth *a, bool proof, char *err,
			    size_t errlen)
{
	if (errlen)
		err[0] = 0;
	a->proto = be32_to_cpu(in->proto);
	a->mode = be32_to_cpu(in->mode);
	memcpy(a->nonce, in->nonce, sizeof(a->nonce));
	memcpy(a->mac, in->mac, sizeof(a->mac));
	if (a->proto != LISCAL_WIRE_PROTO)
		return WIRE_ERR("peer speaks protocol %u, this side %u",
				a->proto, LISCAL_WIRE_PROTO);
	if (a->mode > LISCAL_AUTH_CRYPT)
		return WIRE_ERR("AUTH with unknown mode %u", a->mode);
	if (proof ? !liscal_wire_zero(a->nonce, sizeof(a->nonce)) :
		    !liscal_wire_zero(a->mac, sizeof(a->mac)))
		return WIRE_ERR("AUTH %s with a %s", proof ? "proof" : "challenge",
				proof ? "nonce" : "MAC");
	/* a proof only follows a challenge that asked for one */
	if (proof && a->mode == LISCAL_AUTH_NONE)
		return WIRE_ERR("AUTH proof without a key");
	return 0;
}

void liscal_wire_auth_msg(u8 out[LISCAL_WIRE_AUTH_MSG_LEN], const char *label,
			  u32 node, u32 mode, const u8 *nonce0,
			  const u8 *nonce1)
{
	size_t n = strlen(label);
	__be32 v;

	memset(out, 0, 16);
	memcpy(out, label, n < 16 ? n : 16);
	v = cpu_to_be32(node);
	memcpy(out + 16, &v, 4);
	v = cpu_to_be32(mode);
	memcpy(out + 20, &v, 4);
	memcpy(out + 24, nonce0, LISCAL_WIRE_NONCE_LEN);
	memcpy(out + 24 + LISCAL_WIRE_NONCE_LEN, nonce1, LISCAL_WIRE_NONCE_LEN);
}

void liscal_wire_encode_rec(u32 len, u8 out[LISCAL_WIRE_REC_HDR])
{
	__be32 v = cpu_to_be32(LISCAL_WIRE_REC_MAGIC);

	memcpy(out, &v, 4);
	v = cpu_to_be32(len);
	memcpy(out + 4, &v, 4);
}

int liscal_wire_decode_rec(const u8 in[LISCAL_WIRE_REC_HDR], u32 *len,
			   char *err, size_t errlen)
{
	__be32 v;

	if (errlen)
		err[0] = 0;
	memcpy(&v, in, 4);
	if (be32_to_cpu(v) != LISCAL_WIRE_REC_MAGIC)
		return WIRE_ERR("bad record magic 0x%08x (the peer does not encrypt?)",
				be32_to_cpu(v));
	memcpy(&v, in + 4, 4);
	*len = be32_to_cpu(v);
	if (*len <= LISCAL_WIRE_TAG_LEN ||
	    *len > LISCAL_WIRE_REC_MAX + LISCAL_WIRE_TAG_LEN)
		return WIRE_ERR("record of %u bytes", *len);
	return 0;
}
