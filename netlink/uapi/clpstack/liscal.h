/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Generic netlink family "liscal": constants from netlink/liscal.yaml.
 * Shared by the kernel module and userland; keep in step with the spec
 * (tests/host/check-uapi.py compares them). Human summary of every
 * command, attribute and event: Documentation/liscal-netlink.md.
 */
#ifndef _UAPI_CLPSTACK_LISCAL_H
#define _UAPI_CLPSTACK_LISCAL_H

#define LISCAL_FAMILY_NAME	"liscal"
#define LISCAL_FAMILY_VERSION	1
#define LISCAL_MCGRP_EVENTS	"events"

/* Limits, also enforced by the kernel's netlink policy. */
#define LISCAL_NAME_MAX		15	/* resource name, without the NUL */
#define LISCAL_PATH_MAX		255	/* device paths, without the NUL */
#define LISCAL_ADDR_MAX		47	/* "a.b.c.d:port", without the NUL */
#define LISCAL_MINOR_MIN	1	/* /dev/NMP1 .. /dev/NMP255 */
#define LISCAL_MINOR_MAX	255
#define LISCAL_NODE_ID_MAX	1	/* node ids 0 and 1 */
#define LISCAL_TIMEOUT_MIN_MS	100
#define LISCAL_TIMEOUT_MAX_MS	600000
#define LISCAL_PING_RETRY_MIN	1
#define LISCAL_PING_RETRY_MAX	50
#define LISCAL_CHUNK_MIN	65536		/* recovery data size, bytes */
#define LISCAL_CHUNK_MAX	(4 << 20)
#define LISCAL_CHUNK_DEFAULT	(1 << 20)
#define LISCAL_SENDQ_MAX	999999		/* SEND_QUEUE_SIZE, writes */
#define LISCAL_BANDLIMIT_MAX	999999999	/* BANDLIMIT, KiB/s */
#define LISCAL_HOT_EXTENTS_MAX	65534		/* HOT_EXTENTS */
#define LISCAL_HOT_EXTENTS_DEFAULT 1237
#define LISCAL_PORT_DEFAULT	29031

/*
 * clp.conf ranges of the mirror parameters (Maintenance Guide; seconds),
 * checked by userland/lib/clp_md.c and written in userland/conf/clp-md.rng
 * (tests/host/check-limits.py compares the three). Each lies inside the
 * netlink range LISCAL_TIMEOUT_MIN_MS..LISCAL_TIMEOUT_MAX_MS (clp_md.c
 * asserts it at build time): the driver also takes the shorter timeouts the
 * lab uses. pingretry, nmppath's number and recoverysize (KiB) have the
 * netlink ranges LISCAL_PING_RETRY_*, LISCAL_MINOR_* and LISCAL_CHUNK_*.
 */
#define LISCAL_CONF_SEND_TIMEOUT_MIN	10
#define LISCAL_CONF_SEND_TIMEOUT_MAX	99
#define LISCAL_CONF_CONNECT_TIMEOUT_MIN	5
#define LISCAL_CONF_CONNECT_TIMEOUT_MAX	99
#define LISCAL_CONF_ACK_TIMEOUT_MIN	1
#define LISCAL_CONF_ACK_TIMEOUT_MAX	600
#define LISCAL_CONF_RECV_TIMEOUT_MIN	1
#define LISCAL_CONF_RECV_TIMEOUT_MAX	600
#define LISCAL_CONF_HB_INTERVAL_MIN	1
#define LISCAL_CONF_HB_INTERVAL_MAX	600
#define LISCAL_CONF_PING_TIMEOUT_MIN	1
#define LISCAL_CONF_PING_TIMEOUT_MAX	100

/* LISCAL_A_ROLE */
enum liscal_role {
	LISCAL_ROLE_STANDBY = 1,	/* /dev/NMPn read-only, applies peer writes */
	LISCAL_ROLE_ACTIVE = 2,		/* /dev/NMPn writable */
};

/* LISCAL_A_CONN_STATE */
enum liscal_conn_state {
	LISCAL_CONN_STANDALONE = 1,	/* not connected, not trying (after BREAK) */
	LISCAL_CONN_CONNECTING = 2,	/* trying to (re)connect to the peer */
	LISCAL_CONN_CONNECTED = 3,	/* handshake done, mirroring */
};

