/*
 * redis.h - the only code that talks to Redis (hiredis).  Library code:
 * never logs, never exits; failures return -1 and fill a struct rw_err whose
 * message never contains the password.
 *
 * Write path: rw_redis_write() queues a command; a full batch (redis-batch)
 * is sent pipelined and its replies read, with redis-inflight 1 only once
 * the next batch has been sent.  While Redis is away, commands go
 * to a bounded on-disk spool under state-dir/spool (redis-spool-max bytes)
 * and are replayed in order after the next (re)connect.  Nothing blocks
 * longer than redis-timeout.
 */
#ifndef RW_REDIS_H
#define RW_REDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hiredis/hiredis.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"

struct rw_redis;

struct rw_redis_url {
	bool	unix_socket;		/* unix:///path */
	char	host[256]; int port;	/* redis://[user:pass@]host:port/db */
	char	path[512];
	char	user[128], password[256];	/* never logged */
	int	db;
};

/*
 * Parses redis://[[user]:password@]host[:port][/db] (host may be [v6addr];
 * port 6379 and db 0 by default) or unix://[[user]:password@]/path[?db=N].
 * User, password and path are percent-decoded.  Returns 0, or -1 with err
 * (reason "redis_bad_url", the message names the faulty part and never
 * quotes the password); u is zeroed first.
 */
int  rw_redis_url_parse(struct rw_redis_url *u, const char *url, struct rw_err *err);

/*
 * Opens the connection named by cfg->redis_url (cfg->redis_user/redis_password override
 * the URL's); an empty URL means the embedded private redis-server under cfg->state_dir
 * (started if not running, reused otherwise).  AUTH and SELECT are done here.  A refused
 * AUTH, an unreachable server at open time etc. return -1 with err (clear message,
 * password never in it).  st must outlive r.  With cfg->redis_cluster the URL names a
 * cluster node: every master is connected and each command (write path and
 * rw_redis_cmd_argv alike) goes to the master of its key's slot (cluster.h); a
 * FUNCTION command goes to every master.
 */
int  rw_redis_open(struct rw_redis **out, const struct rw_config *cfg,
	    struct stats *st, struct rw_err *err);
void rw_redis_close(struct rw_redis *r);	/* flushes; what cannot be sent is spooled */

/* Called after every (re)connect, before the spool is replayed (e.g. FUNCTION LOAD).
   Also called at once when r is connected as fn is set.  Inside fn,
   rw_redis_cmd_argv() goes straight to the server (nothing queued is sent,
   the spool is not replayed); on a reconnect, fn returning -1 drops the
   connection (retried after the backoff). */
typedef int (*rw_redis_connect_fn)(struct rw_redis *r, void *arg, struct rw_err *err);
void rw_redis_on_connect(struct rw_redis *r, rw_redis_connect_fn fn, void *arg);

/*
 * Synchronous command for the query side and set-up.  Returns the reply (caller
 * freeReplyObject()s) or NULL with err; an error reply is NULL with reason
 * "redis_error_reply" and Redis' message in err->msg.
 */
redisReply *rw_redis_cmd_argv(struct rw_redis *r, int argc, const char **argv,
	    const size_t *lens, struct rw_err *err);

/*
 * The write path: commands are queued and sent pipelined in batches; while Redis is
 * away they go to a bounded on-disk spool and are replayed in order after reconnect.
 * cb (may be NULL) receives the reply of a command answered live; error replies are
 * counted ("redis_reply_error") and passed to cb too.  Returns 0, or -1 when the command
 * was lost (spool full: counted "redis_spool_dropped").  argv/lens are copied.  cb runs
 * inside a later call on r (with redis-inflight 1 as late as the next batch, the next
 * rw_redis_tick() after redis-flush-ms, or a flush) and must not call back into r.
 */
typedef void (*rw_redis_reply_fn)(void *arg, const redisReply *reply);
int  rw_redis_write(struct rw_redis *r, int argc, const char **argv,
	    const size_t *lens, rw_redis_reply_fn cb, void *cbarg);
