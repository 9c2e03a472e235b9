/*
 * redis_sink.h - the sensor's Redis sink: every wire event's EVE JSON into
 * the wire event stream, the counters into a stats hash.  The correlation
 * hooks in redis_sink_emit().
 */
#ifndef RW_REDIS_SINK_H
#define RW_REDIS_SINK_H

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"
#include "sensor/event.h"

struct redis_sink;
struct rw_redis;

/*
 * Opens the connection (cfg->redis_url; empty: the private server).
 * role names the stats hash ("sensor", "ingest").  Returns NULL with err.
 */
struct redis_sink *redis_sink_open(const struct rw_config *cfg,
		    struct stats *st, const char *role, struct rw_err *err);

/* The event_sink emit function; arg is the struct redis_sink. */
void		redis_sink_emit(void *arg, const struct wire_event *ev);

/* From the capture loop: batches, reconnects, spool replay, stats hash. */
void		redis_sink_tick(struct redis_sink *rs);

/* Sends everything queued (at exit, before the counters are printed). */
int		redis_sink_flush(struct redis_sink *rs, struct rw_err *err);

/* Writes the stats hash, flushes (what cannot be sent is spooled), closes. */
void		redis_sink_close(struct redis_sink *rs);

/* Every wire event also goes to this correlator (NULL: none). */
struct corr;
void		redis_sink_set_corr(struct redis_sink *rs, struct corr *c);

/*
 * The CA registry's on_learn hook (ca_registry_set_on_learn, arg the
 * struct redis_sink): stores the CA the wire taught in Redis so the next
 * run, and every sensor writing there, knows it.
 */
struct x509_info;
void		redis_sink_ca_learned(void *arg, const struct x509_info *info);

/*
 * Adds to reg, with source wire, the CA certificates stored by earlier
 * runs (the newest ca-registry-max).  A stored value that does not decode
 * as one CA certificate, is longer than any certificate the sensor keeps,
 * or is not the certificate its fingerprint names is counted
 * ("ca_registry_restore_bad") and skipped; what was added is counted
 * ("ca_registry_restored").  Returns 0, or -1 with err when Redis could
 * not be read (nothing or part restored).
 */
struct ca_registry;
int		redis_sink_ca_restore(struct redis_sink *rs,
		    struct ca_registry *reg, struct rw_err *err);

/* The connection, for writers that share it (correlation, ingest). */
struct rw_redis	*redis_sink_conn(struct redis_sink *rs);

#endif
