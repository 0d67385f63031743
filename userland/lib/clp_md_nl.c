// SPDX-License-Identifier: GPL-2.0
/* liscal generic netlink client. See clp_md_nl.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clp_log.h"
#include "clp_md_nl.h"
#include "liscal_state.h"

int clp_md_nl_open(struct clp_nl **nl)
{
	return clp_nl_open(nl, LISCAL_FAMILY_NAME);
}

static uint32_t ms(long seconds)
{
	return (uint32_t)seconds * 1000U;
}

static uint8_t ioerr_attr(enum clp_md_ioerr e)
{
	switch (e) {
	case CLP_MD_IOERR_RESET:
		return LISCAL_IOERR_RESET;
	case CLP_MD_IOERR_PANIC:
		return LISCAL_IOERR_PANIC;
	default:
		return LISCAL_IOERR_NONE;
	}
}

static void put_params(struct nlmsghdr *nlh, const struct clp_md *md);
static int talk_keyed(struct clp_nl *nl, struct nlmsghdr *nlh, const struct clp_md *md);

int clp_md_nl_create(struct clp_nl *nl, const struct clp_md *md, unsigned int node_id,
		     uint32_t flags)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_RES_CREATE, 0);
	char addr[LISCAL_ADDR_MAX + 1];

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, md->name);
	mnl_attr_put_u32(nlh, LISCAL_A_MINOR, md->nmp);
	mnl_attr_put_strz(nlh, LISCAL_A_DATA_PATH, md->local.dppath);
	mnl_attr_put_strz(nlh, LISCAL_A_CP_PATH, md->local.cppath);
	mnl_attr_put_u8(nlh, LISCAL_A_NODE_ID, (uint8_t)node_id);
	snprintf(addr, sizeof(addr), "%s:%ld", md->local.addr, md->port);
	mnl_attr_put_strz(nlh, LISCAL_A_LOCAL_ADDR, addr);
	snprintf(addr, sizeof(addr), "%s:%ld", md->peer.addr, md->port);
	mnl_attr_put_strz(nlh, LISCAL_A_PEER_ADDR, addr);
	if (flags)
		mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, flags);
	put_params(nlh, md);
	return talk_keyed(nl, nlh, md);
}

int clp_md_nl_set(struct clp_nl *nl, const struct clp_md *md)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_RES_SET, 0);

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, md->name);
	put_params(nlh, md);
	return talk_keyed(nl, nlh, md);
}

int clp_md_nl_set_peer(struct clp_nl *nl, const char *name, const char *peer_addr)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_RES_SET, 0);

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, name);
	mnl_attr_put_strz(nlh, LISCAL_A_PEER_ADDR, peer_addr);
	return clp_nl_talk(nl, nlh, NULL, NULL);
}

/*
 * Sends RES_CREATE / RES_SET with the key and its mode (clp_md_key()):
 * the key is read from its file now, so a new file reaches the driver
 * with the next RES_SET (clpmdctrl --updatekey). The copies are wiped.
 */
static int talk_keyed(struct clp_nl *nl, struct nlmsghdr *nlh, const struct clp_md *md)
{
	uint8_t key[CLP_MD_KEYLEN];
	struct nlattr *ka = NULL;
	char err[512];
	int mode, ret;

	mode = clp_md_key(md, key, err, sizeof(err));
	if (mode < 0)
		return clp_nl_fail(nl, mode, err);
	mnl_attr_put_u8(nlh, LISCAL_A_KEY_MODE, (uint8_t)mode);
	if (mode != LISCAL_KEY_NONE) {
		ka = (struct nlattr *)mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put(nlh, LISCAL_A_KEY, sizeof(key), key);
		explicit_bzero(key, sizeof(key));
	}
	ret = clp_nl_talk(nl, nlh, NULL, NULL);
	/* the buffer held the request (a reply may have overwritten it) */
	if (ka)
		explicit_bzero(mnl_attr_get_payload(ka), CLP_MD_KEYLEN);
	return ret;
}

/* the driver's LISCAL_A_COMPRESS takes the clp.conf value as is */
_Static_assert(CLP_MD_COMPRESS_DATA == LISCAL_COMPRESS_DATA &&
	       CLP_MD_COMPRESS_RECOVERY == LISCAL_COMPRESS_RECOVERY,
	       "clp.conf compress bits differ from the driver's");

