/*
 * redis_sink.c - the sensor's Redis sink (redis_sink.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "correlate/corr.h"
#include "correlate/correlate.h"
#include "common/log.h"
#include "redis/redis.h"
#include "redis/schema.h"
#include "sensor/eve.h"
#include "sensor/redis_sink.h"

#define STATS_EVERY	10		/* seconds between stats hash writes */
#define STATS_TTL	(7 * 86400)	/* a stopped process' hash goes away */

/*
 * A write whose reply was lost is replayed from the spool (at-least-once),
 * so the stream entry is added only with a new mark of the event's content
 * id, in the same script.  KEYS[1] the stream, KEYS[2] the mark (same hash
 * tag); ARGV ttl, maxlen, event type, JSON.  Returns 1 written, 0 seen.
 */
static const char xadd_once_lua[] =
    "if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then "
    "return 0 end "
    "redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', "
    "'event_type', ARGV[3], 'json', ARGV[4]) return 1";

struct redis_sink {
	struct rw_redis			*r;
	const struct rw_config		*cfg;
	struct stats			*st;
	char				 stats_key[320];
	time_t				 stats_at;
	struct corr			*corr;		/* borrowed */
	uint64_t			 seen_refused, seen_dropped;
};

/*
 * Refused and dropped writes are counted; the operator also gets a line
 * saying so, with Redis' own words, at most once per stats period.
 */
static void
report_losses(struct redis_sink *rs)
{
	uint64_t refused = stats_get(rs->st, "redis_reply_error");
	uint64_t dropped = stats_get(rs->st, "redis_spool_dropped");

	if (refused > rs->seen_refused)
		rw_log(LOG_WARNING, "redis: %llu writes refused (last: %s)",
		    (unsigned long long)(refused - rs->seen_refused),
		    rw_redis_last_error(rs->r));
	if (dropped > rs->seen_dropped)
		rw_log(LOG_WARNING, "redis: %llu writes dropped: Redis away "
		    "and the spool full (redis-spool-max) or unavailable",
		    (unsigned long long)(dropped - rs->seen_dropped));
	rs->seen_refused = refused;
	rs->seen_dropped = dropped;
}

struct redis_sink *
redis_sink_open(const struct rw_config *cfg, struct stats *st,
    const char *role, struct rw_err *err)
{
	struct redis_sink *rs;
	char host[256];

	if ((rs = calloc(1, sizeof(*rs))) == NULL) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		return NULL;
	}
	if (rw_redis_open(&rs->r, cfg, st, err) == -1) {
		free(rs);
		return NULL;
	}
	rs->cfg = cfg;
	rs->st = st;
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	/* one hash per process; the TTL bounds the keys of dead ones */
	snprintf(rs->stats_key, sizeof(rs->stats_key), "rw:{stats}:%s:%s:%ld",
	    role, host, (long)getpid());
	rs->stats_at = time(NULL);
	return rs;
}

void
redis_sink_set_corr(struct redis_sink *rs, struct corr *c)
{
	rs->corr = c;
}

struct rw_redis *
redis_sink_conn(struct redis_sink *rs)
{
	return rs->r;
}

static void
on_wire_written(void *arg, const redisReply *rep)
{
	struct redis_sink *rs = arg;

	if (rep->type == REDIS_REPLY_INTEGER)
		stats_incr(rs->st, rep->integer == 1 ? "redis_wire_events" :
		    "redis_wire_duplicate");
}

/* Queues the event's stream entry, once per content id; 0 or -1 (lost). */
static int
write_wire_event(struct redis_sink *rs, const char *type, const json_t *eve,
    const char *text)
{
	char eid[20], mark[sizeof(RW_KEY_WIRE_SEEN) + 20], ttl[24], maxlen[24];
	const char *argv[9];

	corr_wire_id(eve, eid);
	snprintf(mark, sizeof(mark), "%s%s", RW_KEY_WIRE_SEEN, eid);
	snprintf(ttl, sizeof(ttl), "%llu",
	    (unsigned long long)rs->cfg->wire_dedupe_ttl);
	snprintf(maxlen, sizeof(maxlen), "%llu",
	    (unsigned long long)rs->cfg->redis_stream_maxlen);
	argv[0] = "EVAL";
	argv[1] = xadd_once_lua;
	argv[2] = "2";
	argv[3] = RW_KEY_WIRE_EVENTS;
	argv[4] = mark;
	argv[5] = ttl;
	argv[6] = maxlen;
	argv[7] = type;
	argv[8] = text;
	return rw_redis_write(rs->r, 9, argv, NULL, on_wire_written, rs);
}

