/*
 * unit.h - the unit-test harness: each test binary runs its cases, prints
 * one line per failed check with file:line and the want/have values, and
 * a closing "N passed, N failed" line; it exits non-zero on any failure so
 * automake's harness reports it.
 */
#ifndef RW_UNIT_H
#define RW_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct unit_state {
	unsigned	checks;
	unsigned	failed;
};

/* One instance per test binary (defined by UNIT_MAIN). */
extern struct unit_state unit;

#define CHECK(cond) do {						\
	unit.checks++;							\
	if (!(cond)) {							\
		unit.failed++;						\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_INT(have, want) do {					\
	long long h_ = (long long)(have), w_ = (long long)(want);	\
	unit.checks++;							\
	if (h_ != w_) {							\
		unit.failed++;						\
		fprintf(stderr, "%s:%d: %s: want %lld, have %lld\n",	\
		    __FILE__, __LINE__, #have, w_, h_);			\
	}								\
} while (0)

#define CHECK_STR(have, want) do {					\
	const char *h_ = (have), *w_ = (want);				\
	unit.checks++;							\
	if (h_ == NULL || w_ == NULL ? h_ != w_ : strcmp(h_, w_) != 0) { \
		unit.failed++;						\
		fprintf(stderr, "%s:%d: %s: want \"%s\", have \"%s\"\n", \
		    __FILE__, __LINE__, #have, w_ ? w_ : "(null)",	\
		    h_ ? h_ : "(null)");				\
	}								\
} while (0)

/*
 * unit.c: the whole file at path, NUL-terminated (caller frees), or NULL;
 * "$top_srcdir/" followed by the printf-formatted rest; a time as RFC 3339 text.  The last two return one of
 * four rotating static buffers.
 */
void		*unit_slurp(const char *path, size_t *len);
const char	*unit_path(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
const char	*unit_time(time_t t);

#define UNIT_MAIN(...)							\
struct unit_state unit;							\
int main(void)								\
{									\
	void (*tests_[])(void) = { __VA_ARGS__ };			\
	size_t i_;							\
	for (i_ = 0; i_ < sizeof(tests_) / sizeof(tests_[0]); i_++)	\
		tests_[i_]();						\
	printf("%u passed, %u failed\n", unit.checks - unit.failed,	\
	    unit.failed);						\
	return unit.failed == 0 ? 0 : 1;				\
}

#endif /* RW_UNIT_H */
