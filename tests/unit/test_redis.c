/*
 * test_redis.c - redis/: URL parsing, open (AUTH, SELECT), the synchronous
 * command and the pipelined write path against a real redis-server.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redis/redis.h"
#include "tests/unit/redis_server.h"
#include "tests/unit/unit.h"

static struct test_redis srv;

static void
url_ok(const char *url, bool unix_socket, const char *host, int port,
    const char *path, const char *user, const char *pass, int db)
{
	struct rw_redis_url u;
	struct rw_err err;

	rw_err_clear(&err);
	CHECK_INT(rw_redis_url_parse(&u, url, &err), 0);
	if (err.reason != NULL)
		fprintf(stderr, "%s: %s\n", url, err.msg);
	CHECK_INT(u.unix_socket, unix_socket);
	CHECK_STR(u.host, host);
	CHECK_INT(u.port, port);
	CHECK_STR(u.path, path);
	CHECK_STR(u.user, user);
	CHECK_STR(u.password, pass);
	CHECK_INT(u.db, db);
}

static void
url_bad(const char *url, const char *want_in_msg)
{
	struct rw_redis_url u;
	struct rw_err err;

	rw_err_clear(&err);
	CHECK_INT(rw_redis_url_parse(&u, url, &err), -1);
	CHECK_STR(err.reason, "redis_bad_url");
	if (strstr(err.msg, want_in_msg) == NULL) {
		unit.failed++;
		fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", url,
		    err.msg, want_in_msg);
	}
	/* no password in the message, whatever went wrong */
	CHECK(strstr(err.msg, "s3cr") == NULL);
	CHECK_STR(u.password, "");
}

static void
test_url(void)
{
	url_ok("redis://127.0.0.1", false, "127.0.0.1", 6379, "", "", "", 0);
	url_ok("redis://localhost:6380/3", false, "localhost", 6380, "", "",
	    "", 3);
	url_ok("redis://:s3cret@h:1/", false, "h", 1, "", "", "s3cret", 0);
	url_ok("redis://alice:p%40ss%2Fw%3Ard@[::1]:7000/15", false, "::1",
	    7000, "", "alice", "p@ss/w:rd", 15);
	url_ok("redis://s3cret@h", false, "h", 6379, "", "", "s3cret", 0);
	url_ok("REDIS://a:b@c@h:2/1", false, "h", 2, "", "a", "b@c", 1);
	url_ok("unix:///run/redis/redis.sock", true, "", 0,
	    "/run/redis/redis.sock", "", "", 0);
	url_ok("unix:///tmp/a%20b.sock?db=2", true, "", 0, "/tmp/a b.sock",
	    "", "", 2);
	url_ok("unix://bob:s3cret@/tmp/r.sock", true, "", 0, "/tmp/r.sock",
	    "bob", "s3cret", 0);

	url_bad("", "want redis://");
	url_bad("http://h", "want redis://");
	url_bad("rediss://h", "TLS is not supported");
	url_bad("redis://", "host name");
	url_bad("redis://:s3cret@", "host name");
	url_bad("redis://h:0", "port");
	url_bad("redis://h:65536", "port");
	url_bad("redis://h:x", "port");
	url_bad("redis://[::1", "']'");
	url_bad("redis://[::1]x", "port");
	url_bad("redis://h/x", "database");
	url_bad("redis://h/-1", "database");
	url_bad("redis://u:s3cr%zzet@h", "password");
	url_bad("redis://u:s3cr%00et@h", "password");
	url_bad("redis://u%4:s3cret@h", "user name");
	url_bad("unix://", "absolute");
	url_bad("unix://rel.sock", "absolute");
	url_bad("unix:///tmp/r.sock?db=x", "?db=N");
	url_bad("unix:///tmp/r.sock?timeout=1", "?db=N");
}

static void
cfg_for(struct rw_config *cfg, const char *url)
{
	config_defaults(cfg);
	snprintf(cfg->redis_url, sizeof(cfg->redis_url), "%s", url);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s/state", srv.dir);
}

