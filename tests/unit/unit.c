/*
 * unit.c - helpers the unit tests share: test data by path, times as text.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/timefmt.h"
#include "tests/unit/unit.h"

void *
unit_slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* Rotating buffers: a check may compare two results of one helper. */
const char *
unit_path(const char *fmt, ...)
{
	static char buf[4][4096];
	static int i;
	const char *top = getenv("top_srcdir");
	va_list ap;
	int n;

	i = (i + 1) % 4;
	n = snprintf(buf[i], sizeof(buf[i]), "%s/", top ? top : ".");
	va_start(ap, fmt);
	vsnprintf(buf[i] + n, sizeof(buf[i]) - (size_t)n, fmt, ap);
	va_end(ap);
	return buf[i];
}

const char *
unit_time(time_t t)
{
	static char buf[4][RW_TIME_BUF];
	static int i;

	i = (i + 1) % 4;
	return rw_time_fmt(buf[i], t);
}
