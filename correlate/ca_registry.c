/*
 * ca_registry.c - a bounded table of CA certificates, keyed by the OCSP
 * issuer hashes and the subject name.  Linear scans: the table is bounded
 * (ca-registry-max) and lookups happen once per OCSP/CRL event.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "correlate/correlate.h"

struct ca_registry {
	struct ca_entry	*e;
	size_t		 n, max;
	uint64_t	 seq;
	struct stats	*st;
	ca_learn_fn	 on_learn;
	void		*on_learn_arg;
};

const char *
ca_source_name(enum ca_source s)
{
	switch (s) {
	case CA_SRC_TRUST_STORE: return "trust_store";
	case CA_SRC_WIRE: return "wire";
	default: return "unknown";
	}
}

struct ca_registry *
ca_registry_new(size_t max, struct stats *st)
{
	struct ca_registry *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if (max > 0 && (r->e = calloc(max, sizeof(*r->e))) == NULL) {
		free(r);
		return NULL;
	}
	r->max = max;
	r->st = st;
	return r;
}

void
ca_registry_free(struct ca_registry *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		X509_free(r->e[i].x);
	free(r->e);
	free(r);
}

size_t
ca_registry_count(const struct ca_registry *r)
{
	return r->n;
}

static bool
name_says_code_signing(const char *name)
{
	return strstr(name, "Code Sign") != NULL ||
	    strstr(name, "CodeSign") != NULL;
}

static struct ca_entry *
find_exact(struct ca_registry *r, const struct x509_info *info)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->e[i].name_hash_sha1, info->name_hash_sha1) == 0 &&
		    strcmp(r->e[i].key_hash_sha1, info->key_hash_sha1) == 0)
			return &r->e[i];
	return NULL;
}

/* A free slot: append, or evict the oldest wire entry; NULL when full. */
static struct ca_entry *
slot(struct ca_registry *r)
{
	struct ca_entry *old = NULL;
	size_t i;

	if (r->n < r->max)
		return &r->e[r->n++];
	for (i = 0; i < r->n; i++)
		if (r->e[i].source == CA_SRC_WIRE &&
		    (old == NULL || r->e[i].seq < old->seq))
			old = &r->e[i];
	if (old == NULL) {
		stats_incr(r->st, "ca_registry_full");
		return NULL;
	}
	stats_incr(r->st, "ca_registry_evicted");
	X509_free(old->x);
	memset(old, 0, sizeof(*old));
	return old;
}

static int
add(struct ca_registry *r, const struct x509_info *info, enum ca_source src)
{
	struct ca_entry *e;

	if ((e = find_exact(r, info)) != NULL) {
		if (src == CA_SRC_TRUST_STORE)
			e->source = src;	/* the store outranks the wire */
		return 0;
	}
	if ((e = slot(r)) == NULL)
		return 0;
	if (X509_up_ref(info->x) != 1) {
		stats_incr(r->st, "ca_registry_oom");
		memset(e, 0, sizeof(*e));
		if (e == &r->e[r->n - 1])
			r->n--;
		return 0;
	}
	snprintf(e->name, sizeof(e->name), "%s", info->subject);
	e->source = src;
	e->code_signing = info->code_signing ||
	    name_says_code_signing(info->subject);
	memcpy(e->name_hash_sha1, info->name_hash_sha1, sizeof(e->name_hash_sha1));
	memcpy(e->key_hash_sha1, info->key_hash_sha1, sizeof(e->key_hash_sha1));
	memcpy(e->name_hash_sha256, info->name_hash_sha256,
	    sizeof(e->name_hash_sha256));
	memcpy(e->key_hash_sha256, info->key_hash_sha256,
	    sizeof(e->key_hash_sha256));
	memcpy(e->ski, info->ski, sizeof(e->ski));
	e->x = info->x;
	e->seq = ++r->seq;
	return 1;
}

void
ca_registry_set_on_learn(struct ca_registry *r, ca_learn_fn fn, void *arg)
{
	r->on_learn = fn;
	r->on_learn_arg = arg;
}

/* A CA the wire taught: the hook (persistence) hears of each one once. */
static int
add_learned(struct ca_registry *r, const struct x509_info *info)
{
	if (add(r, info, CA_SRC_WIRE) == 0)
		return 0;
	if (r->on_learn != NULL)
		r->on_learn(r->on_learn_arg, info);
	return 1;
}

