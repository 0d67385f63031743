/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liscal_int.h - internal structures of the liscal mirror driver.
 * Documentation/liscal.md describes the design; this header says which
 * lock protects what.
 *
 * Lock order (outer first):
 *   liscal_res_mutex  >  res->state_mutex  >  res->bm_mutex  >
 *   res->send_mutex  >  res->lock (spinlock, irq-safe, innermost);
 *   res->sock_mutex  >  res->send_mutex (connect, teardown);
 *   res->page_lock (spinlock, irq-safe) is a leaf, never nested
 *   with another lock
 */
#ifndef _LISCAL_INT_H
#define _LISCAL_INT_H

#include <linux/blkdev.h>
#include <linux/bio.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/kthread.h>
#include <linux/mempool.h>
#include <linux/in.h>
#include <linux/net.h>
#include <net/genetlink.h>

#include <clpstack/liscal.h>
#include "liscal_meta.h"
#include "liscal_bitmap.h"
#include "liscal_wire.h"

struct liscal_params {
	u8 sync_mode;
	u32 send_timeout;	/* ms */
	u32 connect_timeout;
	u32 ack_timeout;
	u32 recv_timeout;
	u32 hb_interval;
	u32 ping_timeout;
	u32 ping_retry;
	u32 recovery_chunk;	/* bytes */
	u8 cp_io_error;
	u8 dp_io_error;
	u8 auto_construct;	/* start the construction of a fresh peer */
	u8 fencing;		/* hold writes at a break (liscal_fence.c) */
	u8 compress;		/* LISCAL_COMPRESS_* (liscal_xf.c) */
	u32 send_queue_size;	/* async: writes queued or unacked, 0 no limit */
	u32 bandlimit;		/* async: KiB/s of mirror data, 0 no limit */
	u32 hot_extents;	/* hot set size (liscal_bm.c), 0 none */
};

/* Acks sent in one sendmsg (or one sealed record) at most. */
#define LISCAL_ACK_BATCH	64

/*
 * A resource's in-memory bitmap arrays, as one set (liscal_bm.c): made at
 * create, replaced by a larger one at an online growth (liscal_grow.c).
 */
struct liscal_bm_set {
	u64 *oos, *intent[2], *ondisk, *hot, *unflushed;
	struct liscal_hot_link *hot_link;
	unsigned long *dirty;
};

struct liscal_stats {
	u64 v[__LISCAL_STATS_A_MAX];
};

/* One write bio on its way through the driver. */
struct liscal_req {
	struct list_head list;		/* res->writes (all in flight), lock */
	struct list_head qlist;		/* issue_q / deferred / held, lock */
	/* res->ack_wait while awaiting DATA_ACK; async: send_q before */
	struct list_head ack_list;
	struct liscal_res *res;
	struct bio *bio;		/* the bio from above */
	u64 sector, nsect;
	u64 first, last;		/* bitmap bits, valid if has_bits */
	bool has_bits;
	u64 seq;
	u64 start_ns, sent_ns;
	unsigned int epoch;		/* write-intent epoch (0/1) */
	atomic_t pending;		/* local + peer + issuer references */
	blk_status_t local_status;
	bool sent;			/* went to the peer */
	bool peer_failed;		/* the peer did not confirm it */
	bool counted;			/* counted in inflight[epoch] */
	bool issued;			/* past the recovery range check */
	bool send;			/* to be mirrored to the peer */
	/*
	 * An empty flush waiting for the peer's flush ahead (liscal_io.c,
	 * liscal_flush_ahead()) on ack_wait, not sent: it completes when a
	 * FLUSHED covers flush_need DATA_ACKs.
	 */
	bool ahead;
	u64 flush_need;
	u64 defer_ns;			/* when it started waiting for recovery */
	/*
	 * Asynchronous mode (liscal_io.c, liscal_async_*): the bio from above
	 * completes after the local write (bio_done); the data goes to the
	 * peer from copy, the request lives on until the peer's DATA_ACK.
	 */
	bool async;
	bool bio_done;
	blk_opf_t bio_flags;		/* the bio's, for the sender */
	struct bio *copy;
};

