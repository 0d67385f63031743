// SPDX-License-Identifier: GPL-2.0
/*
 * clpka: keepalive (self-fencing) driver of clpstack.
 *
 * Module entry: registers the misc device (10:254, with the sysfs
 * attributes of ka_sysfs.c) and the "clpka" generic netlink family.
 * Documentation/keepalive.md describes the design.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <net/genetlink.h>

#include <clpstack/version.h>

#include "ka.h"

#define CLPKA_MISC_MINOR 254

static struct miscdevice clpka_misc = {
	.minor = CLPKA_MISC_MINOR,
	.name = "clpka",
	.fops = &ka_fops,
	.mode = 0600,
	.groups = ka_sysfs_groups,
};

static int __init clpka_init(void)
{
	int ret;

	ka_client_init(&ka_shutdown);
	strscpy(ka_shutdown.name, "shutdown", sizeof(ka_shutdown.name));
	strscpy(ka_shutdown.comm, "-", sizeof(ka_shutdown.comm));
	ret = misc_register(&clpka_misc);
	if (ret) {
		pr_err("cannot register misc device 10:%d: %d\n",
		       CLPKA_MISC_MINOR, ret);
		return ret;
	}
	ret = ka_nl_init();
	if (ret) {
		pr_err("cannot register generic netlink family: %d\n", ret);
		goto err_misc_deregister;
	}
	ret = ka_reboot_init();
	if (ret) {
		pr_err("cannot register the reboot notifier: %d\n", ret);
		goto err_nl_exit;
	}
	pr_info("clpstack %s loaded, /dev/clpka is 10:%d\n", CLPSTACK_VERSION,
		clpka_misc.minor);
	return 0;

err_nl_exit:
	ka_nl_exit();
err_misc_deregister:
	misc_deregister(&clpka_misc);
	return ret;
}

static void __exit clpka_exit(void)
{
	ka_reboot_exit();
	ka_nl_exit();
	misc_deregister(&clpka_misc);
	ka_clients_exit();
	pr_info("unloaded\n");
}

module_init(clpka_init);
module_exit(clpka_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("clpstack keepalive");
MODULE_VERSION(CLPSTACK_VERSION);
MODULE_ALIAS_GENL_FAMILY(CLPKA_FAMILY_NAME);
MODULE_ALIAS_MISCDEV(CLPKA_MISC_MINOR);
