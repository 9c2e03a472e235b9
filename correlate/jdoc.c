/*
 * jdoc.c - a read-only JSON document built by yajl callbacks (jdoc.h).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "correlate/jdoc.h"

void
jd_init(struct jdoc *d)
{
	memset(d, 0, sizeof(*d));
}

void
jd_free(struct jdoc *d)
{
	free(d->n);
	free(d->arena);
	free(d->stack);
	free(d->keys);
	jd_init(d);
}

/* Makes room for `more` items in *p (cap *cap of size sz); false on OOM. */
static bool
grow(void *p, size_t *cap, size_t used, size_t more, size_t sz)
{
	size_t ncap = *cap ? *cap : 64;
	void *q;

	if (more <= *cap - used)
		return true;
	while (ncap - used < more) {
		if (ncap > SIZE_MAX / 2 / sz)
			return false;
		ncap *= 2;
	}
	if ((q = realloc(*(void **)p, ncap * sz)) == NULL)
		return false;
	*(void **)p = q;
	*cap = ncap;
	return true;
}

/* Copies s[0..len) and a NUL into the arena; its offset, or 0 on OOM. */
static size_t
arena_put(struct jdoc *d, const void *s, size_t len)
{
	size_t off = d->alen;

	if (len == SIZE_MAX || !grow(&d->arena, &d->acap, d->alen, len + 1, 1)) {
		d->oom = true;
		return 0;
	}
	memcpy(d->arena + off, s, len);
	d->arena[off + len] = '\0';
	d->alen += len + 1;
	return off;
}

/* Appends a value under the open container; its node, or NULL on OOM. */
static struct jd_node *
add(struct jdoc *d, enum jd_type type)
{
	struct jd_node *v, *p;
	uint32_t i = (uint32_t)d->nn;

	/* the index space: a node per input byte at most, and max_doc < 4 GB */
	if (d->nn >= UINT32_MAX || !grow(&d->n, &d->ncap, d->nn, 1,
	    sizeof(*d->n))) {
		d->oom = true;
		return NULL;
	}
	v = &d->n[d->nn++];
	memset(v, 0, sizeof(*v));
	v->type = type;
	if (d->depth > 0) {
		p = &d->n[d->stack[d->depth - 1]];
		if (p->type == JD_OBJECT) {
			v->key = d->pending_key;
			v->klen = d->pending_klen;
		}
		if (p->count++ == 0)
			p->first = i;
		else
			d->n[p->last].next = i;
		p->last = i;
	}
	return v;
}

/*
 * jansson refuses an unpaired UTF-16 surrogate escape, which yajl turns
 * into '?' or a CESU byte sequence.  A string with escapes is decoded out
 * of the input buffer; its raw text ends where yajl has read to, and
 * starts at the last quote before that which no backslash escapes.
 */
static bool
surrogates_paired(const struct jdoc *d)
{
	size_t end = yajl_get_bytes_consumed(d->yajl), i, b, start;
	const char *s = d->buf;
	unsigned long u;
	bool want_low = false;
	char hex[5];

	/* end is just past the closing quote */
	if (end < 2 || end > d->buflen)
		return false;
	for (i = end - 2; ; i--) {
		if (s[i] == '"') {
			for (b = 0; b < i && s[i - 1 - b] == '\\'; b++)
				;
			if (b % 2 == 0)
				break;
		}
		if (i == 0)
			return false;
	}
	start = i + 1;
	for (i = start; i < end - 1; i++) {
		if (s[i] != '\\') {
			if (want_low)
				return false;
			continue;
		}
		i++;
		if (s[i] != 'u' || end - 1 - i < 5) {
			if (want_low)
				return false;
			continue;
		}
		memcpy(hex, s + i + 1, 4);
		hex[4] = '\0';
		u = strtoul(hex, NULL, 16);
		i += 4;
		if (want_low != (u >= 0xdc00 && u <= 0xdfff))
			return false;
		want_low = u >= 0xd800 && u <= 0xdbff;
	}
	return !want_low;
}

