/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cluster service's configuration: servers, failover groups and their
 * resources, network partition resolution, startup wait, the daemons'
 * port (clp.conf, schema userland/conf/clp-grp.rng;
 * Documentation/configuration.md, "Groups and the cluster service").
 *
 * clp_cluster_load() reads and checks all of it; an error names the file,
 * the line and the key in clp.conf notation, e.g.
 *   /opt/clpstack/etc/clp.conf:71: group@failover1/resource: 'md@md9' is
 *   not a resource of this configuration
 */
#ifndef CLP_GRP_H
#define CLP_GRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clp_conf.h"

#define CLP_SRV_MAX 8		/* servers in a cluster */
#define CLP_GRP_MAX 16		/* groups */
#define CLP_GRP_RES_MAX 16	/* resources in a group */
#define CLP_PINGNP_MAX 4
#define CLP_NAME_LEN 32		/* server, group and resource names */
#define CLP_GRP_PATHLEN 256

enum clp_res_type { CLP_RES_MD, CLP_RES_EXEC, CLP_RES_FIP, CLP_RES_HD };

/* What happens when a resource's activation or deactivation failed after
 * its retries (the full table of final actions is a later issue). */
enum clp_final {
	CLP_FINAL_NONE,		/* leave the group as it is, in error */
	CLP_FINAL_STOPGROUP,	/* deactivate the whole group */
	CLP_FINAL_RESET,	/* reset the server through clpka */
};

/* Action at a lost network partition resolution (npaction, 0-6). */
enum clp_npaction {
	CLP_NP_NONE,
	CLP_NP_STOP,		/* stop the cluster service */
	CLP_NP_SHUTDOWN,	/* stop it and shut down (default) */
	CLP_NP_REBOOT,
	CLP_NP_PANIC,		/* sysrq panic */
	CLP_NP_KA_RESET,	/* keepalive reset */
	CLP_NP_KA_PANIC,
};

struct clp_res_act {
	long timeout_s;		/* a start/stop taking longer failed */
	long retry;		/* attempts after the first */
	enum clp_final final;
};

struct clp_res {
	enum clp_res_type type;
	char name[CLP_NAME_LEN];
	struct clp_res_act act, deact;
	char start[CLP_GRP_PATHLEN];	/* exec: scripts */
	char stop[CLP_GRP_PATHLEN];
	char ip[24];			/* fip: a.b.c.d or a.b.c.d/prefix */
};

struct clp_group {
	char name[CLP_NAME_LEN];
	int nsrv;
	int srv[CLP_SRV_MAX];	/* server indexes, highest priority first */
	bool autostart;		/* started when the cluster starts */
	bool autofailover;	/* moved when its server goes down */
	long threshold;		/* failovers after a failed activation */
	int nres;
	struct clp_res res[CLP_GRP_RES_MAX];	/* activation order */
};

struct clp_pingnp {
	char name[CLP_NAME_LEN];
	char target[16];
	long timeout_s;
};

struct clp_cluster {
	char name[CLP_NAME_LEN];
	int nsrv;
	char srv[CLP_SRV_MAX][CLP_NAME_LEN];	/* document order */
	char addr[CLP_SRV_MAX][16];		/* interconnect: first lan device */
	int self;				/* index of this server */
	long port;				/* TCP port of the daemons */
	long synctime_s;			/* startup wait for the others */
	long hb_timeout_ms, hb_interval_ms;
	long userw_timeout_ms;			/* 0: no user-mode monitor */
	bool has_key;
	uint8_t key[32];			/* the heartbeat's cluster key */
	enum clp_npaction npaction;
	int nping;
	struct clp_pingnp ping[CLP_PINGNP_MAX];
	bool majority;		/* networkpartition/majority: 3 or more servers */
	int ngrp;
	struct clp_group grp[CLP_GRP_MAX];
};

/* Read the cluster service's configuration as seen from @server. Returns
 * 0, or -EINVAL with file:line: key: what in @err. */
int clp_cluster_load(struct clp_conf *conf, const char *server, struct clp_cluster *cl,
		     char *err, size_t errlen);

int clp_cluster_server(const struct clp_cluster *cl, const char *name);
int clp_cluster_group(const struct clp_cluster *cl, const char *name);
const char *clp_res_type_name(enum clp_res_type t);
const char *clp_final_name(enum clp_final f);
const char *clp_npaction_name(enum clp_npaction a);

#define CLP_DEFAULT_PORT 29001

#endif /* CLP_GRP_H */
