// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb: kernel-mode LAN heartbeat driver of clpstack.
 *
 * Module entry: registers the misc device (10:253, with the sysfs
 * attributes of khb_sysfs.c) and the "clpkhb" generic netlink family.
 * Documentation/heartbeat.md describes the design.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>

#include <clpstack/version.h>

#include "khb.h"

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

static int __init clpkhb_init(void)
{
	int ret;

	ret = khb_core_init();
	if (ret)
		return ret;
	clpkhb_misc.groups = khb_sysfs_groups;
	ret = misc_register(&clpkhb_misc);
	if (ret) {
		pr_err("cannot register misc device 10:%d: %d\n",
		       CLPKHB_MISC_MINOR, ret);
		goto err_core_exit;
	}
	ret = khb_nl_init();
	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_misc_deregister;
	}
	pr_info("clpstack %s loaded, /dev/clpkhb is 10:%d, incarnation %016llx\n",
		CLPSTACK_VERSION, clpkhb_misc.minor, khb.incarnation);
	return 0;

err_misc_deregister:
	misc_deregister(&clpkhb_misc);
err_core_exit:
	khb_core_exit();
	return ret;
}

static void __exit clpkhb_exit(void)
{
	/* Stop first: the tick and receive path send events to the family. */
	khb_core_exit();
	khb_nl_exit();
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
