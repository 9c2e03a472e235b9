/*
 * conn.c - the Redis connection: open (AUTH, SELECT, PING), the
 * synchronous command, the pipelined write path with reconnect backoff and
 * the on-disk spool (spool.c).
 *
 * hiredis' blocking context is used with SO_RCVTIMEO/SO_SNDTIMEO set to
 * redis-timeout, so no single call waits longer than that.  A connection
 * error drops the context; the next tick retries after an exponential
 * backoff.  Commands never overtake each other: while the spool holds
 * anything, new batches are appended to it, not sent.
 *
 * With redis-cluster yes, the URL names one node (the seed): CLUSTER SLOTS
 * there gives the masters (cluster.c), each gets its own context, and
 * every command goes to the master of its key's slot.  The connection is up
 * when the seed and every master are; one broken, all are dropped and the
 * backoff applies as for one server.  Commands of one slot keep their
 * order; a MOVED or ASK reply is followed after the batch's other replies
 * are read, so a redirected command may run after later commands of other
 * slots.
 *
 * With redis-inflight 1 (one server only), a full batch is sent and then
 * the replies of the batch sent before it are read: Redis runs batch N
 * while the caller builds batch N+1, instead of the two times adding up.
 * The in-flight batch keeps its commands until answered, so a broken
 * connection spools exactly what was not answered, in order, before the
 * queue.  Anything that needs the connection's replies in step (a
 * synchronous command, a replay, a flush) reads the in-flight ones first.
 * A cluster waits for each batch: a redirection is sent again on a node's
 * context, which must hold no later reply then.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "redis/cluster.h"
#include "redis/redis.h"
#include "redis/redis_int.h"
#include "redis/spool.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	30000

struct rw_cmd {
	char			*buf;	/* RESP, from redisFormatCommandArgv */
	size_t			 len;
	rw_redis_reply_fn	 cb;
	void			*cbarg;
};

struct rw_redis {
	redisContext		*c;
	struct rw_redis_url	 url;
	struct timeval		 timeout;
	struct stats		*st;
	struct rw_reply_limits	 limits;

	rw_redis_connect_fn	 on_connect;
	void			*on_connect_arg;
	bool			 in_connect;	/* inside on_connect */

	struct rw_cmd		*q;	/* queued, not yet sent */
	size_t			 nq, batch;
	uint64_t		 q_bytes, batch_bytes;
	uint64_t		 q_since_ms;	/* when the oldest was queued */
	uint64_t		 flush_ms;	/* a partial batch waits this long */

	struct rw_cmd		*fl;	/* sent, replies not all read yet */
	size_t			 nfl, fl_done;	/* fl[0..fl_done) answered */
	uint64_t		 fl_since_ms;	/* when fl was sent */
	bool			 overlap;	/* redis-inflight 1, no cluster */

	struct rw_spool		*spool;	/* opened when first needed */
	char			 spool_dir[RW_STATE_DIR_MAX + 8];
	uint64_t		 spool_max;	/* 0: no spool, drops */
	bool			 spool_failed;	/* counted once, not retried */
	char			 last_error[128];
	uint64_t		 next_try_ms;
	uint64_t		 backoff_ms;

	bool			 cluster;	/* redis-cluster yes */
	struct rw_cluster_map	 map;
	uint64_t		 max_redirects;
	redisContext		**via;	/* per command of a batch: its node */
	size_t			 nvia;
	bool			 moved;	/* a MOVED seen: reload the map */
};

static bool	spool_ready(struct rw_redis *r);
static void	adopt_orphans(struct rw_redis *r);
static void	to_spool(struct rw_redis *r, struct rw_cmd *cmds, size_t n);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *
rw_redis_error_reason(const char *msg)
{
	static const struct { const char *prefix, *reason; } map[] = {
		{ "OOM ", "redis_reply_oom" },
		{ "READONLY ", "redis_reply_readonly" },
		{ "NOAUTH ", "redis_reply_noauth" },
		{ "WRONGPASS ", "redis_reply_wrongpass" },
		{ "NOPERM ", "redis_reply_noperm" },
		{ "LOADING ", "redis_reply_loading" },
		{ "MISCONF ", "redis_reply_misconf" },
		{ "MASTERDOWN ", "redis_reply_masterdown" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].reason;
	return "redis_reply_other";
}

/*
 * A write to a server that went away raises SIGPIPE; library code must not
 * kill its caller, whatever the caller's disposition.  The signal is
 * blocked around socket I/O and one raised by it is consumed.
 */
struct pipe_guard {
	sigset_t	old;
	bool		pending_before;
};

static void
guard_on(struct pipe_guard *g)
{
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	g->pending_before = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &g->old);
}

static void
guard_off(struct pipe_guard *g)
{
	const struct timespec zero = { 0, 0 };
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (!g->pending_before && sigpending(&pend) == 0 &&
	    sigismember(&pend, SIGPIPE))
		(void)sigtimedwait(&set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &g->old, NULL);
}

/* Where this connection goes, for messages: never the password. */
static const char *
where(const struct rw_redis *r, char *buf, size_t len)
{
	if (r->url.unix_socket)
		snprintf(buf, len, "redis unix:%s", r->url.path);
	else
		snprintf(buf, len, "redis %s:%d", r->url.host, r->url.port);
	return buf;
}

