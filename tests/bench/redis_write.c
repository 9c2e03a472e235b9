/*
 * redis_write.c - the Redis write path alone: endpoint events normalised
 * once from FILE, then N of them (record ids shifted, so each is new)
 * written through ingest_redis_event() to URL and flushed.  Prints
 * events/s.  Built and run by tests/bench/redis-ingest.sh.
 *
 *   redis_write URL FILE N [BATCH]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "correlate/endpoint.h"
#include "src/ingest_redis.h"

#define MAX_BASE	256

struct base {
	struct ep_event	*ev[MAX_BASE];
	size_t		 n;
};

static int
keep(const struct ep_event *ev, void *arg)
{
	struct base *b = arg;

	if (b->n == MAX_BASE || !ev->has_record_id)
		return 0;
	if ((b->ev[b->n] = malloc(sizeof(*ev))) == NULL)
		return -1;
	memcpy(b->ev[b->n++], ev, sizeof(*ev));
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static struct rw_config cfg;
	static struct stats st;
	static struct base b;
	struct ingest_redis *ir;
	struct ep_ctx ctx;
	struct rw_err err;
	char line[1 << 20];
	unsigned long n, i;
	double t0, t1;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: redis_write URL FILE N [BATCH]\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	config_defaults(&cfg);
	stats_init(&st);
	/* a spool of its own beside the events, never the user's */
	snprintf(line, sizeof(line), "%s.state", argv[2]);
	if (config_set(&cfg, "redis-url", argv[1], &err) == -1 ||
	    config_set(&cfg, "state-dir", line, &err) == -1 ||
	    (argc > 4 && config_set(&cfg, "redis-batch", argv[4], &err) == -1) ||
	    ep_ctx_init(&ctx, NULL, &st, keep, &b, &err) == -1 ||
	    (f = fopen(argv[2], "r")) == NULL) {
		fprintf(stderr, "redis_write: set-up failed\n");
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		(void)ep_json_feed(&ctx, line, strlen(line), &err);
	fclose(f);
	if (b.n == 0 || (ir = ingest_redis_open(&cfg, &st, &err)) == NULL) {
		fprintf(stderr, "redis_write: %s\n", b.n == 0 ?
		    "no events with a record id" : err.msg);
		return 1;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		struct ep_event *ev = b.ev[i % b.n];
		uint64_t rid = ev->record_id;

		ev->record_id += (uint64_t)(i / b.n) * 1000000000;
		if (ingest_redis_event(ir, ev) == -1)
			return 1;
		ev->record_id = rid;
	}
	if (ingest_redis_flush(ir, &err) == -1) {
		fprintf(stderr, "redis_write: %s\n", err.msg);
		return 1;
	}
	t1 = now();
	printf("%-15s %7.2f s %9.0f events/s (%lu written, %lu batches)\n", "write",
	    t1 - t0, (double)n / (t1 - t0),
	    (unsigned long)stats_get(&st, "ep_redis_written"),
	    (unsigned long)stats_get(&st, "redis_batches"));
	ingest_redis_close(ir);
	ep_ctx_free(&ctx);
	for (i = 0; i < b.n; i++)
		free(b.ev[i]);
	return stats_get(&st, "ep_redis_written") == n ? 0 : 1;
}
