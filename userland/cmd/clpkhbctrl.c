// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhbctrl: control and inspect the kernel-mode LAN heartbeat driver (clpkhb).
 *
 *   clpkhbctrl [-s|--status] [--json]   driver state, peers, links, counters
 *   clpkhbctrl -l|--lines                clpstat-style heartbeat lines
 *   clpkhbctrl --config [FILE] [--server NAME]
 *                                        configure and start from clp.conf
 *   clpkhbctrl --stop                    stop heartbeats, forget the configuration
 *   clpkhbctrl -e|--events [--count N] [--wait MS] [--json]
 *                                        print events as they come
 *   clpkhbctrl --version [--json]
 * Documentation/heartbeat.md has the manual page.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/time.h>
#include <linux/genetlink.h>

#include <clpstack/clpkhb.h>

#include "clp_conf.h"
#include "clp_hb.h"
#include "clp_log.h"
#include "clp_nl.h"
#include "clp_out.h"
#include "clp_version.h"

static const char *state_name(unsigned int s)
{
	return s == CLPKHB_STATE_UP ? "up" : s == CLPKHB_STATE_DOWN ? "down" : "unknown";
}

static const char *event_name(unsigned int e)
{
	static const char *const n[] = {
		[CLPKHB_EVENT_PEER_UP] = "peer-up",
		[CLPKHB_EVENT_PEER_DOWN] = "peer-down",
		[CLPKHB_EVENT_LINK_UP] = "link-up",
		[CLPKHB_EVENT_LINK_DOWN] = "link-down",
		[CLPKHB_EVENT_MISMATCH] = "mismatch",
	};

	return e < sizeof(n) / sizeof(n[0]) && n[e] ? n[e] : "unknown";
}

static const char *addr_of(const struct nlattr *a, char *buf)
{
	struct in_addr in = { 0 };

	if (a && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		in.s_addr = mnl_attr_get_u32(a);
	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* min/max/avg in ms with three decimals (the kernel counts microseconds). */
static void out_times(struct clp_out *o, const char *what, const struct nlattr **tb,
		      int amin, int amax, int asum, uint64_t n)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_min_ms", what);
	clp_out_fmt(o, key, "%.3f", clp_nl_u64(tb[amin]) / 1000.0);
	snprintf(key, sizeof(key), "%s_max_ms", what);
	clp_out_fmt(o, key, "%.3f", clp_nl_u64(tb[amax]) / 1000.0);
	snprintf(key, sizeof(key), "%s_avg_ms", what);
	clp_out_fmt(o, key, "%.3f", n ? (double)clp_nl_u64(tb[asum]) / (double)n / 1000.0 : 0.0);
}

struct status_ctx {
	struct clp_out *o;
	bool lines;
	int npeers;
	const char *local;
};

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct status_ctx *c = data;
	struct clp_out *o = c->o;
	const struct nlattr *tb[CLPKHB_A_MAX + 1], *lt[CLPKHB_A_MAX + 1], *a;
	char addr[INET_ADDRSTRLEN];
	uint64_t end;

	clp_nl_parse(nlh, (const struct nlattr **)tb, CLPKHB_A_MAX);
	clp_out_bool(o, "running", clp_nl_u8(tb[CLPKHB_A_RUNNING]));
	clp_out_u64(o, "node_id", clp_nl_u32(tb[CLPKHB_A_NODE_ID]));
	clp_out_u64(o, "interval_ms", clp_nl_u32(tb[CLPKHB_A_INTERVAL_MS]));
	clp_out_u64(o, "timeout_ms", clp_nl_u32(tb[CLPKHB_A_TIMEOUT_MS]));
	clp_out_u64(o, "ratio", clp_nl_u32(tb[CLPKHB_A_RATIO]));
	end = clp_nl_u64(tb[CLPKHB_A_RATIO_END]);
	if (end) {
		time_t t = (time_t)end;
		char buf[64];

		strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M:%S", localtime(&t));
		clp_out_str(o, "ratio_end", buf);
	}
	clp_out_u64(o, "effective_timeout_ms", clp_nl_u64(tb[CLPKHB_A_EFFECTIVE_TIMEOUT_MS]));
	clp_out_u64(o, "port", tb[CLPKHB_A_PORT] ? mnl_attr_get_u16(tb[CLPKHB_A_PORT]) : 0);
	clp_out_bool(o, "key", clp_nl_u8(tb[CLPKHB_A_KEY_SET]));
	clp_out_fmt(o, "incarnation", "%016llx",
		    (unsigned long long)clp_nl_u64(tb[CLPKHB_A_INCARNATION]));
	clp_out_list_begin(o, "links");
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		char key[32];

		if (mnl_attr_get_type(a) != CLPKHB_A_LINK)
			continue;
		clp_nl_parse_nested(a, lt, CLPKHB_A_MAX);
		snprintf(key, sizeof(key), "lankhb%u", clp_nl_u32(lt[CLPKHB_A_LINK_ID]));
		clp_out_obj_begin(o, key);
		clp_out_str(o, "name", key);
		clp_out_u64(o, "priority", clp_nl_u32(lt[CLPKHB_A_PRIORITY]));
		clp_out_str(o, "local", addr_of(lt[CLPKHB_A_LOCAL_ADDR], addr));
		clp_out_u64(o, "unknown_sender", clp_nl_u64(lt[CLPKHB_A_UNKNOWN_SENDER]));
		clp_out_obj_end(o);
	}
	clp_out_list_end(o);
	return MNL_CB_OK;
}

