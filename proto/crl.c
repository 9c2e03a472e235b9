/*
 * crl.c - certificate revocation lists (RFC 5280 5), DER or PEM, decoded by
 * OpenSSL into struct crl.  Every entry is checked (duplicate and
 * unparseable extensions, times), so a CRL is accepted whole or not at all;
 * only the copy into entries[] is capped.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hex.h"
#include "proto/proto.h"

#define CRL_PEM_LABEL		"X509 CRL"
#define CRL_PEM_BEGIN		"-----BEGIN " CRL_PEM_LABEL "-----"
/* extensions per CRL and per entry considered at all */
#define CRL_MAX_EXTENSIONS	64
#define CRL_MAX_ENTRY_EXTENSIONS 16

/*
 * Checks one extension list: bounded count, no repeated OID (RFC 5280
 * 4.2), and every critical extension known to OpenSSL and decodable (RFC
 * 5280 5.2 and 5.3: a CRL with a critical extension we cannot process must
 * not be used).  what names the list in the message.
 */
static int
exts_check(const STACK_OF(X509_EXTENSION) *exts, int max, const char *what,
    struct rw_err *err)
{
	int i, j, n = sk_X509_EXTENSION_num(exts);

	if (n > max) {
		rw_err_set(err, "crl_too_many_extensions",
		    "%s: want at most %d extensions, have %d", what, max, n);
		return -1;
	}
	/* n <= max (64): the quadratic walk is bounded */
	for (i = 0; i < n; i++) {
		X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
		const X509V3_EXT_METHOD *m;
		void *v;

		for (j = 0; j < i; j++)
			if (OBJ_cmp(obj, X509_EXTENSION_get_object(
			    sk_X509_EXTENSION_value(exts, j))) == 0) {
				rw_err_set(err, "crl_duplicate_extension",
				    "%s: extension %d repeats extension %d "
				    "(RFC 5280 4.2)", what, i, j);
				return -1;
			}
		if (!X509_EXTENSION_get_critical(ext))
			continue;
		if ((m = X509V3_EXT_get(ext)) == NULL) {
			rw_err_set(err, "crl_unknown_critical_extension",
			    "%s: critical extension %d is not one we know "
			    "(RFC 5280 5.2)", what, i);
			return -1;
		}
		if ((v = X509V3_EXT_d2i(ext)) == NULL) {
			rw_err_set(err, "crl_bad_critical_extension",
			    "%s: critical extension %d does not decode", what,
			    i);
			return -1;
		}
		/* what X509V3_EXT_d2i() allocated, freed its own way */
		if (m->it != NULL)
			ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
		else if (m->ext_free != NULL)
			m->ext_free(v);
	}
	return 0;
}

/*
 * One extension by NID.  Returns 0 with *out NULL when missing, 0 with the
 * decoded value (caller frees) when present, -1 when present but
 * unparseable (crit >= 0 with a NULL result) or repeated (crit == -2).
 */
static int
crl_ext(void **out, const X509_CRL *x, int nid, const char *reason,
    struct rw_err *err)
{
	int crit = -1;

	*out = X509_CRL_get_ext_d2i(x, nid, &crit, NULL);
	if (*out != NULL || crit == -1)
		return 0;
	rw_err_set(err, reason, "CRL: extension %s %s", OBJ_nid2sn(nid),
	    crit == -2 ? "repeats" : "does not decode");
	return -1;
}

static int
int_decimal(char buf[SERIAL_HEX_MAX], const ASN1_INTEGER *ai)
{
	BIGNUM *bn = NULL;
	char *s = NULL;
	int rc = -1;

	buf[0] = '\0';
	if ((bn = ASN1_INTEGER_to_BN(ai, NULL)) == NULL)
		goto out;
	if ((s = BN_bn2dec(bn)) == NULL)
		goto out;
	if (strlen(s) >= SERIAL_HEX_MAX)
		goto out;
	memcpy(buf, s, strlen(s) + 1);
	rc = 0;
 out:
	OPENSSL_free(s);
	BN_free(bn);
	return rc;
}

