/*
 * alert_latency.c - wire-event-to-alert latency of the correlation: each
 * wire event of an EVE file is replayed ROUNDS times under a fresh client
 * address (so its verdicts raise new alerts) and timed from
 * corr_wire_event() to the FCALL reply that carries its alerts (one
 * event per round trip: the latency a quiet live sensor sees once its
 * batch goes out).  Then the same events pipelined in batches, for
 * throughput.  Usage: alert_latency REDIS_URL EVE_FILE ROUNDS
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "correlate/corr.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
count_alert(void *arg, json_t *a)
{
	(void)a;
	(*(unsigned long *)arg)++;
}

/* Event i of round r: a fresh client address 10.r.x.y, same everything else. */
static json_t *
variant(json_t *ev, unsigned r)
{
	json_t *j = json_deep_copy(ev);
	char ip[32];

	snprintf(ip, sizeof(ip), "10.%u.%u.%u", (r >> 16) & 255, (r >> 8) & 255,
	    r & 255);
	json_object_set_new(j, "src_ip", json_string(ip));
	return j;
}

int
main(int argc, char **argv)
{
	static struct rw_config cfg;
	struct rw_redis *r;
	struct stats st;
	struct rw_err err;
	struct corr *c;
	json_t *evs = json_array(), *j;
	unsigned long alerts = 0;
	unsigned rounds, k, n = 0;
	double *lat, t0, t1;
	char line[1 << 20];
	size_t i;
	FILE *f;

	if (argc != 4 || (f = fopen(argv[2], "r")) == NULL) {
		fprintf(stderr, "usage: alert_latency REDIS_URL EVE_FILE ROUNDS\n");
		return 2;
	}
	rounds = (unsigned)strtoul(argv[3], NULL, 10);
	while (fgets(line, sizeof(line), f) != NULL)
		if ((j = json_loads(line, 0, NULL)) != NULL)
			json_array_append_new(evs, j);
	fclose(f);
	config_defaults(&cfg);
	stats_init(&st);
	snprintf(cfg.redis_url, sizeof(cfg.redis_url), "%s", argv[1]);
	if (rw_redis_open(&r, &cfg, &st, &err) == -1 ||
	    (c = corr_new(r, &cfg, &st, &err)) == NULL) {
		fprintf(stderr, "alert_latency: %s\n", err.msg);
		return 1;
	}
	corr_set_alert_sink(c, count_alert, &alerts);
	lat = calloc(rounds * json_array_size(evs) + 1, sizeof(*lat));
	for (k = 0; k < rounds; k++)
		json_array_foreach(evs, i, j) {
			json_t *v = variant(j, k);

			t0 = now_ms();
			if (corr_wire_event(c, NULL, v, &err) == -1 ||
			    rw_redis_flush(r, &err) == -1) {
				fprintf(stderr, "alert_latency: %s\n", err.msg);
				return 1;
			}
			lat[n++] = now_ms() - t0;
			json_decref(v);
		}
	qsort(lat, n, sizeof(*lat), cmp_d);
	printf("one event per round trip: %u events, %lu alerts created\n",
	    n, alerts);
	printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
	    lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n - 1]);

	/* pipelined: the sensor's batches (redis-batch) */
	alerts = 0;
	t0 = now_ms();
	for (k = rounds; k < 2 * rounds; k++)
		json_array_foreach(evs, i, j) {
			json_t *v = variant(j, k);

			if (corr_wire_event(c, NULL, v, &err) == -1) {
				fprintf(stderr, "alert_latency: %s\n", err.msg);
				return 1;
			}
			json_decref(v);
		}
	if (rw_redis_flush(r, &err) == -1) {
		fprintf(stderr, "alert_latency: %s\n", err.msg);
		return 1;
	}
	t1 = now_ms();
	printf("pipelined (batch %llu): %u events in %.0f ms = %.0f events/s, "
	    "%lu alerts created\n", (unsigned long long)cfg.redis_batch, n,
	    t1 - t0, n / ((t1 - t0) / 1e3), alerts);
	corr_free(c);
	rw_redis_close(r);
	free(lat);
	json_decref(evs);
	return 0;
}
