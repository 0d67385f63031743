// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_nl.c - the "liscal" generic netlink family (netlink/liscal.yaml,
 * Documentation/liscal-netlink.md): commands, status, events.
 *
 * The family is parallel_ops: no doit holds the genetlink mutex, which
 * every other family shares, so a command waiting for a disk or the peer
 * delays no other family's. liscal_res_mutex (taken interruptibly by
 * every command that names a resource) serialises the commands, and
 * resources cannot vanish under one; a command that waits for the peer or
 * for writes drops it meanwhile (liscal_cmd_unlock()). Those waits are
 * bounded and interruptible.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crypto.h>
#include <linux/module.h>
#include <linux/task_work.h>
#include <net/sock.h>
#include <clpstack/version.h>

#include <crypto/algapi.h>

#include "liscal_int.h"

/*
 * An extack text of one request. netlink_ack() reads the text after the
 * doit returned, so it cannot live on the stack or in one buffer shared by
 * all requests (another request could rewrite it in between): it is freed
 * by a task work when the requesting task returns to user space, which is
 * after its sendmsg() built the ack.
 */
struct liscal_errmsg {
	struct callback_head free_work;
	char text[256];
};

static void liscal_errmsg_free(struct callback_head *head)
{
	kfree(container_of(head, struct liscal_errmsg, free_work));
}

/* Context: a doit (any locks held: the text is allocated atomically). */
void liscal_errf(struct netlink_ext_ack *extack, const char *fmt, ...)
{
	struct liscal_errmsg *m;
	va_list ap;

	if (!extack)
		return;
	m = NULL;
	if (!(current->flags & PF_KTHREAD))
		m = kmalloc(sizeof(*m), GFP_ATOMIC | __GFP_NOWARN);
	if (m) {
		init_task_work(&m->free_work, liscal_errmsg_free);
		if (task_work_add(current, &m->free_work, TWA_RESUME)) {
			kfree(m);
			m = NULL;
		}
	}
	if (!m) {
		struct va_format vaf = { .fmt = fmt, .va = &ap };

		NL_SET_ERR_MSG(extack,
			       "liscal: refused (no memory for the message text, see the kernel log)");
		va_start(ap, fmt);
		pr_info("netlink: %pV\n", &vaf);
		va_end(ap);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	va_end(ap);
	extack->_msg = m->text;
}

/* liscal_res_mutex for a command: interruptible (a signal ends the wait). */
static int liscal_nl_lock(struct genl_info *info)
{
	if (mutex_lock_interruptible(&liscal_res_mutex)) {
		NL_SET_ERR_MSG(info->extack,
			       "interrupted while waiting for another liscal command");
		return -EINTR;
	}
	return 0;
}

static struct netlink_range_validation liscal_tmo_range __ro_after_init = {
	.min = LISCAL_TIMEOUT_MIN_MS, .max = LISCAL_TIMEOUT_MAX_MS,
};

static struct netlink_range_validation liscal_chunk_range __ro_after_init = {
	.min = LISCAL_CHUNK_MIN, .max = LISCAL_CHUNK_MAX,
};

static struct netlink_range_validation liscal_sendq_range __ro_after_init = {
	.min = 0, .max = LISCAL_SENDQ_MAX,
};

static struct netlink_range_validation liscal_bandlimit_range __ro_after_init = {
	.min = 0, .max = LISCAL_BANDLIMIT_MAX,
};

static struct netlink_range_validation liscal_hot_range __ro_after_init = {
	.min = 0, .max = LISCAL_HOT_EXTENTS_MAX,
};

#define TMO NLA_POLICY_FULL_RANGE(NLA_U32, &liscal_tmo_range)

/*
 * Type, size and range of every request attribute. No command takes all
 * of them: liscal_nl_reqs[] lists each command's own (netlink/liscal.yaml's
 * request lists), and liscal_nl_init() builds one policy per command from
 * this one, so that the kernel refuses an attribute the command does not
 * use ("Unsupported attribute", extack pointing at it) instead of ignoring
 * it, and a flag the command does not know.
 */
static const struct nla_policy liscal_nl_policy[LISCAL_A_MAX + 1] = {
	[LISCAL_A_RES_NAME] = { .type = NLA_NUL_STRING, .len = LISCAL_NAME_MAX },
	[LISCAL_A_MINOR] = NLA_POLICY_RANGE(NLA_U32, LISCAL_MINOR_MIN,
					    LISCAL_MINOR_MAX),
	[LISCAL_A_DATA_PATH] = { .type = NLA_NUL_STRING, .len = LISCAL_PATH_MAX },
	[LISCAL_A_CP_PATH] = { .type = NLA_NUL_STRING, .len = LISCAL_PATH_MAX },
	[LISCAL_A_NODE_ID] = NLA_POLICY_MAX(NLA_U8, LISCAL_NODE_ID_MAX),
	[LISCAL_A_LOCAL_ADDR] = { .type = NLA_NUL_STRING, .len = LISCAL_ADDR_MAX },
	[LISCAL_A_PEER_ADDR] = { .type = NLA_NUL_STRING, .len = LISCAL_ADDR_MAX },
	[LISCAL_A_SYNC_MODE] = NLA_POLICY_MAX(NLA_U8, LISCAL_SYNC_SYNC),
	[LISCAL_A_SEND_TIMEOUT] = TMO,
	[LISCAL_A_CONNECT_TIMEOUT] = TMO,
	[LISCAL_A_ACK_TIMEOUT] = TMO,
	[LISCAL_A_RECV_TIMEOUT] = TMO,
	[LISCAL_A_HB_INTERVAL] = TMO,
	[LISCAL_A_PING_TIMEOUT] = TMO,
	[LISCAL_A_PING_RETRY] = NLA_POLICY_RANGE(NLA_U32, LISCAL_PING_RETRY_MIN,
						 LISCAL_PING_RETRY_MAX),
	[LISCAL_A_RECOVERY_CHUNK] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &liscal_chunk_range),
	[LISCAL_A_CP_IO_ERROR] = NLA_POLICY_MAX(NLA_U8, LISCAL_IOERR_PANIC),
	[LISCAL_A_DP_IO_ERROR] = NLA_POLICY_MAX(NLA_U8, LISCAL_IOERR_PANIC),
	[LISCAL_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, LISCAL_F_ALL),
	[LISCAL_A_SOURCE_NODE] = NLA_POLICY_MAX(NLA_U8, LISCAL_NODE_ID_MAX),
	[LISCAL_A_DATA_SIZE] = NLA_POLICY_MIN(NLA_U64, 4096),
	[LISCAL_A_AUTO_CONSTRUCT] = NLA_POLICY_MAX(NLA_U8, 1),
	[LISCAL_A_FENCING] = NLA_POLICY_MAX(NLA_U8, 1),
	[LISCAL_A_KEY] = NLA_POLICY_EXACT_LEN(LISCAL_KEY_LEN),
	[LISCAL_A_KEY_MODE] = NLA_POLICY_MAX(NLA_U8, LISCAL_KEY_CRYPT),
	[LISCAL_A_COMPRESS] = NLA_POLICY_MASK(NLA_U8, LISCAL_COMPRESS_ALL),
	[LISCAL_A_SEND_QUEUE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &liscal_sendq_range),
	[LISCAL_A_BANDLIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32,
						     &liscal_bandlimit_range),
	[LISCAL_A_HOT_EXTENTS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &liscal_hot_range),
};

/* The mirror parameters, taken by RES_CREATE and RES_SET. */
static const u8 liscal_nl_param_attrs[] = {
	LISCAL_A_SYNC_MODE, LISCAL_A_SEND_TIMEOUT, LISCAL_A_CONNECT_TIMEOUT,
	LISCAL_A_ACK_TIMEOUT, LISCAL_A_RECV_TIMEOUT, LISCAL_A_HB_INTERVAL,
	LISCAL_A_PING_TIMEOUT, LISCAL_A_PING_RETRY, LISCAL_A_RECOVERY_CHUNK,
	LISCAL_A_CP_IO_ERROR, LISCAL_A_DP_IO_ERROR, LISCAL_A_AUTO_CONSTRUCT,
	LISCAL_A_FENCING, LISCAL_A_KEY, LISCAL_A_KEY_MODE, LISCAL_A_COMPRESS,
	LISCAL_A_SEND_QUEUE_SIZE, LISCAL_A_BANDLIMIT, LISCAL_A_HOT_EXTENTS,
};

/*
 * The request attributes of each command (0-terminated), whether it takes
 * the mirror parameters, and the LISCAL_F_* flags it takes (LISCAL_A_FLAGS
 * is accepted when there are).
 */
