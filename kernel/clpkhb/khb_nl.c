// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb generic netlink family: configuration, status, timeout ratio and
 * the "events" multicast group. Every op that changes state needs
 * CAP_NET_ADMIN (GENL_ADMIN_PERM); configuration ops are refused while the
 * heartbeat runs (RESET stops it first).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <net/genetlink.h>

#include <clpstack/version.h>

#include "khb.h"

static struct netlink_range_validation khb_interval_range = {
	.min = CLPKHB_MIN_INTERVAL_MS, .max = CLPKHB_MAX_INTERVAL_MS,
};

static struct netlink_range_validation khb_timeout_range = {
	.min = CLPKHB_MIN_TIMEOUT_MS, .max = CLPKHB_MAX_TIMEOUT_MS,
};

static struct netlink_range_validation khb_ratio_secs_range = {
	.min = 1, .max = CLPKHB_MAX_RATIO_SECS,
};

/* Attributes a request may carry; the rest (replies only) are refused. */
static const struct nla_policy khb_nl_policy[CLPKHB_A_MAX + 1] = {
	[CLPKHB_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, CLPKHB_MAX_NODE_ID),
	[CLPKHB_A_INTERVAL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &khb_interval_range),
	[CLPKHB_A_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &khb_timeout_range),
	[CLPKHB_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[CLPKHB_A_KEY] = NLA_POLICY_EXACT_LEN(CLPKHB_KEY_LEN),
	[CLPKHB_A_LINK_ID] = NLA_POLICY_RANGE(NLA_U32, 1, CLPKHB_MAX_LINK_ID),
	[CLPKHB_A_PRIORITY] = NLA_POLICY_MAX(NLA_U32, 255),
	[CLPKHB_A_LOCAL_ADDR] = { .type = NLA_BE32 },
	[CLPKHB_A_PEER_ADDR] = { .type = NLA_BE32 },
	[CLPKHB_A_NAME] = { .type = NLA_NUL_STRING, .len = CLPKHB_NAME_LEN - 1 },
	[CLPKHB_A_RATIO] = NLA_POLICY_RANGE(NLA_U32, 1, CLPKHB_MAX_RATIO),
	[CLPKHB_A_RATIO_SECS] = NLA_POLICY_FULL_RANGE(NLA_U32, &khb_ratio_secs_range),
};

/* A required attribute: extack names it (missing-type and message). */
#define KHB_REQUIRE(info, attr, what) ({				\
	struct genl_info *__khb_req_info = (info);				\
	bool __miss = GENL_REQ_ATTR_CHECK(__khb_req_info, attr);		\
									\
	if (__miss)							\
		NL_SET_ERR_MSG(__khb_req_info->extack, "missing attribute: " what); \
	__miss;								\
})

/* Reply header for @info. */
static struct sk_buff *khb_nl_reply(struct genl_info *info, u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &khb_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int khb_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = khb_nl_reply(info, CLPKHB_CMD_GET_VERSION, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, CLPKHB_A_VERSION, CLPSTACK_VERSION) ||
	    nla_put_u32(msg, CLPKHB_A_FEATURES, 0) ||
	    nla_put_u32(msg, CLPKHB_A_MISC_MINOR, 253))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int khb_nl_not_running(struct genl_info *info)
{
	if (!khb.running)
		return 0;
	NL_SET_ERR_MSG(info->extack,
		       "heartbeat is running: RESET it before changing the configuration");
	return -EBUSY;
}

static int khb_nl_reset(struct sk_buff *skb, struct genl_info *info)
{
	mutex_lock(&khb.cfg_lock);
	khb_stop();
	khb_clear_config();
	mutex_unlock(&khb.cfg_lock);
	return 0;
}

