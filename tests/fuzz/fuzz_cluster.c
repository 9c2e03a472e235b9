/*
 * fuzz_cluster.c - redis/cluster.c on arbitrary bytes, read three ways: as
 * a formatted command (rw_cluster_cmd_slot), as a MOVED/ASK message, and
 * as a CLUSTER SLOTS reply off the wire (hiredis' reader under revwire's
 * reply guard, then rw_cluster_map_load).  No crash, results in range, a
 * loaded map sends every slot to one of its nodes, and a claim past the
 * guard's limits fails the reader before hiredis allocates it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "redis/cluster.h"
#include "redis/redis_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * revwire's own reply guard (redis/reply.c) on the reader, with small
 * limits: hiredis 0.14 allocates an aggregate's declared count up front,
 * and the guard must refuse such a claim before it does.
 */
static const struct rw_reply_limits limits = { 100000, 1024 * 1024 };

static void
map(const uint8_t *data, size_t size)
{
	struct rw_cluster_map m;
	redisReader *rd;
	void *rep = NULL;
	size_t i;

	if ((rd = redisReaderCreate()) == NULL)
		return;
	if (rw_reply_guard(rd, &limits, NULL, NULL) == -1) {
		redisReaderFree(rd);
		return;
	}
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
	/* a refusal fails the reader: no reply comes out of it */
	if (rw_reply_refused(rd) != NULL && (rep != NULL || rd->err == 0))
		abort();
	if (rep != NULL)
		freeReplyObject(rep);
	rw_reply_reader_free(rd);
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
