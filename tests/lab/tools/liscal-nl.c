// SPDX-License-Identifier: GPL-2.0
/*
 * liscal-nl: test-only client of the liscal netlink family and of the
 * cluster partition format, for tests/lab/20-liscal.bats (the product's
 * commands are clpmdctrl/clpmdstat/clpmdinit).
 *
 *   liscal-nl init NAME NODE CP DATA [uptodate]   write a fresh superblock
 *   liscal-nl check NAME NODE CP DATA             validate the superblock
 *   liscal-nl create NAME MINOR DATA CP NODE LADDR PADDR [attr=value...]
 *   liscal-nl destroy|deactivate|connect|break|cancel|force-current NAME
 *   liscal-nl fence-release|outdate NAME
 *   liscal-nl activate NAME [force]
 *   liscal-nl recover NAME [full] [force] [assume-sync] [src=N]
 *   liscal-nl grow NAME BYTES [force]            online growth (GROW)
 *   liscal-nl set NAME attr=value...
 *   liscal-nl get NAME [period]                  key=value lines; period:
 *                                                end the statistics period
 * attr: ack-timeout, send-timeout, connect-timeout, recv-timeout,
 * hb-interval, ping-timeout, ping-retry, chunk, sync-mode (ms / bytes),
 * auto-construct (0/1), fencing (0/1), cp-io-error, dp-io-error (0 NONE, 1 RESET, 2 PANIC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <linux/fs.h>
#include <linux/genetlink.h>
#include <time.h>

#include <clpstack/liscal.h>
#include "clp_nl.h"
#include "liscal_meta.h"

static u64 dev_size(const char *path)
{
	u64 sz = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &sz) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
	return sz;
}

static int meta(int argc, char **argv, bool init)
{
	struct liscal_sb_disk *d;
	struct liscal_sb sb;
	u64 data, cp, gen;
	u8 uuid[16];
	char err[256];
	int fd, r;
	void *zero;

	if (argc < 6)
		return 2;
	data = dev_size(argv[5]) & ~4095ULL;
	cp = dev_size(argv[4]);
	if (posix_memalign((void **)&d, 4096, sizeof(*d)))
		return 1;
	fd = open(argv[4], O_RDWR | O_DIRECT | O_SYNC);
	if (fd < 0) {
		perror(argv[4]);
		return 1;
	}
	if (!init) {
		struct liscal_meta_expect exp = { argv[2], atoi(argv[3]), data, cp };

		if (pread(fd, d, sizeof(*d), 0) != sizeof(*d))
			return 1;
		r = liscal_meta_decode(d, &sb, &exp, err, sizeof(err));
		printf("%s\n", r ? err : "ok");
		return r ? 1 : 0;
	}
	if (getrandom(uuid, sizeof(uuid), 0) < 0 || getrandom(&gen, sizeof(gen), 0) < 0)
		return 1;
	r = liscal_meta_init(&sb, argv[2], atoi(argv[3]), data, cp, uuid, gen,
			     time(NULL), argc > 6 && !strcmp(argv[6], "uptodate"));
	if (r) {
		fprintf(stderr, "init: %s\n", liscal_meta_strerror(r));
		return 1;
	}
	if (posix_memalign(&zero, 4096, sb.bm_bytes))
		return 1;
	memset(zero, 0, sb.bm_bytes);
	if (pwrite(fd, zero, sb.bm_bytes, sb.bm_offset) != (ssize_t)sb.bm_bytes)
		return 1;
	liscal_meta_encode(&sb, d);
	if (pwrite(fd, d, sizeof(*d), 0) != sizeof(*d))
		return 1;
	close(fd);
	printf("initialised %s node %s: %llu data bytes, %u KiB per bit\n", argv[2],
	       argv[3], (unsigned long long)data, 1U << (sb.bm_shift - 10));
	return 0;
}

static const struct { const char *k; int a; int bytes; } params[] = {
	{ "sync-mode", LISCAL_A_SYNC_MODE, 1 },
	{ "send-timeout", LISCAL_A_SEND_TIMEOUT, 4 },
	{ "connect-timeout", LISCAL_A_CONNECT_TIMEOUT, 4 },
	{ "ack-timeout", LISCAL_A_ACK_TIMEOUT, 4 },
	{ "recv-timeout", LISCAL_A_RECV_TIMEOUT, 4 },
	{ "hb-interval", LISCAL_A_HB_INTERVAL, 4 },
	{ "ping-timeout", LISCAL_A_PING_TIMEOUT, 4 },
	{ "ping-retry", LISCAL_A_PING_RETRY, 4 },
	{ "chunk", LISCAL_A_RECOVERY_CHUNK, 4 },
	{ "send-queue-size", LISCAL_A_SEND_QUEUE_SIZE, 4 },
	{ "bandlimit", LISCAL_A_BANDLIMIT, 4 },
	{ "hot-extents", LISCAL_A_HOT_EXTENTS, 4 },
	{ "minor-raw", LISCAL_A_MINOR, 4 },
	{ "auto-construct", LISCAL_A_AUTO_CONSTRUCT, 1 },
	{ "fencing", LISCAL_A_FENCING, 1 },
	{ "cp-io-error", LISCAL_A_CP_IO_ERROR, 1 },
	{ "dp-io-error", LISCAL_A_DP_IO_ERROR, 1 },
	{ "key-mode", LISCAL_A_KEY_MODE, 1 },
	{ "compress", LISCAL_A_COMPRESS, 1 },
	{ "key", LISCAL_A_KEY, LISCAL_KEY_LEN },	/* 64 hex digits */
	{ "peer-addr", LISCAL_A_PEER_ADDR, 0 },	/* a string */
};

