// SPDX-License-Identifier: GPL-2.0
/*
 * clpmgrd module "hb": configures and starts the clpkhb driver from
 * clp.conf, logs its events (peer/link up/down) as "hb" events, and stops
 * the heartbeats when the daemon stops cleanly. The heartbeats themselves
 * are the kernel's: a stalled daemon does not stop them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <clpstack/clpkhb.h>

#include "clp_hb.h"
#include "clp_log.h"
#include "clp_nl.h"
#include "cluster.h"
#include "hb_stats.h"
#include "mgr.h"

static pthread_t hb_thread;
static bool hb_thread_running;
static bool hb_configured;

static int hb_event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CLPKHB_A_MAX + 1];
	static const char *const names[] = {
		[CLPKHB_EVENT_PEER_UP] = "server %s is up",
		[CLPKHB_EVENT_PEER_DOWN] = "server %s is down",
		[CLPKHB_EVENT_LINK_UP] = "heartbeat to %s recovered",
		[CLPKHB_EVENT_LINK_DOWN] = "heartbeat to %s lost",
		[CLPKHB_EVENT_MISMATCH] = "server %s uses other heartbeat timing",
	};
	uint8_t ev = 0;
	uint32_t link = 0;
	char what[96];

	if (clp_nl_cmd(nlh) != CLPKHB_CMD_EVENT)
		return MNL_CB_OK;
	clp_nl_parse(nlh, tb, CLPKHB_A_MAX);
	if (tb[CLPKHB_A_EVENT] && mnl_attr_validate(tb[CLPKHB_A_EVENT], MNL_TYPE_U8) == 0)
		ev = mnl_attr_get_u8(tb[CLPKHB_A_EVENT]);
	if (tb[CLPKHB_A_LINK_ID] && mnl_attr_validate(tb[CLPKHB_A_LINK_ID], MNL_TYPE_U32) == 0)
		link = mnl_attr_get_u32(tb[CLPKHB_A_LINK_ID]);
	if (ev < 1 || ev > CLPKHB_EVENT_MISMATCH || !tb[CLPKHB_A_NAME] ||
	    mnl_attr_validate(tb[CLPKHB_A_NAME], MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(what, sizeof(what), names[ev], mnl_attr_get_str(tb[CLPKHB_A_NAME]));
#pragma GCC diagnostic pop
	if (!link && (ev == CLPKHB_EVENT_PEER_UP || ev == CLPKHB_EVENT_PEER_DOWN))
		rc_peer_event(mnl_attr_get_str(tb[CLPKHB_A_NAME]), ev == CLPKHB_EVENT_PEER_UP);
	if (link && (ev == CLPKHB_EVENT_LINK_UP || ev == CLPKHB_EVENT_LINK_DOWN))
		rc_link_event(mnl_attr_get_str(tb[CLPKHB_A_NAME]), link, ev == CLPKHB_EVENT_LINK_UP);
	if (link)
		clp_event("hb", 10 + ev, "lankhb%u: %s (%s)", link, what,
			  tb[CLPKHB_A_REASON] ? mnl_attr_get_str(tb[CLPKHB_A_REASON]) : "");
	else
		clp_event("hb", 10 + ev, "%s (%s)", what,
			  tb[CLPKHB_A_REASON] ? mnl_attr_get_str(tb[CLPKHB_A_REASON]) : "");
	return MNL_CB_OK;
}

/* Logs events until cancelled (recvmsg is a cancellation point). */
static void *hb_events(void *arg)
{
	struct clp_nl *nl = arg;

	pthread_cleanup_push((void (*)(void *))clp_nl_close, nl);
	if (clp_nl_join(nl, CLPKHB_MCGRP_EVENTS) < 0)
		clp_event("hb", 3, "cannot join clpkhb events: %s", clp_nl_errmsg(nl));
	else
		clp_nl_recv(nl, hb_event_cb, NULL);
	pthread_cleanup_pop(1);
	return NULL;
}

static int hb_start(struct mgr *m)
{
	struct clp_hb_conf hb;
	struct clp_nl *nl;
	char err[1024];

	if (clp_conf_count(m->conf, "/root/heartbeat/lankhb") <= 0) {
		clp_event("hb", 4, "no kernel-mode LAN heartbeat in %s", clp_conf_path(m->conf));
		return 0;
	}
	if (clp_hb_conf_read(m->conf, m->server, &hb, err, sizeof(err)) < 0 ||
	    clp_hb_apply(&hb, err, sizeof(err)) < 0) {
		clp_event("hb", 2, "cannot start the heartbeat: %s", err);
		return -1;
	}
	hb_configured = true;
	clp_event("hb", 1, "kernel-mode LAN heartbeat started: %u link(s), %u peer(s), interval %u ms, timeout %u ms%s",
		  hb.nlinks, hb.npeers, hb.interval_ms, hb.timeout_ms,
		  hb.has_key ? ", authenticated" : "");
	if (clp_nl_open(&nl, CLPKHB_FAMILY_NAME) == 0) {
		if (pthread_create(&hb_thread, NULL, hb_events, nl) == 0)
			hb_thread_running = true;
		else
			clp_nl_close(nl);
	}
	if (hb_stats_start(m->server) < 0)
		clp_event("hb", 6, "cannot start the heartbeat statistics");
	return 0;
}

static void hb_stop(struct mgr *m)
{
	char err[512];

	hb_stats_stop();
	if (hb_thread_running) {
		pthread_cancel(hb_thread);
		pthread_join(hb_thread, NULL);
		hb_thread_running = false;
	}
	/*
	 * The daemon stops (SIGTERM) while groups run here: the kernel's
	 * heartbeat goes on, as the mirror does, so that no other server takes
	 * them over; a daemon started again adopts them.
	 */
	if (hb_configured && m->stopping && rc_groups_here())
		clp_event("hb", 7, "groups run here: the kernel heartbeat keeps running");
	else if (hb_configured && clp_hb_reset(err, sizeof(err)) < 0)
		clp_event("hb", 5, "cannot stop the heartbeat: %s", err);
	hb_configured = false;
}

const struct mgr_module mgr_mod_hb = {
	.name = "hb",
	.start = hb_start,
	.stop = hb_stop,
};
