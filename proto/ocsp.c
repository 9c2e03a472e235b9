/*
 * ocsp.c - OCSP requests and responses (RFC 6960), decoded by OpenSSL into
 * the flat structs of proto.h.  No verification here: the decoded objects
 * stay in struct ocsp_resp for the caller to verify.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hex.h"
#include "proto/proto.h"

/* extensions per request or response considered at all */
#define OCSP_MAX_EXTENSIONS	64
/* GET: request-target suffixes tried, longest first */
#define OCSP_GET_MAX_SUFFIXES	64

/*
 * OpenSSL offers no getter for TBSRequest.requestorName, so the request is
 * decoded a second time through this template (OpenSSL's own DER decoder,
 * RFC 6960 4.1.1) that only names the fields we need.
 */
typedef struct {
	ASN1_INTEGER			*version;
	GENERAL_NAME			*requestor;
	STACK_OF(ASN1_TYPE)		*list;
	STACK_OF(X509_EXTENSION)	*exts;
} RW_TBSREQ;

typedef struct {
	RW_TBSREQ	*tbs;
	ASN1_TYPE	*sig;
} RW_OCSPREQ;

ASN1_SEQUENCE(RW_TBSREQ) = {
	ASN1_EXP_OPT(RW_TBSREQ, version, ASN1_INTEGER, 0),
	ASN1_EXP_OPT(RW_TBSREQ, requestor, GENERAL_NAME, 1),
	ASN1_SEQUENCE_OF(RW_TBSREQ, list, ASN1_ANY),
	ASN1_EXP_SEQUENCE_OF_OPT(RW_TBSREQ, exts, X509_EXTENSION, 2)
} static_ASN1_SEQUENCE_END(RW_TBSREQ)

ASN1_SEQUENCE(RW_OCSPREQ) = {
	ASN1_SIMPLE(RW_OCSPREQ, tbs, RW_TBSREQ),
	ASN1_EXP_OPT(RW_OCSPREQ, sig, ASN1_ANY, 0)
} static_ASN1_SEQUENCE_END(RW_OCSPREQ)

/*
 * OCSP_response_get1_basic() does not say whether the BasicOCSPResponse
 * filled its OCTET STRING, so the envelope (RFC 6960 4.2.1) is decoded
 * through this template and the body with d2i_OCSP_BASICRESP() and an
 * all-consumed check.
 */
typedef struct {
	ASN1_OBJECT		*type;
	ASN1_OCTET_STRING	*response;
} RW_RESPBYTES;

typedef struct {
	ASN1_ENUMERATED		*status;
	RW_RESPBYTES		*bytes;
} RW_OCSPRESP;

ASN1_SEQUENCE(RW_RESPBYTES) = {
	ASN1_SIMPLE(RW_RESPBYTES, type, ASN1_OBJECT),
	ASN1_SIMPLE(RW_RESPBYTES, response, ASN1_OCTET_STRING)
} static_ASN1_SEQUENCE_END(RW_RESPBYTES)

ASN1_SEQUENCE(RW_OCSPRESP) = {
	ASN1_SIMPLE(RW_OCSPRESP, status, ASN1_ENUMERATED),
	ASN1_EXP_OPT(RW_OCSPRESP, bytes, RW_RESPBYTES, 0)
} static_ASN1_SEQUENCE_END(RW_OCSPRESP)

/* The requestorName of a request that OpenSSL already accepted. */
static void
req_requestor(char buf[NAME_TEXT_MAX], const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	RW_OCSPREQ *r;

	buf[0] = '\0';
	r = (RW_OCSPREQ *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(RW_OCSPREQ));
	if (r == NULL)
		return;
	if (r->tbs != NULL && r->tbs->requestor != NULL)
		asn1_general_name_text(buf, r->tbs->requestor);
	ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(RW_OCSPREQ));
}

static int
hash_hex(char buf[HASH_HEX_MAX], const ASN1_OCTET_STRING *os)
{
	if (os == NULL) {
		buf[0] = '\0';
		return -1;
	}
	return hex_encode(buf, HASH_HEX_MAX, ASN1_STRING_get0_data(os),
	    (size_t)ASN1_STRING_length(os), false);
}

