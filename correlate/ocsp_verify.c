/*
 * ocsp_verify.c - judges an OCSP response the way ocspcheck does, as
 * findings instead of exits: who signed it and whether that key speaks for
 * the CA its CertIDs name, whether it is stale at the packet's time, and
 * whether it answers what was asked.
 *
 * The signer is looked for only among the issuer itself and the carried
 * certificates the issuer's key signed: a certificate that merely bears
 * the CA's name (a forgery with its own key) is never a candidate, so its
 * signature reads signature_valid false.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "correlate/correlate.h"

/* Whether the response's ResponderID names c (byName or byKey SHA-1). */
static bool
responder_is(const OCSP_BASICRESP *bs, X509 *c)
{
	const ASN1_OCTET_STRING *kid = NULL;
	const X509_NAME *name = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (OCSP_resp_get0_id(bs, &kid, &name) != 1)
		return false;
	if (name != NULL)
		return X509_NAME_cmp(name, X509_get_subject_name(c)) == 0;
	if (kid == NULL || X509_pubkey_digest(c, EVP_sha1(), md, &n) != 1)
		return false;
	return ASN1_STRING_length(kid) == (int)n &&
	    memcmp(ASN1_STRING_get0_data(kid), md, n) == 0;
}

/* The signature of bs under c's key alone (no chain, no carried certs). */
static bool
signed_by(OCSP_BASICRESP *bs, X509 *c)
{
	STACK_OF(X509) *one;
	X509_STORE *st;
	bool ok = false;

	if ((one = sk_X509_new_null()) == NULL)
		return false;
	if ((st = X509_STORE_new()) != NULL && sk_X509_push(one, c) > 0)
		ok = OCSP_basic_verify(bs, one, st,
		    OCSP_NOINTERN | OCSP_NOVERIFY) == 1;
	ERR_clear_error();	/* a failed verify is a finding, not an error */
	X509_STORE_free(st);
	sk_X509_free(one);	/* borrowed: the stack only */
	return ok;
}

static bool
issued_by(X509 *c, X509 *ca)
{
	EVP_PKEY *k = X509_get0_pubkey(ca);
	bool ok = k != NULL && X509_verify(c, k) == 1;

	ERR_clear_error();
	return ok;
}

/* An issued certificate may answer for its CA only with OCSPSigning. */
static bool
ocsp_signing(X509 *c)
{
	return (X509_get_extension_flags(c) & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(c) & XKU_OCSP_SIGN) != 0;
}

static void
judge_signer(struct ocsp_verdict *v, OCSP_BASICRESP *bs, X509 *ca)
{
	const STACK_OF(X509) *certs = OCSP_resp_get0_certs(bs);
	X509 *c;
	int i;

	if (responder_is(bs, ca)) {
		if (signed_by(bs, ca)) {
			v->signature_valid = RW_TRI_TRUE;
			v->responder_authorized = RW_TRI_TRUE;
			return;
		}
		v->error = "bad_signature";
	}
	for (i = 0; i < sk_X509_num(certs); i++) {
		c = sk_X509_value(certs, i);
		if (!responder_is(bs, c) || !issued_by(c, ca))
			continue;
		if (!signed_by(bs, c)) {
			v->error = "bad_signature";
			continue;
		}
		v->signature_valid = RW_TRI_TRUE;
		v->responder_authorized = ocsp_signing(c) ? RW_TRI_TRUE :
		    RW_TRI_FALSE;
		v->error = ocsp_signing(c) ? NULL :
		    "responder_lacks_ocsp_signing";
		return;
	}
	v->signature_valid = RW_TRI_FALSE;
	v->responder_authorized = RW_TRI_FALSE;
	if (v->error == NULL)
		v->error = "signer_not_found";
}

static bool
asked_for(const char *serial, const struct ocsp_certid *asked, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(asked[i].serial, serial) == 0)
			return true;
	return false;
}

void
ocsp_verify(struct ocsp_verdict *v, const struct ocsp_resp *resp,
    const struct ca_entry *issuer, const struct ocsp_certid *asked,
    size_t n_asked,
    const char *req_nonce, time_t now)
{
	const struct ocsp_single *s;
	size_t i;

	memset(v, 0, sizeof(*v));
	if (resp == NULL || !resp->has_basic || resp->basic == NULL)
		return;
	v->checked = true;
	if (issuer != NULL && issuer->x != NULL)
		judge_signer(v, resp->basic, issuer->x);
	v->has_request = asked != NULL;
	for (i = 0; i < resp->n_singles; i++) {
		s = &resp->singles[i];
		if (s->has_next_update && s->next_update < now)
			v->stale = true;
		if (asked != NULL && !asked_for(s->id.serial, asked, n_asked))
			v->unsolicited = true;
	}
	v->nonce_mismatch = req_nonce != NULL && resp->has_nonce &&
	    strcmp(req_nonce, resp->nonce) != 0;
}
