// SPDX-License-Identifier: GPL-2.0
/* --version over generic netlink. See clp_version.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>

#include <clpstack/version.h>
#include <clpstack/liscal.h>

#include "clp_log.h"
#include "clp_nl.h"
#include "clp_out.h"
#include "clp_version.h"

/* Shared numbering, checked against one family's header at build time. */
#define VA_VERSION 1
#define VA_FEATURES 2
#define VA_DEVNUM 3
#define VA_MAX 3
#define VCMD_GET_VERSION 1
_Static_assert(LISCAL_A_VERSION == VA_VERSION && LISCAL_A_FEATURES == VA_FEATURES &&
	       LISCAL_A_MAJOR == VA_DEVNUM && LISCAL_CMD_GET_VERSION == VCMD_GET_VERSION,
	       "version attributes renumbered");

struct version_reply {
	const char *version;
	uint32_t features;
	uint32_t devnum;
	char buf[64];
};

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	struct version_reply *r = data;
	const struct nlattr *tb[VA_MAX + 1];

	if (clp_nl_parse(nlh, tb, VA_MAX) < 0)
		return MNL_CB_ERROR;
	if (tb[VA_VERSION] && mnl_attr_validate(tb[VA_VERSION], MNL_TYPE_NUL_STRING) == 0) {
		snprintf(r->buf, sizeof(r->buf), "%s", mnl_attr_get_str(tb[VA_VERSION]));
		r->version = r->buf;
	}
	if (tb[VA_FEATURES] && mnl_attr_validate(tb[VA_FEATURES], MNL_TYPE_U32) == 0)
		r->features = mnl_attr_get_u32(tb[VA_FEATURES]);
	if (tb[VA_DEVNUM] && mnl_attr_validate(tb[VA_DEVNUM], MNL_TYPE_U32) == 0)
		r->devnum = mnl_attr_get_u32(tb[VA_DEVNUM]);
	return MNL_CB_OK;
}

int clp_show_version(const char *family, const char *devkey, bool json)
{
	struct version_reply r = { 0 };
	struct clp_out o;
	struct clp_nl *nl;
	int ret;

	ret = clp_nl_open(&nl, family);
	if (ret == -ENOENT) {
		clp_err("the %s module is not loaded (no generic netlink family '%s')",
			family, family);
		return CLP_EXIT_NOMODULE;
	}
	if (ret < 0) {
		clp_err("cannot open generic netlink: %s", strerror(-ret));
		return CLP_EXIT_ERROR;
	}
	ret = clp_nl_talk(nl, clp_nl_req(nl, VCMD_GET_VERSION, 0), version_cb, &r);
	if (ret < 0 || !r.version) {
		clp_err("%s: get-version failed: %s", family,
			ret < 0 ? clp_nl_errmsg(nl) : "no version in the reply");
		clp_nl_close(nl);
		return CLP_EXIT_ERROR;
	}
	clp_nl_close(nl);

	clp_out_init(&o, stdout, json);
	clp_out_obj_begin(&o, NULL);
	clp_out_str(&o, "command", CLPSTACK_VERSION);
	clp_out_str(&o, "module", family);
	clp_out_str(&o, "module_version", r.version);
	clp_out_u64(&o, "features", r.features);
	clp_out_u64(&o, devkey, r.devnum);
	clp_out_obj_end(&o);
	clp_out_finish(&o);
	return CLP_EXIT_OK;
}