/* Copies the four CertID fields out of cid (owned by the request/response). */
static int
certid_fill(struct ocsp_certid *out, const OCSP_CERTID *cid,
    struct rw_err *err)
{
	ASN1_OCTET_STRING *nh = NULL, *kh = NULL;
	ASN1_OBJECT *md = NULL;
	ASN1_INTEGER *serial = NULL;

	/* OCSP_id_get0_info() takes a non-const CertID but only reads it */
	if (!OCSP_id_get0_info(&nh, &md, &kh, &serial, (OCSP_CERTID *)cid)) {
		rw_err_set(err, "ocsp_bad_certid", "CertID: fields missing");
		return -1;
	}
	asn1_oid_text(out->hash_alg, md);
	if (hash_hex(out->issuer_name_hash, nh) == -1 ||
	    hash_hex(out->issuer_key_hash, kh) == -1) {
		rw_err_set(err, "ocsp_hash_too_long",
		    "CertID: issuer hash longer than %d bytes",
		    (HASH_HEX_MAX - 1) / 2);
		return -1;
	}
	if (asn1_serial_hex(out->serial, serial) == -1) {
		rw_err_set(err, "ocsp_serial_too_long",
		    "CertID: serialNumber longer than %d bytes",
		    (SERIAL_HEX_MAX - 2) / 2);
		return -1;
	}
	return 0;
}

/*
 * Rejects an extension list in which an OID repeats (RFC 5280 4.2: "MUST
 * NOT include more than one instance of a particular extension").
 */
static int
exts_unique(const STACK_OF(X509_EXTENSION) *exts, const char *what,
    struct rw_err *err)
{
	int i, j, n = sk_X509_EXTENSION_num(exts);

