// SPDX-License-Identifier: GPL-2.0
/*
 * clpmdstat: show the state of mirror disk resources
 * (Documentation/commands.md).
 *
 *   clpmdstat --mirror <md> [--json]   -m  colours, times, difference, recovery
 *   clpmdstat --counters <md> [--json] -c  every driver counter, UAPI names
 *   clpmdstat --list [--json]          -l  the mirror disk resources
 *   clpmdstat --version [--json]       -v  command and liscal module versions
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clp_log.h"
#include "clp_md_cmd.h"
#include "clp_md_init.h"
#include "clp_md_meta.h"
#include "clp_md_state.h"
#include "clp_out.h"
#include "clp_version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: clpmdstat --mirror <md> [--json]\n"
		"       clpmdstat --counters <md> [--json]\n"
		"       clpmdstat --list [--json]\n"
		"       clpmdstat --version [--json]\n"
		"  -m, --mirror    mirror colour of each server, last update and break times,\n"
		"                  difference, recovery progress and the mirror status\n"
		"  -c, --counters  every counter of the driver for the resource, raw, named\n"
		"                  as in the liscal UAPI (write_bytes...; times in us)\n"
		"  -l, --list      the mirror disk resources of clp.conf\n"
		"  -v, --version   the command's and the liscal module's versions\n"
		"  -j, --json      JSON output\n"
		"  -h, --help      this help\n"
		"Configuration: $CLP_CONF, else $CLP_PREFIX/etc/clp.conf (/opt/clpstack).\n");
}

static void out_time(struct clp_out *o, const char *key, uint64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm)) {
		clp_out_str(o, key, "--");
		return;
	}
	strftime(buf, sizeof(buf), "%Y/%m/%d %H:%M:%S", &tm);
	clp_out_str(o, key, buf);
}

/* Guide Table 2.2 display: two decimals, the third truncated; "None" for
 * an exact zero. */
static void out_scaled(struct clp_out *o, const char *key, uint64_t v, uint64_t unit,
		       const char *suffix)
{
	uint64_t hundredths;

	if (!v) {
		clp_out_str(o, key, "None");
		return;
	}
	hundredths = v / unit * 100 + (v % unit) * 100 / unit;
	clp_out_fmt(o, key, "%" PRIu64 ".%02" PRIu64 " %s", hundredths / 100, hundredths % 100,
		    suffix);
}

/* Percentage with two decimals truncated. */
static void out_percent(struct clp_out *o, const char *key, uint64_t part, uint64_t whole)
{
	uint64_t p = whole ? (uint64_t)((long double)part * 10000 / whole) : 0;

	if (p > 10000)
		p = 10000;
	clp_out_fmt(o, key, "%" PRIu64 ".%02" PRIu64 "%%", p / 100, p % 100);
}

#define MB (1024ULL * 1024)
#define KB 1024ULL

static void out_server(struct clp_out *o, const struct clp_md_end *end, bool local,
		       const struct clp_md_status *st, bool have)
{
	enum clp_md_colour col = !have ? CLP_MD_GRAY :
				 local ? clp_md_local_colour(st) : clp_md_peer_colour(st);

	clp_out_obj_begin(o, NULL);
	clp_out_str(o, "server", end->server);
	clp_out_bool(o, "local", local);
	clp_out_str(o, "colour", clp_md_colour_name(col));
	if (local && have) {
		clp_out_str(o, "role", clp_md_role_name(st->role));
		clp_out_str(o, "disk_state", clp_md_disk_name(st->disk));
		out_time(o, "last_update", st->last_update);
		out_time(o, "break_time", st->break_time);
		/* never mirrored yet: what fullcopy 0 leaves alone */
		clp_out_bool(o, "fresh", st->fresh);
		/* marked fenced: the other copy went on writing without it */
		clp_out_bool(o, "fenced", clp_meta_flags_fenced(st->sb_flags));
	} else if (have && st->conn == LISCAL_CONN_CONNECTED) {
		clp_out_str(o, "role", clp_md_role_name(st->peer_role));
		clp_out_str(o, "disk_state", clp_md_disk_name(st->peer_disk));
		/* Connected and current: it was updated with this server. */
		out_time(o, "last_update", col == CLP_MD_GREEN ? st->last_update : 0);
		out_time(o, "break_time", st->break_time);
		clp_out_bool(o, "fresh", st->peer_fresh);
	} else {
		clp_out_str(o, "role", "unknown");
		clp_out_str(o, "disk_state", have ? clp_md_disk_name(st->peer_disk) : "unknown");
		out_time(o, "last_update", 0);
		out_time(o, "break_time", have ? st->break_time : 0);
	}
	clp_out_obj_end(o);
}

