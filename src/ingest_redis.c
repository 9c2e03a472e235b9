/*
 * ingest_redis.c - `revwire ingest` into Redis (ingest_redis.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redis/redis.h"
#include "redis/schema.h"
#include "sensor/redis_sink.h"
#include "src/ingest_redis.h"

/* Dedupe marks share the stream's hash tag: the script touches both. */
#define EP_SEEN_PREFIX	"rw:{ep}:seen:"

/*
 * One script call per batch of events, so the per-call cost of a script is
 * paid once per redis-batch events.  KEYS[1] the stream, KEYS[2..] the
 * dedupe marks in order; ARGV ttl, maxlen, then per event: "1" when it has
 * a mark (the next KEY) else "0", its kind, its JSON.  Returns {written,
 * events}: an event whose mark exists is skipped.  The shebang (on both
 * scripts) ends EVAL's compatibility mode, so even a one-node cluster
 * refuses a key outside the declared keys' slot (tests/redis-cluster.sh).
 */
static const char xadd_once_lua[] =
    "#!lua\n"
    "local k, n = 2, 0 "
    "for i = 3, #ARGV, 3 do "
    "local ok = true "
    "if ARGV[i] == '1' then "
    "ok = redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[1]) k = k + 1 end "
    "if ok then redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', "
    "'event_type', ARGV[i + 1], 'json', ARGV[i + 2]) n = n + 1 end end "
    "return {n, (#ARGV - 2) / 3}";

/* KEYS[1] list, KEYS[2] processing list; ARGV[1] at most this many */
static const char move_lua[] =
    "#!lua\n"
    "local out = {} for i = 1, tonumber(ARGV[1]) do "
    "local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') "
    "if not v then break end out[#out + 1] = v end return out";

struct pending {
	char		*mark;		/* NULL: no dedupe key */
	const char	*kind;		/* static */
	char		*json;
};

struct ingest_redis;

/* Callback argument of a batch of n events (slots[n]): stable addresses. */
struct batch_slot {
	struct ingest_redis	*ir;
	size_t			 n;
};

struct ingest_redis {
	struct redis_sink	*sink;	/* connection, stats hash, tick */
	struct rw_redis		*r;
	const struct rw_config	*cfg;
	struct stats		*st;
	struct pending		*pend;	/* events not yet in a script call */
	size_t			 npend, max;
	struct batch_slot	*slots;	/* max + 1 */
	int			(*on_seal)(void *);
	void			*on_seal_arg;
};

static void
free_pending(struct ingest_redis *ir)
{
	size_t i;

	for (i = 0; i < ir->npend; i++) {
		free(ir->pend[i].mark);
		free(ir->pend[i].json);
	}
	ir->npend = 0;
}

struct ingest_redis *
ingest_redis_open(const struct rw_config *cfg, struct stats *st,
    struct rw_err *err)
{
	struct ingest_redis *ir;
	size_t i;

	if ((ir = calloc(1, sizeof(*ir))) == NULL)
		goto oom;
	ir->max = cfg->redis_batch;
	if ((ir->pend = calloc(ir->max, sizeof(*ir->pend))) == NULL ||
	    (ir->slots = calloc(ir->max + 1, sizeof(*ir->slots))) == NULL)
		goto oom;
	for (i = 0; i <= ir->max; i++) {
		ir->slots[i].ir = ir;
		ir->slots[i].n = i;
	}
	if ((ir->sink = redis_sink_open(cfg, st, "ingest", err)) == NULL)
		goto fail;
	ir->r = redis_sink_conn(ir->sink);
	ir->cfg = cfg;
	ir->st = st;
	return ir;
oom:
	rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
fail:
	if (ir != NULL) {
		free(ir->pend);
		free(ir->slots);
		free(ir);
	}
	return NULL;
}

struct rw_redis *
ingest_redis_conn(struct ingest_redis *ir)
{
	return ir->r;
}

static void
on_batch(void *arg, const redisReply *rep)
{
	const struct batch_slot *b = arg;

	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_INTEGER) {
		uint64_t w = (uint64_t)rep->element[0]->integer;

		stats_add(b->ir->st, "ep_redis_written", w);
		if (b->n > w)
			stats_add(b->ir->st, "ep_redis_duplicate", b->n - w);
	} else if (rep->type == REDIS_REPLY_ERROR)
		stats_add(b->ir->st, "ep_redis_refused", b->n);
}

void
ingest_redis_on_seal(struct ingest_redis *ir, int (*fn)(void *), void *arg)
{
	ir->on_seal = fn;
	ir->on_seal_arg = arg;
}