void
redis_sink_emit(void *arg, const struct wire_event *ev)
{
	struct redis_sink *rs = arg;
	json_t *j;
	char *text;

	if ((j = eve_event_json(ev, rs->cfg)) == NULL ||
	    (text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(j);
		stats_incr(rs->st, "redis_event_encode_failed");
		return;
	}
	if (write_wire_event(rs, wire_event_type_name(ev->type), j, text) == 0)
		stats_incr(rs->st, "redis_wire_events_queued");
	if (rs->corr != NULL) {
		struct rw_err err;

		if (corr_wire_event(rs->corr, ev, j, &err) == -1)
			stats_incr(rs->st, err.reason);
	}
	free(text);
	json_decref(j);
}

/* ---- the CA registry's wire-learned part in Redis ---- */

void
redis_sink_ca_learned(void *arg, const struct x509_info *info)
{
	struct redis_sink *rs = arg;
	unsigned char *der = NULL;
	int len;

	if ((len = i2d_X509(info->x, &der)) <= 0) {
		ERR_clear_error();
		stats_incr(rs->st, "ca_registry_store_failed");
		return;
	}
	/* a lost write is counted by the write path (redis_spool_dropped) */
	if (rw_redis_ca_put(rs->r, info->sha256, der, (size_t)len,
	    rs->cfg->ca_registry_max) == 0)
		stats_incr(rs->st, "ca_registry_stored");
	OPENSSL_free(der);
}

struct ca_restore {
	struct stats		*st;
	struct ca_registry	*reg;
	size_t			 der_max;
};

/* What Redis holds is checked like wire input: it may be anyone's write. */
static void
restore_one(void *arg, const char *fp, const uint8_t *der, size_t len)
{
	struct ca_restore *cr = arg;
	struct x509_info info;

	if (len > cr->der_max || x509_parse(&info, der, len, NULL) == -1) {
		stats_incr(cr->st, "ca_registry_restore_bad");
		return;
	}
	if (!info.is_ca || strcmp(info.sha256, fp) != 0)
		stats_incr(cr->st, "ca_registry_restore_bad");
	else if (ca_registry_restore(cr->reg, &info) == 1)
		stats_incr(cr->st, "ca_registry_restored");
	x509_info_free(&info);
}

int
redis_sink_ca_restore(struct redis_sink *rs, struct ca_registry *reg,
    struct rw_err *err)
{
	struct ca_restore cr;

	cr.st = rs->st;
	cr.reg = reg;
	/* no certificate the wire taught was longer than its carrier */
	cr.der_max = rs->cfg->http_max_body > rs->cfg->tls_max_handshake ?
	    rs->cfg->http_max_body : rs->cfg->tls_max_handshake;
	return rw_redis_ca_scan(rs->r, rs->cfg->ca_registry_max, restore_one,
	    &cr, err);
}

void
redis_sink_tick(struct redis_sink *rs)
{
	time_t now = time(NULL);

	if (now - rs->stats_at >= STATS_EVERY) {
		rs->stats_at = now;
		report_losses(rs);
		(void)rw_redis_write_stats(rs->r, rs->stats_key, rs->st,
		    STATS_TTL);
	}
	rw_redis_tick(rs->r);
}

int
redis_sink_flush(struct redis_sink *rs, struct rw_err *err)
{
	int rc = rw_redis_flush(rs->r, err);

	report_losses(rs);
	return rc;
}

void
redis_sink_close(struct redis_sink *rs)
{
	if (rs == NULL)
		return;
	(void)rw_redis_write_stats(rs->r, rs->stats_key, rs->st, STATS_TTL);
	rw_redis_close(rs->r);
	free(rs);
}
