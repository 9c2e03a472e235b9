/*
 * objtype.c - recognise an HTTP body as a revocation, certificate or
 * timestamp object, cheaply, before any real decoding.
 *
 * This is not a DER parser: it reads at most a few tag/length headers at
 * fixed positions to tell the object shapes apart, and OpenSSL decodes the
 * object later.  A body cut by a cap still classifies, so values may run
 * past the end of the input; they are clipped to what is there.
 */
#include "config.h"

#include <string.h>

#include "common/cursor.h"
#include "proto/proto.h"

#define TAG_INTEGER	0x02
#define TAG_BITSTRING	0x03
#define TAG_OID		0x06
#define TAG_ENUM	0x0a
#define TAG_UTF8	0x0c
#define TAG_UTCTIME	0x17
#define TAG_GENTIME	0x18
#define TAG_SEQ		0x30
#define TAG_CTX0	0xa0
#define TAG_CTX1	0xa1

/* Bytes searched for a PEM armour line (text may come first). */
#define PEM_SCAN_MAX	8192

/* 1.2.840.113549.1.7.2, signedData, with its tag and length */
static const uint8_t oid_signed_data[] = {
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
};

/*
 * Reads one TLV header: single-byte tag, definite length of at most four
 * length octets.  *val gets the value, clipped to the input.  False on a
 * high tag number, an indefinite or oversized length, or no input.
 */
