// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of clproset -w's superblock edit (CLP_META_WRITTEN,
 * userland/lib/clp_md_meta.c) against the driver's own generation rules
 * (common/liscal_meta.c, liscal_gen_decide): a copy written outside the
 * mirror is the source of a full copy when it meets the other one, two of
 * them meet in a split brain, and a copy that is not current is refused
 * unchanged. TAP, one line per check.
 */
#include <stdio.h>
#include <string.h>

#include "liscal_meta.h"

#include "clp_md_meta.h"

static int n, fails;

static void check(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++n, what);
	fails += !ok;
}

/* A current copy (gen 100) of md01 on node @node into @blk. */
static void current(struct liscal_sb_disk *blk, unsigned int node, u32 extra)
{
	static const uint8_t uuid[CLP_META_UUID_LEN] = { 1 };
	struct liscal_sb sb;

	clp_meta_build(blk, "md01", node, 64ULL << 20, 64ULL << 20, uuid, 100, 1);
	liscal_meta_decode(blk, &sb, NULL, NULL, 0);
	sb.flags = LISCAL_SB_F_INITIALISED | LISCAL_SB_F_UPTODATE | extra;
	sb.gen_current = 100;
	sb.gen_history[0] = 50;
	sb.gen_bitmap = 0;
	liscal_meta_encode(&sb, blk);
}

static void view(const struct liscal_sb_disk *blk, struct liscal_gen_view *v)
{
	struct liscal_sb sb;

	liscal_meta_decode(blk, &sb, NULL, NULL, 0);
	memset(v, 0, sizeof(*v));
	v->node_id = sb.node_id;
	v->flags = sb.flags;
	v->gen_current = sb.gen_current;
	v->gen_bitmap = sb.gen_bitmap;
	v->gen_history[0] = sb.gen_history[0];
	v->gen_history[1] = sb.gen_history[1];
}

int main(void)
{
	static struct liscal_sb_disk a, b, before;
	struct liscal_gen_view va, vb;
	struct liscal_sb sb;
	uint32_t oldf = 0, newf = 0;
	char why[256] = "";
	int r;

	printf("1..9\n");
	current(&a, 0, 0);
	current(&b, 1, 0);
	r = clp_meta_edit(&a, "md01", 0, CLP_META_WRITTEN, 200, &oldf, &newf, why, sizeof(why));
	liscal_meta_decode(&a, &sb, NULL, NULL, 0);
	check(r == 0 && sb.gen_current == 200 && sb.gen_history[0] == 100 &&
	      sb.gen_bitmap == 100, "written: a new generation counting from the old one");
	check((newf & (LISCAL_SB_F_UPTODATE | LISCAL_SB_F_PEER_OUTDATED | LISCAL_SB_F_FULL_SYNC)) ==
	      (LISCAL_SB_F_UPTODATE | LISCAL_SB_F_PEER_OUTDATED | LISCAL_SB_F_FULL_SYNC),
	      "written: current, the other copy outdated, a full copy pending");
	view(&a, &va);
	view(&b, &vb);
	check(liscal_gen_decide(&va, &vb) == LISCAL_DEC_L_SRC_FULL,
	      "the written copy meets the other: it is the source of a full copy");
	check(liscal_gen_decide(&vb, &va) == LISCAL_DEC_P_SRC_FULL,
	      "seen from the other server: the peer is the source of a full copy");
	r = clp_meta_edit(&b, "md01", 1, CLP_META_WRITTEN, 300, NULL, NULL, why, sizeof(why));
	view(&b, &vb);
	check(r == 0 && liscal_gen_decide(&va, &vb) == LISCAL_DEC_SPLIT_BRAIN,
	      "both copies written outside the mirror: split brain");

	/* not current: refused, nothing changed */
	current(&b, 1, 0);
	liscal_meta_decode(&b, &sb, NULL, NULL, 0);
	sb.flags = LISCAL_SB_F_INITIALISED;
	liscal_meta_encode(&sb, &b);
	before = b;
	r = clp_meta_edit(&b, "md01", 1, CLP_META_WRITTEN, 400, NULL, NULL, why, sizeof(why));
	check(r == CLP_META_NOT_CURRENT && strstr(why, "not current") &&
	      !memcmp(&b, &before, sizeof(b)), "an outdated copy: refused, unchanged");
	current(&b, 1, LISCAL_SB_F_BACKUP);
	before = b;
	r = clp_meta_edit(&b, "md01", 1, CLP_META_WRITTEN, 400, NULL, NULL, why, sizeof(why));
	check(r == CLP_META_NOT_CURRENT && strstr(why, "backup mode") &&
	      !memcmp(&b, &before, sizeof(b)), "a copy in backup mode: refused, unchanged");
	current(&b, 1, LISCAL_SB_F_SPLIT_BRAIN);
	r = clp_meta_edit(&b, "md01", 1, CLP_META_WRITTEN, 400, NULL, NULL, why, sizeof(why));
	check(r == CLP_META_NOT_CURRENT && strstr(why, "split brain"),
	      "a copy in a split brain: refused");
	/* the other server's partition: a format refusal, not this one */
	current(&b, 1, 0);
	r = clp_meta_edit(&b, "md01", 0, CLP_META_WRITTEN, 400, NULL, NULL, why, sizeof(why));
	check(r == LISCAL_META_E_NODE, "the other node's cluster partition: refused as such");
	return fails ? 1 : 0;
}
