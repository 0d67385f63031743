// SPDX-License-Identifier: GPL-2.0
/*
 * clpka clients: /dev/clpka file operations, the per-client hrtimer and
 * the actions. See Documentation/keepalive.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ka.h"
#include "../clpkhb/clpkhb_export.h"

DEFINE_RAW_SPINLOCK(ka_lock);
LIST_HEAD(ka_clients);
struct ka_client ka_shutdown;
static u32 ka_next_id = 1;		/* under ka_lock */

const char *ka_action_name(u32 action)
{
	switch (action) {
	case CLPKA_ACTION_RESET:
		return "RESET";
	case CLPKA_ACTION_PANIC:
		return "PANIC";
	case CLPKA_ACTION_LOG:
		return "LOG";
	default:
		return "NONE";
	}
}

/* Run @action now. Context: any (hard irq from the timer). */
void ka_fire(u32 action, const char *who, const char *why)
{
	switch (action) {
	case CLPKA_ACTION_RESET:
		pr_emerg("%s: %s: resetting the server (keepalive reset)\n",
			 who, why);
		emergency_restart();
		break;
	case CLPKA_ACTION_PANIC:
		panic("clpka: %s: %s (keepalive panic)\n", who, why);
		break;
	case CLPKA_ACTION_LOG:
		pr_emerg("%s: %s: action LOG, the server keeps running\n",
			 who, why);
		break;
	default:
		WARN_ON_ONCE(1);
	}
}

/* Context: hard irq. */
static enum hrtimer_restart ka_timer_fn(struct hrtimer *t)
{
	struct ka_client *c = container_of(t, struct ka_client, timer);
	char who[96], why[96];
	unsigned long flags;
	bool warn = false, orphan;
	ktime_t now = ktime_get();
	u32 action;

	raw_spin_lock_irqsave(&ka_lock, flags);
	if (!c->armed) {
		raw_spin_unlock_irqrestore(&ka_lock, flags);
		return HRTIMER_NORESTART;
	}
	snprintf(who, sizeof(who), "client '%s' (%s pid %d)", c->name,
		 c->comm, c->pid);
	if (ktime_before(now, c->deadline)) {
		if (!c->warned && !ktime_before(now, c->warn_at)) {
			c->warned = true;
			warn = true;
		}
		hrtimer_set_expires(t, ktime_before(now, c->warn_at) ?
				    c->warn_at : c->deadline);
		raw_spin_unlock_irqrestore(&ka_lock, flags);
		if (warn)
			pr_warn("%s: no keepalive for %d%% of its timeout %u ms\n",
				who, CLPKA_WARN_PERCENT, c->timeout_ms);
		return HRTIMER_RESTART;
	}
	c->armed = false;
	c->expired = true;
	action = c->action;
	orphan = c->orphan;
	snprintf(why, sizeof(why), "no keepalive within %llu ms", c->eff_ms);
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	ka_fire(action, who, why);
	/*
	 * An orphan held the module while armed. ka_clients_exit() cancels
	 * every timer, so this callback finishes before the module goes.
	 */
	if (orphan)
		module_put(THIS_MODULE);
	return HRTIMER_NORESTART;
}

void ka_client_init(struct ka_client *c)
{
	INIT_LIST_HEAD(&c->node);
	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	c->timer.function = ka_timer_fn;
}

/* (Re)start @c's deadline. Context: process; ka_lock held. */
static ktime_t ka_client_ping_locked(struct ka_client *c)
{
	u64 ms = (u64)c->timeout_ms * clpkhb_timeout_ratio();
	ktime_t now = ktime_get();

	c->eff_ms = ms;
	c->deadline = ktime_add_ms(now, ms);
	c->warn_at = ktime_add_ms(now, ms * CLPKA_WARN_PERCENT / 100);
	c->armed = true;
	c->expired = false;
	c->warned = false;
	c->pings++;
	return c->warn_at;
}

