#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "sensor/eve_cert.h"
#include "tests/unit/unit.h"


static void
check_ms_sub(const struct x509_info *x)
{
	CHECK_STR(x->serial, "613FB718000000000004");
	CHECK_STR(x->subject, "CN=Microsoft Secure Server CA 2011,O=Microsoft "
	    "Corporation,L=Redmond,ST=Washington,C=US");
	CHECK_STR(x->sha1, "83da05a9886f7658be73acf0a4930c0f99b92f01");
	CHECK_INT(x->not_before, 1318978519);	/* 2011-10-18T22:55:19Z */
	CHECK_INT(x->not_after, 1792364719);	/* 2026-10-18T23:05:19Z */
	CHECK(x->is_ca);
	CHECK_INT(x->n_key_usage, 3);
	CHECK_STR(x->key_usage[0], "digitalSignature");
	CHECK_STR(x->key_usage[1], "keyCertSign");
	CHECK_STR(x->key_usage[2], "cRLSign");
	CHECK(!x->code_signing);
	CHECK_INT(x->n_crl_urls, 1);
	CHECK_STR(x->crl_urls[0], "http://crl.microsoft.com/pki/crl/products/"
	    "MicRooCerAut2011_2011_03_22.crl");
	CHECK_INT(x->n_ca_issuers_urls, 1);
	CHECK_STR(x->ca_issuers_urls[0], "http://www.microsoft.com/pki/certs/"
	    "MicRooCerAut2011_2011_03_22.crt");
	CHECK_INT(x->n_ocsp_urls, 0);
	/* as `openssl ocsp -issuer ms_sub.pem -req_text` prints them */
	CHECK_STR(x->name_hash_sha1, "3de16fb4fb90fbcc6c1523099f2eb8e969c978af");
	CHECK_STR(x->key_hash_sha1, "3656896549cb5b9b2f3cac4216504d91b933d791");
}

static void
test_der_pem(void)
{
	struct x509_info x;
	struct rw_err err;
	uint8_t *b, *b2;
	size_t n = 0;

	b = unit_slurp(unit_path("tests/data/certs/MicSecSerCA2011_2011-10-18.crt"), &n);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(x509_parse(&x, b, n, &err), 0);
	check_ms_sub(&x);
	{
		json_t *j = x509_info_json(&x);
		char *t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

		CHECK(t != NULL && strstr(t, "\"serial\":\"613FB718000000000004\"") != NULL);
		CHECK(t != NULL && strstr(t, "\"sha1_key\":\"3656896549cb5b9b2f3cac4216504d91b933d791\"") != NULL);
		CHECK(t != NULL && strstr(t, "\"is_ca\":true") != NULL);
		CHECK(t != NULL && strstr(t, "\"not_after\":\"2026-10-18T23:05:19") != NULL);
		free(t);
		json_decref(j);
	}
	x509_info_free(&x);
	/* N-1 bytes: truncated; N+1: trailing data */
	CHECK_INT(x509_parse(&x, b, n - 1, &err), -1);
	b2 = malloc(n + 1);
	memcpy(b2, b, n);
	b2[n] = 0;
	CHECK_INT(x509_parse(&x, b2, n + 1, &err), -1);
	CHECK_STR(err.reason, "x509_trailing_data");
	free(b2);
	free(b);
	b = unit_slurp(unit_path("tests/data/certs/ms_sub.pem"), &n);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(x509_parse(&x, b, n, &err), 0);
	check_ms_sub(&x);
	x509_info_free(&x);
	free(b);
}

static void
test_root(void)
{
	struct x509_info x;
	struct rw_err err;
	uint8_t *b;
	size_t n = 0;

	b = unit_slurp(unit_path("tests/data/certs/MicRooCerAut2011_2011_03_22.crt"), &n);
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_INT(x509_parse(&x, b, n, &err), 0);
	CHECK_STR(x.serial, "3F8BC8B5FC9FB29643B569D66C42E144");
	CHECK_STR(x.sha1, "8f43288ad272f3103b6fb1428485ea3014c0bcfe");
	CHECK_STR(x.subject, x.issuer);
	CHECK(x.is_ca);
	CHECK_STR(x.ski, "722d3a02319043b914054ee1eaa7c731d1238934");
	CHECK_STR(x.aki, "");	/* the root carries no AKI */
	x509_info_free(&x);
	free(b);
}