static int khb_nl_set_params(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	u32 node, ival, tmo;
	int ret;

	mutex_lock(&khb.cfg_lock);
	ret = khb_nl_not_running(info);
	if (ret)
		goto out_unlock;
	node = tb[CLPKHB_A_NODE_ID] ? nla_get_u32(tb[CLPKHB_A_NODE_ID]) : khb.node_id;
	ival = tb[CLPKHB_A_INTERVAL_MS] ?
		nla_get_u32(tb[CLPKHB_A_INTERVAL_MS]) : khb.interval_ms;
	tmo = tb[CLPKHB_A_TIMEOUT_MS] ?
		nla_get_u32(tb[CLPKHB_A_TIMEOUT_MS]) : khb.timeout_ms;
	if (tmo < 2 * ival) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_TIMEOUT_MS] ?:
				    tb[CLPKHB_A_INTERVAL_MS],
				    "timeout must be at least twice the interval");
		ret = -EINVAL;
		goto out_unlock;
	}
	if (node) {
		unsigned int i;

		for (i = 0; i < khb.npeers; i++)
			if (khb.peers[i].node_id == node) {
				NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_NODE_ID],
						    "node id is already a peer's");
				ret = -EEXIST;
				goto out_unlock;
			}
	}
	khb.node_id = node;
	khb.interval_ms = ival;
	khb.timeout_ms = tmo;
	if (tb[CLPKHB_A_PORT])
		khb.port = nla_get_u16(tb[CLPKHB_A_PORT]);
out_unlock:
	mutex_unlock(&khb.cfg_lock);
	return ret;
}

static int khb_nl_set_key(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *key = info->attrs[CLPKHB_A_KEY];
	int ret;

	mutex_lock(&khb.cfg_lock);
	ret = khb_nl_not_running(info);
	if (!ret)
		ret = khb_set_key(key ? nla_data(key) : NULL, info->extack);
	mutex_unlock(&khb.cfg_lock);
	return ret;
}

static int khb_link_slot(u32 id)
{
	unsigned int i;

	for (i = 0; i < khb.nlinks; i++)
		if (khb.links[i].id == id)
			return i;
	return -1;
}

static int khb_nl_add_link(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct khb_link *l;
	__be32 addr;
	u32 id;
	int ret;

	if (KHB_REQUIRE(info, CLPKHB_A_LINK_ID, "link-id") ||
	    KHB_REQUIRE(info, CLPKHB_A_LOCAL_ADDR, "local-addr"))
		return -EINVAL;
	id = nla_get_u32(tb[CLPKHB_A_LINK_ID]);
	addr = nla_get_be32(tb[CLPKHB_A_LOCAL_ADDR]);
	if (!addr || addr == htonl(INADDR_BROADCAST)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_LOCAL_ADDR],
				    "local address must be a unicast address");
		return -EINVAL;
	}
	mutex_lock(&khb.cfg_lock);
	ret = khb_nl_not_running(info);
	if (ret)
		goto out_unlock;
	if (khb_link_slot(id) >= 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_LINK_ID],
				    "link id already configured");
		ret = -EEXIST;
		goto out_unlock;
	}
	if (khb.nlinks >= CLPKHB_MAX_LINKS) {
		NL_SET_ERR_MSG(info->extack, "too many links");
		ret = -ENOSPC;
		goto out_unlock;
	}
	l = &khb.links[khb.nlinks];
	memset(l, 0, sizeof(*l));
	l->id = id;
	l->prio = tb[CLPKHB_A_PRIORITY] ? nla_get_u32(tb[CLPKHB_A_PRIORITY]) : 0;
	l->local_addr = addr;
	khb.nlinks++;
out_unlock:
	mutex_unlock(&khb.cfg_lock);
	return ret;
}