/* The parameters RES_CREATE and RES_SET share (timeouts in ms). */
static void put_params(struct nlmsghdr *nlh, const struct clp_md *md)
{
	mnl_attr_put_u8(nlh, LISCAL_A_SYNC_MODE, md->sync ? LISCAL_SYNC_SYNC : LISCAL_SYNC_ASYNC);
	mnl_attr_put_u32(nlh, LISCAL_A_SEND_TIMEOUT, ms(md->sendtimeout));
	mnl_attr_put_u32(nlh, LISCAL_A_CONNECT_TIMEOUT, ms(md->connecttimeout));
	mnl_attr_put_u32(nlh, LISCAL_A_ACK_TIMEOUT, ms(md->acktimeout));
	mnl_attr_put_u32(nlh, LISCAL_A_RECV_TIMEOUT, ms(md->recvnormaltimeout));
	mnl_attr_put_u32(nlh, LISCAL_A_HB_INTERVAL, ms(md->hbinterval));
	mnl_attr_put_u32(nlh, LISCAL_A_PING_TIMEOUT, ms(md->pingtimeout));
	mnl_attr_put_u32(nlh, LISCAL_A_PING_RETRY, (uint32_t)md->pingretry);
	mnl_attr_put_u32(nlh, LISCAL_A_RECOVERY_CHUNK, (uint32_t)md->cluster.recoverysize * 1024U);
	mnl_attr_put_u8(nlh, LISCAL_A_CP_IO_ERROR, ioerr_attr(md->cluster.cperror));
	mnl_attr_put_u8(nlh, LISCAL_A_DP_IO_ERROR, ioerr_attr(md->cluster.dperror));
	mnl_attr_put_u8(nlh, LISCAL_A_AUTO_CONSTRUCT, md->fullcopy ? 1 : 0);
	mnl_attr_put_u8(nlh, LISCAL_A_FENCING, md->fencing ? 1 : 0);
	mnl_attr_put_u8(nlh, LISCAL_A_COMPRESS, (uint8_t)md->compress);
	mnl_attr_put_u32(nlh, LISCAL_A_SEND_QUEUE_SIZE, (uint32_t)md->sendqueuesize);
	mnl_attr_put_u32(nlh, LISCAL_A_BANDLIMIT, (uint32_t)md->bandlimit);
	mnl_attr_put_u32(nlh, LISCAL_A_HOT_EXTENTS, (uint32_t)md->hotextents);
}

int clp_md_nl_cmd(struct clp_nl *nl, uint8_t cmd, const char *name, uint32_t flags)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, cmd, 0);

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, name);
	if (flags)
		mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, flags);
	return clp_nl_talk(nl, nlh, NULL, NULL);
}

int clp_md_nl_recovery(struct clp_nl *nl, const char *name, uint32_t flags, int source_node)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_RECOVERY_START, 0);

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, name);
	if (flags)
		mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, flags);
	if (source_node >= 0)
		mnl_attr_put_u8(nlh, LISCAL_A_SOURCE_NODE, (uint8_t)source_node);
	return clp_nl_talk(nl, nlh, NULL, NULL);
}

int clp_md_nl_grow(struct clp_nl *nl, const char *name, uint64_t bytes, uint32_t flags)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_GROW, 0);

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, name);
	mnl_attr_put_u64(nlh, LISCAL_A_DATA_SIZE, bytes);
	if (flags)
		mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, flags);
	return clp_nl_talk(nl, nlh, NULL, NULL);
}

/* Attribute helpers that ignore an attribute of the wrong size. */
static void get_str(const struct nlattr *a, char *buf, size_t len)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(buf, len, "%s", mnl_attr_get_str(a));
}

static void get_u8(const struct nlattr *a, uint8_t *v)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_U8) == 0)
		*v = mnl_attr_get_u8(a);
}

static void get_u32(const struct nlattr *a, uint32_t *v)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*v = mnl_attr_get_u32(a);
}

static void get_u64(const struct nlattr *a, uint64_t *v)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_U64) == 0)
		*v = mnl_attr_get_u64(a);
}