int
ca_registry_learn(struct ca_registry *r, const struct x509_info *info)
{
	struct ca_entry *e;
	size_t i;

	if (r == NULL || info == NULL || info->x == NULL)
		return 0;
	if (info->code_signing && !info->is_ca)
		for (i = 0; i < r->n; i++) {
			e = &r->e[i];
			if (strcmp(e->name, info->issuer) == 0)
				e->code_signing = true;
		}
	if (!info->is_ca)
		return 0;
	return add_learned(r, info);
}

int
ca_registry_learn_verified(struct ca_registry *r, const struct x509_info *info)
{
	const struct ca_entry *ca;
	EVP_PKEY *k;
	int ok;

	if (r == NULL || info == NULL || info->x == NULL || !info->is_ca ||
	    find_exact(r, info) != NULL)
		return 0;	/* known already: no signature to check again */
	if ((ca = ca_registry_lookup_issuer(r, info->issuer, info->aki)) == NULL ||
	    (k = X509_get0_pubkey(ca->x)) == NULL)
		return 0;
	ok = X509_verify(info->x, k) == 1;
	ERR_clear_error();
	return ok ? add_learned(r, info) : 0;
}

int
ca_registry_restore(struct ca_registry *r, const struct x509_info *info)
{
	if (r == NULL || info == NULL || info->x == NULL || !info->is_ca)
		return 0;
	return add(r, info, CA_SRC_WIRE);
}

int
ca_registry_load_file(struct ca_registry *r, const char *path,
    struct rw_err *err)
{
	struct x509_info info;
	BIO *bio;
	X509 *x;
	int added = 0;

	if ((bio = BIO_new_file(path, "r")) == NULL) {
		rw_err_set(err, "ca_bundle_unreadable", "cannot open %s", path);
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (x509_from_X509(&info, x, NULL) == 0) {
			added += add(r, &info, CA_SRC_TRUST_STORE);
			x509_info_free(&info);
		} else
			stats_incr(r->st, "ca_bundle_bad_cert");
		X509_free(x);
	}
	ERR_clear_error();	/* the loop ends on "no start line" */
	BIO_free(bio);
	return added;
}

int
ca_registry_load_dir(struct ca_registry *r, const char *path,
    struct rw_err *err)
{
	char file[4096];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int n, added = 0;

	if ((d = opendir(path)) == NULL) {
		rw_err_set(err, "ca_dir_unreadable", "cannot open %s", path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", path, de->d_name) >=
		    (int)sizeof(file) || stat(file, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if ((n = ca_registry_load_file(r, file, NULL)) > 0)
			added += n;
	}
	closedir(d);
	return added;
}

const struct ca_entry *
ca_registry_lookup_hash(const struct ca_registry *r, const char *alg,
    const char *name_hash, const char *key_hash)
{
	bool sha256;
	size_t i;

	if (r == NULL || alg == NULL || name_hash == NULL || key_hash == NULL)
		return NULL;
	if (strcmp(alg, "sha1") == 0)
		sha256 = false;
	else if (strcmp(alg, "sha256") == 0)
		sha256 = true;
	else
		return NULL;
	for (i = 0; i < r->n; i++) {
		const struct ca_entry *e = &r->e[i];

		if (strcasecmp(sha256 ? e->name_hash_sha256 : e->name_hash_sha1,
		    name_hash) == 0 && strcasecmp(sha256 ? e->key_hash_sha256 :
		    e->key_hash_sha1, key_hash) == 0)
			return e;
	}
	return NULL;
}

const struct ca_entry *
ca_registry_lookup_issuer(const struct ca_registry *r, const char *name,
    const char *aki)
{
	const struct ca_entry *e;
	size_t i;

	if (r == NULL || name == NULL || name[0] == '\0')
		return NULL;
	for (i = 0; i < r->n; i++) {
		e = &r->e[i];
		if (strcmp(e->name, name) != 0)
			continue;
		if (aki != NULL && aki[0] != '\0' && e->ski[0] != '\0' &&
		    strcasecmp(aki, e->ski) != 0)
			continue;
		return e;
	}
	return NULL;
}

const struct ca_entry *
ca_registry_lookup_name(const struct ca_registry *r, const char *subject)
{
	size_t i;

	if (r == NULL || subject == NULL)
		return NULL;
	for (i = 0; i < r->n; i++)
		if (strcmp(r->e[i].name, subject) == 0)
			return &r->e[i];
	return NULL;
}
