/*
 * jdoc.h - a read-only JSON document for the endpoint normaliser: yajl
 * parses, the callbacks append every value to one flat node array and
 * every key and string to one text arena, both reused from document to
 * document.  No allocation per value, no hash table per object: lookups
 * scan an object's members, which is cheaper than building a table for
 * the dozen keys a normaliser reads from a 2 kB event.
 *
 * Accepts exactly what jansson's json_loadb(JSON_REJECT_DUPLICATES)
 * accepts, so the normaliser's reasons did not move when it left jansson:
 * an object or array at the top, no trailing data, no duplicate key in
 * an object, no \u0000 and no unpaired surrogate escape, integers within
 * int64 and reals within double range.
 */
#ifndef RW_JDOC_H
#define RW_JDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jd_type {
	JD_NULL = 0, JD_FALSE, JD_TRUE, JD_INT, JD_REAL, JD_STRING,
	JD_OBJECT, JD_ARRAY
};

/* One value.  Member and child links are node indices, 0 = none (node 0
 * is the root, which is nobody's member). */
struct jd_node {
	enum jd_type	type;
	uint32_t	first;		/* first member / element */
	uint32_t	last;		/* last one (while parsing) */
	uint32_t	next;		/* next member of the parent */
	uint32_t	count;		/* members / elements */
	size_t		key;		/* arena offset of the NUL-terminated key */
	size_t		klen;		/* its length */
	size_t		text;		/* string or number text, NUL-terminated */
	size_t		len;		/* its length */
	int64_t		ival;		/* JD_INT */
	double		rval;		/* JD_REAL */
};

struct jdoc {
	struct jd_node	*n;
	size_t		 nn, ncap;
	char		*arena;
	size_t		 alen, acap;
	uint32_t	*stack;		/* open containers */
	size_t		 depth, scap;
	const char	**keys;		/* scratch of the duplicate check */
	size_t		 kcap;
	size_t		 pending_key;	/* arena offset of the last key */
	size_t		 pending_klen;
	size_t		 max_depth;	/* deeper: the parse fails, too_deep set */
	bool		 too_deep;
	size_t		 root_end;	/* input offset just past the root */
	const char	*buf;		/* the input, while parsing */
	size_t		 buflen;
	void		*yajl;		/* while parsing */
	bool		 oom;
};

/* jdoc.c */

/* An empty document; never fails (storage comes with the first parse). */
void	jd_init(struct jdoc *d);
void	jd_free(struct jdoc *d);

/*
 * Parses buf[0..len) (valid UTF-8: the caller checked), nested at most
 * max_depth deep.  Returns 0, or -1 when it is not one JSON object or
 * array (then d->oom says memory ran out instead, d->too_deep that it
 * went deeper than max_depth).  The nodes stay valid until the next
 * jd_parse().
 */
int	jd_parse(struct jdoc *d, const char *buf, size_t len,
	    size_t max_depth);

/* The root value (after a successful parse). */
const struct jd_node	*jd_root(const struct jdoc *d);

/* obj's member named key, or NULL (also when obj is not an object). */
const struct jd_node	*jd_get(const struct jdoc *d,
			    const struct jd_node *obj, const char *key);

/* First member or element of a container, the one after v, or NULL. */
const struct jd_node	*jd_first(const struct jdoc *d,
			    const struct jd_node *c);
const struct jd_node	*jd_next(const struct jdoc *d,
			    const struct jd_node *v);

/* Member key of v (NUL-terminated), or "" for an array element. */
const char	*jd_key(const struct jdoc *d, const struct jd_node *v);

/* The string's text, or NULL when v is NULL or not a string. */
const char	*jd_string(const struct jdoc *d, const struct jd_node *v);

#define jd_is(v, t)	((v) != NULL && (v)->type == (t))

#endif /* RW_JDOC_H */
