/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink family "clpkhb": constants from netlink/clpkhb.yaml.
 * Shared by the kernel module and userland; keep in step with the spec
 * (tests/host/check-uapi.py compares them).
 */
#ifndef _UAPI_CLPSTACK_CLPKHB_H
#define _UAPI_CLPSTACK_CLPKHB_H

#define CLPKHB_FAMILY_NAME	"clpkhb"
#define CLPKHB_FAMILY_VERSION	1
#define CLPKHB_MCGRP_EVENTS	"events"

/* Limits and defaults (Documentation/heartbeat.md). */
#define CLPKHB_MAX_NODE_ID	64
#define CLPKHB_MAX_LINK_ID	99
#define CLPKHB_MAX_LINKS	8
#define CLPKHB_MAX_PEERS	16
#define CLPKHB_NAME_LEN		32
#define CLPKHB_KEY_LEN		32
#define CLPKHB_MIN_INTERVAL_MS	50
#define CLPKHB_MAX_INTERVAL_MS	60000
#define CLPKHB_MIN_TIMEOUT_MS	200
#define CLPKHB_MAX_TIMEOUT_MS	3600000
#define CLPKHB_DEF_INTERVAL_MS	1000
#define CLPKHB_DEF_TIMEOUT_MS	10000
#define CLPKHB_DEF_PORT		29106
#define CLPKHB_UP_PACKETS	3
#define CLPKHB_MAX_RATIO	10000
#define CLPKHB_MAX_RATIO_SECS	(366 * 86400)

/* CLPKHB_A_STATE of a peer or a link. */
enum clpkhb_state {
	CLPKHB_STATE_UNKNOWN,	/* nothing heard since start */
	CLPKHB_STATE_DOWN,
	CLPKHB_STATE_UP,
};

/* CLPKHB_A_EVENT of a CLPKHB_CMD_EVENT notification. */
enum clpkhb_event {
	CLPKHB_EVENT_NONE,
	CLPKHB_EVENT_PEER_UP,
	CLPKHB_EVENT_PEER_DOWN,
	CLPKHB_EVENT_LINK_UP,
	CLPKHB_EVENT_LINK_DOWN,
	CLPKHB_EVENT_MISMATCH,	/* the peer announces another interval/timeout */
};

enum {
	CLPKHB_A_UNSPEC,
	CLPKHB_A_VERSION,
	CLPKHB_A_FEATURES,
	CLPKHB_A_MISC_MINOR,
	CLPKHB_A_NODE_ID,		/* u32: this node (SET_PARAMS) or a peer */
	CLPKHB_A_INTERVAL_MS,		/* u32 */
	CLPKHB_A_TIMEOUT_MS,		/* u32 */
	CLPKHB_A_PORT,			/* u16: UDP port, same on every node */
	CLPKHB_A_KEY,			/* binary, CLPKHB_KEY_LEN bytes */
	CLPKHB_A_LINK_ID,		/* u32: N of lankhbN */
	CLPKHB_A_PRIORITY,		/* u32: 0 is the highest */
	CLPKHB_A_LOCAL_ADDR,		/* be32: IPv4 address of this node */
	CLPKHB_A_PEER_ADDR,		/* be32: IPv4 address of the peer */
	CLPKHB_A_NAME,			/* string: server name of a peer */
	CLPKHB_A_RUNNING,		/* u8 */
	CLPKHB_A_INCARNATION,		/* u64 */
	CLPKHB_A_KEY_SET,		/* u8 */
	CLPKHB_A_RATIO,			/* u32 */
	CLPKHB_A_RATIO_SECS,		/* u32: duration of a new ratio */
	CLPKHB_A_RATIO_END,		/* u64: end of the ratio, Unix seconds */
	CLPKHB_A_PEER,			/* nest: one peer in a GET_PEERS dump */
	CLPKHB_A_LINK,			/* nest: one link of a peer */
	CLPKHB_A_STATE,			/* u8: enum clpkhb_state */
	CLPKHB_A_SILENCE_MS,		/* u64: since the last good packet */
	CLPKHB_A_RECV_COUNT,		/* u64 */
	CLPKHB_A_RECV_ERROR,		/* u64 */
	CLPKHB_A_RECV_TIME_MIN_US,	/* u64: interval between receptions */
	CLPKHB_A_RECV_TIME_MAX_US,	/* u64 */
	CLPKHB_A_RECV_TIME_SUM_US,	/* u64: sum over RECV_COUNT - 1 gaps */
	CLPKHB_A_SEND_COUNT,		/* u64 */
	CLPKHB_A_SEND_ERROR,		/* u64 */
	CLPKHB_A_SEND_TIME_MIN_US,	/* u64: time taken by one send */
	CLPKHB_A_SEND_TIME_MAX_US,	/* u64 */
	CLPKHB_A_SEND_TIME_SUM_US,	/* u64 */
	CLPKHB_A_EVENT,			/* u8: enum clpkhb_event */
	CLPKHB_A_REASON,		/* string */
	CLPKHB_A_TIME_NS,		/* u64: CLOCK_REALTIME of the event */
	CLPKHB_A_PEER_INTERVAL_MS,	/* u32: what the peer announces */
	CLPKHB_A_PEER_TIMEOUT_MS,	/* u32 */
	CLPKHB_A_PEER_INCARNATION,	/* u64 */
	CLPKHB_A_EFFECTIVE_TIMEOUT_MS,	/* u64: timeout times the ratio */
	CLPKHB_A_LAST_ERROR,		/* string: why the last packet was refused */
	CLPKHB_A_UNKNOWN_SENDER,	/* u64: packets from no configured peer */

	__CLPKHB_A_MAX,
	CLPKHB_A_MAX = (__CLPKHB_A_MAX - 1)
};

enum {
	CLPKHB_CMD_UNSPEC,
	CLPKHB_CMD_GET_VERSION,
	CLPKHB_CMD_RESET,	/* stop and forget the configuration */
	CLPKHB_CMD_SET_PARAMS,	/* node id, interval, timeout, port */
	CLPKHB_CMD_SET_KEY,	/* the cluster key; without KEY: no key */
	CLPKHB_CMD_ADD_LINK,	/* link id, priority, local address */
	CLPKHB_CMD_ADD_PEER,	/* node id, name, link id, peer address */
	CLPKHB_CMD_START,
	CLPKHB_CMD_GET_STATUS,
	CLPKHB_CMD_GET_PEERS,	/* dump: one message per peer */
	CLPKHB_CMD_SET_RATIO,	/* ratio and duration; ratio 1 ends it */
	CLPKHB_CMD_EVENT,	/* notification on the "events" group */

	__CLPKHB_CMD_MAX,
	CLPKHB_CMD_MAX = (__CLPKHB_CMD_MAX - 1)
};

#endif /* _UAPI_CLPSTACK_CLPKHB_H */
