/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liscal_meta.h - on-disk format of the cluster partition.
 *
 * Shared by the kernel module and userland (clpmdinit, clpmdstat, host
 * unit tests): no kernel-only or libc-only calls; see clp_compat.h.
 * Documentation/on-disk-format.md describes the layout in prose.
 *
 * Layout of a cluster partition (all offsets in bytes):
 *   0                  superblock, 4096 bytes, struct liscal_sb_disk
 *   4096 .. 65535      reserved (zero)
 *   LISCAL_BM_OFFSET   dirty bitmap: bm_bytes bytes (a multiple of 4096),
 *                      little-endian 64-bit words, bit b of the bitmap is
 *                      bit (b % 64) of word (b / 64); bit b covers data
 *                      bytes [b << bm_shift, (b + 1) << bm_shift).
 * The rest of the partition is unused.
 */
#ifndef _LISCAL_META_H
#define _LISCAL_META_H

#include "clp_compat.h"

#define LISCAL_SB_MAGIC		0x4c534350U	/* "LSCP" */
/*
 * Format versions. Version 2 is version 1 plus the FAILED flag; the
 * version written is the oldest one that can read the superblock
 * (liscal_meta_version()): 1 unless FAILED is set, so that a driver that
 * knows only version 1 still reads every superblock without it, and
 * refuses (unsupported version) a copy whose disk failed instead of
 * taking it for current. Version 3 adds the FENCED flag the same way: a
 * driver that knows only up to version 2 refuses a copy that was fenced
 * (the active went on without it) instead of taking it for current.
 * Readers accept LISCAL_SB_VERSION_MIN to LISCAL_SB_VERSION.
 */
#define LISCAL_SB_VERSION_MIN	1
#define LISCAL_SB_VERSION	3
#define LISCAL_SB_SIZE		4096
#define LISCAL_BM_OFFSET	65536ULL
#define LISCAL_BM_BLOCK		4096		/* bitmap I/O unit, bytes */
#define LISCAL_BM_MIN_SHIFT	16		/* 64 KiB per bit at least */
#define LISCAL_BM_MAX_SHIFT	30		/* 1 GiB per bit at most */
#define LISCAL_BM_MAX_BITS	BIT_ULL(25)	/* bitmap at most 4 MiB */
#define LISCAL_NAME_LEN		16		/* with the NUL */
#define LISCAL_UUID_LEN		16

/* Superblock flags (sb->flags). */
#define LISCAL_SB_F_INITIALISED		BIT(0) /* clpmdinit completed */
#define LISCAL_SB_F_BACKUP		BIT(1) /* backup mode (guide 2.19) */
#define LISCAL_SB_F_UPTODATE		BIT(2) /* this copy is current */
#define LISCAL_SB_F_PEER_OUTDATED	BIT(3) /* peer missed writes */
#define LISCAL_SB_F_INCONSISTENT	BIT(4) /* recovery target, unusable */
#define LISCAL_SB_F_SPLIT_BRAIN		BIT(5) /* unresolved split brain */
#define LISCAL_SB_F_WAS_ACTIVE		BIT(6) /* active, not cleanly stopped */
#define LISCAL_SB_F_FORCED		BIT(7) /* chosen source by force */
#define LISCAL_SB_F_FULL_SYNC		BIT(8) /* next recovery copies all */
#define LISCAL_SB_F_FAILED		BIT(9) /* disk failed: never current (v2) */
/*
 * The active went on writing without this copy, by its own request (the
 * peer's daemon asked it to confirm it outdated, LISCAL_CMD_OUTDATE): it
 * lacks acknowledged writes and a failover never makes it current by
 * itself. Cleared when it is current again (v3).
 */
#define LISCAL_SB_F_FENCED		BIT(10)
#define LISCAL_SB_F_ALL			0x7ffU
#define LISCAL_SB_F_ALL_V2		0x3ffU
#define LISCAL_SB_F_ALL_V1		0x1ffU

/*
 * The superblock. Every field little-endian. The checksum is CRC32C of the
 * whole 4096-byte block with the checksum field set to zero.
 *
 * Generations (random 64-bit identifiers, never 0 once initialised):
 *   gen_current  identifies the data on this copy; a new one is drawn when
 *                this copy starts to diverge from the peer's (written while
 *                disconnected, or made current by force).
 *   gen_bitmap   the gen_current both copies shared when the bitmap began
 *                recording differences (0 when there are none to record).
 *   gen_history  the two previous gen_current values, newest first.
 */
