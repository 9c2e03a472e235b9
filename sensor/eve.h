/*
 * eve.h - JSON lines output in the style of Suricata EVE, one line per
 * wire event.  Field names are documented in docs/events.md and checked
 * against docs/eve.schema.json by the test suite.
 */
#ifndef RW_EVE_H
#define RW_EVE_H

#include <stdio.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/stats.h"
#include "sensor/event.h"

struct eve;

/*
 * Opens the output: path "-" is stdout, else the file is opened for append.
 * Returns NULL with err on failure.  Free with eve_close().
 */
struct eve	*eve_open(const char *path, const struct rw_config *cfg,
		    struct stats *st, struct rw_err *err);

/*
 * The event as a JSON object (new reference, caller decrefs), or NULL on
 * OOM.  Shared by the file writer and the Redis sink.
 */
json_t		*eve_event_json(const struct wire_event *ev,
		    const struct rw_config *cfg);

/* A JSON string of untrusted text (new reference), or NULL on OOM. */
json_t		*eve_jstr(const char *s);
/* Sets key to eve_jstr(s) when s is present and non-empty (absent: omitted). */
void		 eve_set_str(json_t *o, const char *key, const char *s);

/* Writes one line; the event_sink emit function, arg is the struct eve. */
void		 eve_emit(void *arg, const struct wire_event *ev);

/* Writes one JSON object as a line (alerts share the output); 0 or -1. */
int		 eve_write_json(struct eve *e, const json_t *j);

/* Reopens the file (SIGHUP, log rotation); 0 or -1 with err. */
int		 eve_reopen(struct eve *e, struct rw_err *err);
void		 eve_close(struct eve *e);

#endif /* RW_EVE_H */
