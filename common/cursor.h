/*
 * cursor.h - the one bounded reader every packet and envelope parser uses.
 *
 * A cursor is a (pointer, remaining length) pair.  Every getter tests the
 * remaining length and loads in one call: it returns true and advances on
 * success, and returns false without moving on a short read.  Guards compare
 * remaining lengths only; no code outside this file computes an end pointer.
 */
#ifndef RW_CURSOR_H
#define RW_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t	*p;
	size_t		 len;
};

static inline void
cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = (p == NULL) ? 0 : len;
}

static inline size_t
cur_left(const struct cursor *c)
{
	return c->len;
}

/* Points *out at the next n bytes (no copy) and advances past them. */
static inline bool
cur_get_bytes(struct cursor *c, size_t n, const uint8_t **out)
{
	if (c->len < n)
		return false;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool
cur_skip(struct cursor *c, size_t n)
{
	const uint8_t *p;

	return cur_get_bytes(c, n, &p);
}

/* Copies the next n bytes into dst and advances past them. */
static inline bool
cur_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p;

	if (!cur_get_bytes(c, n, &p))
		return false;
	memcpy(dst, p, n);
	return true;
}

/* An n-byte (n <= 4) unsigned integer, big- or little-endian. */
static inline bool
cur_get_uint(struct cursor *c, size_t n, bool big_endian, uint32_t *v)
{
	const uint8_t *p;
	uint32_t x = 0;
	size_t i;

	if (!cur_get_bytes(c, n, &p))
		return false;
	for (i = 0; i < n; i++)
		x = x << 8 | p[big_endian ? i : n - 1 - i];
	*v = x;
	return true;
}

static inline bool
cur_get_u8(struct cursor *c, uint8_t *v)
{
	uint32_t x;

	if (!cur_get_uint(c, 1, true, &x))
		return false;
	*v = (uint8_t)x;
	return true;
}

static inline bool
cur_peek_u8(const struct cursor *c, size_t off, uint8_t *v)
{
	if (c->len <= off)
		return false;
	*v = c->p[off];
	return true;
}

static inline bool
cur_get_be16(struct cursor *c, uint16_t *v)
{
	uint32_t x;

	if (!cur_get_uint(c, 2, true, &x))
		return false;
	*v = (uint16_t)x;
	return true;
}

static inline bool
cur_get_be24(struct cursor *c, uint32_t *v)
{
	return cur_get_uint(c, 3, true, v);
}

static inline bool
cur_get_be32(struct cursor *c, uint32_t *v)
{
	return cur_get_uint(c, 4, true, v);
}

static inline bool
cur_get_le32(struct cursor *c, uint32_t *v)
{
	return cur_get_uint(c, 4, false, v);
}

/*
 * Splits off the next n bytes as a sub-cursor (a length-prefixed
 * sub-structure) and advances the parent past them.
 */
static inline bool
cur_get_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	const uint8_t *p;

	if (!cur_get_bytes(c, n, &p))
		return false;
	cur_init(sub, p, n);
	return true;
}

/*
 * A sub-structure behind a width-byte big-endian length, as TLS writes
 * them; on a short read the parent does not move.
 */
static inline bool
cur_get_subn(struct cursor *c, size_t width, struct cursor *sub)
{
	struct cursor save = *c;
	uint32_t n;

	if (!cur_get_uint(c, width, true, &n) || !cur_get_sub(c, n, sub)) {
		*c = save;
		return false;
	}
	return true;
}

static inline bool
cur_get_sub8(struct cursor *c, struct cursor *sub)
{
	return cur_get_subn(c, 1, sub);
}

static inline bool
cur_get_sub16(struct cursor *c, struct cursor *sub)
{
	return cur_get_subn(c, 2, sub);
}

static inline bool
cur_get_sub24(struct cursor *c, struct cursor *sub)
{
	return cur_get_subn(c, 3, sub);
}

#endif /* RW_CURSOR_H */
