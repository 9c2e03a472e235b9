/*
 * redis_int.h - shared between the files of redis/, not for callers.
 */
#ifndef RW_REDIS_INT_H
#define RW_REDIS_INT_H

#include <stddef.h>

#include "common/conf.h"
#include "common/err.h"

/* The stats name ("redis_reply_oom", ...) of an error reply's message. */
const char	*rw_redis_error_reason(const char *msg);

/* rw_state_dir() without creating it. */
int		 rw_state_dir_path(const struct rw_config *cfg, char *dir,
		    size_t len, struct rw_err *err);

/* mkdir -p with mode 0700; 0 or -1 with errno. */
int		 rw_mkdir_p(const char *dir);

#endif /* RW_REDIS_INT_H */