static void
drop_connection(struct rw_redis *r)
{
	if (r->c != NULL) {
		rw_redis_ctx_free(r->c);
		r->c = NULL;
	}
	if (r->cluster)
		rw_cluster_map_disconnect(&r->map);
	/* sent but unanswered: they may have run; at-least-once, never lost */
	to_spool(r, r->fl + r->fl_done, r->nfl - r->fl_done);
	r->nfl = r->fl_done = 0;
	r->backoff_ms = r->backoff_ms == 0 ? BACKOFF_MIN_MS :
	    r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    r->backoff_ms * 2;
	r->next_try_ms = now_ms() + r->backoff_ms;
}

/* The node c talks to, for messages. */
static const char *
where_ctx(const struct rw_redis *r, const redisContext *c, char *buf,
    size_t len)
{
	if (!r->cluster || c == NULL || c == r->c ||
	    c->connection_type != REDIS_CONN_TCP)
		return where(r, buf, len);
	snprintf(buf, len, "redis cluster node %s:%d", c->tcp.host, c->tcp.port);
	return buf;
}

/* An I/O failure on c: err says where, the connection (all nodes) goes. */
static void
io_failed(struct rw_redis *r, const redisContext *c, const char *what,
    struct rw_err *err)
{
	char w[600];

	rw_err_set(err, c != NULL && rw_reply_refused(c->reader) != NULL ?
	    "redis_reply_too_large" : "redis_io", "%s: %s",
	    where_ctx(r, c, w, sizeof(w)),
	    c != NULL && c->errstr[0] != '\0' ? c->errstr : what);
	drop_connection(r);
}