static const struct {
	u8 cmd;
	bool params;
	u32 flags;
	u8 attrs[8];
} liscal_nl_reqs[] = {
	{ LISCAL_CMD_GET_VERSION, false, 0, { 0 } },
	{ LISCAL_CMD_RES_CREATE, true, LISCAL_F_NO_CONNECT,
	  { LISCAL_A_RES_NAME, LISCAL_A_MINOR, LISCAL_A_DATA_PATH,
	    LISCAL_A_CP_PATH, LISCAL_A_NODE_ID, LISCAL_A_LOCAL_ADDR,
	    LISCAL_A_PEER_ADDR } },
	{ LISCAL_CMD_RES_DESTROY, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_RES_SET, true, 0, { LISCAL_A_RES_NAME, LISCAL_A_PEER_ADDR } },
	{ LISCAL_CMD_RES_GET, false, LISCAL_F_STATS_PERIOD, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_ACTIVATE, false, LISCAL_F_FORCE, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_DEACTIVATE, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_CONNECT, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_BREAK, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_RECOVERY_START, false,
	  LISCAL_F_FORCE | LISCAL_F_FULL | LISCAL_F_ASSUME_SYNC,
	  { LISCAL_A_RES_NAME, LISCAL_A_SOURCE_NODE } },
	{ LISCAL_CMD_RECOVERY_CANCEL, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_FORCE_CURRENT, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_FENCE_RELEASE, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_OUTDATE, false, 0, { LISCAL_A_RES_NAME } },
	{ LISCAL_CMD_GROW, false, LISCAL_F_FORCE,
	  { LISCAL_A_RES_NAME, LISCAL_A_DATA_SIZE } },
};

/*
 * One policy per command, built from liscal_nl_policy by liscal_nl_init()
 * before the family is registered; read-only afterwards.
 */
static struct nla_policy
liscal_nl_op_policy[LISCAL_CMD_MAX + 1][LISCAL_A_MAX + 1] __ro_after_init;

/* struct nla_policy has const members: entries are copied, not assigned. */
static void liscal_nl_build_policies(void)
{
	struct nla_policy *pol;
	unsigned int i, j;
	u8 a;

	for (i = 0; i < ARRAY_SIZE(liscal_nl_reqs); i++) {
		const struct nla_policy flags =
			NLA_POLICY_MASK(NLA_U32, liscal_nl_reqs[i].flags);

		pol = liscal_nl_op_policy[liscal_nl_reqs[i].cmd];
		for (j = 0; j < ARRAY_SIZE(liscal_nl_reqs[i].attrs); j++) {
			a = liscal_nl_reqs[i].attrs[j];
			if (!a)
				break;
			memcpy(&pol[a], &liscal_nl_policy[a], sizeof(*pol));
		}
		if (liscal_nl_reqs[i].params) {
			for (j = 0; j < ARRAY_SIZE(liscal_nl_param_attrs); j++) {
				a = liscal_nl_param_attrs[j];
				memcpy(&pol[a], &liscal_nl_policy[a], sizeof(*pol));
			}
		}
		if (liscal_nl_reqs[i].flags)
			memcpy(&pol[LISCAL_A_FLAGS], &flags, sizeof(*pol));
	}
}

static u32 liscal_flags(struct genl_info *info)
{
	return info->attrs[LISCAL_A_FLAGS] ?
	       nla_get_u32(info->attrs[LISCAL_A_FLAGS]) : 0;
}

/*
 * Every command but GET_VERSION names a resource: refused with -EINVAL and
 * the missing attribute in the extended ack when it does not.
 */
static int liscal_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	if (ops->cmd == LISCAL_CMD_GET_VERSION ||
	    !GENL_REQ_ATTR_CHECK(info, LISCAL_A_RES_NAME))
		return 0;
	NL_SET_ERR_MSG(info->extack, "resource name (res-name) missing");
	return -EINVAL;
}

/*
 * Resource named by LISCAL_A_RES_NAME (present: liscal_nl_pre_doit());
 * liscal_res_mutex held.
 */
static struct liscal_res *liscal_nl_res(struct genl_info *info)
{
	struct nlattr *a = info->attrs[LISCAL_A_RES_NAME];
	struct liscal_res *res;

	if (WARN_ON_ONCE(!a))
		return NULL;
	res = liscal_res_find(nla_data(a));
	if (!res)
		liscal_errf(info->extack, "no resource %s", (char *)nla_data(a));
	return res;
}

static void liscal_nl_params(struct liscal_params *p, struct nlattr **a)
{
	if (a[LISCAL_A_SYNC_MODE])
		p->sync_mode = nla_get_u8(a[LISCAL_A_SYNC_MODE]);
	if (a[LISCAL_A_SEND_TIMEOUT])
		p->send_timeout = nla_get_u32(a[LISCAL_A_SEND_TIMEOUT]);
	if (a[LISCAL_A_CONNECT_TIMEOUT])
		p->connect_timeout = nla_get_u32(a[LISCAL_A_CONNECT_TIMEOUT]);
	if (a[LISCAL_A_ACK_TIMEOUT])
		p->ack_timeout = nla_get_u32(a[LISCAL_A_ACK_TIMEOUT]);
	if (a[LISCAL_A_RECV_TIMEOUT])
		p->recv_timeout = nla_get_u32(a[LISCAL_A_RECV_TIMEOUT]);
	if (a[LISCAL_A_HB_INTERVAL])
		p->hb_interval = nla_get_u32(a[LISCAL_A_HB_INTERVAL]);
	if (a[LISCAL_A_PING_TIMEOUT])
		p->ping_timeout = nla_get_u32(a[LISCAL_A_PING_TIMEOUT]);
	if (a[LISCAL_A_PING_RETRY])
		p->ping_retry = nla_get_u32(a[LISCAL_A_PING_RETRY]);
	if (a[LISCAL_A_RECOVERY_CHUNK])
		p->recovery_chunk = nla_get_u32(a[LISCAL_A_RECOVERY_CHUNK]);
	if (a[LISCAL_A_CP_IO_ERROR])
		p->cp_io_error = nla_get_u8(a[LISCAL_A_CP_IO_ERROR]);
	if (a[LISCAL_A_DP_IO_ERROR])
		p->dp_io_error = nla_get_u8(a[LISCAL_A_DP_IO_ERROR]);
	if (a[LISCAL_A_AUTO_CONSTRUCT])
		p->auto_construct = nla_get_u8(a[LISCAL_A_AUTO_CONSTRUCT]);
	if (a[LISCAL_A_FENCING])
		p->fencing = nla_get_u8(a[LISCAL_A_FENCING]);
	if (a[LISCAL_A_COMPRESS])
		p->compress = nla_get_u8(a[LISCAL_A_COMPRESS]);
	if (a[LISCAL_A_SEND_QUEUE_SIZE])
		p->send_queue_size = nla_get_u32(a[LISCAL_A_SEND_QUEUE_SIZE]);
	if (a[LISCAL_A_BANDLIMIT])
		p->bandlimit = nla_get_u32(a[LISCAL_A_BANDLIMIT]);
	if (a[LISCAL_A_HOT_EXTENTS])
		p->hot_extents = nla_get_u32(a[LISCAL_A_HOT_EXTENTS]);
}

/*
 * The key and its mode of RES_CREATE / RES_SET into @key / @mode (the
 * resource's, or a template's). A mode other than none needs a key; a key
 * alone (RES_SET) replaces the key of the current mode. Returns 1 when
 * they changed, 0 when not, or a negative error (nothing changed). The
 * attribute is zeroised after use: it is not freed by this code.
 */
static int liscal_nl_key(struct genl_info *info, u8 *key, u8 *mode)
{
	struct nlattr *ka = info->attrs[LISCAL_A_KEY];
	struct nlattr *ma = info->attrs[LISCAL_A_KEY_MODE];
	u8 m = ma ? nla_get_u8(ma) : *mode;
	int changed;

	if (!ka && !ma)
		return 0;
	if (m == LISCAL_KEY_NONE) {
		if (ka) {
			NL_SET_ERR_MSG_ATTR(info->extack, ka,
					    "a key needs key-mode auth or crypt");
			goto out_zero;
		}
		changed = *mode != m;
		memzero_explicit(key, LISCAL_KEY_LEN);
		*mode = m;
		return changed;
	}
	if (!ka) {
		NL_SET_ERR_MSG_ATTR(info->extack, ma,
				    "key-mode auth or crypt needs the key");
		return -EINVAL;
	}
	changed = *mode != m || crypto_memneq(key, nla_data(ka), LISCAL_KEY_LEN);
	memcpy(key, nla_data(ka), LISCAL_KEY_LEN);
	*mode = m;
	memzero_explicit(nla_data(ka), LISCAL_KEY_LEN);
	return changed;
out_zero:
	memzero_explicit(nla_data(ka), LISCAL_KEY_LEN);
	return -EINVAL;
}

