/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster service inside clpmgrd (Documentation/cluster.md).
 *
 * Layers: the manager part of the daemon always runs while the process
 * does (ctl.c: the commands' UNIX socket; peer.c: the other daemons' TCP
 * requests; rc.c: the resource control worker). The cluster "core" (the
 * heartbeat, userw and mirror modules) runs while the cluster service is
 * started on this server: clpmgrd starts it at launch unless told
 * --no-start, 'clpcl -s' starts it, 'clpcl -t' stops it.
 *
 * Modules:
 *   nm (in rc.c)  node manager: server up/down from clpkhb's events (hb.c
 *                 calls rc_peer_event()), never from timers of its own
 *   rc            groups: a single worker thread runs every job (start,
 *                 stop, move, failover, cluster start/stop) one at a time
 *   res.c         resource agents: md, exec, fip
 *   req.c         requests from commands and from the other daemons
 *
 * Locking: clus.lock protects every field of struct cluster except cfg,
 * which is written once before any thread but the metrics server starts
 * (that one reads it only after cfg_ready is set). Resource agents and
 * peer requests run without it. clus.cond signals a queued job, a finished
 * job, a server event and the end of the startup wait.
 */
#ifndef CLP_MGR_CLUSTER_H
#define CLP_MGR_CLUSTER_H

#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <json-c/json.h>

#include "clp_grp.h"
#include "mgr.h"

#define CLP_LINK_MAX 8	/* heartbeat links shown by clpstat */

enum grp_st { GS_OFFLINE, GS_STARTING, GS_ONLINE, GS_STOPPING, GS_ERROR, GS_UNKNOWN };
enum srv_st { SRV_UNKNOWN, SRV_UP, SRV_DOWN };

struct grp_rt {
	enum grp_st st;				/* on this server */
	enum grp_st res_st[CLP_GRP_RES_MAX];
	int owner;				/* server running it, -1: none known */
	/*
	 * Its server went down and another server was to take it over:
	 * that one (failover_to) and the dead one (failover_from), until a
	 * server reports it again. Should failover_to go down before, the
	 * failover falls to the next server of the policy.
	 */
	int failover_to, failover_from;
	char why[256];				/* last failure */
	/* Start reservation (Documentation/cluster.md, "One server starts a group"). */
	bool reserving;				/* this server is asking the others */
	bool yielded;				/* ... and granted a server of higher priority */
	int reserved_by;			/* server granted a start here, -1: none */
	bool cleanup;				/* left starting/stopping by a killed daemon */
	time_t reserved_until;			/* CLOCK_MONOTONIC s: the grant lapses */
};

enum job_type {
	J_START,	/* grp on this server; arg 1: failover */
	J_STOP,		/* grp on this server */
	J_MOVE,		/* grp to server srv */
	J_FAILOVER,	/* server srv went down */
	J_SYNC,		/* server srv came up: learn its groups */
	J_CL_START,	/* start the cluster service here */
	J_CL_STOP,	/* stop it; arg 1: then shut down, 2: then reboot */
	J_STARTUP,	/* after a start: wait for the others, start groups */
	J_CL_SUSPEND,	/* stop the core, leave the groups running */
	J_CL_RESUME,	/* start the core again, the groups as they are */
	J_CLEANUP,	/* stop groups a killed daemon left starting/stopping */
	J_TWICE,	/* server srv runs a group that runs here too (2.12.9) */
	J_HANDOVER,	/* server srv stopped the groups of arg (a mask) after a
			 * failed resume: the next server takes them */
};

struct job {
	enum job_type type;
	int grp, srv, arg;
	int hops;		/* J_START: moves after failed activations so far */
	bool done;
	int code;		/* enum clp_exit */
	char msg[512];
	bool owned;		/* freed by the worker (nobody waits) */
	struct job *next;
};

struct cluster {
	struct mgr *m;
	struct clp_cluster cfg;
	bool cfg_ready;			/* cfg loaded (the metrics scrape may read it) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started;			/* the cluster service runs here */
	bool core_up;			/* hb, userw, mirror modules started */
	bool suspended;			/* clpcl --suspend: no failover, groups kept */
	enum srv_st srv[CLP_SRV_MAX];
	bool srv_started[CLP_SRV_MAX];	/* as that server last told us */
	time_t down_at[CLP_SRV_MAX];	/* when clpkhb declared it down */
	enum srv_st link[CLP_SRV_MAX][CLP_LINK_MAX];	/* lankhbN, index N - 1 */
	bool waiting;			/* startup synchronisation wait */
	bool wait_cancel;
	struct grp_rt g[CLP_GRP_MAX];
	struct job *head, *tail;
	bool worker_stop;
	int asking;			/* server the worker waits for, -1: none */
	/* Network partition resolution, run at once when a server goes down
	 * (a thread of its own, not queued behind the worker's jobs). */
	bool np_busy;			/* a resolution runs */
	bool np_lost;			/* the last one was lost: start nothing */
	int np_seq, np_done;		/* resolutions started, finished */
	bool np_again;			/* a server went down while one ran */
	time_t np_won_at;		/* last resolution won (fence.c), 0 never */
	/* clpcl --suspend, phase 1: no failover until then (CLOCK_MONOTONIC s)
	 * while the servers stop their heartbeats one after the other. */
	time_t suspending_until;
	bool twice_queued;		/* a J_TWICE job waits */
	/* Groups handed over by a server whose resume failed, while this
	 * one was still suspended: taken when it resumes (group masks). */
	unsigned int handover[CLP_SRV_MAX];
	/* Status messages: this daemon's epoch and counter, the last seen of
	 * each other server (an older one arriving late is ignored). */
	long long epoch, seq;
	long long peer_epoch[CLP_SRV_MAX], peer_seq[CLP_SRV_MAX];
};

extern struct cluster clus;

/* rc.c */
void rc_peer_event(const char *server, bool up);
void rc_link_event(const char *server, unsigned int link, bool up);
bool rc_groups_here(void);	/* a group is not offline on this server */
int rc_submit(struct job *j, bool wait);	/* 0 or -ENOMEM */
struct json_object *rc_status_json(void);	/* this server's view */
void rc_note_remote(int srv, struct json_object *status);
const char *grp_st_name(enum grp_st s);
void rc_notify_peers(void);
/* A start reservation asked by server @from: 0 granted, else an exit code
 * with @msg set; the release of one. */
int rc_reserve(int gi, int from, char *msg, size_t len);
void rc_release(int gi, int from);
int rc_handover(int from, unsigned int mask, char *msg, size_t len);
bool rc_worker_asking(int srv);	/* the worker waits for an answer from @srv */
/* clpcl --suspend, phase 1 (@on) or its abort: 0, or an exit code with @msg. */
int rc_suspend_prepare(bool on, char *msg, size_t len);
/* The final action "reset" now: this server resets through clpka (event
 * rc 50 with @why), so that another may take over what runs here. */
void rc_self_reset(const char *why);

/* res.c: 0, or an exit code with @err set. */
int res_start(const struct clp_group *g, int ri, bool failover, char *err, size_t errlen);
int res_stop(const struct clp_group *g, int ri, char *err, size_t errlen);
/* 1 running on this server, 0 not, -1 unknown. */
int res_running(const struct clp_group *g, int ri);

/* req.c: the reply to a request (from a command when @from < 0). */
struct json_object *req_handle(struct json_object *req, int from);

/* main.c: the cluster core modules. */
int mgr_core_start(struct mgr *m);
void mgr_core_stop(struct mgr *m);

#endif /* CLP_MGR_CLUSTER_H */
