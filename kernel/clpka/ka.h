/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clpka internals.
 *
 * A client is one open of /dev/clpka (or the shutdown monitor). Each has
 * an hrtimer running in hard-irq context (so a stalled softirq or
 * workqueue cannot delay a reset): it fires first at CLPKA_WARN_PERCENT of
 * the timeout (warning in the kernel log), then at the deadline (action).
 *
 * ka_lock (raw spinlock, irqsave) protects the client list and every
 * client's state fields (armed, expired, orphan, magic, warned, deadline,
 * warn_at, pings, timeout, action, name). Never held across
 * hrtimer_cancel(). Raw, because the hard-irq timer takes it: on
 * PREEMPT_RT a spinlock_t sleeps, which a hard-irq callback must not. So
 * every section under it is short and never sleeps (no allocation, no
 * printk, no user copy).
 */
#ifndef KA_H
#define KA_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#include <clpstack/clpka.h>

struct ka_client {
	struct list_head node;		/* in ka_clients */
	u32 id;
	char name[CLPKA_NAME_LEN];
	char comm[TASK_COMM_LEN];
	pid_t pid;
	u32 timeout_ms;
	u32 action;
	u64 eff_ms;			/* timeout x ratio at the last ping */
	bool armed;
	bool expired;
	bool orphan;			/* closed without disarm */
	bool magic;			/* 'V' written: the next close disarms */
	bool warned;
	ktime_t deadline;
	ktime_t warn_at;
	u64 pings;
	struct hrtimer timer;
};

extern raw_spinlock_t ka_lock;
extern struct list_head ka_clients;
extern struct ka_client ka_shutdown;
extern const struct file_operations ka_fops;

void ka_client_init(struct ka_client *c);
int ka_client_arm(struct ka_client *c, u32 timeout_ms, u32 action,
		  const char *name);
void ka_client_disarm(struct ka_client *c);
void ka_fire(u32 action, const char *who, const char *why);
const char *ka_action_name(u32 action);
void ka_clients_exit(void);
int ka_reboot_init(void);
void ka_reboot_exit(void);

/* ka_sysfs.c: /sys/class/misc/clpka/ */
extern const struct attribute_group *ka_sysfs_groups[];

int ka_nl_init(void);
void ka_nl_exit(void);

#endif /* KA_H */