/* An error reply becomes NULL with reason "redis_error_reply". */
static redisReply *
checked(redisReply *rep, struct rw_err *err)
{
	if (rep->type == REDIS_REPLY_ERROR) {
		rw_err_set(err, "redis_error_reply", "%.*s",
		    (int)(rep->len > 200 ? 200 : rep->len), rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/*
 * One command on context c, reply checked.  Returns the reply or NULL
 * with err; an error reply is reason "redis_error_reply" (what AUTH/SELECT
 * failures are mapped from).  I/O errors drop the connection.
 */
static redisReply *
raw_cmd(struct rw_redis *r, redisContext *c, int argc, const char **argv,
    const size_t *lens, struct rw_err *err)
{
	struct pipe_guard g;
	void *rep = NULL;

	if (redisAppendCommandArgv(c, argc, argv, lens) != REDIS_OK) {
		io_failed(r, c, "out of memory", err);
		return NULL;
	}
	guard_on(&g);
	(void)rw_reply_get(c, &rep);
	guard_off(&g);
	if (rep == NULL) {
		io_failed(r, c, "no reply", err);
		return NULL;
	}
	return checked(rep, err);
}

/* AUTH, SELECT and a PING that tells "password needed" early, on c. */
static int
handshake(struct rw_redis *r, redisContext *c, struct rw_err *err)
{
	struct rw_err e;
	redisReply *rep;
	char w[600], db[16];
	const char *argv[3];
	int argc = 0;

	rw_err_clear(&e);
	if (r->url.password[0] != '\0') {
		argv[argc++] = "AUTH";
		if (r->url.user[0] != '\0')
			argv[argc++] = r->url.user;
		argv[argc++] = r->url.password;
		if ((rep = raw_cmd(r, c, argc, argv, NULL, &e)) == NULL)
			goto refused;
		freeReplyObject(rep);
	}
	if (r->url.db != 0) {
		snprintf(db, sizeof(db), "%d", r->url.db);
		argv[0] = "SELECT";
		argv[1] = db;
		if ((rep = raw_cmd(r, c, 2, argv, NULL, &e)) == NULL)
			goto refused;
		freeReplyObject(rep);
	}
	argv[0] = "PING";
	if ((rep = raw_cmd(r, c, 1, argv, NULL, &e)) == NULL)
		goto refused;
	freeReplyObject(rep);
	return 0;
refused:
	if (e.reason != NULL && strcmp(e.reason, "redis_error_reply") == 0) {
		const char *reason = rw_redis_error_reason(e.msg);

		if (strcmp(reason, "redis_reply_noauth") == 0)
			rw_err_set(err, "redis_auth_required", "%s: the server "
			    "wants a password (set redis-password or put it in "
			    "the URL)", where_ctx(r, c, w, sizeof(w)));
		else if (strcmp(reason, "redis_reply_wrongpass") == 0 ||
		    strncmp(e.msg, "ERR AUTH", 8) == 0 ||
		    strncmp(e.msg, "ERR invalid password", 20) == 0)
			rw_err_set(err, "redis_auth_refused", "%s: AUTH refused "
			    "for user '%s': %s", where_ctx(r, c, w, sizeof(w)),
			    r->url.user[0] != '\0' ? r->url.user : "default",
			    e.msg);
		else
			rw_err_set(err, "redis_handshake", "%s: %s",
			    where_ctx(r, c, w, sizeof(w)), e.msg);
		drop_connection(r);
	} else
		rw_err_set(err, e.reason, "%s", e.msg);
	return -1;
}

/* The hook's own commands go straight out: no queue, no spool replay. */
static int
call_on_connect(struct rw_redis *r, struct rw_err *err)
{
	int rc;

	r->in_connect = true;
	rc = r->on_connect(r, r->on_connect_arg, err);
	r->in_connect = false;
	return rc;
}

/*
 * A new context to host:port (NULL host: the URL's server) with the
 * timeout set and the handshake done.  Returns it, or NULL with err and
 * the connection (all nodes) dropped.
 */
static redisContext *
open_ctx(struct rw_redis *r, const char *host, int port, struct rw_err *err)
{
	char w[600];
	redisContext *c;

	c = host == NULL && r->url.unix_socket ?
	    redisConnectUnixWithTimeout(r->url.path, r->timeout) :
	    redisConnectWithTimeout(host != NULL ? host : r->url.host,
	    host != NULL ? port : r->url.port, r->timeout);
	if (c == NULL || c->err != 0 || redisSetTimeout(c, r->timeout) !=
	    REDIS_OK) {
		if (host == NULL)
			where(r, w, sizeof(w));
		else
			snprintf(w, sizeof(w), "redis cluster node %s:%d",
			    host, port);
		rw_err_set(err, "redis_connect", "%s: %s", w, c == NULL ?
		    "out of memory" : c->err != 0 ? c->errstr :
		    "cannot set the timeout");
		if (c != NULL)
			rw_redis_ctx_free(c);
		drop_connection(r);
		return NULL;
	}
	if (rw_reply_guard(c->reader, &r->limits, r->st, err) == -1) {
		rw_redis_ctx_free(c);
		drop_connection(r);
		return NULL;
	}
	/* a failed handshake has dropped the connection */
	if (handshake(r, c, err) == -1) {
		rw_redis_ctx_free(c);
		return NULL;
	}
	return c;
}

/* Node i's context, connected (with the handshake) when it has none. */
static redisContext *
node_ctx(struct rw_redis *r, int i, struct rw_err *err)
{
	struct rw_cluster_node *nd = &r->map.nodes[i];

	if (nd->c == NULL)
		nd->c = open_ctx(r, nd->host, nd->port, err);
	return nd->c;
}

/* CLUSTER SLOTS on the seed into the map; 0, or -1 with err. */
static int
load_slots(struct rw_redis *r, struct rw_err *err)
{
	const char *argv[2] = { "CLUSTER", "SLOTS" };
	struct rw_err e;
	redisReply *rep;
	char w[600];
	int rc;

	rw_err_clear(&e);
	if ((rep = raw_cmd(r, r->c, 2, argv, NULL, &e)) == NULL) {
		if (e.reason != NULL && strcmp(e.reason, "redis_error_reply") == 0)
			rw_err_set(err, "redis_cluster_slots", "%s: CLUSTER SLOTS "
			    "refused (redis-cluster yes needs a cluster node): "
			    "%s", where(r, w, sizeof(w)), e.msg);
		else
			rw_err_set(err, e.reason, "%s", e.msg);
		return -1;
	}
	rc = rw_cluster_map_load(&r->map, rep, r->c->tcp.host, err);
	freeReplyObject(rep);
	if (rc == 0) {
		stats_incr(r->st, "redis_cluster_slots_loaded");
		r->moved = false;
	}
	return rc;
}

/* The slot map and a connection to every master. */
static int
cluster_connect(struct rw_redis *r, struct rw_err *err)
{
	size_t i;

	if (load_slots(r, err) == -1) {
		if (r->c != NULL)	/* not dropped by an I/O error */
			drop_connection(r);
		return -1;
	}
	for (i = 0; i < r->map.n; i++)
		if (node_ctx(r, (int)i, err) == NULL)
			return -1;
	return 0;
}

/*
 * The context for a command of slot (cluster.h's values): the master of
 * the slot; the seed for keyless commands (and malformed ones, which it
 * refuses).  NULL with err when no master serves the slot, or when
 * connecting failed (the connection is dropped then).
 */
static redisContext *
route(struct rw_redis *r, int slot, struct rw_err *err)
{
	int i;

	if (slot < 0)
		return r->c;
	if ((i = rw_cluster_slot_node(&r->map, (unsigned)slot)) < 0) {
		rw_err_set(err, "redis_cluster_slots", "no master serves slot "
		    "%d", slot);
		return NULL;
	}
	return node_ctx(r, i, err);
}

/*
 * Sends the formatted command buf on c (after ASKING when asking) and
 * reads its reply into *rep.  Returns 0, or -1 with err and the
 * connection dropped.
 */
static int
exchange(struct rw_redis *r, redisContext *c, const char *buf, size_t len,
    bool asking, redisReply **rep, struct rw_err *err)
{
	static const char asking_cmd[] = "*1\r\n$6\r\nASKING\r\n";
	struct pipe_guard g;
	void *a = NULL, *b = NULL;
	bool ok;

	*rep = NULL;
	if ((asking && redisAppendFormattedCommand(c, asking_cmd,
	    sizeof(asking_cmd) - 1) != REDIS_OK) ||
	    redisAppendFormattedCommand(c, buf, len) != REDIS_OK) {
		io_failed(r, c, "out of memory", err);
		return -1;
	}
	guard_on(&g);
	ok = (!asking || (rw_reply_get(c, &a) == REDIS_OK && a != NULL)) &&
	    rw_reply_get(c, &b) == REDIS_OK && b != NULL;
	guard_off(&g);
	if (a != NULL)
		freeReplyObject(a);
	if (!ok) {
		io_failed(r, c, "connection lost", err);
		return -1;
	}
	*rep = b;
	return 0;
}

/*
 * Notes a MOVED/ASK reply: MOVED points the slot at its new master at
 * once and asks for a reload of the whole map.  Returns the node to ask,
 * or -1 when the map cannot take it (the reply then stands).
 */
static int
redirected(struct rw_redis *r, const struct rw_cluster_redirect *rd)
{
	int i;

	/* "" and "?": an address the node does not know; the seed's host */
	i = rw_cluster_node(&r->map, rd->host[0] != '\0' &&
	    strcmp(rd->host, "?") != 0 ? rd->host : r->url.host, rd->port, NULL);
	if (i < 0)
		return -1;
	if (rd->ask)
		stats_incr(r->st, "redis_cluster_ask");
	else {
		stats_incr(r->st, "redis_cluster_moved");
		r->map.slot[rd->slot] = (uint16_t)(i + 1);
		r->moved = true;
	}
	return i;
}

/*
 * Follows MOVED and ASK replies (*rep, replaced by the next reply) for the
 * formatted command buf, at most redis-cluster-max-redirects times; the
 * last reply stands, a redirection included.  Returns 0, or -1 with err
 * (I/O: the connection is dropped, *rep is NULL).
 */
static int
follow(struct rw_redis *r, const char *buf, size_t len, redisReply **rep,
    struct rw_err *err)
{
	struct rw_cluster_redirect rd;
	redisContext *c;
	uint64_t hops;
	int i;

	for (hops = 0; hops < r->max_redirects; hops++) {
		if ((*rep)->type != REDIS_REPLY_ERROR ||
		    rw_cluster_redirect_parse((*rep)->str, (*rep)->len, &rd) != 1 ||
		    (i = redirected(r, &rd)) < 0)
			return 0;
		freeReplyObject(*rep);
		*rep = NULL;
		if ((c = node_ctx(r, i, err)) == NULL ||
		    exchange(r, c, buf, len, rd.ask, rep, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * One formatted command on the cluster: to its slot's master (redirections
 * followed), or to every master for RW_CLUSTER_ALL (FUNCTION LOAD: the
 * first error reply, else the last reply).  Returns the reply, or NULL
 * with err.
 */
static redisReply *
cluster_cmd(struct rw_redis *r, const char *buf, size_t len,
    struct rw_err *err)
{
	int slot = rw_cluster_cmd_slot(buf, len);
	redisReply *rep = NULL, *one;
	redisContext *c;
	size_t i;

	if (slot != RW_CLUSTER_ALL) {
		if ((c = route(r, slot, err)) == NULL ||
		    exchange(r, c, buf, len, false, &rep, err) == -1 ||
		    follow(r, buf, len, &rep, err) == -1)
			return NULL;
		return rep;
	}
	for (i = 0; i < r->map.n; i++) {
		if ((c = node_ctx(r, (int)i, err)) == NULL ||
		    exchange(r, c, buf, len, false, &one, err) == -1) {
			if (rep != NULL)
				freeReplyObject(rep);
			return NULL;
		}
		if (rep != NULL && rep->type == REDIS_REPLY_ERROR)
			freeReplyObject(one);
		else {
			if (rep != NULL)
				freeReplyObject(rep);
			rep = one;
		}
	}
	return rep;
}

/* After a MOVED: the whole map again (a failure keeps the patched one). */
static void
reload_if_moved(struct rw_redis *r)
{
	if (r->moved && r->c != NULL)
		(void)load_slots(r, NULL);
}

/*
 * The URL's server; on a cluster, when it does not answer, any node of the
 * last map (after a failover the seed may be gone for good).  The backoff
 * grows once for the whole round; err is the URL server's error.
 */
static redisContext *
open_seed(struct rw_redis *r, struct rw_err *err)
{
	uint64_t backoff = r->backoff_ms;
	redisContext *c;
	size_t i;

	if ((c = open_ctx(r, NULL, 0, err)) != NULL || !r->cluster)
		return c;
	for (i = 0; i < r->map.n && c == NULL; i++) {
		r->backoff_ms = backoff;
		c = open_ctx(r, r->map.nodes[i].host, r->map.nodes[i].port, NULL);
	}
	return c;
}

static int
connect_now(struct rw_redis *r, struct rw_err *err)
{
	if ((r->c = open_seed(r, err)) == NULL)
		return -1;
	if (r->cluster && cluster_connect(r, err) == -1)
		return -1;
	if (r->on_connect != NULL && call_on_connect(r, err) == -1) {
		drop_connection(r);
		return -1;
	}
	r->backoff_ms = 0;
	return 0;
}

/* Connects when away and the backoff allows (force: ignore backoff). */
static bool
ensure_connected(struct rw_redis *r, bool force, struct rw_err *err)
{
	char w[600];

	if (r->c != NULL)
		return true;
	if (!force && now_ms() < r->next_try_ms) {
		rw_err_set(err, "redis_unavailable", "%s: not connected, next "
		    "try in %llu ms", where(r, w, sizeof(w)),
		    (unsigned long long)(r->next_try_ms - now_ms()));
		return false;
	}
	if (connect_now(r, err) == -1) {
		stats_incr(r->st, "redis_connect_failed");
		return false;
	}
	stats_incr(r->st, "redis_connects");
	return true;
}

/* A non-empty config value replaces the URL's. */
static int
override(char *dst, size_t dstsz, const char *val, const char *key,
    struct rw_err *err)
{
	size_t len = strlen(val);

	if (len == 0)
		return 0;
	if (len >= dstsz) {
		rw_err_set(err, "redis_bad_config", "%s: longer than %zu bytes",
		    key, dstsz - 1);
		return -1;
	}
	memcpy(dst, val, len + 1);
	return 0;
}

int
rw_redis_open(struct rw_redis **out, const struct rw_config *cfg,
    struct stats *st, struct rw_err *err)
{
	struct rw_redis *r;
	char dir[RW_STATE_DIR_MAX], url[RW_STATE_DIR_MAX + 16];
	const char *u = cfg->redis_url;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		return -1;
	}
	r->st = st;
	r->limits.max_elements = cfg->redis_max_reply_elements;
	r->limits.max_bytes = cfg->redis_max_reply_bytes;
	r->timeout.tv_sec = (time_t)cfg->redis_timeout;
	r->batch = cfg->redis_batch > 0 ? cfg->redis_batch : 1;
	r->batch_bytes = cfg->redis_batch_bytes;
	r->flush_ms = cfg->redis_flush_ms > 0 ? cfg->redis_flush_ms : 1;
	r->overlap = cfg->redis_inflight > 0 && !cfg->redis_cluster;
	if ((r->q = calloc(r->batch, sizeof(*r->q))) == NULL ||
	    (r->fl = calloc(r->batch, sizeof(*r->fl))) == NULL) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		goto fail;
	}
	/* the state directory is made only for the private server or a spool */
	if (rw_state_dir_path(cfg, dir, sizeof(dir), err) == -1)
		goto fail;
	if (*u == '\0') {
		if (rw_state_dir(cfg, dir, sizeof(dir), err) == -1 ||
		    rw_embedded_ensure(cfg, dir, url, sizeof(url), err) == -1)
			goto fail;
		u = url;
	}
	if (rw_redis_url_parse(&r->url, u, err) == -1)
		goto fail;
	if (cfg->redis_cluster && (*cfg->redis_url == '\0' ||
	    r->url.unix_socket || r->url.db != 0)) {
		rw_err_set(err, "redis_bad_config", "redis-cluster needs a "
		    "redis-url redis://host:port (database 0) of a cluster node");
		goto fail;
	}
	r->cluster = cfg->redis_cluster;
	r->max_redirects = cfg->redis_cluster_max_redirects;
	if (r->cluster && rw_cluster_map_init(&r->map,
	    cfg->redis_cluster_max_nodes, err) == -1)
		goto fail;
	/* the private server has no password: its socket is mode 0700 */
	if (*cfg->redis_url != '\0' && (override(r->url.user,
	    sizeof(r->url.user), cfg->redis_user, "redis-user", err) == -1 ||
	    override(r->url.password, sizeof(r->url.password),
	    cfg->redis_password, "redis-password", err) == -1))
		goto fail;
	if (connect_now(r, err) == -1)
		goto fail;
	stats_incr(st, "redis_connects");
	snprintf(r->spool_dir, sizeof(r->spool_dir), "%s/spool", dir);
	r->spool_max = cfg->redis_spool_max;
	/* a spool left by an earlier run is replayed first */
	if (access(r->spool_dir, F_OK) == 0) {
		(void)spool_ready(r);
		adopt_orphans(r);
	}
	*out = r;
	return 0;
fail:
	explicit_bzero(r->url.password, sizeof(r->url.password));
	if (r->c != NULL)
		rw_redis_ctx_free(r->c);
	rw_cluster_map_free(&r->map);
	free(r->via);
	free(r->q);
	free(r->fl);
	free(r);
	return -1;
}

void
rw_redis_on_connect(struct rw_redis *r, rw_redis_connect_fn fn, void *arg)
{
	struct rw_err err;

	r->on_connect = fn;
	r->on_connect_arg = arg;
	/* the connection made by rw_redis_open gets it too */
	if (r->c != NULL && fn != NULL && call_on_connect(r, &err) == -1)
		stats_incr(r->st, "redis_on_connect_failed");
}

static void
cmd_free(struct rw_cmd *c)
{
	redisFreeCommand(c->buf);
	c->buf = NULL;
}

/* Counts a reply and hands it to the writer's callback. */
static void
account_reply(struct rw_redis *r, const redisReply *rep, rw_redis_reply_fn cb,
    void *cbarg)
{
	if (rep->type == REDIS_REPLY_ERROR) {
		stats_incr(r->st, "redis_reply_error");
		stats_incr(r->st, rw_redis_error_reason(rep->str));
		rw_escape(r->last_error, sizeof(r->last_error), rep->str,
		    rep->len);
	} else
		stats_incr(r->st, "redis_written");
	if (cb != NULL)
		cb(cbarg, rep);
}

/*
 * pipeline() on a cluster: each command to its slot's master, all sent
 * before any reply is read; replies read in command order (each node
 * answers its own in order).  Redirected commands are sent again one by
 * one once every reply is read (a node's context holds no other reply
 * then).  Returns the number of leading commands answered.
 */
static size_t
pipeline_cluster(struct rw_redis *r, struct rw_cmd *cmds, size_t n,
    struct rw_err *err)
{
	struct rw_cluster_redirect rd;
	struct pipe_guard g;
	redisContext *c, **via;
	redisReply *rep;
	size_t i, first_redirect = n;
	void *v;

	if (n > r->nvia) {
		if ((via = realloc(r->via, n * sizeof(*via))) == NULL) {
			rw_err_set(err, "redis_oom", "%s: out of memory",
			    __func__);
			return 0;
		}
		r->via = via;
		r->nvia = n;
	}
	for (i = 0; i < n; i++)
		if ((r->via[i] = route(r, rw_cluster_cmd_slot(cmds[i].buf,
		    cmds[i].len), err)) == NULL || redisAppendFormattedCommand(
		    r->via[i], cmds[i].buf, cmds[i].len) != REDIS_OK) {
			/* what was appended elsewhere must not go out later */
			if (r->c != NULL)
				drop_connection(r);
			stats_incr(r->st, "redis_io_error");
			return 0;
		}
	guard_on(&g);
	for (i = 0; i < n; i++) {
		c = r->via[i];
		if (rw_reply_get(c, &v) != REDIS_OK || v == NULL)
			break;
		rep = v;
		if (rep->type == REDIS_REPLY_ERROR && rw_cluster_redirect_parse(
		    rep->str, rep->len, &rd) == 1 && redirected(r, &rd) >= 0) {
			r->via[i] = NULL;	/* sent again below */
			if (first_redirect == n)
				first_redirect = i;
		} else
			account_reply(r, rep, cmds[i].cb, cmds[i].cbarg);
		freeReplyObject(rep);
	}
	guard_off(&g);
	if (i < n) {
		io_failed(r, c, "connection lost", err);
		stats_incr(r->st, "redis_io_error");
		return i < first_redirect ? i : first_redirect;
	}
	for (i = first_redirect; i < n; i++) {
		if (r->via[i] != NULL)
			continue;
		if ((c = route(r, rw_cluster_cmd_slot(cmds[i].buf, cmds[i].len),
		    err)) == NULL || exchange(r, c, cmds[i].buf, cmds[i].len,
		    false, &rep, err) == -1 || follow(r, cmds[i].buf,
		    cmds[i].len, &rep, err) == -1) {
			stats_incr(r->st, "redis_io_error");
			return i;
		}
		account_reply(r, rep, cmds[i].cb, cmds[i].cbarg);
		freeReplyObject(rep);
	}
	reload_if_moved(r);
	stats_incr(r->st, "redis_batches");
	return n;
}

/*
 * Sends n formatted commands pipelined and reads their n replies.  Returns
 * the number answered: n, or fewer when the connection broke (dropped then).
 */
static size_t
pipeline(struct rw_redis *r, struct rw_cmd *cmds, size_t n, struct rw_err *err)
{
	struct pipe_guard g;
	char w[600];
	size_t i;
	void *rep;

	if (r->cluster)
		return pipeline_cluster(r, cmds, n, err);

	for (i = 0; i < n; i++)
		if (redisAppendFormattedCommand(r->c, cmds[i].buf,
		    cmds[i].len) != REDIS_OK) {
			i = 0;
			goto broken;
		}
	guard_on(&g);
	for (i = 0; i < n; i++) {
		if (rw_reply_get(r->c, &rep) != REDIS_OK || rep == NULL)
			break;
		account_reply(r, rep, cmds[i].cb, cmds[i].cbarg);
		freeReplyObject(rep);
	}
	guard_off(&g);
	if (i == n) {
		stats_incr(r->st, "redis_batches");
		return n;
	}
broken:
	rw_err_set(err, "redis_io", "%s: %s", where(r, w, sizeof(w)),
	    r->c->errstr[0] != '\0' ? r->c->errstr : "connection lost");
	stats_incr(r->st, "redis_io_error");
	drop_connection(r);
	return i;
}

/* Opens the spool (and the state directory) the first time it is needed. */
static bool
spool_ready(struct rw_redis *r)
{
	struct rw_err err;

	if (r->spool != NULL)
		return true;
	if (r->spool_failed || r->spool_max == 0)
		return false;
	if (rw_mkdir_p(r->spool_dir) == -1 ||
	    spool_open(&r->spool, r->spool_dir, r->spool_max, &err) == -1) {
		/* without a spool, writes while Redis is away are dropped */
		stats_incr(r->st, "redis_spool_unavailable");
		r->spool_failed = true;
		return false;
	}
	return true;
}

/* Appends cmds to the spool; what does not fit is dropped and counted. */
static void
to_spool(struct rw_redis *r, struct rw_cmd *cmds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (spool_ready(r) &&
		    spool_append(r->spool, cmds[i].buf, cmds[i].len) == 0)
			stats_incr(r->st, "redis_spooled");
		else
			stats_incr(r->st, "redis_spool_dropped");
		cmd_free(&cmds[i]);
	}
}

/*
 * Replays sp in batches while connected, until it is empty or deadline_ms
 * (0: none) passes.  Returns 0 when empty, -1 otherwise.
 */
static int
replay_spool(struct rw_redis *r, struct rw_spool *sp, uint64_t deadline_ms,
    struct rw_err *err)
{
	struct rw_cmd cmds[64];
	size_t n, done, i;
	int got = 0;

	while (sp != NULL && spool_pending(sp)) {
		if (r->c == NULL || (deadline_ms != 0 && now_ms() >= deadline_ms))
			return -1;
		for (n = 0; n < sizeof(cmds) / sizeof(cmds[0]); n++) {
			memset(&cmds[n], 0, sizeof(cmds[n]));
			got = spool_next(sp, &cmds[n].buf, &cmds[n].len, err);
			if (got != 1)
				break;
		}
		if (got == -1)
			stats_incr(r->st, "redis_spool_corrupt");
		done = n > 0 ? pipeline(r, cmds, n, err) : 0;
		for (i = 0; i < n; i++) {
			free(cmds[i].buf);	/* malloc'ed by spool_next */
			cmds[i].buf = NULL;
		}
		if (done < n) {
			spool_rewind(sp);
			return -1;
		}
		stats_add(r->st, "redis_spool_replayed", n);
		spool_commit(sp);
	}
	return 0;
}

static int
replay(struct rw_redis *r, uint64_t deadline_ms, struct rw_err *err)
{
	return replay_spool(r, r->spool, deadline_ms, err);
}

/*
 * Spools left by processes that ran beside another one (redis.PID.spool)
 * and ended while Redis was away: replayed here, at open, and removed.
 */
static void
adopt_orphans(struct rw_redis *r)
{
	struct rw_spool *sp;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(r->spool_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (spool_open_orphan(&sp, r->spool_dir, de->d_name,
		    r->spool_max) == -1)
			continue;
		stats_incr(r->st, "redis_spool_orphans");
		(void)replay_spool(r, sp, 0, NULL);
		spool_close(sp);
	}
	closedir(d);
}

/* The next reply of the in-flight batch, handed to its writer. */
static void
answered(struct rw_redis *r, redisReply *rep)
{
	struct rw_cmd *c = &r->fl[r->fl_done++];

	account_reply(r, rep, c->cb, c->cbarg);
	freeReplyObject(rep);
	cmd_free(c);
	if (r->fl_done == r->nfl) {
		r->nfl = r->fl_done = 0;
		stats_incr(r->st, "redis_batches");
	}
}

/*
 * Reads every reply the in-flight batch still waits for.  Returns 0, or
 * -1 with err: the connection is dropped, the unanswered commands spooled.
 */
static int
drain(struct rw_redis *r, struct rw_err *err)
{
	struct pipe_guard g;
	void *rep = NULL;
	bool ok = true;

	if (r->nfl == 0)
		return 0;
	guard_on(&g);
	while (ok && r->nfl > 0)
		if ((ok = rw_reply_get(r->c, &rep) == REDIS_OK && rep != NULL))
			answered(r, rep);
	guard_off(&g);
	if (ok)
		return 0;
	stats_incr(r->st, "redis_io_error");
	io_failed(r, r->c, "connection lost", err);
	return -1;
}

/* The in-flight replies that have arrived, without waiting for more. */
static void
collect(struct rw_redis *r)
{
	struct pollfd pfd;
	void *rep;

	if (r->nfl == 0)
		return;
	pfd.fd = r->c->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) != 1)
		return;
	if (redisBufferRead(r->c) != REDIS_OK) {
		stats_incr(r->st, "redis_io_error");
		io_failed(r, r->c, "connection lost", NULL);
		return;
	}
	while (r->nfl > 0) {
		if (rw_reply_take(r->c, &rep) != REDIS_OK) {
			stats_incr(r->st, "redis_io_error");
			io_failed(r, r->c, "connection lost", NULL);
			return;
		}
		if (rep == NULL)
			return;
		answered(r, rep);
	}
}

/*
 * Sends the queue, then reads the replies of the batch sent before it;
 * the queue becomes the in-flight batch.  Returns 0, or -1 with err (the
 * connection dropped, the in-flight commands spooled; the queue, sent or
 * not, is the caller's to spool after them).
 */
static int
send_overlapped(struct rw_redis *r, struct rw_err *err)
{
	struct pipe_guard g;
	struct rw_cmd *t;
	size_t i;
	int done = 0, rc = REDIS_OK;

	for (i = 0; i < r->nq && rc == REDIS_OK; i++)
		rc = redisAppendFormattedCommand(r->c, r->q[i].buf, r->q[i].len);
	guard_on(&g);
	while (rc == REDIS_OK && !done)
		rc = redisBufferWrite(r->c, &done);
	guard_off(&g);
	if (rc != REDIS_OK) {
		stats_incr(r->st, "redis_io_error");
		io_failed(r, r->c, "connection lost", err);
		return -1;
	}
	if (drain(r, err) == -1)
		return -1;
	t = r->fl;
	r->fl = r->q;
	r->q = t;
	r->nfl = r->nq;
	r->fl_done = 0;
	r->fl_since_ms = now_ms();
	r->nq = 0;
	r->q_bytes = 0;
	return 0;
}

/*
 * Sends the queue: spool first, then the batch; on any failure the rest of
 * the queue goes to the spool.  force: ignore backoff and time budget.
 * keep: the batch may stay in flight (redis-inflight), its replies read
 * when the next batch is sent; otherwise every reply is read on return.
 */
static int
send_queue(struct rw_redis *r, bool force, bool keep, struct rw_err *err)
{
	uint64_t deadline = force ? 0 : now_ms() + (uint64_t)r->timeout.tv_sec * 1000;
	size_t done = 0, i;
	int rc = 0;

	if (!ensure_connected(r, force, err))
		rc = -1;
	else if (r->nq > 0 && keep && r->overlap && !spool_pending(r->spool))
		rc = send_overlapped(r, err);
	else if (drain(r, err) == -1 || replay(r, deadline, err) == -1)
		rc = -1;
	else if (r->nq > 0) {
		done = pipeline(r, r->q, r->nq, err);
		for (i = 0; i < done; i++)
			cmd_free(&r->q[i]);
		if (done < r->nq)
			rc = -1;
	}
	/* unanswered commands may have run: at-least-once, never lost */
	to_spool(r, r->q + done, r->nq - done);
	r->nq = 0;
	r->q_bytes = 0;
	return rc;
}

int
rw_redis_write(struct rw_redis *r, int argc, const char **argv,
    const size_t *lens, rw_redis_reply_fn cb, void *cbarg)
{
	struct rw_cmd *c;
	char *buf;
	int len;

	if ((len = redisFormatCommandArgv(&buf, argc, argv, lens)) < 0) {
		stats_incr(r->st, "redis_format_error");
		return -1;
	}
	if (r->nq == 0)
		r->q_since_ms = now_ms();
	c = &r->q[r->nq++];
	c->buf = buf;
	c->len = (size_t)len;
	c->cb = cb;
	c->cbarg = cbarg;
	r->q_bytes += (uint64_t)len;
	/* large commands (batched events) bound the queue by bytes too */
	if (r->nq == r->batch || r->q_bytes >= r->batch_bytes)
		(void)send_queue(r, false, true, NULL);
	return 0;
}

int
rw_redis_flush(struct rw_redis *r, struct rw_err *err)
{
	return send_queue(r, true, false, err);
}

void
rw_redis_tick(struct rw_redis *r)
{
	/* a reply (an alert) waits for the next batch at most redis-flush-ms */
	collect(r);
	if (r->nfl > 0 && now_ms() - r->fl_since_ms >= r->flush_ms)
		(void)drain(r, NULL);
	if (r->nq >= r->batch || (r->nq > 0 && now_ms() - r->q_since_ms >=
	    r->flush_ms) || (r->c == NULL && now_ms() >= r->next_try_ms &&
	    spool_pending(r->spool)) || (r->c != NULL && spool_pending(r->spool)))
		(void)send_queue(r, false, true, NULL);
}

/* rw_redis_cmd_argv() on a cluster. */
static redisReply *
cluster_argv(struct rw_redis *r, int argc, const char **argv,
    const size_t *lens, struct rw_err *err)
{
	redisReply *rep;
	char *buf;
	int len;

	if ((len = redisFormatCommandArgv(&buf, argc, argv, lens)) < 0) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		return NULL;
	}
	rep = cluster_cmd(r, buf, (size_t)len, err);
	redisFreeCommand(buf);
	reload_if_moved(r);
	return rep == NULL ? NULL : checked(rep, err);
}

redisReply *
rw_redis_cmd_argv(struct rw_redis *r, int argc, const char **argv,
    const size_t *lens, struct rw_err *err)
{
	/* what was written before is visible to what is read now */
	if (!r->in_connect && send_queue(r, false, false, err) == -1 &&
	    r->c == NULL)
		return NULL;
	return r->cluster ? cluster_argv(r, argc, argv, lens, err) :
	    raw_cmd(r, r->c, argc, argv, lens, err);
}

const char *
rw_redis_last_error(const struct rw_redis *r)
{
	return r->last_error;
}

void
rw_redis_close(struct rw_redis *r)
{
	if (r == NULL)
		return;
	(void)send_queue(r, true, false, NULL);
	spool_close(r->spool);
	if (r->c != NULL)
		rw_redis_ctx_free(r->c);
	rw_cluster_map_free(&r->map);
	free(r->via);
	explicit_bzero(r->url.password, sizeof(r->url.password));
	free(r->q);
	free(r->fl);
	free(r);
}
