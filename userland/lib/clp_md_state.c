// SPDX-License-Identifier: GPL-2.0
/* Mirror colours from the driver's view (rules in common/liscal_state.c,
 * shared with the kernel's sysfs). See clp_md_state.h. */
#include "clp_md_state.h"

enum clp_md_colour clp_md_local_colour(const struct clp_md_status *st)
{
	return (enum clp_md_colour)liscal_local_colour(st->disk, st->recovery_dir, st->split_brain);
}

enum clp_md_colour clp_md_peer_colour(const struct clp_md_status *st)
{
	return (enum clp_md_colour)liscal_peer_colour(st->conn, st->recovery_dir, st->split_brain,
						      st->peer_disk);
}

enum clp_md_mirror clp_md_mirror_status(const struct clp_md_status *st)
{
	enum clp_md_colour l = clp_md_local_colour(st), p = clp_md_peer_colour(st);

	if (!st->name[0])
		return CLP_MD_M_UNKNOWN;
	if (st->split_brain)
		return CLP_MD_M_SPLIT_BRAIN;
	if (l == CLP_MD_YELLOW || p == CLP_MD_YELLOW)
		return CLP_MD_M_RECOVERING;
	if (l == CLP_MD_GREEN && p == CLP_MD_GREEN)
		return CLP_MD_M_NORMAL;
	if (l == CLP_MD_GREEN || p == CLP_MD_GREEN || st->conn != LISCAL_CONN_CONNECTED)
		return CLP_MD_M_BROKEN;
	return CLP_MD_M_ABNORMAL;
}

const char *clp_md_colour_name(enum clp_md_colour c)
{
	return liscal_colour_name((enum liscal_colour)c);
}

const char *clp_md_mirror_name(enum clp_md_mirror m)
{
	switch (m) {
	case CLP_MD_M_NORMAL:
		return "Normal";
	case CLP_MD_M_RECOVERING:
		return "Recovering";
	case CLP_MD_M_BROKEN:
		return "Mirror break";
	case CLP_MD_M_SPLIT_BRAIN:
		return "Split brain";
	case CLP_MD_M_ABNORMAL:
		return "Abnormal";
	default:
		return "Unknown";
	}
}
