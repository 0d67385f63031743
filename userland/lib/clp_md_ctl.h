/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpmdctrl and clphdctrl (Documentation/commands.md): the same operations
 * (--active, --deactive, --break, --recovery, --force, --cancel,
 * --updatekey, --resize) with the same syntax, on a mirror disk or on a
 * hybrid disk. A kind says how the command finds its resource: a mirror
 * disk has its two servers in clp.conf; a hybrid disk runs on the current
 * server of each server group, and the command must run on this group's
 * current one.
 */
#ifndef CLP_MD_CTL_H
#define CLP_MD_CTL_H

#include <stddef.h>

#include "clp_md_cmd.h"

struct clp_md_ctl_kind {
	const char *cmd;		/* "clpmdctrl" */
	const char *noun;		/* "mirror disk" */
	const char *arg;		/* "<md>" in the usage */
	const char *example;		/* "md01" */
	const char *shrink_procedure;	/* the guide's procedure without LVM */
	const char *help_note;		/* more usage text, or NULL */
	/* 0, or CLP_EXIT_USAGE after saying what is wrong with @name */
	int (*name_arg)(const char *name);
	/* After root and the configuration: fill c->md for resource @name,
	 * the mirror's other end included. An exit code (message printed). */
	int (*load)(struct clp_md_cmd *c, const char *name);
	/* Node id (0/1) whose copy @server holds, or -1 when it holds none. */
	int (*node_of)(const struct clp_md_cmd *c, const char *server);
	/* The servers --force may name, for an error message. */
	void (*servers)(const struct clp_md_cmd *c, char *buf, size_t len);
};

/* Parse the command line and run the operation: the exit code. */
int clp_md_ctl_main(int argc, char **argv, const struct clp_md_ctl_kind *k);

#endif /* CLP_MD_CTL_H */