static void
count_reply(void *arg, const redisReply *rep)
{
	int *n = arg;

	if (rep->type == REDIS_REPLY_STRING)	/* XADD: the new id */
		n[0]++;
	else if (rep->type == REDIS_REPLY_ERROR)
		n[1]++;
}

static long long
int_reply(struct rw_redis *r, const char *cmd, const char *key)
{
	const char *argv[2] = { cmd, key };
	struct rw_err err;
	redisReply *rep = rw_redis_cmd_argv(r, 2, argv, NULL, &err);
	long long v = -1;

	if (rep != NULL && rep->type == REDIS_REPLY_INTEGER)
		v = rep->integer;
	if (rep != NULL)
		freeReplyObject(rep);
	return v;
}

/* XADDs n entries seq=from..from+n-1 to key. */
static void
xadd_seq(struct rw_redis *r, const char *key, int from, int n, int *counts)
{
	char seq[32];
	const char *argv[5] = { "XADD", key, "*", "seq", seq };
	int i;

	for (i = from; i < from + n; i++) {
		snprintf(seq, sizeof(seq), "%d", i);
		CHECK_INT(rw_redis_write(r, 5, argv, NULL,
		    counts != NULL ? count_reply : NULL, counts), 0);
	}
}

/* Ticks (10 s at most) until counter name reaches want. */
static void
tick_until(struct rw_redis *r, struct stats *st, const char *name,
    uint64_t want)
{
	int i;

	for (i = 0; i < 1000 && stats_get(st, name) < want; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		rw_redis_tick(r);
		nanosleep(&ts, NULL);
	}
}

/* Every entry of key, in order, has seq 0..n-1. */
static void
check_seq(struct rw_redis *r, const char *key, int n)
{
	const char *argv[4] = { "XRANGE", key, "-", "+" };
	struct rw_err err;
	redisReply *rep = rw_redis_cmd_argv(r, 4, argv, NULL, &err);
	size_t i, bad = 0;

	CHECK(rep != NULL && rep->type == REDIS_REPLY_ARRAY);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY)
		return;
	CHECK_INT(rep->elements, n);
	for (i = 0; i < rep->elements; i++) {
		redisReply *f = rep->element[i]->element[1];

		if (f->elements != 2 || atoi(f->element[1]->str) != (int)i)
			bad++;
	}
	CHECK_INT(bad, 0);
	freeReplyObject(rep);
}

static void
test_write(void)
{
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	int counts[2] = { 0, 0 };
	const char *set[3] = { "SET", "k", "v" }, *get[2] = { "GET", "k" };
	const char *bad[2] = { "INCR", "s" };
	redisReply *rep;

	CHECK_INT(test_redis_start(&srv, NULL), 0);
	cfg_for(&cfg, srv.url);
	cfg.redis_batch = 100;
	cfg.redis_inflight = 0;		/* each batch waits for its replies */
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL) {
		fprintf(stderr, "open: %s\n", err.msg);
		return;
	}
	rep = rw_redis_cmd_argv(r, 3, set, NULL, &err);
	CHECK(rep != NULL && rep->type == REDIS_REPLY_STATUS);
	freeReplyObject(rep);
	rep = rw_redis_cmd_argv(r, 2, get, NULL, &err);
	CHECK(rep != NULL && rep->type == REDIS_REPLY_STRING &&
	    strcmp(rep->str, "v") == 0);
	freeReplyObject(rep);
	/* an error reply of the synchronous call carries Redis' message */
	rep = rw_redis_cmd_argv(r, 2, (const char *[]){ "XLEN", "k" }, NULL,
	    &err);
	CHECK(rep == NULL);
	CHECK_STR(err.reason, "redis_error_reply");
	CHECK(strncmp(err.msg, "WRONGTYPE", 9) == 0);

	/* 250 with batch 100: two full batches went out on their own */
	xadd_seq(r, "s", 0, 250, counts);
	CHECK_INT(stats_get(&st, "redis_batches"), 2);
	CHECK_INT(counts[0], 200);
	CHECK_INT(rw_redis_write(r, 2, bad, NULL, count_reply, counts), 0);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	CHECK_INT(counts[0], 250);
	CHECK_INT(counts[1], 1);
	CHECK_INT(stats_get(&st, "redis_written"), 250);
	CHECK_INT(stats_get(&st, "redis_reply_error"), 1);
	CHECK_INT(stats_get(&st, "redis_reply_other"), 1);
	CHECK_INT(int_reply(r, "XLEN", "s"), 250);
	check_seq(r, "s", 250);
	rw_redis_close(r);
	test_redis_kill(&srv);
}

