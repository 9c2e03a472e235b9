/*
 * tsp.c - RFC 3161 time-stamp requests and replies, decoded by OpenSSL
 * (d2i_TS_REQ, d2i_TS_RESP) into the flat structs of proto.h.  A host that
 * asks a TSA for a timestamp is signing something, so these exchanges are
 * reported whole.  No verification here: the decoded reply stays in
 * struct tsp_resp for the caller.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "common/hex.h"
#include "proto/proto.h"

/*
 * Dotted text of an OID: policies are matched against the TSA's published
 * OIDs, so never OpenSSL's long name.  -1 when it does not fit.
 */
static int
oid_dotted(char buf[TSP_OID_MAX], const ASN1_OBJECT *obj)
{
	int n;

	buf[0] = '\0';
	n = OBJ_obj2txt(buf, TSP_OID_MAX, obj, 1);
	if (n <= 0 || n >= TSP_OID_MAX) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

static int
policy_fill(char buf[TSP_OID_MAX], const ASN1_OBJECT *obj, const char *what,
    struct rw_err *err)
{
	if (oid_dotted(buf, obj) == -1) {
		rw_err_set(err, "tsp_bad_policy", "%s: policy OID missing or "
		    "longer than %d characters", what, TSP_OID_MAX - 1);
		return -1;
	}
	return 0;
}

/* Copies the MessageImprint out of mi (owned by the request or token). */
static int
imprint_fill(struct tsp_imprint *out, TS_MSG_IMPRINT *mi, const char *what,
    struct rw_err *err)
{
	const ASN1_OBJECT *alg = NULL;
	const ASN1_OCTET_STRING *msg;

	X509_ALGOR_get0(&alg, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
	asn1_oid_text(out->hash_alg, alg);
	msg = TS_MSG_IMPRINT_get_msg(mi);
	if (hex_encode(out->imprint, HASH_HEX_MAX, ASN1_STRING_get0_data(msg),
	    (size_t)ASN1_STRING_length(msg), false) == -1) {
		rw_err_set(err, "tsp_imprint_too_long", "%s: hashedMessage "
		    "longer than %d bytes", what, (HASH_HEX_MAX - 1) / 2);
		return -1;
	}
	return 0;
}

/* Nonces and serials are INTEGERs: the same text as certificate serials. */
static int
int_fill(char buf[SERIAL_HEX_MAX], const ASN1_INTEGER *ai, const char *what,
    const char *reason, struct rw_err *err)
{
	if (asn1_serial_hex(buf, ai) == -1) {
		rw_err_set(err, reason, "%s longer than %d bytes", what,
		    (SERIAL_HEX_MAX - 2) / 2);
		return -1;
	}
	return 0;
}

void
tsp_req_free(struct tsp_req *req)
{
	if (req != NULL)
		memset(req, 0, sizeof(*req));
}

int
tsp_req_parse(struct tsp_req *out, const uint8_t *der, size_t len,
    struct rw_err *err)
{
	const unsigned char *p = der;
	const ASN1_INTEGER *nonce;
	const ASN1_OBJECT *policy;
	TS_REQ *req = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > LONG_MAX) {
		rw_err_set(err, "tsp_req_malformed",
		    "TimeStampReq: bad length %zu", len);
		goto out;
	}
	if ((req = d2i_TS_REQ(NULL, &p, (long)len)) == NULL) {
		rw_err_set(err, "tsp_req_malformed",
		    "TimeStampReq (%zu bytes): not DER of RFC 3161 2.4.1", len);
		goto out;
	}
	if (p != der + len) {
		rw_err_set(err, "tsp_trailing_data",
		    "TimeStampReq: %zu bytes after the request",
		    len - (size_t)(p - der));
		goto out;
	}
	if (imprint_fill(&out->imprint, TS_REQ_get_msg_imprint(req),
	    "TimeStampReq", err) == -1)
		goto out;
	if ((policy = TS_REQ_get_policy_id(req)) != NULL) {
		if (policy_fill(out->policy, policy, "TimeStampReq reqPolicy",
		    err) == -1)
			goto out;
		out->has_policy = true;
	}
	if ((nonce = TS_REQ_get_nonce(req)) != NULL) {
		if (int_fill(out->nonce, nonce, "TimeStampReq nonce",
		    "tsp_nonce_too_long", err) == -1)
			goto out;
		out->has_nonce = true;
	}
	out->cert_req = TS_REQ_get_cert_req(req) != 0;
	rc = 0;
 out:
	TS_REQ_free(req);
	if (rc == -1)
		tsp_req_free(out);
	return rc;
}

void
tsp_resp_free(struct tsp_resp *resp)
{
	if (resp == NULL)
		return;
	/* signer is borrowed from the token's certificates */
	TS_RESP_free(resp->resp);
	memset(resp, 0, sizeof(*resp));
}

/* Appends up to n bytes to raw[*o..sizeof raw), cutting at the end. */
static void
text_append(char raw[NAME_TEXT_MAX], size_t *o, const void *p, size_t n)
{
	if (n > NAME_TEXT_MAX - *o)
		n = NAME_TEXT_MAX - *o;
	memcpy(raw + *o, p, n);
	*o += n;
}

/*
 * PKIFreeText, "; "-joined and escaped (attacker text: rw_escape).  raw
 * holds one byte more than buf can show, so a cut ends in "...".
 */
static void
status_text(char buf[NAME_TEXT_MAX], const STACK_OF(ASN1_UTF8STRING) *texts)
{
	char raw[NAME_TEXT_MAX];
	size_t o = 0;
	int i;

	/* the loop stops once raw is full: bounded by NAME_TEXT_MAX */
	for (i = 0; i < sk_ASN1_UTF8STRING_num(texts) && o < sizeof(raw);
	    i++) {
		const ASN1_UTF8STRING *s = sk_ASN1_UTF8STRING_value(texts, i);

		if (i > 0)
			text_append(raw, &o, "; ", 2);
		text_append(raw, &o, ASN1_STRING_get0_data(s),
		    (size_t)ASN1_STRING_length(s));
	}
	rw_escape(buf, NAME_TEXT_MAX, raw, o);
}

/* PKIFailureInfo: bit 0 is the first byte's most significant bit. */
static void
failure_fill(struct tsp_resp *out, const ASN1_BIT_STRING *fi)
{
	const unsigned char *d = ASN1_STRING_get0_data(fi);
	size_t i, n = (size_t)ASN1_STRING_length(fi);
	int b;

	out->has_failure_info = true;
	for (i = 0; i < n; i++) {
		if (d[i] == 0)
			continue;
		if (i >= sizeof(out->failure_info)) {
			out->failure_info_high = true;
			break;
		}
		for (b = 0; b < 8; b++)
			if (d[i] & (0x80 >> b))
				out->failure_info |= (uint32_t)1 << (i * 8 +
				    (size_t)b);
	}
}

static int
status_fill(struct tsp_resp *out, TS_STATUS_INFO *si, struct rw_err *err)
{
	const ASN1_BIT_STRING *fi;
	int64_t v;

	if (!ASN1_INTEGER_get_int64(&v, TS_STATUS_INFO_get0_status(si)) ||
	    v < INT_MIN || v > INT_MAX) {
		rw_err_set(err, "tsp_bad_status",
		    "PKIStatusInfo: status is not a small integer");
		return -1;
	}
	out->status = (int)v;
	status_text(out->status_text, TS_STATUS_INFO_get0_text(si));
	if ((fi = TS_STATUS_INFO_get0_failure_info(si)) != NULL)
		failure_fill(out, fi);
	return 0;
}

/*
 * OpenSSL decodes the TSTInfo out of the token's eContent without checking
 * that it fills the OCTET STRING: decode it once more and check.  The
 * token was accepted by PKCS7_to_TS_TST_INFO(), so it is an attached
 * SignedData whose eContent is an OCTET STRING.
 */
static int
tst_whole(PKCS7 *token, struct rw_err *err)
{
	const ASN1_OCTET_STRING *os =
	    token->d.sign->contents->d.other->value.octet_string;
	const unsigned char *start = ASN1_STRING_get0_data(os), *p = start;
	long n = ASN1_STRING_length(os);
	TS_TST_INFO *tst;
	int rc = -1;

	if ((tst = d2i_TS_TST_INFO(NULL, &p, n)) == NULL) {
		rw_err_set(err, "tsp_resp_malformed",
		    "TSTInfo (%ld bytes): not DER of RFC 3161 2.4.2", n);
		goto out;
	}
	if (p != start + n) {
		rw_err_set(err, "tsp_trailing_data", "TSTInfo: %ld bytes "
		    "after it in eContent", n - (long)(p - start));
		goto out;
	}
	rc = 0;
 out:
	TS_TST_INFO_free(tst);
	return rc;
}

/* genTime, and the digits of its fraction of a second when it has one. */
static int
gen_time_fill(struct tsp_resp *out, const ASN1_GENERALIZEDTIME *gt,
    struct rw_err *err)
{
	const unsigned char *d;
	size_t i, k = 0, n;

	if (asn1_time_to_epoch(gt, &out->gen_time) == -1) {
		rw_err_set(err, "tsp_bad_time", "TSTInfo: genTime %s",
		    gt == NULL ? "missing" : "does not parse");
		return -1;
	}
	/* ASN1_TIME_to_tm() accepted it: digits, an optional '.' fraction, Z */
	d = ASN1_STRING_get0_data(gt);
	n = (size_t)ASN1_STRING_length(gt);
	for (i = 0; i < n && d[i] != '.'; i++)
		;
	for (i++; i < n && k < TSP_FRAC_DIGITS && d[i] >= '0' && d[i] <= '9';
	    i++)
		out->gen_time_frac[k++] = (char)d[i];
	out->gen_time_frac[k] = '\0';
	return 0;
}

/* One Accuracy field into *v, -1 when absent; negative is malformed. */
static int
acc_value(int64_t *v, const ASN1_INTEGER *ai)
{
	*v = -1;
	if (ai == NULL)
		return 0;
	if (!ASN1_INTEGER_get_int64(v, ai) || *v < 0) {
		*v = -1;
		return -1;
	}
	return 0;
}

static int
accuracy_fill(struct tsp_resp *out, const TS_ACCURACY *acc,
    struct rw_err *err)
{
	out->acc_seconds = out->acc_millis = out->acc_micros = -1;
	if (acc == NULL)
		return 0;
	out->has_accuracy = true;
	if (acc_value(&out->acc_seconds, TS_ACCURACY_get_seconds(acc)) == -1 ||
	    acc_value(&out->acc_millis, TS_ACCURACY_get_millis(acc)) == -1 ||
	    acc_value(&out->acc_micros, TS_ACCURACY_get_micros(acc)) == -1) {
		rw_err_set(err, "tsp_bad_accuracy",
		    "TSTInfo: accuracy negative or too large");
		return -1;
	}
	return 0;
}

/*
 * The TSA's signer, named by the first SignerInfo's issuerAndSerialNumber
 * (RFC 5652 5.3; RFC 3161 allows the TSA's signature only), looked up in
 * the token's certificates.  ESSCertID is a hash for verifiers to check,
 * not needed to find the certificate.
 */
static int
signer_fill(struct tsp_resp *out, PKCS7 *token, struct rw_err *err)
{
	STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(token);
	STACK_OF(X509) *certs = token->d.sign->cert;
	PKCS7_ISSUER_AND_SERIAL *ias;

	out->n_certs = certs == NULL ? 0 : (size_t)sk_X509_num(certs);
	if (sk_PKCS7_SIGNER_INFO_num(sis) <= 0) {
		rw_err_set(err, "tsp_no_signer",
		    "TimeStampToken: no SignerInfo (RFC 3161 2.4.2)");
		return -1;
	}
	ias = sk_PKCS7_SIGNER_INFO_value(sis, 0)->issuer_and_serial;
	asn1_name_text(out->signer_issuer, ias->issuer);
	if (int_fill(out->signer_serial, ias->serial, "SignerInfo serial",
	    "tsp_serial_too_long", err) == -1)
		return -1;
	if (certs == NULL)
		return 0;
	/* get0: the certificate stays owned by out->resp */
	out->signer = X509_find_by_issuer_and_serial(certs, ias->issuer,
	    ias->serial);
	if (out->signer != NULL)
		asn1_name_text(out->signer_subject,
		    X509_get_subject_name(out->signer));
	return 0;
}

static int
token_fill(struct tsp_resp *out, PKCS7 *token, TS_TST_INFO *tst,
    struct rw_err *err)
{
	const ASN1_INTEGER *nonce;
	GENERAL_NAME *tsa;

	if (tst == NULL) {
		rw_err_set(err, "tsp_resp_malformed",
		    "TimeStampResp: token without TSTInfo");
		return -1;
	}
	if (tst_whole(token, err) == -1)
		return -1;
	out->has_token = true;
	if (policy_fill(out->policy, TS_TST_INFO_get_policy_id(tst),
	    "TSTInfo policy", err) == -1 ||
	    imprint_fill(&out->imprint, TS_TST_INFO_get_msg_imprint(tst),
	    "TSTInfo", err) == -1 ||
	    int_fill(out->serial, TS_TST_INFO_get_serial(tst),
	    "TSTInfo serialNumber", "tsp_serial_too_long", err) == -1 ||
	    gen_time_fill(out, TS_TST_INFO_get_time(tst), err) == -1 ||
	    accuracy_fill(out, TS_TST_INFO_get_accuracy(tst), err) == -1)
		return -1;
	if ((nonce = TS_TST_INFO_get_nonce(tst)) != NULL) {
		if (int_fill(out->nonce, nonce, "TSTInfo nonce",
		    "tsp_nonce_too_long", err) == -1)
			return -1;
		out->has_nonce = true;
	}
	if ((tsa = TS_TST_INFO_get_tsa(tst)) != NULL)
		asn1_general_name_text(out->tsa, tsa);
	return signer_fill(out, token, err);
}

int
tsp_resp_parse(struct tsp_resp *out, const uint8_t *der, size_t len,
    struct rw_err *err)
{
	const unsigned char *p = der;
	PKCS7 *token;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > LONG_MAX) {
		rw_err_set(err, "tsp_resp_malformed",
		    "TimeStampResp: bad length %zu", len);
		goto out;
	}
	/*
	 * d2i_TS_RESP() also decodes the token's TSTInfo, and refuses a
	 * granted status without a token or a token with any other status.
	 */
	if ((out->resp = d2i_TS_RESP(NULL, &p, (long)len)) == NULL) {
		rw_err_set(err, "tsp_resp_malformed",
		    "TimeStampResp (%zu bytes): not DER of RFC 3161 2.4.2", len);
		goto out;
	}
	if (p != der + len) {
		rw_err_set(err, "tsp_trailing_data",
		    "TimeStampResp: %zu bytes after the reply",
		    len - (size_t)(p - der));
		goto out;
	}
	if (status_fill(out, TS_RESP_get_status_info(out->resp), err) == -1)
		goto out;
	if ((token = TS_RESP_get_token(out->resp)) != NULL &&
	    token_fill(out, token, TS_RESP_get_tst_info(out->resp), err) == -1)
		goto out;
	rc = 0;
 out:
	if (rc == -1)
		tsp_resp_free(out);
	return rc;
}

const char *
tsp_status_name(int status)
{
	/* RFC 3161 2.4.2 PKIStatus */
	static const char *const names[] = {
		"granted", "grantedWithMods", "rejection", "waiting",
		"revocationWarning", "revocationNotification"
	};

	if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[status];
}

const char *
tsp_failure_name(int bit)
{
	/* RFC 3161 2.4.2 PKIFailureInfo; the other bits are not assigned */
	switch (bit) {
	case 0:		return "badAlg";
	case 2:		return "badRequest";
	case 5:		return "badDataFormat";
	case 14:	return "timeNotAvailable";
	case 15:	return "unacceptedPolicy";
	case 16:	return "unacceptedExtension";
	case 17:	return "addInfoNotAvailable";
	case 25:	return "systemFailure";
	}
	return NULL;
}
