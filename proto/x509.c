/*
 * x509.c - X.509 certificates and PKCS#7 certs-only bundles, as fetched
 * from AIA caIssuers URLs or carried in TLS chains.  All DER through
 * OpenSSL; every decode must consume its whole input.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "common/hex.h"
#include "proto/proto.h"

static void
octets_hex(char dst[HASH_HEX_MAX], const ASN1_OCTET_STRING *os)
{
	size_t len;

	dst[0] = '\0';
	if (os == NULL)
		return;
	len = (size_t)ASN1_STRING_length(os);
	if (len * 2 + 1 > HASH_HEX_MAX)
		len = (HASH_HEX_MAX - 1) / 2;
	hex_encode(dst, HASH_HEX_MAX, ASN1_STRING_get0_data(os), len, false);
}

/* Copies a URL, cut at X509_URL_MAX; returns whether it was cut. */
static bool
url_add(char urls[][X509_URL_MAX], size_t *n, const ASN1_IA5STRING *s)
{
	size_t len = (size_t)ASN1_STRING_length(s);
	bool cut = false;

	if (*n >= X509_URLS_MAX)
		return true;
	if (len >= X509_URL_MAX) {
		len = X509_URL_MAX - 1;
		cut = true;
	}
	memcpy(urls[*n], ASN1_STRING_get0_data(s), len);
	urls[*n][len] = '\0';
	(*n)++;
	return cut;
}

static void
usage_add(struct x509_info *o, bool ext, const char *name)
{
	size_t *n = ext ? &o->n_ext_key_usage : &o->n_key_usage;
	char (*v)[X509_USAGE_NAME_MAX] = ext ? o->ext_key_usage : o->key_usage;

	if (*n >= X509_USAGES_MAX)
		return;
	snprintf(v[*n], X509_USAGE_NAME_MAX, "%s", name);
	(*n)++;
}

static void
get_key_usage(struct x509_info *o, X509 *x)
{
	static const struct { uint32_t bit; const char *name; } ku[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
		{ KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" },
		{ KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },
		{ KU_ENCIPHER_ONLY, "encipherOnly" },
		{ KU_DECIPHER_ONLY, "decipherOnly" },
	};
	uint32_t bits;
	size_t i;

	if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) == 0)
		return;
	bits = X509_get_key_usage(x);
	for (i = 0; i < sizeof(ku) / sizeof(ku[0]); i++)
		if (bits & ku[i].bit)
			usage_add(o, false, ku[i].name);
}

static void
get_eku(struct x509_info *o, X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	char buf[X509_USAGE_NAME_MAX];
	int i, nid;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	if (eku == NULL)
		return;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);

		nid = OBJ_obj2nid(obj);
		if (nid == NID_code_sign)
			o->code_signing = true;
		if (nid == NID_OCSP_sign)
			o->ocsp_signing = true;
		/* short names: codeSigning, OCSPSigning, serverAuth ... */
		if (nid != NID_undef)
			snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
			continue;
		usage_add(o, true, buf);
	}
	EXTENDED_KEY_USAGE_free(eku);
}

static void
get_aia(struct x509_info *o, X509 *x)
{
	AUTHORITY_INFO_ACCESS *aia;
	int i;

	aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	if (aia == NULL)
		return;
	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		int m = OBJ_obj2nid(ad->method);

		if (ad->location->type != GEN_URI)
			continue;
		if (m == NID_ad_OCSP)
			o->urls_truncated |= url_add(o->ocsp_urls,
			    &o->n_ocsp_urls, ad->location->d.uniformResourceIdentifier);
		else if (m == NID_ad_ca_issuers)
			o->urls_truncated |= url_add(o->ca_issuers_urls,
			    &o->n_ca_issuers_urls,
			    ad->location->d.uniformResourceIdentifier);
	}
	AUTHORITY_INFO_ACCESS_free(aia);
}