	if (n > OCSP_MAX_EXTENSIONS) {
		rw_err_set(err, "ocsp_too_many_extensions",
		    "%s: want at most %d extensions, have %d", what,
		    OCSP_MAX_EXTENSIONS, n);
		return -1;
	}
	/* n <= OCSP_MAX_EXTENSIONS: the quadratic walk is bounded */
	for (i = 0; i < n; i++) {
		const ASN1_OBJECT *a = X509_EXTENSION_get_object(
		    sk_X509_EXTENSION_value(exts, i));

		for (j = i + 1; j < n; j++) {
			const ASN1_OBJECT *b = X509_EXTENSION_get_object(
			    sk_X509_EXTENSION_value(exts, j));

			if (OBJ_cmp(a, b) == 0) {
				rw_err_set(err, "ocsp_duplicate_extension",
				    "%s: extension %d repeats extension %d "
				    "(RFC 5280 4.2)", what, j, i);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Nonce text.  RFC 6960 4.4.1 makes the extnValue an OCTET STRING holding
 * the DER of another OCTET STRING (the nonce), so a well-formed value is
 * wrapped twice; some clients put the raw nonce straight into extnValue.
 * When the extnValue content is itself exactly one DER OCTET STRING we
 * report its inner octets, else the extnValue content as it is.
 */
static void
nonce_fill(char buf[HASH_HEX_MAX], bool *truncated, X509_EXTENSION *ext)
{
	const ASN1_OCTET_STRING *val = X509_EXTENSION_get_data(ext);
	const unsigned char *d = ASN1_STRING_get0_data(val), *p = d;
	ASN1_OCTET_STRING *inner = NULL;
	size_t n = (size_t)ASN1_STRING_length(val);
	const size_t max = (HASH_HEX_MAX - 1) / 2;

	inner = d2i_ASN1_OCTET_STRING(NULL, &p, (long)n);
	if (inner != NULL && p == d + n) {
		d = ASN1_STRING_get0_data(inner);
		n = (size_t)ASN1_STRING_length(inner);
	}
	*truncated = n > max;
	if (n > max)
		n = max;
	(void)hex_encode(buf, HASH_HEX_MAX, d, n, false);
	ASN1_OCTET_STRING_free(inner);
}

void
ocsp_req_free(struct ocsp_req *req)
{
	if (req == NULL)
		return;
	free(req->ids);
	memset(req, 0, sizeof(*req));
}

static int
req_nonce(struct ocsp_req *out, OCSP_REQUEST *req, struct rw_err *err)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	int i, n, rc = -1;

	n = OCSP_REQUEST_get_ext_count(req);
	if ((exts = sk_X509_EXTENSION_new_null()) == NULL)
		goto out;
	for (i = 0; i < n && i <= OCSP_MAX_EXTENSIONS; i++)
		if (!sk_X509_EXTENSION_push(exts, OCSP_REQUEST_get_ext(req, i)))
			goto out;
	if (exts_unique(exts, "OCSPRequest", err) == -1)
		goto out;
	i = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1);
	if (i >= 0) {
		out->has_nonce = true;
		nonce_fill(out->nonce, &out->nonce_truncated,
		    OCSP_REQUEST_get_ext(req, i));
	}
	rc = 0;
 out:
	if (rc == -1 && exts == NULL)
		rw_err_set(err, "ocsp_oom", "%s: out of memory", __func__);
	/* the stack borrows the request's extensions: free the stack only */
	sk_X509_EXTENSION_free(exts);
	return rc;
}

int
ocsp_req_parse(struct ocsp_req *out, const uint8_t *der, size_t len,
    const struct ocsp_limits *lim, struct rw_err *err)
{
	const unsigned char *p = der;
	OCSP_REQUEST *req = NULL;
	size_t i, keep;
	int n, rc = -1;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > LONG_MAX) {
		rw_err_set(err, "ocsp_req_malformed",
		    "OCSPRequest: bad length %zu", len);
		goto out;
	}
	if ((req = d2i_OCSP_REQUEST(NULL, &p, (long)len)) == NULL) {
		rw_err_set(err, "ocsp_req_malformed",
		    "OCSPRequest (%zu bytes): not DER of RFC 6960 4.1.1", len);
		goto out;
	}
	if (p != der + len) {
		rw_err_set(err, "ocsp_trailing_data",
		    "OCSPRequest: %zu bytes after the request",
		    len - (size_t)(p - der));
		goto out;
	}
	if ((n = OCSP_request_onereq_count(req)) < 0) {
		rw_err_set(err, "ocsp_req_malformed", "OCSPRequest: no list");
		goto out;
	}
	out->n_total = (size_t)n;
	keep = out->n_total < lim->max_entries ? out->n_total :
	    lim->max_entries;
	if (keep > 0 && (out->ids = calloc(keep, sizeof(*out->ids))) == NULL) {
		rw_err_set(err, "ocsp_oom", "%s: out of memory", __func__);
		goto out;
	}
	for (i = 0; i < keep; i++) {
		OCSP_ONEREQ *one = OCSP_request_onereq_get0(req, (int)i);

		if (certid_fill(&out->ids[i], OCSP_onereq_get0_id(one),
		    err) == -1)
			goto out;
		out->n_ids++;
	}
	if (req_nonce(out, req, err) == -1)
		goto out;
	out->signed_req = OCSP_request_is_signed(req) != 0;
	req_requestor(out->requestor, der, len);
	rc = 0;
 out:
	OCSP_REQUEST_free(req);
	if (rc == -1)
		ocsp_req_free(out);
	return rc;
}

void
ocsp_resp_free(struct ocsp_resp *resp)
{
	if (resp == NULL)
		return;
	free(resp->singles);
	OCSP_BASICRESP_free(resp->basic);
	OCSP_RESPONSE_free(resp->resp);
	memset(resp, 0, sizeof(*resp));
}

static int
single_fill(struct ocsp_single *out, OCSP_SINGLERESP *single,
    struct rw_err *err)
{
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int reason = -1, st;

