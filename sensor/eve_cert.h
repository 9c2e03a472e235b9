/*
 * eve_cert.h - JSON of certificate objects for EVE events (jansson).
 * Each function returns a new reference (caller json_decref()s), or NULL
 * on OOM.  Absent values are omitted, never 0.
 */
#ifndef RW_EVE_CERT_H
#define RW_EVE_CERT_H

#include <jansson.h>

#include "correlate/correlate.h"
#include "proto/proto.h"
#include "proto/tls.h"

/* One certificate, with the field names of issue 3 ("ca_cert" events). */
json_t	*x509_info_json(const struct x509_info *x);
/*
 * The "tls" object: sni, version, chain [...], status_request, tls13,
 * ocsp_staple_len.  The stapled response itself is decoded and added by
 * the caller (ocsp_resp_parse on res->staple).
 */
json_t	*tls_result_json(const struct tls_result *res);

/*
 * The "ca_cert" object: certificates [...], count (in the body), truncated
 * (count > listed).
 */
json_t	*ca_cert_json(const struct x509_info *certs, size_t n, size_t total);
/*
 * The "issuer" object: name, source, code_signing of a registry entry; an
 * unknown issuer (NULL) is {"source": "unknown"} and nothing else.
 */
json_t	*issuer_json(const struct ca_entry *e);
/*
 * Adds the verdict fields to an OCSP "response" object: signature_valid
 * and responder_authorized (true/false/null), verify_error, stale, and
 * with a request unsolicited and nonce_mismatch.
 */
void	ocsp_verdict_json(json_t *resp, const struct ocsp_verdict *v);

#endif /* RW_EVE_CERT_H */
