// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_meta.c - cluster partition superblock: layout, init, encode,
 * decode and validation. Compiled into the kernel module and into userland
 * (clpmdinit, host unit tests); see liscal_meta.h for the format.
 */
#include "liscal_meta.h"

bool liscal_name_valid(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return false;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= LISCAL_NAME_LEN - 1)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int liscal_meta_layout(u64 data_bytes, u64 cp_bytes, struct liscal_layout *l)
{
	u32 shift = LISCAL_BM_MIN_SHIFT;
	u64 bits;

	if (!data_bytes || (data_bytes & 511))
		return LISCAL_META_E_LAYOUT;
	for (;;) {
		/* rounded up without overflow near 2^64 */
		bits = (data_bytes >> shift) +
		       !!(data_bytes & ((1ULL << shift) - 1));
		if (bits <= LISCAL_BM_MAX_BITS)
			break;
		shift++;
		if (shift > LISCAL_BM_MAX_SHIFT)
			return LISCAL_META_E_LAYOUT;
	}
	l->bm_shift = shift;
	l->bm_offset = LISCAL_BM_OFFSET;
	l->bm_bits = bits;
	l->bm_bytes = ((bits + 7) / 8 + LISCAL_BM_BLOCK - 1) /
		      LISCAL_BM_BLOCK * LISCAL_BM_BLOCK;
	l->cp_needed = l->bm_offset + l->bm_bytes;
	if (cp_bytes && cp_bytes < l->cp_needed)
		return LISCAL_META_E_TOO_SMALL;
	return LISCAL_META_OK;
}

int liscal_meta_init(struct liscal_sb *sb, const char *name, u32 node_id,
		     u64 data_bytes, u64 cp_bytes, const u8 uuid[LISCAL_UUID_LEN],
		     u64 gen, u64 now, bool uptodate)
{
	struct liscal_layout l;
	int ret;

	if (!liscal_name_valid(name))
		return LISCAL_META_E_NAME;
	if (node_id > 1)
		return LISCAL_META_E_NODE;
	ret = liscal_meta_layout(data_bytes, cp_bytes, &l);
	if (ret)
		return ret;
	memset(sb, 0, sizeof(*sb));
	strncpy(sb->name, name, LISCAL_NAME_LEN - 1);
	memcpy(sb->uuid, uuid, LISCAL_UUID_LEN);
	sb->node_id = node_id;
	sb->flags = LISCAL_SB_F_INITIALISED;
	if (uptodate)
		sb->flags |= LISCAL_SB_F_UPTODATE;
	else
		sb->flags |= LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC;
	sb->data_bytes = data_bytes;
	sb->cp_bytes = cp_bytes;
	sb->bm_shift = l.bm_shift;
	sb->bm_offset = l.bm_offset;
	sb->bm_bits = l.bm_bits;
	sb->bm_bytes = l.bm_bytes;
	sb->gen_current = gen ? gen : 1;
	sb->create_time = now;
	sb->last_update = uptodate ? now : 0;
	sb->version = liscal_meta_version(sb->flags);
	return LISCAL_META_OK;
}

void liscal_meta_new_gen(struct liscal_sb *sb, u64 gen)
{
	sb->gen_history[1] = sb->gen_history[0];
	sb->gen_history[0] = sb->gen_current;
	sb->gen_current = gen ? gen : 1;
}