/* CRL number, delta CRL indicator and AKI keyIdentifier. */
static int
crl_numbers(struct crl *out, const X509_CRL *x, struct rw_err *err)
{
	ASN1_INTEGER *num = NULL, *base = NULL;
	AUTHORITY_KEYID *aki = NULL;
	int rc = -1;

	if (crl_ext((void **)&num, x, NID_crl_number, "crl_bad_crl_number",
	    err) == -1 ||
	    crl_ext((void **)&base, x, NID_delta_crl, "crl_bad_delta_indicator",
	    err) == -1 ||
	    crl_ext((void **)&aki, x, NID_authority_key_identifier,
	    "crl_bad_aki", err) == -1)
		goto out;
	if (num != NULL) {
		if (int_decimal(out->crl_number, num) == -1) {
			rw_err_set(err, "crl_bad_crl_number",
			    "CRL: cRLNumber longer than 20 octets (RFC 5280 "
			    "5.2.3)");
			goto out;
		}
		out->has_crl_number = true;
	}
	if (base != NULL) {
		if (int_decimal(out->delta_base, base) == -1) {
			rw_err_set(err, "crl_bad_delta_indicator",
			    "CRL: BaseCRLNumber longer than 20 octets");
			goto out;
		}
		out->is_delta = true;
	}
	if (aki != NULL && aki->keyid != NULL &&
	    hex_encode(out->aki, HASH_HEX_MAX,
	    ASN1_STRING_get0_data(aki->keyid),
	    (size_t)ASN1_STRING_length(aki->keyid), false) == -1) {
		rw_err_set(err, "crl_bad_aki", "CRL: keyIdentifier longer "
		    "than %d bytes", (HASH_HEX_MAX - 1) / 2);
		goto out;
	}
	rc = 0;
 out:
	ASN1_INTEGER_free(num);
	ASN1_INTEGER_free(base);
	AUTHORITY_KEYID_free(aki);
	return rc;
}

/* Fills e from one revoked entry after checking its extensions. */
static int
entry_fill(struct crl_entry *e, const X509_REVOKED *rev, size_t idx,
    struct rw_err *err)
{
	ASN1_ENUMERATED *reason = NULL;
	char what[64];
	int crit = -1;

	memset(e, 0, sizeof(*e));
	e->reason = -1;
	snprintf(what, sizeof(what), "CRL entry %zu", idx);
	if (exts_check(X509_REVOKED_get0_extensions(rev),
	    CRL_MAX_ENTRY_EXTENSIONS, what, err) == -1)
		return -1;
	if (asn1_serial_hex(e->serial, X509_REVOKED_get0_serialNumber(rev))
	    == -1) {
		rw_err_set(err, "crl_serial_too_long", "%s: userCertificate "
		    "longer than %d bytes", what, (SERIAL_HEX_MAX - 2) / 2);
		return -1;
	}
	if (asn1_time_to_epoch(X509_REVOKED_get0_revocationDate(rev),
	    &e->revocation_date) == -1) {
		rw_err_set(err, "crl_bad_time", "%s (%s): revocationDate does "
		    "not parse", what, e->serial);
		return -1;
	}
	/* X509_REVOKED_get_ext_d2i() takes a non-const entry, only reads */
	reason = X509_REVOKED_get_ext_d2i((X509_REVOKED *)rev, NID_crl_reason,
	    &crit, NULL);
	if (reason == NULL && crit != -1) {
		rw_err_set(err, "crl_bad_reason", "%s (%s): reasonCode %s",
		    what, e->serial, crit == -2 ? "repeats" :
		    "does not decode");
		return -1;
	}
	if (reason != NULL) {
		long v = ASN1_ENUMERATED_get(reason);

		ASN1_ENUMERATED_free(reason);
		/* RFC 5280 5.3.1 codes are 0..10; keep others for the record */
		if (v < 0 || v > INT_MAX) {
			rw_err_set(err, "crl_bad_reason", "%s (%s): reasonCode "
			    "out of range", what, e->serial);
			return -1;
		}
		e->reason = (int)v;
	}
	return 0;
}

/*
 * PEM: OpenSSL's PEM reader (label "X509 CRL", no encryption headers), then
 * the same DER path as a bare CRL so the trailing-data check applies.
 * Returns the DER in *der (OPENSSL_free) or -1.
 */
static int
pem_unwrap(unsigned char **der, long *derlen, const uint8_t *buf, size_t len,
    struct rw_err *err)
{
	char *name = NULL, *header = NULL;
	BIO *bio = NULL;
	int rc = -1;

	*der = NULL;
	*derlen = 0;
	if (len > INT_MAX) {
		rw_err_set(err, "crl_too_long", "CRL: %zu bytes", len);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		rw_err_set(err, "crl_oom", "%s: out of memory", __func__);
		goto out;
	}
	if (!PEM_read_bio(bio, &name, &header, der, derlen)) {
		rw_err_set(err, "crl_bad_pem", "CRL: PEM armour does not decode");
		goto out;
	}
	if (strcmp(name, CRL_PEM_LABEL) != 0 || header[0] != '\0') {
		rw_err_set(err, "crl_bad_pem",
		    "CRL: PEM label or headers are not a plain X509 CRL");
		goto out;
	}
	rc = 0;
 out:
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	if (rc == -1) {
		OPENSSL_free(*der);
		*der = NULL;
	}
	return rc;
}

