/*
 * ingest_redis.h - `revwire ingest`'s Redis side: every kept endpoint
 * event into the endpoint event stream, once (deduplicated on
 * ep_dedupe_key()), and the consumer of the list Winlogbeat's output.redis
 * fills.  The correlation hooks in ingest_redis_event().
 */
#ifndef RW_INGEST_REDIS_H
#define RW_INGEST_REDIS_H

#include <signal.h>
#include <stdbool.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"
#include "correlate/endpoint.h"

struct ingest_redis;
struct rw_redis;

/* Opens the connection (redis-url; empty: the private server); NULL with err. */
struct ingest_redis *ingest_redis_open(const struct rw_config *cfg,
		    struct stats *st, struct rw_err *err);

/*
 * Writes ev (as ep_event_json()) to the endpoint stream unless an event
 * with its dedupe key was written within ingest-dedupe-ttl.  Events are
 * gathered and written redis-batch at a time by one atomic script (mark
 * and XADD together), so a replayed or re-consumed event never doubles.
 * Returns 0, or -1 when the event (or the batch it completed) was lost
 * (counted "ep_redis_dropped").
 */
int		ingest_redis_event(struct ingest_redis *ir, const struct ep_event *ev);

/* Queues the gathered events as one write; 0, or -1 when it was lost. */
int		ingest_redis_seal(struct ingest_redis *ir);

/*
 * The Winlogbeat list consumer.  Elements move atomically from key to the
 * processing list "{key}:revwire:processing" (same cluster slot), each is
 * normalised through ctx (whose sink calls ingest_redis_event) and removed
 * from the processing list once its events are written, on the same
 * connection, so a crash at any point loses nothing: at start, what the
 * processing list holds is processed first.  Runs until *stop, or until
 * key is empty when until_empty.  Returns 0, or -1 with err.
 */
int		ingest_redis_consume(struct ingest_redis *ir, const char *key,
		    struct ep_ctx *ctx, bool until_empty,
		    volatile sig_atomic_t *stop, struct rw_err *err);

/* Sends what is queued; 0, or -1 with err (then spooled). */
int		ingest_redis_flush(struct ingest_redis *ir, struct rw_err *err);

/* Stats hash, flush, close (NULL-tolerant). */
void		ingest_redis_close(struct ingest_redis *ir);

struct rw_redis	*ingest_redis_conn(struct ingest_redis *ir);

/*
 * fn(arg) runs first in every seal: what else waits to be written with
 * these events (the correlation batch) goes before them and, in list mode,
 * before the elements leave the processing list.  fn returns 0, or -1
 * when it lost its commands: the seal then fails too.
 */
void		ingest_redis_on_seal(struct ingest_redis *ir, int (*fn)(void *),
		    void *arg);

#endif
