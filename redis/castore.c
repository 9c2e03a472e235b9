/*
 * castore.c - the CA certificates sensors learned from the wire, shared
 * through Redis (redis.h, docs/redis-schema.md): a hash fingerprint -> DER
 * and a sorted set of the same fingerprints in the order the store first
 * got them, both under the tag {ca} so one script updates them together.
 * This file knows Redis, not X.509: callers check what they read back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/redis.h"
#include "redis/schema.h"

/* Fingerprints (and DER values) read per round trip when restoring. */
#define CA_PAGE		64

/*
 * Stores the DER (again: a value someone corrupted is repaired by the next
 * sensor the wire teaches), gives a fingerprint new to the order set the
 * last score + 1, and trims both keys to the newest ARGV[3].  A sequence,
 * not a clock: sensors' clocks never disagree about which entry is older.
 * A lowered cap is reached 1000 entries per call, so no call holds
 * Redis long.  Returns 1 when the fingerprint was new, else 0.  The
 * shebang (Redis 7) has Redis judge the script as a write before it runs:
 * a read-only replica or a server out of memory refuses it like any other
 * write (READONLY, OOM), nothing half done.
 */
static const char ca_put_lua[] =
    "#!lua\n"
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
    "local new = 0 "
    "if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then "
    "local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES') "
    "redis.call('ZADD', KEYS[2], (tonumber(last[2]) or 0) + 1, ARGV[1]) "
    "new = 1 end "
    "local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3]) "
    "if over > 1000 then over = 1000 end "
    "if over > 0 then "
    "for _, f in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do "
    "redis.call('HDEL', KEYS[1], f) end "
    "redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1) end "
    "return new";

int
rw_redis_ca_put(struct rw_redis *r, const char *fp, const uint8_t *der,
    size_t len, unsigned long long max)
{
	enum { DER_ARG = 6 };	/* binary: its length is len */
	char maxs[24];
	const char *argv[8] = { "EVAL", ca_put_lua, "2", RW_KEY_CA_WIRE,
	    RW_KEY_CA_ORDER, fp, (const char *)der, maxs };
	size_t lens[8];
	int i;

	snprintf(maxs, sizeof(maxs), "%llu", max);
	for (i = 0; i < 8; i++)
		lens[i] = i == DER_ARG ? len : strlen(argv[i]);
	return rw_redis_write(r, 8, argv, lens, NULL, NULL);
}

/* argc is at most 2 + CA_PAGE (an HMGET of one page) */
static redisReply *
cmd(struct rw_redis *r, struct rw_err *err, int argc, const char **argv)
{
	size_t lens[2 + CA_PAGE];
	int i;

	for (i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	return rw_redis_cmd_argv(r, argc, argv, lens, err);
}

static int
bad_reply(redisReply *rep, int type, struct rw_err *err)
{
	if (rep->type == type)
		return 0;
	rw_err_set(err, "redis_ca_bad_reply", "%s: reply type %d, want %d",
	    RW_KEY_CA_ORDER, rep->type, type);
	freeReplyObject(rep);
	return -1;
}

/* The number of stored fingerprints, or -1 with err. */
static long long
ca_count(struct rw_redis *r, struct rw_err *err)
{
	const char *argv[2] = { "ZCARD", RW_KEY_CA_ORDER };
	redisReply *rep;
	long long n;

	if ((rep = cmd(r, err, 2, argv)) == NULL ||
	    bad_reply(rep, REDIS_REPLY_INTEGER, err) == -1)
		return -1;
	n = rep->integer;
	freeReplyObject(rep);
	return n;
}

/*
 * The DER of page's fingerprints, one HMGET: a fingerprint trimmed since
 * the ZRANGE (another sensor's write) reads nil and is passed over.
 */
static int
ca_page_values(struct rw_redis *r, const redisReply *page, rw_redis_ca_fn fn,
    void *arg, struct rw_err *err)
{
	const char *argv[2 + CA_PAGE];
	redisReply *rep, *v;
	size_t i;

	argv[0] = "HMGET";
	argv[1] = RW_KEY_CA_WIRE;
	for (i = 0; i < page->elements; i++) {
		if (page->element[i]->type != REDIS_REPLY_STRING) {
			rw_err_set(err, "redis_ca_bad_reply", "%s: a member "
			    "is no string", RW_KEY_CA_ORDER);
			return -1;
		}
		argv[2 + i] = page->element[i]->str;
	}
	if ((rep = cmd(r, err, 2 + (int)page->elements, argv)) == NULL ||
	    bad_reply(rep, REDIS_REPLY_ARRAY, err) == -1)
		return -1;
	for (i = 0; i < rep->elements && i < page->elements; i++) {
		v = rep->element[i];
		if (v->type == REDIS_REPLY_STRING)
			fn(arg, argv[2 + i], (const uint8_t *)v->str, v->len);
	}
	freeReplyObject(rep);
	return 0;
}

/* Ranks [from, to] of the order set, oldest first. */
static int
ca_page(struct rw_redis *r, long long from, long long to, rw_redis_ca_fn fn,
    void *arg, struct rw_err *err)
{
	char a[24], b[24];
	const char *argv[4] = { "ZRANGE", RW_KEY_CA_ORDER, a, b };
	redisReply *rep;
	int rc;

	snprintf(a, sizeof(a), "%lld", from);
	snprintf(b, sizeof(b), "%lld", to);
	if ((rep = cmd(r, err, 4, argv)) == NULL ||
	    bad_reply(rep, REDIS_REPLY_ARRAY, err) == -1)
		return -1;
	if (rep->elements > CA_PAGE) {
		rw_err_set(err, "redis_ca_bad_reply", "%s: %zu members for "
		    "a page of %d", RW_KEY_CA_ORDER, rep->elements, CA_PAGE);
		freeReplyObject(rep);
		return -1;
	}
	rc = ca_page_values(r, rep, fn, arg, err);
	freeReplyObject(rep);
	return rc;
}

int
rw_redis_ca_scan(struct rw_redis *r, unsigned long long max,
    rw_redis_ca_fn fn, void *arg, struct rw_err *err)
{
	long long n, from;

	if ((n = ca_count(r, err)) == -1)
		return -1;
	/* the newest max entries, oldest first, so eviction order holds */
	from = (unsigned long long)n > max ? n - (long long)max : 0;
	for (; from < n; from += CA_PAGE)
		if (ca_page(r, from, from + CA_PAGE - 1, fn, arg, err) == -1)
			return -1;
	return 0;
}