static struct khb_peer *khb_nl_peer(struct genl_info *info, u32 node,
				    const char *name)
{
	struct khb_peer *p;
	unsigned int i;

	for (i = 0; i < khb.npeers; i++) {
		p = &khb.peers[i];
		if (p->node_id == node) {
			if (name && strcmp(name, p->name)) {
				NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CLPKHB_A_NAME],
						    "this node id has another name");
				return ERR_PTR(-EINVAL);
			}
			return p;
		}
		if (name && !strcmp(name, p->name)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CLPKHB_A_NAME],
					    "this name has another node id");
			return ERR_PTR(-EINVAL);
		}
	}
	if (!name) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CLPKHB_A_NODE_ID],
				    "new peer needs a name");
		return ERR_PTR(-EINVAL);
	}
	if (khb.npeers >= CLPKHB_MAX_PEERS) {
		NL_SET_ERR_MSG(info->extack, "too many peers");
		return ERR_PTR(-ENOSPC);
	}
	p = &khb.peers[khb.npeers];
	memset(p, 0, sizeof(*p));
	p->node_id = node;
	strscpy(p->name, name, sizeof(p->name));
	khb.npeers++;
	return p;
}

static int khb_nl_add_peer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	const char *name = NULL;
	struct khb_peer *p;
	unsigned int i;
	__be32 addr;
	u32 node;
	int ret, li;

	if (KHB_REQUIRE(info, CLPKHB_A_NODE_ID, "node-id") ||
	    KHB_REQUIRE(info, CLPKHB_A_LINK_ID, "link-id") ||
	    KHB_REQUIRE(info, CLPKHB_A_PEER_ADDR, "peer-addr"))
		return -EINVAL;
	node = nla_get_u32(tb[CLPKHB_A_NODE_ID]);
	addr = nla_get_be32(tb[CLPKHB_A_PEER_ADDR]);
	if (tb[CLPKHB_A_NAME])
		name = nla_data(tb[CLPKHB_A_NAME]);
	if (name && !name[0]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_NAME], "empty name");
		return -EINVAL;
	}
	if (!addr || addr == htonl(INADDR_BROADCAST)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_PEER_ADDR],
				    "peer address must be a unicast address");
		return -EINVAL;
	}
	mutex_lock(&khb.cfg_lock);
	ret = khb_nl_not_running(info);
	if (ret)
		goto out_unlock;
	if (node == khb.node_id) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_NODE_ID],
				    "peer node id is this node's id");
		ret = -EINVAL;
		goto out_unlock;
	}
	li = khb_link_slot(nla_get_u32(tb[CLPKHB_A_LINK_ID]));
	if (li < 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_LINK_ID],
				    "no such link (ADD_LINK first)");
		ret = -ENOENT;
		goto out_unlock;
	}
	if (addr == khb.links[li].local_addr) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_PEER_ADDR],
				    "peer address is this node's address on the link");
		ret = -EINVAL;
		goto out_unlock;
	}
	for (i = 0; i < khb.npeers; i++)
		if (khb.peers[i].pl[li].configured &&
		    khb.peers[i].pl[li].addr == addr &&
		    khb.peers[i].node_id != node) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[CLPKHB_A_PEER_ADDR],
					    "address already used by another peer on this link");
			ret = -EEXIST;
			goto out_unlock;
		}
	p = khb_nl_peer(info, node, name);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto out_unlock;
	}
	p->pl[li].configured = true;
	p->pl[li].addr = addr;
out_unlock:
	mutex_unlock(&khb.cfg_lock);
	return ret;
}

static int khb_nl_start(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	mutex_lock(&khb.cfg_lock);
	ret = khb_start(info->extack);
	mutex_unlock(&khb.cfg_lock);
	return ret;
}

