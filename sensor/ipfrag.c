/*
 * ipfrag.c - IPv4 and IPv6 fragment reassembly.
 *
 * Bounded three ways (config): datagrams in progress, bytes held by all of
 * them, and age in packet time.  The oldest datagram goes first when a
 * bound is hit; everything dropped is counted.  Overlapping fragments:
 * the first bytes to arrive win, so a later fragment cannot rewrite what an
 * earlier one said (the classic evasion).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/pktpath_int.h"

#define IPFRAG_MAX_DATAGRAM	65535	/* payload of one IPv4/IPv6 datagram */
#define IPFRAG_MAX_PIECES	128	/* fragments of one datagram */

struct frag_piece {
	struct frag_piece	*next;		/* arrival order */
	uint32_t		 off;
	uint32_t		 len;
	uint8_t			 data[];
};

struct frag_dgram {
	struct frag_dgram	*prev, *next;	/* age order, oldest first */
	struct ipfrag_key	 key;
	struct frag_piece	*pieces;
	struct frag_piece	*last_piece;
	unsigned		 n_pieces;
	size_t			 bytes;
	bool			 have_end;
	uint32_t		 end;		/* payload length, from MF=0 */
	time_t			 first_sec;
};

struct ipfrag_table {
	const struct rw_config	*cfg;
	struct stats		*st;
	struct frag_dgram	*oldest, *newest;
	size_t			 n;
	size_t			 bytes;
};

struct ipfrag_table *
ipfrag_new(const struct rw_config *cfg, struct stats *st)
{
	struct ipfrag_table *t = calloc(1, sizeof(*t));

	if (t != NULL) {
		t->cfg = cfg;
		t->st = st;
	}
	return t;
}

static void
dgram_drop(struct ipfrag_table *t, struct frag_dgram *d)
{
	struct frag_piece *p, *next;

	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		t->oldest = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	else
		t->newest = d->prev;
	for (p = d->pieces; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	t->bytes -= d->bytes;
	t->n--;
	free(d);
}

void
ipfrag_free(struct ipfrag_table *t)
{
	if (t == NULL)
		return;
	while (t->oldest != NULL)
		dgram_drop(t, t->oldest);
	free(t);
}

/* Datagram counts are small (bounded by config): a list walk is enough. */
static struct frag_dgram *
dgram_find(struct ipfrag_table *t, const struct ipfrag_key *k)
{
	struct frag_dgram *d;

	for (d = t->newest; d != NULL; d = d->prev)
		if (memcmp(&d->key, k, sizeof(*k)) == 0)
			return d;
	return NULL;
}

static struct frag_dgram *
dgram_new(struct ipfrag_table *t, const struct ipfrag_key *k, time_t sec)
{
	struct frag_dgram *d;

	while (t->n >= t->cfg->ipfrag_max_datagrams && t->oldest != NULL) {
		stats_incr(t->st, "ipfrag_evicted");
		dgram_drop(t, t->oldest);
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		stats_incr(t->st, "ipfrag_oom");
		return NULL;
	}
	d->key = *k;
	d->first_sec = sec;
	d->prev = t->newest;
	if (t->newest != NULL)
		t->newest->next = d;
	else
		t->oldest = d;
	t->newest = d;
	t->n++;
	return d;
}

/* Byte budget: evict the oldest others first; 0 when len fits. */
static int
make_room(struct ipfrag_table *t, struct frag_dgram *keep, size_t len)
{
	while (t->bytes + len > t->cfg->ipfrag_max_bytes) {
		struct frag_dgram *victim = t->oldest;

		if (victim == keep)
			victim = keep->next;
		if (victim == NULL)
			return -1;
		stats_incr(t->st, "ipfrag_evicted");
		dgram_drop(t, victim);
	}
	return 0;
}

static int
piece_add(struct ipfrag_table *t, struct frag_dgram *d, uint32_t off,
    const uint8_t *p, size_t len)
{
	struct frag_piece *fp;

	if (d->n_pieces == IPFRAG_MAX_PIECES) {
		stats_incr(t->st, "ipfrag_too_many_pieces");
		return -1;
	}
	if (make_room(t, d, len) == -1) {
		stats_incr(t->st, "ipfrag_bytes_exhausted");
		return -1;
	}
	if ((fp = malloc(sizeof(*fp) + len)) == NULL) {
		stats_incr(t->st, "ipfrag_oom");
		return -1;
	}
	fp->next = NULL;
	fp->off = off;
	fp->len = (uint32_t)len;
	memcpy(fp->data, p, len);
	if (d->last_piece != NULL)
		d->last_piece->next = fp;
	else
		d->pieces = fp;
	d->last_piece = fp;
	d->n_pieces++;
	d->bytes += len;
	t->bytes += len;
	return 0;
}

/*
 * Returns a malloc'd copy of the whole payload when every byte from 0 to
 * end is covered, else NULL.  Earlier arrivals are copied last so their
 * bytes win every overlap.
 */
static uint8_t *
dgram_assemble(struct ipfrag_table *t, struct frag_dgram *d)
{
	uint8_t *buf, *have;
	struct frag_piece *fp;
	struct frag_piece *order[IPFRAG_MAX_PIECES];
	unsigned i, n = 0;
	uint32_t j;
	bool overlap = false;

	if ((buf = malloc(d->end + 1)) == NULL ||
	    (have = calloc(1, d->end + 1)) == NULL) {
		free(buf);
		return NULL;
	}
	for (fp = d->pieces; fp != NULL; fp = fp->next)
		order[n++] = fp;
	for (i = 0; i < n; i++)
		for (j = 0; j < order[i]->len; j++) {
			uint32_t at = order[i]->off + j;

			if (at >= d->end)
				break;
			if (have[at]) {
				overlap = true;
				continue;
			}
			have[at] = 1;
			buf[at] = order[i]->data[j];
		}
	for (j = 0; j < d->end && have[j]; j++)
		;
	free(have);
	if (j < d->end) {
		free(buf);
		return NULL;
	}
	if (overlap)
		stats_incr(t->st, "ipfrag_overlap");
	return buf;
}

int
ipfrag_add(struct ipfrag_table *t, const struct ipfrag_key *k, uint32_t off,
    bool more, const uint8_t *p, size_t len, const struct timeval *ts,
    uint8_t **out, size_t *outlen)
{
	struct frag_dgram *d;

	*out = NULL;
	*outlen = 0;
	if ((size_t)off + len > IPFRAG_MAX_DATAGRAM || (more && len % 8 != 0)) {
		stats_incr(t->st, "ipfrag_malformed");
		return 0;
	}
	if ((d = dgram_find(t, k)) == NULL &&
	    (d = dgram_new(t, k, ts->tv_sec)) == NULL)
		return 0;
	if (!more) {
		if (d->have_end && d->end != off + len) {
			stats_incr(t->st, "ipfrag_malformed");
			dgram_drop(t, d);
			return 0;
		}
		d->have_end = true;
		d->end = off + (uint32_t)len;
	}
	if (len > 0 && piece_add(t, d, off, p, len) == -1) {
		dgram_drop(t, d);
		return 0;
	}
	if (!d->have_end || (*out = dgram_assemble(t, d)) == NULL)
		return 0;
	*outlen = d->end;
	dgram_drop(t, d);
	return 1;
}

void
ipfrag_expire(struct ipfrag_table *t, const struct timeval *now)
{
	while (t->oldest != NULL &&
	    t->oldest->first_sec + (time_t)t->cfg->ipfrag_timeout < now->tv_sec) {
		stats_incr(t->st, "ipfrag_timed_out");
		dgram_drop(t, t->oldest);
	}
}