struct liscal_res {
	struct list_head list;		/* liscal_res_list, liscal_res_mutex */
	/*
	 * Commands waiting on this resource with liscal_res_mutex dropped
	 * (liscal_nl.c, liscal_cmd_unlock()); RES_DESTROY refuses it while
	 * there are any. liscal_res_mutex.
	 */
	int cmd_waiting;
	char name[LISCAL_NAME_LEN];
	u32 minor;
	u32 node_id;
	char data_path[LISCAL_PATH_MAX + 1];
	char cp_path[LISCAL_PATH_MAX + 1];
	char local_str[LISCAL_ADDR_MAX + 1];
	/*
	 * The peer's address: RES_SET changes it while not connected (a
	 * hybrid disk's other group changed its current server); written and
	 * read under lock. The local address is constant.
	 */
	char peer_str[LISCAL_ADDR_MAX + 1];
	struct sockaddr_in peer_addr;
	struct sockaddr_in local_addr;
	/* conn_task's: the peer address of the connection being made. */
	struct sockaddr_in conn_addr;
	struct liscal_params p;		/* written under state_mutex, READ_ONCE */

	struct block_device *dbdev;	/* data partition, exclusive */
	struct block_device *cbdev;	/* cluster partition, exclusive */
	struct gendisk *disk;		/* /dev/NMP<minor> */
	u64 data_bytes;
	u64 data_sectors;
	struct bio_set bs;		/* clones towards dbdev */
	/*
	 * Pages of page bios kept for reuse (liscal_page_bio_alloc()),
	 * chained by page->lru; page_lock (a leaf, interrupts off: bios are
	 * freed from completions) protects the list and its count.
	 */
	spinlock_t page_lock;
	struct list_head page_pool;
	unsigned int page_pooled;
	atomic64_t pages_reused;	/* read into st by liscal_put_stats() */
	mempool_t *req_pool;
	struct workqueue_struct *wq;	/* issue, flush, clean, ack works */

	/* Serialises state transitions (netlink commands, handshake,
	 * teardown, recovery end) and superblock writes; protects sb.
	 */
	struct mutex state_mutex;
	struct liscal_sb sb;
	void *sb_buf;			/* 4 KiB I/O buffer for sb, state_mutex */

	/*
	 * Protects everything below up to the connection part: states,
	 * bitmaps, request lists, recovery range, statistics. Irq-safe:
	 * taken from bio completions.
	 */
	spinlock_t lock;
	wait_queue_head_t waitq;	/* recovery range, acks, flushes */
	/*
	 * The connection thread's idle wait (standalone: want_connect off),
	 * apart from waitq: every write completion wakes waitq, and a thread
	 * woken and put back to sleep per write cost a disconnected active
	 * a context switch for every few writes (benchmarks.md).
	 */
	wait_queue_head_t conn_waitq;
	u8 role, peer_role, conn, disk_state, pdisk;
	bool split_brain;
	bool want_connect;
	bool destroying;
	int open_writers;		/* /dev/NMPn opened for write */
	int openers;			/* /dev/NMPn opened at all */
	u64 peer_gen;			/* last HELLO, STATE or SYNC_START */
	u64 peer_gen_bitmap;		/* from the last HELLO */
	u32 peer_flags;			/* sb flags from the last HELLO */
	bool peer_fresh;		/* peer copy fresh at the last HELLO */
	u8 peer_claim;			/* disk state the peer last sent (HELLO, STATE) */
	/*
	 * Activation while connected (liscal_nl.c, liscal_activate()): this
	 * side asks with a STATE ACT_REQ and goes active only once the peer
	 * granted; at most one side is granted per connection.
	 */
	bool activating;		/* our ACT_REQ is outstanding or granted */
	bool act_granted;		/* the peer granted it (this connection) */
	int act_reply;			/* 0 waiting, 1 granted, -1 refused */
	u64 act_seq;			/* sequence of our ACT_REQ */
	u32 conn_epoch;			/* +1 at every established connection */
	bool act_reply_pending;		/* ctl_work: answer the peer's ACT_REQ */
	bool act_reply_ok;
	u64 act_reply_seq;

	/* Bitmaps (lock); see Documentation/liscal.md, write intent. */
	u32 shift;
	u64 nbits;
	size_t nwords;
	u64 *oos;			/* regions that may differ from the peer */
	u64 *intent[2];			/* write-intent bits per epoch */
	u64 *ondisk;			/* what the on-disk bitmap holds */
	/*
	 * The hot set (liscal_bm.c): extents of one bitmap word each whose
	 * bits stay on disk after their writes were cleaned, so that the next
	 * write there waits for no bitmap write. hot.mask[w] is the word's
	 * mask while w is in the set, else 0; hot.link orders the set, most
	 * recently written first (common/liscal_bitmap.h).
	 */
	struct liscal_hot hot;
	/*
	 * Recovery source: regions the target acked but has not flushed yet,
	 * taken out of oos and kept on disk until its flush is confirmed
	 * (liscal_rs.c). Set and cleared by the recovery thread only.
	 */
	u64 *unflushed;
	unsigned long *dirty_blocks;	/* bitmap blocks to (re)write */
	size_t nblocks;
	unsigned int icur;		/* current epoch */
	long inflight[2];		/* writes started in each epoch */
	void *bm_buf;			/* 4 KiB I/O buffer, bm_mutex */
	struct mutex bm_mutex;		/* serialises bitmap block writes */

