/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpmdinit's work: write a fresh cluster partition for a mirror disk
 * resource on this server, then mkfs when configured
 * (Documentation/commands.md, "clpmdinit").
 */
#ifndef CLP_MD_INIT_H
#define CLP_MD_INIT_H

#include "clp_md.h"

enum clp_md_init_mode {
	CLP_MD_INIT_NORMAL,	/* refuse when a valid one is there */
	CLP_MD_INIT_QUICK,	/* zeroed with dd: check, write the superblock only */
	CLP_MD_INIT_FORCE,	/* overwrite */
};

/* Returns an exit code (enum clp_exit); messages go to stderr/stdout. */
int clp_md_init_cp(const struct clp_md *md, enum clp_md_init_mode mode);

#endif /* CLP_MD_INIT_H */
