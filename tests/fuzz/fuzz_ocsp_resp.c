/*
 * fuzz_ocsp_resp.c - OCSPResponse decoding (ocsp_resp_parse), its verdict
 * (ocsp_verify, with the first carried certificate posing as the issuer so
 * the signer search and signature checks run) and the EVE JSON of what
 * decoded, so sensor/eve.c is fuzzed as well.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "correlate/correlate.h"
#include "proto/proto.h"
#include "sensor/eve.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ocsp_limits lim = { 2 };
	struct ocsp_resp r;
	struct wire_event ev;
	struct flow f;
	struct rw_err err;
	struct ocsp_verdict v;
	struct ca_entry ca;
	const STACK_OF(X509) *certs = NULL;
	json_t *j;
	char *s;

	if (ocsp_resp_parse(&r, data, size, &lim, &err) == -1)
		return 0;
	memset(&f, 0, sizeof(f));
	f.family = 6;
	f.id = 1;
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_OCSP;
	ev.flow = &f;
	ev.ocsp_resp = &r;
	memset(&ca, 0, sizeof(ca));
	if (r.basic != NULL)
		certs = OCSP_resp_get0_certs(r.basic);
	if (sk_X509_num(certs) > 0)
		ca.x = sk_X509_value(certs, 0);		/* borrowed */
	/* "asked" for the first serial only: the others read unsolicited */
	ocsp_verify(&v, &r, ca.x != NULL ? &ca : NULL,
	    r.n_singles > 0 ? &r.singles[0].id : NULL, 1,
	    r.has_nonce ? r.nonce : NULL, 0);
	ev.ocsp_verdict = &v;
	if ((j = eve_event_json(&ev, NULL)) != NULL) {
		s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
	ocsp_resp_free(&r);
	return 0;
}
