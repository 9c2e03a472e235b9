/*
 * fuzz_cluster.c - redis/cluster.c on arbitrary bytes, read three ways: as
 * a formatted command (rw_cluster_cmd_slot), as a MOVED/ASK message, and
 * as a CLUSTER SLOTS reply off the wire (hiredis' reader, then
 * rw_cluster_map_load).  No crash, results in range, and a loaded map
 * sends every slot to one of its nodes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "redis/cluster.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * hiredis 0.14's reader allocates an aggregate's declared count up front
 * (no maxelements before hiredis 1.0): inputs declaring more than 99999
 * elements would only fuzz that, so they skip the map.
 */
static bool
huge_aggregate(const uint8_t *data, size_t size)
{
	size_t i, digits;

	for (i = 0; i < size; i++) {
		if (data[i] != '*')
			continue;
		for (digits = 0; i + 1 < size && data[i + 1] >= '0' &&
		    data[i + 1] <= '9'; i++)
			digits++;
		if (digits > 5)
			return true;
	}
	return false;
}

static void
map(const uint8_t *data, size_t size)
{
	struct rw_cluster_map m;
	redisReader *rd;
	void *rep = NULL;
	size_t i;

	if (huge_aggregate(data, size) || (rd = redisReaderCreate()) == NULL)
		return;
	if (redisReaderFeed(rd, (const char *)data, size) == REDIS_OK &&
	    redisReaderGetReply(rd, &rep) == REDIS_OK && rep != NULL &&
	    rw_cluster_map_init(&m, 8, NULL) == 0) {
		if (rw_cluster_map_load(&m, rep, "seed", NULL) == 0) {
			if (m.n == 0 || m.n > m.max)
				abort();
			for (i = 0; i < RW_CLUSTER_SLOTS; i++)
				if (rw_cluster_slot_node(&m, (unsigned)i) < 0 ||
				    (size_t)rw_cluster_slot_node(&m,
				    (unsigned)i) >= m.n)
					abort();
			for (i = 0; i < m.n; i++)
				if (memchr(m.nodes[i].host, '\0',
				    sizeof(m.nodes[i].host)) == NULL ||
				    m.nodes[i].port < 1 || m.nodes[i].port > 65535)
					abort();
		}
		rw_cluster_map_free(&m);
	}
	if (rep != NULL)
		freeReplyObject(rep);
	redisReaderFree(rd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_cluster_redirect rd;
	int s;

	s = rw_cluster_cmd_slot((const char *)data, size);
	if (s >= RW_CLUSTER_SLOTS || s < RW_CLUSTER_BAD)
		abort();
	if (rw_cluster_redirect_parse((const char *)data, size, &rd) == 1 &&
	    (rd.slot >= RW_CLUSTER_SLOTS || rd.port < 1 || rd.port > 65535 ||
	    memchr(rd.host, '\0', sizeof(rd.host)) == NULL))
		abort();
	map(data, size);
	return 0;
}