	/* Requests (lock). */
	struct list_head writes;	/* every write in flight */
	struct list_head issue_q;	/* submitted, not issued yet */
	struct list_head deferred;	/* waiting for recovery chunks */
	/*
	 * While the connection handshakes, writes are held here: the HELLO
	 * and the bitmap the peer decides from must hold every region this
	 * side wrote without mirroring, so the handshake starts only when no
	 * issued write is left (nr_issued 0) and none is issued until the
	 * decision is applied (liscal_conn.c, liscal_hold_writes()).
	 */
	struct list_head held;
	bool hold_writes;
	/*
	 * Fencing (liscal_fence.c): since a break while active, new writes
	 * wait on held and the writes whose peer ack failed on fence_acks
	 * (their completion held) until FENCE_RELEASE or a new connection.
	 * Lock; changed with state_mutex held too.
	 */
	bool fenced;
	struct list_head fence_acks;
	unsigned int nr_issued;		/* issued writes not completed */
	struct list_head ack_wait;	/* sent, waiting for DATA_ACK */
	/*
	 * Asynchronous mode: mirrored writes whose local write is issued,
	 * queued in order for the sender (send_work), which moves each to
	 * ack_wait as it sends it. Teardown fails both lists.
	 */
	struct list_head send_q;
	u64 seq;
	u64 sync_diff;			/* bytes queued or sent, not acked */
	int send_queue;			/* DATA packets queued or sent, not acked */
	/*
	 * The peer flush in progress (liscal_peer_flush(): the cleaner's or
	 * the recovery's, one at a time: flush_state other than 0 is held,
	 * and the holder wakes waitq when it sets it back); lock.
	 */
	u64 flush_seq;			/* peer flush awaiting ack */
	int flush_state;		/* 0 idle, 1 waiting, 2 acked, -1 failed */
	/*
	 * Flushes ahead (Documentation/liscal.md, "Flushes ahead"), counted
	 * per connection and zeroed when one is established (no ack is in
	 * flight then); lock. The writer's side: acks_rcvd, the DATA_ACKs
	 * received; peer_flushing, the count the peer's announced flush
	 * covers (DATA_ACK with FLUSHING); peer_flushed, the count its last
	 * FLUSHED covered; flush_hint_ns, this device's last flush (for a
	 * second after it, writes ask the peer to flush ahead).
	 */
	u64 acks_rcvd, peer_flushing, peer_flushed;
	u64 flush_hint_ns;
	/*
	 * The peer's side: acks_sent, the DATA_ACKs sent (the ack work's,
	 * under send_mutex; zeroed under lock at a handshake, when the ack
	 * work has nothing to send); ahead_busy, a flush ahead runs, covering
	 * ahead_cover of them; ahead_done, it completed with ahead_status,
	 * its FLUSHED is still to be sent (by the ack work). The flush counts
	 * in peer_inflight until then.
	 */
	u64 acks_sent, ahead_cover;
	bool ahead_busy, ahead_done;
	blk_status_t ahead_status;
	int req_queue;			/* bios in flight */
	/*
	 * Recovery chunks in flight (struct liscal_rs_chunk, liscal_rs.c),
	 * from the moment their bit range is locked until their RS_ACK (or
	 * abandon): writes overlapping any of them are deferred. Entries are
	 * added and freed only by the recovery thread; their state changes
	 * under lock (read completion, RS_ACK).
	 */
	struct list_head rs_chunks;
	unsigned int rs_nchunks;	/* entries of rs_chunks */
	u64 rs_nbytes;			/* their data bytes */
	unsigned int rs_unacked;	/* of them: RS_DATA sent, not acked */
	u8 rs_dir;
	u64 rs_done, rs_total;		/* bytes */
	bool rs_stop;
	bool rs_full;			/* the next/current recovery is full */
	struct liscal_stats st;
	u64 period_start_ns;

