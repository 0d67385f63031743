// SPDX-License-Identifier: GPL-2.0
/* Error and event messages. See clp_log.h. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>

#include "clp_conf.h"

#include "clp_log.h"

const char *clp_prog = "clpstack";
static bool to_file;
static const char *log_server;	/* named in the alert log; set before any thread runs */

void clp_log_file(bool on)
{
	to_file = on;
}

void clp_log_server(const char *server)
{
	log_server = server;
}

/* The module log and the alert log rotate to <name>.1 at this size
 * ($CLP_LOG_LIMIT bytes overrides it for tests). */
#define LOG_LIMIT (16L << 20)

static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;	/* both logs and their rotation */

/*
 * Append @line to <prefix>/<dir>/<name> (@dir and its parents created),
 * rotated at the limit. Under file_lock.
 */
static void append(const char *dir, const char *name, const char *line)
{
	char path[512], old[520], *slash;
	size_t base = strlen(clp_prefix()) + 1;
	const char *e = getenv("CLP_LOG_LIMIT");
	long limit = e ? strtol(e, NULL, 10) : LOG_LIMIT;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", clp_prefix(), dir);
	for (slash = strchr(path + base, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", clp_prefix(), dir, name);
	snprintf(old, sizeof(old), "%s.1", path);
	if (stat(path, &st) == 0 && st.st_size >= (limit > 0 ? limit : LOG_LIMIT))
		rename(path, old);
	f = fopen(path, "a");
	if (f) {
		fputs(line, f);
		fclose(f);
	}
}

/*
 * The daemon's events go to its module log, log/<program>.log, and to the
 * alert log, alert/log/alert.log, which names the server as
 * EXPRESSCLUSTER's alert log does (Documentation/cluster.md).
 */
static void file_event(const char *module, int id, const char *text)
{
	char name[256], line[768], when[32];
	struct tm tm;
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%F %T", localtime_r(&now, &tm));
	snprintf(name, sizeof(name), "%s.log", clp_prog);
	pthread_mutex_lock(&file_lock);
	snprintf(line, sizeof(line), "%s %s %d: %s\n", when, module, id, text);
	append("log", name, line);
	snprintf(line, sizeof(line), "%s %s %s %d: %s\n", when, log_server ? log_server : "-",
		 module, id, text);
	append("alert/log", "alert.log", line);
	pthread_mutex_unlock(&file_lock);
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
