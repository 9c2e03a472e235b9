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
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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

	rw_redis_connect_fn	 on_connect;
	void			*on_connect_arg;
	bool			 in_connect;	/* inside on_connect */

	struct rw_cmd		*q;	/* queued, not yet sent */
	size_t			 nq, batch;
	uint64_t		 q_bytes, batch_bytes;
	uint64_t		 q_since_ms;	/* when the oldest was queued */
	uint64_t		 flush_ms;	/* a partial batch waits this long */

	struct rw_spool		*spool;	/* opened when first needed */
	char			 spool_dir[RW_STATE_DIR_MAX + 8];
	uint64_t		 spool_max;	/* 0: no spool, drops */
	bool			 spool_failed;	/* counted once, not retried */
	char			 last_error[128];
	uint64_t		 next_try_ms;
	uint64_t		 backoff_ms;
};

static bool	spool_ready(struct rw_redis *r);
static void	adopt_orphans(struct rw_redis *r);

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
		redisFree(r->c);
		r->c = NULL;
	}
	r->backoff_ms = r->backoff_ms == 0 ? BACKOFF_MIN_MS :
	    r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    r->backoff_ms * 2;
	r->next_try_ms = now_ms() + r->backoff_ms;
}

/*
 * One command on the raw context, reply checked.  Returns the reply or NULL
 * with err; an error reply is reason "redis_error_reply" (what AUTH/SELECT
 * failures are mapped from).  I/O errors drop the connection.
 */
static redisReply *
raw_cmd(struct rw_redis *r, int argc, const char **argv, const size_t *lens,
    struct rw_err *err)
{
	struct pipe_guard g;
	char w[600];
	redisReply *rep;

	guard_on(&g);
	rep = redisCommandArgv(r->c, argc, argv, lens);
	guard_off(&g);
	if (rep == NULL) {
		rw_err_set(err, "redis_io", "%s: %s", where(r, w, sizeof(w)),
		    r->c->errstr[0] != '\0' ? r->c->errstr : "no reply");
		drop_connection(r);
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		rw_err_set(err, "redis_error_reply", "%.*s",
		    (int)(rep->len > 200 ? 200 : rep->len), rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

/* AUTH, SELECT and a PING that tells "password needed" early. */
static int
handshake(struct rw_redis *r, struct rw_err *err)
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
		if ((rep = raw_cmd(r, argc, argv, NULL, &e)) == NULL)
			goto refused;
		freeReplyObject(rep);
	}
	if (r->url.db != 0) {
		snprintf(db, sizeof(db), "%d", r->url.db);
		argv[0] = "SELECT";
		argv[1] = db;
		if ((rep = raw_cmd(r, 2, argv, NULL, &e)) == NULL)
			goto refused;
		freeReplyObject(rep);
	}
	argv[0] = "PING";
	if ((rep = raw_cmd(r, 1, argv, NULL, &e)) == NULL)
		goto refused;
	freeReplyObject(rep);
	return 0;
refused:
	if (e.reason != NULL && strcmp(e.reason, "redis_error_reply") == 0) {
		const char *reason = rw_redis_error_reason(e.msg);

		if (strcmp(reason, "redis_reply_noauth") == 0)
			rw_err_set(err, "redis_auth_required", "%s: the server "
			    "wants a password (set redis-password or put it in "
			    "the URL)", where(r, w, sizeof(w)));
		else if (strcmp(reason, "redis_reply_wrongpass") == 0 ||
		    strncmp(e.msg, "ERR AUTH", 8) == 0 ||
		    strncmp(e.msg, "ERR invalid password", 20) == 0)
			rw_err_set(err, "redis_auth_refused", "%s: AUTH refused "
			    "for user '%s': %s", where(r, w, sizeof(w)),
			    r->url.user[0] != '\0' ? r->url.user : "default",
			    e.msg);
		else
			rw_err_set(err, "redis_handshake", "%s: %s",
			    where(r, w, sizeof(w)), e.msg);
		if (r->c != NULL)
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

static int
connect_now(struct rw_redis *r, struct rw_err *err)
{
	char w[600];

	r->c = r->url.unix_socket ?
	    redisConnectUnixWithTimeout(r->url.path, r->timeout) :
	    redisConnectWithTimeout(r->url.host, r->url.port, r->timeout);
	if (r->c == NULL || r->c->err != 0) {
		rw_err_set(err, "redis_connect", "%s: %s", where(r, w, sizeof(w)),
		    r->c != NULL ? r->c->errstr : "out of memory");
		drop_connection(r);
		return -1;
	}
	if (redisSetTimeout(r->c, r->timeout) != REDIS_OK) {
		rw_err_set(err, "redis_connect", "%s: cannot set the timeout",
		    where(r, w, sizeof(w)));
		drop_connection(r);
		return -1;
	}
	if (handshake(r, err) == -1)
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
	r->timeout.tv_sec = (time_t)cfg->redis_timeout;
	r->batch = cfg->redis_batch > 0 ? cfg->redis_batch : 1;
	r->batch_bytes = cfg->redis_batch_bytes;
	r->flush_ms = cfg->redis_flush_ms > 0 ? cfg->redis_flush_ms : 1;
	if ((r->q = calloc(r->batch, sizeof(*r->q))) == NULL) {
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
		redisFree(r->c);
	free(r->q);
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

	for (i = 0; i < n; i++)
		if (redisAppendFormattedCommand(r->c, cmds[i].buf,
		    cmds[i].len) != REDIS_OK) {
			i = 0;
			goto broken;
		}
	guard_on(&g);
	for (i = 0; i < n; i++) {
		if (redisGetReply(r->c, &rep) != REDIS_OK || rep == NULL)
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

/*
 * Sends the queue: spool first, then the batch; on any failure the rest of
 * the queue goes to the spool.  force: ignore backoff and time budget.
 */
static int
send_queue(struct rw_redis *r, bool force, struct rw_err *err)
{
	uint64_t deadline = force ? 0 : now_ms() + (uint64_t)r->timeout.tv_sec * 1000;
	size_t done = 0, i;
	int rc = 0;

	if (!ensure_connected(r, force, err) || replay(r, deadline, err) == -1)
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
		(void)send_queue(r, false, NULL);
	return 0;
}

int
rw_redis_flush(struct rw_redis *r, struct rw_err *err)
{
	return send_queue(r, true, err);
}

void
rw_redis_tick(struct rw_redis *r)
{
	if (r->nq >= r->batch || (r->nq > 0 && now_ms() - r->q_since_ms >=
	    r->flush_ms) || (r->c == NULL && now_ms() >= r->next_try_ms &&
	    spool_pending(r->spool)) || (r->c != NULL && spool_pending(r->spool)))
		(void)send_queue(r, false, NULL);
}

redisReply *
rw_redis_cmd_argv(struct rw_redis *r, int argc, const char **argv,
    const size_t *lens, struct rw_err *err)
{
	/* what was written before is visible to what is read now */
	if (!r->in_connect && send_queue(r, false, err) == -1 && r->c == NULL)
		return NULL;
	return raw_cmd(r, argc, argv, lens, err);
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
	(void)send_queue(r, true, NULL);
	spool_close(r->spool);
	if (r->c != NULL)
		redisFree(r->c);
	explicit_bzero(r->url.password, sizeof(r->url.password));
	free(r->q);
	free(r);
}