int
ingest_redis_seal(struct ingest_redis *ir)
{
	const char **argv;
	char ttl[24], maxlen[24], numkeys[24];
	size_t i, nkeys = 1, argc, k, a;
	int rc = -1, before = 0;

	if (ir->on_seal != NULL)
		before = ir->on_seal(ir->on_seal_arg);
	if (ir->npend == 0)
		return before;
	for (i = 0; i < ir->npend; i++)
		nkeys += ir->pend[i].mark != NULL;
	argc = 3 + nkeys + 2 + 3 * ir->npend;
	if ((argv = calloc(argc, sizeof(*argv))) != NULL) {
		snprintf(numkeys, sizeof(numkeys), "%zu", nkeys);
		snprintf(ttl, sizeof(ttl), "%llu",
		    (unsigned long long)ir->cfg->ingest_dedupe_ttl);
		snprintf(maxlen, sizeof(maxlen), "%llu",
		    (unsigned long long)ir->cfg->redis_stream_maxlen);
		argv[0] = "EVAL";
		argv[1] = xadd_once_lua;
		argv[2] = numkeys;
		argv[3] = RW_KEY_EP_EVENTS;
		k = 4;
		a = 3 + nkeys;
		argv[a++] = ttl;
		argv[a++] = maxlen;
		for (i = 0; i < ir->npend; i++) {
			if (ir->pend[i].mark != NULL)
				argv[k++] = ir->pend[i].mark;
			argv[a++] = ir->pend[i].mark != NULL ? "1" : "0";
			argv[a++] = ir->pend[i].kind;
			argv[a++] = ir->pend[i].json;
		}
		rc = rw_redis_write(ir->r, (int)argc, argv, NULL, on_batch,
		    &ir->slots[ir->npend]);
		free(argv);
	}
	if (rc == -1)
		stats_add(ir->st, "ep_redis_dropped", ir->npend);
	free_pending(ir);
	return rc == -1 || before == -1 ? -1 : 0;
}

int
ingest_redis_event(struct ingest_redis *ir, const struct ep_event *ev)
{
	char dkey[EP_NAME_MAX * 2 + 64];
	struct pending *p = &ir->pend[ir->npend];

	if ((p->json = ep_event_json(ev, NULL)) == NULL) {
		stats_incr(ir->st, "redis_event_encode_failed");
		return -1;
	}
	p->kind = ep_kind_name(ev->kind);
	p->mark = NULL;
	/* no record id (Defender rows): nothing to deduplicate on */
	if (ep_dedupe_key(ev, dkey, sizeof(dkey)) == 0 &&
	    asprintf(&p->mark, "%s%s", EP_SEEN_PREFIX, dkey) == -1) {
		free(p->json);
		stats_incr(ir->st, "redis_event_encode_failed");
		return -1;
	}
	ir->npend++;
	if (ir->npend == ir->max)
		return ingest_redis_seal(ir);
	return 0;
}

int
ingest_redis_flush(struct ingest_redis *ir, struct rw_err *err)
{
	if (ingest_redis_seal(ir) == -1) {
		rw_err_set(err, "redis_spool_dropped", "endpoint events lost: "
		    "Redis away and the spool full or unavailable");
		(void)redis_sink_flush(ir->sink, NULL);
		return -1;
	}
	return redis_sink_flush(ir->sink, err);
}

void
ingest_redis_close(struct ingest_redis *ir)
{
	if (ir == NULL)
		return;
	(void)ingest_redis_seal(ir);
	redis_sink_close(ir->sink);
	free_pending(ir);
	free(ir->pend);
	free(ir->slots);
	free(ir);
}

/* Normalises one list element (its events wait in ir->pend). */
static int
feed_element(struct ingest_redis *ir, struct ep_ctx *ctx,
    const redisReply *el, struct rw_err *err)
{
	if (el->type != REDIS_REPLY_STRING) {
		stats_incr(ir->st, "ingest_list_bad_element");
		return 0;
	}
	stats_incr(ir->st, "ingest_list_elements");
	/* bad JSON is counted by the normaliser; the element is done with */
	return ep_json_feed(ctx, el->str, el->len, err);
}

/*
 * The elements' events are queued first, their removal from proc after,
 * on the same connection: an element leaves the processing list only once
 * Redis has its events.  Then everything is sent.
 */
