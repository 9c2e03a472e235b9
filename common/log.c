#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"

/*
 * Logging is process configuration set once at start-up, the one piece of
 * state outside the per-process context, so that fatal paths reach it.
 */
static struct {
	const char	*ident;
	bool		 use_syslog;
	int		 max_prio;
} log_cfg = { "revwire", false, LOG_INFO };

void
log_init(const char *ident, bool use_syslog, int max_prio)
{
	log_cfg.ident = ident;
	log_cfg.use_syslog = use_syslog;
	log_cfg.max_prio = max_prio;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	if (prio > log_cfg.max_prio)
		return;
	if (log_cfg.use_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	fprintf(stderr, "%s: ", log_cfg.ident);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
rw_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void
rw_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
