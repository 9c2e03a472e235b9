/*
 * test_crl.c - CRL decoding on real CRLs.  Expected values were read with
 * `openssl crl -in FILE [-inform DER] -text -noout` (OpenSSL 3.0): names in
 * RFC 2253 order, serials as printed, times converted to RFC 3339 UTC.
 * Vectors: tests/data/vectors/ (PROVENANCE.md) and, when installed,
 * python3-cryptography-vectors.  A 100 000-entry CRL is built with the
 * OpenSSL API at run time and its decode time printed (not asserted).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/timefmt.h"
#include "proto/proto.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

static const struct crl_limits lim = { 10000, 10000000 };


static void
test_all_reasons(void)
{
	/* openssl crl -text: serial 00 has no reason, then 01..0B */
	static const struct {
		const char	*serial;
		int		 reason;
	} want[] = {
		{ "00", -1 }, { "01", 0 }, { "02", 1 }, { "03", 2 },
		{ "04", 3 }, { "05", 4 }, { "06", 5 }, { "07", 6 },
		{ "08", 8 }, { "09", 9 }, { "0A", 10 }, { "0B", 1 },
	};
	struct crl_limits l;
	struct rw_err err;
	struct crl c;
	uint8_t *buf;
	size_t len, i;

	if ((buf = vec_local("crl/crl_all_reasons.pem", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
	CHECK(c.pem);
	CHECK_STR(c.issuer, "CN=cryptography.io,C=US");
	CHECK(!c.has_crl_number);
	CHECK(!c.is_delta);
	CHECK_STR(unit_time(c.this_update), "2015-01-01T00:00:00Z");
	CHECK(c.has_next_update);
	CHECK_STR(unit_time(c.next_update), "2016-01-01T00:00:00Z");
	CHECK_STR(c.aki, "");
	CHECK_STR(c.sig_alg, "sha256WithRSAEncryption");
	CHECK_INT(c.revoked_count, 12);
	CHECK_INT(c.n_entries, 12);
	CHECK(!c.entries_truncated);
	for (i = 0; i < 12 && i < c.n_entries; i++) {
		CHECK_STR(c.entries[i].serial, want[i].serial);
		CHECK_INT(c.entries[i].reason, want[i].reason);
		CHECK_STR(unit_time(c.entries[i].revocation_date),
		    "2015-01-01T00:00:00Z");
	}
	CHECK_STR(asn1_reason_name(c.entries[7].reason), "certificateHold");
	CHECK_STR(asn1_reason_name(c.entries[8].reason), "removeFromCRL");
	crl_free(&c);
	CHECK(c.x == NULL && c.entries == NULL);

	/* max_json_entries at N and N - 1: count stays whole */
	l = lim;
	l.max_json_entries = 11;
	CHECK_INT(crl_parse(&c, buf, len, &l, &err), 0);
	CHECK_INT(c.revoked_count, 12);
	CHECK_INT(c.n_entries, 11);
	CHECK(c.entries_truncated);
	crl_free(&c);
	l.max_json_entries = 0;
	CHECK_INT(crl_parse(&c, buf, len, &l, &err), 0);
	CHECK_INT(c.n_entries, 0);
	CHECK(c.entries_truncated);
	crl_free(&c);
	/* max_entries at N and N - 1 */
	l = lim;
	l.max_entries = 12;
	CHECK_INT(crl_parse(&c, buf, len, &l, &err), 0);
	crl_free(&c);
	l.max_entries = 11;
	CHECK_INT(crl_parse(&c, buf, len, &l, &err), -1);
	CHECK_STR(err.reason, "crl_too_many_entries");
	CHECK(c.x == NULL && c.revoked_count == 0);
	free(buf);
}

static void
test_delta_empty_aki(void)
{
	struct rw_err err;
	struct crl c;
	uint8_t *buf;
	size_t len;

	if ((buf = vec_local("crl/crl_delta_crl_indicator.pem", &len))
	    != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		CHECK_STR(c.issuer, "CN=cryptography.io CA");
		CHECK(c.has_crl_number);
		CHECK_STR(c.crl_number, "12345678901234567891");
		CHECK(c.is_delta);
		CHECK_STR(c.delta_base, "12345678901234567890");
		CHECK_STR(unit_time(c.this_update), "2002-01-01T12:01:00Z");
		CHECK_STR(unit_time(c.next_update), "2030-01-01T12:01:00Z");
		CHECK_INT(c.revoked_count, 0);
		crl_free(&c);
		free(buf);
	} else
		CHECK(buf != NULL);

	if ((buf = vec_local("crl/crl_empty.pem", &len)) != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		CHECK_STR(c.issuer, "CN=r509 CRL Delegate,O=r509 LLC,"
		    "L=Chicago,ST=Illinois,C=US");
		CHECK_STR(c.crl_number, "1");
		CHECK(!c.is_delta);
		CHECK_STR(unit_time(c.this_update), "2015-12-20T23:44:47Z");
		CHECK_STR(unit_time(c.next_update), "2015-12-28T00:44:47Z");
		CHECK_STR(c.sig_alg, "sha1WithRSAEncryption");
		/* its AKI carries no keyIdentifier ("0." in openssl's text) */
		CHECK_STR(c.aki, "");
		CHECK_INT(c.revoked_count, 0);
		CHECK(c.entries == NULL);
		crl_free(&c);
		free(buf);
	} else
		CHECK(buf != NULL);

	if ((buf = vec_local("crl/crl_ian_aia_aki.pem", &len)) != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		CHECK_STR(c.aki, "7975bb843acb2cde7a09be311b43bc1c2a4d5358");
		CHECK_STR(c.crl_number, "1");
		CHECK_STR(c.issuer, "CN=Test CA,O=Ruby CA Project,L=Chicago,"
		    "ST=Illinois,C=US");
		crl_free(&c);
		free(buf);
	} else
		CHECK(buf != NULL);

	if ((buf = vec_local("crl/crl_no_next_update.pem", &len)) != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		CHECK(!c.has_next_update);
		CHECK_INT(c.next_update, 0);
		crl_free(&c);
		free(buf);
	} else
		CHECK(buf != NULL);
}

static void
test_isrg_der(void)
{
	struct rw_err err;
	struct crl c;
	uint8_t *buf, *big;
	size_t len;

	/* suricata-verify tls-subjectaltname.pcap, GET http://x1.c.lencr.org/ */
	if ((buf = vec_local("crl/isrg-root-x1.crl", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	CHECK_INT(len, 717);
	CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
	CHECK(!c.pem);
	CHECK_STR(c.issuer, "CN=ISRG Root X1,O=Internet Security Research "
	    "Group,C=US");
	CHECK_STR(c.crl_number, "101");
	CHECK_STR(c.aki, "79b459e67bb6e5e40173800888c81a58f6e99b6e");
	CHECK_STR(unit_time(c.this_update), "2021-07-15T00:00:00Z");
	CHECK_STR(unit_time(c.next_update), "2022-06-14T23:59:59Z");
	CHECK_STR(c.sig_alg, "sha256WithRSAEncryption");
	CHECK_INT(c.revoked_count, 0);
	crl_free(&c);

	big = malloc(len + 1);
	memcpy(big, buf, len);
	big[len] = 0;
	CHECK_INT(crl_parse(&c, big, len + 1, &lim, &err), -1);
	CHECK_STR(err.reason, "crl_trailing_data");
	CHECK(c.x == NULL);
	CHECK_INT(crl_parse(&c, buf, len - 1, &lim, &err), -1);
	CHECK_STR(err.reason, "crl_malformed");
	CHECK_INT(crl_parse(&c, buf, 0, &lim, &err), -1);
	free(big);
	free(buf);
}

static void
test_rejects(void)
{
	static const char badpem[] = "-----BEGIN X509 CRL-----\n!!!!\n"
	    "-----END X509 CRL-----\n";
	static const char certpem[] = "\n-----BEGIN X509 CRL-----\nMAA=\n"
	    "-----END X509 CRL-----\n";
	struct rw_err err;
	struct crl c;
	uint8_t *buf;
	size_t len;

	/* the same reasonCode twice in one entry */
	if ((buf = vec_local("crl/crl_dup_entry_ext.pem", &len)) != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), -1);
		CHECK_STR(err.reason, "crl_duplicate_extension");
		CHECK(c.x == NULL);
		free(buf);
	} else
		CHECK(buf != NULL);
	/* an unknown critical entry extension */
	if ((buf = vec_local("crl/crl_md2_unknown_crit_entry_ext.pem", &len))
	    != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), -1);
		CHECK_STR(err.reason, "crl_unknown_critical_extension");
		free(buf);
	} else
		CHECK(buf != NULL);
	CHECK_INT(crl_parse(&c, (const uint8_t *)badpem, strlen(badpem), &lim,
	    &err), -1);
	CHECK_STR(err.reason, "crl_bad_pem");
	/* armour fine, content an empty SEQUENCE */
	CHECK_INT(crl_parse(&c, (const uint8_t *)certpem, strlen(certpem),
	    &lim, &err), -1);
	CHECK_STR(err.reason, "crl_malformed");

	/* package-only vectors */
	if ((buf = vec_pkg("x509/custom/crl_unrecognized_extension.der", &len))
	    != NULL) {
		/* 1.2.3.4.5, not critical: accepted */
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		crl_free(&c);
		free(buf);
	}
	if ((buf = vec_pkg("x509/custom/crl_invalid_time.der", &len)) != NULL) {
		/* thisUpdate UTCTime "18102813516Z" */
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), -1);
		CHECK_STR(err.reason, "crl_bad_time");
		free(buf);
	}
	if ((buf = vec_pkg("x509/custom/crl_unsupported_reason.pem", &len))
	    != NULL) {
		/* reasonCode 12 (0A 01 0C): kept as a number */
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		CHECK_INT(c.n_entries, 1);
		if (c.n_entries == 1)
			CHECK_INT(c.entries[0].reason, 12);
		crl_free(&c);
		free(buf);
	}
	if ((buf = vec_pkg("x509/custom/crl_almost_10k.pem", &len)) != NULL) {
		/* openssl crl -text | grep -c 'Serial Number' = 9999 */
		CHECK_INT(crl_parse(&c, buf, len, &lim, &err), 0);
		CHECK_INT(c.revoked_count, 9999);
		crl_free(&c);
		free(buf);
	}
}

