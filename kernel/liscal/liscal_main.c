// SPDX-License-Identifier: GPL-2.0
/*
 * liscal: mirror disk driver of clpstack.
 *
 * Module entry: registers the block major of /dev/NMPn (module parameter
 * "major", 218 by default) and the "liscal" generic netlink family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/blkdev.h>
#include <net/genetlink.h>

#include <clpstack/liscal.h>
#include <clpstack/version.h>

static unsigned int major = 218;
module_param(major, uint, 0444);
MODULE_PARM_DESC(major, "Block major number of /dev/NMPn (default 218, 0 = dynamic)");

static struct genl_family liscal_genl_family;

/* Context: process, genl_mutex held by the genetlink core. */
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
	    nla_put_u32(msg, LISCAL_A_MAJOR, major))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct nla_policy liscal_nl_policy[LISCAL_A_MAX + 1] = {
	[LISCAL_A_VERSION] = { .type = NLA_NUL_STRING, .len = 32 },
	[LISCAL_A_FEATURES] = { .type = NLA_U32 },
	[LISCAL_A_MAJOR] = { .type = NLA_U32 },
};

static const struct genl_ops liscal_nl_ops[] = {
	{
		.cmd = LISCAL_CMD_GET_VERSION,
		.doit = liscal_nl_get_version,
		.validate = GENL_DONT_VALIDATE_DUMP,
	},
};

static struct genl_family liscal_genl_family __ro_after_init = {
	.name = LISCAL_FAMILY_NAME,
	.version = LISCAL_FAMILY_VERSION,
	.maxattr = LISCAL_A_MAX,
	.policy = liscal_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = liscal_nl_ops,
	.n_ops = ARRAY_SIZE(liscal_nl_ops),
	.resv_start_op = LISCAL_CMD_GET_VERSION + 1,
};

static int __init liscal_init(void)
{
	int ret;

	if (major > 511) {
		pr_err("major=%u is out of range (0-511)\n", major);
		return -EINVAL;
	}
	ret = register_blkdev(major, "NMP");
	if (ret < 0) {
		pr_err("cannot register block major %u: %d\n", major, ret);
		return ret;
	}
	if (!major)
		major = ret;

	ret = genl_register_family(&liscal_genl_family);
	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_unregister_blkdev;
	}
	pr_info("clpstack %s loaded, block major %u\n", CLPSTACK_VERSION, major);
	return 0;

err_unregister_blkdev:
	unregister_blkdev(major, "NMP");
	return ret;
}

static void __exit liscal_exit(void)
{
	genl_unregister_family(&liscal_genl_family);
	unregister_blkdev(major, "NMP");
	pr_info("unloaded\n");
}

module_init(liscal_init);
module_exit(liscal_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("clpstack mirror disk driver");
MODULE_VERSION(CLPSTACK_VERSION);
MODULE_ALIAS_GENL_FAMILY(LISCAL_FAMILY_NAME);