static void
test_auth(void)
{
	const char *extra[] = { "--requirepass", "s3cret-pw", NULL };
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	char url[400];

	CHECK_INT(test_redis_start(&srv, extra), 0);
	stats_init(&st);

	cfg_for(&cfg, srv.url);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), -1);
	CHECK_STR(err.reason, "redis_auth_required");

	snprintf(cfg.redis_password, sizeof(cfg.redis_password), "wr0ng-pw");
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), -1);
	CHECK_STR(err.reason, "redis_auth_refused");
	CHECK(strstr(err.msg, "wr0ng") == NULL);
	CHECK(strstr(err.msg, "WRONGPASS") != NULL);

	/* the config's password overrides the URL's; db from the URL */
	snprintf(url, sizeof(url), "unix://:wr0ng-pw@%s?db=5", srv.sock);
	cfg_for(&cfg, url);
	snprintf(cfg.redis_password, sizeof(cfg.redis_password), "s3cret-pw");
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r != NULL) {
		xadd_seq(r, "db5", 0, 3, NULL);
		CHECK_INT(rw_redis_flush(r, &err), 0);
		rw_redis_close(r);
	}
	/* it went to db 5 */
	snprintf(url, sizeof(url), "unix://default:s3cret-pw@%s", srv.sock);
	cfg_for(&cfg, url);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r != NULL) {
		CHECK_INT(int_reply(r, "EXISTS", "db5"), 0);
		rw_redis_close(r);
	}
	snprintf(url, sizeof(url), "unix://default:s3cret-pw@%s?db=5", srv.sock);
	cfg_for(&cfg, url);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r != NULL) {
		CHECK_INT(int_reply(r, "XLEN", "db5"), 3);
		rw_redis_close(r);
	}
	test_redis_kill(&srv);
}

/* Ticks until the spool is empty (or 10 s): the backoff decides when. */
static void
tick_until_replayed(struct rw_redis *r, struct stats *st, uint64_t want)
{
	tick_until(r, st, "redis_spool_replayed", want);
}

/* on_connect: counts calls and what the spool had replayed at each. */
struct connect_log {
	struct stats	*st;
	int		 calls;
	uint64_t	 replayed_at[4];
};

static int
on_connect(struct rw_redis *r, void *arg, struct rw_err *err)
{
	struct connect_log *cl = arg;
	const char *argv[3] = { "SET", "connected", "1" };
	redisReply *rep;

	if (cl->calls < 4)
		cl->replayed_at[cl->calls] =
		    stats_get(cl->st, "redis_spool_replayed");
	cl->calls++;
	/* the hook may talk to Redis (e.g. FUNCTION LOAD) */
	if ((rep = rw_redis_cmd_argv(r, 3, argv, NULL, err)) == NULL)
		return -1;
	freeReplyObject(rep);
	/* ... without the spool being replayed under its feet */
	if (stats_get(cl->st, "redis_spool_replayed") != cl->replayed_at[
	    cl->calls > 4 ? 3 : cl->calls - 1])
		return -1;
	return 0;
}

