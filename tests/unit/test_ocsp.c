/*
 * test_ocsp.c - OCSP request/response decoding and the GET form, on real
 * objects.  Expected values were read with OpenSSL 3.0:
 *   requests:  openssl ocsp -reqin FILE -req_text
 *   responses: openssl ocsp -respin FILE -resp_text -noverify
 * (hashes lower-cased, serials as printed, times converted to RFC 3339 UTC).
 * Vectors: tests/data/vectors/ (see PROVENANCE.md there) and, when
 * installed, python3-cryptography-vectors.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "common/timefmt.h"
#include "proto/proto.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

static const struct ocsp_limits lim = { 1024 };


static void
test_asn1_helpers(void)
{
	ASN1_INTEGER *ai = ASN1_INTEGER_new();
	char buf[SERIAL_HEX_MAX];

	CHECK_STR(asn1_reason_name(0), "unspecified");
	CHECK_STR(asn1_reason_name(1), "keyCompromise");
	CHECK_STR(asn1_reason_name(6), "certificateHold");
	CHECK(asn1_reason_name(7) == NULL);
	CHECK_STR(asn1_reason_name(8), "removeFromCRL");
	CHECK_STR(asn1_reason_name(10), "aACompromise");
	CHECK(asn1_reason_name(11) == NULL);
	CHECK(asn1_reason_name(-1) == NULL);
	CHECK_STR(ocsp_resp_status_name(0), "successful");
	CHECK_STR(ocsp_resp_status_name(1), "malformedRequest");
	CHECK(ocsp_resp_status_name(4) == NULL);
	CHECK_STR(ocsp_resp_status_name(6), "unauthorized");
	CHECK(ocsp_resp_status_name(7) == NULL);
	CHECK_STR(ocsp_cert_status_name(OCSP_ST_REVOKED), "revoked");

	/* as `openssl x509 -serial` prints: 00 for zero, '-' for negative */
	ASN1_INTEGER_set(ai, 0);
	CHECK_INT(asn1_serial_hex(buf, ai), 0);
	CHECK_STR(buf, "00");
	ASN1_INTEGER_set(ai, 0x80);
	CHECK_INT(asn1_serial_hex(buf, ai), 0);
	CHECK_STR(buf, "80");
	ASN1_INTEGER_set(ai, -2);
	CHECK_INT(asn1_serial_hex(buf, ai), 0);
	CHECK_STR(buf, "-02");
	ASN1_INTEGER_free(ai);
	CHECK_INT(asn1_serial_hex(buf, NULL), -1);
}

static void
test_asn1_time(void)
{
	ASN1_TIME *t = ASN1_TIME_new();
	time_t v = 123;

	/* UTCTime and GeneralizedTime */
	CHECK(ASN1_TIME_set_string(t, "150514145849Z"));
	CHECK_INT(asn1_time_to_epoch(t, &v), 0);
	CHECK_STR(unit_time(v), "2015-05-14T14:58:49Z");
	CHECK(ASN1_TIME_set_string(t, "20500101000000Z"));
	CHECK_INT(asn1_time_to_epoch(t, &v), 0);
	CHECK_STR(unit_time(v), "2050-01-01T00:00:00Z");
	/* NULL would be "now" for OpenSSL: refused, output zeroed */
	v = 123;
	CHECK_INT(asn1_time_to_epoch(NULL, &v), -1);
	CHECK_INT(v, 0);
	ASN1_TIME_free(t);
}

