/*
 * asn1.c - text and time conversions every DER decoder shares, so serials,
 * names, algorithms, reasons and times read the same in every event.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/hex.h"
#include "proto/proto.h"

int
asn1_serial_hex(char buf[SERIAL_HEX_MAX], const ASN1_INTEGER *ai)
{
	static const char digits[] = "0123456789ABCDEF";
	const unsigned char *d;
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	if (ai == NULL)
		return -1;
	d = ASN1_STRING_get0_data(ai);
	n = ASN1_STRING_length(ai);
	if (n < 0 || (n > 0 && d == NULL))
		return -1;
	/* sign, two digits per byte, NUL */
	if ((size_t)n > (SERIAL_HEX_MAX - 2) / 2)
		return -1;
	/* OpenSSL keeps the magnitude; the sign lives in the type */
	if (ASN1_STRING_type(ai) == V_ASN1_NEG_INTEGER)
		buf[o++] = '-';
	if (n == 0) {
		/* i2a_ASN1_INTEGER prints an empty magnitude as "00" */
		buf[o++] = '0';
		buf[o++] = '0';
	}
	for (i = 0; i < (size_t)n; i++) {
		buf[o++] = digits[d[i] >> 4];
		buf[o++] = digits[d[i] & 0x0f];
	}
	buf[o] = '\0';
	return 0;
}

int
asn1_time_to_epoch(const ASN1_TIME *at, time_t *t)
{
	struct tm tm;

	*t = 0;
	/* ASN1_TIME_to_tm(NULL) means "now": never let that through */
	if (at == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (!ASN1_TIME_to_tm(at, &tm))
		return -1;
	*t = timegm(&tm);
	/* -1 is also 1969-12-31T23:59:59Z, which no valid object carries */
	if (*t == (time_t)-1) {
		*t = 0;
		return -1;
	}
	return 0;
}

void
asn1_bio_text(char buf[NAME_TEXT_MAX], BIO *bio)
{
	char *p = NULL;
	long n;

	buf[0] = '\0';
	n = BIO_get_mem_data(bio, &p);
	if (n <= 0 || p == NULL)
		return;
	if ((size_t)n < NAME_TEXT_MAX) {
		memcpy(buf, p, (size_t)n);
		buf[n] = '\0';
	} else {
		memcpy(buf, p, NAME_TEXT_MAX - 4);
		memcpy(buf + NAME_TEXT_MAX - 4, "...", 4);
	}
}

void
asn1_name_text(char buf[NAME_TEXT_MAX], const X509_NAME *name)
{
	BIO *bio = NULL;

	buf[0] = '\0';
	if (name == NULL)
		return;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0)
		goto out;
	asn1_bio_text(buf, bio);
 out:
	BIO_free(bio);
}

void
asn1_general_name_text(char buf[NAME_TEXT_MAX], GENERAL_NAME *gn)
{
	BIO *bio = NULL;

	buf[0] = '\0';
	if (gn == NULL)
		return;
	if (gn->type == GEN_DIRNAME) {
		asn1_name_text(buf, gn->d.directoryName);
		return;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;
	if (GENERAL_NAME_print(bio, gn) <= 0)
		goto out;
	asn1_bio_text(buf, bio);
 out:
	BIO_free(bio);
}

void
asn1_oid_text(char buf[ALG_NAME_MAX], const ASN1_OBJECT *obj)
{
	const char *sn;
	int nid;

	buf[0] = '\0';
	if (obj == NULL)
		return;
	/*
	 * OpenSSL's long names are the lower-case forms analysts know from
	 * `openssl ocsp -resp_text` and Zeek ("sha1", "sha256",
	 * "sha256WithRSAEncryption"); its short names are "SHA1", "RSA-SHA256".
	 */
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef && (sn = OBJ_nid2ln(nid)) != NULL) {
		snprintf(buf, ALG_NAME_MAX, "%s", sn);
		return;
	}
	/* dotted form; OBJ_obj2txt cuts to the buffer and NUL-terminates */
	if (OBJ_obj2txt(buf, ALG_NAME_MAX, obj, 1) <= 0)
		buf[0] = '\0';
}

const char *
asn1_reason_name(int code)
{
	/* RFC 5280 5.3.1; 7 is not used */
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise",
		"affiliationChanged", "superseded", "cessationOfOperation",
		"certificateHold", NULL, "removeFromCRL", "privilegeWithdrawn",
		"aACompromise"
	};

	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[code];
}

void
asn1_digest_hex(char *dst, size_t dstsz, const EVP_MD *md, const uint8_t *p,
    size_t len)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;

	dst[0] = '\0';
	if (EVP_Digest(p, len, d, &dl, md, NULL) == 1)
		hex_encode(dst, dstsz, d, dl, false);
}
