#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "correlate/correlate.h"
#include "tests/unit/unit.h"

static int
load(struct x509_info *x, const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	uint8_t buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return x509_parse(x, buf, n, NULL);
}

static void
test_wire_learning(void)
{
	static struct stats st;
	struct ca_registry *r;
	struct x509_info sub, root;
	const struct ca_entry *e;

	stats_init(&st);
	r = ca_registry_new(1, &st);
	CHECK_INT(load(&sub, "tests/data/certs/MicSecSerCA2011_2011-10-18.crt"), 0);
	CHECK_INT(load(&root, "tests/data/certs/MicRooCerAut2011_2011_03_22.crt"), 0);
	/* unknown before the certificate crossed the wire */
	CHECK(ca_registry_lookup_hash(r, "sha1",
	    "3DE16FB4FB90FBCC6C1523099F2EB8E969C978AF",
	    "3656896549CB5B9B2F3CAC4216504D91B933D791") == NULL);
	CHECK_INT(ca_registry_learn(r, &sub), 1);
	e = ca_registry_lookup_hash(r, "sha1",
	    "3DE16FB4FB90FBCC6C1523099F2EB8E969C978AF",
	    "3656896549CB5B9B2F3CAC4216504D91B933D791");
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK_STR(ca_source_name(e->source), "wire");
		CHECK(!e->code_signing);
	}
	CHECK(ca_registry_lookup_hash(r, "sha256", sub.name_hash_sha256,
	    sub.key_hash_sha256) != NULL);
	CHECK_INT(ca_registry_learn(r, &sub), 0);	/* already known */
	/* limit 1: the second CA evicts the first wire entry */
	CHECK_INT(stats_get(&st, "ca_registry_evicted"), 0);
	CHECK_INT(ca_registry_learn(r, &root), 1);
	CHECK_INT(stats_get(&st, "ca_registry_evicted"), 1);
	CHECK_INT(ca_registry_count(r), 1);
	CHECK(ca_registry_lookup_name(r, sub.subject) == NULL);
	CHECK(ca_registry_lookup_name(r, root.subject) != NULL);
	x509_info_free(&sub);
	x509_info_free(&root);
	ca_registry_free(r);
}

struct heard {
	int	n;
	char	sha256[65];
};

static void
on_learn(void *arg, const struct x509_info *info)
{
	struct heard *h = arg;

	h->n++;
	memcpy(h->sha256, info->sha256, sizeof(h->sha256));
}

/*
 * The hook hears each CA the wire teaches once, by either path; a restored
 * CA is wire-sourced but silent, and a certificate that is no CA is not
 * restored.
 */
static void
test_on_learn_and_restore(void)
{
	static struct stats st;
	struct ca_registry *r;
	struct x509_info sub, root, leaf;
	const struct ca_entry *e;
	struct heard h = { 0, "" };

	stats_init(&st);
	r = ca_registry_new(16, &st);
	CHECK_INT(load(&sub, "tests/data/certs/MicSecSerCA2011_2011-10-18.crt"), 0);
	CHECK_INT(load(&root, "tests/data/certs/MicRooCerAut2011_2011_03_22.crt"), 0);
	CHECK_INT(load(&leaf, "tests/data/gen/pki-wire/tls.crt"), 0);
	ca_registry_set_on_learn(r, on_learn, &h);
	CHECK_INT(ca_registry_restore(r, &root), 1);
	CHECK_INT(h.n, 0);
	e = ca_registry_lookup_name(r, root.subject);
	CHECK(e != NULL && e->source == CA_SRC_WIRE);
	CHECK_INT(ca_registry_learn(r, &root), 0);	/* restored: known */
	CHECK_INT(h.n, 0);
	CHECK_INT(ca_registry_learn_verified(r, &sub), 1);	/* root signed it */
	CHECK_INT(h.n, 1);
	CHECK_STR(h.sha256, sub.sha256);
	CHECK_INT(ca_registry_learn(r, &sub), 0);
	CHECK_INT(h.n, 1);
	CHECK_INT(ca_registry_restore(r, &leaf), 0);	/* no CA */
	CHECK_INT(ca_registry_count(r), 2);
	ca_registry_set_on_learn(r, NULL, NULL);
	x509_info_free(&sub);
	x509_info_free(&root);
	x509_info_free(&leaf);
	ca_registry_free(r);
}

static void
test_trust_store(void)
{
	static const char bundle[] = "/etc/ssl/certs/ca-certificates.crt";
	static struct stats st;
	struct ca_registry *r;
	struct x509_info root;
	const struct ca_entry *e;
	int n;

	if (access(bundle, R_OK) != 0) {
		printf("SKIP test_trust_store: %s absent\n", bundle);
		return;
	}
	stats_init(&st);
	r = ca_registry_new(4096, &st);
	n = ca_registry_load_file(r, bundle, NULL);
	CHECK(n > 50);
	CHECK_INT(load(&root, "tests/data/certs/MicRooCerAut2011_2011_03_22.crt"), 0);
	e = ca_registry_lookup_hash(r, "sha1", root.name_hash_sha1,
	    root.key_hash_sha1);
	/* Mozilla's store (Debian) does not carry Microsoft's root: unknown */
	CHECK(e == NULL);
	x509_info_free(&root);
	/* the bundle's first certificate resolves, from the trust store */
	{
		BIO *b = BIO_new_file(bundle, "r");
		X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

		CHECK(x != NULL);
		if (x != NULL && x509_from_X509(&root, x, NULL) == 0) {
			e = ca_registry_lookup_hash(r, "sha256",
			    root.name_hash_sha256, root.key_hash_sha256);
			CHECK(e != NULL);
			if (e != NULL) {
				CHECK_STR(ca_source_name(e->source),
				    "trust_store");
				CHECK_STR(e->name, root.subject);
			}
			x509_info_free(&root);
		}
		X509_free(x);
		BIO_free(b);
	}
	ca_registry_free(r);
}

UNIT_MAIN(test_wire_learning, test_on_learn_and_restore, test_trust_store)