struct liscal_sb_disk {
	__le32 magic;
	__le32 version;
	__le32 sb_size;			/* LISCAL_SB_SIZE */
	__le32 checksum;
	char name[LISCAL_NAME_LEN];	/* resource name, NUL padded */
	u8 uuid[LISCAL_UUID_LEN];	/* this cluster partition's id */
	__le32 node_id;			/* 0 or 1 */
	__le32 flags;			/* LISCAL_SB_F_* */
	__le64 data_bytes;		/* mirrored size (data partition size) */
	__le64 cp_bytes;		/* cluster partition size at init */
	__le32 bm_shift;		/* log2(bytes per bit) */
	__le32 reserved0;
	__le64 bm_offset;		/* LISCAL_BM_OFFSET */
	__le64 bm_bits;
	__le64 bm_bytes;		/* multiple of LISCAL_BM_BLOCK */
	__le64 gen_current;
	__le64 gen_bitmap;
	__le64 gen_history[2];
	__le64 create_time;		/* unix seconds */
	__le64 last_update;		/* unix seconds, last known current */
	__le64 break_time;		/* unix seconds of the last break */
	__le64 seq;			/* incremented at every sb write */
	u8 pad[LISCAL_SB_SIZE - 168];
} __packed;

/* Superblock in CPU byte order. */
struct liscal_sb {
	u32 version;
	char name[LISCAL_NAME_LEN];
	u8 uuid[LISCAL_UUID_LEN];
	u32 node_id;
	u32 flags;
	u64 data_bytes;
	u64 cp_bytes;
	u32 bm_shift;
	u64 bm_offset;
	u64 bm_bits;
	u64 bm_bytes;
	u64 gen_current;
	u64 gen_bitmap;
	u64 gen_history[2];
	u64 create_time;
	u64 last_update;
	u64 break_time;
	u64 seq;
};

/* Where the bitmap lives, computed from the partition sizes only. */
struct liscal_layout {
	u32 bm_shift;
	u64 bm_offset;
	u64 bm_bits;
	u64 bm_bytes;
	u64 cp_needed;		/* minimum cluster partition size */
};

/* What the configuration expects of a cluster partition. */
struct liscal_meta_expect {
	const char *name;	/* NULL: any */
	int node_id;		/* -1: any */
	u64 data_bytes;		/* 0: any; else the data partition's size, */
				/* at least sb data_bytes */
	u64 cp_bytes;		/* 0: any; else layout must fit in it */
};

/* Results of liscal_meta_validate(), negative. */
enum liscal_meta_err {
	LISCAL_META_OK = 0,
	LISCAL_META_E_MAGIC = -1,	/* not a liscal cluster partition */
	LISCAL_META_E_VERSION = -2,	/* unknown format version */
	LISCAL_META_E_CSUM = -3,	/* checksum mismatch: corrupt */
	LISCAL_META_E_LAYOUT = -4,	/* sizes/offsets inconsistent */
	LISCAL_META_E_FOREIGN = -5,	/* another resource's partition */
	LISCAL_META_E_NODE = -6,	/* written for the other node */
	LISCAL_META_E_SIZE = -7,	/* data partition size differs */
	LISCAL_META_E_TOO_SMALL = -8,	/* cluster partition too small */
	LISCAL_META_E_FLAGS = -9,	/* unknown or contradictory flags */
	LISCAL_META_E_NOT_INIT = -10,	/* initialisation never completed */
	LISCAL_META_E_NAME = -11,	/* invalid resource name */
};

/* True if @name is 1..15 characters of [A-Za-z0-9_-]. */
bool liscal_name_valid(const char *name);

/*
 * Bitmap layout for a data partition of @data_bytes: 64 KiB per bit,
 * doubled until the bitmap has at most LISCAL_BM_MAX_BITS bits. Returns
 * LISCAL_META_OK, or LISCAL_META_E_TOO_SMALL if @cp_bytes (when non-zero)
 * cannot hold it, or LISCAL_META_E_LAYOUT for a zero or unaligned size.
 */
int liscal_meta_layout(u64 data_bytes, u64 cp_bytes, struct liscal_layout *l);