/* One peer: the attributes nested in @peer. */
static void show_peer(struct status_ctx *c, const struct nlattr *peer)
{
	struct clp_out *o = c->o;
	const struct nlattr *tb[CLPKHB_A_MAX + 1], *lt[CLPKHB_A_MAX + 1], *a;
	char addr[INET_ADDRSTRLEN], key[64];
	const char *name;

	clp_nl_parse_nested(peer, tb, CLPKHB_A_MAX);
	name = clp_nl_str(tb[CLPKHB_A_NAME]);
	c->npeers++;
	if (c->lines) {
		mnl_attr_for_each_nested(a, peer) {
			if (mnl_attr_get_type(a) != CLPKHB_A_LINK)
				continue;
			clp_nl_parse_nested(a, lt, CLPKHB_A_MAX);
			printf("  %s lankhb%u : %s Kernel Mode LAN Heartbeat (%s)\n", name,
			       clp_nl_u32(lt[CLPKHB_A_LINK_ID]),
			       clp_nl_u8(lt[CLPKHB_A_STATE]) == CLPKHB_STATE_UP ? "Normal" :
			       clp_nl_u8(lt[CLPKHB_A_STATE]) == CLPKHB_STATE_DOWN ? "Error" : "Unknown",
			       addr_of(lt[CLPKHB_A_PEER_ADDR], addr));
		}
		return;
	}
	snprintf(key, sizeof(key), "peer %s", name);
	clp_out_obj_begin(o, key);
	clp_out_str(o, "name", name);
	clp_out_u64(o, "node_id", clp_nl_u32(tb[CLPKHB_A_NODE_ID]));
	clp_out_str(o, "state", state_name(clp_nl_u8(tb[CLPKHB_A_STATE])));
	if (tb[CLPKHB_A_SILENCE_MS])
		clp_out_u64(o, "silence_ms", clp_nl_u64(tb[CLPKHB_A_SILENCE_MS]));
	clp_out_fmt(o, "incarnation", "%016llx",
		    (unsigned long long)clp_nl_u64(tb[CLPKHB_A_PEER_INCARNATION]));
	clp_out_u64(o, "peer_interval_ms", clp_nl_u32(tb[CLPKHB_A_PEER_INTERVAL_MS]));
	clp_out_u64(o, "peer_timeout_ms", clp_nl_u32(tb[CLPKHB_A_PEER_TIMEOUT_MS]));
	clp_out_bool(o, "mismatch", clp_nl_u8(tb[CLPKHB_A_EVENT]) == CLPKHB_EVENT_MISMATCH);
	clp_out_list_begin(o, "links");
	mnl_attr_for_each_nested(a, peer) {
		uint64_t rc, sc;

		if (mnl_attr_get_type(a) != CLPKHB_A_LINK)
			continue;
		clp_nl_parse_nested(a, lt, CLPKHB_A_MAX);
		snprintf(key, sizeof(key), "lankhb%u", clp_nl_u32(lt[CLPKHB_A_LINK_ID]));
		clp_out_obj_begin(o, key);
		clp_out_str(o, "name", key);
		clp_out_str(o, "remote", addr_of(lt[CLPKHB_A_PEER_ADDR], addr));
		clp_out_str(o, "state", state_name(clp_nl_u8(lt[CLPKHB_A_STATE])));
		if (lt[CLPKHB_A_SILENCE_MS])
			clp_out_u64(o, "silence_ms", clp_nl_u64(lt[CLPKHB_A_SILENCE_MS]));
		rc = clp_nl_u64(lt[CLPKHB_A_RECV_COUNT]);
		sc = clp_nl_u64(lt[CLPKHB_A_SEND_COUNT]);
		clp_out_u64(o, "recv_count", rc);
		clp_out_u64(o, "recv_error", clp_nl_u64(lt[CLPKHB_A_RECV_ERROR]));
		out_times(o, "recv_time", lt, CLPKHB_A_RECV_TIME_MIN_US,
			  CLPKHB_A_RECV_TIME_MAX_US, CLPKHB_A_RECV_TIME_SUM_US,
			  rc > 1 ? rc - 1 : 0);
		clp_out_u64(o, "send_count", sc);
		clp_out_u64(o, "send_error", clp_nl_u64(lt[CLPKHB_A_SEND_ERROR]));
		out_times(o, "send_time", lt, CLPKHB_A_SEND_TIME_MIN_US,
			  CLPKHB_A_SEND_TIME_MAX_US, CLPKHB_A_SEND_TIME_SUM_US, sc);
		if (lt[CLPKHB_A_LAST_ERROR])
			clp_out_str(o, "last_error", clp_nl_str(lt[CLPKHB_A_LAST_ERROR]));
		clp_out_obj_end(o);
	}
	clp_out_list_end(o);
	clp_out_obj_end(o);
}