static const char *const aof[] = { "--appendonly", "yes", "--appendfsync",
    "always", NULL };

/*
 * Redis killed mid-stream: what is written meanwhile is spooled and
 * arrives, in order, after it is back; a spool left by an earlier process
 * is replayed by the next one.
 */
static void
test_spool(void)
{
	struct connect_log cl = { NULL, 0, { 0 } };
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;

	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	cfg_for(&cfg, srv.url);
	cfg.redis_batch = 10;
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	cl.st = &st;
	rw_redis_on_connect(r, on_connect, &cl);
	CHECK_INT(cl.calls, 1);		/* the connection open made */
	xadd_seq(r, "sp", 0, 50, NULL);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	test_redis_kill(&srv);

	xadd_seq(r, "sp", 50, 100, NULL);
	rw_redis_tick(r);
	CHECK_INT(stats_get(&st, "redis_spooled"), 100);
	CHECK_INT(stats_get(&st, "redis_spool_dropped"), 0);
	CHECK_INT(stats_get(&st, "redis_io_error"), 1);
	CHECK_INT(rw_redis_flush(r, &err), -1);
	CHECK_STR(err.reason, "redis_connect");

	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	tick_until_replayed(r, &st, 100);
	CHECK_INT(stats_get(&st, "redis_spool_replayed"), 100);
	/* called again on reconnect, before the spool was replayed */
	CHECK_INT(cl.calls, 2);
	CHECK_INT(cl.replayed_at[1], 0);
	xadd_seq(r, "sp", 150, 50, NULL);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	check_seq(r, "sp", 200);
	CHECK_INT(stats_get(&st, "redis_written"), 200);

	/* down again, and the process ends before Redis is back */
	test_redis_kill(&srv);
	xadd_seq(r, "sp", 200, 25, NULL);
	rw_redis_close(r);
	CHECK_INT(stats_get(&st, "redis_spooled"), 125);
	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	tick_until_replayed(r, &st, 25);
	CHECK_INT(stats_get(&st, "redis_spool_replayed"), 25);
	check_seq(r, "sp", 225);
	rw_redis_close(r);
	test_redis_kill(&srv);
}

/*
 * Two writers share a state directory: the second spools to its own
 * redis.PID.spool.  Both end while Redis is away; the next process to open
 * replays both files, and removes the per-process one.
 */
static void
test_spool_orphan(void)
{
	struct rw_config cfg;
	struct stats st, st2;
	struct rw_redis *a, *b;
	struct rw_err err;
	char path[600];

	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	cfg_for(&cfg, srv.url);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state-orphan",
	    srv.dir);
	cfg.redis_batch = 5;
	stats_init(&st);
	stats_init(&st2);
	CHECK_INT(rw_redis_open(&a, &cfg, &st, &err), 0);
	CHECK_INT(rw_redis_open(&b, &cfg, &st2, &err), 0);
	if (a == NULL || b == NULL)
		return;
	test_redis_kill(&srv);
	xadd_seq(a, "oa", 0, 10, NULL);
	xadd_seq(b, "ob", 0, 15, NULL);
	rw_redis_close(b);
	rw_redis_close(a);
	CHECK_INT(stats_get(&st, "redis_spooled"), 10);
	CHECK_INT(stats_get(&st2, "redis_spooled"), 15);
	snprintf(path, sizeof(path), "%s/spool/redis.%ld.spool", cfg.state_dir,
	    (long)getpid());
	CHECK_INT(access(path, F_OK), 0);

	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	stats_init(&st);
	/* a child process: the orphan's pid is not its own */
	if (fork() == 0) {
		struct rw_redis *c;
		int ok;

		ok = rw_redis_open(&c, &cfg, &st, &err) == 0 &&
		    rw_redis_flush(c, &err) == 0 &&
		    stats_get(&st, "redis_spool_orphans") == 1 &&
		    stats_get(&st, "redis_spool_replayed") == 25;
		if (c != NULL)
			rw_redis_close(c);
		_exit(ok ? 0 : 1);
	} else {
		int status = -1;

		wait(&status);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK(access(path, F_OK) == -1);
	stats_init(&st);
	CHECK_INT(rw_redis_open(&a, &cfg, &st, &err), 0);
	if (a != NULL) {
		check_seq(a, "oa", 10);
		check_seq(a, "ob", 15);
		rw_redis_close(a);
	}
	test_redis_kill(&srv);
}