static int
finish(struct ingest_redis *ir, const char *proc,
    const redisReply *const *els, size_t n, struct rw_err *err)
{
	size_t i;

	if (ingest_redis_seal(ir) == -1) {
		rw_err_set(err, "redis_spool_dropped", "endpoint events lost: "
		    "Redis away and the spool full; the elements stay in %s",
		    proc);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *argv[4] = { "LREM", proc, "1", els[i]->str };
		size_t lens[4] = { 4, strlen(proc), 1, els[i]->len };

		if (els[i]->type == REDIS_REPLY_STRING &&
		    rw_redis_write(ir->r, 4, argv, lens, NULL, NULL) == -1)
			return -1;
	}
	return rw_redis_flush(ir->r, err);
}

/* Handles every element of an array reply, or one string reply. */
static int
handle_batch(struct ingest_redis *ir, struct ep_ctx *ctx, const char *proc,
    const redisReply *rep, struct rw_err *err)
{
	const redisReply *const *els = (const redisReply *const *)rep->element;
	size_t i, n = rep->elements;

	if (rep->type == REDIS_REPLY_STRING) {
		els = &rep;
		n = 1;
	}
	for (i = 0; i < n; i++)
		if (feed_element(ir, ctx, els[i], err) == -1)
			return -1;
	return finish(ir, proc, els, n, err);
}

/* What an earlier run moved but did not finish: processed first. */
static int
recover(struct ingest_redis *ir, struct ep_ctx *ctx, const char *proc,
    struct rw_err *err)
{
	char stop[24];
	const char *argv[4] = { "LRANGE", proc, "0", stop };
	const char *llen[2] = { "LLEN", proc };
	redisReply *rep;
	long long left, rounds;
	int rc = 0;

	if ((rep = rw_redis_cmd_argv(ir->r, 2, llen, NULL, err)) == NULL)
		return -1;
	left = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
	freeReplyObject(rep);
	stats_add(ir->st, "ingest_list_recovered", (uint64_t)left);
	snprintf(stop, sizeof(stop), "%llu",
	    (unsigned long long)ir->cfg->redis_batch - 1);
	/* each round removes what it read; the bound stops a list that refills */
	for (rounds = left / (long long)ir->cfg->redis_batch + 1;
	    rc == 0 && rounds > 0; rounds--) {
		if ((rep = rw_redis_cmd_argv(ir->r, 4, argv, NULL, err)) == NULL)
			return -1;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) {
			freeReplyObject(rep);
			break;
		}
		rc = handle_batch(ir, ctx, proc, rep, err);
		freeReplyObject(rep);
	}
	return rc;
}

/* Redis away: the consumer waits for it instead of giving up. */
static bool
transient(const struct rw_err *err)
{
	return err->reason != NULL && (strcmp(err->reason, "redis_io") == 0 ||
	    strcmp(err->reason, "redis_connect") == 0 ||
	    strcmp(err->reason, "redis_unavailable") == 0);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

int
ingest_redis_consume(struct ingest_redis *ir, const char *key,
    struct ep_ctx *ctx, bool until_empty, volatile sig_atomic_t *stop,
    struct rw_err *err)
{
	char proc[RW_CONF_STR_MAX + 32], n[24];
	const char *mv[6] = { "EVAL", move_lua, "2", key, proc, n };
	const char *bl[6] = { "BLMOVE", key, proc, "LEFT", "RIGHT", "0.5" };
	redisReply *rep;
	int rc = 0;

	if (schema_processing_key(proc, sizeof(proc), key) == -1) {
		rw_err_set(err, "ingest_list_key", "%s: too long for a "
		    "processing list name", key);
		return -1;
	}
	snprintf(n, sizeof(n), "%llu", (unsigned long long)ir->cfg->redis_batch);
	if (recover(ir, ctx, proc, err) == -1)
		return -1;
	while (rc == 0 && !*stop) {
		redis_sink_tick(ir->sink);
		if ((rep = rw_redis_cmd_argv(ir->r, 6, mv, NULL, err)) == NULL) {
			if (!transient(err))
				return -1;
			stats_incr(ir->st, "ingest_list_retry");
			pause_ms(200);
			continue;
		}
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements > 0) {
			rc = handle_batch(ir, ctx, proc, rep, err);
			freeReplyObject(rep);
			/* gone mid-batch: the rest waits in the spool, in order */
			if (rc == -1 && transient(err))
				rc = 0;
			continue;
		}
		freeReplyObject(rep);
		if (until_empty)
			break;
		/* an empty list: wait for the next element, briefly */
		if ((rep = rw_redis_cmd_argv(ir->r, 6, bl, NULL, err)) == NULL)
			continue;
		if (rep->type == REDIS_REPLY_STRING)
			rc = handle_batch(ir, ctx, proc, rep, err);
		freeReplyObject(rep);
	}
	return rc;
}
