/*
 * parse_floor.c - the parse-only floor of endpoint ingest: every line of a
 * JSON lines file parsed by jansson into a tree (what the normaliser did
 * up to 0.x), and by yajl with empty callbacks (what it does now: the
 * lexer alone, no tree).  Prints lines per second of each, best of REPS
 * passes over the file held in memory.
 *
 *   parse_floor FILE [REPS]
 */
#include "config.h"

#include <jansson.h>
#include <yajl/yajl_parse.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
jansson_line(const char *s, size_t n)
{
	json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);

	json_decref(j);
	return j != NULL;
}

static int cb_null(void *c) { (void)c; return 1; }
static int cb_bool(void *c, int b) { (void)c; (void)b; return 1; }
static int cb_num(void *c, const char *s, size_t n)
{ (void)c; (void)s; (void)n; return 1; }
static int cb_str(void *c, const unsigned char *s, size_t n)
{ (void)c; (void)s; (void)n; return 1; }

static const yajl_callbacks cbs = {
	cb_null, cb_bool, NULL, NULL, cb_num, cb_str, cb_null, cb_str,
	cb_null, cb_null, cb_null
};

static int
yajl_line(const char *s, size_t n)
{
	yajl_handle h = yajl_alloc(&cbs, NULL, NULL);
	int ok;

	ok = yajl_parse(h, (const unsigned char *)s, n) == yajl_status_ok &&
	    yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return ok;
}

/* Best-of-reps seconds for one pass of fn over every line. */
static double
run(int (*fn)(const char *, size_t), const char *buf, size_t len, int reps,
    size_t *lines, size_t *ok)
{
	double best = 0;
	int r;

	for (r = 0; r < reps; r++) {
		const char *p = buf, *end = buf + len, *nl;
		double t0 = now(), t;

		*lines = *ok = 0;
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			if (nl > p) {
				(*lines)++;
				*ok += (size_t)fn(p, (size_t)(nl - p));
			}
			p = nl + 1;
		}
		t = now() - t0;
		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	size_t len, lines, ok;
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	char *buf;
	double t;
	FILE *f;
	long sz;

	if (argc < 2 || reps < 1) {
		fprintf(stderr, "usage: parse_floor FILE [REPS]\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)sz + 1)) == NULL ||
	    (len = fread(buf, 1, (size_t)sz, f)) != (size_t)sz) {
		fprintf(stderr, "parse_floor: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	t = run(jansson_line, buf, len, reps, &lines, &ok);
	printf("%-9s %7.2f s %9.0f events/s (jansson tree, %zu/%zu parsed)\n",
	    "jansson", t, (double)lines / t, ok, lines);
	t = run(yajl_line, buf, len, reps, &lines, &ok);
	printf("%-9s %7.2f s %9.0f events/s (yajl lexer, no tree, %zu/%zu "
	    "parsed)\n", "yajl", t, (double)lines / t, ok, lines);
	free(buf);
	return 0;
}
