/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpmgrd, the lean manager daemon: one process, one module per job
 * (mirror agent, heartbeat configuration, user-mode monitor ...).
 *
 * Each module defines a const struct mgr_module with a well-known name
 * (mgr_mod_mirror, mgr_mod_hb, mgr_mod_userw). main.c starts the modules
 * in table order after loading clp.conf, and stops them in reverse order on
 * SIGTERM/SIGINT. A module that needs to run does so in threads it creates
 * in start() and joins in stop(). start() returns 0 or -1 after logging why.
 */
#ifndef CLP_MGR_H
#define CLP_MGR_H

#include <signal.h>
#include <stdbool.h>

#include "clp_conf.h"

struct mgr {
	struct clp_conf *conf;
	const char *server;		/* this server's name in clp.conf */
	volatile sig_atomic_t stopping;	/* set when the daemon is stopping */
};

struct mgr_module {
	const char *name;
	int (*start)(struct mgr *m);
	void (*stop)(struct mgr *m);
};

#endif /* CLP_MGR_H */
