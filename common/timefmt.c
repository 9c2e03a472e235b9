#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/timefmt.h"

char *
rw_time_fmt(char buf[RW_TIME_BUF], time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, RW_TIME_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

char *
rw_time_fmt_us(char buf[RW_TIME_BUF], const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	char base[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, RW_TIME_BUF, "%s.%06ldZ", base, (long)tv->tv_usec);
	return buf;
}

int
rw_time_parse(const char *s, struct timeval *tv)
{
	struct tm tm;
	const char *p;
	long usec = 0;
	int digits = 0;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 6)
				usec = usec * 10 + (*p - '0');
		for (; digits < 6; digits++)
			usec *= 10;
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0')
		return -1;
	tv->tv_sec = timegm(&tm);
	tv->tv_usec = usec;
	return 0;
}
