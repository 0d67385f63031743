// SPDX-License-Identifier: GPL-2.0
/*
 * clptoratio: extend every timeout of the stack temporarily (guide 2.13).
 *
 *   clptoratio -r <ratio> -t <time>   multiply timeouts by <ratio> (2..10000)
 *                                     for <time> (<n>s, <n>m, <n>h or <n>d,
 *                                     1 s to 366 d)
 *   clptoratio -i                     end it now
 *   clptoratio -s [--json]            show the current ratio and its end
 * The ratio lives in the clpkhb driver of this server and applies to the
 * heartbeat timeout and to clpka's timeouts; run it on every server whose
 * timeouts must stretch (Documentation/heartbeat.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clpstack/clpkhb.h>

#include "clp_log.h"
#include "clp_nl.h"
#include "clp_out.h"

static int parse_ratio(const char *s, uint32_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 2 || v > CLPKHB_MAX_RATIO) {
		clp_err("invalid ratio '%s' (an integer from 2 to %d)", s, CLPKHB_MAX_RATIO);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_time(const char *s, uint32_t *out)
{
	unsigned long long mul, v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-' || !end[0] || end[1])
		goto bad;
	switch (end[0]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: goto bad;
	}
	if (v == 0 || v > CLPKHB_MAX_RATIO_SECS / mul)
		goto bad;
	*out = (uint32_t)(v * mul);
	return 0;
bad:
	clp_err("invalid time '%s' (a number with a unit s, m, h or d, from 1s to %dd)",
		s, CLPKHB_MAX_RATIO_SECS / 86400);
	return -1;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct clp_out *o = data;
	const struct nlattr *tb[CLPKHB_A_MAX + 1];
	uint32_t ratio = 1;
	uint64_t end = 0;

	clp_nl_parse(nlh, tb, CLPKHB_A_MAX);
	if (tb[CLPKHB_A_RATIO] && mnl_attr_validate(tb[CLPKHB_A_RATIO], MNL_TYPE_U32) == 0)
		ratio = mnl_attr_get_u32(tb[CLPKHB_A_RATIO]);
	if (tb[CLPKHB_A_RATIO_END] && mnl_attr_validate(tb[CLPKHB_A_RATIO_END], MNL_TYPE_U64) == 0)
		end = mnl_attr_get_u64(tb[CLPKHB_A_RATIO_END]);
	clp_out_u64(o, "present toratio", ratio);
	if (end) {
		time_t t = (time_t)end;
		char buf[64];

		strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M:%S", localtime(&t));
		clp_out_str(o, "the end of time", buf);
	}
	return MNL_CB_OK;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clptoratio -r <ratio> -t <time>\n"
		"       clptoratio -i\n"
		"       clptoratio -s [--json]\n"
		"  -r, --ratio    timeout ratio, 2 to %d\n"
		"  -t, --time     how long: <n>s, <n>m, <n>h or <n>d (1s to %dd)\n"
		"  -i, --init     end the ratio now (ratio 1)\n"
		"  -s, --show     show the current ratio and when it ends\n"
		"  -j, --json     JSON output (with -s)\n"
		"  -h, --help     this help\n", CLPKHB_MAX_RATIO, CLPKHB_MAX_RATIO_SECS / 86400);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ratio", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' },
		{ "init", no_argument, NULL, 'i' },
		{ "show", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *r = NULL, *t = NULL;
	bool init = false, show = false, json = false;
	uint32_t ratio = 1, secs = 0;
	struct nlmsghdr *req;
	struct clp_nl *nl;
	struct clp_out o;
	int c, ret;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "r:t:isjh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': r = optarg; break;
		case 't': t = optarg; break;
		case 'i': init = true; break;
		case 's': show = true; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return CLP_EXIT_OK;
		default: usage(stderr); return CLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if ((r || t) + init + show != 1) {
		clp_err("use one of -r <ratio> -t <time>, -i, -s");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if ((r || t) && (!r || !t)) {
		clp_err("-r and -t go together");
		return CLP_EXIT_USAGE;
	}
	if (json && !show) {
		clp_err("--json goes with -s");
		return CLP_EXIT_USAGE;
	}
	if (r && (parse_ratio(r, &ratio) < 0 || parse_time(t, &secs) < 0))
		return CLP_EXIT_USAGE;

	ret = clp_nl_open(&nl, CLPKHB_FAMILY_NAME);
	if (ret == -ENOENT) {
		clp_err("the clpkhb module is not loaded");
		return CLP_EXIT_NOMODULE;
	}
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return CLP_EXIT_ERROR;
	}
	if (show) {
		clp_out_init(&o, stdout, json);
		clp_out_obj_begin(&o, NULL);
		ret = clp_nl_talk(nl, clp_nl_req(nl, CLPKHB_CMD_GET_STATUS, 0), status_cb, &o);
		clp_out_obj_end(&o);
		clp_out_finish(&o);
	} else {
		req = clp_nl_req(nl, CLPKHB_CMD_SET_RATIO, 0);
		mnl_attr_put_u32(req, CLPKHB_A_RATIO, ratio);
		if (secs)
			mnl_attr_put_u32(req, CLPKHB_A_RATIO_SECS, secs);
		ret = clp_nl_talk(nl, req, NULL, NULL);
	}
	if (ret < 0) {
		clp_err("%s", clp_nl_errmsg(nl));
		clp_nl_close(nl);
		return ret == -EPERM ? CLP_EXIT_PERM : CLP_EXIT_ERROR;
	}
	clp_nl_close(nl);
	if (init)
		printf("timeout ratio cleared\n");
	else if (!show)
		printf("timeout ratio %u for %u seconds\n", ratio, secs);
	return CLP_EXIT_OK;
}
