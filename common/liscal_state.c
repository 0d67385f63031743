// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_state.c - state names and mirror colours (liscal_state.h),
 * shared by the kernel module and userland.
 */
#include <clpstack/liscal.h>
#include "liscal_state.h"

const char *liscal_role_name(unsigned int role)
{
	switch (role) {
	case LISCAL_ROLE_STANDBY:
		return "standby";
	case LISCAL_ROLE_ACTIVE:
		return "active";
	default:
		return "unknown";
	}
}

const char *liscal_conn_name(unsigned int conn)
{
	switch (conn) {
	case LISCAL_CONN_STANDALONE:
		return "standalone";
	case LISCAL_CONN_CONNECTING:
		return "connecting";
	case LISCAL_CONN_CONNECTED:
		return "connected";
	default:
		return "unknown";
	}
}

const char *liscal_disk_state_name(unsigned int disk)
{
	switch (disk) {
	case LISCAL_DISK_INCONSISTENT:
		return "inconsistent";
	case LISCAL_DISK_OUTDATED:
		return "outdated";
	case LISCAL_DISK_UPTODATE:
		return "uptodate";
	case LISCAL_DISK_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

const char *liscal_rs_dir_name(unsigned int dir)
{
	switch (dir) {
	case LISCAL_RECOVERY_TO_PEER:
		return "to_peer";
	case LISCAL_RECOVERY_FROM_PEER:
		return "from_peer";
	default:
		return "none";
	}
}

const char *liscal_colour_name(enum liscal_colour c)
{
	switch (c) {
	case LISCAL_COLOUR_GREEN:
		return "GREEN";
	case LISCAL_COLOUR_YELLOW:
		return "YELLOW";
	case LISCAL_COLOUR_RED:
		return "RED";
	default:
		return "GRAY";
	}
}

enum liscal_colour liscal_local_colour(unsigned int disk, unsigned int rs_dir,
				       bool split_brain)
{
	if (disk == LISCAL_DISK_FAILED)
		return LISCAL_COLOUR_RED;
	if (rs_dir == LISCAL_RECOVERY_FROM_PEER)
		return LISCAL_COLOUR_YELLOW;
	if (split_brain)
		return LISCAL_COLOUR_RED;
	switch (disk) {
	case LISCAL_DISK_UPTODATE:
		return LISCAL_COLOUR_GREEN;
	case LISCAL_DISK_OUTDATED:
	case LISCAL_DISK_INCONSISTENT:
		return LISCAL_COLOUR_RED;
	default:
		return LISCAL_COLOUR_GRAY;
	}
}

enum liscal_colour liscal_peer_colour(unsigned int conn, unsigned int rs_dir,
				      bool split_brain, unsigned int pdisk)
{
	/* Trying to reach it and failing: nothing is known of it now. */
	if (conn != LISCAL_CONN_CONNECTED && conn != LISCAL_CONN_STANDALONE)
		return LISCAL_COLOUR_GRAY;
	if (conn == LISCAL_CONN_CONNECTED && rs_dir == LISCAL_RECOVERY_TO_PEER)
		return LISCAL_COLOUR_YELLOW;
	if (split_brain)
		return LISCAL_COLOUR_RED;
	switch (pdisk) {
	case LISCAL_DISK_UPTODATE:
		return LISCAL_COLOUR_GREEN;
	case LISCAL_DISK_OUTDATED:
	case LISCAL_DISK_INCONSISTENT:
	case LISCAL_DISK_FAILED:
		return LISCAL_COLOUR_RED;
	default:
		return LISCAL_COLOUR_GRAY;
	}
}