struct walk {
	size_t	 n;
	size_t	 stop_at;
	char	 last[SERIAL_HEX_MAX];
	int	 hold;
};

static int
walk_fn(const struct crl_entry *e, void *arg)
{
	struct walk *w = arg;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", e->serial);
	if (e->reason == 6)
		w->hold++;
	return w->stop_at != 0 && w->n == w->stop_at ? 42 : 0;
}

#define BIG_N	100000

/* Reason of entry i in the generated CRL: cycles through the codes. */
static int
big_reason(size_t i)
{
	static const int codes[] = { -1, 0, 1, 2, 3, 4, 5, 6, 8, 9, 10 };

	return codes[i % (sizeof(codes) / sizeof(codes[0]))];
}

static uint8_t *
make_big_crl(size_t *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509_CRL *crl = X509_CRL_new();
	X509_NAME *name = X509_NAME_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, 1420070400);	/* 2015-01-01 */
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
	uint8_t *der = NULL, *p;
	size_t i;
	int n;

	*len = 0;
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"revwire big CRL", -1, -1, 0);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, name);
	X509_CRL_set1_lastUpdate(crl, t);
	for (i = 0; i < BIG_N; i++) {
		X509_REVOKED *rev = X509_REVOKED_new();

		ASN1_INTEGER_set(serial, (long)i + 1);
		X509_REVOKED_set_serialNumber(rev, serial);
		X509_REVOKED_set_revocationDate(rev, t);
		if (big_reason(i) >= 0) {
			ASN1_ENUMERATED_set(reason, big_reason(i));
			X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason,
			    0, 0);
		}
		X509_CRL_add0_revoked(crl, rev);	/* crl owns rev */
	}
	if (X509_CRL_sign(crl, key, EVP_sha256()) > 0 &&
	    (n = i2d_X509_CRL(crl, NULL)) > 0 &&
	    (der = malloc((size_t)n)) != NULL) {
		p = der;
		i2d_X509_CRL(crl, &p);
		*len = (size_t)n;
	}
	ASN1_ENUMERATED_free(reason);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(t);
	X509_NAME_free(name);
	X509_CRL_free(crl);
	EVP_PKEY_free(key);
	return der;
}