/* A full spool drops, counts, and keeps what it holds in order. */
static void
test_spool_full(void)
{
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	uint64_t spooled, dropped;

	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	cfg_for(&cfg, srv.url);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state-full", srv.dir);
	cfg.redis_batch = 5;
	/* a record: 4 + RESP of XADD sp2 * seq N, 46 bytes for N < 10, 47 after */
	cfg.redis_spool_max = 1000;
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	xadd_seq(r, "sp2", 0, 5, NULL);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	test_redis_kill(&srv);
	xadd_seq(r, "sp2", 5, 40, NULL);
	CHECK_INT(rw_redis_flush(r, &err), -1);
	spooled = stats_get(&st, "redis_spooled");
	dropped = stats_get(&st, "redis_spool_dropped");
	CHECK_INT(spooled + dropped, 40);
	CHECK_INT(spooled, 5 + (1000 - 5 * 50) / 51);
	CHECK_INT(rw_redis_write(r, 5, (const char *[]){ "XADD", "sp2", "*",
	    "seq", "99" }, NULL, NULL, NULL), 0);
	CHECK_INT(rw_redis_flush(r, &err), -1);
	CHECK_INT(stats_get(&st, "redis_spool_dropped"), dropped + 1);

	CHECK_INT(test_redis_start(&srv, (const char *const *)aof), 0);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	CHECK_INT(stats_get(&st, "redis_spool_replayed"), spooled);
	check_seq(r, "sp2", 5 + (int)spooled);
	rw_redis_close(r);
	test_redis_kill(&srv);
}

/* XADDs n entries of a 4 KB payload; returns how many writes were queued. */
static int
xadd_big(struct rw_redis *r, const char *key, int n, int *counts)
{
	static char pad[4096];
	const char *argv[5] = { "XADD", key, "*", "pad", pad };
	size_t lens[5] = { 4, strlen(key), 1, 3, sizeof(pad) };
	int i, ok = 0;

	memset(pad, 'x', sizeof(pad));
	for (i = 0; i < n; i++)
		ok += rw_redis_write(r, 5, argv, lens, count_reply, counts) == 0;
	return ok;
}

/*
 * A Redis that refuses writes: out of memory (maxmemory 2mb, noeviction)
 * and a read-only replica.  Every refusal is counted by its reason and
 * handed to the callback; nothing crashes, nothing is spooled (the server
 * answered), the synchronous call reports Redis' own words.
 */
