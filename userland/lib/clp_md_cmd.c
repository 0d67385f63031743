// SPDX-License-Identifier: GPL-2.0
/* Common steps of the mirror disk commands. See clp_md_cmd.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_out.h"

int clp_md_cmd_root(void)
{
	if (geteuid() != 0) {
		clp_err("must be run as root");
		return CLP_EXIT_PERM;
	}
	return CLP_EXIT_OK;
}

int clp_md_cmd_conf(struct clp_md_cmd *c)
{
	char err[1024];

	c->conf = clp_conf_load(clp_conf_default_path(), err, sizeof(err));
	if (!c->conf) {
		clp_err("%s", err);
		return CLP_EXIT_CONFIG;
	}
	c->server = clp_conf_local_server();
	return CLP_EXIT_OK;
}

int clp_md_cmd_resource(struct clp_md_cmd *c, const char *name)
{
	char err[1024];
	int ret;

	ret = clp_md_load(c->conf, name, c->server, &c->md, err, sizeof(err));
	if (ret == -ENOENT) {
		clp_err("%s", err);
		return CLP_EXIT_USAGE;
	}
	if (ret < 0) {
		clp_err("%s", err);
		return CLP_EXIT_CONFIG;
	}
	return CLP_EXIT_OK;
}

int clp_md_cmd_driver(struct clp_md_cmd *c)
{
	int ret;

	if (c->nl)	/* opened already (clp_md_cmd_in_driver()) */
		return CLP_EXIT_OK;
	ret = clp_md_nl_open(&c->nl);

	if (ret == -ENOENT) {
		clp_err("the liscal module is not loaded (no generic netlink family 'liscal'): "
			"load it with 'modprobe liscal' or insmod liscal.ko");
		return CLP_EXIT_NOMODULE;
	}
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return CLP_EXIT_ERROR;
	}
	return CLP_EXIT_OK;
}

int clp_md_cmd_fail(struct clp_md_cmd *c, const char *what, int err)
{
	clp_err("%s: %s failed: %s", c->md.name, what, clp_nl_errmsg(c->nl));
	return clp_md_nl_exit(err);
}

int clp_md_cmd_status(struct clp_md_cmd *c, struct clp_md_status *st)
{
	int ret = clp_md_nl_get(c->nl, c->md.name, st);

	if (ret == -ENOENT) {
		clp_err("%s: not configured in the liscal driver (is the mirror agent, clpmgrd, "
			"running?)", c->md.name);
		return CLP_EXIT_STATE;
	}
	if (ret < 0)
		return clp_md_cmd_fail(c, "status", ret);
	return CLP_EXIT_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int clp_md_cmd_connect(struct clp_md_cmd *c, int seconds)
{
	struct clp_md_status st;
	double end = now_s() + seconds;
	int ret;

	ret = clp_md_cmd_status(c, &st);
	if (ret)
		return ret;
	if (st.conn == LISCAL_CONN_STANDALONE) {
		ret = clp_md_nl_cmd(c->nl, LISCAL_CMD_CONNECT, c->md.name, 0);
		if (ret < 0)
			return clp_md_cmd_fail(c, "connect", ret);
	}
	while (st.conn != LISCAL_CONN_CONNECTED) {
		if (now_s() > end) {
			clp_err("%s: not connected to %s (%s) after %d s: check the mirror connect "
				"and that the mirror agent runs there", c->md.name, c->md.peer.server,
				c->md.peer.addr, seconds);
			return CLP_EXIT_STATE;
		}
		usleep(100 * 1000);
		ret = clp_md_cmd_status(c, &st);
		if (ret)
			return ret;
	}
	return CLP_EXIT_OK;
}

int clp_md_cmd_node_of(const struct clp_md_cmd *c, const char *server)
{
	if (!strcmp(server, c->md.local.server))
		return (int)c->md.local.node_id;
	if (!strcmp(server, c->md.peer.server))
		return (int)c->md.peer.node_id;
	return -1;
}

void clp_md_cmd_print_list(const char *const *names, int n, bool json)
{
	char tag[CLP_MD_NAMELEN + 2];
	struct clp_out o;
	int i;

	clp_out_init(&o, stdout, json);
	if (json)
		clp_out_obj_begin(&o, NULL);
	clp_out_list_begin(&o, json ? "resources" : NULL);
	for (i = 0; i < n; i++) {
		/* The guide's text form is "<md01>"; JSON holds the bare name. */
		snprintf(tag, sizeof(tag), "<%s>", names[i]);
		clp_out_str(&o, NULL, json ? names[i] : tag);
	}
	clp_out_list_end(&o);
	if (json)
		clp_out_obj_end(&o);
	clp_out_finish(&o);
}

void clp_md_cmd_free(struct clp_md_cmd *c)
{
	clp_nl_close(c->nl);
	clp_conf_free(c->conf);
	c->nl = NULL;
	c->conf = NULL;
}

/* RES_GET of the resource: 1 the driver has it (@st filled), 0 it has not
 * or the module is not loaded, else minus an exit code (message printed). */
int clp_md_cmd_in_driver(struct clp_md_cmd *c, struct clp_md_status *st)
{
	int ret = c->nl ? 0 : clp_md_nl_open(&c->nl);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return -CLP_EXIT_ERROR;
	}
	ret = clp_md_nl_get(c->nl, c->md.name, st);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return -clp_md_cmd_fail(c, "status", ret);
	return 1;
}

/*
 * Backup mode on (clpmdinit), clproset -w: the driver must let the
 * partition go. A resource active here or in a mirror recovery is refused
 * (the guide stops the group first; a copy cut off mid-recovery would be
 * inconsistent); else RES_DESTROY: the mirror connection closes and the
 * other server, if it goes on writing, records it in its bitmap.
 */
int clp_md_cmd_release(struct clp_md_cmd *c, bool dry)
{
	struct clp_md_status st;
	int ret = clp_md_cmd_in_driver(c, &st);

	if (ret <= 0)
		return -ret;
	if (st.role == LISCAL_ROLE_ACTIVE) {
		clp_err("%s: active on this server: stop its group first", c->md.name);
		return CLP_EXIT_STATE;
	}
	if (st.recovery_dir != LISCAL_RECOVERY_NONE) {
		clp_err("%s: a mirror recovery is running: wait until it completes", c->md.name);
		return CLP_EXIT_STATE;
	}
	if (dry)
		return CLP_EXIT_OK;
	ret = clp_md_nl_cmd(c->nl, LISCAL_CMD_RES_DESTROY, c->md.name, 0);
	if (ret < 0)
		return clp_md_cmd_fail(c, "release from the driver", ret);
	clp_info("%s: released by this server's liscal driver", c->md.name);
	return CLP_EXIT_OK;
}

int clp_md_cmd_not_in_driver(struct clp_md_cmd *c, const char *advice)
{
	struct clp_md_status st;
	int ret = clp_md_cmd_in_driver(c, &st);

	if (ret < 0)
		return -ret;
	if (ret) {
		clp_err("%s: configured in the liscal driver (%s, %s): %s", c->md.name,
			clp_md_role_name(st.role), clp_md_conn_name(st.conn), advice);
		return CLP_EXIT_STATE;
	}
	return CLP_EXIT_OK;
}