static void out_recovery(struct clp_out *o, const struct clp_md *md,
			 const struct clp_md_status *st)
{
	const char *from = st->recovery_dir == LISCAL_RECOVERY_TO_PEER ? md->local.server :
			   md->peer.server;
	const char *to = st->recovery_dir == LISCAL_RECOVERY_TO_PEER ? md->peer.server :
			 md->local.server;

	clp_out_obj_begin(o, "recovery");
	if (st->recovery_dir == LISCAL_RECOVERY_NONE) {
		clp_out_bool(o, "running", false);
	} else {
		clp_out_bool(o, "running", true);
		clp_out_fmt(o, "direction", "%s -> %s", from, to);
		if (st->recovery_total) {
			out_percent(o, "progress", st->recovery_done, st->recovery_total);
			out_scaled(o, "done", st->recovery_done, MB, "MB");
			out_scaled(o, "total", st->recovery_total, MB, "MB");
		} else {
			/* The driver counts progress on the source side only. */
			clp_out_fmt(o, "progress", "-- (see clpmdstat on %s)", from);
		}
	}
	clp_out_obj_end(o);
}

/* The CMD items of guide Table 2.2 the driver measures. */
static void out_stats(struct clp_out *o, const struct clp_md_status *st)
{
	const uint64_t *s = st->stats;
	uint64_t avg = s[LISCAL_STATS_A_SYNC_COUNT] ?
		       s[LISCAL_STATS_A_SYNC_TIME_TOTAL] / s[LISCAL_STATS_A_SYNC_COUNT] : 0;

	clp_out_obj_begin(o, "statistics");
	out_scaled(o, "write_total", s[LISCAL_STATS_A_WRITE_BYTES], MB, "MB");
	out_scaled(o, "read_total", s[LISCAL_STATS_A_READ_BYTES], MB, "MB");
	out_scaled(o, "send_total", s[LISCAL_STATS_A_SEND_BYTES], KB, "KB");
	out_scaled(o, "sync_time_max", s[LISCAL_STATS_A_SYNC_TIME_MAX], 1000000, "s");
	out_scaled(o, "sync_time_avg", avg, 1000000, "s");
	out_scaled(o, "sync_diff_max", s[LISCAL_STATS_A_SYNC_DIFF_MAX], MB, "MB");
	out_scaled(o, "sync_diff_cur", s[LISCAL_STATS_A_SYNC_DIFF_CUR], MB, "MB");
	/* asynchronous mode: writes queued for the peer or not acked yet */
	clp_out_u64(o, "send_queue_max", s[LISCAL_STATS_A_SEND_QUEUE_MAX]);
	clp_out_u64(o, "send_queue_max2", s[LISCAL_STATS_A_SEND_QUEUE_MAX2]);
	clp_out_u64(o, "send_queue_cur", s[LISCAL_STATS_A_SEND_QUEUE_CUR]);
	clp_out_u64(o, "async_overflows", s[LISCAL_STATS_A_ASYNC_OVERFLOWS]);
	/* the hot set (Documentation/liscal.md) */
	clp_out_u64(o, "hot_extents", s[LISCAL_STATS_A_HOT_EXTENTS_CUR]);
	clp_out_u64(o, "hot_evictions", s[LISCAL_STATS_A_HOT_EVICTIONS]);
	clp_out_u64(o, "hot_ahead", s[LISCAL_STATS_A_HOT_AHEAD]);
	clp_out_obj_end(o);
}

/* clp.conf, the resource @name in it, the driver: an exit code. */
static int open_resource(struct clp_md_cmd *c, const char *name)
{
	int ret = clp_md_cmd_conf(c);

	if (!ret)
		ret = clp_md_cmd_resource(c, name);
	if (!ret)
		ret = clp_md_cmd_driver(c);
	return ret;
}

