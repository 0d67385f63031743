// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb: kernel-mode LAN heartbeat driver of clpstack.
 *
 * Module entry: registers the misc device (10:253) and the "clpkhb"
 * generic netlink family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <net/genetlink.h>

#include <clpstack/clpkhb.h>
#include <clpstack/version.h>

#define CLPKHB_MISC_MINOR 253

static const struct file_operations clpkhb_fops = {
	.owner = THIS_MODULE,
	.llseek = noop_llseek,
};

static struct miscdevice clpkhb_misc = {
	.minor = CLPKHB_MISC_MINOR,
	.name = "clpkhb",
	.fops = &clpkhb_fops,
	.mode = 0600,
};

static struct genl_family clpkhb_genl_family;

/* Context: process, genl_mutex held by the genetlink core. */
static int clpkhb_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &clpkhb_genl_family, 0,
				CLPKHB_CMD_GET_VERSION);
	if (!hdr)
		goto err_free_msg;
	if (nla_put_string(msg, CLPKHB_A_VERSION, CLPSTACK_VERSION) ||
	    nla_put_u32(msg, CLPKHB_A_FEATURES, 0) ||
	    nla_put_u32(msg, CLPKHB_A_MISC_MINOR, clpkhb_misc.minor))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct nla_policy clpkhb_nl_policy[CLPKHB_A_MAX + 1] = {
	[CLPKHB_A_VERSION] = { .type = NLA_NUL_STRING, .len = 32 },
	[CLPKHB_A_FEATURES] = { .type = NLA_U32 },
	[CLPKHB_A_MISC_MINOR] = { .type = NLA_U32 },
};

static const struct genl_ops clpkhb_nl_ops[] = {
	{
		.cmd = CLPKHB_CMD_GET_VERSION,
		.doit = clpkhb_nl_get_version,
		.validate = GENL_DONT_VALIDATE_DUMP,
	},
};

static struct genl_family clpkhb_genl_family __ro_after_init = {
	.name = CLPKHB_FAMILY_NAME,
	.version = CLPKHB_FAMILY_VERSION,
	.maxattr = CLPKHB_A_MAX,
	.policy = clpkhb_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = clpkhb_nl_ops,
	.n_ops = ARRAY_SIZE(clpkhb_nl_ops),
	.resv_start_op = CLPKHB_CMD_GET_VERSION + 1,
};

static int __init clpkhb_init(void)
{
	int ret;

	ret = misc_register(&clpkhb_misc);
	if (ret) {
		pr_err("cannot register misc device 10:%d: %d\n",
		       CLPKHB_MISC_MINOR, ret);
		return ret;
	}
	ret = genl_register_family(&clpkhb_genl_family);
	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_misc_deregister;
	}
	pr_info("clpstack %s loaded, /dev/clpkhb is 10:%d\n", CLPSTACK_VERSION,
		clpkhb_misc.minor);
	return 0;

err_misc_deregister:
	misc_deregister(&clpkhb_misc);
	return ret;
}

static void __exit clpkhb_exit(void)
{
	genl_unregister_family(&clpkhb_genl_family);
	misc_deregister(&clpkhb_misc);
	pr_info("unloaded\n");
}

module_init(clpkhb_init);
module_exit(clpkhb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("clpstack kernel-mode LAN heartbeat");
MODULE_VERSION(CLPSTACK_VERSION);
MODULE_ALIAS_GENL_FAMILY(CLPKHB_FAMILY_NAME);
MODULE_ALIAS_MISCDEV(CLPKHB_MISC_MINOR);