	struct work_struct issue_work;
	/*
	 * Asynchronous sender and catch-up (liscal_io.c). The fields below
	 * belong to send_work alone (it never runs twice at once): a flush
	 * or FUA write in flight (tx_barrier), the bandwidth token bucket.
	 */
	struct work_struct send_work;
	struct work_struct catchup_work;
	bool tx_barrier;
	s64 tb_tokens;			/* bytes that may go now */
	u64 tb_last_ns;
	struct delayed_work clean_work;
	/*
	 * Writes the bitmap blocks of an extent entered ahead of a stream
	 * (liscal_bm_hot_ahead()); stream_end (lock) is where the last
	 * mirrored write ended.
	 */
	struct work_struct ahead_work;
	u64 stream_end;
	/*
	 * Records a disk failure (liscal_io_error(), any context) in the
	 * superblock: FAILED set, UPTODATE cleared. fail_recorded (lock):
	 * the work was queued once; it is not queued again, so that a
	 * failing cluster partition does not loop.
	 */
	struct work_struct fail_work;
	bool fail_recorded;

	/* Connection. */
	struct mutex sock_mutex;	/* sock pointer for shutdown/teardown */
	struct mutex send_mutex;	/* one sender on sock at a time */
	struct work_struct ctl_work;	/* sends PING / PONG / STATE */
	/*
	 * Acks of the peer's writes (liscal_conn.c): a completed write joins
	 * ack_q (lock) and ack_work sends every ack gathered so far at once,
	 * their headers in ack_buf (send_mutex).
	 */
	struct list_head ack_q;
	struct work_struct ack_work;
	struct liscal_wire_hdr_disk ack_buf[LISCAL_ACK_BATCH];
	bool ping_pending, pong_pending, state_pending;	/* lock */
	struct socket *sock;		/* set/cleared under send_mutex + lock */
	/*
	 * The key (LISCAL_A_KEY) and what it is for (enum liscal_key_mode):
	 * written under state_mutex and lock, read under lock (copied by the
	 * handshake). Never logged; zeroised when replaced and at destroy.
	 */
	u8 key[LISCAL_KEY_LEN];
	u8 key_mode;
	/* encrypted record layer of this connection (liscal_xf.c), or NULL */
	struct liscal_xf *xf;		/* set/cleared under send_mutex */
	/*
	 * Compression buffers (liscal_xf.c), allocated at first use, freed
	 * by liscal_conn_stop(): tx under send_mutex, rx by conn_task.
	 */
	struct liscal_comp *comp_tx, *comp_rx;
	struct task_struct *conn_task;	/* connects, handshakes, receives */
	struct task_struct *rs_task;	/* recovery source loop (state_mutex) */
	int fail_reason;		/* lock: why the connection is failing */
	u64 ping_sent_ns;		/* lock: 0 when no ping outstanding */
	u64 ping_wait_ns;		/* lock: start of the echo timeout */
	u64 last_ping_ns;
	u32 ping_misses;
	u64 last_rx_ns;			/* conn_task: last packet received */
	/*
	 * conn_task's block plug over the peer's writes received together
	 * (liscal_conn.c, liscal_rx_plug_add()).
	 */
	struct blk_plug rx_plug;
	bool rx_plug_on;
	/*
	 * The peer's writes submitted and not yet completed (lock), in
	 * arrival order; a write overlapping one of them waits for it, with
	 * peer_write_waiting set (lock) so that completions wake waitq.
	 */
	struct list_head peer_writes;
	bool peer_write_waiting;
	u64 timers_ns;			/* conn_task: last timer check */
	u64 *peer_bm;			/* handshake only, conn_task */
	u64 hs_deadline;		/* handshake reads end, conn_task */
	atomic_t peer_inflight;		/* peer writes not yet acked */
	struct mutex rs_mutex;		/* rs_task pointer */
	u64 rs_counter;			/* RS_DATA sequence, lock */

	/*
	 * Online growth (liscal_grow.c), lock: the size this standby was
	 * prepared for (its new region zeroed), 0 none; a GROW command runs
	 * (growing) and the answer to its request (grow_seq, grow_reply: 1
	 * granted, -LISCAL_GROW_* refused); the peer's request waiting for
	 * grow_work (grow_req_*).
	 */
	u64 grow_prepared;
	u32 grow_prepared_epoch;	/* the connection it was prepared on */
	u64 grow_prepared_part;		/* the data partition's size then */
	bool growing;
	u64 grow_seq;
	int grow_reply;
	bool grow_req_pending;
	u64 grow_req_seq, grow_req_bytes;
	u32 grow_req_epoch;
	struct work_struct grow_work;
};

