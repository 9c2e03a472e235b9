/*
 * event.h - a wire event: one HTTP transaction (or TLS handshake) that
 * carried a revocation, certificate or timestamp object, with what was
 * decoded from it.  The app layer fills it; sinks (JSON lines, Redis) read
 * it.  Everything it points to is owned by the producer and valid only
 * during the sink call.
 */
#ifndef RW_EVENT_H
#define RW_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>

#include "proto/http.h"
#include "proto/proto.h"
#include "sensor/pktpath.h"

enum wire_event_type {
	WE_OCSP = 0,
	WE_CRL,
	WE_CA_CERT,
	WE_TIMESTAMP,
	WE_TLS,
};

#define WE_MAX_ANOMALIES	8

struct wire_event {
	enum wire_event_type	 type;
	struct timeval		 ts;	/* packet time: request's, else response's */
	const struct flow	*flow;
	const struct http_txn	*http;		/* NULL for TLS */

	/* WE_OCSP: either side may be missing */
	const struct ocsp_req	*ocsp_req;
	const struct ocsp_resp	*ocsp_resp;
	bool			 ocsp_get;	/* request came as GET */

	/* WE_CRL */
	const struct crl	*crl;

	/* WE_TIMESTAMP: either side may be missing */
	const struct tsp_req	*tsp_req;
	const struct tsp_resp	*tsp_resp;

	/* objects seen but not decodable: reasons, as counted in stats */
	const char		*anomalies[WE_MAX_ANOMALIES];
	size_t			 n_anomalies;
};

struct event_sink {
	void	(*emit)(void *arg, const struct wire_event *ev);
	void	 *arg;
};

/* Event type name as in the JSON "event_type" field. */
const char	*wire_event_type_name(enum wire_event_type t);

#endif /* RW_EVENT_H */
