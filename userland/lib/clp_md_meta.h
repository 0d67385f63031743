/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster partition superblock for userland, through the driver's own
 * format code (common/liscal_meta.c, compiled into libclp and wrapped by
 * clp_md_meta.c). Plain C types only: clp_compat.h's fixed-endian typedefs
 * clash with <linux/types.h>, which <sys/stat.h> and libmnl pull in, so no
 * file of userland includes liscal_meta.h besides clp_md_meta.c.
 */
#ifndef CLP_MD_META_H
#define CLP_MD_META_H

#include <stddef.h>
#include <stdint.h>

#define CLP_META_SB_SIZE 4096
#define CLP_META_UUID_LEN 16

/* What a superblock says, for messages. */
struct clp_meta_info {
	char name[16];
	unsigned int node_id;
	uint64_t bm_bits;
	unsigned int bm_shift;
	uint64_t cp_needed;	/* metadata bytes: superblock .. end of bitmap */
};

/* 0, or a negative LISCAL_META_E_* value (clp_meta_strerror()). On success
 * and on "too small" @cp_needed says how many bytes the metadata takes. */
int clp_meta_layout(uint64_t data_bytes, uint64_t cp_bytes, uint64_t *cp_needed);
int clp_meta_too_small(int err);
/* A fresh, inconsistent (full copy pending) superblock into @block. */
int clp_meta_build(void *block, const char *name, unsigned int node_id, uint64_t data_bytes,
		   uint64_t cp_bytes, const uint8_t uuid[CLP_META_UUID_LEN], uint64_t gen,
		   uint64_t now);
/* Check @block; @name NULL / @node_id < 0 / sizes 0: not checked. On
 * failure @why holds the driver's sentence. */
int clp_meta_check(const void *block, const char *name, int node_id, uint64_t data_bytes,
		   uint64_t cp_bytes, struct clp_meta_info *info, char *why, size_t whylen);
const char *clp_meta_strerror(int err);

/* Edits of a valid superblock (clpmdinit --backup / --restore). */
enum clp_meta_edit {
	CLP_META_BACKUP_ON,	/* set the backup-mode flag (guide 2.19) */
	CLP_META_BACKUP_OFF,	/* clear it */
	/*
	 * A copy restored from a disk image (guide 2.20.2, 2.20.3): it is
	 * not known to be current any more. Backup mode and every state of
	 * the past (current, peer outdated, split brain, active, forced)
	 * cleared; inconsistent and full copy pending, so that it is never
	 * a source by itself: two restored copies meet RED/RED until
	 * 'clpmdctrl --force' chooses, and the recovery then copies all.
	 */
	CLP_META_RESTORED,
	/*
	 * The data partition is about to be written outside the mirror
	 * (clproset -w, guide 2.22): only a current copy (not in backup mode,
	 * no split brain) may be; it takes a new generation counting from
	 * the old one, the peer outdated and a full copy pending, so that
	 * when the two meet this copy is the source of a full mirror
	 * recovery (the other one, written too, makes a split brain).
	 */
	CLP_META_WRITTEN,
};
/* clp_meta_edit()'s refusal of CLP_META_WRITTEN on a copy that is not
 * current (positive: not a format error; @why says why). */
#define CLP_META_NOT_CURRENT 1

/* Check @block against @name and @node_id (as clp_meta_check), apply
 * @edit and encode it back (@gen: CLP_META_WRITTEN's new generation). @old_flags / @new_flags: the superblock flags
 * before and after (either may be NULL). 0, CLP_META_NOT_CURRENT or a
 * negative LISCAL_META_E_*. */
int clp_meta_edit(void *block, const char *name, int node_id, enum clp_meta_edit edit,
		  uint64_t gen, uint32_t *old_flags, uint32_t *new_flags, char *why, size_t whylen);
/* The backup-mode flag in a superblock's flags. */
int clp_meta_flags_backup(uint32_t flags);
/* The fenced flag: the other copy went on without this one (OUTDATE). */
int clp_meta_flags_fenced(uint32_t flags);

#endif /* CLP_MD_META_H */