static void
test_req_sha1(void)
{
	struct ocsp_req r;
	struct rw_err err;
	uint8_t *der, *big;
	size_t len;

	if ((der = vec_local("ocsp/req-sha1.der", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(ocsp_req_parse(&r, der, len, &lim, &err), 0);
	CHECK_INT(r.n_total, 1);
	CHECK_INT(r.n_ids, 1);
	CHECK_STR(r.ids[0].hash_alg, "sha1");
	CHECK_STR(r.ids[0].issuer_name_hash,
	    "38ca468c07448df48196c76d6d4c70519e60a7bd");
	CHECK_STR(r.ids[0].issuer_key_hash,
	    "7975bb843acb2cde7a09be311b43bc1c2a4d5358");
	CHECK_STR(r.ids[0].serial, "98D9E5C0B4C373552DF77C5D0F1EB5128E4945F9");
	CHECK(!r.has_nonce);
	CHECK_STR(r.requestor, "");
	CHECK(!r.signed_req);
	ocsp_req_free(&r);

	/* one byte more: trailing data, output zeroed */
	big = malloc(len + 1);
	memcpy(big, der, len);
	big[len] = 0;
	CHECK_INT(ocsp_req_parse(&r, big, len + 1, &lim, &err), -1);
	CHECK_STR(err.reason, "ocsp_trailing_data");
	CHECK(r.ids == NULL && r.n_total == 0 && r.n_ids == 0);
	/* one byte less: not DER */
	CHECK_INT(ocsp_req_parse(&r, der, len - 1, &lim, &err), -1);
	CHECK_STR(err.reason, "ocsp_req_malformed");
	CHECK_INT(ocsp_req_parse(&r, der, 0, &lim, &err), -1);
	free(big);
	free(der);
}

static void
test_req_multi_limits(void)
{
	struct ocsp_limits l;
	struct ocsp_req r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = vec_local("ocsp/req-multi-sha1.der", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	/* limit N = 2 keeps both */
	l.max_entries = 2;
	CHECK_INT(ocsp_req_parse(&r, der, len, &l, &err), 0);
	CHECK_INT(r.n_total, 2);
	CHECK_INT(r.n_ids, 2);
	CHECK_STR(r.ids[0].serial, "98D9E5C0B4C373552DF77C5D0F1EB5128E4945F9");
	CHECK_STR(r.ids[1].serial, "98D9E5C0B4C373552DF77C5D0F1EB5128E4945F0");
	ocsp_req_free(&r);
	/* N - 1 = 1: cut, n_total whole */
	l.max_entries = 1;
	CHECK_INT(ocsp_req_parse(&r, der, len, &l, &err), 0);
	CHECK_INT(r.n_total, 2);
	CHECK_INT(r.n_ids, 1);
	CHECK_STR(r.ids[0].serial, "98D9E5C0B4C373552DF77C5D0F1EB5128E4945F9");
	ocsp_req_free(&r);
	free(der);
}

static void
test_req_nonce(void)
{
	struct ocsp_req r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	/* extnValue 04 10 7B80...: the inner OCTET STRING's octets */
	if ((der = vec_local("ocsp/req-ext-nonce.der", &len)) != NULL) {
		CHECK_INT(ocsp_req_parse(&r, der, len, &lim, &err), 0);
		CHECK(r.has_nonce);
		CHECK_STR(r.nonce, "7b805a1d3726b8b84f48d2f8bfd72dfd");
		CHECK(!r.nonce_truncated);
		CHECK_STR(r.ids[0].serial, "01AF1EFBDD5EAE0952320B24FE6B5568");
		CHECK_STR(r.ids[0].issuer_name_hash,
		    "105fa67a80089db5279f35ce830b43889ea3c70d");
		ocsp_req_free(&r);
		free(der);
	}
	/* Zeek ocsp-revoked.pcap frame 4: nonce as tshark's ReOcspNonce */
	if ((der = vec_local("zeek/ocsp-revoked-req1.der", &len)) != NULL) {
		CHECK_INT(ocsp_req_parse(&r, der, len, &lim, &err), 0);
		CHECK(r.has_nonce);
		CHECK_STR(r.nonce, "09577804de27b822e82e5a7e2862490c");
		CHECK_STR(r.ids[0].serial, "010BF45E184C4169AB61B41168DF802E");
		CHECK_STR(r.ids[0].issuer_key_hash,
		    "0159abe7dd3a0b59a66463d6cf200757d591e76a");
		ocsp_req_free(&r);
		free(der);
	}
	/* two nonce extensions (RFC 5280 4.2) */
	if ((der = vec_local("ocsp/req-duplicate-ext.der", &len)) != NULL) {
		CHECK_INT(ocsp_req_parse(&r, der, len, &lim, &err), -1);
		CHECK_STR(err.reason, "ocsp_duplicate_extension");
		CHECK(r.ids == NULL && r.n_total == 0);
		free(der);
	} else
		CHECK(der != NULL);
}

static void
test_resp_sha256(void)
{
	struct ocsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = vec_local("ocsp/resp-sha256.der", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
	CHECK_INT(r.status, 0);
	CHECK(r.has_basic);
	CHECK(!r.responder_by_key);
	CHECK_STR(r.responder_id,
	    "CN=Let's Encrypt Authority X3,O=Let's Encrypt,C=US");
	CHECK_STR(unit_time(r.produced_at), "2018-08-30T11:15:00Z");
	CHECK_INT(r.n_total, 1);
	CHECK_INT(r.n_singles, 1);
	CHECK_STR(r.singles[0].id.hash_alg, "sha1");
	CHECK_STR(r.singles[0].id.issuer_name_hash,
	    "7ee66ae7729ab3fcf8a220646c16a12d6071085d");
	CHECK_STR(r.singles[0].id.issuer_key_hash,
	    "a84a6a63047dddbae6d139b7a64565eff3a8eca1");
	CHECK_STR(r.singles[0].id.serial,
	    "031C787A7DC90295007BC5F2220B3B527AF0");
	CHECK_INT(r.singles[0].status, OCSP_ST_GOOD);
	CHECK(!r.singles[0].has_revocation_time);
	CHECK_INT(r.singles[0].revocation_reason, -1);
	CHECK_STR(unit_time(r.singles[0].this_update), "2018-08-30T11:00:00Z");
	CHECK(r.singles[0].has_next_update);
	CHECK_STR(unit_time(r.singles[0].next_update), "2018-09-06T11:00:00Z");
	CHECK(!r.singles[0].not_issued);
	CHECK(!r.has_nonce);
	CHECK_INT(r.n_certs, 0);
	CHECK_STR(r.sig_alg, "sha256WithRSAEncryption");
	CHECK(r.resp != NULL && r.basic != NULL);
	ocsp_resp_free(&r);
	CHECK(r.resp == NULL && r.singles == NULL);

	CHECK_INT(ocsp_resp_parse(&r, der, len - 1, &lim, &err), -1);
	CHECK_STR(err.reason, "ocsp_resp_malformed");
	CHECK(r.resp == NULL && r.basic == NULL && r.singles == NULL);
	free(der);
}

/* Minimal DER length octets of n into p; returns the count. */
static size_t
der_len(uint8_t *p, size_t n)
{
	if (n < 0x80) {
		p[0] = (uint8_t)n;
		return 1;
	}
	if (n < 0x100) {
		p[0] = 0x81;
		p[1] = (uint8_t)n;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)n;
	return 3;
}

/* tag, length, content into p; returns bytes written. */
static size_t
der_tlv(uint8_t *p, uint8_t tag, const uint8_t *c, size_t n)
{
	size_t h;

	p[0] = tag;
	h = 1 + der_len(p + 1, n);
	memmove(p + h, c, n);
	return h + n;
}

/*
 * A successful OCSPResponse around an arbitrary responseBytes.response
 * octet string: the BasicOCSPResponse of resp-sha256.der plus one byte.
 */
static void
test_resp_basic_trailing(void)
{
	static const uint8_t oid[] = { 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05,
	    0x05, 0x07, 0x30, 0x01, 0x01 };
	struct ocsp_resp r;
	struct rw_err err;
	uint8_t *der, *basic = NULL, *p, a[2048], b[2048];
	size_t len, n, m;
	int bl;

	if ((der = vec_local("ocsp/resp-sha256.der", &len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
	bl = i2d_OCSP_BASICRESP(r.basic, &basic);
	ocsp_resp_free(&r);
	free(der);
	if (bl <= 0 || bl > 1500) {
		CHECK(bl > 0 && bl <= 1500);
		return;
	}
	memcpy(a, basic, (size_t)bl);
	OPENSSL_free(basic);
	a[bl] = 0x00;				/* the stray byte */
	n = der_tlv(b, 0x04, a, (size_t)bl + 1);	/* OCTET STRING */
	memmove(b + sizeof(oid), b, n);
	memcpy(b, oid, sizeof(oid));
	n += sizeof(oid);
	n = der_tlv(a, 0x30, b, n);		/* ResponseBytes */
	n = der_tlv(b + 3, 0xa0, a, n);		/* [0] EXPLICIT */
	memcpy(b, "\x0a\x01\x00", 3);		/* successful */
	p = a;
	m = der_tlv(p, 0x30, b, n + 3);		/* OCSPResponse */
	CHECK_INT(ocsp_resp_parse(&r, a, m, &lim, &err), -1);
	CHECK_STR(err.reason, "ocsp_trailing_data");
	CHECK(r.resp == NULL && r.basic == NULL);
	/* the same without the stray byte decodes */
	n = der_tlv(b, 0x04, a + (m - (size_t)bl - 1), (size_t)bl);
	memmove(b + sizeof(oid), b, n);
	memcpy(b, oid, sizeof(oid));
	n += sizeof(oid);
	n = der_tlv(a, 0x30, b, n);
	n = der_tlv(b + 3, 0xa0, a, n);
	memcpy(b, "\x0a\x01\x00", 3);
	m = der_tlv(a, 0x30, b, n + 3);
	CHECK_INT(ocsp_resp_parse(&r, a, m, &lim, &err), 0);
	CHECK_STR(r.singles[0].id.serial,
	    "031C787A7DC90295007BC5F2220B3B527AF0");
	ocsp_resp_free(&r);
}

static void
test_resp_revoked(void)
{
	struct ocsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = vec_local("ocsp/resp-revoked-reason.der", &len)) != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK_STR(r.responder_id, "CN=QuoVadis OCSP Authority "
		    "Signature,OU=OCSP Responder,O=QuoVadis Limited,C=BM");
		CHECK_STR(unit_time(r.produced_at), "2018-09-01T19:48:17Z");
		CHECK_STR(r.singles[0].id.serial,
		    "081D8B989E92FAE68956DCE62A893209A1BC24D3");
		CHECK_INT(r.singles[0].status, OCSP_ST_REVOKED);
		CHECK_STR(unit_time(r.singles[0].revocation_time),
		    "2018-06-27T12:30:01Z");
		CHECK_INT(r.singles[0].revocation_reason, 4);
		CHECK_STR(asn1_reason_name(r.singles[0].revocation_reason),
		    "superseded");
		CHECK_STR(unit_time(r.singles[0].this_update), "2018-09-01T19:48:17Z");
		CHECK_STR(unit_time(r.singles[0].next_update), "2018-09-03T19:48:17Z");
		CHECK(r.has_nonce);
		CHECK_STR(r.nonce, "3595379f610383878972578fae99f722");
		CHECK_INT(r.n_certs, 1);
		ocsp_resp_free(&r);
		free(der);
	} else
		CHECK(der != NULL);

	if ((der = vec_local("ocsp/resp-revoked-no-next-update.der", &len))
	    != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK_STR(r.responder_id, "CN=Cryptography CA,C=US");
		CHECK_STR(r.singles[0].id.serial, "3F20");
		CHECK_INT(r.singles[0].status, OCSP_ST_REVOKED);
		CHECK_STR(unit_time(r.singles[0].revocation_time),
		    "2017-12-27T00:28:54Z");
		CHECK_INT(r.singles[0].revocation_reason, -1);
		CHECK_STR(unit_time(r.singles[0].this_update), "2018-10-23T00:28:54Z");
		CHECK(!r.singles[0].has_next_update);
		CHECK_STR(r.sig_alg, "ecdsa-with-SHA256");
		ocsp_resp_free(&r);
		free(der);
	} else
		CHECK(der != NULL);

	if ((der = vec_local("ocsp/resp-responder-key-hash.der", &len))
	    != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK(r.responder_by_key);
		CHECK_STR(r.responder_id,
		    "0f80611c823161d52f28e78d4638b42ce1c6d9e2");
		CHECK_STR(r.singles[0].id.serial,
		    "0FA0A21E15C20BBE1D68EA8FE7706635");
		CHECK_STR(unit_time(r.singles[0].revocation_time),
		    "2018-09-01T04:11:54Z");
		ocsp_resp_free(&r);
		free(der);
	} else
		CHECK(der != NULL);

	/* Zeek ocsp-revoked.pcap frame 7 (values as in the MANIFEST) */
	if ((der = vec_local("zeek/ocsp-revoked-resp1.der", &len)) != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK(r.responder_by_key);
		CHECK_STR(r.responder_id,
		    "f6215e926eb3ec41fe08fc25f09fb1b9a0344a10");
		CHECK_STR(unit_time(r.produced_at), "2015-07-07T16:28:34Z");
		CHECK_STR(r.singles[0].id.serial,
		    "010BF45E184C4169AB61B41168DF802E");
		CHECK_STR(r.singles[0].id.issuer_name_hash,
		    "74241467069ff5e0983f5e3e1a6ba0652a541575");
		CHECK_STR(unit_time(r.singles[0].revocation_time),
		    "2015-05-14T14:58:49Z");
		CHECK_INT(r.singles[0].revocation_reason, 4);
		CHECK_STR(unit_time(r.singles[0].next_update), "2015-09-29T01:12:42Z");
		CHECK(!r.has_nonce);	/* the request's nonce is not echoed */
		CHECK_INT(r.n_certs, 1);
		CHECK_STR(r.sig_alg, "sha1WithRSAEncryption");
		ocsp_resp_free(&r);
		free(der);
	} else
		CHECK(der != NULL);
}

static void
test_resp_errors(void)
{
	/* ndpi/http_invalid_server.pcap frame 8: the whole 5-byte body */
	static const uint8_t malformed[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
	struct ocsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	CHECK_INT(ocsp_resp_parse(&r, malformed, sizeof(malformed), &lim,
	    &err), 0);
	CHECK_INT(r.status, 1);
	CHECK(!r.has_basic);
	CHECK(r.resp == NULL && r.basic == NULL);
	CHECK_STR(ocsp_resp_status_name(r.status), "malformedRequest");
	ocsp_resp_free(&r);

	if ((der = vec_local("ocsp/resp-unauthorized.der", &len)) != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK_INT(r.status, 6);
		CHECK(!r.has_basic);
		ocsp_resp_free(&r);
		free(der);
	} else
		CHECK(der != NULL);

	/*
	 * Zeek ocsp-empty-responderid.pcap (scapy-made): byName with an empty
	 * Name, no SingleResponses, 0xAB signature; it decodes, and says so
	 */
	if ((der = vec_local("zeek/ocsp-empty-responderid-resp.der", &len))
	    != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK(r.has_basic);
		CHECK(!r.responder_by_key);
		CHECK_STR(r.responder_id, "");
		CHECK_STR(unit_time(r.produced_at), "2024-01-01T00:00:00Z");
		CHECK_INT(r.n_total, 0);
		CHECK(r.singles == NULL);
		CHECK_STR(r.sig_alg, "sha256WithRSAEncryption");
		ocsp_resp_free(&r);
		free(der);
	} else
		CHECK(der != NULL);

	/* package-only vectors */
	if ((der = vec_pkg("x509/ocsp/resp-successful-no-response-bytes.der",
	    &len)) != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), -1);
		CHECK_STR(err.reason, "ocsp_resp_not_basic");
		CHECK(r.resp == NULL);
		free(der);
	}
	if ((der = vec_pkg("x509/ocsp/resp-response-type-unknown-oid.der",
	    &len)) != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), -1);
		CHECK_STR(err.reason, "ocsp_resp_not_basic");
		free(der);
	}
	if ((der = vec_pkg("x509/ocsp/resp-unknown-response-status.der",
	    &len)) != NULL) {
		/* OpenSSL refuses an ENUMERATED outside its table? record it */
		int rc = ocsp_resp_parse(&r, der, len, &lim, &err);

		CHECK(rc == 0 ? r.status > 6 || r.status == 4 :
		    strcmp(err.reason, "ocsp_resp_malformed") == 0);
		ocsp_resp_free(&r);
		free(der);
	}
	if ((der = vec_pkg("x509/ocsp/ocsp-army.deps.mil-resp.der", &len))
	    != NULL) {
		CHECK_INT(ocsp_resp_parse(&r, der, len, &lim, &err), 0);
		CHECK_INT(r.n_certs, 1);
		ocsp_resp_free(&r);
		free(der);
	}
	if ((der = vec_pkg("x509/ocsp/req-ext-unknown-oid.der", &len))
	    != NULL) {
		struct ocsp_req q;

		CHECK_INT(ocsp_req_parse(&q, der, len, &lim, &err), 0);
		CHECK(!q.has_nonce);
		ocsp_req_free(&q);
		free(der);
	}
}

/*
 * A response made here with OpenSSL: three SingleResponses, the first
 * "revoked, certificateHold, 1970-01-01" (RFC 6960 2.2: never issued).
 */
static uint8_t *
make_hold_response(size_t *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name = X509_get_subject_name(cert);
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_RESPONSE *resp = NULL;
	ASN1_TIME *zero = ASN1_TIME_set(NULL, 0);
	ASN1_TIME *when = ASN1_TIME_set(NULL, 1431615529);	/* 2015-05-14 */
	ASN1_TIME *thisupd = ASN1_TIME_set(NULL, 1436286514);
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	uint8_t *der = NULL, *p;
	int i, n;

	*len = 0;
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"revwire test responder", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	for (i = 0; i < 3; i++) {
		OCSP_CERTID *id;

		ASN1_INTEGER_set(serial, 0x10 + i);
		id = OCSP_cert_id_new(EVP_sha1(), name,
		    X509_get0_pubkey_bitstr(cert), serial);
		/* hold at epoch 0; hold at a real time; keyCompromise at 0 */
		OCSP_basic_add1_status(bs, id, V_OCSP_CERTSTATUS_REVOKED,
		    i == 2 ? OCSP_REVOKED_STATUS_KEYCOMPROMISE :
		    OCSP_REVOKED_STATUS_CERTIFICATEHOLD, i == 1 ? when : zero,
		    thisupd, NULL);
		OCSP_CERTID_free(id);
	}
	if (OCSP_basic_sign(bs, cert, key, EVP_sha256(), NULL, 0) == 1 &&
	    (resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL,
	    bs)) != NULL && (n = i2d_OCSP_RESPONSE(resp, NULL)) > 0 &&
	    (der = malloc((size_t)n)) != NULL) {
		p = der;
		i2d_OCSP_RESPONSE(resp, &p);
		*len = (size_t)n;
	}
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(zero);
	ASN1_TIME_free(when);
	ASN1_TIME_free(thisupd);
	X509_free(cert);
	EVP_PKEY_free(key);
	return der;
}

static void
test_resp_not_issued_and_limits(void)
{
	struct ocsp_limits l;
	struct ocsp_resp r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if ((der = make_hold_response(&len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	l.max_entries = 3;
	CHECK_INT(ocsp_resp_parse(&r, der, len, &l, &err), 0);
	CHECK_INT(r.n_total, 3);
	CHECK_INT(r.n_singles, 3);
	CHECK_STR(r.responder_id, "CN=revwire test responder");
	CHECK_STR(r.singles[0].id.serial, "10");
	CHECK_INT(r.singles[0].revocation_reason, 6);
	CHECK_STR(unit_time(r.singles[0].revocation_time), "1970-01-01T00:00:00Z");
	CHECK(r.singles[0].has_revocation_time);
	CHECK(r.singles[0].not_issued);
	CHECK_STR(unit_time(r.singles[1].revocation_time), "2015-05-14T14:58:49Z");
	CHECK(!r.singles[1].not_issued);
	CHECK_INT(r.singles[2].revocation_reason, 1);
	CHECK(!r.singles[2].not_issued);
	CHECK_STR(unit_time(r.singles[2].this_update), "2015-07-07T16:28:34Z");
	CHECK_INT(r.n_certs, 1);
	ocsp_resp_free(&r);
	/* N - 1 */
	l.max_entries = 2;
	CHECK_INT(ocsp_resp_parse(&r, der, len, &l, &err), 0);
	CHECK_INT(r.n_total, 3);
	CHECK_INT(r.n_singles, 2);
	CHECK_STR(r.singles[1].id.serial, "11");
	ocsp_resp_free(&r);
	free(der);
}

/* A request made here: one CertID, signed, so it names its requestor. */
static void
test_req_signed_requestor(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name = X509_get_subject_name(cert);
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	OCSP_CERTID *id;
	struct ocsp_req r;
	struct rw_err err;
	uint8_t *der = NULL, *p;
	int n;

	X509_set_version(cert, 2);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"Example, Inc.", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"revwire client", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	ASN1_INTEGER_set(serial, 0x4242);
	id = OCSP_cert_id_new(EVP_sha256(), name,
	    X509_get0_pubkey_bitstr(cert), serial);
	OCSP_request_add0_id(req, id);	/* req owns id */
	/* OCSP_request_sign() sets requestorName to the signer's subject */
	CHECK_INT(OCSP_request_sign(req, cert, key, EVP_sha256(), NULL, 0), 1);
	if ((n = i2d_OCSP_REQUEST(req, NULL)) > 0 &&
	    (der = malloc((size_t)n)) != NULL) {
		p = der;
		i2d_OCSP_REQUEST(req, &p);
		CHECK_INT(ocsp_req_parse(&r, der, (size_t)n, &lim, &err), 0);
		CHECK(r.signed_req);
		CHECK_STR(r.requestor, "CN=revwire client,O=Example\\, Inc.");
		CHECK_STR(r.ids[0].hash_alg, "sha256");
		CHECK_INT(strlen(r.ids[0].issuer_name_hash), 64);
		CHECK_STR(r.ids[0].serial, "4242");
		ocsp_req_free(&r);
	}
	free(der);
	OCSP_REQUEST_free(req);
	ASN1_INTEGER_free(serial);
	X509_free(cert);
	EVP_PKEY_free(key);
}

/* Decodes a GET target and returns the first serial, or the reason. */
static const char *
get_serial(const char *uri, size_t maxlen, char out[SERIAL_HEX_MAX])
{
	struct ocsp_req r;
	struct rw_err err;
	uint8_t *der = (uint8_t *)"x";
	size_t len = 99;

	rw_err_clear(&err);
	if (ocsp_get_decode(uri, strlen(uri), &der, &len, maxlen, &err) == -1) {
		CHECK(der == NULL && len == 0);
		snprintf(out, SERIAL_HEX_MAX, "%s", err.reason);
		return out;
	}
	if (ocsp_req_parse(&r, der, len, &lim, &err) == -1 || r.n_ids == 0)
		snprintf(out, SERIAL_HEX_MAX, "reparse:%s", err.reason);
	else
		snprintf(out, SERIAL_HEX_MAX, "%s", r.ids[0].serial);
	ocsp_req_free(&r);
	free(der);
	return out;
}

/* uri with %2B %2F %3D decoded, or turned URL-safe (no padding). */
static void
uri_variant(char *dst, size_t dstsz, const char *src, bool urlsafe)
{
	size_t o = 0;

	for (; *src != '\0' && o + 1 < dstsz; src++) {
		bool decoded = false;
		char c = *src;

		if (c == '%' && src[1] != '\0' && src[2] != '\0') {
			c = src[1] == '2' && (src[2] == 'B' || src[2] == 'b') ?
			    '+' : src[1] == '2' && (src[2] == 'F' ||
			    src[2] == 'f') ? '/' : '=';
			src += 2;
			decoded = true;
		}
		if (urlsafe && c == '=')
			continue;
		if (urlsafe && c == '+')
			c = '-';
		if (urlsafe && decoded && c == '/')
			c = '_';
		dst[o++] = c;
	}
	dst[o] = '\0';
}

static void
test_get_decode(void)
{
	/* zeek/ocsp-http-get.pcap (tshark -e http.request.uri) */
	static const char zeek[] = "/ocsp/MEkwRzBFMEMwQTAJBgUrDgMCGgUABBTy4Gr5"
	    "hYodjXCbSRkjeqm1Gih%2BZAQUSt0GFhu89mi1dvWBtrtiGrpagS8CCD1HRJb%2FlC"
	    "MW";
	/* ndpi/ocsp.pcapng frame 4, Microsoft-CryptoAPI/10.0 */
	static const char actalis[] = "/VA/AUTH-ROOT/MFEwTzBNMEswSTAJBgUrDgMC"
	    "GgUABBSw4x5v4bTlizjNRmTdkYSy7q0R9gQUUtiIOsifeGbtifN7OHCUyQICNtACEE"
	    "WXMtjzGMt1k6L0aA%2BQ6tk%3D";
	/* suricata-verify/tls-subjectaltname.pcap frame 84 (%2F %2B %3D) */
	static const char digicert[] = "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBTBL0V2"
	    "7RVZ7LBduom%2FnYB45SPUEwQU5Z1ZMIJHWMys%2BghUNoZ7OrUETfACEA8Ull8gIG"
	    "mZT9XHrHiJQeI%3D";
	char buf[512], v[512];
	struct rw_err err;
	struct ocsp_req r;
	uint8_t *der;
	size_t len;

	CHECK_STR(get_serial(zeek, 4096, buf), "3D474496FF942316");
	/* the whole CertID of the Zeek request, as in the MANIFEST */
	CHECK_INT(ocsp_get_decode(zeek, strlen(zeek), &der, &len, 4096, &err),
	    0);
	CHECK_INT(ocsp_req_parse(&r, der, len, &lim, &err), 0);
	CHECK_STR(r.ids[0].issuer_name_hash,
	    "f2e06af9858a1d8d709b4919237aa9b51a287e64");
	CHECK_STR(r.ids[0].issuer_key_hash,
	    "4add06161bbcf668b576f581b6bb621aba5a812f");
	ocsp_req_free(&r);
	free(der);

	CHECK_STR(get_serial(actalis, 4096, buf),
	    "459732D8F318CB7593A2F4680F90EAD9");
	CHECK_STR(get_serial(digicert, 4096, buf),
	    "0F14965F202069994FD5C7AC788941E2");
	/* plain base64 with raw '/' and '+' inside, after a responder path */
	snprintf(v, sizeof(v), "/ocsp");
	uri_variant(v + 5, sizeof(v) - 5, digicert, false);
	CHECK(strchr(v + 6, '/') != NULL);
	CHECK_STR(get_serial(v, 4096, buf), "0F14965F202069994FD5C7AC788941E2");
	/* URL-safe alphabet, padding dropped */
	uri_variant(v, sizeof(v), digicert, true);
	CHECK(strchr(v + 1, '=') == NULL && strchr(v + 1, '-') != NULL);
	CHECK_STR(get_serial(v, 4096, buf), "0F14965F202069994FD5C7AC788941E2");
	/* lower-case escapes and a query string */
	snprintf(v, sizeof(v), "%s?x=1", zeek);
	strstr(v, "%2F")[2] = 'f';
	CHECK_STR(get_serial(v, 4096, buf), "3D474496FF942316");
	/* absolute-form target of a proxy request */
	snprintf(v, sizeof(v), "http://clients1.google.com%s", zeek);
	CHECK_STR(get_serial(v, 4096, buf), "3D474496FF942316");

	/* what is not a request */
	CHECK_STR(get_serial("/ocsp/hello-world", 4096, buf),
	    "ocsp_get_not_ocsp");
	CHECK_STR(get_serial("/", 4096, buf), "ocsp_get_empty");
	CHECK_STR(get_serial("", 4096, buf), "ocsp_get_empty");
	CHECK_STR(get_serial("/ocsp/%zzMEkw", 4096, buf), "ocsp_get_not_ocsp");
	/* 75-byte request: limit 75 passes, 74 does not */
	CHECK_STR(get_serial(zeek, 75, buf), "3D474496FF942316");
	CHECK_STR(get_serial(zeek, 74, buf), "ocsp_get_too_long");
}

UNIT_MAIN(test_asn1_helpers, test_asn1_time, test_req_sha1,
    test_req_multi_limits, test_req_nonce, test_resp_sha256,
    test_resp_revoked, test_resp_errors, test_resp_not_issued_and_limits,
    test_req_signed_requestor, test_resp_basic_trailing,
    test_get_decode)