/* Sends everything queued and reads the replies; 0, or -1 with err (queued -> spool). */
int  rw_redis_flush(struct rw_redis *r, struct rw_err *err);
/* From the capture loop: flushes a full batch or an old one, retries the connection with
   backoff, replays the spool.  Never blocks longer than the configured timeout. */
void rw_redis_tick(struct rw_redis *r);

/* Redis' words in the last error reply to a write ("" if none), for operators. */
const char *rw_redis_last_error(const struct rw_redis *r);

/* stream.c */

/*
 * Replaces the hash key with every counter of st ("name" -> value) and
 * gives it ttl seconds, through rw_redis_write().  0, or -1 when a write
 * was lost.
 */
int  rw_redis_write_stats(struct rw_redis *r, const char *key,
	    const struct stats *st, unsigned long long ttl);

/* castore.c: CA certificates learned from the wire (RW_KEY_CA_WIRE) */

/*
 * Stores a CA certificate's DER under its SHA-256 fingerprint fp (lower
 * hex) unless stored already, keeping the newest max entries (first
 * stored, first trimmed; one script, so concurrent sensors keep the two
 * keys in step).  Through rw_redis_write(): spooled while Redis is away.
 * Returns like rw_redis_write().
 */
int  rw_redis_ca_put(struct rw_redis *r, const char *fp, const uint8_t *der,
	    size_t len, unsigned long long max);

/*
 * Calls fn with every stored (fingerprint, DER) of the newest max
 * entries, oldest first, reading a page at a time.  The bytes are only
 * what Redis holds: fn must check them.  Returns 0, or -1 with err (Redis
 * away or an unexpected reply; fn may have been called for some).
 */
typedef void (*rw_redis_ca_fn)(void *arg, const char *fp, const uint8_t *der,
	    size_t len);
int  rw_redis_ca_scan(struct rw_redis *r, unsigned long long max,
	    rw_redis_ca_fn fn, void *arg, struct rw_err *err);

/* embedded.c */

#define RW_STATE_DIR_MAX	512

/*
 * The state directory: cfg->state_dir, else /var/lib/revwire for root,
 * $XDG_STATE_HOME/revwire or ~/.local/state/revwire for users.  Created
 * (mode 0700) when missing.  Returns 0, or -1 with err (reason
 * "state_dir").
 */
int  rw_state_dir(const struct rw_config *cfg, char *dir, size_t len,
	    struct rw_err *err);

/*
 * Makes sure the embedded redis-server of state directory dir answers
 * (reusing one that does, else starting one under a lock so concurrent
 * callers start one) and writes its unix:// URL to url.  Returns 0, or -1
 * with err (reason "redis_embedded", naming the server's log file).
 */
int  rw_embedded_ensure(const struct rw_config *cfg, const char *dir,
	    char *url, size_t len, struct rw_err *err);

struct rw_embedded_info {
	bool			running;
	long			pid;
	char			version[32];
	unsigned long long	uptime;		/* seconds */
	unsigned long long	keys;
	char			socket[RW_STATE_DIR_MAX + 16];
	char			data_dir[RW_STATE_DIR_MAX + 16];
};

/*
 * For a process that will drop to uid:gid after opening the private
 * server of dir (revwire sensor -u USER): dir gets group gid and mode
 * 02750 (the group may reach the socket; setgid, so the socket of a
 * restarted server inherits the group), the socket group gid and mode
 * 0770, and dir/spool (made if missing) and the spool files in it become
 * uid:gid's.  Nothing becomes world-accessible; the data stay root's.
 * Returns 0, or -1 with err (reason "redis_embedded_share", naming the
 * path); what was changed before the failure stays changed.
 */
int  rw_embedded_share(const char *dir, uid_t uid, gid_t gid,
	    struct rw_err *err);

/* Fills info (running false when nothing answers); -1 only on a bad dir. */
int  rw_embedded_status(const char *dir, struct rw_embedded_info *info,
	    struct rw_err *err);

/* SHUTDOWN (the AOF is kept) and waits for it to go; 0 also when not running. */
int  rw_embedded_stop(const char *dir, struct rw_err *err);

#endif /* RW_REDIS_H */