static int liscal_nl_check_params(struct genl_info *info,
				  const struct liscal_params *p)
{
	if ((p->compress & LISCAL_COMPRESS_DATA) &&
	    p->sync_mode == LISCAL_SYNC_SYNC) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LISCAL_A_COMPRESS],
				    "compressing mirror data needs asynchronous mode; synchronous mode compresses recovery data only (2)");
		return -EINVAL;
	}
	/* Refused rather than silently sending as is (liscal_comp_get()). */
	if (p->compress && !crypto_has_comp("lz4", 0, 0)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LISCAL_A_COMPRESS],
				    "compression needs the kernel's LZ4 (crypto lz4), which this kernel lacks");
		return -EOPNOTSUPP;
	}
	if (p->recovery_chunk % 4096) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[LISCAL_A_RECOVERY_CHUNK],
				    "recovery chunk must be a multiple of 4096");
		return -EINVAL;
	}
	return 0;
}

static int liscal_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &liscal_genl_family, 0,
				LISCAL_CMD_GET_VERSION);
	if (!hdr)
		goto err_free_msg;
	if (nla_put_string(msg, LISCAL_A_VERSION, CLPSTACK_VERSION) ||
	    nla_put_u32(msg, LISCAL_A_FEATURES, 0) ||
	    nla_put_u32(msg, LISCAL_A_MAJOR, liscal_major))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int liscal_nl_res_create(struct sk_buff *skb, struct genl_info *info)
{
	static const int req[] = { LISCAL_A_MINOR, LISCAL_A_DATA_PATH,
		LISCAL_A_CP_PATH, LISCAL_A_NODE_ID, LISCAL_A_LOCAL_ADDR,
		LISCAL_A_PEER_ADDR };
	static const char * const req_names[] = { "minor", "data-path",
		"cp-path", "node-id", "local-addr", "peer-addr" };
	struct nlattr **a = info->attrs;
	struct liscal_res *tmpl;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(req); i++) {
		if (GENL_REQ_ATTR_CHECK(info, req[i])) {
			liscal_errf(info->extack, "attribute %s is required",
				    req_names[i]);
			return -EINVAL;
		}
	}
	if (!liscal_name_valid(nla_data(a[LISCAL_A_RES_NAME]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[LISCAL_A_RES_NAME],
				    "resource name must be 1-15 characters of [A-Za-z0-9_-]");
		return -EINVAL;
	}
	tmpl = kzalloc(sizeof(*tmpl), GFP_KERNEL);
	if (!tmpl)
		return -ENOMEM;
	nla_strscpy(tmpl->name, a[LISCAL_A_RES_NAME], sizeof(tmpl->name));
	tmpl->minor = nla_get_u32(a[LISCAL_A_MINOR]);
	nla_strscpy(tmpl->data_path, a[LISCAL_A_DATA_PATH], sizeof(tmpl->data_path));
	nla_strscpy(tmpl->cp_path, a[LISCAL_A_CP_PATH], sizeof(tmpl->cp_path));
	tmpl->node_id = nla_get_u8(a[LISCAL_A_NODE_ID]);
	nla_strscpy(tmpl->local_str, a[LISCAL_A_LOCAL_ADDR], sizeof(tmpl->local_str));
	nla_strscpy(tmpl->peer_str, a[LISCAL_A_PEER_ADDR], sizeof(tmpl->peer_str));
	ret = -EINVAL;
	if (liscal_parse_addr(tmpl->local_str, &tmpl->local_addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[LISCAL_A_LOCAL_ADDR],
				    "local address must be a.b.c.d:port");
		goto out_free;
	}
	if (liscal_parse_addr(tmpl->peer_str, &tmpl->peer_addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[LISCAL_A_PEER_ADDR],
				    "peer address must be a.b.c.d:port");
		goto out_free;
	}
	if (!strcmp(tmpl->data_path, tmpl->cp_path)) {
		NL_SET_ERR_MSG(info->extack,
			       "data and cluster partition are the same device");
		goto out_free;
	}
	liscal_params_default(&tmpl->p);
	liscal_nl_params(&tmpl->p, a);
	ret = liscal_nl_check_params(info, &tmpl->p);
	if (ret)
		goto out_free;
	ret = liscal_nl_key(info, tmpl->key, &tmpl->key_mode);
	if (ret < 0)
		goto out_free;
	ret = liscal_nl_lock(info);
	if (ret)
		goto out_free;
	ret = liscal_res_create(tmpl, liscal_flags(info), info->extack);
	mutex_unlock(&liscal_res_mutex);
out_free:
	kfree_sensitive(tmpl);
	return ret;
}

static int liscal_nl_res_destroy(struct sk_buff *skb, struct genl_info *info)
{
	struct liscal_res *res;
	int ret;

	ret = liscal_nl_lock(info);
	if (ret)
		return ret;
	ret = -ENOENT;
	res = liscal_nl_res(info);
	if (res)
		ret = liscal_res_destroy(res, info->extack);
	mutex_unlock(&liscal_res_mutex);
	return ret;
}

/*
 * A new peer address for RES_SET (a hybrid disk's other server group has
 * another current server): a.b.c.d:port, only while not connected; the
 * connection thread takes it at its next attempt. Context: state_mutex.
 */
static int liscal_nl_peer_check(struct genl_info *info, struct liscal_res *res,
				struct sockaddr_in *peer)
{
	struct nlattr *a = info->attrs[LISCAL_A_PEER_ADDR];
	char str[LISCAL_ADDR_MAX + 1];

	nla_strscpy(str, a, sizeof(str));
	if (liscal_parse_addr(str, peer)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "peer address must be a.b.c.d:port");
		return -EINVAL;
	}
	if (READ_ONCE(res->conn) == LISCAL_CONN_CONNECTED) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "the peer address cannot change while the mirror is connected");
		return -EBUSY;
	}
	return 0;
}

static int liscal_nl_res_set(struct sk_buff *skb, struct genl_info *info)
{
	struct sockaddr_in peer = {};
	u8 key[LISCAL_KEY_LEN], mode;
	struct liscal_params p;
	struct liscal_res *res;
	unsigned long flags;
	int ret, rekey = 0;

	ret = liscal_nl_lock(info);
	if (ret)
		return ret;
	ret = -ENOENT;
	res = liscal_nl_res(info);
	if (res) {
		mutex_lock(&res->state_mutex);
		p = res->p;
		liscal_nl_params(&p, info->attrs);
		ret = liscal_nl_check_params(info, &p);
		/*
		 * The queue of an asynchronous connection and the synchronous
		 * path's direct sends would interleave out of order.
		 */
		if (!ret && info->attrs[LISCAL_A_PEER_ADDR])
			ret = liscal_nl_peer_check(info, res, &peer);
		if (!ret && p.sync_mode != res->p.sync_mode &&
		    READ_ONCE(res->conn) == LISCAL_CONN_CONNECTED) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[LISCAL_A_SYNC_MODE],
					    "the synchronous mode cannot change while the mirror is connected");
			ret = -EBUSY;
		}
		spin_lock_irqsave(&res->lock, flags);
		memcpy(key, res->key, sizeof(key));
		mode = res->key_mode;
		spin_unlock_irqrestore(&res->lock, flags);
		if (!ret) {
			ret = liscal_nl_key(info, key, &mode);
			rekey = ret;
		}
		if (ret >= 0) {
			ret = 0;
			res->p = p;
			spin_lock_irqsave(&res->lock, flags);
			memcpy(res->key, key, sizeof(key));
			res->key_mode = mode;
			if (info->attrs[LISCAL_A_PEER_ADDR]) {
				res->peer_addr = peer;
				nla_strscpy(res->peer_str,
					    info->attrs[LISCAL_A_PEER_ADDR],
					    sizeof(res->peer_str));
			}
			spin_unlock_irqrestore(&res->lock, flags);
		}
		memzero_explicit(key, sizeof(key));
		mutex_unlock(&res->state_mutex);
		/*
		 * A new key: the connection made with the old one ends
		 * (mirroring suspended) and the next handshake proves the
		 * new one; what is written meanwhile is recovered after.
		 */
		if (rekey > 0 && liscal_rekey(res))
			pr_info("%s: key changed: mirror connection restarted\n",
				res->name);
		/* The send timeout of an established connection, at once. */
		mutex_lock(&res->sock_mutex);
		if (!ret && res->sock)
			res->sock->sk->sk_sndtimeo = msecs_to_jiffies(p.send_timeout);
		mutex_unlock(&res->sock_mutex);
		if (!ret)
			liscal_event(res, LISCAL_REASON_PARAMS, 0, 0, 0, 0, NULL);
	}
	mutex_unlock(&liscal_res_mutex);
	return ret;
}