/*
 * A string or key: no NUL (jansson's default), surrogates paired.  yajl
 * decodes a bad surrogate escape to '?', to 0xED.. or to a 4-byte
 * sequence: a string with none of those needs no look at its escapes.
 */
static bool
text_ok(struct jdoc *d, const unsigned char *s, size_t len)
{
	const char *p = (const char *)s;
	size_t i;

	if (memchr(s, '\0', len) != NULL)
		return false;
	/* in the input: no escapes, and the caller checked its UTF-8 */
	if (p >= d->buf && p <= d->buf + d->buflen)
		return true;
	for (i = 0; i < len; i++)
		if (s[i] == '?' || s[i] >= 0xed)
			return surrogates_paired(d);
	return true;
}

static int
on_null(void *ctx)
{
	return add(ctx, JD_NULL) != NULL;
}

static int
on_bool(void *ctx, int b)
{
	return add(ctx, b ? JD_TRUE : JD_FALSE) != NULL;
}

/* jansson's number rules: int64 or a finite double, else malformed. */
static int
on_number(void *ctx, const char *s, size_t len)
{
	struct jdoc *d = ctx;
	struct jd_node *v;
	size_t off;
	char *end;

	if ((off = arena_put(d, s, len)) == 0)
		return 0;
	errno = 0;
	if (strcspn(d->arena + off, ".eE") == len) {
		long long i = strtoll(d->arena + off, &end, 10);

		if (errno == ERANGE || (v = add(d, JD_INT)) == NULL)
			return 0;
		v->ival = i;
	} else {
		double r = strtod(d->arena + off, &end);

		if ((errno == ERANGE && (r == HUGE_VAL || r == -HUGE_VAL)) ||
		    (v = add(d, JD_REAL)) == NULL)
			return 0;
		v->rval = r;
	}
	v->text = off;
	v->len = len;
	return 1;
}

static int
on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct jdoc *d = ctx;
	struct jd_node *v;
	size_t off;

	if (!text_ok(d, s, len) || (off = arena_put(d, s, len)) == 0 ||
	    (v = add(d, JD_STRING)) == NULL)
		return 0;
	v->text = off;
	v->len = len;
	return 1;
}

static int
on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct jdoc *d = ctx;

	if (!text_ok(d, s, len) || (d->pending_key = arena_put(d, s, len)) == 0)
		return 0;
	d->pending_klen = len;
	return 1;
}

static int
open_container(struct jdoc *d, enum jd_type type)
{
	if (d->depth >= d->max_depth) {
		d->too_deep = true;
		return 0;
	}
	if (add(d, type) == NULL ||
	    !grow(&d->stack, &d->scap, d->depth, 1, sizeof(*d->stack))) {
		d->oom = true;
		return 0;
	}
	d->stack[d->depth++] = (uint32_t)(d->nn - 1);
	return 1;
}

static int
on_start_map(void *ctx)
{
	return open_container(ctx, JD_OBJECT);
}