static void
test_pkcs7(void)
{
	const char *files[] = { "tests/data/certs/ms_bundle.p7c",
	    "tests/data/certs/ms_bundle.p7b.pem" };
	struct x509_info *a;
	struct rw_err err;
	size_t n, cnt, total, i;
	uint8_t *b;

	for (i = 0; i < 2; i++) {
		b = unit_slurp(unit_path("%s", files[i]), &n);
		CHECK(b != NULL);
		if (b == NULL)
			return;
		CHECK_INT(pkcs7_certs_parse(&a, &cnt, &total, b, n, 2, &err), 0);
		CHECK_INT(cnt, 2);
		CHECK_INT(total, 2);
		if (cnt == 2) {
			check_ms_sub(&a[0]);
			CHECK_STR(a[1].serial, "3F8BC8B5FC9FB29643B569D66C42E144");
		}
		x509_info_array_free(a, cnt);
		/* limit N-1: one kept, total still 2 */
		CHECK_INT(pkcs7_certs_parse(&a, &cnt, &total, b, n, 1, &err), 0);
		CHECK_INT(cnt, 1);
		CHECK_INT(total, 2);
		x509_info_array_free(a, cnt);
		free(b);
	}
}

/*
 * The decoding cache: a hit gives the same fields with its own reference;
 * one slot shared by two certificates still gives each its own; bytes that
 * do not decode are an error every time.
 */
static void
test_cache(void)
{
	struct x509_cache *c = x509_cache_new(1);
	struct x509_info a, b, r;
	struct rw_err err;
	uint8_t *sub, *root;
	size_t ns, nr;

	sub = unit_slurp(unit_path("tests/data/certs/MicSecSerCA2011_2011-10-18.crt"), &ns);
	root = unit_slurp(unit_path("tests/data/certs/MicRooCerAut2011_2011_03_22.crt"), &nr);
	CHECK(c != NULL && sub != NULL && root != NULL);
	CHECK_INT(x509_parse_cached(c, &a, sub, ns, NULL), 0);
	CHECK_INT(x509_parse_cached(c, &b, sub, ns, NULL), 0);
	CHECK_STR(b.serial, "613FB718000000000004");
	CHECK_STR(b.sha1, a.sha1);
	CHECK(b.x == a.x);
	x509_info_free(&a);
	CHECK_STR(b.subject, "CN=Microsoft Secure Server CA 2011,"
	    "O=Microsoft Corporation,L=Redmond,ST=Washington,C=US");
	CHECK_INT(x509_parse_cached(c, &r, root, nr, NULL), 0);
	CHECK_STR(r.serial, "3F8BC8B5FC9FB29643B569D66C42E144");
	x509_info_free(&r);
	CHECK_INT(x509_parse_cached(c, &a, sub, ns, NULL), 0);
	CHECK_STR(a.serial, "613FB718000000000004");
	x509_info_free(&a);
	/* one byte of the signature changed: decoded afresh, not the hit */
	sub[ns - 2] ^= 0xff;
	CHECK_INT(x509_parse_cached(c, &a, sub, ns, NULL), 0);
	CHECK(strcmp(a.sha1, b.sha1) != 0);
	x509_info_free(&a);
	x509_info_free(&b);
	rw_err_clear(&err);
	CHECK_INT(x509_parse_cached(c, &a, sub, ns - 1, &err), -1);
	CHECK(err.reason != NULL);
	CHECK_INT(x509_parse_cached(c, &a, sub, ns - 1, NULL), -1);
	x509_cache_free(c);
	/* no cache at all: plain decoding */
	CHECK_INT(x509_parse_cached(NULL, &a, root, nr, NULL), 0);
	x509_info_free(&a);
	free(sub);
	free(root);
}

UNIT_MAIN(test_der_pem, test_root, test_pkcs7, test_cache)
