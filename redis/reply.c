/*
 * reply.c - bounds on what one Redis reply may make revwire allocate.
 *
 * hiredis 0.14's reader trusts the server: "*668000000" makes it calloc
 * an element array of that size before one element has arrived, and a
 * bulk string or status line is buffered for as long as the server keeps
 * sending.  A broken server, or anyone on the path to a TCP one, could so
 * make every revwire process allocate without bound.
 *
 * The guard sits in the reader's object functions (hiredis' own still
 * build the objects, so freeReplyObject stays right): an array or string
 * that would take one reply past redis-max-reply-elements (nested arrays
 * counted together) or redis-max-reply-bytes makes the reader fail.  A
 * bulk string's header is checked as soon as it arrives, in
 * rw_reply_get(), since hiredis creates the string only once all its
 * bytes are buffered.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/redis_int.h"

/* hiredis reads at most this much per read(2) (REDIS_IOBUF_LEN) */
#define READ_CHUNK	(16 * 1024)

struct reply_guard {
	redisReplyObjectFunctions	 fn;	/* first: the reader points here */
	const redisReplyObjectFunctions	*inner;	/* hiredis' own */
	struct rw_reply_limits		 lim;
	struct stats			*st;
	uint64_t			 elements, bytes;	/* this reply's */
	bool				 refused;
	char				 why[100];
};

static struct reply_guard *
guard_of(const redisReader *rd)
{
	/* fn is the first member: no dereference of someone else's privdata */
	if (rd == NULL || rd->privdata == NULL ||
	    (const void *)rd->fn != rd->privdata)
		return NULL;
	return rd->privdata;
}

static void
refuse(struct reply_guard *g, const char *what, uint64_t have,
    const char *key, uint64_t max)
{
	snprintf(g->why, sizeof(g->why), "reply refused: %llu %s > %s %llu",
	    (unsigned long long)have, what, key, (unsigned long long)max);
	g->refused = true;
	if (g->st != NULL)
		stats_incr(g->st, "redis_reply_too_large");
}

/*
 * Adds an object's elements and bytes to its reply's budget (a task
 * without parent starts a new reply).  false when they do not fit.
 */
static bool
spend(const redisReadTask *t, uint64_t elements, uint64_t bytes)
{
	struct reply_guard *g = t->privdata;

	if (t->parent == NULL)
		g->elements = g->bytes = 0;
	if (elements > g->lim.max_elements - g->elements) {
		refuse(g, "elements", g->elements + elements,
		    "redis-max-reply-elements", g->lim.max_elements);
		return false;
	}
	if (bytes > g->lim.max_bytes - g->bytes) {
		refuse(g, "string bytes", g->bytes + bytes,
		    "redis-max-reply-bytes", g->lim.max_bytes);
		return false;
	}
	g->elements += elements;
	g->bytes += bytes;
	return true;
}

/* NULL makes the reader fail (hiredis says "Out of memory"; see why) */
static void *
guard_string(const redisReadTask *t, char *str, size_t len)
{
	const struct reply_guard *g = t->privdata;

	if (!spend(t, 0, len))
		return NULL;
	return g->inner->createString(t, str, len);
}

static void *
guard_array(const redisReadTask *t, int elements)
{
	struct reply_guard *g = t->privdata;

	if (elements < 0) {
		/* hiredis 0.14 passes "*-5" on; only -1 (nil) is RESP */
		snprintf(g->why, sizeof(g->why), "reply refused: array of %d "
		    "elements", elements);
		g->refused = true;
		return NULL;
	}
	if (!spend(t, (uint64_t)elements, 0))
		return NULL;
	return g->inner->createArray(t, elements);
}

int
rw_reply_guard(redisReader *rd, const struct rw_reply_limits *lim,
    struct stats *st, struct rw_err *err)
{
	struct reply_guard *g;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		return -1;
	}
	g->inner = rd->fn;
	g->fn = *rd->fn;
	g->fn.createString = guard_string;
	g->fn.createArray = guard_array;
	g->lim = *lim;
	g->st = st;
	rd->fn = &g->fn;
	rd->privdata = g;
	/* an idle buffer bigger than this is given back after a big reply */
	rd->maxbuf = REDIS_READER_MAX_BUF;
	return 0;
}