static int peers_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CLPKHB_A_PEER)
			show_peer(data, a);
	return MNL_CB_OK;
}

static int open_family(struct clp_nl **nl)
{
	int ret = clp_nl_open(nl, CLPKHB_FAMILY_NAME);

	if (ret == -ENOENT) {
		clp_err("the clpkhb module is not loaded");
		return CLP_EXIT_NOMODULE;
	}
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return CLP_EXIT_ERROR;
	}
	return 0;
}

static int nl_fail(struct clp_nl *nl, int ret, const char *what)
{
	clp_err("%s: %s", what, clp_nl_errmsg(nl));
	clp_nl_close(nl);
	return ret == -EPERM ? CLP_EXIT_PERM : ret == -EBUSY ? CLP_EXIT_STATE : CLP_EXIT_ERROR;
}

static int show_status(bool json, bool lines)
{
	struct clp_out o;
	struct status_ctx c = { .o = &o, .lines = lines };
	struct clp_nl *nl;
	int ret = open_family(&nl);

	if (ret)
		return ret;
	clp_out_init(&o, stdout, json);
	if (lines) {
		printf("%s:\n", clp_conf_local_server());
		ret = clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_PEERS, 0),
				  peers_cb, &c);
		if (ret < 0)
			return nl_fail(nl, ret, "get peers");
		clp_nl_close(nl);
		return CLP_EXIT_OK;
	}
	clp_out_obj_begin(&o, NULL);
	ret = clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_STATUS, 0), status_cb, &c);
	if (ret < 0)
		return nl_fail(nl, ret, "get status");
	clp_out_list_begin(&o, "peers");
	ret = clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_PEERS, 0), peers_cb, &c);
	if (ret < 0)
		return nl_fail(nl, ret, "get peers");
	clp_out_list_end(&o);
	clp_out_obj_end(&o);
	clp_out_finish(&o);
	clp_nl_close(nl);
	return CLP_EXIT_OK;
}