static int liscal_put_stats(struct sk_buff *msg, struct liscal_res *res,
			    bool period)
{
	struct liscal_stats st;
	struct nlattr *nest;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&res->lock, flags);
	res->st.v[LISCAL_STATS_A_SYNC_DIFF_CUR] = res->sync_diff;
	res->st.v[LISCAL_STATS_A_REQ_QUEUE_CUR] = res->req_queue;
	res->st.v[LISCAL_STATS_A_SEND_QUEUE_CUR] = res->send_queue;
	res->st.v[LISCAL_STATS_A_HOT_EXTENTS_CUR] = res->hot.count;
	res->st.v[LISCAL_STATS_A_PAGES_REUSED] = atomic64_read(&res->pages_reused);
	st = res->st;
	if (period) {
		res->st.v[LISCAL_STATS_A_RECOVERY_ACK_MAX2] = 0;
		res->st.v[LISCAL_STATS_A_SEND_QUEUE_MAX2] = 0;
		res->st.v[LISCAL_STATS_A_REQ_QUEUE_MAX2] = 0;
		res->st.v[LISCAL_STATS_A_MDC_HB_MAX2] = 0;
		res->st.v[LISCAL_STATS_A_LW_WAIT_RR_TOTAL2] = 0;
		res->st.v[LISCAL_STATS_A_RR_WAIT_LW_TOTAL2] = 0;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	nest = nla_nest_start(msg, LISCAL_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i <= LISCAL_STATS_A_MAX; i++)
		if (nla_put_u64_64bit(msg, i, st.v[i], 0))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Lock held. Is the connected peer's copy fresh (never mirrored, as its
 * last HELLO said) and still unfilled?
 */
static bool liscal_peer_is_fresh(struct liscal_res *res)
{
	return res->conn == LISCAL_CONN_CONNECTED && res->peer_fresh &&
	       res->pdisk == LISCAL_DISK_INCONSISTENT;
}

static int liscal_fill(struct sk_buff *msg, struct liscal_res *res, u8 cmd,
		       u32 portid, u32 seq, int nlflags, bool period)
{
	char peer_str[LISCAL_ADDR_MAX + 1];
	struct liscal_sb sb;
	unsigned long flags;
	u8 role, prole, conn, disk, pdisk, sbrain, dir, pfresh, fenced;
	u64 dirty, done, total, pgen;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &liscal_genl_family, nlflags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	spin_lock_irqsave(&res->lock, flags);
	memcpy(peer_str, res->peer_str, sizeof(peer_str));
	sb = res->sb;
	role = res->role;
	prole = res->peer_role;
	conn = res->conn;
	disk = res->disk_state;
	pdisk = res->pdisk;
	sbrain = res->split_brain;
	dir = res->rs_dir;
	done = res->rs_done;
	total = res->rs_total;
	pgen = res->peer_gen;
	pfresh = liscal_peer_is_fresh(res);
	fenced = res->fenced;
	dirty = liscal_bm_count(res->oos, res->nbits);
	spin_unlock_irqrestore(&res->lock, flags);
	if (nla_put_string(msg, LISCAL_A_RES_NAME, res->name) ||
	    nla_put_u32(msg, LISCAL_A_MINOR, res->minor) ||
	    nla_put_u8(msg, LISCAL_A_NODE_ID, res->node_id) ||
	    nla_put_string(msg, LISCAL_A_DATA_PATH, res->data_path) ||
	    nla_put_string(msg, LISCAL_A_CP_PATH, res->cp_path) ||
	    nla_put_string(msg, LISCAL_A_LOCAL_ADDR, res->local_str) ||
	    nla_put_string(msg, LISCAL_A_PEER_ADDR, peer_str) ||
	    nla_put_u8(msg, LISCAL_A_SYNC_MODE, res->p.sync_mode) ||
	    nla_put_u32(msg, LISCAL_A_SEND_QUEUE_SIZE, res->p.send_queue_size) ||
	    nla_put_u32(msg, LISCAL_A_BANDLIMIT, res->p.bandlimit) ||
	    nla_put_u32(msg, LISCAL_A_HOT_EXTENTS, res->p.hot_extents) ||
	    nla_put_u32(msg, LISCAL_A_SEND_TIMEOUT, res->p.send_timeout) ||
	    nla_put_u32(msg, LISCAL_A_CONNECT_TIMEOUT, res->p.connect_timeout) ||
	    nla_put_u32(msg, LISCAL_A_ACK_TIMEOUT, res->p.ack_timeout) ||
	    nla_put_u32(msg, LISCAL_A_RECV_TIMEOUT, res->p.recv_timeout) ||
	    nla_put_u32(msg, LISCAL_A_HB_INTERVAL, res->p.hb_interval) ||
	    nla_put_u32(msg, LISCAL_A_PING_TIMEOUT, res->p.ping_timeout) ||
	    nla_put_u32(msg, LISCAL_A_PING_RETRY, res->p.ping_retry) ||
	    nla_put_u32(msg, LISCAL_A_RECOVERY_CHUNK, res->p.recovery_chunk) ||
	    nla_put_u8(msg, LISCAL_A_CP_IO_ERROR, res->p.cp_io_error) ||
	    nla_put_u8(msg, LISCAL_A_DP_IO_ERROR, res->p.dp_io_error) ||
	    nla_put_u8(msg, LISCAL_A_ROLE, role) ||
	    nla_put_u8(msg, LISCAL_A_PEER_ROLE, prole) ||
	    nla_put_u8(msg, LISCAL_A_CONN_STATE, conn) ||
	    nla_put_u8(msg, LISCAL_A_DISK_STATE, disk) ||
	    nla_put_u8(msg, LISCAL_A_PEER_DISK_STATE, pdisk) ||
	    nla_put_u8(msg, LISCAL_A_SPLIT_BRAIN, sbrain) ||
	    nla_put_u64_64bit(msg, LISCAL_A_GEN_CURRENT, sb.gen_current, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_GEN_BITMAP, sb.gen_bitmap, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_GEN_HISTORY1, sb.gen_history[0], 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_GEN_HISTORY2, sb.gen_history[1], 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_PEER_GEN_CURRENT, pgen, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_DATA_SIZE, res->data_bytes, 0) ||
	    nla_put_u32(msg, LISCAL_A_BIT_SIZE, 1U << res->shift) ||
	    nla_put_u64_64bit(msg, LISCAL_A_TOTAL_BITS, res->nbits, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_DIRTY_BITS, dirty, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_DIRTY_BYTES,
			      min(dirty << res->shift, res->data_bytes), 0) ||
	    nla_put_u8(msg, LISCAL_A_RECOVERY_DIR, dir) ||
	    nla_put_u64_64bit(msg, LISCAL_A_RECOVERY_DONE, done, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_RECOVERY_TOTAL, total, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_LAST_UPDATE, sb.last_update, 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_BREAK_TIME, sb.break_time, 0) ||
	    nla_put_u32(msg, LISCAL_A_SB_FLAGS, sb.flags) ||
	    nla_put(msg, LISCAL_A_UUID, LISCAL_UUID_LEN, sb.uuid) ||
	    liscal_put_stats(msg, res, period) ||
	    nla_put_u8(msg, LISCAL_A_AUTO_CONSTRUCT, res->p.auto_construct) ||
	    nla_put_u8(msg, LISCAL_A_FRESH,
		       liscal_meta_fresh(sb.flags, sb.gen_history[0])) ||
	    nla_put_u8(msg, LISCAL_A_PEER_FRESH, pfresh) ||
	    nla_put_u8(msg, LISCAL_A_FENCING, res->p.fencing) ||
	    nla_put_u8(msg, LISCAL_A_FENCED, fenced) ||
	    nla_put_u8(msg, LISCAL_A_KEY_MODE, READ_ONCE(res->key_mode)) ||
	    nla_put_u8(msg, LISCAL_A_COMPRESS, res->p.compress)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int liscal_nl_res_get(struct sk_buff *skb, struct genl_info *info)
{
	struct liscal_res *res;
	struct sk_buff *msg;
	int ret = -ENOENT;

	/*
	 * Anyone may read the status; starting a new statistics period
	 * resets the period maxima that the mirror agent samples, so that
	 * is an administrator's, as every command that changes state.
	 */
	if ((liscal_flags(info) & LISCAL_F_STATS_PERIOD) &&
	    !netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LISCAL_A_FLAGS],
				    "starting a new statistics period needs CAP_NET_ADMIN");
		return -EPERM;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	if (liscal_nl_lock(info)) {
		nlmsg_free(msg);
		return -EINTR;
	}
	res = liscal_nl_res(info);
	if (res)
		ret = liscal_fill(msg, res, LISCAL_CMD_RES_GET, info->snd_portid,
				  info->snd_seq, 0,
				  liscal_flags(info) & LISCAL_F_STATS_PERIOD);
	mutex_unlock(&liscal_res_mutex);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int liscal_nl_res_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct liscal_res *res;
	long idx = 0, start = cb->args[0];

	mutex_lock(&liscal_res_mutex);
	list_for_each_entry(res, &liscal_res_list, list) {
		if (idx++ < start)
			continue;
		if (liscal_fill(skb, res, LISCAL_CMD_RES_GET,
				NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				NLM_F_MULTI, false)) {
			idx--;
			break;
		}
	}
	mutex_unlock(&liscal_res_mutex);
	cb->args[0] = idx;
	return skb->len;
}

/* Sends this side's state to the peer (from the workqueue). Any context. */
void liscal_kick_state(struct liscal_res *res)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	res->state_pending = true;
	spin_unlock_irqrestore(&res->lock, flags);
	queue_work(res->wq, &res->ctl_work);
}