/* key=<64 hex digits>: the 32-byte LISCAL_A_KEY. */
static int put_key(struct nlmsghdr *nlh, const char *hex)
{
	unsigned char key[LISCAL_KEY_LEN];
	unsigned int i, b;

	if (strlen(hex) != 2 * LISCAL_KEY_LEN) {
		fprintf(stderr, "key must be %d hex digits\n", 2 * LISCAL_KEY_LEN);
		return -1;
	}
	for (i = 0; i < LISCAL_KEY_LEN; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		key[i] = (unsigned char)b;
	}
	mnl_attr_put(nlh, LISCAL_A_KEY, sizeof(key), key);
	return 0;
}

static int put_params(struct nlmsghdr *nlh, int argc, char **argv)
{
	int i;
	size_t j;

	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			return -1;
		*eq = 0;
		for (j = 0; j < sizeof(params) / sizeof(params[0]); j++)
			if (!strcmp(params[j].k, argv[i]))
				break;
		if (j == sizeof(params) / sizeof(params[0])) {
			fprintf(stderr, "unknown attribute %s\n", argv[i]);
			return -1;
		}
		if (params[j].bytes == LISCAL_KEY_LEN) {
			if (put_key(nlh, eq + 1))
				return -1;
		} else if (params[j].bytes == 0) {
			mnl_attr_put_strz(nlh, params[j].a, eq + 1);
		} else if (params[j].bytes == 1)
			mnl_attr_put_u8(nlh, params[j].a, atoi(eq + 1));
		else
			mnl_attr_put_u32(nlh, params[j].a, strtoul(eq + 1, NULL, 0));
	}
	return 0;
}