static bool
tlv(struct cursor *c, uint8_t *tag, struct cursor *val)
{
	uint8_t b, nlen;
	uint64_t len = 0;

	if (!cur_get_u8(c, tag) || (*tag & 0x1f) == 0x1f ||
	    !cur_get_u8(c, &b))
		return false;
	if (b & 0x80) {
		nlen = b & 0x7f;
		if (nlen == 0 || nlen > 4)
			return false;
		while (nlen-- > 0) {
			if (!cur_get_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	} else
		len = b;
	if (len > cur_left(c))
		len = cur_left(c);
	return cur_get_sub(c, (size_t)len, val);
}

/* Tag of the next element, or 0 when there is none. */
static uint8_t
peek_tag(const struct cursor *c)
{
	uint8_t t;

	return cur_peek_u8(c, 0, &t) ? t : 0;
}

/* Skips one element; false when none can be read. */
static bool
skip_tlv(struct cursor *c, uint8_t *tag)
{
	struct cursor v;

	return tlv(c, tag, &v);
}

/* Tag of the first element inside the next element. */
static uint8_t
first_inner_tag(const struct cursor *c)
{
	struct cursor tmp = *c, v;
	uint8_t tag;

	if (!tlv(&tmp, &tag, &v))
		return 0;
	return peek_tag(&v);
}

/*
 * After an optional version and the serial or CRL version: SEQ alg, Name,
 * then a Time for a CRL (thisUpdate) or SEQ Validity for a certificate.
 */
static enum obj_type
cert_or_crl_after_alg(struct cursor *tbs)
{
	uint8_t tag;

	if (!skip_tlv(tbs, &tag) || tag != TAG_SEQ)	/* signature alg */
		return OBJ_NONE;
	if (!skip_tlv(tbs, &tag) || tag != TAG_SEQ)	/* issuer Name */
		return OBJ_NONE;
	tag = peek_tag(tbs);
	if (tag == TAG_UTCTIME || tag == TAG_GENTIME)
		return OBJ_CRL;
	if (tag == TAG_SEQ)
		return OBJ_CERT;
	return OBJ_NONE;
}

/* The outer SEQ starts with a SEQ: tbsCertificate, tbsCertList,
 * tbsRequest or PKIStatusInfo. */
static enum obj_type
classify_inner_seq(struct cursor *a)
{
	uint8_t tag, t1;

	t1 = peek_tag(a);
	switch (t1) {
	case TAG_CTX0:
		/* [0] version: certificate v3; or an OCSP tbsRequest version */
		skip_tlv(a, &tag);
		if (peek_tag(a) == TAG_INTEGER) {
			skip_tlv(a, &tag);
			return cert_or_crl_after_alg(a) == OBJ_CERT ?
			    OBJ_CERT : OBJ_NONE;
		}
		t1 = peek_tag(a);
		return (t1 == TAG_CTX1 || t1 == TAG_SEQ) ?
		    OBJ_OCSP_REQUEST : OBJ_NONE;
	case TAG_CTX1:
		return OBJ_OCSP_REQUEST;	/* requestorName */
	case TAG_SEQ:
		/* CRL v1 (alg first) or OCSP requestList (Request first) */
		if (first_inner_tag(a) == TAG_OID)
			return cert_or_crl_after_alg(a) == OBJ_CRL ?
			    OBJ_CRL : OBJ_NONE;
		return first_inner_tag(a) == TAG_SEQ ?
		    OBJ_OCSP_REQUEST : OBJ_NONE;
	case TAG_INTEGER:
		/* serial (cert v1), version (CRL v2) or PKIStatus */
		skip_tlv(a, &tag);
		t1 = peek_tag(a);
		if (t1 == 0 || t1 == TAG_BITSTRING)
			return OBJ_TS_REPLY;
		if (t1 != TAG_SEQ)
			return OBJ_NONE;
		if (first_inner_tag(a) == TAG_UTF8)
			return OBJ_TS_REPLY;	/* PKIFreeText */
		return cert_or_crl_after_alg(a);
	default:
		return OBJ_NONE;
	}
}

static enum obj_type
classify_der(const uint8_t *p, size_t len)
{
	struct cursor c, outer, a;
	uint8_t tag, v;

	cur_init(&c, p, len);
	if (!tlv(&c, &tag, &outer) || tag != TAG_SEQ)
		return OBJ_NONE;
	switch (peek_tag(&outer)) {
	case TAG_ENUM:
		/* responseStatus, then [0] responseBytes unless unsuccessful */
		if (!tlv(&outer, &tag, &a) || cur_left(&a) != 1)
			return OBJ_NONE;
		tag = peek_tag(&outer);
		return (tag == 0 || tag == TAG_CTX0) ? OBJ_OCSP_RESPONSE :
		    OBJ_NONE;
	case TAG_OID:
		if (cur_left(&outer) >= sizeof(oid_signed_data) &&
		    memcmp(outer.p, oid_signed_data,
		    sizeof(oid_signed_data)) == 0)
			return OBJ_PKCS7;
		return OBJ_NONE;
	case TAG_INTEGER:
		/* TimeStampReq: version 1, then messageImprint */
		if (!tlv(&outer, &tag, &a) || cur_left(&a) != 1 ||
		    !cur_get_u8(&a, &v) || v != 1)
			return OBJ_NONE;
		return peek_tag(&outer) == TAG_SEQ ? OBJ_TS_QUERY : OBJ_NONE;
	case TAG_SEQ:
		if (!tlv(&outer, &tag, &a))
			return OBJ_NONE;
		return classify_inner_seq(&a);
	default:
		return OBJ_NONE;
	}
}

/* Bounded search for lit in the first PEM_SCAN_MAX bytes. */
static bool
has_text(const uint8_t *p, size_t len, const char *lit)
{
	size_t n = strlen(lit), i;

	if (len > PEM_SCAN_MAX)
		len = PEM_SCAN_MAX;
	for (i = 0; n <= len && i <= len - n; i++)
		if (p[i] == (uint8_t)lit[0] && memcmp(p + i, lit, n) == 0)
			return true;
	return false;
}

static enum obj_type
classify_pem(const uint8_t *p, size_t len)
{
	if (!has_text(p, len, "-----BEGIN "))
		return OBJ_NONE;
	if (has_text(p, len, "-----BEGIN X509 CRL-----"))
		return OBJ_CRL;
	if (has_text(p, len, "-----BEGIN CERTIFICATE-----") ||
	    has_text(p, len, "-----BEGIN X509 CERTIFICATE-----") ||
	    has_text(p, len, "-----BEGIN TRUSTED CERTIFICATE-----"))
		return OBJ_CERT;
	if (has_text(p, len, "-----BEGIN PKCS7-----"))
		return OBJ_PKCS7;
	return OBJ_NONE;
}

static int
a_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Media type equality: case-insensitive, parameters and OWS ignored. */
static bool
type_is(const char *ct, const char *lit)
{
	size_t i;

	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (i = 0; lit[i] != '\0'; i++)
		if (a_lower((unsigned char)ct[i]) != (unsigned char)lit[i])
			return false;
	return ct[i] == '\0' || ct[i] == ';' || ct[i] == ' ' || ct[i] == '\t';
}

enum obj_type
obj_classify_type(const char *ct)
{
	static const struct {
		const char	*type;
		enum obj_type	 t;
	} map[] = {
		{ "application/ocsp-request", OBJ_OCSP_REQUEST },
		{ "application/ocsp-response", OBJ_OCSP_RESPONSE },
		{ "application/pkix-crl", OBJ_CRL },
		{ "application/x-pkcs7-crl", OBJ_CRL },
		{ "application/pkix-cert", OBJ_CERT },
		{ "application/x-x509-ca-cert", OBJ_CERT },
		{ "application/x-x509-user-cert", OBJ_CERT },
		{ "application/pkcs7-mime", OBJ_PKCS7 },
		{ "application/x-pkcs7-mime", OBJ_PKCS7 },
		{ "application/x-pkcs7-certificates", OBJ_PKCS7 },
		{ "application/timestamp-query", OBJ_TS_QUERY },
		{ "application/timestamp-request", OBJ_TS_QUERY },
		{ "application/timestamp-reply", OBJ_TS_REPLY },
		{ "application/timestamp-response", OBJ_TS_REPLY },
	};
	size_t i;

	if (ct == NULL)
		return OBJ_NONE;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (type_is(ct, map[i].type))
			return map[i].t;
	return OBJ_NONE;
}

enum obj_type
obj_classify_url(const char *url)
{
	static const struct {
		const char	*sfx;
		enum obj_type	 t;
	} map[] = {
		{ ".crl", OBJ_CRL }, { ".crt", OBJ_CERT }, { ".cer", OBJ_CERT },
		{ ".der", OBJ_CERT }, { ".p7c", OBJ_PKCS7 }, { ".p7b", OBJ_PKCS7 },
	};
	size_t n, i, j;

	if (url == NULL)
		return OBJ_NONE;
	n = strcspn(url, "?#");
	if (n < 4)
		return OBJ_NONE;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		for (j = 0; j < 4; j++)
			if (a_lower((unsigned char)url[n - 4 + j]) !=
			    (unsigned char)map[i].sfx[j])
				break;
		if (j == 4)
			return map[i].t;
	}
	return OBJ_NONE;
}

enum obj_type
obj_classify(const uint8_t *body, size_t len, const char *content_type,
    const char *url, bool is_request)
{
	enum obj_type t;

	if (body == NULL || len == 0)
		return OBJ_NONE;
	if ((t = classify_der(body, len)) != OBJ_NONE ||
	    (t = classify_pem(body, len)) != OBJ_NONE)
		return t;
	if ((t = obj_classify_type(content_type)) != OBJ_NONE)
		return t;
	/* the URL names what the response carries, not the request body */
	if (!is_request && (t = obj_classify_url(url)) != OBJ_NONE)
		return t;
	return OBJ_OTHER;
}

const char *
obj_type_name(enum obj_type t)
{
	switch (t) {
	case OBJ_NONE:		return "none";
	case OBJ_OCSP_REQUEST:	return "ocsp_request";
	case OBJ_OCSP_RESPONSE:	return "ocsp_response";
	case OBJ_CRL:		return "crl";
	case OBJ_CERT:		return "cert";
	case OBJ_PKCS7:		return "pkcs7";
	case OBJ_TS_QUERY:	return "ts_query";
	case OBJ_TS_REPLY:	return "ts_reply";
	case OBJ_OTHER:		return "other";
	}
	return "unknown";
}

/* Bytes of scripts and text besides printable ASCII: tab, CR, LF. */
static bool
text_byte(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

const char *
obj_body_magic(const uint8_t *body, size_t len)
{
	static const struct {
		const char	*sig;
		size_t		 n;
		const char	*name;
	} map[] = {
		{ "MZ", 2, "pe" },
		{ "PK\x03\x04", 4, "zip" },
		{ "PK\x05\x06", 4, "zip" },	/* an empty archive */
		{ "\x1f\x8b", 2, "gzip" },
		{ "%PDF-", 5, "pdf" },
		{ "\x7f" "ELF", 4, "elf" },
	};
	size_t i, n;

	if (body == NULL || len == 0)
		return "unknown";
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (len >= map[i].n && memcmp(body, map[i].sig, map[i].n) == 0)
			return map[i].name;
	/* Windows editors save PowerShell and batch files with a UTF-8 BOM */
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		body += 3;
		len -= 3;
	}
	n = len < OBJ_MAGIC_SCAN ? len : OBJ_MAGIC_SCAN;
	for (i = 0; i < n; i++)
		if (!text_byte(body[i]))
			return "unknown";
	return n > 0 ? "script/text" : "unknown";
}
