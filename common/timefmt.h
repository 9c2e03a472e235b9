/* timefmt.h - RFC 3339 UTC text for event and certificate times. */
#ifndef RW_TIMEFMT_H
#define RW_TIMEFMT_H

#include <sys/time.h>
#include <time.h>

#define RW_TIME_BUF	40

/* "2015-07-07T16:28:34Z"; returns buf, or "" when t is out of range. */
char	*rw_time_fmt(char buf[RW_TIME_BUF], time_t t);

/* "2015-07-07T16:28:34.123456Z" for packet timestamps. */
char	*rw_time_fmt_us(char buf[RW_TIME_BUF], const struct timeval *tv);

/* Parses either form above (fraction optional); 0 on success, -1 if not. */
int	rw_time_parse(const char *s, struct timeval *tv);

#endif
