/*
 * spool.h - the bounded on-disk spool of the Redis write path (internal to
 * redis/).  One file of records, each a 4-byte big-endian length and a
 * RESP-encoded command, appended while Redis is away and replayed in order
 * after the next connect.  A read cursor runs ahead of the acknowledged
 * offset, so a replay cut by a dropped connection restarts at the first
 * unacknowledged command (at-least-once).
 */
#ifndef RW_REDIS_SPOOL_H
#define RW_REDIS_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct rw_spool;

/*
 * Opens (creating dir and the file) the spool "redis.spool" in dir, locked
 * against other processes; when another process holds it, a per-process
 * "redis.PID.spool" instead.  A file left by an earlier run is kept and
 * replayed.  Returns 0, or -1 with err (reason "redis_spool_open").
 */
int	spool_open(struct rw_spool **out, const char *dir, uint64_t max_bytes,
	    struct rw_err *err);
/*
 * Opens name (in dir) when it is the per-process spool of a process that
 * is gone (redis.PID.spool, not locked, not ours), to be replayed and
 * closed.  Returns 0, or -1 when it is not such a file.
 */
int	spool_open_orphan(struct rw_spool **out, const char *dir,
	    const char *name, uint64_t max_bytes);

/* Closes; an empty per-process file is removed. */
void	spool_close(struct rw_spool *sp);

/* Appends one command; 0, or -1 when it does not fit or cannot be written. */
int	spool_append(struct rw_spool *sp, const char *cmd, size_t len);

/* True while records after the read cursor remain. */
bool	spool_pending(const struct rw_spool *sp);

/*
 * Reads the record at the read cursor into a malloc'ed *cmd (caller frees)
 * and moves the cursor past it.  Returns 1, 0 at the end, or -1 when the
 * file is unreadable or corrupt (it is then emptied: reason
 * "redis_spool_corrupt").
 */
int	spool_next(struct rw_spool *sp, char **cmd, size_t *len,
	    struct rw_err *err);

/* Everything read so far has been answered: drops it (empties the file at the end). */
void	spool_commit(struct rw_spool *sp);
/* The replay was cut: the read cursor goes back to the acknowledged offset. */
void	spool_rewind(struct rw_spool *sp);

/* Bytes held (acknowledged records excluded). */
uint64_t spool_bytes(const struct rw_spool *sp);

#endif /* RW_REDIS_SPOOL_H */