	if (certid_fill(&out->id, OCSP_SINGLERESP_get0_id(single), err) == -1)
		return -1;
	st = OCSP_single_get0_status(single, &reason, &rev, &thisupd, &nextupd);
	if (st < OCSP_ST_GOOD || st > OCSP_ST_UNKNOWN) {
		rw_err_set(err, "ocsp_bad_cert_status",
		    "SingleResponse %s: certStatus %d", out->id.serial, st);
		return -1;
	}
	out->status = (enum ocsp_cert_status)st;
	out->revocation_reason = -1;
	if (st == OCSP_ST_REVOKED) {
		if (asn1_time_to_epoch(rev, &out->revocation_time) == -1) {
			rw_err_set(err, "ocsp_bad_time", "SingleResponse %s: "
			    "revocationTime does not parse", out->id.serial);
			return -1;
		}
		out->has_revocation_time = true;
		/* OpenSSL reports an absent revocationReason as -1 */
		out->revocation_reason = reason < 0 ? -1 : reason;
		out->not_issued = out->revocation_reason == 6 &&
		    out->revocation_time == 0;
	}
	if (asn1_time_to_epoch(thisupd, &out->this_update) == -1) {
		rw_err_set(err, "ocsp_bad_time", "SingleResponse %s: "
		    "thisUpdate does not parse", out->id.serial);
		return -1;
	}
	if (nextupd != NULL) {
		if (asn1_time_to_epoch(nextupd, &out->next_update) == -1) {
			rw_err_set(err, "ocsp_bad_time", "SingleResponse %s: "
			    "nextUpdate does not parse", out->id.serial);
			return -1;
		}
		out->has_next_update = true;
	}
	return 0;
}

static int
resp_exts(struct ocsp_resp *out, OCSP_BASICRESP *bs, struct rw_err *err)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	int i, n, rc = -1;

	n = OCSP_BASICRESP_get_ext_count(bs);
	if ((exts = sk_X509_EXTENSION_new_null()) == NULL) {
		rw_err_set(err, "ocsp_oom", "%s: out of memory", __func__);
		goto out;
	}
	for (i = 0; i < n && i <= OCSP_MAX_EXTENSIONS; i++)
		if (!sk_X509_EXTENSION_push(exts, OCSP_BASICRESP_get_ext(bs, i))) {
			rw_err_set(err, "ocsp_oom", "%s: out of memory",
			    __func__);
			goto out;
		}
	if (exts_unique(exts, "ResponseData", err) == -1)
		goto out;
	i = OCSP_BASICRESP_get_ext_by_NID(bs, NID_id_pkix_OCSP_Nonce, -1);
	if (i >= 0) {
		out->has_nonce = true;
		nonce_fill(out->nonce, &out->nonce_truncated,
		    OCSP_BASICRESP_get_ext(bs, i));
	}
	rc = 0;
 out:
	/* borrowed extensions: free the stack only */
	sk_X509_EXTENSION_free(exts);
	return rc;
}

static int
resp_basic(struct ocsp_resp *out, OCSP_BASICRESP *bs,
    const struct ocsp_limits *lim, struct rw_err *err)
{
	const ASN1_OCTET_STRING *keyid = NULL;
	const X509_NAME *name = NULL;
	const ASN1_OBJECT *alg = NULL;
	const STACK_OF(X509) *certs;
	size_t i, keep;
	int n;

	if (!OCSP_resp_get0_id(bs, &keyid, &name)) {
		rw_err_set(err, "ocsp_bad_responder_id",
		    "ResponseData: responderID neither byName nor byKey");
		return -1;
	}
	if (keyid != NULL) {
		out->responder_by_key = true;
		if (hex_encode(out->responder_id, NAME_TEXT_MAX,
		    ASN1_STRING_get0_data(keyid),
		    (size_t)ASN1_STRING_length(keyid), false) == -1) {
			rw_err_set(err, "ocsp_bad_responder_id",
			    "ResponseData: byKey longer than %d bytes",
			    (NAME_TEXT_MAX - 1) / 2);
			return -1;
		}
	} else
		asn1_name_text(out->responder_id, name);
	if (asn1_time_to_epoch(OCSP_resp_get0_produced_at(bs),
	    &out->produced_at) == -1) {
		rw_err_set(err, "ocsp_bad_time",
		    "ResponseData: producedAt does not parse");
		return -1;
	}
	if ((n = OCSP_resp_count(bs)) < 0) {
		rw_err_set(err, "ocsp_resp_malformed", "no responses list");
		return -1;
	}
	out->n_total = (size_t)n;
	keep = out->n_total < lim->max_entries ? out->n_total :
	    lim->max_entries;
	if (keep > 0 &&
	    (out->singles = calloc(keep, sizeof(*out->singles))) == NULL) {
		rw_err_set(err, "ocsp_oom", "%s: out of memory", __func__);
		return -1;
	}
	for (i = 0; i < keep; i++) {
		if (single_fill(&out->singles[i], OCSP_resp_get0(bs, (int)i),
		    err) == -1)
			return -1;
		out->n_singles++;
	}
	if (resp_exts(out, bs, err) == -1)
		return -1;
	certs = OCSP_resp_get0_certs(bs);
	out->n_certs = certs == NULL ? 0 : (size_t)sk_X509_num(certs);
	X509_ALGOR_get0(&alg, NULL, NULL, OCSP_resp_get0_tbs_sigalg(bs));
	asn1_oid_text(out->sig_alg, alg);
	return 0;
}

