/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink family "clpka": constants from netlink/clpka.yaml.
 * Shared by the kernel module and userland; keep in step with the spec
 * (tests/host/check-uapi.sh compares them).
 */
#ifndef _UAPI_CLPSTACK_CLPKA_H
#define _UAPI_CLPSTACK_CLPKA_H

#define CLPKA_FAMILY_NAME	"clpka"
#define CLPKA_FAMILY_VERSION	1

enum {
	CLPKA_A_UNSPEC,
	CLPKA_A_VERSION,
	CLPKA_A_FEATURES,
	CLPKA_A_MISC_MINOR,

	__CLPKA_A_MAX,
	CLPKA_A_MAX = (__CLPKA_A_MAX - 1)
};

enum {
	CLPKA_CMD_UNSPEC,
	CLPKA_CMD_GET_VERSION,

	__CLPKA_CMD_MAX,
	CLPKA_CMD_MAX = (__CLPKA_CMD_MAX - 1)
};

#endif /* _UAPI_CLPSTACK_CLPKA_H */
