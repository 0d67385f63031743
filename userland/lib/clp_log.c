// SPDX-License-Identifier: GPL-2.0
/* Error and event messages. See clp_log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>

#include "clp_conf.h"

#include "clp_log.h"

const char *clp_prog = "clpstack";
static bool to_file;

void clp_log_file(bool on)
{
	to_file = on;
}

static void file_event(const char *module, int id, const char *text)
{
	char path[512], when[32];
	struct tm tm;
	time_t now = time(NULL);
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", clp_prefix());
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/log/%s.log", clp_prefix(), clp_prog);
	f = fopen(path, "a");
	if (!f)
		return;
	strftime(when, sizeof(when), "%F %T", localtime_r(&now, &tm));
	fprintf(f, "%s %s %d: %s\n", when, module, id, text);
	fclose(f);
}

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
	if (to_file)
		file_event(module, id, buf);
}
