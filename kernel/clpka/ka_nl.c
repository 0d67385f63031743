// SPDX-License-Identifier: GPL-2.0
/*
 * clpka generic netlink family: status of the clients and the shutdown
 * monitor, immediate actions (keepalive reset/panic), shutdown monitor
 * arm/disarm. Ops that change state need CAP_NET_ADMIN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <net/genetlink.h>

#include <clpstack/version.h>

#include "ka.h"
#include "../clpkhb/clpkhb_export.h"

static struct genl_family ka_genl_family;

static struct netlink_range_validation ka_timeout_range = {
	.min = CLPKA_MIN_TIMEOUT_MS, .max = CLPKA_MAX_TIMEOUT_MS,
};

/*
 * One policy per command, holding only the attributes the command takes:
 * the kernel refuses any other ("Unsupported attribute") instead of
 * ignoring it. GET_VERSION, GET_STATUS and SHUTDOWN_DISARM take none.
 */
#define KA_POLICY_ACTION NLA_POLICY_RANGE(NLA_U32, CLPKA_ACTION_RESET, \
					  __CLPKA_ACTION_MAX - 1)

static const struct nla_policy ka_none_policy[CLPKA_A_MAX + 1] = {};

static const struct nla_policy ka_action_policy[CLPKA_A_MAX + 1] = {
	[CLPKA_A_ACTION] = KA_POLICY_ACTION,
	[CLPKA_A_REASON] = { .type = NLA_NUL_STRING, .len = CLPKA_REASON_LEN - 1 },
};

static const struct nla_policy ka_arm_policy[CLPKA_A_MAX + 1] = {
	[CLPKA_A_ACTION] = KA_POLICY_ACTION,
	[CLPKA_A_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &ka_timeout_range),
};

/* A required attribute: extack names it (missing-type and message). */
#define KA_REQUIRE(info, attr, what) ({				\
	struct genl_info *__ka_req_info = (info);				\
	bool __miss = GENL_REQ_ATTR_CHECK(__ka_req_info, attr);		\
									\
	if (__miss)							\
		NL_SET_ERR_MSG(__ka_req_info->extack, "missing attribute: " what); \
	__miss;								\
})

static struct sk_buff *ka_nl_reply(struct genl_info *info, size_t size,
				   u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &ka_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int ka_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = ka_nl_reply(info, NLMSG_GOODSIZE, CLPKA_CMD_GET_VERSION, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, CLPKA_A_VERSION, CLPSTACK_VERSION) ||
	    nla_put_u32(msg, CLPKA_A_FEATURES, 0) ||
	    nla_put_u32(msg, CLPKA_A_MISC_MINOR, 254))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* One client into @msg as a nest of type @type; ka_lock held. */