void liscal_meta_encode(const struct liscal_sb *sb, struct liscal_sb_disk *out)
{
	BUILD_BUG_ON(sizeof(struct liscal_sb_disk) != LISCAL_SB_SIZE);

	memset(out, 0, sizeof(*out));
	out->magic = cpu_to_le32(LISCAL_SB_MAGIC);
	out->version = cpu_to_le32(liscal_meta_version(sb->flags));
	out->sb_size = cpu_to_le32(LISCAL_SB_SIZE);
	memcpy(out->name, sb->name, LISCAL_NAME_LEN);
	out->name[LISCAL_NAME_LEN - 1] = 0;
	memcpy(out->uuid, sb->uuid, LISCAL_UUID_LEN);
	out->node_id = cpu_to_le32(sb->node_id);
	out->flags = cpu_to_le32(sb->flags);
	out->data_bytes = cpu_to_le64(sb->data_bytes);
	out->cp_bytes = cpu_to_le64(sb->cp_bytes);
	out->bm_shift = cpu_to_le32(sb->bm_shift);
	out->bm_offset = cpu_to_le64(sb->bm_offset);
	out->bm_bits = cpu_to_le64(sb->bm_bits);
	out->bm_bytes = cpu_to_le64(sb->bm_bytes);
	out->gen_current = cpu_to_le64(sb->gen_current);
	out->gen_bitmap = cpu_to_le64(sb->gen_bitmap);
	out->gen_history[0] = cpu_to_le64(sb->gen_history[0]);
	out->gen_history[1] = cpu_to_le64(sb->gen_history[1]);
	out->create_time = cpu_to_le64(sb->create_time);
	out->last_update = cpu_to_le64(sb->last_update);
	out->break_time = cpu_to_le64(sb->break_time);
	out->seq = cpu_to_le64(sb->seq);
	out->checksum = cpu_to_le32(clp_crc32c(out, sizeof(*out)));
}

static const char * const liscal_meta_errs[] = {
	"ok",
	"bad magic",
	"unsupported version",
	"checksum mismatch",
	"inconsistent layout",
	"foreign resource",
	"wrong node",
	"data partition size differs",
	"cluster partition too small",
	"invalid flags",
	"not initialised",
	"invalid resource name",
};

const char *liscal_meta_strerror(int err)
{
	if (err > 0 || -err >= (int)ARRAY_SIZE(liscal_meta_errs))
		return "unknown error";
	return liscal_meta_errs[-err];
}

#define META_ERR(code, fmt, ...) ({				\
	int __c = (code);					\
	if (errlen)						\
		snprintf(err, errlen, "%s: " fmt,		\
			 liscal_meta_strerror(__c), ##__VA_ARGS__); \
	__c;							\
})

/*
 * Online growth (guide 2.23.1): the new size must be larger, a multiple of
 * 4 KiB, and its layout (liscal_meta_layout(), from the size only, so both
 * servers compute the same) must fit in the cluster partition.
 */
int liscal_meta_grow(struct liscal_sb *sb, u64 new_bytes, u64 cp_bytes,
		     char *err, size_t errlen)
{
	struct liscal_layout l;
	int ret;

	if (new_bytes & 4095)
		return META_ERR(LISCAL_META_E_LAYOUT,
				"new size %llu bytes is not a multiple of 4096",
				(unsigned long long)new_bytes);
	if (new_bytes <= sb->data_bytes)
		return META_ERR(LISCAL_META_E_SIZE,
				"new size %llu bytes is not larger than the current %llu bytes (online resize only grows; shrinking is procedure 2.23.2)",
				(unsigned long long)new_bytes,
				(unsigned long long)sb->data_bytes);
	ret = liscal_meta_layout(new_bytes, cp_bytes, &l);
	if (ret == LISCAL_META_E_TOO_SMALL)
		return META_ERR(ret,
				"the cluster partition (%llu bytes) cannot hold the bitmap of %llu bytes of data: it needs %llu bytes",
				(unsigned long long)cp_bytes,
				(unsigned long long)new_bytes,
				(unsigned long long)l.cp_needed);
	if (ret)
		return META_ERR(ret, "no bitmap layout for %llu bytes of data",
				(unsigned long long)new_bytes);
	sb->data_bytes = new_bytes;
	sb->bm_shift = l.bm_shift;
	sb->bm_bits = l.bm_bits;
	sb->bm_bytes = l.bm_bytes;
	return LISCAL_META_OK;
}

