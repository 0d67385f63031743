/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink family "liscal": constants from netlink/liscal.yaml.
 * Shared by the kernel module and userland; keep in step with the spec
 * (tests/host/check-uapi.sh compares them).
 */
#ifndef _UAPI_CLPSTACK_LISCAL_H
#define _UAPI_CLPSTACK_LISCAL_H

#define LISCAL_FAMILY_NAME	"liscal"
#define LISCAL_FAMILY_VERSION	1

enum {
	LISCAL_A_UNSPEC,
	LISCAL_A_VERSION,
	LISCAL_A_FEATURES,
	LISCAL_A_MAJOR,

	__LISCAL_A_MAX,
	LISCAL_A_MAX = (__LISCAL_A_MAX - 1)
};

enum {
	LISCAL_CMD_UNSPEC,
	LISCAL_CMD_GET_VERSION,

	__LISCAL_CMD_MAX,
	LISCAL_CMD_MAX = (__LISCAL_CMD_MAX - 1)
};

#endif /* _UAPI_CLPSTACK_LISCAL_H */
