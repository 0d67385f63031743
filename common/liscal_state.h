/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liscal_state.h - names of the liscal states and the mirror colours
 * derived from them, shared by the kernel module (sysfs, liscal_sysfs.c)
 * and userland (clpmdstat, metrics), so that both show the same words and
 * colours for the same state. Documentation/commands.md, "How the colours
 * are derived". Pure functions, no locking: callers pass a consistent
 * snapshot.
 */
#ifndef _LISCAL_STATE_H
#define _LISCAL_STATE_H

#include "clp_compat.h"

enum liscal_colour {
	LISCAL_COLOUR_GRAY,	/* unknown: not configured, or unreachable */
	LISCAL_COLOUR_GREEN,	/* holds the current data */
	LISCAL_COLOUR_YELLOW,	/* mirror recovery target, in progress */
	LISCAL_COLOUR_RED,	/* not current, failed, or split brain */
};

/* "active", "standby"; "unknown" for anything else. */
const char *liscal_role_name(unsigned int role);
/* "standalone", "connecting", "connected"; "unknown". */
const char *liscal_conn_name(unsigned int conn);
/* "inconsistent", "outdated", "uptodate", "failed"; "unknown". */
const char *liscal_disk_state_name(unsigned int disk);
/* "none", "to_peer", "from_peer". */
const char *liscal_rs_dir_name(unsigned int dir);
/* "GREEN", "YELLOW", "RED", "GRAY". */
const char *liscal_colour_name(enum liscal_colour c);

/* This server's colour from its disk state, recovery direction, split brain. */
enum liscal_colour liscal_local_colour(unsigned int disk, unsigned int rs_dir,
				       bool split_brain);
/* The other server's, as this driver knows it (connection, its disk state). */
enum liscal_colour liscal_peer_colour(unsigned int conn, unsigned int rs_dir,
				      bool split_brain, unsigned int pdisk);

#endif /* _LISCAL_STATE_H */