/* Format checks that need no expectation. */
static int liscal_meta_check_format(const struct liscal_sb_disk *in,
				    char *err, size_t errlen)
{
	static const u8 zero[4];
	u32 stored, computed;
	size_t off = offsetof(struct liscal_sb_disk, checksum);

	if (le32_to_cpu(in->magic) != LISCAL_SB_MAGIC)
		return META_ERR(LISCAL_META_E_MAGIC,
				"found 0x%08x, expected 0x%08x (not a liscal cluster partition, or never initialised: run clpmdinit)",
				le32_to_cpu(in->magic), LISCAL_SB_MAGIC);
	if (le32_to_cpu(in->version) < LISCAL_SB_VERSION_MIN ||
	    le32_to_cpu(in->version) > LISCAL_SB_VERSION)
		return META_ERR(LISCAL_META_E_VERSION,
				"format version %u, this driver knows %u to %u",
				le32_to_cpu(in->version), LISCAL_SB_VERSION_MIN,
				LISCAL_SB_VERSION);
	if (le32_to_cpu(in->sb_size) != LISCAL_SB_SIZE)
		return META_ERR(LISCAL_META_E_LAYOUT,
				"superblock size %u, expected %u",
				le32_to_cpu(in->sb_size), LISCAL_SB_SIZE);
	stored = le32_to_cpu(in->checksum);
	computed = clp_crc32c_raw(~0U, in, off);
	computed = clp_crc32c_raw(computed, zero, sizeof(zero));
	computed = ~clp_crc32c_raw(computed, (const u8 *)in + off + 4,
				   sizeof(*in) - off - 4);
	if (stored != computed)
		return META_ERR(LISCAL_META_E_CSUM,
				"stored 0x%08x, computed 0x%08x (superblock corrupt)",
				stored, computed);
	return LISCAL_META_OK;
}

static void liscal_meta_unpack(const struct liscal_sb_disk *in,
			       struct liscal_sb *sb)
{
	memset(sb, 0, sizeof(*sb));
	sb->version = le32_to_cpu(in->version);
	memcpy(sb->name, in->name, LISCAL_NAME_LEN);
	sb->name[LISCAL_NAME_LEN - 1] = 0;
	memcpy(sb->uuid, in->uuid, LISCAL_UUID_LEN);
	sb->node_id = le32_to_cpu(in->node_id);
	sb->flags = le32_to_cpu(in->flags);
	sb->data_bytes = le64_to_cpu(in->data_bytes);
	sb->cp_bytes = le64_to_cpu(in->cp_bytes);
	sb->bm_shift = le32_to_cpu(in->bm_shift);
	sb->bm_offset = le64_to_cpu(in->bm_offset);
	sb->bm_bits = le64_to_cpu(in->bm_bits);
	sb->bm_bytes = le64_to_cpu(in->bm_bytes);
	sb->gen_current = le64_to_cpu(in->gen_current);
	sb->gen_bitmap = le64_to_cpu(in->gen_bitmap);
	sb->gen_history[0] = le64_to_cpu(in->gen_history[0]);
	sb->gen_history[1] = le64_to_cpu(in->gen_history[1]);
	sb->create_time = le64_to_cpu(in->create_time);
	sb->last_update = le64_to_cpu(in->last_update);
	sb->break_time = le64_to_cpu(in->break_time);
	sb->seq = le64_to_cpu(in->seq);
}

