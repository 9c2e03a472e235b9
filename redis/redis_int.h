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

#endif /* RW_REDIS_INT_H */
