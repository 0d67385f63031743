// SPDX-License-Identifier: GPL-2.0
/*
 * The cluster partition format code shared with the liscal driver
 * (common/liscal_meta.c, compiled into libclp; see common/liscal_meta.h
 * and common/clp_compat.h), wrapped for userland in plain C types.
 */
#include <stdio.h>

#include "liscal_meta.h"

#include "clp_md_meta.h"

_Static_assert(CLP_META_SB_SIZE == LISCAL_SB_SIZE, "superblock size");
_Static_assert(CLP_META_UUID_LEN == LISCAL_UUID_LEN, "uuid size");

int clp_meta_layout(uint64_t data_bytes, uint64_t cp_bytes, uint64_t *cp_needed)
{
	struct liscal_layout l = { 0 };
	int ret = liscal_meta_layout(data_bytes, cp_bytes, &l);

	*cp_needed = l.cp_needed;
	return ret;
}

int clp_meta_too_small(int err)
{
	return err == LISCAL_META_E_TOO_SMALL;
}

int clp_meta_build(void *block, const char *name, unsigned int node_id, uint64_t data_bytes,
		   uint64_t cp_bytes, const uint8_t uuid[CLP_META_UUID_LEN], uint64_t gen,
		   uint64_t now)
{
	struct liscal_sb sb;
	int ret;

	ret = liscal_meta_init(&sb, name, node_id, data_bytes, cp_bytes, uuid, gen, now, false);
	if (ret)
		return ret;
	liscal_meta_encode(&sb, block);
	return 0;
}

int clp_meta_check(const void *block, const char *name, int node_id, uint64_t data_bytes,
		   uint64_t cp_bytes, struct clp_meta_info *info, char *why, size_t whylen)
{
	struct liscal_meta_expect exp = { name, node_id, data_bytes, cp_bytes };
	struct liscal_layout l;
	struct liscal_sb sb;
	int ret;

	ret = liscal_meta_decode(block, &sb, &exp, why, whylen);
	if (ret)
		return ret;
	if (info) {
		memcpy(info->name, sb.name, sizeof(info->name));
		info->name[sizeof(info->name) - 1] = '\0';
		info->node_id = sb.node_id;
		info->bm_bits = sb.bm_bits;
		info->bm_shift = sb.bm_shift;
		info->cp_needed = liscal_meta_layout(sb.data_bytes, 0, &l) ? 0 : l.cp_needed;
	}
	return 0;
}

int clp_meta_edit(void *block, const char *name, int node_id, enum clp_meta_edit edit,
		  uint64_t gen, uint32_t *old_flags, uint32_t *new_flags, char *why, size_t whylen)
{
	struct liscal_meta_expect exp = { name, node_id, 0, 0 };
	struct liscal_sb sb;
	int ret;

	ret = liscal_meta_decode(block, &sb, &exp, why, whylen);
	if (ret)
		return ret;
	if (old_flags)
		*old_flags = sb.flags;
	switch (edit) {
	case CLP_META_BACKUP_ON:
		sb.flags |= LISCAL_SB_F_BACKUP;
		break;
	case CLP_META_BACKUP_OFF:
		sb.flags &= ~LISCAL_SB_F_BACKUP;
		break;
	case CLP_META_RESTORED:
		sb.flags &= ~(LISCAL_SB_F_BACKUP | LISCAL_SB_F_UPTODATE |
			      LISCAL_SB_F_PEER_OUTDATED | LISCAL_SB_F_SPLIT_BRAIN |
			      LISCAL_SB_F_WAS_ACTIVE | LISCAL_SB_F_FORCED);
		sb.flags |= LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC;
		break;
	case CLP_META_WRITTEN:
		if (!(sb.flags & LISCAL_SB_F_UPTODATE) ||
		    (sb.flags & (LISCAL_SB_F_BACKUP | LISCAL_SB_F_SPLIT_BRAIN))) {
			snprintf(why, whylen, "%s", sb.flags & LISCAL_SB_F_BACKUP ?
				 "it is in backup mode (clpbackup.sh --pre)" :
				 sb.flags & LISCAL_SB_F_SPLIT_BRAIN ?
				 "it is in a split brain with the other server's" :
				 "it is not current (the other server's holds the mirror's data)");
			return CLP_META_NOT_CURRENT;
		}
		if (!sb.gen_bitmap)
			sb.gen_bitmap = sb.gen_current;
		liscal_meta_new_gen(&sb, gen);
		sb.flags |= LISCAL_SB_F_PEER_OUTDATED | LISCAL_SB_F_FULL_SYNC;
		break;
	}
	sb.seq++;
	if (new_flags)
		*new_flags = sb.flags;
	liscal_meta_encode(&sb, block);
	return 0;
}

int clp_meta_flags_backup(uint32_t flags)
{
	return !!(flags & LISCAL_SB_F_BACKUP);
}

int clp_meta_flags_fenced(uint32_t flags)
{
	return !!(flags & LISCAL_SB_F_FENCED);
}

const char *clp_meta_strerror(int err)
{
	return liscal_meta_strerror(err);
}
