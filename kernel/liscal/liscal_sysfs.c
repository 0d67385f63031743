// SPDX-License-Identifier: GPL-2.0
/*
 * liscal_sysfs.c - read-only attributes of a resource under
 * /sys/block/NMP<minor>/liscal/ (Documentation/sysfs.md), one value per
 * file. The group is passed to device_add_disk(): it appears with the
 * disk and del_gendisk() removes it and waits for running readers before
 * liscal_res_destroy() frees the resource, so disk->private_data is valid
 * in every show function.
 *
 * Locks (Documentation/liscal.md, Threads and locks): states, bitmaps and
 * the recovery progress are read under res->lock; the superblock (the
 * current generation) under res->state_mutex, taken interruptibly (a
 * handshake or a superblock write may hold it for a while). The name,
 * minor, peer address and sizes do not change after RES_CREATE. Words and
 * colours are common/liscal_state.c's, the same as clpmdstat's.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "liscal_int.h"
#include "liscal_state.h"

static struct liscal_res *liscal_dev_res(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

/*
 * What the state attributes need, copied under res->lock so that the
 * string is chosen and printed without it.
 */
enum liscal_sysfs_item {
	LISCAL_SYS_ROLE,
	LISCAL_SYS_STATE,
	LISCAL_SYS_COLOUR,
	LISCAL_SYS_PEER_COLOUR,
	LISCAL_SYS_CONN,
	LISCAL_SYS_SPLIT_BRAIN,
	LISCAL_SYS_OOS,
	LISCAL_SYS_RS_DIR,
	LISCAL_SYS_RS_DONE,
	LISCAL_SYS_RS_TOTAL,
};

static ssize_t liscal_sysfs_locked(struct device *dev, char *buf,
				   enum liscal_sysfs_item item)
{
	struct liscal_res *res = liscal_dev_res(dev);
	const char *s = NULL;
	unsigned long flags;
	u64 v = 0;

	spin_lock_irqsave(&res->lock, flags);
	switch (item) {
	case LISCAL_SYS_ROLE:
		s = liscal_role_name(res->role);
		break;
	case LISCAL_SYS_STATE:
		s = liscal_disk_state_name(res->disk_state);
		break;
	case LISCAL_SYS_COLOUR:
		s = liscal_colour_name(liscal_local_colour(res->disk_state,
							   res->rs_dir,
							   res->split_brain));
		break;
	case LISCAL_SYS_PEER_COLOUR:
		s = liscal_colour_name(liscal_peer_colour(res->conn, res->rs_dir,
							  res->split_brain,
							  res->pdisk));
		break;
	case LISCAL_SYS_CONN:
		s = liscal_conn_name(res->conn);
		break;
	case LISCAL_SYS_SPLIT_BRAIN:
		v = res->split_brain;
		break;
	case LISCAL_SYS_OOS:
		/* as RES_GET's DIRTY_BYTES: whole regions, at most the disk */
		v = min(liscal_bm_count(res->oos, res->nbits) << res->shift,
			res->data_bytes);
		break;
	case LISCAL_SYS_RS_DIR:
		s = liscal_rs_dir_name(res->rs_dir);
		break;
	case LISCAL_SYS_RS_DONE:
		v = res->rs_done;
		break;
	case LISCAL_SYS_RS_TOTAL:
		v = res->rs_total;
		break;
	}
	spin_unlock_irqrestore(&res->lock, flags);
	if (s)
		return sysfs_emit(buf, "%s\n", s);
	return sysfs_emit(buf, "%llu\n", v);
}

#define LISCAL_LOCKED_ATTR(_name, _item)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return liscal_sysfs_locked(dev, buf, _item);			\
}									\
static DEVICE_ATTR_RO(_name)

LISCAL_LOCKED_ATTR(role, LISCAL_SYS_ROLE);
LISCAL_LOCKED_ATTR(state, LISCAL_SYS_STATE);
LISCAL_LOCKED_ATTR(colour, LISCAL_SYS_COLOUR);
LISCAL_LOCKED_ATTR(peer_colour, LISCAL_SYS_PEER_COLOUR);
LISCAL_LOCKED_ATTR(connection, LISCAL_SYS_CONN);
LISCAL_LOCKED_ATTR(split_brain, LISCAL_SYS_SPLIT_BRAIN);
LISCAL_LOCKED_ATTR(oos_bytes, LISCAL_SYS_OOS);
LISCAL_LOCKED_ATTR(recovery_direction, LISCAL_SYS_RS_DIR);
LISCAL_LOCKED_ATTR(recovery_done_bytes, LISCAL_SYS_RS_DONE);
LISCAL_LOCKED_ATTR(recovery_total_bytes, LISCAL_SYS_RS_TOTAL);

/* Constant from RES_CREATE to RES_DESTROY: no lock. */
static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", liscal_dev_res(dev)->name);
}
static DEVICE_ATTR_RO(name);

/* RES_SET may change it (lock). */
static ssize_t peer_address_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct liscal_res *res = liscal_dev_res(dev);
	char peer[LISCAL_ADDR_MAX + 1];
	unsigned long flags;

	spin_lock_irqsave(&res->lock, flags);
	memcpy(peer, res->peer_str, sizeof(peer));
	spin_unlock_irqrestore(&res->lock, flags);
	return sysfs_emit(buf, "%s\n", peer);
}
static DEVICE_ATTR_RO(peer_address);

/* The superblock's current generation (state_mutex). */
static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct liscal_res *res = liscal_dev_res(dev);
	u64 gen;

	if (mutex_lock_interruptible(&res->state_mutex))
		return -EINTR;
	gen = res->sb.gen_current;
	mutex_unlock(&res->state_mutex);
	return sysfs_emit(buf, "%llu\n", gen);
}
static DEVICE_ATTR_RO(generation);

static struct attribute *liscal_sysfs_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_role.attr,
	&dev_attr_state.attr,
	&dev_attr_colour.attr,
	&dev_attr_peer_colour.attr,
	&dev_attr_connection.attr,
	&dev_attr_peer_address.attr,
	&dev_attr_split_brain.attr,
	&dev_attr_oos_bytes.attr,
	&dev_attr_recovery_direction.attr,
	&dev_attr_recovery_done_bytes.attr,
	&dev_attr_recovery_total_bytes.attr,
	&dev_attr_generation.attr,
	NULL,
};

static const struct attribute_group liscal_sysfs_group = {
	.name = "liscal",
	.attrs = liscal_sysfs_attrs,
};

const struct attribute_group *liscal_disk_groups[] = {
	&liscal_sysfs_group,
	NULL,
};