static int ka_put_client(struct sk_buff *msg, int type,
			 const struct ka_client *c, ktime_t now)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	u64 left = 0;

	if (!nest)
		return -EMSGSIZE;
	if (c->armed && ktime_before(now, c->deadline))
		left = ktime_ms_delta(c->deadline, now);
	if (nla_put_u32(msg, CLPKA_A_CLIENT_ID, c->id) ||
	    nla_put_string(msg, CLPKA_A_NAME, c->name) ||
	    nla_put_string(msg, CLPKA_A_COMM, c->comm) ||
	    nla_put_u32(msg, CLPKA_A_PID, c->pid) ||
	    nla_put_u32(msg, CLPKA_A_TIMEOUT_MS, c->timeout_ms) ||
	    nla_put_u32(msg, CLPKA_A_ACTION, c->action) ||
	    nla_put_u8(msg, CLPKA_A_ARMED, c->armed) ||
	    nla_put_u8(msg, CLPKA_A_EXPIRED, c->expired) ||
	    nla_put_u8(msg, CLPKA_A_ORPHAN, c->orphan) ||
	    nla_put_u64_64bit(msg, CLPKA_A_REMAINING_MS, left, CLPKA_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, CLPKA_A_PINGS, c->pings, CLPKA_A_UNSPEC))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int ka_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	const struct ka_client *c;
	struct sk_buff *msg;
	unsigned long flags;
	unsigned int n = 0;
	ktime_t now;
	void *hdr;
	int ret = 0;

	raw_spin_lock_irqsave(&ka_lock, flags);
	list_for_each_entry(c, &ka_clients, node)
		n++;
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	/* Clients opened meanwhile may be missing; never overflow. */
	msg = ka_nl_reply(info, NLMSG_GOODSIZE + (n + 8) * 256,
			  CLPKA_CMD_GET_STATUS, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, CLPKA_A_RATIO, clpkhb_timeout_ratio()))
		goto err_free_msg;
	now = ktime_get();
	raw_spin_lock_irqsave(&ka_lock, flags);
	ret = ka_put_client(msg, CLPKA_A_SHUTDOWN, &ka_shutdown, now);
	list_for_each_entry(c, &ka_clients, node) {
		if (ret)
			break;
		ret = ka_put_client(msg, CLPKA_A_CLIENT, c, now);
	}
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	if (ret)
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ka_nl_action(struct sk_buff *skb, struct genl_info *info)
{
	char who[64];
	u32 action;

	if (KA_REQUIRE(info, CLPKA_A_ACTION, "action") ||
	    KA_REQUIRE(info, CLPKA_A_REASON, "reason"))
		return -EINVAL;
	action = nla_get_u32(info->attrs[CLPKA_A_ACTION]);
	if (!nla_len(info->attrs[CLPKA_A_REASON]) ||
	    !*(char *)nla_data(info->attrs[CLPKA_A_REASON])) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CLPKA_A_REASON],
				    "the reason must not be empty");
		return -EINVAL;
	}
	snprintf(who, sizeof(who), "requested by %s (pid %d)", current->comm,
		 task_tgid_nr(current));
	ka_fire(action, who, nla_data(info->attrs[CLPKA_A_REASON]));
	return 0;
}

static int ka_nl_shutdown_arm(struct sk_buff *skb, struct genl_info *info)
{
	u32 action, tmo;

	if (KA_REQUIRE(info, CLPKA_A_TIMEOUT_MS, "timeout-ms") ||
	    KA_REQUIRE(info, CLPKA_A_ACTION, "action"))
		return -EINVAL;
	tmo = nla_get_u32(info->attrs[CLPKA_A_TIMEOUT_MS]);
	action = nla_get_u32(info->attrs[CLPKA_A_ACTION]);
	return ka_client_arm(&ka_shutdown, tmo, action, NULL);
}

static int ka_nl_shutdown_disarm(struct sk_buff *skb, struct genl_info *info)
{
	ka_client_disarm(&ka_shutdown);
	return 0;
}

static const struct genl_ops ka_nl_ops[] = {
	{
		.cmd = CLPKA_CMD_GET_VERSION,
		.doit = ka_nl_get_version,
		.validate = GENL_DONT_VALIDATE_DUMP,
		.policy = ka_none_policy,
		.maxattr = CLPKA_A_MAX,
	},
	{
		.cmd = CLPKA_CMD_GET_STATUS,
		.doit = ka_nl_get_status,
		.policy = ka_none_policy,
		.maxattr = CLPKA_A_MAX,
	},
	{
		.cmd = CLPKA_CMD_ACTION,
		.doit = ka_nl_action,
		.flags = GENL_ADMIN_PERM,
		.policy = ka_action_policy,
		.maxattr = CLPKA_A_MAX,
	},
	{
		.cmd = CLPKA_CMD_SHUTDOWN_ARM,
		.doit = ka_nl_shutdown_arm,
		.flags = GENL_ADMIN_PERM,
		.policy = ka_arm_policy,
		.maxattr = CLPKA_A_MAX,
	},
	{
		.cmd = CLPKA_CMD_SHUTDOWN_DISARM,
		.doit = ka_nl_shutdown_disarm,
		.flags = GENL_ADMIN_PERM,
		.policy = ka_none_policy,
		.maxattr = CLPKA_A_MAX,
	},
};

static struct genl_family ka_genl_family __ro_after_init = {
	.name = CLPKA_FAMILY_NAME,
	.version = CLPKA_FAMILY_VERSION,
	.maxattr = CLPKA_A_MAX,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = ka_nl_ops,
	.n_ops = ARRAY_SIZE(ka_nl_ops),
	.resv_start_op = CLPKA_CMD_GET_VERSION + 1,
};

int ka_nl_init(void)
{
	return genl_register_family(&ka_genl_family);
}

void ka_nl_exit(void)
{
	genl_unregister_family(&ka_genl_family);
}
