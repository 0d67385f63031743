// SPDX-License-Identifier: GPL-2.0
/*
 * clpkactrl: control and inspect the keepalive driver (clpka).
 *
 *   clpkactrl [-s|--status] [--json]        clients and the shutdown monitor
 *   clpkactrl --reset|--panic|--log --reason TEXT
 *                                           keepalive action now (root)
 *   clpkactrl --shutdown-arm MS --action reset|panic|log
 *   clpkactrl --shutdown-disarm
 *   clpkactrl --client --timeout MS --action A [--name N] [--interval MS]
 *                                           be a client: ping until SIGTERM/SIGINT,
 *                                           then disarm and close
 *   clpkactrl --version [--json]
 * Documentation/keepalive.md has the manual page.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include <clpstack/clpka.h>

#include "clp_log.h"
#include "clp_nl.h"
#include "clp_out.h"
#include "clp_version.h"

static const char *action_name(uint32_t a)
{
	switch (a) {
	case CLPKA_ACTION_RESET: return "RESET";
	case CLPKA_ACTION_PANIC: return "PANIC";
	case CLPKA_ACTION_LOG: return "LOG";
	default: return "NONE";
	}
}

static int parse_action(const char *s, uint32_t *out)
{
	if (!strcasecmp(s, "reset"))
		*out = CLPKA_ACTION_RESET;
	else if (!strcasecmp(s, "panic"))
		*out = CLPKA_ACTION_PANIC;
	else if (!strcasecmp(s, "log"))
		*out = CLPKA_ACTION_LOG;
	else {
		clp_err("invalid action '%s' (reset, panic or log)", s);
		return -1;
	}
	return 0;
}

static int parse_ms(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		clp_err("invalid %s '%s' (milliseconds, %ld to %ld)", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static void show_client(struct clp_out *o, const struct nlattr *nest)
{
	const struct nlattr *tb[CLPKA_A_MAX + 1] = { 0 };
	char key[64];

	clp_nl_parse_nested(nest, tb, CLPKA_A_MAX);
	snprintf(key, sizeof(key), "client %s", clp_nl_str(tb[CLPKA_A_NAME]));
	clp_out_obj_begin(o, key);
	clp_out_u64(o, "id", clp_nl_u32(tb[CLPKA_A_CLIENT_ID]));
	clp_out_str(o, "name", clp_nl_str(tb[CLPKA_A_NAME]));
	clp_out_str(o, "comm", clp_nl_str(tb[CLPKA_A_COMM]));
	clp_out_u64(o, "pid", clp_nl_u32(tb[CLPKA_A_PID]));
	clp_out_u64(o, "timeout_ms", clp_nl_u32(tb[CLPKA_A_TIMEOUT_MS]));
	clp_out_str(o, "action", action_name(clp_nl_u32(tb[CLPKA_A_ACTION])));
	clp_out_bool(o, "armed", clp_nl_u8(tb[CLPKA_A_ARMED]));
	clp_out_bool(o, "expired", clp_nl_u8(tb[CLPKA_A_EXPIRED]));
	clp_out_bool(o, "orphan", clp_nl_u8(tb[CLPKA_A_ORPHAN]));
	clp_out_u64(o, "remaining_ms", clp_nl_u64(tb[CLPKA_A_REMAINING_MS]));
	clp_out_u64(o, "pings", clp_nl_u64(tb[CLPKA_A_PINGS]));
	clp_out_obj_end(o);
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct clp_out *o = data;
	const struct nlattr *tb[CLPKA_A_MAX + 1], *a;

	clp_nl_parse(nlh, tb, CLPKA_A_MAX);
	clp_out_u64(o, "ratio", clp_nl_u32(tb[CLPKA_A_RATIO]));
	if (tb[CLPKA_A_SHUTDOWN]) {
		clp_out_list_begin(o, "shutdown_monitor");
		show_client(o, tb[CLPKA_A_SHUTDOWN]);
		clp_out_list_end(o);
	}
	clp_out_list_begin(o, "clients");
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CLPKA_A_CLIENT)
			show_client(o, a);
	clp_out_list_end(o);
	return MNL_CB_OK;
}

static int open_family(struct clp_nl **nl)
{
	int ret = clp_nl_open(nl, CLPKA_FAMILY_NAME);

	if (ret == -ENOENT) {
		clp_err("the clpka module is not loaded");
		return CLP_EXIT_NOMODULE;
	}
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return CLP_EXIT_ERROR;
	}
	return 0;
}

static int talk(struct nlmsghdr *(*build)(struct clp_nl *, void *), void *arg,
		mnl_cb_t cb, void *data, const char *what)
{
	struct clp_nl *nl;
	int ret = open_family(&nl);

	if (ret)
		return ret;
	ret = clp_nl_talk(nl, build(nl, arg), cb, data);
	if (ret < 0) {
		clp_err("%s: %s", what, clp_nl_errmsg(nl));
		clp_nl_close(nl);
		return ret == -EPERM ? CLP_EXIT_PERM : CLP_EXIT_ERROR;
	}
	clp_nl_close(nl);
	return CLP_EXIT_OK;
}

static struct nlmsghdr *build_status(struct clp_nl *nl, void *arg)
{
	return clp_nl_req(nl, CLPKA_CMD_GET_STATUS, 0);
}

struct act {
	uint32_t action;
	const char *reason;
	long timeout_ms;
};

static struct nlmsghdr *build_action(struct clp_nl *nl, void *arg)
{
	struct act *a = arg;
	struct nlmsghdr *req = clp_nl_req(nl, CLPKA_CMD_ACTION, 0);

	mnl_attr_put_u32(req, CLPKA_A_ACTION, a->action);
	mnl_attr_put_strz(req, CLPKA_A_REASON, a->reason);
	return req;
}

static struct nlmsghdr *build_sd_arm(struct clp_nl *nl, void *arg)
{
	struct act *a = arg;
	struct nlmsghdr *req = clp_nl_req(nl, CLPKA_CMD_SHUTDOWN_ARM, 0);

	mnl_attr_put_u32(req, CLPKA_A_TIMEOUT_MS, (uint32_t)a->timeout_ms);
	mnl_attr_put_u32(req, CLPKA_A_ACTION, a->action);
	return req;
}

static struct nlmsghdr *build_sd_disarm(struct clp_nl *nl, void *arg)
{
	return clp_nl_req(nl, CLPKA_CMD_SHUTDOWN_DISARM, 0);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Be a keepalive client until SIGTERM/SIGINT: disarm and close then. */