static const char *liscal_disk_name(u8 d)
{
	static const char * const n[] = { "unknown", "inconsistent", "outdated",
					  "uptodate", "failed" };

	return d < ARRAY_SIZE(n) ? n[d] : "?";
}

/* Lock held. Why this copy may not become active now, or 0. */
static int liscal_activate_check(struct liscal_res *res, bool force,
				 struct netlink_ext_ack *extack)
{
	if (res->disk_state == LISCAL_DISK_FAILED) {
		liscal_errf(extack, "%s: the local disk failed", res->name);
		return -EPERM;
	}
	if (res->peer_role == LISCAL_ROLE_ACTIVE) {
		liscal_errf(extack, "%s is active on the peer: deactivate it there first",
			    res->name);
		return -EPERM;
	}
	if (!force && res->split_brain) {
		liscal_errf(extack, "%s: split brain: resolve it with a forced recovery",
			    res->name);
		return -EPERM;
	}
	if (!force && res->disk_state != LISCAL_DISK_UPTODATE) {
		liscal_errf(extack, "%s: this copy is %s, not current (force to use it anyway)",
			    res->name, liscal_disk_name(res->disk_state));
		return -EPERM;
	}
	if (res->rs_dir == LISCAL_RECOVERY_FROM_PEER) {
		liscal_errf(extack, "%s: this copy is being recovered", res->name);
		return -EPERM;
	}
	return 0;
}

/*
 * A command that waits (for the peer, for writes) lets the others run:
 * liscal_res_mutex is dropped, and RES_DESTROY refuses the resource
 * meanwhile (cmd_waiting). Called with liscal_res_mutex held and no other
 * liscal lock; liscal_cmd_relock() takes it again.
 */
void liscal_cmd_unlock(struct liscal_res *res)
{
	lockdep_assert_held(&liscal_res_mutex);
	res->cmd_waiting++;
	mutex_unlock(&liscal_res_mutex);
}

void liscal_cmd_relock(struct liscal_res *res)
{
	mutex_lock(&liscal_res_mutex);
	res->cmd_waiting--;
}

static bool liscal_answered(struct liscal_res *res, u32 epoch)
{
	return READ_ONCE(res->act_reply) ||
	       READ_ONCE(res->conn) != LISCAL_CONN_CONNECTED ||
	       READ_ONCE(res->conn_epoch) != epoch;
}

static long liscal_wait_answer(struct liscal_res *res, u32 epoch,
			       unsigned int ms)
{
	return wait_event_interruptible_timeout(res->waitq,
						liscal_answered(res, epoch),
						msecs_to_jiffies(ms));
}

/*
 * Activation while connected: asks the peer (STATE with ACT_REQ) and
 * waits for its answer, at most the connect timeout, interruptibly.
 * Called and returns with liscal_res_mutex and state_mutex held, which it
 * drops while waiting: the caller checks everything again. Returns 0 when
 * the peer granted (res->act_granted for connection res->conn_epoch), or
 * an error with the reason in extack.
 */
static int liscal_activate_ask(struct liscal_res *res,
			       struct netlink_ext_ack *extack)
{
	unsigned int tmo = READ_ONCE(res->p.connect_timeout);
	unsigned long flags;
	int reply, ret;
	long left = 0;
	u32 epoch;
	u64 seq;

	spin_lock_irqsave(&res->lock, flags);
	res->activating = true;
	res->act_granted = false;
	res->act_reply = 0;
	seq = ++res->act_seq;
	epoch = res->conn_epoch;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	liscal_cmd_unlock(res);
	ret = liscal_send_state(res, LISCAL_WF_ACT_REQ, seq);
	if (!ret)
		left = liscal_wait_answer(res, epoch, tmo);
	liscal_cmd_relock(res);
	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	reply = res->act_reply;
	if (res->conn != LISCAL_CONN_CONNECTED || res->conn_epoch != epoch)
		reply = -2;
	res->act_granted = reply == 1;
	if (reply != 1)
		res->activating = false;
	spin_unlock_irqrestore(&res->lock, flags);
	if (reply == 1)
		return 0;
	/* Whatever the peer decided late: our role is still standby. */
	liscal_kick_state(res);
	if (ret) {
		liscal_errf(extack, "%s: cannot ask the peer (error %d): not activated",
			    res->name, ret);
		return -ENOTCONN;
	}
	if (reply == -1) {
		liscal_errf(extack, "%s: the peer refused: it is active or becoming active",
			    res->name);
		return -EPERM;
	}
	if (reply == -2) {
		liscal_errf(extack,
			    "%s: the mirror connection changed while the peer was asked: not activated, try again",
			    res->name);
		return -EAGAIN;
	}
	if (left < 0) {
		liscal_errf(extack, "%s: interrupted while asking the peer: not activated",
			    res->name);
		return -EINTR;
	}
	liscal_errf(extack,
		    "%s: the peer did not answer within the connect timeout (%u ms): not activated",
		    res->name, tmo);
	return -ETIMEDOUT;
}

/*
 * The peer's STATE with ACT_REQ or ACT_REPLY. Context: the receiver. A
 * request is granted unless this side is active, or is becoming active
 * and wins (it was granted already, or both asked at once and this is
 * node 0); a grant makes this side see the peer as active at once, so
 * it asks in vain until the peer says otherwise. The answer goes from
 * the workqueue (ctl_work). A reply that matches no request of ours is
 * refused and counted.
 */