/* The BasicOCSPResponse of a successful response, into out->basic. */
static int
resp_basic_decode(struct ocsp_resp *out, const uint8_t *der, size_t len,
    struct rw_err *err)
{
	const unsigned char *p = der, *body;
	RW_OCSPRESP *r;
	long n;
	int rc = -1;

	r = (RW_OCSPRESP *)ASN1_item_d2i(NULL, &p, (long)len,
	    ASN1_ITEM_rptr(RW_OCSPRESP));
	if (r == NULL || r->bytes == NULL ||
	    OBJ_obj2nid(r->bytes->type) != NID_id_pkix_OCSP_basic) {
		rw_err_set(err, "ocsp_resp_not_basic", "OCSPResponse: "
		    "successful without an id-pkix-ocsp-basic body");
		goto out;
	}
	body = ASN1_STRING_get0_data(r->bytes->response);
	n = ASN1_STRING_length(r->bytes->response);
	p = body;
	if ((out->basic = d2i_OCSP_BASICRESP(NULL, &p, n)) == NULL) {
		rw_err_set(err, "ocsp_resp_malformed", "BasicOCSPResponse "
		    "(%ld bytes): not DER of RFC 6960 4.2.1", n);
		goto out;
	}
	if (p != body + n) {
		rw_err_set(err, "ocsp_trailing_data", "BasicOCSPResponse: %ld "
		    "bytes after it in responseBytes", n - (long)(p - body));
		goto out;
	}
	rc = 0;
 out:
	ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(RW_OCSPRESP));
	return rc;
}

int
ocsp_resp_parse(struct ocsp_resp *out, const uint8_t *der, size_t len,
    const struct ocsp_limits *lim, struct rw_err *err)
{
	const unsigned char *p = der;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > LONG_MAX) {
		rw_err_set(err, "ocsp_resp_malformed",
		    "OCSPResponse: bad length %zu", len);
		goto out;
	}
	if ((out->resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL) {
		rw_err_set(err, "ocsp_resp_malformed",
		    "OCSPResponse (%zu bytes): not DER of RFC 6960 4.2.1", len);
		goto out;
	}
	if (p != der + len) {
		rw_err_set(err, "ocsp_trailing_data",
		    "OCSPResponse: %zu bytes after the response",
		    len - (size_t)(p - der));
		goto out;
	}
	out->status = OCSP_response_status(out->resp);
	if (out->status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		/* RFC 6960 4.2.1: no responseBytes with an error status */
		OCSP_RESPONSE_free(out->resp);
		out->resp = NULL;
		rc = 0;
		goto out;
	}
	if (resp_basic_decode(out, der, len, err) == -1)
		goto out;
	out->has_basic = true;
	if (resp_basic(out, out->basic, lim, err) == -1)
		goto out;
	rc = 0;
 out:
	if (rc == -1)
		ocsp_resp_free(out);
	return rc;
}

const char *
ocsp_resp_status_name(int status)
{
	/* RFC 6960 4.2.1; 4 is not used */
	static const char *const names[] = {
		"successful", "malformedRequest", "internalError", "tryLater",
		NULL, "sigRequired", "unauthorized"
	};

	if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[status];
}

const char *
ocsp_cert_status_name(enum ocsp_cert_status st)
{
	switch (st) {
	case OCSP_ST_GOOD:
		return "good";
	case OCSP_ST_REVOKED:
		return "revoked";
	case OCSP_ST_UNKNOWN:
		return "unknown";
	}
	return NULL;
}

