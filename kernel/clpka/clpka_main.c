// SPDX-License-Identifier: GPL-2.0
/*
 * clpka: keepalive (self-fencing) driver of clpstack.
 *
 * Module entry: registers the misc device (10:254) and the "clpka"
 * generic netlink family.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <net/genetlink.h>

#include <clpstack/clpka.h>
#include <clpstack/version.h>

#define CLPKA_MISC_MINOR 254

static const struct file_operations clpka_fops = {
	.owner = THIS_MODULE,
	.llseek = noop_llseek,
};

static struct miscdevice clpka_misc = {
	.minor = CLPKA_MISC_MINOR,
	.name = "clpka",
	.fops = &clpka_fops,
	.mode = 0600,
};

static struct genl_family clpka_genl_family;

/* Context: process, genl_mutex held by the genetlink core. */
static int clpka_nl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &clpka_genl_family, 0,
				CLPKA_CMD_GET_VERSION);
	if (!hdr)
		goto err_free_msg;
	if (nla_put_string(msg, CLPKA_A_VERSION, CLPSTACK_VERSION) ||
	    nla_put_u32(msg, CLPKA_A_FEATURES, 0) ||
	    nla_put_u32(msg, CLPKA_A_MISC_MINOR, clpka_misc.minor))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct nla_policy clpka_nl_policy[CLPKA_A_MAX + 1] = {
	[CLPKA_A_VERSION] = { .type = NLA_NUL_STRING, .len = 32 },
	[CLPKA_A_FEATURES] = { .type = NLA_U32 },
	[CLPKA_A_MISC_MINOR] = { .type = NLA_U32 },
};

static const struct genl_ops clpka_nl_ops[] = {
	{
		.cmd = CLPKA_CMD_GET_VERSION,
		.doit = clpka_nl_get_version,
		.validate = GENL_DONT_VALIDATE_DUMP,
	},
};

static struct genl_family clpka_genl_family __ro_after_init = {
	.name = CLPKA_FAMILY_NAME,
	.version = CLPKA_FAMILY_VERSION,
	.maxattr = CLPKA_A_MAX,
	.policy = clpka_nl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = clpka_nl_ops,
	.n_ops = ARRAY_SIZE(clpka_nl_ops),
	.resv_start_op = CLPKA_CMD_GET_VERSION + 1,
};

static int __init clpka_init(void)
{
	int ret;

	ret = misc_register(&clpka_misc);
	if (ret) {
		pr_err("cannot register misc device 10:%d: %d\n",
		       CLPKA_MISC_MINOR, ret);
		return ret;
	}
	ret = genl_register_family(&clpka_genl_family);
	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_misc_deregister;
	}
	pr_info("clpstack %s loaded, /dev/clpka is 10:%d\n", CLPSTACK_VERSION,
		clpka_misc.minor);
	return 0;

err_misc_deregister:
	misc_deregister(&clpka_misc);
	return ret;
}

static void __exit clpka_exit(void)
{
	genl_unregister_family(&clpka_genl_family);
	misc_deregister(&clpka_misc);
	pr_info("unloaded\n");
}

module_init(clpka_init);
module_exit(clpka_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("clpstack keepalive");
MODULE_VERSION(CLPSTACK_VERSION);
MODULE_ALIAS_GENL_FAMILY(CLPKA_FAMILY_NAME);
MODULE_ALIAS_MISCDEV(CLPKA_MISC_MINOR);