static int show_mirror(const char *name, bool json)
{
	struct clp_md_cmd c = { 0 };
	struct clp_md_status st;
	struct clp_out o;
	bool have;
	int ret, backup;

	ret = open_resource(&c, name);
	if (ret)
		goto out;
	ret = clp_md_nl_get(c.nl, name, &st);
	if (ret < 0 && ret != -ENOENT) {
		ret = clp_md_cmd_fail(&c, "status", ret);
		goto out;
	}
	have = ret == 0;
	if (!have)
		memset(&st, 0, sizeof(st));

	/* Backup mode (clpbackup.sh, guide 2.19): the flag in the cluster
	 * partition, from the driver or, when the driver does not have the
	 * resource (as in backup mode), read from the partition itself. */
	backup = have ? clp_meta_flags_backup(st.sb_flags) : clp_md_cp_backup(&c.md);
	clp_out_init(&o, stdout, json);
	clp_out_obj_begin(&o, NULL);
	clp_out_str(&o, "name", name);
	clp_out_str(&o, "mirror_status", have ? clp_md_mirror_name(clp_md_mirror_status(&st)) :
		    backup == 1 ? "Backup mode (not configured in the driver)" :
		    "Not configured in the driver");
	clp_out_str(&o, "device", c.md.nmppath);
	clp_out_str(&o, "connection", have ? clp_md_conn_name(st.conn) : "unknown");
	clp_out_bool(&o, "split_brain", have && st.split_brain);
	clp_out_str(&o, "backup_mode", backup < 0 ? "unknown" : backup ? "on" : "off");
	if (have)
		clp_out_str(&o, "initial_construction",
			    st.auto_construct ? "automatic (fullcopy 1)" :
						"by clpmdctrl --force (fullcopy 0)");
	clp_out_list_begin(&o, "servers");
	out_server(&o, &c.md.local, true, &st, have);
	out_server(&o, &c.md.peer, false, &st, have);
	clp_out_list_end(&o);
	if (have) {
		out_scaled(&o, "difference_size", st.dirty_bytes, MB, "MB");
		out_percent(&o, "difference_percent", st.dirty_bytes, st.data_size);
		out_recovery(&o, &c.md, &st);
		if (st.has_stats)
			out_stats(&o, &st);
	}
	clp_out_obj_end(&o);
	clp_out_finish(&o);
	ret = CLP_EXIT_OK;
out:
	clp_md_cmd_free(&c);
	return ret;
}

/*
 * Every driver counter, unscaled, in UAPI order and names
 * (LISCAL_STATS_A_WRITE_BYTES: write_bytes). Reading them does not start
 * a new statistics period: the period maxima (*_max2) stay the mirror
 * agent's.
 */
static int show_counters(const char *name, bool json)
{
	struct clp_md_cmd c = { 0 };
	struct clp_md_status st;
	struct clp_out o;
	char key[64];
	unsigned int a;
	int ret;

	ret = open_resource(&c, name);
	if (!ret)
		ret = clp_md_cmd_status(&c, &st);
	if (ret)
		goto out;
	if (!st.has_stats) {
		clp_err("%s: the liscal module sent no counters", name);
		ret = CLP_EXIT_ERROR;
		goto out;
	}
	clp_out_init(&o, stdout, json);
	clp_out_obj_begin(&o, NULL);
	clp_out_str(&o, "name", name);
	clp_out_obj_begin(&o, "counters");
	for (a = 1; a <= LISCAL_STATS_A_MAX; a++)
		if (clp_md_stat_name(a, key, sizeof(key)))
			clp_out_u64(&o, key, st.stats[a]);
	clp_out_obj_end(&o);
	clp_out_obj_end(&o);
	clp_out_finish(&o);
out:
	clp_md_cmd_free(&c);
	return ret;
}

static int show_list(bool json)
{
	struct clp_md_cmd c = { 0 };
	const char **names;
	int ret, i, n, k = 0;

	ret = clp_md_cmd_conf(&c);
	if (ret)
		return ret;
	n = clp_md_count(c.conf);
	names = calloc(n > 0 ? (size_t)n : 1, sizeof(*names));
	if (!names) {
		clp_err("out of memory");
		clp_md_cmd_free(&c);
		return CLP_EXIT_ERROR;
	}
	for (i = 0; i < n; i++) {
		const char *name = clp_md_name_at(c.conf, i);

		if (name)
			names[k++] = name;
	}
	clp_md_cmd_print_list(names, k, json);
	free(names);
	clp_md_cmd_free(&c);
	return CLP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mirror", no_argument, NULL, 'm' },
		{ "counters", no_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool json = false;
	int c, act = 0, nacts = 0;

	clp_log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "mclvjh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
		case 'c':
		case 'l':
		case 'v':
			if (act != c)
				nacts++;
			act = c;
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
	if (nacts != 1) {
		clp_err(nacts ? "give only one of --mirror, --counters, --list, --version" :
			"give one of --mirror, --counters, --list, --version");
		usage(stderr);
		return CLP_EXIT_USAGE;
	}
	if (act == 'm' || act == 'c') {
		if (optind == argc) {
			clp_err("%s: missing the mirror disk resource name (e.g. md01)",
				act == 'm' ? "--mirror" : "--counters");
			return CLP_EXIT_USAGE;
		}
		if (argc - optind > 1) {
			clp_err("unexpected argument '%s'", argv[optind + 1]);
			return CLP_EXIT_USAGE;
		}
		if (clp_md_name_arg(argv[optind]))
			return CLP_EXIT_USAGE;
		return act == 'm' ? show_mirror(argv[optind], json) :
				    show_counters(argv[optind], json);
	}
	if (optind < argc) {
		clp_err("unexpected argument '%s'", argv[optind]);
		return CLP_EXIT_USAGE;
	}
	if (act == 'l')
		return show_list(json);
	return clp_show_version("liscal", "major", json);
}