static int khb_nl_put_ratio(struct sk_buff *msg)
{
	u64 end;
	u32 ratio;

	khb_ratio_get(&ratio, &end);
	if (nla_put_u32(msg, CLPKHB_A_RATIO, ratio) ||
	    nla_put_u64_64bit(msg, CLPKHB_A_RATIO_END, end, CLPKHB_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, CLPKHB_A_EFFECTIVE_TIMEOUT_MS,
			      (u64)khb.timeout_ms * ratio, CLPKHB_A_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

static int khb_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	msg = khb_nl_reply(info, CLPKHB_CMD_GET_STATUS, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&khb.cfg_lock);
	if (nla_put_u8(msg, CLPKHB_A_RUNNING, khb.running) ||
	    nla_put_u32(msg, CLPKHB_A_NODE_ID, khb.node_id) ||
	    nla_put_u32(msg, CLPKHB_A_INTERVAL_MS, khb.interval_ms) ||
	    nla_put_u32(msg, CLPKHB_A_TIMEOUT_MS, khb.timeout_ms) ||
	    nla_put_u16(msg, CLPKHB_A_PORT, khb.port) ||
	    nla_put_u8(msg, CLPKHB_A_KEY_SET, !!khb.tfm) ||
	    nla_put_u64_64bit(msg, CLPKHB_A_INCARNATION, khb.incarnation,
			      CLPKHB_A_UNSPEC) ||
	    khb_nl_put_ratio(msg))
		goto err_unlock;
	for (i = 0; i < khb.nlinks; i++) {
		struct khb_link *l = &khb.links[i];
		u64 unknown;

		spin_lock_bh(&khb.lock);
		unknown = l->unknown_sender;
		spin_unlock_bh(&khb.lock);
		nest = nla_nest_start(msg, CLPKHB_A_LINK);
		if (!nest ||
		    nla_put_u32(msg, CLPKHB_A_LINK_ID, l->id) ||
		    nla_put_u32(msg, CLPKHB_A_PRIORITY, l->prio) ||
		    nla_put_be32(msg, CLPKHB_A_LOCAL_ADDR, l->local_addr) ||
		    nla_put_u64_64bit(msg, CLPKHB_A_UNKNOWN_SENDER, unknown,
				      CLPKHB_A_UNSPEC))
			goto err_unlock;
		nla_nest_end(msg, nest);
	}
	mutex_unlock(&khb.cfg_lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&khb.cfg_lock);
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int khb_put_silence(struct sk_buff *msg, ktime_t last, ktime_t now)
{
	if (!last)
		return 0;
	return nla_put_u64_64bit(msg, CLPKHB_A_SILENCE_MS,
				 ktime_ms_delta(now, last), CLPKHB_A_UNSPEC);
}

static int khb_put_stats(struct sk_buff *msg, const struct khb_stats *st)
{
	static const int attr[] = {
		CLPKHB_A_RECV_COUNT, CLPKHB_A_RECV_ERROR,
		CLPKHB_A_RECV_TIME_MIN_US, CLPKHB_A_RECV_TIME_MAX_US,
		CLPKHB_A_RECV_TIME_SUM_US, CLPKHB_A_SEND_COUNT,
		CLPKHB_A_SEND_ERROR, CLPKHB_A_SEND_TIME_MIN_US,
		CLPKHB_A_SEND_TIME_MAX_US, CLPKHB_A_SEND_TIME_SUM_US,
	};
	const u64 val[] = {
		st->recv_count, st->recv_error, st->recv_min_us,
		st->recv_max_us, st->recv_sum_us, st->send_count,
		st->send_error, st->send_min_us, st->send_max_us,
		st->send_sum_us,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(attr); i++)
		if (nla_put_u64_64bit(msg, attr[i], val[i], CLPKHB_A_UNSPEC))
			return -EMSGSIZE;
	return 0;
}

/* One peer; khb.lock held (nothing here sleeps). */
static int khb_put_peer(struct sk_buff *msg, const struct khb_peer *p)
{
	ktime_t now = ktime_get();
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u32(msg, CLPKHB_A_NODE_ID, p->node_id) ||
	    nla_put_string(msg, CLPKHB_A_NAME, p->name) ||
	    nla_put_u8(msg, CLPKHB_A_STATE, p->state) ||
	    khb_put_silence(msg, p->last_good, now) ||
	    nla_put_u64_64bit(msg, CLPKHB_A_PEER_INCARNATION, p->incarnation,
			      CLPKHB_A_UNSPEC) ||
	    nla_put_u32(msg, CLPKHB_A_PEER_INTERVAL_MS, p->peer_interval_ms) ||
	    nla_put_u32(msg, CLPKHB_A_PEER_TIMEOUT_MS, p->peer_timeout_ms) ||
	    nla_put_u8(msg, CLPKHB_A_EVENT, p->mismatch ? CLPKHB_EVENT_MISMATCH : 0))
		return -EMSGSIZE;
	for (i = 0; i < khb.nlinks; i++) {
		const struct khb_peer_link *pl = &p->pl[i];

		if (!pl->configured)
			continue;
		nest = nla_nest_start(msg, CLPKHB_A_LINK);
		if (!nest ||
		    nla_put_u32(msg, CLPKHB_A_LINK_ID, khb.links[i].id) ||
		    nla_put_u32(msg, CLPKHB_A_PRIORITY, khb.links[i].prio) ||
		    nla_put_be32(msg, CLPKHB_A_PEER_ADDR, pl->addr) ||
		    nla_put_u8(msg, CLPKHB_A_STATE, pl->state) ||
		    khb_put_silence(msg, pl->last_good, now) ||
		    khb_put_stats(msg, &pl->st) ||
		    (pl->last_error &&
		     nla_put_string(msg, CLPKHB_A_LAST_ERROR, pl->last_error)))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

/* Dump: one message per peer; cb->args[0] is the next peer. */
static int khb_nl_get_peers(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int i = cb->args[0];
	void *hdr;
	int ret;

	mutex_lock(&khb.cfg_lock);
	for (; i < khb.npeers; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &khb_genl_family,
				  NLM_F_MULTI, CLPKHB_CMD_GET_PEERS);
		if (!hdr)
			break;
		spin_lock_bh(&khb.lock);
		ret = khb_put_peer(skb, &khb.peers[i]);
		spin_unlock_bh(&khb.lock);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&khb.cfg_lock);
	if (i == cb->args[0] && i < khb.npeers)
		return -EMSGSIZE;
	cb->args[0] = i;
	return skb->len;
}

/*
 * Do: every peer as a nested CLPKHB_A_PEER in one reply (the dump gives
 * the same, one message per peer).
 */
static int khb_nl_get_peers_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	unsigned int i;
	size_t size;
	void *hdr;
	int ret = 0;

	mutex_lock(&khb.cfg_lock);
	size = NLMSG_GOODSIZE + khb.npeers * (256 + khb.nlinks * 256);
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &khb_genl_family, 0,
				CLPKHB_CMD_GET_PEERS);
	if (!hdr)
		goto err_free_msg;
	for (i = 0; i < khb.npeers; i++) {
		nest = nla_nest_start(msg, CLPKHB_A_PEER);
		if (!nest)
			goto err_free_msg;
		spin_lock_bh(&khb.lock);
		ret = khb_put_peer(msg, &khb.peers[i]);
		spin_unlock_bh(&khb.lock);
		if (ret)
			goto err_free_msg;
		nla_nest_end(msg, nest);
	}
	mutex_unlock(&khb.cfg_lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	ret = -EMSGSIZE;
out_unlock:
	mutex_unlock(&khb.cfg_lock);
	return ret;
}

static int khb_nl_set_ratio(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	u32 ratio, secs = 0;
	int ret;

	if (KHB_REQUIRE(info, CLPKHB_A_RATIO, "ratio"))
		return -EINVAL;
	ratio = nla_get_u32(tb[CLPKHB_A_RATIO]);
	if (ratio > 1) {
		if (KHB_REQUIRE(info, CLPKHB_A_RATIO_SECS, "ratio-secs"))
			return -EINVAL;
		secs = nla_get_u32(tb[CLPKHB_A_RATIO_SECS]);
	}
	ret = khb_ratio_set(ratio, secs);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "cannot set the ratio");
	return ret;
}

static const struct genl_ops khb_nl_ops[] = {
	{
		.cmd = CLPKHB_CMD_GET_VERSION,
		.doit = khb_nl_get_version,
		.validate = GENL_DONT_VALIDATE_DUMP,
	},
	{
		.cmd = CLPKHB_CMD_RESET,
		.doit = khb_nl_reset,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CLPKHB_CMD_SET_PARAMS,
		.doit = khb_nl_set_params,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CLPKHB_CMD_SET_KEY,
		.doit = khb_nl_set_key,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CLPKHB_CMD_ADD_LINK,
		.doit = khb_nl_add_link,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CLPKHB_CMD_ADD_PEER,
		.doit = khb_nl_add_peer,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CLPKHB_CMD_START,
		.doit = khb_nl_start,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CLPKHB_CMD_GET_STATUS,
		.doit = khb_nl_get_status,
	},
	{
		.cmd = CLPKHB_CMD_GET_PEERS,
		.doit = khb_nl_get_peers_doit,
		.dumpit = khb_nl_get_peers,
	},
	{
		.cmd = CLPKHB_CMD_SET_RATIO,
		.doit = khb_nl_set_ratio,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group khb_nl_mcgrps[] = {
	{ .name = CLPKHB_MCGRP_EVENTS, },
};

struct genl_family khb_genl_family __ro_after_init = {
	.name = CLPKHB_FAMILY_NAME,
	.version = CLPKHB_FAMILY_VERSION,
	.maxattr = CLPKHB_A_MAX,
	.policy = khb_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = khb_nl_ops,
	.n_ops = ARRAY_SIZE(khb_nl_ops),
	.mcgrps = khb_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(khb_nl_mcgrps),
	.resv_start_op = CLPKHB_CMD_GET_VERSION + 1,
};

static const char *const khb_event_names[] = {
	[CLPKHB_EVENT_PEER_UP] = "peer up",
	[CLPKHB_EVENT_PEER_DOWN] = "peer down",
	[CLPKHB_EVENT_LINK_UP] = "link up",
	[CLPKHB_EVENT_LINK_DOWN] = "link down",
	[CLPKHB_EVENT_MISMATCH] = "timing mismatch",
};

/*
 * Log an event and send it to the "events" group.
 * Context: any but hard irq; khb.lock may be held (GFP_ATOMIC).
 */
void khb_event(u8 type, const struct khb_peer *p, const struct khb_link *l,
	       const char *reason)
{
	struct sk_buff *msg;
	void *hdr;

	if (l)
		pr_notice("%s: %s (node %u) lankhb%u: %s\n",
			  khb_event_names[type], p->name, p->node_id, l->id,
			  reason);
	else
		pr_notice("%s: %s (node %u): %s\n", khb_event_names[type],
			  p->name, p->node_id, reason);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &khb_genl_family, 0, CLPKHB_CMD_EVENT);
	if (!hdr)
		goto err_free_msg;
	if (nla_put_u8(msg, CLPKHB_A_EVENT, type) ||
	    nla_put_u32(msg, CLPKHB_A_NODE_ID, p->node_id) ||
	    nla_put_string(msg, CLPKHB_A_NAME, p->name) ||
	    (l && nla_put_u32(msg, CLPKHB_A_LINK_ID, l->id)) ||
	    nla_put_string(msg, CLPKHB_A_REASON, reason) ||
	    nla_put_u64_64bit(msg, CLPKHB_A_TIME_NS, ktime_get_real_ns(),
			      CLPKHB_A_UNSPEC))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&khb_genl_family, msg, 0, 0, GFP_ATOMIC);
	return;

err_free_msg:
	nlmsg_free(msg);
}

int khb_nl_init(void)
{
	return genl_register_family(&khb_genl_family);
}

void khb_nl_exit(void)
{
	genl_unregister_family(&khb_genl_family);
}
