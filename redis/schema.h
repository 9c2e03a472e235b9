/*
 * schema.h - the one place that knows every Redis key revwire uses, its
 * hash tag and its bound.  docs/redis-schema.md is the analyst's view of
 * the same table; the correlation library (correlate/revwire.lua) gets its
 * key names from here (schema_lua_library() inserts them).
 *
 * Hash tags: everything one FCALL touches (correlation state, alerts,
 * their indexes and stream) is under {rw}, so on Redis Cluster it lives on
 * one shard and every join is one atomic step.  The bulky event streams
 * are under their own tags ({wire}, {ep}) and spread to other shards.
 * The CA certificates sensors learned from the wire are under {ca}: only
 * the sensors' own script (redis/castore.c) touches them, together.
 */
#ifndef RW_SCHEMA_H
#define RW_SCHEMA_H

#include <stddef.h>

#define RW_TAG_CORR		"{rw}"
#define RW_KEY_PREFIX		"rw:{rw}:"

/* Event streams (written by the sinks, XADD MAXLEN ~ from config). */
#define RW_KEY_WIRE_EVENTS	"rw:{wire}:events"
#define RW_KEY_EP_EVENTS	"rw:{ep}:events"
/* Dedupe marks, under their stream's tag (one script touches both). */
#define RW_KEY_WIRE_SEEN	"rw:{wire}:seen:"	/* + event id */
#define RW_KEY_EP_SEEN		"rw:{ep}:seen:"		/* + dedupe key */

/* Wire-learned CA certificates (redis/castore.c), capped at ca-registry-max. */
#define RW_KEY_CA_WIRE		"rw:{ca}:wire"
#define RW_KEY_CA_ORDER		"rw:{ca}:wire:order"

/* Correlation keys used from C (the query side). */
#define RW_KEY_META		RW_KEY_PREFIX "meta"
#define RW_KEY_STATS		RW_KEY_PREFIX "stats"
#define RW_KEY_CAS		RW_KEY_PREFIX "cas"
#define RW_KEY_CAINFO		RW_KEY_PREFIX "cainfo"
#define RW_KEY_ALERTS_TIME	RW_KEY_PREFIX "alerts:time"
#define RW_KEY_ALERTS_SCORE	RW_KEY_PREFIX "alerts:score"
#define RW_KEY_ALERTS_STREAM	RW_KEY_PREFIX "alerts:stream"
#define RW_KEY_ALERT		RW_KEY_PREFIX "alert:"		/* + id */
#define RW_KEY_ALERT_EV		RW_KEY_PREFIX "alertev:"	/* + id */
#define RW_KEY_ALERTS_HOST	RW_KEY_PREFIX "alerts:host:"	/* + host */
#define RW_KEY_ALERTS_RULE	RW_KEY_PREFIX "alerts:rule:"	/* + rule */
#define RW_KEY_ALERTS_SERIAL	RW_KEY_PREFIX "alerts:serial:"	/* + serial */
#define RW_KEY_EV		RW_KEY_PREFIX "ev:"		/* + event id */
#define RW_KEY_TIMELINE		RW_KEY_PREFIX "timeline:"	/* + host */
#define RW_KEY_CRL		RW_KEY_PREFIX "crl:"		/* + serial */
#define RW_KEY_USE		RW_KEY_PREFIX "use:"		/* + serial */
#define RW_KEY_VERDICT		RW_KEY_PREFIX "verdict:"	/* + serial */
#define RW_KEY_IP		RW_KEY_PREFIX "ip:"		/* + address */

/* The ingest list's processing list: see schema_processing_key(). */
#define RW_PROCESSING_SUFFIX	":revwire:processing"

/* The FCALL functions of the library. */
#define RW_FN_WIRE		"rw_wire"
#define RW_FN_EP		"rw_ep"
#define RW_FN_EP_BATCH		"rw_ep_batch"
#define RW_FN_STATUS		"rw_status"
#define RW_LUA_LIBRARY		"revwire"

enum schema_type {
	SCHEMA_STRING, SCHEMA_HASH, SCHEMA_SET, SCHEMA_ZSET, SCHEMA_STREAM,
	SCHEMA_HLL, SCHEMA_LIST
};

/* One key (or key family: the name ends in ':' and takes a suffix). */
struct schema_key {
	const char	*lua;		/* name in the Lua table K, or NULL */
	const char	*name;		/* full name or prefix */
	const char	*suffix;	/* what follows the prefix, or NULL */
	enum schema_type type;
	const char	*bound;		/* TTL, MAXLEN or cap (config key) */
	const char	*what;
};

/* The table, in documentation order; *n receives its length. */
const struct schema_key	*schema_keys(size_t *n);
const char		*schema_type_name(enum schema_type t);

/*
 * The correlation library as FUNCTION LOAD wants it: the first line of
 * correlate/revwire.lua, then "local K = {...}" built from the table, then
 * the rest.  Returns a malloc'd string (caller frees) or NULL on OOM.
 */
char	*schema_lua_library(void);

/*
 * The processing list of the ingest list key into buf (len bytes).  It
 * must share key's cluster slot (LMOVE between them): "KEY" +
 * RW_PROCESSING_SUFFIX when key has a hash tag, "{KEY}" + suffix when it
 * has no brace.  A key whose braces defeat both (a{}b, }{, a}b) gets
 * "{rwN}KEY" + suffix, N the first number whose tag hashes to key's slot.
 * Returns 0, or -1 when buf is too short (buf then holds no name).
 */
int	schema_processing_key(char *buf, size_t len, const char *key);

#endif /* RW_SCHEMA_H */
