/*
 * app.h - the application layer of the sensor: detects the protocol of each
 * flow by content (HTTP request line or status line, TLS record header),
 * runs the HTTP parser over it, recognises revocation objects in the
 * transactions, decodes them (proto/) and hands wire events to the sink.
 */
#ifndef RW_APP_H
#define RW_APP_H

#include "common/conf.h"
#include "common/stats.h"
#include "sensor/event.h"
#include "sensor/pktpath.h"

struct app;

/*
 * Returns the app layer, or NULL on OOM.  cfg, st and sink must outlive it.
 * The returned object's stream_ops go to pktpath_new() with the app as arg.
 */
struct app	*app_new(const struct rw_config *cfg, struct stats *st,
		    const struct event_sink *sink);
const struct stream_ops	*app_stream_ops(void);
/*
 * The CA registry events resolve issuers in and wire certificates teach;
 * NULL (the default) resolves nothing.  The caller keeps ownership.
 */
struct ca_registry;
void		 app_set_ca_registry(struct app *a, struct ca_registry *reg);
void		 app_free(struct app *a);

#endif /* RW_APP_H */
