// SPDX-License-Identifier: GPL-2.0
/* Common steps of the mirror disk commands. See clp_md_cmd.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_md_cmd.h"

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
	int ret = clp_md_nl_open(&c->nl);

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

void clp_md_cmd_free(struct clp_md_cmd *c)
{
	clp_nl_close(c->nl);
	clp_conf_free(c->conf);
	c->nl = NULL;
	c->conf = NULL;
}
