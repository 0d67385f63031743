// SPDX-License-Identifier: GPL-2.0
/* Error and event messages. See clp_log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "clp_log.h"

const char *clp_prog = "clpstack";

void clp_log_init(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0)
		clp_prog = slash ? slash + 1 : argv0;
}

void clp_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", clp_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void clp_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void clp_event(const char *module, int id, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	openlog(clp_prog, LOG_PID, LOG_DAEMON);
	syslog(LOG_NOTICE, "%s %d: %s", module, id, buf);
	closelog();
	fprintf(stderr, "%s: %s %d: %s\n", clp_prog, module, id, buf);
}
