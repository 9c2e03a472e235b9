/*
 * cluster.h - where a command goes on a Redis Cluster (redis-cluster yes):
 * the key slot of a command, the slot map read from CLUSTER SLOTS and the
 * MOVED/ASK redirections.  conn.c does the I/O; this file only decides.
 *
 * Contract:
 * - A command's slot is the CRC16 (XMODEM) of its first key's hash tag,
 *   mod 16384: the part between the first '{' and the next '}' when that
 *   part is not empty, else the whole key.  The first key is argv[1],
 *   except EVAL/EVALSHA/FCALL (and their _RO forms): argv[3] when numkeys
 *   (argv[2]) is not 0.  revwire declares every key its scripts touch and
 *   they share the declared key's tag (docs/redis-schema.md).
 * - Every byte read comes from a length: RESP buffers, reply strings and
 *   error messages are never read past their length, never NUL-terminated
 *   by assumption.
 * - A map holds at most max_nodes nodes (redis-cluster-max-nodes); a
 *   CLUSTER SLOTS reply naming more is refused, not cut.
 * - Node i's connection (nodes[i].c) belongs to the map: it is kept when a
 *   reload names the same host:port again, redisFree()d otherwise, and by
 *   rw_cluster_map_free().
 */
#ifndef RW_CLUSTER_H
#define RW_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "common/err.h"

#define RW_CLUSTER_SLOTS	16384
#define RW_CLUSTER_HOST_MAX	256

/* rw_cluster_cmd_slot() results that are not a slot */
#define RW_CLUSTER_ANY	(-1)	/* no key: any node answers */
#define RW_CLUSTER_ALL	(-2)	/* every master: FUNCTION, SCRIPT */
#define RW_CLUSTER_BAD	(-3)	/* not a well-formed RESP command */

/* The slot of one key (len bytes, any content). */
unsigned	rw_cluster_key_slot(const char *key, size_t len);

/*
 * The slot of a RESP command (as redisFormatCommandArgv makes it, or as
 * read back from the spool): 0..16383, RW_CLUSTER_ANY, RW_CLUSTER_ALL, or
 * RW_CLUSTER_BAD when buf is not "*N\r\n" followed by N "$L\r\n...\r\n"
 * arguments as far as the key.
 */
int		rw_cluster_cmd_slot(const char *buf, size_t len);

struct rw_cluster_node {
	char		 host[RW_CLUSTER_HOST_MAX];
	int		 port;
	redisContext	*c;		/* NULL until conn.c connects */
};

struct rw_cluster_map {
	struct rw_cluster_node	*nodes;		/* masters, and ASK targets */
	size_t			 n, max;
	uint16_t		 slot[RW_CLUSTER_SLOTS];	/* node index + 1; 0: none */
};

/* An empty map for at most max_nodes nodes: 0, or -1 with err (OOM). */
int	rw_cluster_map_init(struct rw_cluster_map *m, size_t max_nodes,
	    struct rw_err *err);
/* Frees the nodes and their connections; m is empty (re-init to reuse). */
void	rw_cluster_map_free(struct rw_cluster_map *m);
/* Closes every node's connection, keeping the map. */
void	rw_cluster_map_disconnect(struct rw_cluster_map *m);

/*
 * Replaces the map with a CLUSTER SLOTS reply: each element [start, end,
 * [host, port, ...], replicas...]; only the master (the first address)
 * is used.  An empty host means the node that answered (asked_host).
 * Returns 0 (m holds the new map; connections of nodes still named are
 * kept), or -1 with err and m unchanged: reason "redis_cluster_slots"
 * (malformed reply, slot out of range, host too long, a slot that no
 * master serves) or "redis_cluster_nodes" (more than max nodes).
 */
int	rw_cluster_map_load(struct rw_cluster_map *m, const redisReply *rep,
	    const char *asked_host, struct rw_err *err);

/*
 * The index of host:port in m, added (without slots) when absent.
 * Returns the index, or -1 with err when m is full (reason
 * "redis_cluster_nodes") or host is too long.
 */
int	rw_cluster_node(struct rw_cluster_map *m, const char *host, int port,
	    struct rw_err *err);

/* The index of the node serving slot, or -1 when none does. */
int	rw_cluster_slot_node(const struct rw_cluster_map *m, unsigned slot);

struct rw_cluster_redirect {
	bool		ask;		/* ASK (once) rather than MOVED (for good) */
	unsigned	slot;
	char		host[RW_CLUSTER_HOST_MAX];	/* "" : the node that said it */
	int		port;
};

/*
 * Reads an error reply "MOVED <slot> <host>:<port>" or "ASK ..." (the
 * host may be an IPv6 address: the port follows the last ':').  Returns 1
 * and fills rd, 0 when msg is another error, -1 when it is a malformed
 * MOVED/ASK.
 */
int	rw_cluster_redirect_parse(const char *msg, size_t len,
	    struct rw_cluster_redirect *rd);

#endif /* RW_CLUSTER_H */