static int run_client(long timeout_ms, uint32_t action, const char *name, long interval_ms)
{
	struct clpka_arm a = { .timeout_ms = (uint32_t)timeout_ms, .action = action };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec ts = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };
	int fd;

	snprintf(a.name, sizeof(a.name), "%s", name ? name : "clpkactrl");
	fd = open("/dev/clpka", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		clp_err("cannot open /dev/clpka: %s", strerror(errno));
		return errno == ENOENT ? CLP_EXIT_NOMODULE :
		       errno == EACCES ? CLP_EXIT_PERM : CLP_EXIT_ERROR;
	}
	if (ioctl(fd, CLPKA_IOC_ARM, &a) < 0) {
		clp_err("cannot arm the keepalive: %s", strerror(errno));
		close(fd);
		return CLP_EXIT_ERROR;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("armed: name %s, timeout %ld ms, action %s, ping every %ld ms\n",
	       a.name, timeout_ms, action_name(action), interval_ms);
	fflush(stdout);
	while (!stop) {
		nanosleep(&ts, NULL);
		if (!stop && ioctl(fd, CLPKA_IOC_PING) < 0) {
			clp_err("ping failed: %s", strerror(errno));
			break;
		}
	}
	if (ioctl(fd, CLPKA_IOC_DISARM) < 0)
		clp_err("disarm failed: %s", strerror(errno));
	close(fd);
	return CLP_EXIT_OK;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clpkactrl [-s|--status] [--json]\n"
		"       clpkactrl --reset|--panic|--log --reason <text>\n"
		"       clpkactrl --shutdown-arm <ms> --action reset|panic|log\n"
		"       clpkactrl --shutdown-disarm\n"
		"       clpkactrl --client --timeout <ms> --action reset|panic|log [--name <name>] [--interval <ms>]\n"
		"       clpkactrl --version [--json]\n"
		"  -s, --status          keepalive clients and the shutdown monitor (default)\n"
		"      --reset           keepalive reset now (emergency restart)\n"
		"      --panic           keepalive panic now\n"
		"      --log             log the reason only (test)\n"
		"      --reason          why (logged in the kernel log); required with the above\n"
		"      --shutdown-arm    start the shutdown stall timer\n"
		"      --shutdown-disarm stop it\n"
		"      --client          ping /dev/clpka until SIGTERM, then disarm\n"
		"  -v, --version         show the command's and the clpka module's versions\n"
		"  -j, --json            JSON output\n"
		"  -h, --help            this help\n");
}