void liscal_act_recv(struct liscal_res *res, const struct liscal_wire_hdr *h)
{
	unsigned long flags;
	bool ok, stray = false;

	spin_lock_irqsave(&res->lock, flags);
	if (h->flags & LISCAL_WF_ACT_REQ) {
		ok = res->role != LISCAL_ROLE_ACTIVE &&
		     !(res->activating && (res->act_reply == 1 ||
					   res->act_granted ||
					   res->node_id == 0));
		if (ok) {
			res->peer_role = LISCAL_ROLE_ACTIVE;
			/* our own request, if any, lost */
			if (res->activating)
				res->act_reply = -1;
		}
		res->act_reply_pending = true;
		res->act_reply_ok = ok;
		res->act_reply_seq = h->seq;
	} else if (res->activating && !res->act_reply &&
		   h->seq == res->act_seq) {
		res->act_reply = (h->flags & LISCAL_WF_ERROR) ? -1 : 1;
	} else {
		stray = true;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (stray) {
		liscal_refuse(res, "an activation answer nobody asked for");
		return;
	}
	if (h->flags & LISCAL_WF_ACT_REQ)
		queue_work(res->wq, &res->ctl_work);
	wake_up_all(&res->waitq);
}

/*
 * Waits (interruptibly, at most the connect timeout) until no handshake
 * runs. Called with liscal_res_mutex and state_mutex held, returns with
 * them held (dropped while waiting). Returns 0 or an error with extack
 * set.
 */
static int liscal_wait_handshake(struct liscal_res *res,
				 struct netlink_ext_ack *extack)
{
	unsigned int ms = READ_ONCE(res->p.connect_timeout);
	long left;

	mutex_unlock(&res->state_mutex);
	liscal_cmd_unlock(res);
	left = wait_event_interruptible_timeout(res->waitq,
						!READ_ONCE(res->hold_writes),
						msecs_to_jiffies(ms));
	liscal_cmd_relock(res);
	mutex_lock(&res->state_mutex);
	if (left > 0)
		return 0;
	liscal_errf(extack, "%s: %s while the mirror handshake ran: not activated",
		    res->name, left < 0 ? "interrupted" : "timed out");
	return left < 0 ? -EINTR : -ETIMEDOUT;
}

/*
 * ACTIVATE. While connected the peer must grant it first (see
 * liscal_act_recv()); while a handshake runs it waits for its end, so the
 * HELLO either side sends carries the role that holds (the connection
 * thread takes state_mutex to start a handshake). Disconnected, nothing
 * is asked: the cluster decides; two actives are found at the next
 * handshake (split brain).
 */
static int liscal_activate(struct liscal_res *res, bool force,
			   struct netlink_ext_ack *extack)
{
	struct liscal_snap snap;
	struct liscal_sb old_sb;
	unsigned long flags;
	bool in_sync;
	int ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	for (;;) {
		spin_lock_irqsave(&res->lock, flags);
		if (res->role == LISCAL_ROLE_ACTIVE) {
			ret = 0;
			goto out_unlock;
		}
		/* another ACTIVATE waits for the peer (not this one's own grant) */
		if (res->activating && !res->act_granted) {
			spin_unlock_irqrestore(&res->lock, flags);
			mutex_unlock(&res->state_mutex);
			liscal_errf(extack, "%s: an activation is running already",
				    res->name);
			return -EBUSY;
		}
		ret = liscal_activate_check(res, force, extack);
		if (ret)
			goto out_unlock;
		if (res->hold_writes) {
			spin_unlock_irqrestore(&res->lock, flags);
			ret = liscal_wait_handshake(res, extack);
			if (ret)
				goto out_mutex;
			continue;
		}
		if (res->conn == LISCAL_CONN_CONNECTED && !res->act_granted) {
			spin_unlock_irqrestore(&res->lock, flags);
			ret = liscal_activate_ask(res, extack);
			if (ret)
				goto out_mutex;
			continue;
		}
		break;
	}
	in_sync = res->conn == LISCAL_CONN_CONNECTED &&
		  res->pdisk == LISCAL_DISK_UPTODATE;
	/*
	 * The superblock of the active copy (new generation when the peer
	 * is not in sync, current, was active) is on disk before the role
	 * changes: a failed write leaves everything as it was.
	 */
	old_sb = res->sb;
	if (!in_sync && !res->sb.gen_bitmap) {
		res->sb.gen_bitmap = res->sb.gen_current;
		liscal_meta_new_gen(&res->sb, liscal_new_gen());
	}
	if (res->disk_state != LISCAL_DISK_UPTODATE) {
		res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC);
		res->sb.flags |= LISCAL_SB_F_UPTODATE;
	}
	if (!in_sync)
		res->sb.flags |= LISCAL_SB_F_PEER_OUTDATED;
	res->sb.flags |= LISCAL_SB_F_WAS_ACTIVE;
	res->sb.last_update = liscal_now();
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_commit(res, &old_sb, false);
	spin_lock_irqsave(&res->lock, flags);
	if (ret) {
		liscal_errf(extack, "%s: cluster partition write failed (%d): not activated",
			    res->name, ret);
		goto out_unlock;
	}
	res->disk_state = LISCAL_DISK_UPTODATE;
	if (!in_sync && (res->pdisk == LISCAL_DISK_UPTODATE ||
			 res->pdisk == LISCAL_DISK_UNKNOWN))
		res->pdisk = LISCAL_DISK_OUTDATED;
	res->role = LISCAL_ROLE_ACTIVE;
	res->activating = false;
	res->act_granted = false;
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_set_ro(res);
	mutex_unlock(&res->state_mutex);
	liscal_kick_state(res);
	liscal_event_since(res, &snap, LISCAL_REASON_ACTIVATED,
			   force ? "forced" : NULL);
	return 0;

out_unlock:
	spin_unlock_irqrestore(&res->lock, flags);
out_mutex:
	spin_lock_irqsave(&res->lock, flags);
	/* a grant not used: the peer learns our role (still standby) */
	if (res->act_granted)
		res->state_pending = true;
	res->activating = false;
	res->act_granted = false;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	queue_work(res->wq, &res->ctl_work);
	return ret;
}

/*
 * DEACTIVATE. The writes in flight are waited for at most the ack timeout
 * plus a second, interruptibly; if they do not end, the copy stays active
 * and the command fails. A failed write of the superblock without
 * WAS_ACTIVE fails the command too (the role is standby then, the disk
 * failed, and WAS_ACTIVE may stay on disk: the safe side).
 */
static int liscal_deactivate(struct liscal_res *res,
			     struct netlink_ext_ack *extack)
{
	unsigned int tmo = READ_ONCE(res->p.ack_timeout);
	struct liscal_snap snap;
	unsigned long flags;
	bool was_active;
	long left;
	int ret;

	mutex_lock(&res->state_mutex);
	liscal_snap(res, &snap);
	spin_lock_irqsave(&res->lock, flags);
	if (res->open_writers) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		liscal_errf(extack, "/dev/NMP%u is open for writing (mounted?)",
			    res->minor);
		return -EBUSY;
	}
	was_active = res->role == LISCAL_ROLE_ACTIVE;
	res->role = LISCAL_ROLE_STANDBY;
	spin_unlock_irqrestore(&res->lock, flags);
	liscal_set_ro(res);
	mutex_unlock(&res->state_mutex);
	/*
	 * No writer any more; writes still in flight finish (or fail with a
	 * break, whose teardown needs state_mutex: so wait without it).
	 */
	liscal_cmd_unlock(res);
	left = wait_event_interruptible_timeout(res->waitq,
						list_empty(&res->writes),
						msecs_to_jiffies(tmo) + HZ);
	liscal_cmd_relock(res);
	mutex_lock(&res->state_mutex);
	if (left <= 0) {
		spin_lock_irqsave(&res->lock, flags);
		if (was_active)
			res->role = LISCAL_ROLE_ACTIVE;
		spin_unlock_irqrestore(&res->lock, flags);
		liscal_set_ro(res);
		mutex_unlock(&res->state_mutex);
		liscal_errf(extack, "%s: writes still in flight after %s: not deactivated",
			    res->name, left ? "a signal" : "the ack timeout");
		return left ? -EINTR : -ETIMEDOUT;
	}
	ret = liscal_bm_flush(res, false);
	spin_lock_irqsave(&res->lock, flags);
	if (!ret && res->role == LISCAL_ROLE_STANDBY)
		res->sb.flags &= ~LISCAL_SB_F_WAS_ACTIVE;
	spin_unlock_irqrestore(&res->lock, flags);
	if (!ret)
		ret = liscal_sb_write(res);
	mutex_unlock(&res->state_mutex);
	if (ret)
		liscal_errf(extack,
			    "%s: deactivated, but the cluster partition write failed (%d): the local disk failed",
			    res->name, ret);
	liscal_kick_state(res);
	liscal_event_since(res, &snap, LISCAL_REASON_DEACTIVATED, NULL);
	return ret;
}

/*
 * Both copies are fresh and, by the administrator's word, identical (the
 * same image, or both zeroed): this copy becomes current with a new
 * generation, every bit cleared, and a recovery with nothing to copy hands
 * the generation to the peer (SYNC_START, SYNC_DONE). Refused, with no
 * change, unless both copies are fresh and no recovery runs.
 */
static int liscal_assume_sync(struct liscal_res *res,
			      struct netlink_ext_ack *extack)
{
	struct liscal_sb old_sb;
	unsigned long flags;
	int ret = 0;
	u64 gen;