static void
test_refusals(void)
{
	const char *oom[] = { "--maxmemory", "2mb", "--maxmemory-policy",
	    "noeviction", NULL };
	/* replica of a port nothing listens on (ours: 18134) */
	const char *ro[] = { "--replicaof", "127.0.0.1", "18134", NULL };
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	int counts[2] = { 0, 0 };
	redisReply *rep;

	CHECK_INT(test_redis_start(&srv, oom), 0);
	cfg_for(&cfg, srv.url);
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	CHECK_INT(xadd_big(r, "big", 600, counts), 600);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	CHECK(counts[0] > 50);
	CHECK(counts[1] > 100);
	CHECK_INT(counts[0] + counts[1], 600);
	CHECK_INT(stats_get(&st, "redis_reply_oom"), counts[1]);
	CHECK_INT(stats_get(&st, "redis_reply_error"), counts[1]);
	CHECK_INT(stats_get(&st, "redis_written"), counts[0]);
	CHECK_INT(stats_get(&st, "redis_spooled"), 0);
	CHECK_INT(int_reply(r, "XLEN", "big"), counts[0]);
	rep = rw_redis_cmd_argv(r, 3, (const char *[]){ "SET", "k", "v" },
	    NULL, &err);
	CHECK(rep == NULL);
	CHECK_STR(err.reason, "redis_error_reply");
	CHECK(strncmp(err.msg, "OOM command not allowed", 23) == 0);
	rw_redis_close(r);
	test_redis_kill(&srv);

	CHECK_INT(test_redis_start(&srv, ro), 0);
	stats_init(&st);
	counts[0] = counts[1] = 0;
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	xadd_seq(r, "ro", 0, 10, counts);
	CHECK_INT(rw_redis_flush(r, &err), 0);
	CHECK_INT(counts[1], 10);
	CHECK_INT(stats_get(&st, "redis_reply_readonly"), 10);
	CHECK_INT(stats_get(&st, "redis_written"), 0);
	rep = rw_redis_cmd_argv(r, 3, (const char *[]){ "SET", "k", "v" },
	    NULL, &err);
	CHECK(rep == NULL);
	CHECK(strncmp(err.msg, "READONLY You can't write against a read only "
	    "replica", 52) == 0);
	rw_redis_close(r);
	test_redis_kill(&srv);
}

/*
 * redis-inflight 1: a full batch is answered only once the next is sent;
 * a synchronous command reads the in-flight replies first and sees every
 * write before it.
 */
static void
test_write_inflight(void)
{
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	int counts[2] = { 0, 0 };

	CHECK_INT(test_redis_start(&srv, NULL), 0);
	cfg_for(&cfg, srv.url);
	cfg.redis_batch = 100;
	CHECK_INT(cfg.redis_inflight, 1);	/* the default */
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	xadd_seq(r, "s", 0, 100, counts);
	CHECK_INT(counts[0], 0);		/* sent, not read */
	xadd_seq(r, "s", 100, 150, counts);
	CHECK_INT(stats_get(&st, "redis_batches"), 1);
	CHECK_INT(counts[0], 100);
	CHECK_INT(int_reply(r, "XLEN", "s"), 250);
	CHECK_INT(counts[0], 250);
	CHECK_INT(stats_get(&st, "redis_batches"), 3);
	check_seq(r, "s", 250);
	/* a lone in-flight batch is read by a tick within redis-flush-ms */
	xadd_seq(r, "t", 0, 100, counts);
	CHECK_INT(counts[0], 250);
	tick_until(r, &st, "redis_batches", 4);
	CHECK_INT(counts[0], 350);
	rw_redis_close(r);
	CHECK_INT(stats_get(&st, "redis_written"), 350);
	test_redis_kill(&srv);
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A server that stops answering (SIGSTOP): a full batch gives up after
 * redis-timeout (1 s) and goes to the spool; ticks while it is frozen
 * return at once (backoff) or within the timeout; after SIGCONT the spool
 * is replayed.  The capture loop is never held longer than the timeout.
 */
static void
test_stall(void)
{
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	double t0, worst = 0;
	int i;

	CHECK_INT(test_redis_start(&srv, NULL), 0);
	cfg_for(&cfg, srv.url);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state-stall", srv.dir);
	cfg.redis_timeout = 1;
	cfg.redis_batch = 10;
	cfg.redis_inflight = 0;
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	kill(srv.pid, SIGSTOP);
	t0 = mono();
	xadd_seq(r, "stall", 0, 10, NULL);	/* a full batch: sent now */
	worst = mono() - t0;
	CHECK_INT(stats_get(&st, "redis_spooled"), 10);
	CHECK_INT(stats_get(&st, "redis_io_error"), 1);
	for (i = 0; i < 20; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		t0 = mono();
		rw_redis_tick(r);
		if (mono() - t0 > worst)
			worst = mono() - t0;
		nanosleep(&ts, NULL);
	}
	if (worst > 1.5) {
		unit.failed++;
		fprintf(stderr, "%s:%d: a call blocked %.2f s, redis-timeout "
		    "is 1 s\n", __FILE__, __LINE__, worst);
	}
	unit.checks++;
	kill(srv.pid, SIGCONT);
	tick_until_replayed(r, &st, 10);
	CHECK_INT(stats_get(&st, "redis_spool_replayed"), 10);
	/* the frozen server ran the first send too once thawed: at least once */
	CHECK(int_reply(r, "XLEN", "stall") >= 10);
	rw_redis_close(r);
	test_redis_kill(&srv);
}

/* The newest 20 entries of key have seq 0..19, in order. */
static void
check_last20(struct rw_redis *r, const char *key)
{
	const char *argv[6] = { "XREVRANGE", key, "+", "-", "COUNT", "20" };
	struct rw_err err;
	redisReply *rep = rw_redis_cmd_argv(r, 6, argv, NULL, &err);
	size_t i, bad = 0;

	CHECK(rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
	    rep->elements == 20);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 20) {
		if (rep != NULL)
			freeReplyObject(rep);
		return;
	}
	for (i = 0; i < 20; i++) {
		redisReply *f = rep->element[i]->element[1];

		if (f->elements != 2 || atoi(f->element[1]->str) != 19 - (int)i)
			bad++;
	}
	CHECK_INT(bad, 0);
	freeReplyObject(rep);
}

