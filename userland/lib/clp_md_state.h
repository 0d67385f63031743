/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mirror colours and the mirror status of a resource, derived from what the
 * local liscal driver reports (Documentation/commands.md, "clpmdstat":
 * "How the colours are derived"). Pure functions: unit-tested on the host.
 */
#ifndef CLP_MD_STATE_H
#define CLP_MD_STATE_H

#include "clp_md_nl.h"
#include "liscal_state.h"

/* The values of common/liscal_state.h's enum liscal_colour. */
enum clp_md_colour {
	CLP_MD_GRAY = LISCAL_COLOUR_GRAY,	/* not configured, or the other server unreachable */
	CLP_MD_GREEN = LISCAL_COLOUR_GREEN,	/* holds the current data */
	CLP_MD_YELLOW = LISCAL_COLOUR_YELLOW,	/* mirror recovery target, in progress */
	CLP_MD_RED = LISCAL_COLOUR_RED,		/* not current, failed, or split brain */
};

enum clp_md_mirror {
	CLP_MD_M_UNKNOWN,	/* not configured in the kernel */
	CLP_MD_M_NORMAL,	/* both GREEN */
	CLP_MD_M_RECOVERING,	/* a recovery is running */
	CLP_MD_M_BROKEN,	/* disconnected, or one side GREEN and the other not */
	CLP_MD_M_SPLIT_BRAIN,	/* both sides hold data the other lacks */
	CLP_MD_M_ABNORMAL,	/* connected and neither side GREEN */
};

enum clp_md_colour clp_md_local_colour(const struct clp_md_status *st);
enum clp_md_colour clp_md_peer_colour(const struct clp_md_status *st);
enum clp_md_mirror clp_md_mirror_status(const struct clp_md_status *st);

const char *clp_md_colour_name(enum clp_md_colour c);
const char *clp_md_mirror_name(enum clp_md_mirror m);

#endif /* CLP_MD_STATE_H */