/* Internal consistency of a decoded superblock. */
static int liscal_meta_check_fields(const struct liscal_sb *sb,
				    char *err, size_t errlen)
{
	struct liscal_layout l;

	if (!liscal_name_valid(sb->name))
		return META_ERR(LISCAL_META_E_NAME,
				"stored resource name is not 1-15 characters of [A-Za-z0-9_-]");
	if (sb->node_id > 1)
		return META_ERR(LISCAL_META_E_NODE, "stored node id %u (0 or 1)",
				sb->node_id);
	if (sb->flags & ~LISCAL_SB_F_ALL)
		return META_ERR(LISCAL_META_E_FLAGS, "unknown flags 0x%x",
				sb->flags & ~LISCAL_SB_F_ALL);
	if (sb->version < 2 && (sb->flags & ~LISCAL_SB_F_ALL_V1))
		return META_ERR(LISCAL_META_E_FLAGS,
				"flags 0x%x need format version 2, the superblock says %u",
				sb->flags & ~LISCAL_SB_F_ALL_V1, sb->version);
	if (sb->version < 3 && (sb->flags & ~LISCAL_SB_F_ALL_V2))
		return META_ERR(LISCAL_META_E_FLAGS,
				"flags 0x%x need format version 3, the superblock says %u",
				sb->flags & ~LISCAL_SB_F_ALL_V2, sb->version);
	if (!(sb->flags & LISCAL_SB_F_INITIALISED))
		return META_ERR(LISCAL_META_E_NOT_INIT,
				"initialisation did not complete: run clpmdinit");
	if ((sb->flags & LISCAL_SB_F_UPTODATE) &&
	    (sb->flags & LISCAL_SB_F_INCONSISTENT))
		return META_ERR(LISCAL_META_E_FLAGS,
				"both uptodate and inconsistent");
	if ((sb->flags & LISCAL_SB_F_UPTODATE) &&
	    (sb->flags & LISCAL_SB_F_FAILED))
		return META_ERR(LISCAL_META_E_FLAGS, "both uptodate and failed");
	if ((sb->flags & LISCAL_SB_F_UPTODATE) &&
	    (sb->flags & LISCAL_SB_F_FENCED))
		return META_ERR(LISCAL_META_E_FLAGS, "both uptodate and fenced");
	if (!sb->gen_current)
		return META_ERR(LISCAL_META_E_LAYOUT, "current generation is 0");
	if (liscal_meta_layout(sb->data_bytes, 0, &l) ||
	    l.bm_shift != sb->bm_shift || l.bm_offset != sb->bm_offset ||
	    l.bm_bits != sb->bm_bits || l.bm_bytes != sb->bm_bytes)
		return META_ERR(LISCAL_META_E_LAYOUT,
				"bitmap geometry (shift %u, offset %llu, %llu bits, %llu bytes) does not match data size %llu",
				sb->bm_shift, (unsigned long long)sb->bm_offset,
				(unsigned long long)sb->bm_bits,
				(unsigned long long)sb->bm_bytes,
				(unsigned long long)sb->data_bytes);
	return LISCAL_META_OK;
}

int liscal_meta_decode(const struct liscal_sb_disk *in, struct liscal_sb *sb,
		       const struct liscal_meta_expect *exp,
		       char *err, size_t errlen)
{
	int ret;

	if (errlen)
		err[0] = 0;
	ret = liscal_meta_check_format(in, err, errlen);
	if (ret)
		return ret;
	liscal_meta_unpack(in, sb);
	ret = liscal_meta_check_fields(sb, err, errlen);
	if (ret)
		return ret;
	if (!exp)
		return LISCAL_META_OK;
	if (exp->name && strncmp(exp->name, sb->name, LISCAL_NAME_LEN))
		return META_ERR(LISCAL_META_E_FOREIGN,
				"cluster partition belongs to resource '%s', not '%s'",
				sb->name, exp->name);
	if (exp->node_id >= 0 && (u32)exp->node_id != sb->node_id)
		return META_ERR(LISCAL_META_E_NODE,
				"cluster partition was initialised for node id %u, this is node id %d",
				sb->node_id, exp->node_id);
	/* a larger data partition was extended for an online resize */
	if (exp->data_bytes && exp->data_bytes < sb->data_bytes)
		return META_ERR(LISCAL_META_E_SIZE,
				"cluster partition describes %llu bytes, the data partition has only %llu",
				(unsigned long long)sb->data_bytes,
				(unsigned long long)exp->data_bytes);
	if (exp->cp_bytes && exp->cp_bytes < sb->bm_offset + sb->bm_bytes)
		return META_ERR(LISCAL_META_E_TOO_SMALL,
				"needs %llu bytes for the bitmap, the partition has %llu",
				(unsigned long long)(sb->bm_offset + sb->bm_bytes),
				(unsigned long long)exp->cp_bytes);
	return LISCAL_META_OK;
}

static const char * const liscal_dec_names[] = {
	[LISCAL_DEC_IN_SYNC] = "in sync",
	[LISCAL_DEC_L_SRC] = "local is source (differential)",
	[LISCAL_DEC_L_SRC_FULL] = "local is source (full)",
	[LISCAL_DEC_P_SRC] = "peer is source (differential)",
	[LISCAL_DEC_P_SRC_FULL] = "peer is source (full)",
	[LISCAL_DEC_SPLIT_BRAIN] = "split brain",
	[LISCAL_DEC_NO_DATA] = "no current data on either side",
};

const char *liscal_decision_name(enum liscal_decision d)
{
	if ((unsigned int)d >= ARRAY_SIZE(liscal_dec_names))
		return "?";
	return liscal_dec_names[d];
}

