// SPDX-License-Identifier: GPL-2.0
/*
 * clpkhb sysfs attributes, read-only, under /sys/class/misc/clpkhb/:
 * running, node_id, interval_ms, timeout_ms, ratio, incarnation, peers.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "khb.h"

static ssize_t running_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(khb.running));
}
static DEVICE_ATTR_RO(running);

static ssize_t node_id_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(khb.node_id));
}
static DEVICE_ATTR_RO(node_id);

static ssize_t interval_ms_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(khb.interval_ms));
}
static DEVICE_ATTR_RO(interval_ms);

static ssize_t timeout_ms_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(khb.timeout_ms));
}
static DEVICE_ATTR_RO(timeout_ms);

static ssize_t ratio_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	u64 end;
	u32 ratio;

	khb_ratio_get(&ratio, &end);
	return sysfs_emit(buf, "%u %llu\n", ratio, end);
}
static DEVICE_ATTR_RO(ratio);

static ssize_t incarnation_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%016llx\n", khb.incarnation);
}
static DEVICE_ATTR_RO(incarnation);

/* One line per peer: "name node_id state lankhbN:state ...". */
static ssize_t peers_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	unsigned int i, j;
	int len = 0;

	mutex_lock(&khb.cfg_lock);
	spin_lock_bh(&khb.lock);
	for (i = 0; i < khb.npeers; i++) {
		const struct khb_peer *p = &khb.peers[i];

		len += sysfs_emit_at(buf, len, "%s %u %s", p->name, p->node_id,
				     khb_state_name(p->state));
		for (j = 0; j < khb.nlinks; j++)
			if (p->pl[j].configured)
				len += sysfs_emit_at(buf, len, " lankhb%u:%s",
						     khb.links[j].id,
						     khb_state_name(p->pl[j].state));
		len += sysfs_emit_at(buf, len, "\n");
	}
	spin_unlock_bh(&khb.lock);
	mutex_unlock(&khb.cfg_lock);
	return len;
}
static DEVICE_ATTR_RO(peers);

static struct attribute *khb_sysfs_attrs[] = {
	&dev_attr_running.attr,
	&dev_attr_node_id.attr,
	&dev_attr_interval_ms.attr,
	&dev_attr_timeout_ms.attr,
	&dev_attr_ratio.attr,
	&dev_attr_incarnation.attr,
	&dev_attr_peers.attr,
	NULL,
};

static const struct attribute_group khb_sysfs_group = {
	.attrs = khb_sysfs_attrs,
};

const struct attribute_group *khb_sysfs_groups[] = {
	&khb_sysfs_group,
	NULL,
};
