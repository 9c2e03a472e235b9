/*
 * stream.c - the counters into a stats hash (sensor and ingester alike).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/redis.h"

struct stats_cmd {
	const char	*argv[2 + 2 * STATS_SLOTS];
	char		 vals[STATS_SLOTS][24];
	int		 argc;
};

static void
add_counter(const char *name, uint64_t v, void *arg)
{
	struct stats_cmd *c = arg;
	int slot = (c->argc - 2) / 2;

	if (slot >= STATS_SLOTS)
		return;
	snprintf(c->vals[slot], sizeof(c->vals[slot]), "%llu",
	    (unsigned long long)v);
	c->argv[c->argc++] = name;
	c->argv[c->argc++] = c->vals[slot];
}

int
rw_redis_write_stats(struct rw_redis *r, const char *key,
    const struct stats *st, unsigned long long ttl)
{
	static const char *const del[2] = { "DEL", NULL };
	struct stats_cmd *c;
	char ttls[24];
	const char *argv[3];
	int rc = 0;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->argv[0] = "HSET";
	c->argv[1] = key;
	c->argc = 2;
	stats_foreach(st, add_counter, c);
	/* counters that were reset must not linger from an earlier write */
	argv[0] = del[0];
	argv[1] = key;
	if (rw_redis_write(r, 2, argv, NULL, NULL, NULL) == -1)
		rc = -1;
	if (c->argc > 2 &&
	    rw_redis_write(r, c->argc, c->argv, NULL, NULL, NULL) == -1)
		rc = -1;
	snprintf(ttls, sizeof(ttls), "%llu", ttl);
	argv[0] = "EXPIRE";
	argv[2] = ttls;
	if (rw_redis_write(r, 3, argv, NULL, NULL, NULL) == -1)
		rc = -1;
	free(c);
	return rc;
}