const char *
rw_reply_refused(const redisReader *rd)
{
	const struct reply_guard *g = guard_of(rd);

	return g != NULL && g->refused ? g->why : NULL;
}

/*
 * The decimal length at the start of buf (len bytes, up to "\r"), as a
 * bulk header holds it after its '$'.  false while incomplete or not a
 * plain non-negative number (hiredis judges those).
 */
static bool
bulk_claim(const char *buf, size_t len, uint64_t *claim)
{
	size_t i;

	*claim = 0;
	for (i = 0; i < len && i < 20 && buf[i] >= '0' && buf[i] <= '9'; i++)
		*claim = *claim * 10 + (uint64_t)(buf[i] - '0');
	return i > 0 && i < len && buf[i] == '\r';
}

/*
 * After a read that completed no reply: refuses a pending bulk string
 * whose header claims more than the reply may hold, and any unparsed item
 * grown past it (a status line without end).  true when refused; the
 * reader is failed then.
 */
static bool
pending_refused(struct reply_guard *g, redisReader *rd)
{
	const redisReadTask *t;
	size_t pending = rd->len - rd->pos;
	uint64_t claim, spent;

	if (rd->err != 0 || rd->ridx < 0)
		return false;
	t = &rd->rstack[rd->ridx];
	spent = t->parent == NULL ? 0 : g->bytes;
	if (t->type == REDIS_REPLY_STRING &&
	    bulk_claim(rd->buf + rd->pos, pending, &claim) &&
	    claim > g->lim.max_bytes - spent)
		refuse(g, "string bytes", spent + claim,
		    "redis-max-reply-bytes", g->lim.max_bytes);
	else if (pending > g->lim.max_bytes + READ_CHUNK)
		refuse(g, "bytes pending", pending, "redis-max-reply-bytes",
		    g->lim.max_bytes);
	else
		return false;
	rd->err = REDIS_ERR_PROTOCOL;
	snprintf(rd->errstr, sizeof(rd->errstr), "%s", g->why);
	return true;
}

/* A failed read: the context's error names the limit when one refused. */
static int
failed(redisContext *c)
{
	const char *why = rw_reply_refused(c->reader);

	if (why != NULL) {
		c->err = REDIS_ERR_PROTOCOL;
		snprintf(c->errstr, sizeof(c->errstr), "%s", why);
	}
	return REDIS_ERR;
}

int
rw_reply_take(redisContext *c, void **reply)
{
	struct reply_guard *g = guard_of(c->reader);

	*reply = NULL;
	if (redisGetReplyFromReader(c, reply) == REDIS_ERR ||
	    (*reply == NULL && g != NULL && pending_refused(g, c->reader)))
		return failed(c);
	return REDIS_OK;
}

int
rw_reply_get(redisContext *c, void **reply)
{
	struct reply_guard *g = guard_of(c->reader);
	void *aux = NULL;
	int done;

	*reply = NULL;
	if (rw_reply_take(c, &aux) != REDIS_OK)
		return REDIS_ERR;
	if (aux != NULL || !(c->flags & REDIS_BLOCK)) {
		*reply = aux;
		return REDIS_OK;
	}
	do {
		if (redisBufferWrite(c, &done) == REDIS_ERR)
			return failed(c);
	} while (!done);
	do {
		if (redisBufferRead(c) == REDIS_ERR ||
		    redisGetReplyFromReader(c, &aux) == REDIS_ERR ||
		    (aux == NULL && g != NULL && pending_refused(g, c->reader)))
			return failed(c);
	} while (aux == NULL);
	*reply = aux;
	return REDIS_OK;
}

void
rw_reply_reader_free(redisReader *rd)
{
	struct reply_guard *g = guard_of(rd);

	if (rd == NULL)
		return;
	/* the reader frees a partial reply through g->fn: g goes last */
	redisReaderFree(rd);
	free(g);
}

void
rw_redis_ctx_free(redisContext *c)
{
	struct reply_guard *g;

	if (c == NULL)
		return;
	g = guard_of(c->reader);
	redisFree(c);
	free(g);
}
