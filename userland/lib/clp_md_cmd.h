/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Steps shared by clpmdctrl, clpmdstat and clpmdinit, in the order the
 * commands take them so that nothing changes before every argument has
 * been checked: root, configuration, resource name, driver. Each step
 * prints its own message and returns an exit code (enum clp_exit).
 */
#ifndef CLP_MD_CMD_H
#define CLP_MD_CMD_H

#include <stdbool.h>

#include "clp_md.h"
#include "clp_md_nl.h"

struct clp_md_cmd {
	struct clp_conf *conf;
	const char *server;	/* this server's name */
	struct clp_md md;	/* after clp_md_cmd_resource() */
	struct clp_nl *nl;	/* after clp_md_cmd_driver() */
};

/* CLP_EXIT_PERM unless running as root. */
int clp_md_cmd_root(void);
/* Load clp.conf: CLP_EXIT_CONFIG with file:line: key when invalid. */
int clp_md_cmd_conf(struct clp_md_cmd *c);
/* Look up md @name: CLP_EXIT_USAGE for an unknown name, CLP_EXIT_CONFIG
 * when its keys are wrong. */
int clp_md_cmd_resource(struct clp_md_cmd *c, const char *name);
/* Open the liscal family (kept when open already): CLP_EXIT_NOMODULE when
 * the module is absent. */
int clp_md_cmd_driver(struct clp_md_cmd *c);
/* RES_GET of the resource: CLP_EXIT_STATE when the driver does not have
 * it (the mirror agent has not created it). */
int clp_md_cmd_status(struct clp_md_cmd *c, struct clp_md_status *st);
/* Report a failed netlink call (@what: "activate") and return its code. */
int clp_md_cmd_fail(struct clp_md_cmd *c, const char *what, int err);
/* Wait up to @seconds for the resource to be connected; CLP_EXIT_OK or
 * CLP_EXIT_STATE (message printed). Issues CONNECT when standalone. */
int clp_md_cmd_connect(struct clp_md_cmd *c, int seconds);
void clp_md_cmd_free(struct clp_md_cmd *c);
/* The resource names @names, @n of them, as the status commands' --list
 * prints them: the guide's "<md01>" a line, or JSON {"resources": [names]}. */
void clp_md_cmd_print_list(const char *const *names, int n, bool json);

/* RES_GET of the resource: 1 the driver has it (@st filled), 0 it has not
 * or the module is not loaded, else minus an exit code (message printed).
 * Opens the family itself (no clp_md_cmd_driver() needed) and keeps it
 * open in c->nl. */
int clp_md_cmd_in_driver(struct clp_md_cmd *c, struct clp_md_status *st);
/* CLP_EXIT_OK when the driver does not have the resource (or the module
 * is not loaded: nothing can use the partitions); else CLP_EXIT_STATE,
 * saying so with @advice, or the exit code of a failed query. */
int clp_md_cmd_not_in_driver(struct clp_md_cmd *c, const char *advice);
/* Take the resource out of this server's driver (RES_DESTROY): refused
 * (CLP_EXIT_STATE) while it is active here or a mirror recovery runs;
 * @dry: check only. CLP_EXIT_OK also when the driver does not have it. */
int clp_md_cmd_release(struct clp_md_cmd *c, bool dry);

/* Server name -> node id (0/1) of the resource's pair; -1 when neither. */
int clp_md_cmd_node_of(const struct clp_md_cmd *c, const char *server);

#endif /* CLP_MD_CMD_H */