/*
 * A daemon that died (its client an armed orphan) and was started again
 * arms a client of the same name: the new client takes over, the orphan
 * is disarmed and freed (Documentation/keepalive.md, "Adoption"). An
 * orphan that already expired is not found: its action has run. Context:
 * process.
 */
static void ka_adopt_orphan(struct ka_client *c, const char *name)
{
	struct ka_client *o, *found = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&ka_lock, flags);
	list_for_each_entry(o, &ka_clients, node) {
		if (o != c && o->orphan && o->armed && !strcmp(o->name, name)) {
			o->armed = false;
			list_del(&o->node);
			found = o;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	if (!found)
		return;
	/* The callback may run now: it sees !armed and stops. */
	hrtimer_cancel(&found->timer);
	pr_info("client '%s' (%s pid %d) adopts the orphan of pid %d\n", name,
		c->comm, c->pid, found->pid);
	kfree(found);
	module_put(THIS_MODULE);	/* the orphan's reference */
}

/* Context: process. @name NULL keeps the current name. */
int ka_client_arm(struct ka_client *c, u32 timeout_ms, u32 action,
		  const char *name)
{
	unsigned long flags;
	ktime_t at;

	if (timeout_ms < CLPKA_MIN_TIMEOUT_MS ||
	    timeout_ms > CLPKA_MAX_TIMEOUT_MS ||
	    action == CLPKA_ACTION_NONE || action >= __CLPKA_ACTION_MAX)
		return -EINVAL;
	if (name)
		ka_adopt_orphan(c, name);
	raw_spin_lock_irqsave(&ka_lock, flags);
	c->timeout_ms = timeout_ms;
	c->action = action;
	if (name)
		strscpy(c->name, name, sizeof(c->name));
	at = ka_client_ping_locked(c);
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	hrtimer_start(&c->timer, at, HRTIMER_MODE_ABS_HARD);
	pr_info("client '%s' (%s pid %d) armed: timeout %u ms, action %s\n",
		c->name, c->comm, c->pid, timeout_ms, ka_action_name(action));
	return 0;
}

static int ka_client_ping(struct ka_client *c)
{
	unsigned long flags;
	ktime_t at;

	raw_spin_lock_irqsave(&ka_lock, flags);
	if (!c->timeout_ms) {
		raw_spin_unlock_irqrestore(&ka_lock, flags);
		return -ENOTCONN;
	}
	at = ka_client_ping_locked(c);
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	hrtimer_start(&c->timer, at, HRTIMER_MODE_ABS_HARD);
	return 0;
}

/* Context: process. */
void ka_client_disarm(struct ka_client *c)
{
	unsigned long flags;
	bool was;

	raw_spin_lock_irqsave(&ka_lock, flags);
	was = c->armed;
	c->armed = false;
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	hrtimer_cancel(&c->timer);
	if (was)
		pr_info("client '%s' (%s pid %d) disarmed\n", c->name, c->comm,
			c->pid);
}

static int ka_open(struct inode *inode, struct file *file)
{
	struct ka_client *c = kzalloc(sizeof(*c), GFP_KERNEL);
	unsigned long flags;

	if (!c)
		return -ENOMEM;
	ka_client_init(c);
	get_task_comm(c->comm, current);
	c->pid = task_tgid_nr(current);
	strscpy(c->name, c->comm, sizeof(c->name));
	raw_spin_lock_irqsave(&ka_lock, flags);
	c->id = ka_next_id++;
	list_add_tail(&c->node, &ka_clients);
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	file->private_data = c;
	return stream_open(inode, file);
}

static int ka_release(struct inode *inode, struct file *file)
{
	struct ka_client *c = file->private_data;
	unsigned long flags;
	bool keep;

	raw_spin_lock_irqsave(&ka_lock, flags);
	keep = c->armed && !c->magic;
	if (keep) {
		c->orphan = true;
		__module_get(THIS_MODULE);
	}
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	if (keep) {
		pr_crit("client '%s' (%s pid %d) closed without disarming: its timer stays armed\n",
			c->name, c->comm, c->pid);
		return 0;
	}
	ka_client_disarm(c);
	raw_spin_lock_irqsave(&ka_lock, flags);
	list_del(&c->node);
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	kfree(c);
	return 0;
}

/* Any write pings; a 'V' in the data makes the next close disarm. */
static ssize_t ka_write(struct file *file, const char __user *buf,
			size_t len, loff_t *ppos)
{
	struct ka_client *c = file->private_data;
	unsigned long flags;
	bool magic = false;
	size_t i;
	char ch;
	int ret;

	for (i = 0; i < len && i < 64; i++) {
		if (get_user(ch, buf + i))
			return -EFAULT;
		if (ch == 'V')
			magic = true;
	}
	ret = ka_client_ping(c);
	if (ret)
		return ret;
	raw_spin_lock_irqsave(&ka_lock, flags);
	c->magic = magic;
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	return len;
}

static long ka_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ka_client *c = file->private_data;
	struct clpka_arm a;
	size_t n;

	switch (cmd) {
	case CLPKA_IOC_ARM:
		if (copy_from_user(&a, (void __user *)arg, sizeof(a)))
			return -EFAULT;
		n = strnlen(a.name, sizeof(a.name));
		if (n == sizeof(a.name))
			return -EINVAL;
		return ka_client_arm(c, a.timeout_ms, a.action, n ? a.name : NULL);
	case CLPKA_IOC_PING:
		return ka_client_ping(c);
	case CLPKA_IOC_DISARM:
		ka_client_disarm(c);
		return 0;
	default:
		return -ENOTTY;
	}
}

