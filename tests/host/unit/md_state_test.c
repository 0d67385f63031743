// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the mirror colour derivation (userland/lib/
 * clp_md_state.c): one line per case, "ok N" or "not ok N - why", TAP.
 */
#include <stdio.h>
#include <string.h>

#include "clp_md_state.h"

struct tcase {
	const char *what;
	uint8_t conn, disk, peer_disk, dir;
	bool sb;
	const char *local, *peer, *mirror;
};

#define C LISCAL_CONN_CONNECTED
#define S LISCAL_CONN_STANDALONE
#define K LISCAL_CONN_CONNECTING
#define U LISCAL_DISK_UPTODATE
#define O LISCAL_DISK_OUTDATED
#define I LISCAL_DISK_INCONSISTENT
#define F LISCAL_DISK_FAILED
#define X LISCAL_DISK_UNKNOWN

static const struct tcase cases[] = {
	{ "synchronised", C, U, U, 0, false, "GREEN", "GREEN", "Normal" },
	{ "recovery to the peer", C, U, I, LISCAL_RECOVERY_TO_PEER, false, "GREEN", "YELLOW",
	  "Recovering" },
	{ "recovery from the peer", C, I, U, LISCAL_RECOVERY_FROM_PEER, false, "YELLOW", "GREEN",
	  "Recovering" },
	{ "broken by command, peer outdated", S, U, O, 0, false, "GREEN", "RED", "Mirror break" },
	{ "this copy outdated, peer current", C, O, U, 0, false, "RED", "GREEN", "Mirror break" },
	{ "peer unreachable", K, U, O, 0, false, "GREEN", "GRAY", "Mirror break" },
	{ "peer unreachable, nothing recorded", K, U, X, 0, false, "GREEN", "GRAY",
	  "Mirror break" },
	{ "standalone, no record", S, U, X, 0, false, "GREEN", "GRAY", "Mirror break" },
	{ "split brain", C, U, U, 0, true, "RED", "RED", "Split brain" },
	{ "both fresh", C, I, I, 0, false, "RED", "RED", "Abnormal" },
	{ "local I/O error", C, F, U, 0, false, "RED", "GREEN", "Mirror break" },
	{ "both restored from own images (outdated)", C, O, O, 0, false, "RED", "RED",
	  "Abnormal" },
	{ "standby after a break, active unreachable", K, O, U, 0, false, "RED", "GRAY",
	  "Mirror break" },
};

int main(void)
{
	size_t i, n = sizeof(cases) / sizeof(cases[0]);
	int fails = 0;

	printf("1..%zu\n", n + 1);
	for (i = 0; i < n; i++) {
		const struct tcase *t = &cases[i];
		struct clp_md_status st;
		const char *l, *p, *m;

		memset(&st, 0, sizeof(st));
		strcpy(st.name, "md01");
		st.conn = t->conn;
		st.disk = t->disk;
		st.peer_disk = t->peer_disk;
		st.recovery_dir = t->dir;
		st.split_brain = t->sb;
		l = clp_md_colour_name(clp_md_local_colour(&st));
		p = clp_md_colour_name(clp_md_peer_colour(&st));
		m = clp_md_mirror_name(clp_md_mirror_status(&st));
		if (strcmp(l, t->local) || strcmp(p, t->peer) || strcmp(m, t->mirror)) {
			printf("not ok %zu - %s: got %s/%s/%s, want %s/%s/%s\n", i + 1, t->what, l, p,
			       m, t->local, t->peer, t->mirror);
			fails++;
		} else {
			printf("ok %zu - %s\n", i + 1, t->what);
		}
	}
	{
		struct clp_md_status st;

		memset(&st, 0, sizeof(st));
		if (clp_md_mirror_status(&st) != CLP_MD_M_UNKNOWN ||
		    clp_md_local_colour(&st) != CLP_MD_GRAY) {
			printf("not ok %zu - empty status is not Unknown/GRAY\n", n + 1);
			fails++;
		} else {
			printf("ok %zu - empty status is Unknown/GRAY\n", n + 1);
		}
	}
	return fails ? 1 : 0;
}
