// SPDX-License-Identifier: GPL-2.0
/*
 * clpcl: start, stop or restart the cluster service (Documentation/
 * commands.md, "clpcl").
 *
 *   clpcl -s [-a] [-h <server>]   start (the daemon too, when it is not running)
 *   clpcl -t [-a] [-h <server>]   stop: groups stopped here, then the service
 *   clpcl -r [-a] [-h <server>]   restart (stop, then start)
 *   clpcl --suspend | --resume    every server: the groups keep running unwatched
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
	fprintf(f, "Usage: clpcl -s|-t|-r [-a] [-h <server>]\n"
		"       clpcl --suspend|--resume\n"
		"  -s, --start     start the cluster service\n"
		"  -t, --stop      stop it (groups running here are stopped first)\n"
		"  -r, --restart   stop, then start\n"
		"      --suspend   suspend the cluster on every server: the groups keep\n"
		"                  running, nothing watches them, nothing fails over\n"
		"      --resume    resume it\n"
		"  -a, --all       on every server\n"
		"  -h <server>     on that server (default: this one)\n"
		"      --help      this help\n"
		"Exit: 0 done, 1 failed, 2 bad arguments, 5 not allowed now, 6 not root.\n");
}

static int one(const char *op, bool all, const char *server)
{
	struct json_object *req = clp_cli_req(op);
	int ret;

	if (all)
		json_object_object_add(req, "all", json_object_new_boolean(1));
	if (server)
		json_object_object_add(req, "server", json_object_new_string(server));
	ret = clp_cli_request(req, 3600 * 1000, false, NULL);
	json_object_put(req);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "start", no_argument, NULL, 's' },
		{ "stop", no_argument, NULL, 't' },
		{ "restart", no_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "suspend", no_argument, NULL, 'S' },
		{ "resume", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'H' },
		{ 0 }
	};
	const char *server = NULL;
	char act = 0;
	bool all = false;
	int c, ret;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "strah:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 't':
		case 'r':
		case 'S':
		case 'R':
			if (act && act != c) {
				clp_err("give one of -s, -t, -r, --suspend, --resume");
				return CLP_EXIT_USAGE;
			}
			act = (char)c;
			break;
		case 'a':
			all = true;
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
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (!act) {
		clp_err("give one of -s, -t, -r, --suspend, --resume");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if ((act == 'S' || act == 'R') && (all || server)) {
		clp_err("--suspend and --resume apply to every server: no -a or -h");
		return CLP_EXIT_USAGE;
	}
	if (all && server) {
		clp_err("-a and -h exclude each other");
		return CLP_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		clp_err("must be run as root");
		return CLP_EXIT_PERM;
	}
	if (act == 'S' || act == 'R')
		return one(act == 'S' ? "cluster-suspend" : "cluster-resume", true, NULL);
	if (act != 't') {
		/* No daemon here yet: start it (without the cluster) first. */
		struct json_object *q = clp_cli_req("status"), *r;
		char err[256];

		r = clp_msg_local(q, 3000, err, sizeof(err));
		json_object_put(q);
		if (!r) {
			ret = clp_cli_spawn_daemon();
			if (ret)
				return ret;
		}
		json_object_put(r);
	}
	if (act == 'r') {
		ret = one("cluster-stop", all, server);
		if (ret && ret != CLP_EXIT_STATE)
			return ret;
	}
	return one(act == 't' ? "cluster-stop" : "cluster-start", all, server);
}