/* GET form (RFC 6960 A.1, RFC 5019 5): percent-encoded base64 of the DER */

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	/* standard and URL-safe alphabets both accepted */
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * Base64-decodes src[0..n) in place into dst (room for n bytes), padding
 * optional.  Returns the decoded length, or -1 if it is not base64.
 */
static long
b64_decode(uint8_t *dst, const uint8_t *src, size_t n)
{
	uint32_t acc = 0;
	size_t i, o = 0, bits = 0, pad = 0;

	while (n > 0 && src[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (pad > 0 && (n + pad) % 4 != 0)
		return -1;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64_value(src[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			dst[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)o;
}

/* One candidate suffix: 1 and the DER in *der if it is an OCSPRequest. */
static int
get_try(const char *s, size_t n, uint8_t *work, uint8_t **der,
    size_t *derlen)
{
	const unsigned char *p;
	OCSP_REQUEST *req;
	long m;

	if ((m = pct_decode(work, n, s, n)) <= 0)
		return 0;
	if ((m = b64_decode(work, work, (size_t)m)) <= 0)
		return 0;
	/* an OCSPRequest is a SEQUENCE: skip d2i on anything else */
	if (work[0] != 0x30)
		return 0;
	p = work;
	req = d2i_OCSP_REQUEST(NULL, &p, m);
	OCSP_REQUEST_free(req);
	if (req == NULL || p != work + m)
		return 0;
	if ((*der = malloc((size_t)m)) == NULL)
		return -1;
	memcpy(*der, work, (size_t)m);
	*derlen = (size_t)m;
	return 1;
}

int
ocsp_get_decode(const char *uri, size_t urilen, uint8_t **der,
    size_t *derlen, size_t maxlen, struct rw_err *err)
{
	uint8_t *work = NULL;
	size_t i, n, maxenc, tries = 0;
	bool too_long = false;
	int r, rc = -1;

	*der = NULL;
	*derlen = 0;
	/* the query is not part of the path (and '?' is not base64) */
	for (n = 0; n < urilen && uri[n] != '?' && uri[n] != '#'; n++)
		;
	/*
	 * Longest encoding of maxlen DER bytes: base64 (4 per 3, rounded up)
	 * with every character percent-escaped (3 each).
	 */
	maxenc = maxlen > SIZE_MAX / 16 ? SIZE_MAX / 4 : (maxlen + 2) / 3 * 12;
	if ((work = malloc(n + 1)) == NULL) {
		rw_err_set(err, "ocsp_oom", "%s: out of memory", __func__);
		goto out;
	}
	/* each '/' starts a candidate; the first one found is the longest */
	for (i = 0; i < n && tries < OCSP_GET_MAX_SUFFIXES; i++) {
		size_t len;

		if (uri[i] != '/')
			continue;
		len = n - i - 1;
		if (len == 0)
			continue;
		if (len > maxenc) {
			too_long = true;
			continue;
		}
		tries++;
		if ((r = get_try(uri + i + 1, len, work, der, derlen)) == 1)
			break;
		if (r == -1) {
			rw_err_set(err, "ocsp_oom", "%s: out of memory",
			    __func__);
			goto out;
		}
	}
	if (*der == NULL) {
		if (too_long)
			rw_err_set(err, "ocsp_get_too_long", "OCSP GET: "
			    "request-target longer than the %zu-byte limit "
			    "allows", maxlen);
		else if (tries == 0)
			rw_err_set(err, "ocsp_get_empty",
			    "OCSP GET: no request in the request-target");
		else
			rw_err_set(err, "ocsp_get_not_ocsp", "OCSP GET: no "
			    "path suffix decodes to an OCSPRequest (%zu tried)",
			    tries);
		goto out;
	}
	if (*derlen > maxlen) {
		rw_err_set(err, "ocsp_get_too_long", "OCSP GET: want at most "
		    "%zu bytes of request, have %zu", maxlen, *derlen);
		goto out;
	}
	rc = 0;
 out:
	free(work);
	if (rc == -1) {
		free(*der);
		*der = NULL;
		*derlen = 0;
	}
	return rc;
}