/*
 * redis-inflight 1 against a frozen server: the first batch goes out and
 * stays in flight; sending the second waits for the first one's replies
 * at most redis-timeout, then both go to the spool, the in-flight one
 * first, and are replayed in order after SIGCONT.
 */
static void
test_stall_inflight(void)
{
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;
	double t0, took;

	CHECK_INT(test_redis_start(&srv, NULL), 0);
	cfg_for(&cfg, srv.url);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state-stall2",
	    srv.dir);
	cfg.redis_timeout = 1;
	cfg.redis_batch = 10;
	stats_init(&st);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		return;
	kill(srv.pid, SIGSTOP);
	t0 = mono();
	xadd_seq(r, "stall", 0, 10, NULL);
	CHECK(mono() - t0 < 0.5);		/* sent, not waited for */
	CHECK_INT(stats_get(&st, "redis_spooled"), 0);
	xadd_seq(r, "stall", 10, 10, NULL);
	took = mono() - t0;
	CHECK(took >= 0.9 && took < 1.5);
	CHECK_INT(stats_get(&st, "redis_spooled"), 20);
	CHECK_INT(stats_get(&st, "redis_io_error"), 1);
	kill(srv.pid, SIGCONT);
	tick_until_replayed(r, &st, 20);
	CHECK_INT(stats_get(&st, "redis_spool_replayed"), 20);
	/* the thawed server ran what it had read, then the replay, in order */
	CHECK(int_reply(r, "XLEN", "stall") >= 20);
	check_last20(r, "stall");
	rw_redis_close(r);
	test_redis_kill(&srv);
}

static void
test_unreachable(void)
{
	struct rw_config cfg;
	struct stats st;
	struct rw_redis *r;
	struct rw_err err;

	stats_init(&st);
	cfg_for(&cfg, "redis://127.0.0.1:18139");
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), -1);
	CHECK_STR(err.reason, "redis_connect");
	CHECK(strstr(err.msg, "127.0.0.1:18139") != NULL);
	cfg_for(&cfg, "redis://:s3cret@h:x");
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), -1);
	CHECK_STR(err.reason, "redis_bad_url");
}

static void
setup(void)
{
	test_redis_init(&srv);
}

static void
teardown(void)
{
	test_redis_cleanup(&srv);
}

UNIT_MAIN(setup, test_url, test_write, test_write_inflight, test_auth, test_spool, test_spool_orphan,
    test_spool_full,
    test_refusals, test_stall, test_stall_inflight, test_unreachable, teardown)