enum { OPT_RESET = 256, OPT_PANIC, OPT_LOG, OPT_REASON, OPT_SD_ARM, OPT_SD_DISARM,
       OPT_ACTION, OPT_CLIENT, OPT_TIMEOUT, OPT_NAME, OPT_INTERVAL };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", no_argument, NULL, 's' },
		{ "reset", no_argument, NULL, OPT_RESET },
		{ "panic", no_argument, NULL, OPT_PANIC },
		{ "log", no_argument, NULL, OPT_LOG },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "shutdown-arm", required_argument, NULL, OPT_SD_ARM },
		{ "shutdown-disarm", no_argument, NULL, OPT_SD_DISARM },
		{ "action", required_argument, NULL, OPT_ACTION },
		{ "client", no_argument, NULL, OPT_CLIENT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "version", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct act act = { 0 };
	const char *name = NULL;
	bool json = false, have_action = false;
	long timeout_ms = 0, interval_ms = 0;
	int c, mode = 's', nmodes = 0;
	struct clp_out o;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "svjh", opts, NULL)) != -1) {
		switch (c) {
		case 's': case 'v': case OPT_SD_DISARM: case OPT_CLIENT:
			mode = c;
			nmodes++;
			break;
		case OPT_RESET: case OPT_PANIC: case OPT_LOG:
			mode = c;
			nmodes++;
			act.action = c == OPT_RESET ? CLPKA_ACTION_RESET :
				     c == OPT_PANIC ? CLPKA_ACTION_PANIC : CLPKA_ACTION_LOG;
			break;
		case OPT_SD_ARM:
			mode = c;
			nmodes++;
			if (parse_ms("--shutdown-arm", optarg, CLPKA_MIN_TIMEOUT_MS,
				     CLPKA_MAX_TIMEOUT_MS, &act.timeout_ms) < 0)
				return CLP_EXIT_USAGE;
			break;
		case OPT_REASON:
			act.reason = optarg;
			break;
		case OPT_ACTION:
			if (parse_action(optarg, &act.action) < 0)
				return CLP_EXIT_USAGE;
			have_action = true;
			break;
		case OPT_TIMEOUT:
			if (parse_ms("--timeout", optarg, CLPKA_MIN_TIMEOUT_MS,
				     CLPKA_MAX_TIMEOUT_MS, &timeout_ms) < 0)
				return CLP_EXIT_USAGE;
			break;
		case OPT_INTERVAL:
			if (parse_ms("--interval", optarg, CLPKA_MIN_INTERVAL_MS, CLPKA_MAX_TIMEOUT_MS,
				     &interval_ms) < 0)
				return CLP_EXIT_USAGE;
			break;
		case OPT_NAME:
			if (!*optarg || strlen(optarg) >= CLPKA_NAME_LEN) {
				clp_err("invalid --name '%s' (1 to %d characters)", optarg,
					CLPKA_NAME_LEN - 1);
				return CLP_EXIT_USAGE;
			}
			name = optarg;
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
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (nmodes > 1) {
		clp_err("choose one of --status, --reset, --panic, --log, --shutdown-arm, --shutdown-disarm, --client, --version");
		return CLP_EXIT_USAGE;
	}
	if (act.reason && mode != OPT_RESET && mode != OPT_PANIC && mode != OPT_LOG) {
		clp_err("--reason goes with --reset, --panic or --log");
		return CLP_EXIT_USAGE;
	}
	if (have_action && mode != OPT_SD_ARM && mode != OPT_CLIENT) {
		clp_err("--action goes with --shutdown-arm or --client");
		return CLP_EXIT_USAGE;
	}
	if ((timeout_ms || interval_ms || name) && mode != OPT_CLIENT) {
		clp_err("--timeout, --interval and --name go with --client");
		return CLP_EXIT_USAGE;
	}
	switch (mode) {
	case 'v':
		return clp_show_version(CLPKA_FAMILY_NAME, "misc_minor", json);
	case OPT_RESET: case OPT_PANIC: case OPT_LOG:
		if (!act.reason || !*act.reason) {
			clp_err("--reason <text> is required (it goes to the kernel log)");
			return CLP_EXIT_USAGE;
		}
		if (strlen(act.reason) >= CLPKA_REASON_LEN) {
			clp_err("--reason is too long (at most %d characters)", CLPKA_REASON_LEN - 1);
			return CLP_EXIT_USAGE;
		}
		return talk(build_action, &act, NULL, NULL, "keepalive action");
	case OPT_SD_ARM:
		if (!have_action) {
			clp_err("--shutdown-arm needs --action reset|panic|log");
			return CLP_EXIT_USAGE;
		}
		return talk(build_sd_arm, &act, NULL, NULL, "arm the shutdown monitor");
	case OPT_SD_DISARM:
		return talk(build_sd_disarm, NULL, NULL, NULL, "disarm the shutdown monitor");
	case OPT_CLIENT:
		if (!timeout_ms || !have_action) {
			clp_err("--client needs --timeout <ms> and --action reset|panic|log");
			return CLP_EXIT_USAGE;
		}
		if (!interval_ms)
			interval_ms = timeout_ms / 4 > 10 ? timeout_ms / 4 : 10;
		if (interval_ms >= timeout_ms) {
			clp_err("--interval (%ld ms) must be shorter than --timeout (%ld ms)",
				interval_ms, timeout_ms);
			return CLP_EXIT_USAGE;
		}
		return run_client(timeout_ms, act.action, name, interval_ms);
	default: {
		int ret;

		clp_out_init(&o, stdout, json);
		clp_out_obj_begin(&o, NULL);
		ret = talk(build_status, NULL, status_cb, &o, "get status");
		if (ret)
			return ret;
		clp_out_obj_end(&o);
		clp_out_finish(&o);
		return CLP_EXIT_OK;
	}
	}
}
