/*
 * ingest_redis.c - `revwire ingest` into Redis (ingest_redis.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "redis/redis.h"
#include "redis/schema.h"
#include "sensor/redis_sink.h"
#include "src/ingest_redis.h"

/* Dedupe marks share the stream's hash tag: the script touches both. */
#define EP_SEEN_PREFIX	"rw:{ep}:seen:"
#define PROCESSING_SUFFIX ":revwire:processing"

/* KEYS[1] dedupe mark, KEYS[2] stream; ARGV ttl, maxlen, kind, json */
static const char xadd_once_lua[] =
    "if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then "
    "redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', "
    "'event_type', ARGV[3], 'json', ARGV[4]) return 1 end return 0";

/* KEYS[1] list, KEYS[2] processing list; ARGV[1] at most this many */
static const char move_lua[] =
    "local out = {} for i = 1, tonumber(ARGV[1]) do "
    "local v = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') "
    "if not v then break end out[#out + 1] = v end return out";

struct ingest_redis {
	struct redis_sink	*sink;	/* connection, stats hash, tick */
	struct rw_redis		*r;
	const struct rw_config	*cfg;
	struct stats		*st;
};

struct ingest_redis *
ingest_redis_open(const struct rw_config *cfg, struct stats *st,
    struct rw_err *err)
{
	struct ingest_redis *ir;

	if ((ir = calloc(1, sizeof(*ir))) == NULL) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		return NULL;
	}
	if ((ir->sink = redis_sink_open(cfg, st, "ingest", err)) == NULL) {
		free(ir);
		return NULL;
	}
	ir->r = redis_sink_conn(ir->sink);
	ir->cfg = cfg;
	ir->st = st;
	return ir;
}

struct rw_redis *
ingest_redis_conn(struct ingest_redis *ir)
{
	return ir->r;
}

static void
on_xadd_once(void *arg, const redisReply *rep)
{
	struct ingest_redis *ir = arg;

	/* the script answers 1 or 0; a plain XADD the new entry's id */
	if (rep->type == REDIS_REPLY_STRING ||
	    (rep->type == REDIS_REPLY_INTEGER && rep->integer == 1))
		stats_incr(ir->st, "ep_redis_written");
	else if (rep->type == REDIS_REPLY_INTEGER)
		stats_incr(ir->st, "ep_redis_duplicate");
}

int
ingest_redis_event(struct ingest_redis *ir, const struct ep_event *ev)
{
	const char *kind = ep_kind_name(ev->kind);
	char dkey[EP_NAME_MAX * 2 + 64], mark[sizeof(dkey) + 32];
	char ttl[24], maxlen[24];
	const char *argv[9];
	json_t *j;
	char *text;
	int rc;

	if ((j = ep_event_json(ev)) == NULL ||
	    (text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(j);
		stats_incr(ir->st, "redis_event_encode_failed");
		return -1;
	}
	json_decref(j);
	snprintf(maxlen, sizeof(maxlen), "%llu",
	    (unsigned long long)ir->cfg->redis_stream_maxlen);
	if (ep_dedupe_key(ev, dkey, sizeof(dkey)) == -1) {
		/* no record id (Defender rows): nothing to deduplicate on */
		const char *xa[10] = { "XADD", RW_KEY_EP_EVENTS, "MAXLEN", "~",
		    maxlen, "*", "event_type", kind, "json", text };

		rc = rw_redis_write(ir->r, 10, xa, NULL, on_xadd_once, ir);
	} else {
		snprintf(mark, sizeof(mark), "%s%s", EP_SEEN_PREFIX, dkey);
		snprintf(ttl, sizeof(ttl), "%llu",
		    (unsigned long long)ir->cfg->ingest_dedupe_ttl);
		argv[0] = "EVAL";
		argv[1] = xadd_once_lua;
		argv[2] = "2";
		argv[3] = mark;
		argv[4] = RW_KEY_EP_EVENTS;
		argv[5] = ttl;
		argv[6] = maxlen;
		argv[7] = kind;
		argv[8] = text;
		rc = rw_redis_write(ir->r, 9, argv, NULL, on_xadd_once, ir);
	}
	/* correlation: corr_endpoint_event(corr, ev) goes here */
	free(text);
	return rc;
}

int
ingest_redis_flush(struct ingest_redis *ir, struct rw_err *err)
{
	return redis_sink_flush(ir->sink, err);
}

void
ingest_redis_close(struct ingest_redis *ir)
{
	if (ir == NULL)
		return;
	redis_sink_close(ir->sink);
	free(ir);
}

/* The processing list shares key's cluster slot: "{key}..." hashes key. */
static void
processing_name(char *buf, size_t len, const char *key)
{
	if (strchr(key, '{') != NULL)
		snprintf(buf, len, "%s%s", key, PROCESSING_SUFFIX);
	else
		snprintf(buf, len, "{%s}%s", key, PROCESSING_SUFFIX);
}

/* Normalises one list element, then queues its removal from proc. */
static int
handle_element(struct ingest_redis *ir, struct ep_ctx *ctx, const char *proc,
    const redisReply *el, struct rw_err *err)
{
	const char *argv[4] = { "LREM", proc, "1", el->str };
	size_t lens[4] = { 4, strlen(proc), 1, el->len };

	stats_incr(ir->st, "ingest_list_elements");
	/* bad JSON is counted by the normaliser; the element is done with */
	if (ep_json_feed(ctx, el->str, el->len, err) == -1)
		return -1;
	if (rw_redis_write(ir->r, 4, argv, lens, NULL, NULL) == -1)
		return -1;
	return 0;
}

/* Handles every string element of an array reply, then flushes. */
static int
handle_batch(struct ingest_redis *ir, struct ep_ctx *ctx, const char *proc,
    const redisReply *rep, struct rw_err *err)
{
	size_t i;

	for (i = 0; i < rep->elements; i++) {
		const redisReply *el = rep->element[i];

		if (el->type != REDIS_REPLY_STRING) {
			stats_incr(ir->st, "ingest_list_bad_element");
			continue;
		}
		if (handle_element(ir, ctx, proc, el, err) == -1)
			return -1;
	}
	return rw_redis_flush(ir->r, err);
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

	processing_name(proc, sizeof(proc), key);
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
		if (rep->type == REDIS_REPLY_STRING &&
		    (rc = handle_element(ir, ctx, proc, rep, err)) == 0)
			rc = rw_redis_flush(ir->r, err);
		freeReplyObject(rep);
	}
	return rc;
}
