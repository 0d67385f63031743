// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry for the connection handshake's decision
 * (common/liscal_wire.c, liscal_meta.c): each side decodes the other's
 * HELLO and decides from its own superblock and the peer's generations
 * (liscal_gen_decide(), as liscal_conn.c builds the views). Both sides
 * decide on their own, so the two decisions must name the same source:
 * a disagreement makes both copies sources (each overwrites the other) or
 * both targets.
 *
 * Input: two HELLO payloads (zero padded), node A's then node B's. A side
 * takes part only as a superblock that passes liscal_meta_decode() can
 * describe it (initialised, a current generation, not both up to date
 * and inconsistent) and with the other node id, the same resource,
 * size and logical block size, as liscal_conn.c checks. Anything else is
 * refused before the decision, as on the wire.
 */
#include <stdlib.h>
#include <string.h>

#include "liscal_meta.h"
#include "liscal_wire.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static bool side(const u8 *d, size_t n, struct liscal_wire_hello *h,
		 struct liscal_gen_view *v)
{
	struct liscal_wire_hello_disk hd;
	char err[128];

	memset(&hd, 0, sizeof(hd));
	memcpy(&hd, d, n < sizeof(hd) ? n : sizeof(hd));
	if (liscal_wire_decode_hello(&hd, h, err, sizeof(err))) {
		if (!err[0])
			abort();
		return false;
	}
	if (!(h->sb_flags & LISCAL_SB_F_INITIALISED) || !h->gen_current ||
	    ((h->sb_flags & LISCAL_SB_F_UPTODATE) &&
	     (h->sb_flags & LISCAL_SB_F_INCONSISTENT)))
		return false;
	v->node_id = h->node_id;
	v->flags = h->sb_flags;
	v->gen_current = h->gen_current;
	v->gen_bitmap = h->gen_bitmap;
	v->gen_history[0] = h->gen_history[0];
	v->gen_history[1] = h->gen_history[1];
	v->dirty_bits = h->dirty_bits;
	return true;
}

/* The decision as the other side names it. */
static enum liscal_decision mirror(enum liscal_decision d)
{
	switch (d) {
	case LISCAL_DEC_L_SRC:
		return LISCAL_DEC_P_SRC;
	case LISCAL_DEC_L_SRC_FULL:
		return LISCAL_DEC_P_SRC_FULL;
	case LISCAL_DEC_P_SRC:
		return LISCAL_DEC_L_SRC;
	case LISCAL_DEC_P_SRC_FULL:
		return LISCAL_DEC_L_SRC_FULL;
	default:
		return d;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	const size_t hl = sizeof(struct liscal_wire_hello_disk);
	struct liscal_wire_hello ha, hb;
	struct liscal_gen_view a, b;
	enum liscal_decision da, db;
	size_t na = size < hl ? size : hl;

	if (!side(data, na, &ha, &a) || !side(data + na, size - na, &hb, &b))
		return 0;
	if (ha.node_id == hb.node_id || strcmp(ha.name, hb.name) ||
	    ha.data_bytes != hb.data_bytes || ha.lbs != hb.lbs)
		return 0;
	da = liscal_gen_decide(&a, &b);
	db = liscal_gen_decide(&b, &a);
	if (!strcmp(liscal_decision_name(da), "?") || db != mirror(da))
		abort();
	return 0;
}