/* liscal_xf.c */
struct liscal_xf;
int liscal_xf_hmac(const u8 *key, const u8 *msg, size_t len, u8 *out);
int liscal_xf_mac(const u8 *key, const char *label, u32 node, u32 mode,
		  const u8 *nonce0, const u8 *nonce1, u8 *out);
struct liscal_xf *liscal_xf_create(const u8 *key, u32 node,
				   const u8 *nonce0, const u8 *nonce1);
void liscal_xf_free(struct liscal_xf *xf);
int liscal_xf_put(struct liscal_res *res, const void *buf, size_t len);
int liscal_xf_put_page(struct liscal_res *res, const struct bio_vec *bv);
int liscal_xf_flush(struct liscal_res *res);
int liscal_xf_recv(struct liscal_res *res, void *buf, size_t len, bool timers);
int liscal_xf_recv_page(struct liscal_res *res, const struct bio_vec *bv);
bool liscal_xf_rx_buffered(struct liscal_res *res);
struct liscal_comp;
bool liscal_comp_wanted(struct liscal_res *res, const struct liscal_wire_hdr *h);
const void *liscal_comp_bio(struct liscal_res *res, struct bio *bio, u32 size,
			    u32 *clen);
void *liscal_comp_rx_buf(struct liscal_res *res);
int liscal_comp_unpack(struct liscal_res *res, const struct liscal_wire_hdr *h,
		       struct bio *bio);
void liscal_comp_free(struct liscal_res *res);

extern struct mutex liscal_res_mutex;
extern struct list_head liscal_res_list;
extern unsigned int liscal_major;
extern struct genl_family liscal_genl_family;

/* liscal_res.c */
int liscal_res_create(struct liscal_res *tmpl, u32 flags,
		      struct netlink_ext_ack *extack);
int liscal_res_destroy(struct liscal_res *res, struct netlink_ext_ack *extack);
struct liscal_res *liscal_res_find(const char *name);
int liscal_sb_write(struct liscal_res *res);
int liscal_sb_commit(struct liscal_res *res, const struct liscal_sb *old,
		     bool bitmap);
void liscal_params_default(struct liscal_params *p);
u64 liscal_now(void);
u64 liscal_new_gen(void);
void liscal_io_error(struct liscal_res *res, bool cp, int err);
void liscal_fail_work(struct work_struct *w);

/* liscal_bm.c */
int liscal_bm_alloc(struct liscal_res *res);
int liscal_bm_set_alloc(struct liscal_bm_set *s, size_t nblocks);
void liscal_bm_set_free(struct liscal_bm_set *s);
void liscal_bm_set_swap(struct liscal_res *res, struct liscal_bm_set *s);
void liscal_bm_set_copy(struct liscal_bm_set *s, struct liscal_res *res,
			size_t words, bool oos);
void liscal_bm_free(struct liscal_res *res);
int liscal_bm_load(struct liscal_res *res);
int liscal_bm_flush(struct liscal_res *res, bool all);
void liscal_bm_mark_dirty(struct liscal_res *res, u64 first, u64 last);
void liscal_bm_hot_ahead(struct liscal_res *res, u64 sector, u64 end, u64 last);
void liscal_bm_ahead_work(struct work_struct *w);
void liscal_bm_merge_intent(struct liscal_res *res);
void liscal_bm_touch_hot(struct liscal_res *res, u64 first, u64 last);
void liscal_bm_drop_hot(struct liscal_res *res);
void liscal_clean_work(struct work_struct *w);
u64 liscal_dirty_bits(struct liscal_res *res);

/* liscal_io.c */
int liscal_disk_create(struct liscal_res *res);
void liscal_disk_destroy(struct liscal_res *res);
void liscal_issue_work(struct work_struct *w);
void liscal_req_put(struct liscal_req *req);
void liscal_set_ro(struct liscal_res *res);
bool liscal_writes_overlap(struct liscal_res *res, u64 first, u64 last);
struct bio *liscal_page_bio_alloc(struct liscal_res *res, u64 sector,
				  u32 bytes, blk_opf_t opf);
void liscal_page_bio_free(struct liscal_res *res, struct bio *bio);
void liscal_page_pool_free(struct liscal_res *res);
void liscal_async_send_work(struct work_struct *w);
void liscal_async_catchup_work(struct work_struct *w);