struct event_ctx {
	bool json;
	long count;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct event_ctx *c = data;
	const struct nlattr *tb[CLPKHB_A_MAX + 1];
	struct clp_out o;
	uint64_t ns;
	uint32_t link;

	if (clp_nl_cmd(nlh) != CLPKHB_CMD_EVENT)
		return MNL_CB_OK;
	clp_nl_parse(nlh, tb, CLPKHB_A_MAX);
	ns = clp_nl_u64(tb[CLPKHB_A_TIME_NS]);
	link = clp_nl_u32(tb[CLPKHB_A_LINK_ID]);
	clp_out_init(&o, stdout, c->json);
	if (c->json) {
		clp_out_obj_begin(&o, NULL);
		clp_out_u64(&o, "time_ns", ns);
		clp_out_str(&o, "event", event_name(clp_nl_u8(tb[CLPKHB_A_EVENT])));
		clp_out_str(&o, "peer", clp_nl_str(tb[CLPKHB_A_NAME]));
		clp_out_u64(&o, "node_id", clp_nl_u32(tb[CLPKHB_A_NODE_ID]));
		if (link)
			clp_out_fmt(&o, "link", "lankhb%u", link);
		clp_out_str(&o, "reason", clp_nl_str(tb[CLPKHB_A_REASON]));
		clp_out_obj_end(&o);
		clp_out_finish(&o);
	} else {
		char l[24] = "-";

		if (link)
			snprintf(l, sizeof(l), "lankhb%u", link);
		printf("%llu.%03llu %s %s %s %s\n", (unsigned long long)(ns / 1000000000ull),
		       (unsigned long long)(ns / 1000000ull % 1000), event_name(clp_nl_u8(tb[CLPKHB_A_EVENT])),
		       clp_nl_str(tb[CLPKHB_A_NAME]), l, clp_nl_str(tb[CLPKHB_A_REASON]));
		fflush(stdout);
	}
	if (c->count > 0 && --c->count == 0)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static void on_alarm(int sig)
{
	(void)sig;
	_exit(CLP_EXIT_OK);
}

static int watch_events(bool json, long count, long wait_ms)
{
	struct event_ctx c = { json, count };
	struct clp_nl *nl;
	int ret = open_family(&nl);

	if (ret)
		return ret;
	ret = clp_nl_join(nl, CLPKHB_MCGRP_EVENTS);
	if (ret < 0)
		return nl_fail(nl, ret, "join the events group");
	if (wait_ms > 0) {
		/* Exit with success after wait_ms (events are already flushed). */
		struct itimerval it = { .it_value = { wait_ms / 1000, (wait_ms % 1000) * 1000 } };

		signal(SIGALRM, on_alarm);
		setitimer(ITIMER_REAL, &it, NULL);
	}
	ret = clp_nl_recv(nl, event_cb, &c);
	clp_nl_close(nl);
	return ret < 0 ? CLP_EXIT_ERROR : CLP_EXIT_OK;
}

static int configure(const char *path, const char *server)
{
	struct clp_hb_conf hb;
	struct clp_conf *conf;
	char err[1024];
	int ret;

	if (!path)
		path = clp_conf_default_path();
	conf = clp_conf_load(path, err, sizeof(err));
	if (!conf) {
		clp_err("%s", err);
		return CLP_EXIT_CONFIG;
	}
	if (!server)
		server = clp_conf_local_server();
	ret = clp_hb_conf_read(conf, server, &hb, err, sizeof(err));
	clp_conf_free(conf);
	if (ret < 0) {
		clp_err("%s", err);
		return CLP_EXIT_CONFIG;
	}
	ret = clp_hb_apply(&hb, err, sizeof(err));
	if (ret < 0) {
		clp_err("%s", err);
		return ret == -ENOENT ? CLP_EXIT_NOMODULE :
		       ret == -EPERM ? CLP_EXIT_PERM : CLP_EXIT_ERROR;
	}
	printf("clpkhb started: node %s (id %u), %u link(s), %u peer(s), interval %u ms, timeout %u ms%s\n",
	       hb.name, hb.node_id, hb.nlinks, hb.npeers, hb.interval_ms, hb.timeout_ms,
	       hb.has_key ? ", cluster key set" : "");
	return CLP_EXIT_OK;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clpkhbctrl [-s|--status] [--json]\n"
		"       clpkhbctrl -l|--lines\n"
		"       clpkhbctrl --config [<clp.conf>] [--server <name>]\n"
		"       clpkhbctrl --stop\n"
		"       clpkhbctrl -e|--events [--count <n>] [--wait <ms>] [--json]\n"
		"       clpkhbctrl --version [--json]\n"
		"  -s, --status    driver state, peers, links and counters (default)\n"
		"  -l, --lines     one clpstat-style line per peer and link\n"
		"      --config    configure clpkhb from clp.conf and start heartbeats\n"
		"      --server    this server's name in clp.conf (default: host name)\n"
		"      --stop      stop heartbeats and forget the configuration\n"
		"  -e, --events    print peer/link events as they happen\n"
		"      --count     exit after <n> events\n"
		"      --wait      exit after <ms> milliseconds\n"
		"  -v, --version   show the command's and the clpkhb module's versions\n"
		"  -j, --json      JSON output\n"
		"  -h, --help      this help\n");
}