static void
get_crldp(struct x509_info *o, X509 *x)
{
	STACK_OF(DIST_POINT) *dps;
	int i, j;

	dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	if (dps == NULL)
		return;
	for (i = 0; i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		GENERAL_NAMES *names;

		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		names = dp->distpoint->name.fullname;
		for (j = 0; j < sk_GENERAL_NAME_num(names); j++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, j);

			if (gn->type == GEN_URI)
				o->urls_truncated |= url_add(o->crl_urls,
				    &o->n_crl_urls, gn->d.uniformResourceIdentifier);
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
}

static void
get_hashes(struct x509_info *o, X509 *x)
{
	const ASN1_BIT_STRING *key;
	const uint8_t *name_der = NULL;
	size_t name_len = 0;
	uint8_t *der = NULL;
	int len;

	len = i2d_X509(x, &der);
	if (len > 0) {
		asn1_digest_hex(o->sha1, sizeof(o->sha1), EVP_sha1(), der,
		    (size_t)len);
		asn1_digest_hex(o->sha256, sizeof(o->sha256), EVP_sha256(), der,
		    (size_t)len);
	}
	OPENSSL_free(der);
	if (X509_NAME_get0_der(X509_get_subject_name(x), &name_der,
	    &name_len) == 1) {
		asn1_digest_hex(o->name_hash_sha1, sizeof(o->name_hash_sha1),
		    EVP_sha1(), name_der, name_len);
		asn1_digest_hex(o->name_hash_sha256, sizeof(o->name_hash_sha256),
		    EVP_sha256(), name_der, name_len);
	}
	key = X509_get0_pubkey_bitstr(x);
	if (key != NULL) {
		asn1_digest_hex(o->key_hash_sha1, sizeof(o->key_hash_sha1),
		    EVP_sha1(), ASN1_STRING_get0_data(key),
		    (size_t)ASN1_STRING_length(key));
		asn1_digest_hex(o->key_hash_sha256, sizeof(o->key_hash_sha256),
		    EVP_sha256(), ASN1_STRING_get0_data(key),
		    (size_t)ASN1_STRING_length(key));
	}
}

int
x509_from_X509(struct x509_info *out, X509 *x, struct rw_err *err)
{
	time_t nb, na;

	memset(out, 0, sizeof(*out));
	/* computes the cached extension flags; -1 means an unparseable one */
	if (x == NULL || X509_check_purpose(x, -1, -1) <= 0 ||
	    (X509_get_extension_flags(x) & EXFLAG_INVALID)) {
		rw_err_set(err, "x509_bad_extension",
		    "certificate extensions do not parse");
		return -1;
	}
	asn1_name_text(out->subject, X509_get_subject_name(x));
	asn1_name_text(out->issuer, X509_get_issuer_name(x));
	if (asn1_serial_hex(out->serial, X509_get0_serialNumber(x)) == -1)
		out->serial[0] = '\0';
	if (asn1_time_to_epoch(X509_get0_notBefore(x), &nb) == 0 &&
	    asn1_time_to_epoch(X509_get0_notAfter(x), &na) == 0) {
		out->not_before = nb;
		out->not_after = na;
		out->has_validity = true;
	}
	octets_hex(out->ski, X509_get0_subject_key_id(x));
	octets_hex(out->aki, X509_get0_authority_key_id(x));
	out->is_ca = X509_check_ca(x) != 0 &&
	    (X509_get_extension_flags(x) & EXFLAG_CA);
	get_key_usage(out, x);
	get_eku(out, x);
	get_aia(out, x);
	get_crldp(out, x);
	get_hashes(out, x);
	if (X509_up_ref(x) != 1) {
		memset(out, 0, sizeof(*out));
		rw_err_set(err, "x509_oom", "X509_up_ref failed");
		return -1;
	}
	out->x = x;
	return 0;
}

static bool
is_pem(const uint8_t *buf, size_t len)
{
	static const char tag[] = "-----BEGIN ";
	size_t i;

	/* PEM may follow leading whitespace or text; look in the first KiB */
	for (i = 0; i + sizeof(tag) - 1 <= len && i < 1024; i++)
		if (memcmp(buf + i, tag, sizeof(tag) - 1) == 0)
			return true;
	return false;
}

/* PEM to DER: *der malloc'd by OpenSSL (OPENSSL_free). */
static int
pem_to_der(const uint8_t *buf, size_t len, const char *want, uint8_t **der,
    long *derlen, struct rw_err *err)
{
	BIO *bio = NULL;
	char *name = NULL, *hdr = NULL;
	int rc = -1;

	*der = NULL;
	if (len > INT32_MAX ||
	    (bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		rw_err_set(err, "x509_oom", "BIO_new_mem_buf failed");
		goto out;
	}
	if (PEM_read_bio(bio, &name, &hdr, der, derlen) != 1) {
		rw_err_set(err, "x509_bad_pem", "PEM armour does not parse");
		goto out;
	}
	if (strcmp(name, want) != 0 && !(strcmp(want, "CERTIFICATE") == 0 &&
	    strcmp(name, "X509 CERTIFICATE") == 0)) {
		rw_err_set(err, "x509_bad_pem", "PEM type is not %s", want);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		OPENSSL_free(*der);
		*der = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(hdr);
	BIO_free(bio);
	return rc;
}

int
x509_parse(struct x509_info *out, const uint8_t *buf, size_t len,
    struct rw_err *err)
{
	X509 *x = NULL;
	uint8_t *pem_der = NULL;
	const uint8_t *p = buf;
	long plen = (long)len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > LONG_MAX) {
		rw_err_set(err, "x509_too_long", "input too long");
		goto out;
	}
	if (is_pem(buf, len)) {
		if (pem_to_der(buf, len, "CERTIFICATE", &pem_der, &plen,
		    err) == -1)
			goto out;
		p = pem_der;
	}
	{
		const uint8_t *start = p;

		x = d2i_X509(NULL, &p, plen);
		if (x == NULL) {
			rw_err_set(err, "x509_bad_der",
			    "d2i_X509 failed on %ld bytes", plen);
			goto out;
		}
		if (p - start != plen) {
			rw_err_set(err, "x509_trailing_data",
			    "%ld bytes after the certificate",
			    plen - (long)(p - start));
			goto out;
		}
	}
	if (x509_from_X509(out, x, err) == -1)
		goto out;
	rc = 0;
out:
	X509_free(x);	/* out->x holds its own reference */
	OPENSSL_free(pem_der);
	return rc;
}

void
x509_info_free(struct x509_info *info)
{
	if (info == NULL)
		return;
	X509_free(info->x);
	memset(info, 0, sizeof(*info));
}

void
x509_info_array_free(struct x509_info *a, size_t n)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++)
		x509_info_free(&a[i]);
	free(a);
}