/* Can a differential copy from @s to @t be trusted? */
static bool liscal_diff_ok(const struct liscal_gen_view *s,
			   const struct liscal_gen_view *t)
{
	if ((s->flags | t->flags) & LISCAL_SB_F_FULL_SYNC)
		return false;
	if (s->gen_current == t->gen_current)
		return true;
	if (s->gen_bitmap && (s->gen_bitmap == t->gen_current ||
			      s->gen_bitmap == t->gen_bitmap))
		return true;
	if (t->gen_bitmap && t->gen_bitmap == s->gen_current)
		return true;
	return false;
}

static enum liscal_decision liscal_src(const struct liscal_gen_view *l,
				       const struct liscal_gen_view *p,
				       bool local)
{
	const struct liscal_gen_view *s = local ? l : p, *t = local ? p : l;
	bool diff = liscal_diff_ok(s, t);

	if (local)
		return diff ? LISCAL_DEC_L_SRC : LISCAL_DEC_L_SRC_FULL;
	return diff ? LISCAL_DEC_P_SRC : LISCAL_DEC_P_SRC_FULL;
}

static bool liscal_in_history(const struct liscal_gen_view *v, u64 gen)
{
	return gen && (v->gen_history[0] == gen || v->gen_history[1] == gen);
}

enum liscal_decision liscal_gen_decide(const struct liscal_gen_view *l,
				       const struct liscal_gen_view *p)
{
	bool lf = l->flags & LISCAL_SB_F_FORCED;
	bool pf = p->flags & LISCAL_SB_F_FORCED;
	bool li = l->flags & LISCAL_SB_F_INCONSISTENT;
	bool pi = p->flags & LISCAL_SB_F_INCONSISTENT;
	bool lon, pon;

	/* 1. A copy chosen by force wins, unless both were forced. */
	if (lf && pf)
		return LISCAL_DEC_SPLIT_BRAIN;
	if (lf || pf)
		return liscal_src(l, p, lf);
	/* 2. An inconsistent copy is never a source. */
	if (li && pi)
		return LISCAL_DEC_NO_DATA;
	if (li || pi)
		return liscal_src(l, p, pi);
	/* 3. Same generation: crash leftovers only (write-intent bits). */
	if (l->gen_current == p->gen_current) {
		bool la = l->flags & LISCAL_SB_F_WAS_ACTIVE;
		bool pa = p->flags & LISCAL_SB_F_WAS_ACTIVE;
		bool lu = l->flags & LISCAL_SB_F_UPTODATE;
		bool pu = p->flags & LISCAL_SB_F_UPTODATE;

		if (!l->dirty_bits && !p->dirty_bits && lu == pu)
			return LISCAL_DEC_IN_SYNC;
		if (la != pa)
			return la ? LISCAL_DEC_L_SRC : LISCAL_DEC_P_SRC;
		if (lu != pu)
			return lu ? LISCAL_DEC_L_SRC : LISCAL_DEC_P_SRC;
		return l->node_id < p->node_id ? LISCAL_DEC_L_SRC :
						 LISCAL_DEC_P_SRC;
	}
	/*
	 * 4. One side went on from where the other stopped. Each from the
	 * other's is no history two copies can have (corrupt or lying): each
	 * side alone would take the source's part, so split brain.
	 */
	lon = l->gen_bitmap && l->gen_bitmap == p->gen_current;
	pon = p->gen_bitmap && p->gen_bitmap == l->gen_current;
	if (lon && pon)
		return LISCAL_DEC_SPLIT_BRAIN;
	if (lon || pon)
		return liscal_src(l, p, lon);
	/* 5. Both went on from the same point: split brain. */
	if (l->gen_bitmap && l->gen_bitmap == p->gen_bitmap)
		return LISCAL_DEC_SPLIT_BRAIN;
	/* 6. Older relations: full copy from the newer (not both: as in 4). */
	lon = liscal_in_history(l, p->gen_current);
	pon = liscal_in_history(p, l->gen_current);
	if (lon != pon)
		return lon ? LISCAL_DEC_L_SRC_FULL : LISCAL_DEC_P_SRC_FULL;
	return LISCAL_DEC_SPLIT_BRAIN;
}
