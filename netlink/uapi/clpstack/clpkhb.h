/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink family "clpkhb": constants from netlink/clpkhb.yaml.
 * Shared by the kernel module and userland; keep in step with the spec
 * (tests/host/check-uapi.sh compares them).
 */
#ifndef _UAPI_CLPSTACK_CLPKHB_H
#define _UAPI_CLPSTACK_CLPKHB_H

#define CLPKHB_FAMILY_NAME	"clpkhb"
#define CLPKHB_FAMILY_VERSION	1

enum {
	CLPKHB_A_UNSPEC,
	CLPKHB_A_VERSION,
	CLPKHB_A_FEATURES,
	CLPKHB_A_MISC_MINOR,

	__CLPKHB_A_MAX,
	CLPKHB_A_MAX = (__CLPKHB_A_MAX - 1)
};

enum {
	CLPKHB_CMD_UNSPEC,
	CLPKHB_CMD_GET_VERSION,

	__CLPKHB_CMD_MAX,
	CLPKHB_CMD_MAX = (__CLPKHB_CMD_MAX - 1)
};

#endif /* _UAPI_CLPSTACK_CLPKHB_H */