int
pkcs7_certs_parse(struct x509_info **out, size_t *n, size_t *total,
    const uint8_t *buf, size_t len, size_t max_certs, struct rw_err *err)
{
	PKCS7 *p7 = NULL;
	STACK_OF(X509) *certs;
	struct x509_info *a = NULL;
	uint8_t *pem_der = NULL;
	const uint8_t *p = buf, *start;
	long plen = (long)len;
	size_t i, cnt, keep = 0;
	int rc = -1;

	*out = NULL;
	*n = *total = 0;
	if (len > LONG_MAX) {
		rw_err_set(err, "pkcs7_too_long", "input too long");
		goto out;
	}
	if (is_pem(buf, len)) {
		if (pem_to_der(buf, len, "PKCS7", &pem_der, &plen, err) == -1)
			goto out;
		p = pem_der;
	}
	start = p;
	if ((p7 = d2i_PKCS7(NULL, &p, plen)) == NULL) {
		rw_err_set(err, "pkcs7_bad_der", "d2i_PKCS7 failed");
		goto out;
	}
	if (p - start != plen) {
		rw_err_set(err, "pkcs7_trailing_data",
		    "%ld bytes after the bundle", plen - (long)(p - start));
		goto out;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL) {
		rw_err_set(err, "pkcs7_not_signed_data",
		    "PKCS#7 content type is not SignedData");
		goto out;
	}
	certs = p7->d.sign->cert;	/* get0: owned by p7 */
	cnt = certs == NULL ? 0 : (size_t)sk_X509_num(certs);
	keep = cnt < max_certs ? cnt : max_certs;
	if (keep > 0 && (a = calloc(keep, sizeof(*a))) == NULL) {
		rw_err_set(err, "pkcs7_oom", "calloc failed");
		goto out;
	}
	for (i = 0; i < keep; i++)
		if (x509_from_X509(&a[i], sk_X509_value(certs, (int)i),
		    err) == -1)
			goto out;
	*out = a;
	*n = keep;
	*total = cnt;
	a = NULL;
	rc = 0;
out:
	x509_info_array_free(a, keep);
	PKCS7_free(p7);
	OPENSSL_free(pem_der);
	return rc;
}