/* LISCAL_A_DISK_STATE and LISCAL_A_PEER_DISK_STATE */
enum liscal_disk_state {
	LISCAL_DISK_UNKNOWN = 0,	/* peer only: not connected, no record */
	LISCAL_DISK_INCONSISTENT = 1,	/* recovery target, not usable */
	LISCAL_DISK_OUTDATED = 2,	/* consistent but not current (RED) */
	LISCAL_DISK_UPTODATE = 3,	/* current data (GREEN) */
	LISCAL_DISK_FAILED = 4,		/* I/O error on the data or cluster partition */
};

/* LISCAL_A_RECOVERY_DIR */
enum liscal_recovery_dir {
	LISCAL_RECOVERY_NONE = 0,
	LISCAL_RECOVERY_TO_PEER = 1,	/* this side is the source */
	LISCAL_RECOVERY_FROM_PEER = 2,	/* this side is the target */
};

/* LISCAL_A_SYNC_MODE */
enum liscal_sync_mode {
	LISCAL_SYNC_ASYNC = 0,		/* completes after the local write */
	LISCAL_SYNC_SYNC = 1,
};

/*
 * LISCAL_A_KEY_MODE: what the 32-byte LISCAL_A_KEY is for. AUTH: the
 * cluster key, proven by both sides in each handshake; CRYPT: the
 * encryption key (crypto/keyfile), proven in the handshake, and every
 * mirror packet is encrypted (AES-256-GCM). Wire values of AUTH mode.
 */
enum liscal_key_mode {
	LISCAL_KEY_NONE = 0,
	LISCAL_KEY_AUTH = 1,
	LISCAL_KEY_CRYPT = 2,
};

#define LISCAL_KEY_LEN		32

/*
 * LISCAL_A_COMPRESS (clp.conf mddriver/compress): LZ4 per packet, sent as
 * is when it does not shrink. DATA: mirror data, asynchronous mode only
 * (refused with synchronous mode); RECOVERY: recovery data (RS_DATA).
 */
#define LISCAL_COMPRESS_DATA		(1U << 0)
#define LISCAL_COMPRESS_RECOVERY	(1U << 1)
#define LISCAL_COMPRESS_ALL		0x3U

/* LISCAL_A_CP_IO_ERROR / LISCAL_A_DP_IO_ERROR */
enum liscal_io_error_action {
	LISCAL_IOERR_NONE = 0,		/* mark the disk failed, keep running */
	LISCAL_IOERR_RESET = 1,		/* emergency_restart() */
	LISCAL_IOERR_PANIC = 2,		/* panic() */
};

/*
 * LISCAL_A_FLAGS, bit mask, meaning per command. LISCAL_F_FORCE: ACTIVATE
 * even if not uptodate; RECOVERY_START: forced recovery; GROW: grow this
 * side alone (a full copy follows).
 */
#define LISCAL_F_FORCE		(1U << 0)
#define LISCAL_F_FULL		(1U << 1) /* RECOVERY_START: copy everything */
#define LISCAL_F_NO_CONNECT	(1U << 2) /* RES_CREATE: stay standalone */
#define LISCAL_F_STATS_PERIOD	(1U << 3) /* RES_GET: end the sampling period */
/*
 * RECOVERY_START: both copies are fresh (never mirrored) and identical by
 * the administrator's word: both become current with one generation and
 * nothing is copied (fullcopy 0, "normal state assumed"). Alone only.
 */
#define LISCAL_F_ASSUME_SYNC	(1U << 4)
#define LISCAL_F_ALL		0x1fU

/* LISCAL_A_REASON of a STATE_CHANGE event */
enum liscal_reason {
	LISCAL_REASON_NONE = 0,
	LISCAL_REASON_CREATED = 1,
	LISCAL_REASON_DESTROYED = 2,
	LISCAL_REASON_ACTIVATED = 3,
	LISCAL_REASON_DEACTIVATED = 4,
	LISCAL_REASON_CONNECTED = 5,
	LISCAL_REASON_BREAK_ADMIN = 6,		/* BREAK command */
	LISCAL_REASON_BREAK_PEER_CLOSED = 7,	/* connection closed/reset */
	LISCAL_REASON_BREAK_SEND_TIMEOUT = 8,
	LISCAL_REASON_BREAK_ACK_TIMEOUT = 9,
	LISCAL_REASON_BREAK_PING_TIMEOUT = 10,	/* mirror-connect heartbeat */
	LISCAL_REASON_BREAK_PROTOCOL = 11,	/* invalid packet from the peer */
	LISCAL_REASON_PEER_IO_ERROR = 12,
	LISCAL_REASON_LOCAL_IO_ERROR = 13,
	LISCAL_REASON_RECOVERY_STARTED = 14,
	LISCAL_REASON_RECOVERY_DONE = 15,
	LISCAL_REASON_RECOVERY_CANCELLED = 16,
	LISCAL_REASON_SPLIT_BRAIN = 17,
	LISCAL_REASON_FORCED_CURRENT = 18,
	LISCAL_REASON_HANDSHAKE_REFUSED = 19,	/* foreign peer, size mismatch */
	LISCAL_REASON_PEER_STATE = 20,		/* peer changed role/disk state */
	LISCAL_REASON_PARAMS = 21,		/* RES_SET */
	LISCAL_REASON_FENCED = 22,		/* break: writes held (fencing) */
	LISCAL_REASON_FENCE_RELEASED = 23,	/* FENCE_RELEASE or reconnection */
	LISCAL_REASON_OUTDATED = 24,		/* OUTDATE: this copy fenced */
	LISCAL_REASON_KEY_UPDATE = 25,		/* break: the key changed */
	LISCAL_REASON_GROWN = 26,		/* the mirrored size grew (GROW) */
};

