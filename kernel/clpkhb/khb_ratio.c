// SPDX-License-Identifier: GPL-2.0
/*
 * Timeout ratio (clptoratio): a factor applied to the heartbeat timeout,
 * and through clpkhb_timeout_ratio() to clpka's timeouts, until an end
 * time. The end is kept on CLOCK_BOOTTIME (immune to clock changes) and,
 * for display, in Unix seconds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>

#include "khb.h"
#include "clpkhb_export.h"

/* Protects the three fields below; any context. */
static DEFINE_SPINLOCK(khb_ratio_lock);
static u32 khb_ratio = 1;
static ktime_t khb_ratio_end;		/* CLOCK_BOOTTIME */
static u64 khb_ratio_end_real;		/* Unix seconds */

void khb_ratio_get(u32 *ratio, u64 *end_real)
{
	unsigned long flags;

	spin_lock_irqsave(&khb_ratio_lock, flags);
	if (khb_ratio > 1 && ktime_after(ktime_get_boottime(), khb_ratio_end)) {
		khb_ratio = 1;
		khb_ratio_end_real = 0;
	}
	*ratio = khb_ratio;
	*end_real = khb_ratio_end_real;
	spin_unlock_irqrestore(&khb_ratio_lock, flags);
}

/* @ratio 1 ends any ratio at once. Context: process. */
int khb_ratio_set(u32 ratio, u32 secs)
{
	unsigned long flags;

	if (!ratio || ratio > CLPKHB_MAX_RATIO)
		return -EINVAL;
	spin_lock_irqsave(&khb_ratio_lock, flags);
	khb_ratio = ratio;
	if (ratio > 1) {
		khb_ratio_end = ktime_add(ktime_get_boottime(),
					  ktime_set(secs, 0));
		khb_ratio_end_real = ktime_get_real_seconds() + secs;
	} else {
		khb_ratio_end_real = 0;
	}
	spin_unlock_irqrestore(&khb_ratio_lock, flags);
	if (ratio > 1)
		pr_notice("timeout ratio %u for %u s\n", ratio, secs);
	else
		pr_notice("timeout ratio cleared\n");
	return 0;
}

/**
 * clpkhb_timeout_ratio - the current timeout ratio (1 when none)
 *
 * Context: any.
 */
u32 clpkhb_timeout_ratio(void)
{
	u64 end;
	u32 ratio;

	khb_ratio_get(&ratio, &end);
	return ratio;
}
EXPORT_SYMBOL_GPL(clpkhb_timeout_ratio);
