/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * clpstack release identity, shared by the kernel modules and userland.
 * Each generic netlink family answers CMD_GET_VERSION with this string.
 */
#ifndef _UAPI_CLPSTACK_VERSION_H
#define _UAPI_CLPSTACK_VERSION_H

#define CLPSTACK_VERSION "0.1.0"

#endif /* _UAPI_CLPSTACK_VERSION_H */