static void parse_stats(const struct nlattr *nest, struct clp_md_status *st)
{
	const struct nlattr *a;
	uint16_t type;

	mnl_attr_for_each_nested(a, nest) {
		type = mnl_attr_get_type(a);
		if (type > 0 && type <= LISCAL_STATS_A_MAX)
			get_u64(a, &st->stats[type]);
	}
	st->has_stats = true;
}

int clp_md_nl_parse(const struct nlmsghdr *nlh, struct clp_md_status *st)
{
	const struct nlattr *tb[LISCAL_A_MAX + 1];
	uint8_t sb = 0;

	memset(st, 0, sizeof(*st));
	if (clp_nl_parse(nlh, tb, LISCAL_A_MAX) < 0)
		return -EBADMSG;
	get_str(tb[LISCAL_A_RES_NAME], st->name, sizeof(st->name));
	get_str(tb[LISCAL_A_DATA_PATH], st->data_path, sizeof(st->data_path));
	get_str(tb[LISCAL_A_CP_PATH], st->cp_path, sizeof(st->cp_path));
	get_str(tb[LISCAL_A_LOCAL_ADDR], st->local_addr, sizeof(st->local_addr));
	get_str(tb[LISCAL_A_PEER_ADDR], st->peer_addr, sizeof(st->peer_addr));
	get_str(tb[LISCAL_A_MESSAGE], st->message, sizeof(st->message));
	get_u32(tb[LISCAL_A_MINOR], &st->minor);
	get_u8(tb[LISCAL_A_NODE_ID], &st->node_id);
	get_u8(tb[LISCAL_A_ROLE], &st->role);
	get_u8(tb[LISCAL_A_PEER_ROLE], &st->peer_role);
	get_u8(tb[LISCAL_A_CONN_STATE], &st->conn);
	get_u8(tb[LISCAL_A_DISK_STATE], &st->disk);
	get_u8(tb[LISCAL_A_PEER_DISK_STATE], &st->peer_disk);
	get_u8(tb[LISCAL_A_OLD_ROLE], &st->old_role);
	get_u8(tb[LISCAL_A_OLD_CONN_STATE], &st->old_conn);
	get_u8(tb[LISCAL_A_OLD_DISK_STATE], &st->old_disk);
	get_u8(tb[LISCAL_A_OLD_PEER_DISK_STATE], &st->old_peer_disk);
	get_u8(tb[LISCAL_A_SPLIT_BRAIN], &sb);
	st->split_brain = sb != 0;
	get_u8(tb[LISCAL_A_RECOVERY_DIR], &st->recovery_dir);
	get_u32(tb[LISCAL_A_REASON], &st->reason);
	get_u32(tb[LISCAL_A_BIT_SIZE], &st->bit_size);
	get_u32(tb[LISCAL_A_SB_FLAGS], &st->sb_flags);
	get_u64(tb[LISCAL_A_GEN_CURRENT], &st->gen_current);
	get_u64(tb[LISCAL_A_GEN_BITMAP], &st->gen_bitmap);
	get_u64(tb[LISCAL_A_GEN_HISTORY1], &st->gen_history1);
	get_u64(tb[LISCAL_A_GEN_HISTORY2], &st->gen_history2);
	get_u64(tb[LISCAL_A_PEER_GEN_CURRENT], &st->peer_gen_current);
	get_u64(tb[LISCAL_A_DATA_SIZE], &st->data_size);
	get_u64(tb[LISCAL_A_TOTAL_BITS], &st->total_bits);
	get_u64(tb[LISCAL_A_DIRTY_BITS], &st->dirty_bits);
	get_u64(tb[LISCAL_A_DIRTY_BYTES], &st->dirty_bytes);
	get_u64(tb[LISCAL_A_RECOVERY_DONE], &st->recovery_done);
	get_u64(tb[LISCAL_A_RECOVERY_TOTAL], &st->recovery_total);
	get_u64(tb[LISCAL_A_LAST_UPDATE], &st->last_update);
	get_u64(tb[LISCAL_A_BREAK_TIME], &st->break_time);
	get_u8(tb[LISCAL_A_AUTO_CONSTRUCT], &st->auto_construct);
	get_u8(tb[LISCAL_A_FRESH], &st->fresh);
	get_u8(tb[LISCAL_A_PEER_FRESH], &st->peer_fresh);
	get_u8(tb[LISCAL_A_FENCING], &st->fencing);
	get_u8(tb[LISCAL_A_FENCED], &st->fenced);
	if (tb[LISCAL_A_STATS])
		parse_stats(tb[LISCAL_A_STATS], st);
	return st->name[0] ? 0 : -EBADMSG;
}

