// SPDX-License-Identifier: GPL-2.0
/*
 * clpka sysfs attributes, read-only, under /sys/class/misc/clpka/
 * (Documentation/sysfs.md): ratio, armed, shutdown_timeout_ms, clients.
 *
 * The client fields are read under ka_lock (ka.h). That raw spinlock is
 * taken by the hard-irq timers: single values are copied under it and
 * printed after the unlock; the client list is formatted under it into
 * the sysfs page (no allocation, no printk, at most PAGE_SIZE; clients
 * that do not fit are left out).
 */
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/sysfs.h>

#include "ka.h"
#include "../clpkhb/clpkhb_export.h"

static ssize_t ratio_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", clpkhb_timeout_ratio());
}
static DEVICE_ATTR_RO(ratio);

/* Clients of /dev/clpka whose deadline runs (the shutdown monitor apart). */
static ssize_t armed_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	const struct ka_client *c;
	unsigned long flags;
	unsigned int n = 0;

	raw_spin_lock_irqsave(&ka_lock, flags);
	list_for_each_entry(c, &ka_clients, node)
		n += c->armed;
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(armed);

/* The shutdown monitor's timeout while it is armed, else 0. */
static ssize_t shutdown_timeout_ms_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	unsigned long flags;
	u32 ms;

	raw_spin_lock_irqsave(&ka_lock, flags);
	ms = ka_shutdown.armed ? ka_shutdown.timeout_ms : 0;
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	return sysfs_emit(buf, "%u\n", ms);
}
static DEVICE_ATTR_RO(shutdown_timeout_ms);

/*
 * One line per client: "<id> <name> <pid> <comm> <timeout_ms> <action>
 * <armed|expired|disarmed> <remaining_ms> <orphan 0|1>". ka_lock held.
 */
static int ka_sysfs_client(char *buf, int at, const struct ka_client *c,
			   ktime_t now)
{
	u64 left = 0;

	if (c->armed && ktime_before(now, c->deadline))
		left = ktime_ms_delta(c->deadline, now);
	return sysfs_emit_at(buf, at, "%u %s %d %s %u %s %s %llu %d\n", c->id,
			     c->name[0] ? c->name : "-", c->pid, c->comm,
			     c->timeout_ms, ka_action_name(c->action),
			     c->armed ? "armed" :
			     c->expired ? "expired" : "disarmed",
			     left, c->orphan);
}

static ssize_t clients_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	const struct ka_client *c;
	unsigned long flags;
	ktime_t now = ktime_get();
	int len = 0;

	raw_spin_lock_irqsave(&ka_lock, flags);
	list_for_each_entry(c, &ka_clients, node)
		len += ka_sysfs_client(buf, len, c, now);
	raw_spin_unlock_irqrestore(&ka_lock, flags);
	return len;
}
static DEVICE_ATTR_RO(clients);

static struct attribute *ka_sysfs_attrs[] = {
	&dev_attr_ratio.attr,
	&dev_attr_armed.attr,
	&dev_attr_shutdown_timeout_ms.attr,
	&dev_attr_clients.attr,
	NULL,
};

static const struct attribute_group ka_sysfs_group = {
	.attrs = ka_sysfs_attrs,
};

const struct attribute_group *ka_sysfs_groups[] = {
	&ka_sysfs_group,
	NULL,
};