/* liscal_conn.c */
int liscal_conn_start(struct liscal_res *res);
void liscal_conn_stop(struct liscal_res *res);
void liscal_conn_fail(struct liscal_res *res, int reason);
int liscal_send(struct liscal_res *res, struct liscal_wire_hdr *h,
		const void *payload, size_t plen, struct bio *bio);
int liscal_send_state(struct liscal_res *res, u16 wflags, u64 seq);
int liscal_send_simple(struct liscal_res *res, u16 type, u16 flags, u64 seq,
		       u64 sector, u32 size, const void *payload, size_t plen);
int liscal_parse_addr(const char *s, struct sockaddr_in *sa);
void liscal_ctl_work(struct work_struct *w);
int liscal_peer_flush(struct liscal_res *res);
int liscal_peer_flush_start(struct liscal_res *res);
bool liscal_peer_flush_done(struct liscal_res *res);
int liscal_peer_flush_end(struct liscal_res *res, int otherwise);
void liscal_send_failed(struct liscal_res *res, int err);
void liscal_peer_ack_work(struct work_struct *w);
void liscal_refuse(struct liscal_res *res, const char *what);
void liscal_auth_failed(struct liscal_res *res);
bool liscal_rekey(struct liscal_res *res);
int liscal_sock_send(struct socket *sock, const void *buf, size_t len,
		     int more);
int liscal_sock_recv(struct liscal_res *res, void *buf, size_t len,
		     bool timers);

/* liscal_rs.c */
int liscal_rs_start(struct liscal_res *res, bool full,
		    struct netlink_ext_ack *extack);
void liscal_rs_stop(struct liscal_res *res);
int liscal_make_source(struct liscal_res *res);
void liscal_rs_ack(struct liscal_res *res, u64 seq, bool err);
bool liscal_rs_locked(struct liscal_res *res, u64 first, u64 last);
int liscal_rs_target_done(struct liscal_res *res, u64 gen);
int liscal_rs_target_start(struct liscal_res *res, u64 gen, u64 bytes,
			   bool full);

/* liscal_grow.c */
int liscal_grow(struct liscal_res *res, u64 bytes, bool force,
		struct netlink_ext_ack *extack);
void liscal_grow_recv(struct liscal_res *res, const struct liscal_wire_hdr *h);
void liscal_grow_work(struct work_struct *w);
int liscal_grow_to_peer(struct liscal_res *res, u64 bytes, char *err,
			size_t len);

/* liscal_fence.c */
bool liscal_fence_break(struct liscal_res *res, int reason,
			struct list_head *failed);
int liscal_fence_release(struct liscal_res *res, int reason);
int liscal_outdate(struct liscal_res *res, struct netlink_ext_ack *extack);

/* liscal_sysfs.c: /sys/block/NMPn/liscal/ */
extern const struct attribute_group *liscal_disk_groups[];

/* liscal_nl.c */
void liscal_cmd_unlock(struct liscal_res *res);
void liscal_cmd_relock(struct liscal_res *res);
__printf(2, 3) void liscal_errf(struct netlink_ext_ack *extack,
				const char *fmt, ...);
void liscal_event(struct liscal_res *res, int reason, u8 old_role,
		  u8 old_conn, u8 old_disk, u8 old_pdisk, const char *msg);
void liscal_kick_state(struct liscal_res *res);
void liscal_act_recv(struct liscal_res *res, const struct liscal_wire_hdr *h);
int liscal_nl_init(void);
void liscal_nl_exit(void);

/* Statistics helpers, res->lock held. */
static inline void liscal_stat_add(struct liscal_res *res, int a, u64 v)
{
	res->st.v[a] += v;
}

static inline void liscal_stat_max(struct liscal_res *res, int a, u64 v)
{
	if (v > res->st.v[a])
		res->st.v[a] = v;
}

/* Snapshot of the states for events: take under lock. */
struct liscal_snap {
	u8 role, conn, disk, pdisk;
};

static inline void liscal_snap(struct liscal_res *res, struct liscal_snap *s)
{
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	s->role = res->role;
	s->conn = res->conn;
	s->disk = res->disk_state;
	s->pdisk = res->pdisk;
	spin_unlock_irqrestore(&res->lock, flags);
}

static inline void liscal_event_since(struct liscal_res *res,
				      const struct liscal_snap *s, int reason,
				      const char *msg)
{
	liscal_event(res, reason, s->role, s->conn, s->disk, s->pdisk, msg);
}

#endif /* _LISCAL_INT_H */