enum {
	LISCAL_A_UNSPEC,
	LISCAL_A_VERSION,		/* string */
	LISCAL_A_FEATURES,		/* u32 */
	LISCAL_A_MAJOR,			/* u32 */
	LISCAL_A_RES_NAME,		/* string, 1..15 chars [A-Za-z0-9_-] */
	LISCAL_A_MINOR,			/* u32, 1..255: /dev/NMP<minor> */
	LISCAL_A_DATA_PATH,		/* string, data partition device */
	LISCAL_A_CP_PATH,		/* string, cluster partition device */
	LISCAL_A_NODE_ID,		/* u8, 0 or 1 */
	LISCAL_A_LOCAL_ADDR,		/* string "a.b.c.d:port" (mirror LAN) */
	LISCAL_A_PEER_ADDR,		/* string "a.b.c.d:port" */
	LISCAL_A_SYNC_MODE,		/* u8, enum liscal_sync_mode */
	LISCAL_A_SEND_TIMEOUT,		/* u32 ms */
	LISCAL_A_CONNECT_TIMEOUT,	/* u32 ms */
	LISCAL_A_ACK_TIMEOUT,		/* u32 ms */
	LISCAL_A_RECV_TIMEOUT,		/* u32 ms */
	LISCAL_A_HB_INTERVAL,		/* u32 ms, mirror-connect heartbeat */
	LISCAL_A_PING_TIMEOUT,		/* u32 ms */
	LISCAL_A_PING_RETRY,		/* u32, 1..50 */
	LISCAL_A_RECOVERY_CHUNK,	/* u32 bytes, 64 KiB..4 MiB */
	LISCAL_A_CP_IO_ERROR,		/* u8, enum liscal_io_error_action */
	LISCAL_A_DP_IO_ERROR,		/* u8, enum liscal_io_error_action */
	LISCAL_A_FLAGS,			/* u32, LISCAL_F_* */
	LISCAL_A_SOURCE_NODE,		/* u8, RECOVERY_START source node id */
	LISCAL_A_ROLE,			/* u8, enum liscal_role */
	LISCAL_A_PEER_ROLE,		/* u8, enum liscal_role, 0 = unknown */
	LISCAL_A_CONN_STATE,		/* u8, enum liscal_conn_state */
	LISCAL_A_DISK_STATE,		/* u8, enum liscal_disk_state */
	LISCAL_A_PEER_DISK_STATE,	/* u8, enum liscal_disk_state */
	LISCAL_A_SPLIT_BRAIN,		/* u8, 0/1 */
	LISCAL_A_GEN_CURRENT,		/* u64 */
	LISCAL_A_GEN_BITMAP,		/* u64 */
	LISCAL_A_GEN_HISTORY1,		/* u64 */
	LISCAL_A_GEN_HISTORY2,		/* u64 */
	LISCAL_A_PEER_GEN_CURRENT,	/* u64, from the last handshake */
	LISCAL_A_DATA_SIZE,		/* u64 bytes mirrored */
	LISCAL_A_BIT_SIZE,		/* u32 bytes per bitmap bit */
	LISCAL_A_TOTAL_BITS,		/* u64 */
	LISCAL_A_DIRTY_BITS,		/* u64 bits set = regions that may differ */
	LISCAL_A_DIRTY_BYTES,		/* u64 = dirty bits * bit size (clamped) */
	LISCAL_A_RECOVERY_DIR,		/* u8, enum liscal_recovery_dir */
	LISCAL_A_RECOVERY_DONE,		/* u64 bytes copied in this recovery */
	LISCAL_A_RECOVERY_TOTAL,	/* u64 bytes to copy in this recovery */
	LISCAL_A_LAST_UPDATE,		/* u64 unix seconds, last time current */
	LISCAL_A_BREAK_TIME,		/* u64 unix seconds of the last break, 0 */
	LISCAL_A_STATS,			/* nest of LISCAL_STATS_A_* */
	LISCAL_A_REASON,		/* u32, enum liscal_reason */
	LISCAL_A_OLD_ROLE,		/* u8, event: before the change */
	LISCAL_A_OLD_CONN_STATE,	/* u8 */
	LISCAL_A_OLD_DISK_STATE,	/* u8 */
	LISCAL_A_OLD_PEER_DISK_STATE,	/* u8 */
	LISCAL_A_MESSAGE,		/* string, human readable detail */
	LISCAL_A_SB_FLAGS,		/* u32, superblock flags (liscal_meta.h) */
	LISCAL_A_UUID,			/* binary 16 bytes, cluster partition id */
	LISCAL_A_AUTO_CONSTRUCT,	/* u8 0/1, default 1 (fullcopy): start */
					/* a fresh peer's construction itself */
	LISCAL_A_FRESH,			/* u8 0/1: this copy never held mirrored data */
	LISCAL_A_PEER_FRESH,		/* u8 0/1: the peer's, at the last handshake */
	LISCAL_A_FENCING,		/* u8 0/1, default 0: hold writes at a */
					/* break while active (clp.conf fencing) */
	LISCAL_A_FENCED,		/* u8 0/1: writes held since a break */
	LISCAL_A_KEY,			/* binary 32 bytes, write only: the key */
					/* of key-mode (never in replies, logs) */
	LISCAL_A_KEY_MODE,		/* u8, enum liscal_key_mode */
	LISCAL_A_COMPRESS,		/* u8, LISCAL_COMPRESS_* bits */
	LISCAL_A_SEND_QUEUE_SIZE,	/* u32, async: writes queued, 0 unlimited */
	LISCAL_A_BANDLIMIT,		/* u32 KiB/s on async mirror data, 0 none */
	LISCAL_A_HOT_EXTENTS,		/* u32, extents of 64 regions kept */
					/* marked on disk after their writes */

