// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd: the manager daemon. Loads clp.conf, starts each module, waits
 * for SIGTERM/SIGINT, stops the modules in reverse order.
 *
 *   clpmgrd [-c <clp.conf>] [-s <server>] [-f] [-n]
 *     -f  stay in the foreground (the lab and tests use it)
 *     -n  do not start the cluster service ('clpcl -s' starts it)
 *     -k  check the configuration of the cluster service and exit
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "clp_hd.h"
#include "clp_log.h"
#include "clp_md.h"
#include "cluster.h"
#include "mgr.h"

/* Modules link in when their source is part of the build. */
extern const struct mgr_module mgr_mod_hb __attribute__((weak));
extern const struct mgr_module mgr_mod_userw __attribute__((weak));
extern const struct mgr_module mgr_mod_mirror __attribute__((weak));
extern const struct mgr_module mgr_mod_hybrid __attribute__((weak));
extern const struct mgr_module mgr_mod_rc __attribute__((weak));
extern const struct mgr_module mgr_mod_ctl __attribute__((weak));
extern const struct mgr_module mgr_mod_peer __attribute__((weak));
extern const struct mgr_module mgr_mod_metrics __attribute__((weak));
extern const struct mgr_module mgr_mod_stats __attribute__((weak));

/* The manager: runs while the process does. Metrics and statistics first:
 * a malformed key of theirs stops clpmgrd before anything else started. */
static const struct mgr_module *const modules[] = {
	&mgr_mod_metrics, &mgr_mod_stats, &mgr_mod_rc, &mgr_mod_ctl, &mgr_mod_peer,
};
#define NMODULES (sizeof(modules) / sizeof(modules[0]))

/* The cluster core: runs while the cluster service is started here. */
static const struct mgr_module *const core[] = {
	&mgr_mod_hb, &mgr_mod_userw, &mgr_mod_mirror, &mgr_mod_hybrid,
};
#define NCORE (sizeof(core) / sizeof(core[0]))
static size_t core_started;

int mgr_core_start(struct mgr *m)
{
	for (core_started = 0; core_started < NCORE; core_started++) {
		const struct mgr_module *mod = core[core_started];

		if (!mod)
			continue;
		if (mod->start(m) < 0) {
			clp_event("mgr", 2, "module %s failed to start; stopping", mod->name);
			mgr_core_stop(m);
			return -1;
		}
		clp_event("mgr", 1, "module %s started", mod->name);
	}
	return 0;
}

void mgr_core_stop(struct mgr *m)
{
	while (core_started > 0) {
		const struct mgr_module *mod = core[--core_started];

		if (mod && mod->stop)
			mod->stop(m);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: clpmgrd [-c|--config <clp.conf>] [-s|--server <server>] [-f|--foreground]\n"
		   "               [-n|--no-start] [-k|--check]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "server", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "no-start", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *path = NULL;
	struct mgr m = { 0 };
	bool foreground = false, nostart = false, check = false;
	char err[512];
	size_t started = 0;
	int ret = CLP_EXIT_OK;
	sigset_t set;
	int c, sig;

	clp_log_init(argv[0]);
	clp_log_file(true);
	while ((c = getopt_long(argc, argv, "c:s:fnkh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 's':
			m.server = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'n':
			nostart = true;
			break;
		case 'k':
			check = true;
			break;
		case 'h':
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
	if (!path)
		path = clp_conf_default_path();
	m.conf = clp_conf_load(path, err, sizeof(err));
	if (!m.conf) {
		clp_err("%s", err);
		return CLP_EXIT_CONFIG;
	}
	if (!m.server)
		m.server = clp_conf_local_server();
	clp_log_server(m.server);
	if (check) {
		struct clp_cluster *cl = calloc(1, sizeof(*cl));

		/* The mirror and hybrid disks too, as their agents check them. */
		if (!cl || clp_cluster_load(m.conf, m.server, cl, err, sizeof(err)) < 0 ||
		    (clp_md_count(m.conf) > 0 &&
		     clp_md_check_all(m.conf, m.server, err, sizeof(err)) < 0) ||
		    (clp_hd_count(m.conf) > 0 && clp_hd_check_all(m.conf, err, sizeof(err)) < 0)) {
			clp_err("%s", cl ? err : "out of memory");
			free(cl);
			clp_conf_free(m.conf);
			return CLP_EXIT_CONFIG;
		}
		clp_info("%s: valid for server %s (%d group%s)", path, m.server, cl->ngrp,
			 cl->ngrp == 1 ? "" : "s");
		free(cl);
		clp_conf_free(m.conf);
		return CLP_EXIT_OK;
	}

	/* Signals are taken synchronously below; module threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!foreground && daemon(0, 0) < 0) {
		clp_err("cannot daemonize: %s", strerror(errno));
		return CLP_EXIT_ERROR;
	}

	for (started = 0; started < NMODULES; started++) {
		const struct mgr_module *mod = modules[started];

		if (!mod)
			continue;
		if (mod->start(&m) < 0) {
			clp_event("mgr", 2, "module %s failed to start; stopping", mod->name);
			ret = CLP_EXIT_ERROR;
			goto stop_modules;
		}
		clp_event("mgr", 1, "module %s started", mod->name);
	}
	if (!nostart) {
		struct job j = { .type = J_CL_START };

		rc_submit(&j, true);
		if (j.code) {
			clp_event("mgr", 2, "%s", j.msg);
			ret = CLP_EXIT_ERROR;
			goto stop_modules;
		}
	} else {
		/* Groups a killed daemon left starting or stopping (J_CL_START
		 * does it once the core runs). */
		struct job j = { .type = J_CLEANUP };

		rc_submit(&j, true);
	}
	clp_event("mgr", 3, "clpmgrd started on server %s", m.server);
	sd_notify(0, "READY=1");	/* the mgr unit (Type=notify) */
	while (sigwait(&set, &sig) != 0)
		;
	clp_event("mgr", 4, "stopping on signal %d", sig);

stop_modules:
	m.stopping = 1;
	/* The worker first (it may be starting or stopping the core), then
	 * the core. */
	while (started-- > 0)
		if (modules[started] && modules[started]->stop)
			modules[started]->stop(&m);
	mgr_core_stop(&m);
	clp_conf_free(m.conf);
	return ret;
}
