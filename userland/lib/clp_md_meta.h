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

#endif /* CLP_MD_META_H */