	__LISCAL_A_MAX,
	LISCAL_A_MAX = (__LISCAL_A_MAX - 1)
};

/*
 * Statistics (guide Table 2.2), all u64. Byte counts and event counts are
 * totals since RES_CREATE; times are microseconds. "Max2"/"Total2" values
 * cover the current sampling period, which RES_GET with
 * LISCAL_F_STATS_PERIOD ends (the reply holds the period just ended).
 * Averages: userland divides totals by its sampling interval or count.
 */
enum {
	LISCAL_STATS_A_UNSPEC,
	LISCAL_STATS_A_WRITE_BYTES,		/* written to /dev/NMPn */
	LISCAL_STATS_A_WRITE_COUNT,
	LISCAL_STATS_A_READ_BYTES,		/* read from /dev/NMPn */
	LISCAL_STATS_A_READ_COUNT,
	LISCAL_STATS_A_LOCAL_WRITE_BYTES,	/* to the data partition */
	LISCAL_STATS_A_LOCAL_READ_BYTES,	/* from the data partition */
	LISCAL_STATS_A_SEND_BYTES,		/* mirror payload sent */
	LISCAL_STATS_A_RECV_BYTES,		/* mirror payload received */
	LISCAL_STATS_A_SYNC_TIME_MAX,		/* us, write submit to both done */
	LISCAL_STATS_A_SYNC_TIME_TOTAL,		/* us, sum, / SYNC_COUNT = avg */
	LISCAL_STATS_A_SYNC_COUNT,
	LISCAL_STATS_A_SYNC_ACK_MAX,		/* us, send to peer ack */
	LISCAL_STATS_A_SYNC_ACK_CUR,
	LISCAL_STATS_A_RECOVERY_ACK_MAX,	/* us */
	LISCAL_STATS_A_RECOVERY_ACK_MAX2,
	LISCAL_STATS_A_RECOVERY_ACK_CUR,
	LISCAL_STATS_A_SYNC_DIFF_MAX,		/* bytes sent, not yet acked */
	LISCAL_STATS_A_SYNC_DIFF_CUR,
	LISCAL_STATS_A_SEND_QUEUE_MAX,		/* packets queued for sending */
	LISCAL_STATS_A_SEND_QUEUE_MAX2,
	LISCAL_STATS_A_SEND_QUEUE_CUR,
	LISCAL_STATS_A_REQ_QUEUE_MAX,		/* bios in flight in the driver */
	LISCAL_STATS_A_REQ_QUEUE_MAX2,
	LISCAL_STATS_A_REQ_QUEUE_CUR,
	LISCAL_STATS_A_MDC_HB_MAX,		/* us, ping round trip */
	LISCAL_STATS_A_MDC_HB_MAX2,
	LISCAL_STATS_A_MDC_HB_CUR,
	LISCAL_STATS_A_LW_WAIT_RR_TOTAL,	/* us, local write waited recovery */
	LISCAL_STATS_A_LW_WAIT_RR_TOTAL2,
	LISCAL_STATS_A_RR_WAIT_LW_TOTAL,	/* us, recovery read waited write */
	LISCAL_STATS_A_RR_WAIT_LW_TOTAL2,
	LISCAL_STATS_A_RECOVERY_SENT_BYTES,	/* recovery payload sent */
	LISCAL_STATS_A_RECOVERY_RECV_BYTES,	/* recovery payload received */
	LISCAL_STATS_A_META_WRITES,		/* write-intent bitmap block writes */
	LISCAL_STATS_A_INTENT_WAITS,		/* writes that waited for one */
	LISCAL_STATS_A_BREAKS,			/* mirror breaks */
	LISCAL_STATS_A_PEER_WRITE_BYTES,	/* peer writes applied locally */
	LISCAL_STATS_A_DIRECT_WRITES,		/* issued by the submitter (fast path) */
	LISCAL_STATS_A_RECOVERY_INFLIGHT_MAX,	/* most RS_DATA sent, not yet acked */
	LISCAL_STATS_A_REFUSED_PACKETS,		/* invalid packets, state packets not fitting */
	LISCAL_STATS_A_AUTH_FAILURES,		/* handshakes refused: key not proven */
	LISCAL_STATS_A_COMPRESS_IN_BYTES,	/* data of the packets compression was tried on */
	LISCAL_STATS_A_COMPRESS_OUT_BYTES,	/* what of it was sent (compressed or not) */
	LISCAL_STATS_A_ASYNC_OVERFLOWS,		/* async writes left to recovery: queue full */
	LISCAL_STATS_A_HOT_EXTENTS_CUR,		/* extents in the hot set now */
	LISCAL_STATS_A_HOT_EVICTIONS,		/* extents that left the hot set */
	LISCAL_STATS_A_HOT_AHEAD,		/* extents entered ahead of a stream */
	LISCAL_STATS_A_PEER_OVERLAP_WAITS,	/* peer writes that waited for an overlapping one */
	LISCAL_STATS_A_FLUSHES_COVERED,		/* flushes the peer's flush ahead covered */
	LISCAL_STATS_A_FLUSHES_AHEAD,		/* flushes run ahead for the peer */
	LISCAL_STATS_A_RECOVERY_FLUSH_OVERLAP,	/* recovery chunks acked during a flush */
	LISCAL_STATS_A_PAGES_REUSED,		/* pages of page bios taken from the pool */

