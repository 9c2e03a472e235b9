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

static inline bool
cur_skip(struct cursor *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool
cur_get_u8(struct cursor *c, uint8_t *v)
{
	if (c->len < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->len--;
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
	if (c->len < 2)
		return false;
	*v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool
cur_get_le16(struct cursor *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)((uint16_t)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool
cur_get_be24(struct cursor *c, uint32_t *v)
{
	if (c->len < 3)
		return false;
	*v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	c->p += 3;
	c->len -= 3;
	return true;
}

static inline bool
cur_get_be32(struct cursor *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->len -= 4;
	return true;
}

static inline bool
cur_get_le32(struct cursor *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	c->len -= 4;
	return true;
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

/* Copies the next n bytes into dst and advances past them. */
static inline bool
cur_copy(struct cursor *c, void *dst, size_t n)
{
	if (c->len < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->len -= n;
	return true;
}

/*
 * Splits off the next n bytes as a sub-cursor (a length-prefixed
 * sub-structure) and advances the parent past them.
 */
static inline bool
cur_get_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	if (c->len < n)
		return false;
	sub->p = c->p;
	sub->len = n;
	c->p += n;
	c->len -= n;
	return true;
}

/* Length-prefixed sub-structures, as TLS writes them. */
static inline bool
cur_get_sub8(struct cursor *c, struct cursor *sub)
{
	struct cursor save = *c;
	uint8_t n;

	if (!cur_get_u8(c, &n) || !cur_get_sub(c, n, sub)) {
		*c = save;
		return false;
	}
	return true;
}

static inline bool
cur_get_sub16(struct cursor *c, struct cursor *sub)
{
	struct cursor save = *c;
	uint16_t n;

	if (!cur_get_be16(c, &n) || !cur_get_sub(c, n, sub)) {
		*c = save;
		return false;
	}
	return true;
}

static inline bool
cur_get_sub24(struct cursor *c, struct cursor *sub)
{
	struct cursor save = *c;
	uint32_t n;

	if (!cur_get_be24(c, &n) || !cur_get_sub(c, n, sub)) {
		*c = save;
		return false;
	}
	return true;
}

#endif /* RW_CURSOR_H */
