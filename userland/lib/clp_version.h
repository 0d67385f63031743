/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "--version" of the commands: the command's own release and, read over
 * generic netlink, the loaded module's answer to CMD_GET_VERSION. Every
 * clpstack family numbers these attributes alike: 1 version, 2 features,
 * 3 the family's device number (liscal: block major; clpkhb/clpka: misc
 * minor).
 */
#ifndef CLP_VERSION_H
#define CLP_VERSION_H

#include <stdbool.h>

/* Print the versions; returns an exit code (CLP_EXIT_NOMODULE when the
 * family is not registered). @devkey names attribute 3 in the output. */
int clp_show_version(const char *family, const char *devkey, bool json);

#endif /* CLP_VERSION_H */