const struct file_operations ka_fops = {
	.owner = THIS_MODULE,
	.open = ka_open,
	.release = ka_release,
	.write = ka_write,
	.unlocked_ioctl = ka_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/*
 * The kernel is restarting or powering off: user space has finished its
 * part of the shutdown, so the clients' timers are disarmed (a daemon
 * killed at the end of the shutdown must not reset the server instead of
 * powering it off). The shutdown monitor stays armed: it also covers the
 * kernel's own part (device shutdown). Context: process.
 */
static int ka_reboot_notify(struct notifier_block *nb, unsigned long code,
			    void *unused)
{
	struct ka_client *c;
	unsigned long flags;
	unsigned int n = 0;
	bool sd_armed;
	s64 left = 0;

	raw_spin_lock_irqsave(&ka_lock, flags);
	list_for_each_entry(c, &ka_clients, node) {
		n += c->armed;
		c->armed = false;
	}
	sd_armed = ka_shutdown.armed;
	if (sd_armed)
		left = ktime_ms_delta(ka_shutdown.deadline, ktime_get());
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	if (sd_armed)
		pr_info("system going down: %u client timer(s) disarmed, shutdown monitor %lld ms from its deadline\n",
			n, left);
	else
		pr_info("system going down: %u client timer(s) disarmed\n", n);
	return NOTIFY_DONE;
}

static struct notifier_block ka_reboot_nb = {
	.notifier_call = ka_reboot_notify,
};

int ka_reboot_init(void)
{
	return register_reboot_notifier(&ka_reboot_nb);
}

void ka_reboot_exit(void)
{
	unregister_reboot_notifier(&ka_reboot_nb);
}

/* Module exit: no open file is left; only orphans that expired (LOG). */
void ka_clients_exit(void)
{
	struct ka_client *c, *tmp;
	unsigned long flags;

	ka_client_disarm(&ka_shutdown);
	list_for_each_entry_safe(c, tmp, &ka_clients, node) {
		ka_client_disarm(c);
		raw_spin_lock_irqsave(&ka_lock, flags);
		list_del(&c->node);
		raw_spin_unlock_irqrestore(&ka_lock, flags);
		kfree(c);
	}
}