static int stat_cb(const struct nlattr *a, void *data)
{
	static const char * const names[] = {
		NULL, "write_bytes", "write_count", "read_bytes", "read_count",
		"local_write_bytes", "local_read_bytes", "send_bytes", "recv_bytes",
		"sync_time_max", "sync_time_total", "sync_count", "sync_ack_max",
		"sync_ack_cur", "recovery_ack_max", "recovery_ack_max2",
		"recovery_ack_cur", "sync_diff_max", "sync_diff_cur",
		"send_queue_max", "send_queue_max2", "send_queue_cur",
		"req_queue_max", "req_queue_max2", "req_queue_cur", "mdc_hb_max",
		"mdc_hb_max2", "mdc_hb_cur", "lw_wait_rr_total", "lw_wait_rr_total2",
		"rr_wait_lw_total", "rr_wait_lw_total2", "recovery_sent_bytes",
		"recovery_recv_bytes", "meta_writes", "intent_waits", "breaks",
		"peer_write_bytes", "direct_writes", "recovery_inflight_max",
		"refused_packets", "auth_failures", "compress_in_bytes",
		"compress_out_bytes", "async_overflows", "hot_extents_cur",
		"hot_evictions", "hot_ahead", "peer_overlap_waits",
		"flushes_covered", "flushes_ahead", "recovery_flush_overlap",
		"pages_reused",
	};
	unsigned int t = mnl_attr_get_type(a);

	(void)data;
	if (t < sizeof(names) / sizeof(names[0]) && names[t])
		printf("stat_%s=%llu\n", names[t],
		       (unsigned long long)mnl_attr_get_u64(a));
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[LISCAL_A_MAX + 1];
	static const struct { int a; const char *n; int w; } f[] = {
		{ LISCAL_A_ROLE, "role", 1 }, { LISCAL_A_PEER_ROLE, "peer_role", 1 },
		{ LISCAL_A_CONN_STATE, "conn", 1 }, { LISCAL_A_DISK_STATE, "disk", 1 },
		{ LISCAL_A_PEER_DISK_STATE, "peer_disk", 1 },
		{ LISCAL_A_SPLIT_BRAIN, "split_brain", 1 },
		{ LISCAL_A_RECOVERY_DIR, "recovery_dir", 1 },
		{ LISCAL_A_DIRTY_BITS, "dirty_bits", 8 },
		{ LISCAL_A_DIRTY_BYTES, "dirty_bytes", 8 },
		{ LISCAL_A_TOTAL_BITS, "total_bits", 8 },
		{ LISCAL_A_BIT_SIZE, "bit_size", 4 },
		{ LISCAL_A_RECOVERY_DONE, "recovery_done", 8 },
		{ LISCAL_A_RECOVERY_TOTAL, "recovery_total", 8 },
		{ LISCAL_A_GEN_CURRENT, "gen_current", 8 },
		{ LISCAL_A_GEN_BITMAP, "gen_bitmap", 8 },
		{ LISCAL_A_PEER_GEN_CURRENT, "peer_gen", 8 },
		{ LISCAL_A_SB_FLAGS, "sb_flags", 4 },
		{ LISCAL_A_MINOR, "minor", 4 }, { LISCAL_A_NODE_ID, "node_id", 1 },
		{ LISCAL_A_SYNC_MODE, "sync_mode", 1 },
		{ LISCAL_A_SEND_QUEUE_SIZE, "send_queue_size", 4 },
		{ LISCAL_A_BANDLIMIT, "bandlimit", 4 },
		{ LISCAL_A_HOT_EXTENTS, "hot_extents", 4 },
		{ LISCAL_A_SEND_TIMEOUT, "send_timeout", 4 },
		{ LISCAL_A_CONNECT_TIMEOUT, "connect_timeout", 4 },
		{ LISCAL_A_ACK_TIMEOUT, "ack_timeout", 4 },
		{ LISCAL_A_RECV_TIMEOUT, "recv_timeout", 4 },
		{ LISCAL_A_HB_INTERVAL, "hb_interval", 4 },
		{ LISCAL_A_PING_TIMEOUT, "ping_timeout", 4 },
		{ LISCAL_A_PING_RETRY, "ping_retry", 4 },
		{ LISCAL_A_CP_IO_ERROR, "cp_io_error", 1 },
		{ LISCAL_A_DATA_SIZE, "data_size", 8 },
		{ LISCAL_A_RECOVERY_CHUNK, "chunk", 4 },
		{ LISCAL_A_AUTO_CONSTRUCT, "auto_construct", 1 },
		{ LISCAL_A_FRESH, "fresh", 1 },
		{ LISCAL_A_PEER_FRESH, "peer_fresh", 1 },
		{ LISCAL_A_FENCING, "fencing", 1 },
		{ LISCAL_A_FENCED, "fenced", 1 },
		{ LISCAL_A_KEY_MODE, "key_mode", 1 },
		{ LISCAL_A_COMPRESS, "compress", 1 },
		{ LISCAL_A_DP_IO_ERROR, "dp_io_error", 1 },
	};
	size_t i;

	(void)data;
	clp_nl_parse(nlh, tb, LISCAL_A_MAX);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const struct nlattr *a = tb[f[i].a];

		if (!a)
			continue;
		printf("%s=%llu\n", f[i].n, (unsigned long long)(f[i].w == 1 ?
		       mnl_attr_get_u8(a) : f[i].w == 4 ? mnl_attr_get_u32(a) :
		       mnl_attr_get_u64(a)));
	}
	if (tb[LISCAL_A_STATS])
		mnl_attr_parse_nested(tb[LISCAL_A_STATS], stat_cb, NULL);
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	static const struct { const char *n; int cmd; } simple[] = {
		{ "destroy", LISCAL_CMD_RES_DESTROY },
		{ "deactivate", LISCAL_CMD_DEACTIVATE },
		{ "connect", LISCAL_CMD_CONNECT },
		{ "break", LISCAL_CMD_BREAK },
		{ "cancel", LISCAL_CMD_RECOVERY_CANCEL },
		{ "force-current", LISCAL_CMD_FORCE_CURRENT },
		{ "fence-release", LISCAL_CMD_FENCE_RELEASE },
		{ "outdate", LISCAL_CMD_OUTDATE },
		{ "activate", LISCAL_CMD_ACTIVATE },
		{ "recover", LISCAL_CMD_RECOVERY_START },
		{ "grow", LISCAL_CMD_GROW },
		{ "set", LISCAL_CMD_RES_SET },
		{ "get", LISCAL_CMD_RES_GET },
	};
	struct nlmsghdr *nlh;
	struct clp_nl *nl;
	size_t i;
	int r, cmd = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: see the head of liscal-nl.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "init") || !strcmp(argv[1], "check"))
		return meta(argc, argv, !strcmp(argv[1], "init"));
	r = clp_nl_open(&nl, LISCAL_FAMILY_NAME);
	if (r) {
		fprintf(stderr, "liscal not loaded: %s\n", strerror(-r));
		return 3;
	}
	if (!strcmp(argv[1], "create")) {
		if (argc < 9)
			return 2;
		nlh = clp_nl_req(nl, LISCAL_CMD_RES_CREATE, 0);
		mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, argv[2]);
		mnl_attr_put_u32(nlh, LISCAL_A_MINOR, atoi(argv[3]));
		mnl_attr_put_strz(nlh, LISCAL_A_DATA_PATH, argv[4]);
		mnl_attr_put_strz(nlh, LISCAL_A_CP_PATH, argv[5]);
		mnl_attr_put_u8(nlh, LISCAL_A_NODE_ID, atoi(argv[6]));
		mnl_attr_put_strz(nlh, LISCAL_A_LOCAL_ADDR, argv[7]);
		mnl_attr_put_strz(nlh, LISCAL_A_PEER_ADDR, argv[8]);
		if (put_params(nlh, argc - 9, argv + 9))
			return 2;
	} else {
		for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
			if (!strcmp(simple[i].n, argv[1]))
				cmd = simple[i].cmd;
		if (!cmd) {
			fprintf(stderr, "unknown command %s\n", argv[1]);
			return 2;
		}
		nlh = clp_nl_req(nl, cmd, 0);
		mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, argv[2]);
		if (cmd == LISCAL_CMD_RES_SET && put_params(nlh, argc - 3, argv + 3))
			return 2;
		if (cmd == LISCAL_CMD_GROW) {
			if (argc < 4)
				return 2;
			mnl_attr_put_u64(nlh, LISCAL_A_DATA_SIZE, strtoull(argv[3], NULL, 0));
			if (argc > 4 && !strcmp(argv[4], "force"))
				mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, LISCAL_F_FORCE);
		}
		if (cmd == LISCAL_CMD_ACTIVATE || cmd == LISCAL_CMD_RECOVERY_START) {
			unsigned int fl = 0;
			int k;

			for (k = 3; k < argc; k++) {
				if (!strcmp(argv[k], "force"))
					fl |= LISCAL_F_FORCE;
				else if (!strcmp(argv[k], "full"))
					fl |= LISCAL_F_FULL;
				else if (!strcmp(argv[k], "assume-sync"))
					fl |= LISCAL_F_ASSUME_SYNC;
				else if (!strncmp(argv[k], "src=", 4))
					mnl_attr_put_u8(nlh, LISCAL_A_SOURCE_NODE,
							atoi(argv[k] + 4));
			}
			mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, fl);
		}
		if (cmd == LISCAL_CMD_RES_GET && argc > 3 &&
		    !strcmp(argv[3], "period"))
			mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, LISCAL_F_STATS_PERIOD);
	}
	r = clp_nl_talk(nl, nlh, cmd == LISCAL_CMD_RES_GET ? get_cb : NULL, NULL);
	if (r) {
		fprintf(stderr, "%s: %s\n", argv[1], clp_nl_errmsg(nl));
		return 1;
	}
	return 0;
}
