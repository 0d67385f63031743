// SPDX-License-Identifier: GPL-2.0
/* Mirror colours from the driver's view. See clp_md_state.h. */
#include "clp_md_state.h"

enum clp_md_colour clp_md_local_colour(const struct clp_md_status *st)
{
	if (st->disk == LISCAL_DISK_FAILED)
		return CLP_MD_RED;
	if (st->recovery_dir == LISCAL_RECOVERY_FROM_PEER)
		return CLP_MD_YELLOW;
	if (st->split_brain)
		return CLP_MD_RED;
	switch (st->disk) {
	case LISCAL_DISK_UPTODATE:
		return CLP_MD_GREEN;
	case LISCAL_DISK_OUTDATED:
	case LISCAL_DISK_INCONSISTENT:
		return CLP_MD_RED;
	default:
		return CLP_MD_GRAY;
	}
}

enum clp_md_colour clp_md_peer_colour(const struct clp_md_status *st)
{
	/* Trying to reach it and failing: nothing is known of it now. */
	if (st->conn != LISCAL_CONN_CONNECTED && st->conn != LISCAL_CONN_STANDALONE)
		return CLP_MD_GRAY;
	if (st->conn == LISCAL_CONN_CONNECTED && st->recovery_dir == LISCAL_RECOVERY_TO_PEER)
		return CLP_MD_YELLOW;
	if (st->split_brain)
		return CLP_MD_RED;
	switch (st->peer_disk) {
	case LISCAL_DISK_UPTODATE:
		return CLP_MD_GREEN;
	case LISCAL_DISK_OUTDATED:
	case LISCAL_DISK_INCONSISTENT:
	case LISCAL_DISK_FAILED:
		return CLP_MD_RED;
	default:
		return CLP_MD_GRAY;
	}
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
	switch (c) {
	case CLP_MD_GREEN:
		return "GREEN";
	case CLP_MD_YELLOW:
		return "YELLOW";
	case CLP_MD_RED:
		return "RED";
	default:
		return "GRAY";
	}
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
