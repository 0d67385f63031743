/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the cluster commands (clpcl, clpgrp, clpstat, clpstdn, clpbwctrl)
 * share: a request to the local daemon, its message printed, its exit
 * code returned (Documentation/commands.md, "Cluster commands").
 */
#ifndef CLP_CLI_H
#define CLP_CLI_H

#include <stdbool.h>
#include <json-c/json.h>

/* Send {"op": @op, ...@fields} to the local daemon; print the reply's
 * message (stdout when it succeeded, stderr otherwise) unless @quiet;
 * return its exit code. @reply, when not NULL, keeps the reply. */
int clp_cli_request(struct json_object *req, int timeout_ms, bool quiet,
		    struct json_object **reply);
/* A new request object {"op": @op}. */
struct json_object *clp_cli_req(const char *op);
/* Start clpmgrd -n (next to this command) and wait until it answers. */
int clp_cli_spawn_daemon(void);

#endif /* CLP_CLI_H */
