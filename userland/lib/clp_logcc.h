/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log collection (guide 2.9, clplogcc): one server's logs by type into a
 * tar.gz archive (GNU tar), each member under "<server>/":
 *   type1 (default) log/ (module logs, log/ecap), alert/log/, etc/ (the
 *                   configuration), info/ (OS information: uname, ip, ps,
 *                   df, lsmod, dmesg, the journal of this boot, /proc files)
 *   type2           type1 and the mirror statistics (perf/disk)
 *   type3           type1 and the system and process statistics (perf/system)
 *   type4           type1 and every statistics file (perf/)
 *   type5           etc/ and info/ only
 *   type6           type1 and the cluster statistics (perf/cluster; the
 *                   guide's type 6, 2.6)
 * Documentation/commands.md, "clplogcc".
 */
#ifndef CLP_LOGCC_H
#define CLP_LOGCC_H

#include <stddef.h>

#define CLP_LOGCC_TYPES 6
/* Or'ed into a type: leave the earlier investigation archives (log/ecap)
 * out, so that each one does not hold all those before it. */
#define CLP_LOGCC_NO_ECAP 0x100

/* "type1" ... "type6" (or "1" ... "6"): 1-6; anything else -1. */
int clp_logcc_type(const char *s);
/*
 * Write the archive of this server's files under @prefix of @type (maybe
 * with CLP_LOGCC_NO_ECAP) to
 * @out (a temporary "<out>.part" renamed at the end). Returns 0, or -1
 * with @err set.
 */
int clp_logcc_make(const char *prefix, const char *server, int type, const char *out,
		   char *err, size_t errlen);

#endif /* CLP_LOGCC_H */
