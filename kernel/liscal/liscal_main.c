// SPDX-License-Identifier: GPL-2.0
/*
 * liscal: mirror disk driver of clpstack.
 *
 * Module entry: registers the block major of /dev/NMPn (module parameter
 * "major", 218 by default) and the "liscal" generic netlink family. Every
 * configured resource holds a module reference, so rmmod is refused while
 * resources exist (RES_DESTROY them first).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/blkdev.h>
#include <net/genetlink.h>

#include <clpstack/liscal.h>
#include <clpstack/version.h>

#include "liscal_int.h"

static unsigned int major = 218;
module_param(major, uint, 0444);
MODULE_PARM_DESC(major, "Block major number of /dev/NMPn (default 218, 0 = dynamic)");

unsigned int liscal_major;
/* Protects liscal_res_list and resource creation/destruction. */
DEFINE_MUTEX(liscal_res_mutex);
LIST_HEAD(liscal_res_list);

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
	liscal_major = major;

	ret = liscal_nl_init();
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
	/*
	 * Every resource holds a module reference (taken with
	 * try_module_get(), which fails once unloading began), so none is
	 * left here; genl_unregister_family() waits for running commands.
	 */
	liscal_nl_exit();
	WARN_ON_ONCE(!list_empty(&liscal_res_list));
	unregister_blkdev(major, "NMP");
	pr_info("unloaded\n");
}

module_init(liscal_init);
module_exit(liscal_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("clpstack mirror disk driver");
MODULE_VERSION(CLPSTACK_VERSION);
MODULE_ALIAS_GENL_FAMILY(LISCAL_FAMILY_NAME);
