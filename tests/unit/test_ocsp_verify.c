/*
 * test_ocsp_verify.c - OCSP verdicts and issuer lookups on the objects
 * tests/gen/pki-wire.sh made with openssl (tests/data/gen/pki-wire): the
 * CA's delegated responder, a forgery under the CA's name with its own
 * key, a delegated responder without OCSPSigning, a response signed under
 * faketime (nextUpdate 2025-06-08), one answering good2 to a request for
 * good1, and the stapled response of the TLS server.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "tests/unit/unit.h"

static const struct ocsp_limits olim = { 16 };
/* 2026-01-01: after every thisUpdate, before the fresh nextUpdates */
static const time_t NOW_2026 = 1767225600;

static int
load_cert(struct x509_info *x, const char *name)
{
	size_t n;
	uint8_t *b = unit_slurp(unit_path("tests/data/gen/pki-wire/%s", name), &n);
	int rc = b == NULL ? -1 : x509_parse(x, b, n, NULL);

	free(b);
	return rc;
}

static int
load_resp(struct ocsp_resp *r, const char *name)
{
	size_t n;
	uint8_t *b = unit_slurp(unit_path("tests/data/gen/pki-wire/%s", name), &n);
	int rc = b == NULL ? -1 : ocsp_resp_parse(r, b, n, &olim, NULL);

	free(b);
	return rc;
}

struct fixture {
	struct stats		 st;
	struct ca_registry	*reg;
	struct x509_info	 root, inter, forged;
	const struct ca_entry	*ca;	/* the intermediate, learned */
};

static int
fixture_init(struct fixture *f)
{
	stats_init(&f->st);
	f->reg = ca_registry_new(16, &f->st);
	if (load_cert(&f->root, "root.crt") == -1 ||
	    load_cert(&f->inter, "inter.crt") == -1 ||
	    load_cert(&f->forged, "forged.crt") == -1)
		return -1;
	ca_registry_learn(f->reg, &f->inter);
	f->ca = ca_registry_lookup_hash(f->reg, "sha1", f->inter.name_hash_sha1,
	    f->inter.key_hash_sha1);
	return f->ca == NULL ? -1 : 0;
}

static void
fixture_free(struct fixture *f)
{
	x509_info_free(&f->root);
	x509_info_free(&f->inter);
	x509_info_free(&f->forged);
	ca_registry_free(f->reg);
}

/* Judges NAME against the CA, asking for the first serial it answers. */
static void
judge(struct fixture *f, const char *name, const char *asked_serial,
    struct ocsp_verdict *v)
{
	struct ocsp_resp r;
	struct ocsp_certid asked;

	memset(v, 0, sizeof(*v));
	CHECK_INT(load_resp(&r, name), 0);
	memset(&asked, 0, sizeof(asked));
	snprintf(asked.serial, sizeof(asked.serial), "%s", asked_serial != NULL ?
	    asked_serial : r.n_singles > 0 ? r.singles[0].id.serial : "");
	ocsp_verify(v, &r, f->ca, &asked, 1, NULL, NOW_2026);
	ocsp_resp_free(&r);
}

