/* SPDX-License-Identifier: GPL-2.0 */
/* Symbols clpkhb exports to the other clpstack modules (clpka). */
#ifndef CLPKHB_EXPORT_H
#define CLPKHB_EXPORT_H

#include <linux/types.h>

u32 clpkhb_timeout_ratio(void);

#endif /* CLPKHB_EXPORT_H */