static bool
is_pem(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	return len - i >= sizeof(CRL_PEM_BEGIN) - 1 &&
	    memcmp(buf + i, CRL_PEM_BEGIN, sizeof(CRL_PEM_BEGIN) - 1) == 0;
}

static int
crl_fields(struct crl *out, const struct crl_limits *lim, struct rw_err *err)
{
	const STACK_OF(X509_REVOKED) *revs;
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	const ASN1_TIME *next;
	struct crl_entry e;
	size_t i, n;

	asn1_name_text(out->issuer, X509_CRL_get_issuer(out->x));
	if (exts_check(X509_CRL_get0_extensions(out->x), CRL_MAX_EXTENSIONS,
	    "CRL", err) == -1)
		return -1;
	if (crl_numbers(out, out->x, err) == -1)
		return -1;
	if (asn1_time_to_epoch(X509_CRL_get0_lastUpdate(out->x),
	    &out->this_update) == -1) {
		rw_err_set(err, "crl_bad_time", "CRL: thisUpdate does not parse");
		return -1;
	}
	if ((next = X509_CRL_get0_nextUpdate(out->x)) != NULL) {
		if (asn1_time_to_epoch(next, &out->next_update) == -1) {
			rw_err_set(err, "crl_bad_time",
			    "CRL: nextUpdate does not parse");
			return -1;
		}
		out->has_next_update = true;
	}
	X509_CRL_get0_signature(out->x, NULL, &alg);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	asn1_oid_text(out->sig_alg, obj);

	revs = X509_CRL_get_REVOKED(out->x);
	n = revs == NULL ? 0 : (size_t)sk_X509_REVOKED_num(revs);
	if (n > lim->max_entries) {
		rw_err_set(err, "crl_too_many_entries", "CRL %s: want at most "
		    "%zu entries, have %zu", out->crl_number, lim->max_entries,
		    n);
		return -1;
	}
	out->revoked_count = n;
	i = n < lim->max_json_entries ? n : lim->max_json_entries;
	if (i > 0 && (out->entries = calloc(i, sizeof(*out->entries))) == NULL) {
		rw_err_set(err, "crl_oom", "%s: out of memory", __func__);
		return -1;
	}
	/* every entry is checked; the first max_json_entries are kept */
	for (i = 0; i < n; i++) {
		if (entry_fill(&e, sk_X509_REVOKED_value(revs, (int)i), i,
		    err) == -1)
			return -1;
		if (i < lim->max_json_entries)
			out->entries[out->n_entries++] = e;
	}
	out->entries_truncated = out->n_entries < n;
	return 0;
}

int
crl_parse(struct crl *out, const uint8_t *buf, size_t len,
    const struct crl_limits *lim, struct rw_err *err)
{
	unsigned char *pemder = NULL;
	const unsigned char *der = buf, *p;
	long derlen = (long)len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > LONG_MAX) {
		rw_err_set(err, "crl_malformed", "CRL: bad length %zu", len);
		goto out;
	}
	if (is_pem(buf, len)) {
		if (pem_unwrap(&pemder, &derlen, buf, len, err) == -1)
			goto out;
		der = pemder;
		out->pem = true;
	}
	p = der;
	if ((out->x = d2i_X509_CRL(NULL, &p, derlen)) == NULL) {
		rw_err_set(err, "crl_malformed", "CRL (%ld bytes): not DER of "
		    "RFC 5280 5.1", derlen);
		goto out;
	}
	if (p != der + derlen) {
		rw_err_set(err, "crl_trailing_data", "CRL: %ld bytes after "
		    "the CertificateList", derlen - (long)(p - der));
		goto out;
	}
	if (crl_fields(out, lim, err) == -1)
		goto out;
	rc = 0;
 out:
	OPENSSL_free(pemder);
	if (rc == -1)
		crl_free(out);
	return rc;
}

void
crl_free(struct crl *crl)
{
	if (crl == NULL)
		return;
	free(crl->entries);
	X509_CRL_free(crl->x);
	memset(crl, 0, sizeof(*crl));
}

int
crl_foreach_entry(const struct crl *crl,
    int (*fn)(const struct crl_entry *e, void *arg), void *arg)
{
	const STACK_OF(X509_REVOKED) *revs;
	struct crl_entry e;
	int i, n, r;

	if (crl->x == NULL)
		return 0;
	revs = X509_CRL_get_REVOKED(crl->x);
	n = revs == NULL ? 0 : sk_X509_REVOKED_num(revs);
	for (i = 0; i < n; i++) {
		/* crl_parse() already accepted every entry */
		if (entry_fill(&e, sk_X509_REVOKED_value(revs, i), (size_t)i,
		    NULL) == -1)
			continue;
		if ((r = fn(&e, arg)) != 0)
			return r;
	}
	return 0;
}