static void
test_verdicts(void)
{
	struct fixture f;
	struct ocsp_verdict v;
	struct ocsp_resp r;

	if (fixture_init(&f) == -1) {
		CHECK(!"pki-wire fixture");
		fixture_free(&f);
		return;
	}
	judge(&f, "staple.ocsp", NULL, &v);
	CHECK(v.checked);
	CHECK_INT(v.signature_valid, RW_TRI_TRUE);
	CHECK_INT(v.responder_authorized, RW_TRI_TRUE);
	CHECK(v.error == NULL);
	CHECK(!v.stale && !v.unsolicited && !v.nonce_mismatch);

	judge(&f, "forged.ocsp", NULL, &v);
	CHECK_INT(v.signature_valid, RW_TRI_FALSE);
	CHECK_INT(v.responder_authorized, RW_TRI_FALSE);
	CHECK_STR(v.error, "bad_signature");

	judge(&f, "unauth.ocsp", NULL, &v);
	CHECK_INT(v.signature_valid, RW_TRI_TRUE);
	CHECK_INT(v.responder_authorized, RW_TRI_FALSE);
	CHECK_STR(v.error, "responder_lacks_ocsp_signing");

	judge(&f, "stale.ocsp", NULL, &v);
	CHECK_INT(v.signature_valid, RW_TRI_TRUE);
	CHECK(v.stale);

	/* the answer is for good2: unsolicited unless good2 was asked */
	judge(&f, "unsolicited.ocsp", "00", &v);
	CHECK(v.unsolicited);
	CHECK(!v.stale);
	judge(&f, "unsolicited.ocsp", NULL, &v);
	CHECK(!v.unsolicited);

	/* the issuer unknown: no guess either way */
	CHECK_INT(load_resp(&r, "staple.ocsp"), 0);
	ocsp_verify(&v, &r, NULL, NULL, 0, NULL, NOW_2026);
	CHECK(v.checked);
	CHECK_INT(v.signature_valid, RW_TRI_NULL);
	CHECK_INT(v.responder_authorized, RW_TRI_NULL);
	CHECK(!v.has_request);
	/* at the packet time of a replay years later, the same bytes are stale */
	ocsp_verify(&v, &r, f.ca, NULL, 0, NULL, NOW_2026 + 3650 * 86400);
	CHECK(v.stale);
	ocsp_resp_free(&r);
	fixture_free(&f);
}

static void
test_nonce(void)
{
	struct ocsp_resp r;
	struct ocsp_verdict v;
	char other[HASH_HEX_MAX];

	CHECK_INT(load_resp(&r, "nonce.ocsp"), 0);
	CHECK(r.has_nonce);
	ocsp_verify(&v, &r, NULL, NULL, 0, r.nonce, NOW_2026);
	CHECK(!v.nonce_mismatch);
	snprintf(other, sizeof(other), "%s", r.nonce);
	other[0] = other[0] == '0' ? '1' : '0';
	ocsp_verify(&v, &r, NULL, NULL, 0, other, NOW_2026);
	CHECK(v.nonce_mismatch);
	ocsp_resp_free(&r);
}

/* Same name, another key: never taken for the CA, never vouched for. */
static void
test_namesake(void)
{
	struct fixture f;
	const struct ca_entry *e;

	if (fixture_init(&f) == -1) {
		CHECK(!"pki-wire fixture");
		fixture_free(&f);
		return;
	}
	CHECK_STR(f.forged.subject, f.inter.subject);
	e = ca_registry_lookup_issuer(f.reg, f.inter.subject, f.inter.ski);
	CHECK(e != NULL && e->x == f.inter.x);
	CHECK(ca_registry_lookup_issuer(f.reg, f.inter.subject, f.forged.ski) ==
	    NULL);
	/* the forgery claims to be its own issuer; the real CA did not sign it */
	CHECK_INT(ca_registry_learn_verified(f.reg, &f.forged), 0);
	/* the intermediate verifies under the root once the root is known */
	ca_registry_free(f.reg);
	f.reg = ca_registry_new(16, &f.st);
	CHECK_INT(ca_registry_learn_verified(f.reg, &f.inter), 0);
	CHECK_INT(ca_registry_learn(f.reg, &f.root), 1);
	CHECK_INT(ca_registry_learn_verified(f.reg, &f.inter), 1);
	e = ca_registry_lookup_hash(f.reg, "sha256", f.inter.name_hash_sha256,
	    f.inter.key_hash_sha256);
	CHECK(e != NULL && e->source == CA_SRC_WIRE && e->code_signing);
	fixture_free(&f);
}

UNIT_MAIN(test_verdicts, test_nonce, test_namesake)
