/*
 * schema.h - the one place that knows the Redis key names (see
 * docs/redis-schema.md).  Keys read or written together share a hash tag.
 */
#ifndef RW_REDIS_SCHEMA_H
#define RW_REDIS_SCHEMA_H

/* Streams of every event, XADD MAXLEN ~ redis-stream-maxlen. */
#define RW_KEY_WIRE_EVENTS	"rw:{wire}:events"
#define RW_KEY_EP_EVENTS	"rw:{ep}:events"

#endif /* RW_REDIS_SCHEMA_H */