	mutex_lock(&res->state_mutex);
	spin_lock_irqsave(&res->lock, flags);
	if (res->conn != LISCAL_CONN_CONNECTED) {
		liscal_errf(extack, "%s is not connected to the peer", res->name);
		ret = -ENOTCONN;
	} else if (res->rs_dir != LISCAL_RECOVERY_NONE) {
		liscal_errf(extack, "%s: a mirror recovery is running", res->name);
		ret = -EBUSY;
	} else if (!liscal_meta_fresh(res->sb.flags, res->sb.gen_history[0])) {
		liscal_errf(extack,
			    "%s: assume-sync: this copy is not fresh (it holds mirrored data); copy with a forced full recovery instead",
			    res->name);
		ret = -EINVAL;
	} else if (!liscal_peer_is_fresh(res)) {
		liscal_errf(extack,
			    "%s: assume-sync: the peer's copy is not fresh (it holds mirrored data); copy with a forced full recovery instead",
			    res->name);
		ret = -EINVAL;
	}
	if (ret) {
		spin_unlock_irqrestore(&res->lock, flags);
		mutex_unlock(&res->state_mutex);
		return ret;
	}
	/* fresh copies: their bits are meaningless, a full copy sets them all */
	memset(res->oos, 0, res->nwords * 8);
	old_sb = res->sb;
	res->sb.flags &= ~(LISCAL_SB_F_INCONSISTENT | LISCAL_SB_F_FULL_SYNC);
	res->sb.flags |= LISCAL_SB_F_UPTODATE | LISCAL_SB_F_PEER_OUTDATED;
	liscal_meta_new_gen(&res->sb, liscal_new_gen());
	res->sb.last_update = liscal_now();
	gen = res->sb.gen_current;
	spin_unlock_irqrestore(&res->lock, flags);
	ret = liscal_sb_commit(res, &old_sb, true);
	if (ret) {
		mutex_unlock(&res->state_mutex);
		liscal_errf(extack, "%s: cluster partition write failed (%d): nothing assumed",
			    res->name, ret);
		return ret;
	}
	spin_lock_irqsave(&res->lock, flags);
	res->rs_full = false;
	res->disk_state = LISCAL_DISK_UPTODATE;
	spin_unlock_irqrestore(&res->lock, flags);
	mutex_unlock(&res->state_mutex);
	pr_info("%s: both copies fresh: assumed identical, generation %llx, nothing copied\n",
		res->name, gen);
	/*
	 * Should the link break before the peer took the generation over,
	 * this copy stays current and the peer's fresh: the next connection
	 * sees a full copy to make (clpmdctrl --force).
	 */
	return liscal_rs_start(res, false, extack);
}

static int liscal_recovery(struct liscal_res *res, struct genl_info *info)
{
	u32 fl = liscal_flags(info);
	bool force = fl & LISCAL_F_FORCE, full = fl & LISCAL_F_FULL;
	u8 src = res->node_id;
	struct liscal_wire_force fo;
	struct liscal_wire_force_disk fd;
	unsigned long flags;
	bool local_src;

	if (fl & LISCAL_F_ASSUME_SYNC) {
		if (fl != LISCAL_F_ASSUME_SYNC || info->attrs[LISCAL_A_SOURCE_NODE]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[LISCAL_A_FLAGS],
					    "assume-sync cannot be combined with force, full or a source node");
			return -EINVAL;
		}
		return liscal_assume_sync(res, info->extack);
	}
	if (info->attrs[LISCAL_A_SOURCE_NODE])
		src = nla_get_u8(info->attrs[LISCAL_A_SOURCE_NODE]);
	if (READ_ONCE(res->conn) != LISCAL_CONN_CONNECTED) {
		liscal_errf(info->extack, "%s is not connected to the peer",
			    res->name);
		return -ENOTCONN;
	}
	if (force) {
		/*
		 * Differential only when both copies count their changes from
		 * the same generation (a split brain): the bitmaps were merged
		 * at the handshake. Otherwise everything is copied.
		 */
		spin_lock_irqsave(&res->lock, flags);
		if (!res->sb.gen_bitmap || res->sb.gen_bitmap != res->peer_gen_bitmap ||
		    ((res->sb.flags | res->peer_flags) & LISCAL_SB_F_FULL_SYNC))
			full = true;
		spin_unlock_irqrestore(&res->lock, flags);
		local_src = src == res->node_id;
	} else {
		spin_lock_irqsave(&res->lock, flags);
		if (!full && res->disk_state == LISCAL_DISK_UPTODATE &&
		    res->pdisk == LISCAL_DISK_UPTODATE && !res->split_brain) {
			spin_unlock_irqrestore(&res->lock, flags);
			liscal_errf(info->extack, "%s: both copies are current, nothing to recover",
				    res->name);
			return -EALREADY;
		}
		local_src = res->disk_state == LISCAL_DISK_UPTODATE &&
			    res->pdisk != LISCAL_DISK_UPTODATE;
		if (!local_src && !(res->pdisk == LISCAL_DISK_UPTODATE &&
				    res->disk_state != LISCAL_DISK_UPTODATE))
			local_src = res->disk_state == LISCAL_DISK_UPTODATE && full;
		spin_unlock_irqrestore(&res->lock, flags);
		src = local_src ? res->node_id : 1 - res->node_id;
	}
	if (!force && READ_ONCE(res->split_brain)) {
		liscal_errf(info->extack, "%s: split brain: only a forced recovery resolves it",
			    res->name);
		return -EINVAL;
	}
	/*
	 * The target's copy is overwritten: never the one in use. Checked
	 * before anything changes; liscal_rs_start() and the target's
	 * SYNC_START/RS_DATA checks close the race with an activation.
	 */
	if (local_src && READ_ONCE(res->peer_role) == LISCAL_ROLE_ACTIVE) {
		liscal_errf(info->extack, "%s is active on the peer: deactivate it there first",
			    res->name);
		return -EPERM;
	}
	if (!local_src && READ_ONCE(res->role) == LISCAL_ROLE_ACTIVE) {
		liscal_errf(info->extack, "%s is active here: deactivate it first",
			    res->name);
		return -EPERM;
	}
	if (local_src) {
		if (force) {
			int ret = liscal_make_source(res);

			if (ret) {
				liscal_errf(info->extack,
					    "%s: this copy cannot be made the source: %s (%d)",
					    res->name, ret == -EPERM ?
					    "its disk failed" : "cluster partition write failed",
					    ret);
				return ret;
			}
		}
		return liscal_rs_start(res, full, info->extack);
	}
	if (force) {
		struct liscal_snap snap;
		struct liscal_sb old_sb;
		unsigned long f;
		int ret;

		/* The peer's copy wins: ours is discarded. */
		mutex_lock(&res->state_mutex);
		liscal_snap(res, &snap);
		spin_lock_irqsave(&res->lock, f);
		if (res->role == LISCAL_ROLE_ACTIVE) {
			spin_unlock_irqrestore(&res->lock, f);
			mutex_unlock(&res->state_mutex);
			liscal_errf(info->extack, "%s is active here: deactivate it first",
				    res->name);
			return -EPERM;
		}
		old_sb = res->sb;
		res->sb.flags &= ~(LISCAL_SB_F_UPTODATE | LISCAL_SB_F_SPLIT_BRAIN);
		spin_unlock_irqrestore(&res->lock, f);
		ret = liscal_sb_commit(res, &old_sb, false);
		if (ret) {
			mutex_unlock(&res->state_mutex);
			liscal_errf(info->extack,
				    "%s: cluster partition write failed (%d): nothing changed",
				    res->name, ret);
			return ret;
		}
		spin_lock_irqsave(&res->lock, f);
		res->split_brain = false;
		if (res->disk_state == LISCAL_DISK_UPTODATE)
			res->disk_state = LISCAL_DISK_OUTDATED;
		spin_unlock_irqrestore(&res->lock, f);
		mutex_unlock(&res->state_mutex);
	}
	fo.source_node = src;
	fo.flags = (full ? LISCAL_WF_FULL : 0) | (force ? LISCAL_WF_FORCE : 0);
	liscal_wire_encode_force(&fo, &fd);
	if (liscal_send_simple(res, LISCAL_P_FORCE, 0, 0, 0, 0, &fd, sizeof(fd))) {
		liscal_errf(info->extack, "%s: cannot reach the peer", res->name);
		return -ENOTCONN;
	}
	return 0;
}

static int liscal_force_current(struct liscal_res *res,
				struct netlink_ext_ack *extack)
{
	int ret;

	if (READ_ONCE(res->rs_dir) == LISCAL_RECOVERY_FROM_PEER) {
		liscal_errf(extack, "%s: this copy is being recovered: cancel on the peer",
			    res->name);
		return -EBUSY;
	}
	ret = liscal_make_source(res);
	if (ret == -EPERM)
		liscal_errf(extack, "%s: the local disk failed: it cannot be made current",
			    res->name);
	else if (ret)
		liscal_errf(extack, "%s: cluster partition write failed (%d): nothing changed",
			    res->name, ret);
	return ret;
}