/*
 * A fresh superblock for resource @name on node @node_id: initialised,
 * gen_current = @gen (random, non-zero, from the caller), identity @uuid
 * (random, from the caller). With @uptodate this copy is current (the
 * source of the initial full copy); otherwise it is inconsistent with a
 * full copy pending. Returns LISCAL_META_OK or a LISCAL_META_E_* value.
 */
int liscal_meta_init(struct liscal_sb *sb, const char *name, u32 node_id,
		     u64 data_bytes, u64 cp_bytes, const u8 uuid[LISCAL_UUID_LEN],
		     u64 gen, u64 now, bool uptodate);

/*
 * Grows @sb to @new_bytes of data (online resize): data_bytes and the
 * bitmap geometry of the new size (the bitmap keeps its offset; past 2 TiB
 * a larger size may double bm_shift, which the driver refuses online).
 * Refused, @sb
 * unchanged and a sentence in @err: a size not a multiple of 4096
 * (E_LAYOUT), not larger than now (E_SIZE), a bitmap that the cluster
 * partition of @cp_bytes cannot hold (E_TOO_SMALL).
 */
int liscal_meta_grow(struct liscal_sb *sb, u64 new_bytes, u64 cp_bytes,
		     char *err, size_t errlen);

/* The format version a superblock with @flags is written in. */
static inline u32 liscal_meta_version(u32 flags)
{
	if (flags & LISCAL_SB_F_FENCED)
		return 3;
	return (flags & LISCAL_SB_F_FAILED) ? 2 : 1;
}

/*
 * CPU order -> disk block (computes the checksum and the version, from
 * the flags: sb->version is not used). @out is 4096 bytes.
 */
void liscal_meta_encode(const struct liscal_sb *sb, struct liscal_sb_disk *out);

/*
 * Check a disk block and decode it into @sb. @exp may be NULL (format
 * checks only). On failure returns a LISCAL_META_E_* value and writes a
 * sentence naming what is wrong into @err (when @errlen > 0).
 */
int liscal_meta_decode(const struct liscal_sb_disk *in, struct liscal_sb *sb,
		       const struct liscal_meta_expect *exp,
		       char *err, size_t errlen);

/* Short name of a LISCAL_META_E_* value ("bad magic", ...). */
const char *liscal_meta_strerror(int err);

/* Push a new current generation: history shifts, gen_current = @gen. */
void liscal_meta_new_gen(struct liscal_sb *sb, u64 gen);

/*
 * A fresh copy never held mirrored data: as liscal_meta_init() writes it
 * for a copy that is not current (inconsistent, full sync pending) and no
 * generation taken over since (a completed recovery or a forced source
 * pushes one into the history). An interrupted initial construction is
 * still fresh; an interrupted recovery of a copy that held data is not.
 */
static inline bool liscal_meta_fresh(u32 flags, u64 gen_history0)
{
	u32 f = LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC;

	return (flags & f) == f && !gen_history0;
}

/* What one side knows of a copy at the connection handshake. */
struct liscal_gen_view {
	u32 node_id;
	u32 flags;		/* LISCAL_SB_F_* */
	u64 gen_current;
	u64 gen_bitmap;
	u64 gen_history[2];
	u64 dirty_bits;
};

enum liscal_decision {
	LISCAL_DEC_IN_SYNC,	/* same data, nothing to copy */
	LISCAL_DEC_L_SRC,	/* local copy is the source, differential */
	LISCAL_DEC_L_SRC_FULL,	/* local copy is the source, full copy */
	LISCAL_DEC_P_SRC,	/* peer copy is the source, differential */
	LISCAL_DEC_P_SRC_FULL,
	LISCAL_DEC_SPLIT_BRAIN,	/* both diverged: only force resolves */
	LISCAL_DEC_NO_DATA,	/* both inconsistent: wait for a forced copy */
};

/*
 * Sync direction from the generations of both copies (rules in
 * Documentation/liscal.md, "Handshake"). Symmetric: decide(l, p) and
 * decide(p, l) name the same source.
 */
enum liscal_decision liscal_gen_decide(const struct liscal_gen_view *l,
				       const struct liscal_gen_view *p);
const char *liscal_decision_name(enum liscal_decision d);

#endif /* _LISCAL_META_H */
