/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages of clpstack's userland: errors for the person at the terminal
 * (stderr, prefixed with the program name) and events with ids for the
 * system log (module, event id, text, as EXPRESSCLUSTER's alert log).
 */
#ifndef CLP_LOG_H
#define CLP_LOG_H

#include <stdbool.h>

extern const char *clp_prog;

/* Exit codes shared by all commands (Documentation/commands.md). */
enum clp_exit {
	CLP_EXIT_OK = 0,
	CLP_EXIT_ERROR = 1,	/* the operation failed */
	CLP_EXIT_USAGE = 2,	/* bad arguments */
	CLP_EXIT_NOMODULE = 3,	/* the driver is not loaded */
	CLP_EXIT_CONFIG = 4,	/* the configuration is invalid */
	CLP_EXIT_STATE = 5,	/* not allowed in the current state */
	CLP_EXIT_PERM = 6,	/* not root */
};

void clp_log_init(const char *argv0);
/* Also append events to <prefix>/log/<program>.log and to the alert log
 * <prefix>/alert/log/alert.log (the daemon does). */
void clp_log_file(bool on);
/* The server the alert log names (the daemon's; "-" until set). */
void clp_log_server(const char *server);
__attribute__((format(printf, 1, 2))) void clp_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void clp_info(const char *fmt, ...);
/* An event for the system log: "<module> <id>: text". */
__attribute__((format(printf, 3, 4)))
void clp_event(const char *module, int id, const char *fmt, ...);

#endif /* CLP_LOG_H */