static int liscal_nl_res_cmd(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct liscal_res *res;
	unsigned long flags;
	int ret;

	ret = liscal_nl_lock(info);
	if (ret)
		return ret;
	res = liscal_nl_res(info);
	if (!res) {
		mutex_unlock(&liscal_res_mutex);
		return -ENOENT;
	}
	switch (cmd) {
	case LISCAL_CMD_ACTIVATE:
		ret = liscal_activate(res, liscal_flags(info) & LISCAL_F_FORCE,
				      info->extack);
		break;
	case LISCAL_CMD_DEACTIVATE:
		ret = liscal_deactivate(res, info->extack);
		break;
	case LISCAL_CMD_CONNECT:
		spin_lock_irqsave(&res->lock, flags);
		res->want_connect = true;
		if (res->conn == LISCAL_CONN_STANDALONE)
			res->conn = LISCAL_CONN_CONNECTING;
		spin_unlock_irqrestore(&res->lock, flags);
		ret = liscal_conn_start(res);
		wake_up_all(&res->waitq);
		wake_up_all(&res->conn_waitq);
		break;
	case LISCAL_CMD_BREAK:
		spin_lock_irqsave(&res->lock, flags);
		res->want_connect = false;
		if (res->conn == LISCAL_CONN_CONNECTING)
			res->conn = LISCAL_CONN_STANDALONE;
		spin_unlock_irqrestore(&res->lock, flags);
		liscal_conn_fail(res, LISCAL_REASON_BREAK_ADMIN);
		break;
	case LISCAL_CMD_RECOVERY_START:
		ret = liscal_recovery(res, info);
		break;
	case LISCAL_CMD_RECOVERY_CANCEL:
		if (READ_ONCE(res->rs_dir) != LISCAL_RECOVERY_TO_PEER) {
			liscal_errf(info->extack, "%s: no recovery from this side is running",
				    res->name);
			ret = -EINVAL;
		} else {
			liscal_rs_stop(res);
		}
		break;
	case LISCAL_CMD_FORCE_CURRENT:
		ret = liscal_force_current(res, info->extack);
		break;
	case LISCAL_CMD_FENCE_RELEASE:
		mutex_lock(&res->state_mutex);
		ret = liscal_fence_release(res, LISCAL_REASON_FENCE_RELEASED);
		mutex_unlock(&res->state_mutex);
		if (ret == -EALREADY)
			liscal_errf(info->extack, "%s: no writes are held (not fenced)",
				    res->name);
		break;
	case LISCAL_CMD_OUTDATE:
		ret = liscal_outdate(res, info->extack);
		break;
	case LISCAL_CMD_GROW:
		if (GENL_REQ_ATTR_CHECK(info, LISCAL_A_DATA_SIZE)) {
			ret = -EINVAL;
			break;
		}
		ret = liscal_grow(res, nla_get_u64(info->attrs[LISCAL_A_DATA_SIZE]),
				  liscal_flags(info) & LISCAL_F_FORCE,
				  info->extack);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
	mutex_unlock(&liscal_res_mutex);
	return ret;
}

void liscal_event(struct liscal_res *res, int reason, u8 old_role,
		  u8 old_conn, u8 old_disk, u8 old_pdisk, const char *text)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_NOIO);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &liscal_genl_family, 0,
			  LISCAL_CMD_STATE_CHANGE);
	if (!hdr)
		goto err_free_msg;
	if (nla_put_string(msg, LISCAL_A_RES_NAME, res->name) ||
	    nla_put_u32(msg, LISCAL_A_MINOR, res->minor) ||
	    nla_put_u32(msg, LISCAL_A_REASON, reason) ||
	    (text && nla_put_string(msg, LISCAL_A_MESSAGE, text)) ||
	    (old_role && (nla_put_u8(msg, LISCAL_A_OLD_ROLE, old_role) ||
			  nla_put_u8(msg, LISCAL_A_OLD_CONN_STATE, old_conn) ||
			  nla_put_u8(msg, LISCAL_A_OLD_DISK_STATE, old_disk) ||
			  nla_put_u8(msg, LISCAL_A_OLD_PEER_DISK_STATE, old_pdisk))) ||
	    nla_put_u8(msg, LISCAL_A_ROLE, READ_ONCE(res->role)) ||
	    nla_put_u8(msg, LISCAL_A_PEER_ROLE, READ_ONCE(res->peer_role)) ||
	    nla_put_u8(msg, LISCAL_A_CONN_STATE, READ_ONCE(res->conn)) ||
	    nla_put_u8(msg, LISCAL_A_DISK_STATE, READ_ONCE(res->disk_state)) ||
	    nla_put_u8(msg, LISCAL_A_PEER_DISK_STATE, READ_ONCE(res->pdisk)) ||
	    nla_put_u8(msg, LISCAL_A_SPLIT_BRAIN, READ_ONCE(res->split_brain)) ||
	    nla_put_u8(msg, LISCAL_A_FENCED, READ_ONCE(res->fenced)) ||
	    nla_put_u8(msg, LISCAL_A_RECOVERY_DIR, READ_ONCE(res->rs_dir)) ||
	    nla_put_u64_64bit(msg, LISCAL_A_DIRTY_BITS, liscal_dirty_bits(res), 0) ||
	    nla_put_u64_64bit(msg, LISCAL_A_BREAK_TIME, res->sb.break_time, 0))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&liscal_genl_family, msg, 0, 0, GFP_NOIO);
	return;

err_free_msg:
	nlmsg_free(msg);
}

/* Policy of command @c: its request attributes only. */
#define LISCAL_NL_POL(c) .policy = liscal_nl_op_policy[c], .maxattr = LISCAL_A_MAX

static const struct genl_ops liscal_nl_ops[] = {
	{
		.cmd = LISCAL_CMD_GET_VERSION,
		.doit = liscal_nl_get_version,
		.validate = GENL_DONT_VALIDATE_DUMP,
		LISCAL_NL_POL(LISCAL_CMD_GET_VERSION),
	},
	{
		.cmd = LISCAL_CMD_RES_CREATE,
		.doit = liscal_nl_res_create,
		.flags = GENL_ADMIN_PERM,
		LISCAL_NL_POL(LISCAL_CMD_RES_CREATE),
	},
	{
		.cmd = LISCAL_CMD_RES_DESTROY,
		.doit = liscal_nl_res_destroy,
		.flags = GENL_ADMIN_PERM,
		LISCAL_NL_POL(LISCAL_CMD_RES_DESTROY),
	},
	{
		.cmd = LISCAL_CMD_RES_SET,
		.doit = liscal_nl_res_set,
		.flags = GENL_ADMIN_PERM,
		LISCAL_NL_POL(LISCAL_CMD_RES_SET),
	},
	{
		.cmd = LISCAL_CMD_RES_GET,
		.doit = liscal_nl_res_get,
		.dumpit = liscal_nl_res_dump,
		LISCAL_NL_POL(LISCAL_CMD_RES_GET),
	},
	{ .cmd = LISCAL_CMD_ACTIVATE, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_ACTIVATE) },
	{ .cmd = LISCAL_CMD_DEACTIVATE, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_DEACTIVATE) },
	{ .cmd = LISCAL_CMD_CONNECT, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_CONNECT) },
	{ .cmd = LISCAL_CMD_BREAK, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_BREAK) },
	{ .cmd = LISCAL_CMD_RECOVERY_START, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_RECOVERY_START) },
	{ .cmd = LISCAL_CMD_RECOVERY_CANCEL, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_RECOVERY_CANCEL) },
	{ .cmd = LISCAL_CMD_FORCE_CURRENT, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_FORCE_CURRENT) },
	{ .cmd = LISCAL_CMD_FENCE_RELEASE, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_FENCE_RELEASE) },
	{ .cmd = LISCAL_CMD_OUTDATE, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_OUTDATE) },
	{ .cmd = LISCAL_CMD_GROW, .doit = liscal_nl_res_cmd,
	  .flags = GENL_ADMIN_PERM, LISCAL_NL_POL(LISCAL_CMD_GROW) },
};

static const struct genl_multicast_group liscal_mcgrps[] = {
	{ .name = LISCAL_MCGRP_EVENTS },
};

struct genl_family liscal_genl_family __ro_after_init = {
	.name = LISCAL_FAMILY_NAME,
	.version = LISCAL_FAMILY_VERSION,
	.maxattr = LISCAL_A_MAX,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = liscal_nl_ops,
	.n_ops = ARRAY_SIZE(liscal_nl_ops),
	.pre_doit = liscal_nl_pre_doit,
	.resv_start_op = LISCAL_CMD_GET_VERSION + 1,
	.mcgrps = liscal_mcgrps,
	.n_mcgrps = ARRAY_SIZE(liscal_mcgrps),
};

int liscal_nl_init(void)
{
	liscal_nl_build_policies();
	return genl_register_family(&liscal_genl_family);
}

void liscal_nl_exit(void)
{
	genl_unregister_family(&liscal_genl_family);
}
