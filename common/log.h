/*
 * log.h - daemon logging to stderr or syslog.  Only the programs (src/,
 * sensor/ main loop, ingest) log; library modules return errors instead.
 */
#ifndef RW_LOG_H
#define RW_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Selects the target; ident is the syslog ident. */
void	log_init(const char *ident, bool use_syslog, int max_prio);
void	rw_log(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prints "revwire: <msg>" to stderr and exits 1: OOM and broken invariants only. */
void	rw_fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
