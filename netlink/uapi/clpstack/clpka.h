/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Keepalive driver "clpka": generic netlink constants from
 * netlink/clpka.yaml and the /dev/clpka ioctls. Shared by the kernel
 * module and userland; keep in step with the spec (tests/host/check-uapi.py
 * compares them). Documentation/keepalive.md describes both.
 */
#ifndef _UAPI_CLPSTACK_CLPKA_H
#define _UAPI_CLPSTACK_CLPKA_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CLPKA_FAMILY_NAME	"clpka"
#define CLPKA_FAMILY_VERSION	1

#define CLPKA_NAME_LEN		32
#define CLPKA_REASON_LEN	128
#define CLPKA_MIN_TIMEOUT_MS	100
#define CLPKA_MAX_TIMEOUT_MS	3600000
#define CLPKA_MIN_INTERVAL_MS	10	/* userland's ping interval */
#define CLPKA_WARN_PERCENT	60

/* What happens when a client misses its keepalive. */
enum clpka_action {
	CLPKA_ACTION_NONE,
	CLPKA_ACTION_RESET,	/* emergency_restart(): hardware-style reset */
	CLPKA_ACTION_PANIC,	/* panic(): kdump, if configured, runs */
	CLPKA_ACTION_LOG,	/* log and continue (tests) */
	__CLPKA_ACTION_MAX
};

/* CLPKA_IOC_ARM: set the client's timeout, action and name and ping. */
struct clpka_arm {
	__u32 timeout_ms;	/* CLPKA_MIN_TIMEOUT_MS..CLPKA_MAX_TIMEOUT_MS */
	__u32 action;		/* enum clpka_action, not NONE */
	char name[CLPKA_NAME_LEN];	/* NUL-terminated; "" = the process name */
};

#define CLPKA_IOC_MAGIC		0xCA
#define CLPKA_IOC_ARM		_IOW(CLPKA_IOC_MAGIC, 1, struct clpka_arm)
#define CLPKA_IOC_PING		_IO(CLPKA_IOC_MAGIC, 2)
#define CLPKA_IOC_DISARM	_IO(CLPKA_IOC_MAGIC, 3)

enum {
	CLPKA_A_UNSPEC,
	CLPKA_A_VERSION,
	CLPKA_A_FEATURES,
	CLPKA_A_MISC_MINOR,
	CLPKA_A_ACTION,		/* u32: enum clpka_action */
	CLPKA_A_REASON,		/* string */
	CLPKA_A_TIMEOUT_MS,	/* u32 */
	CLPKA_A_CLIENT,		/* nest: one client */
	CLPKA_A_CLIENT_ID,	/* u32 */
	CLPKA_A_NAME,		/* string */
	CLPKA_A_COMM,		/* string */
	CLPKA_A_PID,		/* u32 */
	CLPKA_A_ARMED,		/* u8 */
	CLPKA_A_EXPIRED,	/* u8 */
	CLPKA_A_ORPHAN,		/* u8: closed without disarm */
	CLPKA_A_REMAINING_MS,	/* u64 */
	CLPKA_A_PINGS,		/* u64 */
	CLPKA_A_RATIO,		/* u32: timeout ratio from clpkhb */
	CLPKA_A_SHUTDOWN,	/* nest: the shutdown monitor */

	__CLPKA_A_MAX,
	CLPKA_A_MAX = (__CLPKA_A_MAX - 1)
};

enum {
	CLPKA_CMD_UNSPEC,
	CLPKA_CMD_GET_VERSION,
	CLPKA_CMD_GET_STATUS,		/* clients and the shutdown monitor */
	CLPKA_CMD_ACTION,		/* immediate action with a reason */
	CLPKA_CMD_SHUTDOWN_ARM,		/* start the shutdown stall timer */
	CLPKA_CMD_SHUTDOWN_DISARM,

	__CLPKA_CMD_MAX,
	CLPKA_CMD_MAX = (__CLPKA_CMD_MAX - 1)
};

#endif /* _UAPI_CLPSTACK_CLPKA_H */
