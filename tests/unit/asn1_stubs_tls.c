/*
 * asn1_stubs_tls.c - TEST-ONLY stand-ins for proto/asn1.c helpers so the
 * h-tls unit tests link before that branch merges.  Delete at merge.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>

#include "proto/proto.h"

int
asn1_serial_hex(char buf[SERIAL_HEX_MAX], const ASN1_INTEGER *ai)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(ai, NULL);
	char *s;
	int rc = -1;

	if (bn == NULL)
		return -1;
	if ((s = BN_bn2hex(bn)) != NULL && strlen(s) < SERIAL_HEX_MAX) {
		/* BN_bn2hex pads to whole bytes; openssl x509 -serial too */
		snprintf(buf, SERIAL_HEX_MAX, "%s", s);
		rc = 0;
	}
	OPENSSL_free(s);
	BN_free(bn);
	return rc;
}

int
asn1_time_to_epoch(const ASN1_TIME *at, time_t *t)
{
	struct tm tm;

	*t = 0;
	memset(&tm, 0, sizeof(tm));
	if (at == NULL || ASN1_TIME_to_tm(at, &tm) != 1)
		return -1;
	*t = timegm(&tm);
	return 0;
}

void
asn1_name_text(char buf[NAME_TEXT_MAX], const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0)
		n = BIO_read(b, buf, NAME_TEXT_MAX - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

void
asn1_oid_text(char buf[ALG_NAME_MAX], const ASN1_OBJECT *obj)
{
	int nid = OBJ_obj2nid(obj);

	if (nid != NID_undef)
		snprintf(buf, ALG_NAME_MAX, "%s", OBJ_nid2sn(nid));
	else if (OBJ_obj2txt(buf, ALG_NAME_MAX, obj, 1) <= 0)
		buf[0] = '\0';
}