static int parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		clp_err("invalid %s '%s' (an integer from %ld to %ld)", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_CONFIG = 256, OPT_SERVER, OPT_STOP, OPT_COUNT, OPT_WAIT };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", no_argument, NULL, 's' },
		{ "lines", no_argument, NULL, 'l' },
		{ "config", optional_argument, NULL, OPT_CONFIG },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "stop", no_argument, NULL, OPT_STOP },
		{ "events", no_argument, NULL, 'e' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "version", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *conf_path = NULL, *server = NULL;
	bool json = false;
	long count = 0, wait_ms = 0;
	int c, action = 0, nactions = 0;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "slevjh", opts, NULL)) != -1) {
		switch (c) {
		case 's': case 'l': case 'e': case 'v': case OPT_STOP:
			action = c;
			nactions++;
			break;
		case OPT_CONFIG:
			action = c;
			nactions++;
			conf_path = optarg;
			break;
		case OPT_SERVER:
			server = optarg;
			break;
		case OPT_COUNT:
			if (parse_long("--count", optarg, 1, 1000000, &count) < 0)
				return CLP_EXIT_USAGE;
			break;
		case OPT_WAIT:
			if (parse_long("--wait", optarg, 1, 86400000, &wait_ms) < 0)
				return CLP_EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return CLP_EXIT_OK;
		default:
			usage(stderr);
			return CLP_EXIT_USAGE;
		}
	}
	/* --config FILE may be given as a separate word. */
	if (action == OPT_CONFIG && !conf_path && optind < argc)
		conf_path = argv[optind++];
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (nactions > 1) {
		clp_err("choose one of --status, --lines, --config, --stop, --events, --version");
		return CLP_EXIT_USAGE;
	}
	if ((count || wait_ms) && action != 'e') {
		clp_err("--count and --wait go with --events");
		return CLP_EXIT_USAGE;
	}
	if (server && action != OPT_CONFIG) {
		clp_err("--server goes with --config");
		return CLP_EXIT_USAGE;
	}
	switch (action) {
	case 'v':
		return clp_show_version(CLPKHB_FAMILY_NAME, "misc_minor", json);
	case 'l':
		return show_status(false, true);
	case 'e':
		return watch_events(json, count, wait_ms);
	case OPT_CONFIG:
		return configure(conf_path, server);
	case OPT_STOP: {
		char err[512];
		int ret = clp_hb_reset(err, sizeof(err));

		if (ret < 0) {
			clp_err("%s", err);
			return ret == -ENOENT ? CLP_EXIT_NOMODULE :
			       ret == -EPERM ? CLP_EXIT_PERM : CLP_EXIT_ERROR;
		}
		return CLP_EXIT_OK;
	}
	default:
		return show_status(json, false);
	}
}