	__LISCAL_STATS_A_MAX,
	LISCAL_STATS_A_MAX = (__LISCAL_STATS_A_MAX - 1)
};

enum {
	LISCAL_CMD_UNSPEC,
	LISCAL_CMD_GET_VERSION,
	LISCAL_CMD_RES_CREATE,
	LISCAL_CMD_RES_DESTROY,
	LISCAL_CMD_RES_SET,
	LISCAL_CMD_RES_GET,
	LISCAL_CMD_ACTIVATE,
	LISCAL_CMD_DEACTIVATE,
	LISCAL_CMD_CONNECT,
	LISCAL_CMD_BREAK,
	LISCAL_CMD_RECOVERY_START,
	LISCAL_CMD_RECOVERY_CANCEL,
	LISCAL_CMD_FORCE_CURRENT,
	LISCAL_CMD_STATE_CHANGE,	/* notification on "events" */
	LISCAL_CMD_FENCE_RELEASE,	/* active: let the held writes go */
	LISCAL_CMD_OUTDATE,		/* standby: mark this copy fenced */
	LISCAL_CMD_GROW,		/* online resize to DATA_SIZE bytes */

	__LISCAL_CMD_MAX,
	LISCAL_CMD_MAX = (__LISCAL_CMD_MAX - 1)
};

#endif /* _UAPI_CLPSTACK_LISCAL_H */
