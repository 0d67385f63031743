/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpmdinit's work: write a fresh cluster partition for a mirror disk
 * resource on this server, then mkfs when configured
 * (Documentation/commands.md, "clpmdinit").
 */
#ifndef CLP_MD_INIT_H
#define CLP_MD_INIT_H

#include <stdbool.h>
#include <stdint.h>

#include "clp_md.h"

enum clp_md_init_mode {
	CLP_MD_INIT_NORMAL,	/* refuse when a valid one is there */
	CLP_MD_INIT_QUICK,	/* zeroed with dd: check, write the superblock only */
	CLP_MD_INIT_FORCE,	/* overwrite */
	/* clprestore.sh --post --skip-copy (guide 2.20.1): as force, refused
	 * unless fullcopy and mkfs are both 0 (clp_md_init_skip_copy_ok()) */
	CLP_MD_INIT_SKIP_COPY,
};

/*
 * The action of clpmdinit and clphdinit, given exactly one of --create
 * @mode_arg, --backup @backup_arg or --restore: *@edit the CLP_META_*
 * edit (clp_md_cp_edit()), or left as it is for --create with *@mode.
 * CLP_EXIT_OK, or CLP_EXIT_USAGE with a message naming the values.
 */
int clp_md_init_action(const char *mode_arg, const char *backup_arg, bool restore, int *edit,
		       enum clp_md_init_mode *mode);

/* CLP_EXIT_OK when @md may be initialised for --skip-copy, else
 * CLP_EXIT_STATE with the guide's reason (initial mirror construction or
 * initial mkfs enabled). */
int clp_md_init_skip_copy_ok(const struct clp_md *md);

/*
 * Opens @path (a block device or, for tests, a regular file) with @flags
 * (O_CLOEXEC added) and reads its size into *@size: the descriptor, or -1
 * with a message naming the device and what failed.
 */
int clp_md_open_dev(const char *path, int flags, uint64_t *size);

/* Returns an exit code (enum clp_exit); messages go to stderr/stdout. */
int clp_md_init_cp(const struct clp_md *md, enum clp_md_init_mode mode);

/*
 * Apply @edit (clp_md_meta.h: backup mode on/off, restored) to this
 * server's cluster partition of @md: opened exclusively (refused, exit 5,
 * while anything holds it), checked as the driver checks it (resource
 * name, node id; an invalid one is refused, exit 5, naming why), written
 * and read back. Returns an exit code; says what it did on stdout.
 */
int clp_md_cp_edit(const struct clp_md *md, int edit);
/* The backup-mode flag of this server's cluster partition of @md: 1 on,
 * 0 off, -1 unreadable or not a valid cluster partition of @md (no
 * message). Either node's: a disk restored from the other server's image
 * (guide 2.20.1) says what the image says. */
int clp_md_cp_backup(const struct clp_md *md);
/* 1 when the superblock of this server's cluster partition of @md is all
 * zeroes (a new disk, or one zeroed with dd: guide 2.14, 2.16), 0 when it
 * is not, -1 when it cannot be read (no message). */
int clp_md_cp_blank(const struct clp_md *md);
/*
 * The read-only flag of this server's data partition of @md (BLKROSET):
 * @ro 1 sets it, 0 clears it; *@was (may be NULL) gets what it was. @excl
 * (clproset): the partition opened exclusively, refused (CLP_EXIT_STATE,
 * with a message) while it is mounted or held by the liscal driver; else
 * (the mirror agent) the flag is changed only when it differs, and a data
 * partition that cannot be opened or is not a block device is left alone
 * (CLP_EXIT_OK, no message). Else an exit code.
 */
int clp_md_dp_ro(const struct clp_md *md, int ro, bool excl, int *was);

#endif /* CLP_MD_INIT_H */
