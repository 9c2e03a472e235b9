/*
 * test_tsp.c - RFC 3161 requests and replies made by `openssl ts -query`
 * and `openssl ts -reply` (tests/data/tsp/make.sh, a TSA whose certificate
 * has EKU timeStamping critical).  Expected values were copied from the
 * `openssl ts -text` output committed beside each object (NAME.txt):
 * hashes lower-cased, "0x" dropped from serials and nonces, times in RFC
 * 3339; names from `openssl x509 -nameopt RFC2253` on tsa.pem.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include "proto/proto.h"
#include "sensor/eve_tsp.h"
#include "tests/unit/unit.h"

#define TSA_NAME	"CN=revwire Test TSA,O=revwire test PKI,C=US"
#define ROOT_NAME	"CN=revwire Test Root CA,O=revwire test PKI,C=US"
#define IMPRINT_SHA256	\
	"db3a40d052893b8964860b23b58d84cd0a3db36dabfa943caf52b33972de81e9"
#define IMPRINT_SHA1	"0b00087ff34a0642fbffb4d388c11482c3a82a42"

static uint8_t *
tsp_file(const char *name, size_t *len)
{
	uint8_t *b = unit_slurp(unit_path("tests/data/tsp/%s", name), len);

	if (b == NULL)
		fprintf(stderr, "cannot read tests/data/tsp/%s\n", name);
	return b;
}

static bool
req_zeroed(const struct tsp_req *r)
{
	static const struct tsp_req zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

static bool
resp_zeroed(const struct tsp_resp *r)
{
	static const struct tsp_resp zero;

	return memcmp(r, &zero, sizeof(zero)) == 0;
}

static void
test_req(void)
{
	struct tsp_req r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = tsp_file("q-granted.tsq", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_req_parse(&r, der, len, &err), 0);
	CHECK_STR(r.imprint.hash_alg, "sha256");
	CHECK_STR(r.imprint.imprint, IMPRINT_SHA256);
	CHECK(r.has_nonce);
	/* 0xFFA0...: DER carries a 00 pad the text must not show */
	CHECK_STR(r.nonce, "FFA02102B5C335D6");
	CHECK(!r.has_policy);
	CHECK_STR(r.policy, "");
	CHECK(r.cert_req);
	tsp_req_free(&r);
	CHECK(req_zeroed(&r));
	CHECK_INT(obj_classify(der, len, NULL, NULL, true), OBJ_TS_QUERY);
	free(der);

	if ((der = tsp_file("q-nocert.tsq", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_req_parse(&r, der, len, &err), 0);
	CHECK_STR(r.imprint.hash_alg, "sha1");
	CHECK_STR(r.imprint.imprint, IMPRINT_SHA1);
	CHECK(!r.has_nonce);
	CHECK(r.has_policy);
	CHECK_STR(r.policy, "1.3.6.1.4.1.55555.1.2");
	CHECK(!r.cert_req);
	tsp_req_free(&r);
	free(der);

	if ((der = tsp_file("q-policy.tsq", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_req_parse(&r, der, len, &err), 0);
	CHECK_STR(r.policy, "1.2.3.4.99");
	CHECK_STR(r.nonce, "7500E391FEA48FC6");
	CHECK(!r.cert_req);
	tsp_req_free(&r);
	free(der);
}

static void
test_resp_granted(void)
{
	struct tsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = tsp_file("r-granted.tsr", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_resp_parse(&r, der, len, &err), 0);
	CHECK_INT(r.status, TSP_GRANTED);
	CHECK_STR(tsp_status_name(r.status), "granted");
	CHECK_STR(r.status_text, "");
	CHECK(!r.has_failure_info);
	CHECK(r.has_token);
	CHECK_STR(r.policy, "1.3.6.1.4.1.55555.1.1");
	CHECK_STR(r.imprint.hash_alg, "sha256");
	CHECK_STR(r.imprint.imprint, IMPRINT_SHA256);
	CHECK_STR(r.serial, "9F01");
	/* Time stamp: Nov 30 05:08:38.373 2026 GMT */
	CHECK_STR(unit_time(r.gen_time), "2026-11-30T05:08:38Z");
	CHECK_STR(r.gen_time_frac, "373");
	CHECK(r.has_accuracy);
	CHECK_INT(r.acc_seconds, 1);
	CHECK_INT(r.acc_millis, 500);
	CHECK_INT(r.acc_micros, 100);
	CHECK(r.has_nonce);
	CHECK_STR(r.nonce, "FFA02102B5C335D6");
	CHECK_STR(r.tsa, TSA_NAME);
	/* certReq: the TSA certificate and the CA (tsa.cnf certs) */
	CHECK_INT(r.n_certs, 2);
	CHECK_STR(r.signer_issuer, ROOT_NAME);
	CHECK_STR(r.signer_serial, "8A5A");
	CHECK_STR(r.signer_subject, TSA_NAME);
	CHECK(r.signer != NULL && r.resp != NULL);
	CHECK_INT(obj_classify(der, len, NULL, NULL, false), OBJ_TS_REPLY);
	tsp_resp_free(&r);
	CHECK(resp_zeroed(&r));
	free(der);
}

static void
test_resp_nocert(void)
{
	struct tsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = tsp_file("r-nocert.tsr", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_resp_parse(&r, der, len, &err), 0);
	CHECK_STR(tsp_status_name(r.status), "granted");
	CHECK(r.has_token);
	CHECK_STR(r.policy, "1.3.6.1.4.1.55555.1.2");
	CHECK_STR(r.imprint.hash_alg, "sha1");
	CHECK_STR(r.imprint.imprint, IMPRINT_SHA1);
	CHECK_STR(r.serial, "9F02");
	CHECK_STR(unit_time(r.gen_time), "2026-11-30T05:08:38Z");
	CHECK_STR(r.gen_time_frac, "402");
	CHECK(!r.has_nonce);
	CHECK_STR(r.tsa, TSA_NAME);
	/* no certReq: no certificates, the signer known by issuer+serial only */
	CHECK_INT(r.n_certs, 0);
	CHECK_STR(r.signer_issuer, ROOT_NAME);
	CHECK_STR(r.signer_serial, "8A5A");
	CHECK_STR(r.signer_subject, "");
	CHECK(r.signer == NULL);
	tsp_resp_free(&r);
	free(der);
}

static void
test_resp_rejected(void)
{
	struct tsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = tsp_file("r-badalg.tsr", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_resp_parse(&r, der, len, &err), 0);
	CHECK_INT(r.status, TSP_REJECTION);
	CHECK_STR(tsp_status_name(r.status), "rejection");
	CHECK_STR(r.status_text, "Message digest algorithm is not supported.");
	CHECK(r.has_failure_info);
	CHECK_INT(r.failure_info, 1u << 0);
	CHECK(!r.failure_info_high);
	CHECK(!r.has_token);
	CHECK_STR(r.serial, "");
	CHECK_STR(r.signer_subject, "");
	CHECK_INT(obj_classify(der, len, NULL, NULL, false), OBJ_TS_REPLY);
	tsp_resp_free(&r);
	free(der);

	if ((der = tsp_file("r-policy.tsr", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_resp_parse(&r, der, len, &err), 0);
	CHECK_STR(tsp_status_name(r.status), "rejection");
	CHECK_STR(r.status_text, "Requested policy is not supported.");
	CHECK_INT(r.failure_info, 1u << 15);
	CHECK_STR(tsp_failure_name(15), "unacceptedPolicy");
	CHECK(!r.has_token);
	CHECK_INT(obj_classify(der, len, NULL, NULL, false), OBJ_TS_REPLY);
	tsp_resp_free(&r);
	free(der);
}

/*
 * r-odd.tsr (asn1parse -genconf): what no TSA sends, as the JSON shows it.
 * Unnamed failure bits as numbers, bits above 31 as "other", an unnamed
 * status as its number, a non-UTF-8 byte escaped.
 */
static void
test_resp_odd(void)
{
	struct tsp_resp r;
	struct rw_err err;
	json_t *j, *fi, *resp;
	uint8_t *der;
	size_t len;

	if ((der = tsp_file("r-odd.tsr", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_resp_parse(&r, der, len, &err), 0);
	CHECK_INT(r.status, 7);
	CHECK(tsp_status_name(r.status) == NULL);
	CHECK_STR(r.status_text, "TSA busy; bad\\xffbyte");
	CHECK_INT(r.failure_info, 1u << 1 | 1u << 3 | 1u << 17);
	CHECK(r.failure_info_high);
	CHECK(!r.has_token);
	j = tsp_json(NULL, &r);
	resp = json_object_get(j, "response");
	CHECK(json_object_get(j, "request") == NULL);
	CHECK(json_is_string(json_object_get(j, "signing_activity")));
	CHECK_STR(json_string_value(json_object_get(resp, "status")), "7");
	CHECK_STR(json_string_value(json_object_get(resp, "status_text")),
	    "TSA busy; bad\\xffbyte");
	fi = json_object_get(resp, "failure_info");
	CHECK_INT(json_array_size(fi), 4);
	CHECK_STR(json_string_value(json_array_get(fi, 0)), "1");
	CHECK_STR(json_string_value(json_array_get(fi, 1)), "3");
	CHECK_STR(json_string_value(json_array_get(fi, 2)),
	    "addInfoNotAvailable");
	CHECK_STR(json_string_value(json_array_get(fi, 3)), "other");
	CHECK(json_object_get(resp, "serial") == NULL);
	json_decref(j);
	CHECK_INT(obj_classify(der, len, NULL, NULL, false), OBJ_TS_REPLY);
	tsp_resp_free(&r);
	free(der);
}

/* The granted reply as JSON: genTime with its milliseconds. */
static void
test_json_granted(void)
{
	struct tsp_req q;
	struct tsp_resp r;
	struct rw_err err;
	json_t *j, *resp, *acc;
	uint8_t *qd, *rd;
	size_t ql, rl;

	qd = tsp_file("q-granted.tsq", &ql);
	rd = tsp_file("r-granted.tsr", &rl);
	if (qd == NULL || rd == NULL ||
	    tsp_req_parse(&q, qd, ql, &err) == -1 ||
	    tsp_resp_parse(&r, rd, rl, &err) == -1) {
		CHECK(!"granted objects decode");
		free(qd);
		free(rd);
		return;
	}
	j = tsp_json(&q, &r);
	resp = json_object_get(j, "response");
	CHECK_STR(json_string_value(json_object_get(resp, "gen_time")),
	    "2026-11-30T05:08:38.373Z");
	CHECK_STR(json_string_value(json_object_get(resp, "status")),
	    "granted");
	CHECK(json_object_get(resp, "failure_info") == NULL);
	acc = json_object_get(resp, "accuracy");
	CHECK_INT(json_integer_value(json_object_get(acc, "millis")), 500);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "request"), "nonce")), "FFA02102B5C335D6");
	CHECK(json_is_true(json_object_get(json_object_get(j, "request"),
	    "cert_req")));
	json_decref(j);
	tsp_req_free(&q);
	tsp_resp_free(&r);
	free(qd);
	free(rd);
}

static void
test_names(void)
{
	CHECK_STR(tsp_status_name(0), "granted");
	CHECK_STR(tsp_status_name(1), "grantedWithMods");
	CHECK_STR(tsp_status_name(3), "waiting");
	CHECK_STR(tsp_status_name(4), "revocationWarning");
	CHECK_STR(tsp_status_name(5), "revocationNotification");
	CHECK(tsp_status_name(6) == NULL);
	CHECK(tsp_status_name(-1) == NULL);
	CHECK_STR(tsp_failure_name(0), "badAlg");
	CHECK_STR(tsp_failure_name(2), "badRequest");
	CHECK_STR(tsp_failure_name(5), "badDataFormat");
	CHECK_STR(tsp_failure_name(14), "timeNotAvailable");
	CHECK_STR(tsp_failure_name(16), "unacceptedExtension");
	CHECK_STR(tsp_failure_name(17), "addInfoNotAvailable");
	CHECK_STR(tsp_failure_name(25), "systemFailure");
	CHECK(tsp_failure_name(1) == NULL);
	CHECK(tsp_failure_name(26) == NULL);
}

/* Truncated, padded, garbage and swapped input: exact reasons, zeroed. */
static void
test_bad_input(void)
{
	static const uint8_t garbage[] = "<html>not a timestamp</html>";
	struct tsp_req q;
	struct tsp_resp r;
	struct rw_err err;
	uint8_t *qd, *rd, *big;
	size_t ql, rl;

	qd = tsp_file("q-granted.tsq", &ql);
	rd = tsp_file("r-granted.tsr", &rl);
	if (qd == NULL || rd == NULL) {
		CHECK(qd != NULL && rd != NULL);
		free(qd);
		free(rd);
		return;
	}
	CHECK_INT(tsp_req_parse(&q, qd, ql - 1, &err), -1);
	CHECK_STR(err.reason, "tsp_req_malformed");
	CHECK(req_zeroed(&q));
	CHECK_INT(tsp_resp_parse(&r, rd, rl - 1, &err), -1);
	CHECK_STR(err.reason, "tsp_resp_malformed");
	CHECK(resp_zeroed(&r));
	CHECK_INT(tsp_resp_parse(&r, rd, 100, &err), -1);
	CHECK_STR(err.reason, "tsp_resp_malformed");
	CHECK(resp_zeroed(&r));

	big = malloc(rl + 1);
	memcpy(big, rd, rl);
	big[rl] = 0;
	CHECK_INT(tsp_resp_parse(&r, big, rl + 1, &err), -1);
	CHECK_STR(err.reason, "tsp_trailing_data");
	CHECK(resp_zeroed(&r));
	memcpy(big, qd, ql);
	big[ql] = 0;
	CHECK_INT(tsp_req_parse(&q, big, ql + 1, &err), -1);
	CHECK_STR(err.reason, "tsp_trailing_data");
	CHECK(req_zeroed(&q));
	free(big);

	CHECK_INT(tsp_req_parse(&q, garbage, sizeof(garbage) - 1, &err), -1);
	CHECK_STR(err.reason, "tsp_req_malformed");
	CHECK_INT(tsp_resp_parse(&r, garbage, sizeof(garbage) - 1, &err), -1);
	CHECK_STR(err.reason, "tsp_resp_malformed");
	CHECK_INT(tsp_req_parse(&q, qd, 0, &err), -1);
	CHECK_STR(err.reason, "tsp_req_malformed");
	/* a query is no reply and a reply no query */
	CHECK_INT(tsp_resp_parse(&r, qd, ql, &err), -1);
	CHECK_STR(err.reason, "tsp_resp_malformed");
	CHECK_INT(tsp_req_parse(&q, rd, rl, &err), -1);
	CHECK_STR(err.reason, "tsp_req_malformed");
	/* labelled only: the older media type names still count */
	CHECK_INT(obj_classify(garbage, sizeof(garbage) - 1,
	    "application/timestamp-request", NULL, true), OBJ_TS_QUERY);
	free(qd);
	free(rd);
}

/* DER of a reply edited through OpenSSL: fn changes the token. */
static uint8_t *
edited_reply(void (*fn)(PKCS7 *), size_t *outlen)
{
	const unsigned char *p;
	unsigned char *out = NULL;
	TS_RESP *resp;
	uint8_t *der;
	size_t len;
	int n;

	if ((der = tsp_file("r-granted.tsr", &len)) == NULL)
		return NULL;
	p = der;
	resp = d2i_TS_RESP(NULL, &p, (long)len);
	free(der);
	if (resp == NULL)
		return NULL;
	fn(TS_RESP_get_token(resp));
	n = i2d_TS_RESP(resp, &out);
	TS_RESP_free(resp);
	if (n <= 0)
		return NULL;
	*outlen = (size_t)n;
	return out;
}

static void
tst_add_byte(PKCS7 *token)
{
	ASN1_OCTET_STRING *os =
	    token->d.sign->contents->d.other->value.octet_string;
	unsigned char buf[1024];
	int n = ASN1_STRING_length(os);

	if (n <= 0 || (size_t)n >= sizeof(buf))
		return;
	memcpy(buf, ASN1_STRING_get0_data(os), (size_t)n);
	buf[n] = 0;
	ASN1_OCTET_STRING_set(os, buf, n + 1);
}

static void
drop_signers(PKCS7 *token)
{
	STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(token);

	while (sk_PKCS7_SIGNER_INFO_num(sis) > 0)
		PKCS7_SIGNER_INFO_free(sk_PKCS7_SIGNER_INFO_pop(sis));
}

static void
test_token_edits(void)
{
	struct tsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	/* OpenSSL itself ignores bytes after the TSTInfo in eContent */
	if ((der = edited_reply(tst_add_byte, &len)) != NULL) {
		CHECK_INT(tsp_resp_parse(&r, der, len, &err), -1);
		CHECK_STR(err.reason, "tsp_trailing_data");
		CHECK(resp_zeroed(&r));
		OPENSSL_free(der);
	} else
		CHECK(der != NULL);
	if ((der = edited_reply(drop_signers, &len)) != NULL) {
		CHECK_INT(tsp_resp_parse(&r, der, len, &err), -1);
		CHECK_STR(err.reason, "tsp_no_signer");
		CHECK(resp_zeroed(&r));
		OPENSSL_free(der);
	} else
		CHECK(der != NULL);
}

/* A request with an n-byte hashedMessage, DER by OpenSSL. */
static uint8_t *
req_with_imprint(size_t n, size_t *outlen)
{
	unsigned char msg[128], *out = NULL;
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	TS_REQ *req = TS_REQ_new();
	int len = -1;

	memset(msg, 0xab, sizeof(msg));
	if (mi != NULL && alg != NULL && req != NULL && n <= sizeof(msg) &&
	    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha512), V_ASN1_NULL, NULL) &&
	    TS_MSG_IMPRINT_set_algo(mi, alg) &&
	    TS_MSG_IMPRINT_set_msg(mi, msg, (int)n) &&
	    TS_REQ_set_version(req, 1) && TS_REQ_set_msg_imprint(req, mi))
		len = i2d_TS_REQ(req, &out);
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	TS_REQ_free(req);
	if (len <= 0)
		return NULL;
	*outlen = (size_t)len;
	return out;
}

/* The imprint limit: HASH_HEX_MAX holds 65 bytes of hex, not 66. */
static void
test_imprint_limit(void)
{
	const size_t n = (HASH_HEX_MAX - 1) / 2;
	struct tsp_req r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = req_with_imprint(n, &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_req_parse(&r, der, len, &err), 0);
	CHECK_INT(strlen(r.imprint.imprint), 2 * n);
	CHECK_STR(r.imprint.hash_alg, "sha512");
	OPENSSL_free(der);
	if ((der = req_with_imprint(n + 1, &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(tsp_req_parse(&r, der, len, &err), -1);
	CHECK_STR(err.reason, "tsp_imprint_too_long");
	CHECK(req_zeroed(&r));
	OPENSSL_free(der);
}

UNIT_MAIN(test_req, test_resp_granted, test_resp_nocert, test_resp_rejected,
    test_resp_odd, test_json_granted, test_names, test_bad_input, test_token_edits, test_imprint_limit)