struct get_ctx {
	struct clp_md_status *st;
	void (*cb)(const struct clp_md_status *st, void *arg);
	void *arg;
	int found;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *g = data;
	struct clp_md_status st;

	if (clp_nl_cmd(nlh) != LISCAL_CMD_RES_GET)
		return MNL_CB_OK;
	if (g->st) {
		if (clp_md_nl_parse(nlh, g->st) == 0)
			g->found++;
		return MNL_CB_OK;
	}
	if (clp_md_nl_parse(nlh, &st) == 0) {
		g->found++;
		g->cb(&st, g->arg);
	}
	return MNL_CB_OK;
}

int clp_md_nl_get(struct clp_nl *nl, const char *name, struct clp_md_status *st)
{
	return clp_md_nl_get_flags(nl, name, 0, st);
}

int clp_md_nl_get_flags(struct clp_nl *nl, const char *name, uint32_t flags,
			struct clp_md_status *st)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_RES_GET, 0);
	struct get_ctx g = { .st = st };
	int ret;

	mnl_attr_put_strz(nlh, LISCAL_A_RES_NAME, name);
	if (flags)
		mnl_attr_put_u32(nlh, LISCAL_A_FLAGS, flags);
	ret = clp_nl_talk(nl, nlh, get_cb, &g);
	if (ret == 0 && !g.found)
		ret = -ENOENT;
	return ret;
}

int clp_md_nl_dump(struct clp_nl *nl, void (*cb)(const struct clp_md_status *st, void *arg),
		   void *arg)
{
	struct nlmsghdr *nlh = clp_nl_req(nl, LISCAL_CMD_RES_GET, NLM_F_DUMP);
	struct get_ctx g = { .cb = cb, .arg = arg };

	return clp_nl_talk(nl, nlh, get_cb, &g);
}

int clp_md_nl_exit(int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		/* The commands check for root first: for root, the driver's
		 * EPERM is a refusal in this state ("active on the peer"). */
		return geteuid() == 0 ? CLP_EXIT_STATE : CLP_EXIT_PERM;
	case EINVAL:	/* the driver's "not in this state" (its message says which) */
	case ESRCH:
	case ENOENT:
	case EBUSY:
	case EALREADY:
	case EAGAIN:
	case EINPROGRESS:
	case ENOTCONN:
	case EISCONN:
	case ESTALE:
	case EROFS:
	case EEXIST:
		return CLP_EXIT_STATE;
	default:
		return CLP_EXIT_ERROR;
	}
}

const char *clp_md_role_name(unsigned int role)
{
	return liscal_role_name(role);
}

const char *clp_md_conn_name(unsigned int conn)
{
	return liscal_conn_name(conn);
}

const char *clp_md_disk_name(unsigned int disk)
{
	return liscal_disk_state_name(disk);
}

