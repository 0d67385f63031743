// SPDX-License-Identifier: GPL-2.0
/*
 * clpgrp: start, stop or move failover groups (Documentation/commands.md,
 * "clpgrp").
 *
 *   clpgrp -s [<group>] [-h <server>]   start (every group when none given)
 *   clpgrp -t [<group>] [-h <server>]   stop
 *   clpgrp -m <group> [-h <server>]     move to <server> (default: the next one)
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clp_cli.h"
#include "clp_log.h"
#include "clp_msg.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: clpgrp -s [<group>] [-h <server>]\n"
		"       clpgrp -t [<group>] [-h <server>]\n"
		"       clpgrp -m <group> [-h <server>]\n"
		"  -s, --start     start the group (all groups when none is named)\n"
		"  -t, --stop      stop the group (all groups running there when none is named)\n"
		"  -m, --move      move the group to <server> (default: the next server of\n"
		"                  its policy that runs the cluster)\n"
		"  -h <server>     where to start/stop (default: this server), or -m's destination\n"
		"      --help      this help\n"
		"Exit: 0 done, 1 failed, 2 bad arguments, 5 not allowed now, 6 not root.\n");
}

static int one(const char *op, const char *group, const char *server)
{
	struct json_object *req = clp_cli_req(op);
	int ret;

	json_object_object_add(req, "group", json_object_new_string(group));
	if (server)
		json_object_object_add(req, "server", json_object_new_string(server));
	ret = clp_cli_request(req, 3600 * 1000, false, NULL);
	json_object_put(req);
	return ret;
}

/* Every group of the configuration, for -s/-t without a name. */
static int each(const char *op, const char *server)
{
	struct json_object *q = clp_cli_req("status"), *r = NULL, *gl, *g;
	int ret, worst = 0, any = 0;
	size_t i;

	ret = clp_cli_request(q, 10000, true, &r);
	json_object_put(q);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(r, "groups", &gl)) {
		json_object_put(r);
		return CLP_EXIT_ERROR;
	}
	for (i = 0; i < json_object_array_length(gl); i++) {
		const char *name, *owner;

		g = json_object_array_get_idx(gl, i);
		name = clp_msg_get_str(g, "name");
		owner = clp_msg_get_str(g, "owner");
		/* -s: groups running nowhere; -t: groups running there. */
		if (!strcmp(op, "group-start") ? strcmp(owner, "-") != 0 :
		    strcmp(owner, server ? server : clp_msg_get_str(r, "server")) != 0)
			continue;
		any++;
		ret = one(op, name, server);
		if (ret && !worst)
			worst = ret;
	}
	json_object_put(r);
	if (!any) {
		clp_err("no group to %s", !strcmp(op, "group-start") ? "start" : "stop");
		return CLP_EXIT_STATE;
	}
	return worst;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", no_argument, NULL, 's' },
		{ "stop", no_argument, NULL, 't' },
		{ "move", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 }
	};
	const char *server = NULL, *group = NULL, *op;
	char act = 0;
	int c;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "stmh:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 't':
		case 'm':
			if (act && act != c) {
				clp_err("give one of -s, -t, -m");
				return CLP_EXIT_USAGE;
			}
			act = (char)c;
			break;
		case 'h':
			server = optarg;
			break;
		case 'H':
			usage(stdout);
			return CLP_EXIT_OK;
		default:
			usage(stderr);
			return CLP_EXIT_USAGE;
		}
	}
	if (optind < argc)
		group = argv[optind++];
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (!act) {
		clp_err("give one of -s, -t, -m");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if (act == 'm' && !group) {
		clp_err("-m needs a group");
		return CLP_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		clp_err("must be run as root");
		return CLP_EXIT_PERM;
	}
	op = act == 's' ? "group-start" : act == 't' ? "group-stop" : "group-move";
	return group ? one(op, group, server) : each(op, server);
}