static void
test_big_crl(void)
{
	struct timespec a, b;
	struct crl_limits l;
	struct rw_err err;
	struct walk w;
	struct crl c;
	uint8_t *der;
	size_t len;

	if ((der = make_big_crl(&len)) == NULL) {
		CHECK(der != NULL);
		return;
	}
	l.max_json_entries = 10000;
	l.max_entries = BIG_N;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_INT(crl_parse(&c, der, len, &l, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("100000-entry CRL (%zu bytes) decoded in %.3f s\n", len,
	    (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	CHECK_INT(c.revoked_count, BIG_N);
	CHECK_INT(c.n_entries, 10000);
	CHECK(c.entries_truncated);
	CHECK_STR(c.issuer, "CN=revwire big CRL");
	if (c.n_entries == 10000) {
		CHECK_STR(c.entries[0].serial, "01");
		CHECK_INT(c.entries[0].reason, -1);
		CHECK_INT(c.entries[1].reason, 0);
		CHECK_INT(c.entries[8].reason, 8);
		CHECK_STR(c.entries[9999].serial, "2710");
		CHECK_INT(c.entries[9999].reason, big_reason(9999));
		CHECK_STR(unit_time(c.entries[9999].revocation_date),
		    "2015-01-01T00:00:00Z");
	}
	/* every entry, not just the listed ones */
	memset(&w, 0, sizeof(w));
	CHECK_INT(crl_foreach_entry(&c, walk_fn, &w), 0);
	CHECK_INT(w.n, BIG_N);
	CHECK_STR(w.last, "0186A0");
	/* reason index 7 of 11 is certificateHold */
	CHECK_INT(w.hold, BIG_N / 11 + (BIG_N % 11 > 7));
	memset(&w, 0, sizeof(w));
	w.stop_at = 3;
	CHECK_INT(crl_foreach_entry(&c, walk_fn, &w), 42);
	CHECK_INT(w.n, 3);
	CHECK_STR(w.last, "03");
	crl_free(&c);
	/* max_entries one below the count */
	l.max_entries = BIG_N - 1;
	CHECK_INT(crl_parse(&c, der, len, &l, &err), -1);
	CHECK_STR(err.reason, "crl_too_many_entries");
	free(der);
}

UNIT_MAIN(test_all_reasons, test_delta_empty_aki, test_isrg_der,
    test_rejects, test_big_crl)
