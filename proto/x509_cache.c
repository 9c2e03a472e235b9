/*
 * x509_cache.c - decoded certificates by their DER bytes.  The same server
 * chains cross a network again and again, and decoding a certificate with
 * OpenSSL 3 (public key decoders, names, digests) costs far more than
 * comparing its bytes.  A direct-mapped table: the slot is a keyed hash of
 * the DER (seeded per cache, so no one can aim at a slot from outside),
 * the hit is confirmed by comparing the bytes, and a new certificate
 * simply replaces the slot's: bounded, O(1), never worse than no cache.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "proto/proto.h"

struct x509_slot {
	uint8_t			*der;	/* NULL: empty */
	size_t			 len;
	struct x509_info	 info;
};

struct x509_cache {
	struct x509_slot	*slot;
	size_t			 n;
	uint64_t		 seed;
};

struct x509_cache *
x509_cache_new(size_t max)
{
	struct x509_cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (max > 0 && (c->slot = calloc(max, sizeof(*c->slot))) == NULL) {
		free(c);
		return NULL;
	}
	c->n = max;
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(c->seed))
		c->seed = (uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15ULL;
	return c;
}

static void
slot_clear(struct x509_slot *s)
{
	free(s->der);
	x509_info_free(&s->info);
	memset(s, 0, sizeof(*s));
}

void
x509_cache_free(struct x509_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		slot_clear(&c->slot[i]);
	free(c->slot);
	free(c);
}

/* FNV-1a over the seed and the bytes; enough to spread, the bytes decide. */
static size_t
slot_of(const struct x509_cache *c, const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ c->seed;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (size_t)(h % c->n);
}

/* A copy of a decoded certificate with its own X509 reference. */
static int
info_dup(struct x509_info *out, const struct x509_info *in, struct rw_err *err)
{
	if (X509_up_ref(in->x) != 1) {
		rw_err_set(err, "x509_oom", "%s: out of memory", __func__);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	memcpy(out, in, sizeof(*out));
	return 0;
}

int
x509_parse_cached(struct x509_cache *c, struct x509_info *out,
    const uint8_t *der, size_t len, struct rw_err *err)
{
	struct x509_slot *s;
	uint8_t *copy;

	if (c == NULL || c->n == 0 || len == 0)
		return x509_parse(out, der, len, err);
	s = &c->slot[slot_of(c, der, len)];
	if (s->der != NULL && s->len == len && memcmp(s->der, der, len) == 0)
		return info_dup(out, &s->info, err);
	if (x509_parse(out, der, len, err) == -1)
		return -1;
	/* only what decoded is kept; an OOM here just skips the caching */
	if ((copy = malloc(len)) == NULL)
		return 0;
	slot_clear(s);
	if (info_dup(&s->info, out, NULL) == -1) {
		free(copy);
		return 0;
	}
	memcpy(copy, der, len);
	s->der = copy;
	s->len = len;
	return 0;
}
