/*
 * proto_stubs.c - test-only stand-ins for the OCSP and CRL decoders of
 * proto/ (they land from another branch), so test_app can run now.  They
 * decode with OpenSSL just far enough to tell good input from bad and fill
 * a few fields; the real decoders replace this file in test_app once
 * merged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "proto/proto.h"

int
ocsp_req_parse(struct ocsp_req *out, const uint8_t *der, size_t len,
    const struct ocsp_limits *lim, struct rw_err *err)
{
	const unsigned char *p = der;
	OCSP_REQUEST *r;

	(void)lim;
	memset(out, 0, sizeof(*out));
	if ((r = d2i_OCSP_REQUEST(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		OCSP_REQUEST_free(r);
		rw_err_set(err, "stub_ocsp_req_bad", "stub: bad request");
		return -1;
	}
	out->n_total = (size_t)OCSP_request_onereq_count(r);
	OCSP_REQUEST_free(r);
	return 0;
}

void
ocsp_req_free(struct ocsp_req *req)
{
	free(req->ids);
	memset(req, 0, sizeof(*req));
}

int
ocsp_resp_parse(struct ocsp_resp *out, const uint8_t *der, size_t len,
    const struct ocsp_limits *lim, struct rw_err *err)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *r;

	(void)lim;
	memset(out, 0, sizeof(*out));
	if ((r = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		OCSP_RESPONSE_free(r);
		rw_err_set(err, "stub_ocsp_resp_bad", "stub: bad response");
		return -1;
	}
	out->status = OCSP_response_status(r);
	out->resp = r;
	return 0;
}

void
ocsp_resp_free(struct ocsp_resp *resp)
{
	OCSP_BASICRESP_free(resp->basic);
	OCSP_RESPONSE_free(resp->resp);
	free(resp->singles);
	memset(resp, 0, sizeof(*resp));
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Percent-decode then base64 (either alphabet, padding optional). */
static int
decode_suffix(const char *s, size_t n, uint8_t **der, size_t *derlen)
{
	uint8_t *out = malloc(n + 1);
	size_t i, o = 0, bits = 0;
	uint32_t acc = 0;
	int v;
	char c;

	if (out == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '%' && i + 2 < n) {
			char h[3] = { s[i + 1], s[i + 2], 0 };
			c = (char)strtol(h, NULL, 16);
			i += 2;
		}
		if (c == '=')
			break;
		if ((v = b64val((unsigned char)c)) < 0) {
			free(out);
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*der = out;
	*derlen = o;
	return 0;
}

int
ocsp_get_decode(const char *uri, size_t urilen, uint8_t **der,
    size_t *derlen, size_t maxlen, struct rw_err *err)
{
	const unsigned char *p;
	size_t i;
	OCSP_REQUEST *r;

	for (i = 0; i < urilen; i++) {
		if (uri[i] != '/')
			continue;
		if (decode_suffix(uri + i + 1, urilen - i - 1, der,
		    derlen) == -1)
			continue;
		p = *der;
		r = d2i_OCSP_REQUEST(NULL, &p, (long)*derlen);
		if (r != NULL && p == *der + *derlen && *derlen <= maxlen) {
			OCSP_REQUEST_free(r);
			return 0;
		}
		OCSP_REQUEST_free(r);
		free(*der);
	}
	*der = NULL;
	*derlen = 0;
	rw_err_set(err, "stub_ocsp_get_bad", "stub: no request in path");
	return -1;
}

int
crl_parse(struct crl *out, const uint8_t *buf, size_t len,
    const struct crl_limits *lim, struct rw_err *err)
{
	const unsigned char *p = buf;
	X509_CRL *x;
	BIO *bio;

	(void)lim;
	memset(out, 0, sizeof(*out));
	x = d2i_X509_CRL(NULL, &p, (long)len);
	if (x != NULL && p != buf + len) {
		X509_CRL_free(x);
		x = NULL;
	}
	if (x == NULL && (bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		x = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		out->pem = x != NULL;
		BIO_free(bio);
	}
	if (x == NULL) {
		rw_err_set(err, "stub_crl_bad", "stub: bad CRL");
		return -1;
	}
	out->revoked_count = (size_t)sk_X509_REVOKED_num(
	    X509_CRL_get_REVOKED(x));
	out->x = x;
	return 0;
}

void
crl_free(struct crl *crl)
{
	X509_CRL_free(crl->x);
	free(crl->entries);
	memset(crl, 0, sizeof(*crl));
}