static int
on_start_array(void *ctx)
{
	return open_container(ctx, JD_ARRAY);
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Where the root ends, for the trailing-data check of jd_parse(). */
static void
closed(struct jdoc *d)
{
	if (d->depth == 0)
		d->root_end = yajl_get_bytes_consumed(d->yajl);
}

/* Small objects: every pair, lengths first. */
static bool
unique_keys_small(const struct jdoc *d, const struct jd_node *o)
{
	uint32_t i, j;

	for (i = o->first; i != 0; i = d->n[i].next)
		for (j = d->n[i].next; j != 0; j = d->n[j].next)
			if (d->n[i].klen == d->n[j].klen &&
			    memcmp(d->arena + d->n[i].key,
			    d->arena + d->n[j].key, d->n[i].klen) == 0)
				return false;
	return true;
}

/* Refuses a duplicate key: sorted, so a hostile object stays n log n. */
static int
on_end_map(void *ctx)
{
	struct jdoc *d = ctx;
	const struct jd_node *o = &d->n[d->stack[--d->depth]];
	uint32_t i;
	size_t k = 0;

	closed(d);
	if (o->count < 2)
		return 1;
	/* pairs with a length test beat a sort up to about this size */
	if (o->count <= 40)
		return unique_keys_small(d, o);
	if (!grow(&d->keys, &d->kcap, 0, o->count, sizeof(*d->keys))) {
		d->oom = true;
		return 0;
	}
	for (i = o->first; i != 0; i = d->n[i].next)
		d->keys[k++] = d->arena + d->n[i].key;
	qsort(d->keys, k, sizeof(*d->keys), cmp_key);
	for (i = 1; i < k; i++)
		if (strcmp(d->keys[i - 1], d->keys[i]) == 0)
			return 0;
	return 1;
}

static int
on_end_array(void *ctx)
{
	struct jdoc *d = ctx;

	d->depth--;
	closed(d);
	return 1;
}

static const yajl_callbacks callbacks = {
	on_null, on_bool, NULL, NULL, on_number, on_string, on_start_map,
	on_key, on_end_map, on_start_array, on_end_array
};

int
jd_parse(struct jdoc *d, const char *buf, size_t len, size_t max_depth)
{
	yajl_handle h;
	yajl_status st;

	d->nn = d->depth = 0;
	d->alen = 0;
	d->oom = d->too_deep = false;
	d->root_end = 0;
	d->max_depth = max_depth;
	/* offset 0 is "": the key of array elements and of the root */
	if (arena_put(d, "", 0) != 0 || d->oom ||
	    (h = yajl_alloc(&callbacks, NULL, d)) == NULL) {
		d->oom = true;
		return -1;
	}
	/* the caller checked UTF-8, more strictly than yajl */
	yajl_config(h, yajl_dont_validate_strings, 1);
	d->yajl = h;
	d->buf = buf;
	d->buflen = len;
	st = yajl_parse(h, (const unsigned char *)buf, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	d->yajl = NULL;
	d->buf = NULL;
	if (st != yajl_status_ok || d->nn == 0 ||
	    (d->n[0].type != JD_OBJECT && d->n[0].type != JD_ARRAY))
		return -1;
	/* yajl waits for the end of a token begun after the root ("[] 1",
	 * "{}\"") and then forgets it: only white space may follow */
	for (; d->root_end < len; d->root_end++)
		if (strchr(" \t\r\n", buf[d->root_end]) == NULL ||
		    buf[d->root_end] == '\0')
			return -1;
	return 0;
}

const struct jd_node *
jd_root(const struct jdoc *d)
{
	return d->nn > 0 ? &d->n[0] : NULL;
}

const struct jd_node *
jd_get(const struct jdoc *d, const struct jd_node *obj, const char *key)
{
	size_t klen;
	uint32_t i;

	if (obj == NULL || obj->type != JD_OBJECT)
		return NULL;
	klen = strlen(key);
	for (i = obj->first; i != 0; i = d->n[i].next)
		if (d->n[i].klen == klen &&
		    memcmp(d->arena + d->n[i].key, key, klen) == 0)
			return &d->n[i];
	return NULL;
}

const struct jd_node *
jd_first(const struct jdoc *d, const struct jd_node *c)
{
	return c->first != 0 ? &d->n[c->first] : NULL;
}

const struct jd_node *
jd_next(const struct jdoc *d, const struct jd_node *v)
{
	return v->next != 0 ? &d->n[v->next] : NULL;
}

const char *
jd_key(const struct jdoc *d, const struct jd_node *v)
{
	return d->arena + v->key;
}

const char *
jd_string(const struct jdoc *d, const struct jd_node *v)
{
	return jd_is(v, JD_STRING) ? d->arena + v->text : NULL;
}
