/*
 * redis_int.h - shared between the files of redis/, not for callers.
 */
#ifndef RW_REDIS_INT_H
#define RW_REDIS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"

/* The stats name ("redis_reply_oom", ...) of an error reply's message. */
const char	*rw_redis_error_reason(const char *msg);

/* rw_state_dir() without creating it. */
int		 rw_state_dir_path(const struct rw_config *cfg, char *dir,
		    size_t len, struct rw_err *err);

/* mkdir -p with mode 0700; 0 or -1 with errno. */
int		 rw_mkdir_p(const char *dir);

/* reply.c: what one reply may hold (redis-max-reply-elements, -bytes) */
struct rw_reply_limits {
	uint64_t	max_elements;	/* array elements, nested ones summed */
	uint64_t	max_bytes;	/* string bytes, all strings summed */
};

/*
 * Puts rd's replies under lim: an array or string that would take one
 * reply past a limit makes the reader fail, counted in st (NULL: not
 * counted) as "redis_reply_too_large".  The objects are hiredis' own
 * (freeReplyObject).  Returns 0, or -1 with err (out of memory; rd is
 * unchanged).  The guard lives until rw_reply_reader_free() or
 * rw_redis_ctx_free().
 */
int		 rw_reply_guard(redisReader *rd,
		    const struct rw_reply_limits *lim, struct stats *st,
		    struct rw_err *err);

/* Why rd's guard refused a reply ("reply refused: ... > KEY N"), or NULL. */
const char	*rw_reply_refused(const redisReader *rd);

/*
 * redisGetReply() for a blocking context whose reader is guarded: also
 * refuses a bulk string as soon as its header claims too much.  On
 * REDIS_ERR, c->errstr names the limit when one refused.
 */
int		 rw_reply_get(redisContext *c, void **reply);

/*
 * One reply of those already read (NULL when none is complete), reading
 * nothing more: for a non-blocking poll of the socket.  REDIS_ERR with
 * c->errstr when the reader failed or the reply being read is refused.
 */
int		 rw_reply_take(redisContext *c, void **reply);

/* redisReaderFree() / redisFree() and the guard (NULL-tolerant). */
void		 rw_reply_reader_free(redisReader *rd);
void		 rw_redis_ctx_free(redisContext *c);

#endif /* RW_REDIS_INT_H */
