/*
 * event.h - a wire event: one HTTP transaction (or TLS handshake) that
 * carried a revocation, certificate or timestamp object, with what was
 * decoded from it, or that served a CryptoAPI client something else.  The
 * app layer fills it; sinks (JSON lines, Redis) read it.  Everything it
 * points to is owned by the producer and valid only during the sink call.
 */
#ifndef RW_EVENT_H
#define RW_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "proto/http.h"
#include "correlate/correlate.h"
#include "proto/proto.h"
#include "proto/tls.h"
#include "sensor/pktpath.h"

enum wire_event_type {
	WE_OCSP = 0,
	WE_CRL,
	WE_CA_CERT,
	WE_TIMESTAMP,
	WE_TLS,
	WE_CRYPTOAPI_OTHER,
};

#define WE_MAX_ANOMALIES	8

/* Bytes kept of "Microsoft-CryptoAPI/<version>"'s version, with the NUL. */
#define CRYPTOAPI_VERSION_MAX	32

/*
 * WE_CRYPTOAPI_OTHER: a client with a CryptoAPI User-Agent (certutil, or a
 * spoof of it) was served a body that is no PKI object.
 */
struct cryptoapi_other {
	uint64_t	 body_len;	/* body bytes seen on the wire */
	char		 body_sha256[65];	/* "" when the body was cut */
	const char	*body_magic;	/* obj_body_magic() */
	char		 ua_version[CRYPTOAPI_VERSION_MAX];	/* "" if none */
};

struct wire_event {
	enum wire_event_type	 type;
	struct timeval		 ts;	/* packet time: request's, else response's */
	const struct flow	*flow;
	const struct http_txn	*http;		/* NULL for TLS */

	/* WE_OCSP: either side may be missing; WE_TLS: ocsp_resp is the staple */
	const struct ocsp_req	*ocsp_req;
	const struct ocsp_resp	*ocsp_resp;
	const struct ocsp_verdict *ocsp_verdict;	/* of ocsp_resp, or NULL */
	bool			 ocsp_get;	/* request came as GET */

	/* WE_CRL */
	const struct crl	*crl;

	/* WE_TIMESTAMP: either side may be missing */
	const struct tsp_req	*tsp_req;
	const struct tsp_resp	*tsp_resp;
	/* WE_CA_CERT: the certificates of the body (certs_total > n_certs: cut) */
	const struct x509_info	*certs;
	size_t			 n_certs;
	size_t			 certs_total;

	/* WE_TLS: the handshake */
	const struct tls_result	*tls;

	/* WE_CRYPTOAPI_OTHER */
	const struct cryptoapi_other *cryptoapi_other;

	/*
	 * The CA the object names as issuer, looked up in the CA registry
	 * (before the object's own certificates are learned): when
	 * issuer_checked, NULL means unknown.
	 */
	bool			 issuer_checked;
	const struct ca_entry	*issuer;

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