const char *clp_md_reason_name(unsigned int reason)
{
	static const char *const names[] = {
		[LISCAL_REASON_NONE] = "state changed",
		[LISCAL_REASON_CREATED] = "created",
		[LISCAL_REASON_DESTROYED] = "destroyed",
		[LISCAL_REASON_ACTIVATED] = "activated",
		[LISCAL_REASON_DEACTIVATED] = "deactivated",
		[LISCAL_REASON_CONNECTED] = "mirror connected",
		[LISCAL_REASON_BREAK_ADMIN] = "mirror break by command",
		[LISCAL_REASON_BREAK_PEER_CLOSED] = "mirror break: connection closed",
		[LISCAL_REASON_BREAK_SEND_TIMEOUT] = "mirror break: send timeout",
		[LISCAL_REASON_BREAK_ACK_TIMEOUT] = "mirror break: ack timeout",
		[LISCAL_REASON_BREAK_PING_TIMEOUT] = "mirror break: mirror connect heartbeat timeout",
		[LISCAL_REASON_BREAK_PROTOCOL] = "mirror break: invalid packet from the peer",
		[LISCAL_REASON_PEER_IO_ERROR] = "I/O error on the other server",
		[LISCAL_REASON_LOCAL_IO_ERROR] = "I/O error on this server",
		[LISCAL_REASON_RECOVERY_STARTED] = "mirror recovery started",
		[LISCAL_REASON_RECOVERY_DONE] = "mirror recovery completed",
		[LISCAL_REASON_RECOVERY_CANCELLED] = "mirror recovery cancelled",
		[LISCAL_REASON_SPLIT_BRAIN] = "split brain detected",
		[LISCAL_REASON_FORCED_CURRENT] = "forced to be the latest data",
		[LISCAL_REASON_HANDSHAKE_REFUSED] = "connection refused by handshake",
		[LISCAL_REASON_PEER_STATE] = "other server changed state",
		[LISCAL_REASON_PARAMS] = "parameters changed",
		[LISCAL_REASON_FENCED] = "fenced: writes held until the other copy is outdated",
		[LISCAL_REASON_FENCE_RELEASED] = "fenced writes released",
		[LISCAL_REASON_OUTDATED] = "this copy outdated and fenced",
		[LISCAL_REASON_KEY_UPDATE] = "mirror break: the encryption key changed",
		[LISCAL_REASON_GROWN] = "mirror disk grown",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "state changed";
}

/*
 * The counters' names: the UAPI enum's, LISCAL_STATS_A_<NAME> -> "<name>"
 * (stringified, so that a name cannot drift from the header; md_nl_test
 * checks that every counter has one).
 */
#define STAT(x) [LISCAL_STATS_A_##x] = #x
static const char *const stat_names[LISCAL_STATS_A_MAX + 1] = {
	STAT(WRITE_BYTES), STAT(WRITE_COUNT), STAT(READ_BYTES), STAT(READ_COUNT),
	STAT(LOCAL_WRITE_BYTES), STAT(LOCAL_READ_BYTES), STAT(SEND_BYTES),
	STAT(RECV_BYTES), STAT(SYNC_TIME_MAX), STAT(SYNC_TIME_TOTAL),
	STAT(SYNC_COUNT), STAT(SYNC_ACK_MAX), STAT(SYNC_ACK_CUR),
	STAT(RECOVERY_ACK_MAX), STAT(RECOVERY_ACK_MAX2), STAT(RECOVERY_ACK_CUR),
	STAT(SYNC_DIFF_MAX), STAT(SYNC_DIFF_CUR), STAT(SEND_QUEUE_MAX),
	STAT(SEND_QUEUE_MAX2), STAT(SEND_QUEUE_CUR), STAT(REQ_QUEUE_MAX),
	STAT(REQ_QUEUE_MAX2), STAT(REQ_QUEUE_CUR), STAT(MDC_HB_MAX),
	STAT(MDC_HB_MAX2), STAT(MDC_HB_CUR), STAT(LW_WAIT_RR_TOTAL),
	STAT(LW_WAIT_RR_TOTAL2), STAT(RR_WAIT_LW_TOTAL), STAT(RR_WAIT_LW_TOTAL2),
	STAT(RECOVERY_SENT_BYTES), STAT(RECOVERY_RECV_BYTES), STAT(META_WRITES),
	STAT(INTENT_WAITS), STAT(BREAKS), STAT(PEER_WRITE_BYTES), STAT(DIRECT_WRITES),
	STAT(RECOVERY_INFLIGHT_MAX), STAT(REFUSED_PACKETS), STAT(AUTH_FAILURES),
	STAT(COMPRESS_IN_BYTES), STAT(COMPRESS_OUT_BYTES), STAT(ASYNC_OVERFLOWS),
	STAT(HOT_EXTENTS_CUR), STAT(HOT_EVICTIONS), STAT(HOT_AHEAD),
	STAT(PEER_OVERLAP_WAITS), STAT(FLUSHES_COVERED), STAT(FLUSHES_AHEAD),
	STAT(RECOVERY_FLUSH_OVERLAP), STAT(PAGES_REUSED),
};
#undef STAT

bool clp_md_stat_name(unsigned int a, char *buf, size_t len)
{
	const char *s = a < sizeof(stat_names) / sizeof(stat_names[0]) ? stat_names[a] : NULL;
	size_t i;

	if (!s || strlen(s) >= len)
		return false;
	for (i = 0; s[i]; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = 0;
	return true;
}
