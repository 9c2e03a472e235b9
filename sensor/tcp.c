/*
 * tcp.c - the TCP flow table and per-direction in-order reassembly.
 *
 * Flows live in a hash table with a seeded keyed hash (chosen at start, so
 * a sender cannot aim collisions), capped at flows-max: a new flow past the
 * cap evicts the least recently used one.  An LRU list drives the idle
 * timeout and a closed list (FIN both ways, or RST) the closed timeout, both
 * in packet time.
 *
 * Each direction delivers bytes in order.  In-order segments go straight to
 * the data callback without a copy; out-of-order ones are copied and kept
 * sorted, bounded per direction (reassembly-window) and for all flows
 * (reassembly-max-bytes).  When a bound is hit, or the flow ends with a
 * hole, the missing bytes become a gap callback and delivery goes on after
 * them.  Where segments overlap, the bytes that arrived first win.
 *
 * Flows are ended (close callback, then freed) only from tcp_input's own
 * frame, tcp_expire and tcp_flush, never while a callback for that flow
 * runs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/cursor.h"
#include "common/log.h"
#include "sensor/pktpath_int.h"

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10

/* A segment further ahead than this is not part of the stream. */
#define TCP_MAX_AHEAD	(1U << 30)
#define TCP_MAX_BUCKETS	(1U << 22)

struct seg {
	struct seg	*next;
	uint32_t	 seq;
	uint32_t	 len;
	uint8_t		 data[];
};

struct half {
	bool		 started;	/* next is meaningful */
	bool		 fin;
	bool		 done;		/* every byte up to the FIN delivered */
	uint32_t	 next;		/* next sequence number to deliver */
	uint32_t	 fin_seq;
	struct seg	*ooo;		/* sorted, non-overlapping */
	size_t		 ooo_bytes;
};

struct tflow {
	struct flow	 pub;
	struct tflow	*hnext;
	struct tflow	*prev, *next;	/* LRU list, or the closed list */
	uint32_t	 bucket;
	uint8_t		 family;
	uint16_t	 vlan;
	uint8_t		 ip[2][16];	/* side 0 = first sender, side 1 */
	uint16_t	 port[2];
	struct half	 h[2];		/* by side */
	uint8_t		 cli_side;
	bool		 closed;
	time_t		 closed_sec;
};

struct flist {
	struct tflow	*head, *tail;
};

struct tcp_table {
	const struct rw_config	*cfg;
	struct stats		*st;
	const struct stream_ops	*ops;
	void			*ops_arg;
	uint64_t		 seed;
	struct tflow		**buckets;
	uint32_t		 nbuckets;
	size_t			 n;
	uint64_t		 next_id;
	size_t			 ooo_bytes;	/* all flows */
	struct flist		 lru;		/* open flows, oldest first */
	struct flist		 closed;	/* closed flows, oldest first */
	bool			 in_callback;
};

static inline bool
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static void
list_remove(struct flist *l, struct tflow *f)
{
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void
list_append(struct flist *l, struct tflow *f)
{
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

struct tcp_table *
tcp_new(const struct rw_config *cfg, struct stats *st,
    const struct stream_ops *ops, void *ops_arg)
{
	struct tcp_table *t;
	uint32_t nb = 64;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	while (nb < cfg->flows_max && nb < TCP_MAX_BUCKETS)
		nb <<= 1;
	if ((t->buckets = calloc(nb, sizeof(*t->buckets))) == NULL) {
		free(t);
		return NULL;
	}
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e9955bd1e995ULL;
	t->nbuckets = nb;
	t->cfg = cfg;
	t->st = st;
	t->ops = ops;
	t->ops_arg = ops_arg;
	t->next_id = 1;
	return t;
}

static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

static uint64_t
mix_endpoint(uint64_t h, const uint8_t *ip, uint16_t port)
{
	uint64_t a, b;

	memcpy(&a, ip, 8);
	memcpy(&b, ip + 8, 8);
	return mix(mix(mix(h, a), b), port);
}

/* Symmetric in the two endpoints: both directions land in one bucket. */
static uint32_t
flow_bucket(const struct tcp_table *t, const struct ip_info *ip,
    uint16_t sport, uint16_t dport)
{
	int c = memcmp(ip->src, ip->dst, 16);
	uint64_t h = mix(t->seed, (uint64_t)ip->family << 16 | ip->vlan);

	if (c < 0 || (c == 0 && sport <= dport))
		h = mix_endpoint(mix_endpoint(h, ip->src, sport), ip->dst, dport);
	else
		h = mix_endpoint(mix_endpoint(h, ip->dst, dport), ip->src, sport);
	return (uint32_t)(h & (t->nbuckets - 1));
}

/* Finds the flow and the sending side (0 or 1), or NULL. */
static struct tflow *
flow_lookup(struct tcp_table *t, uint32_t b, const struct ip_info *ip,
    uint16_t sport, uint16_t dport, int *side)
{
	struct tflow *f;

	for (f = t->buckets[b]; f != NULL; f = f->hnext) {
		if (f->family != ip->family || f->vlan != ip->vlan)
			continue;
		if (f->port[0] == sport && f->port[1] == dport &&
		    memcmp(f->ip[0], ip->src, 16) == 0 &&
		    memcmp(f->ip[1], ip->dst, 16) == 0) {
			*side = 0;
			return f;
		}
		if (f->port[1] == sport && f->port[0] == dport &&
		    memcmp(f->ip[1], ip->src, 16) == 0 &&
		    memcmp(f->ip[0], ip->dst, 16) == 0) {
			*side = 1;
			return f;
		}
	}
	return NULL;
}

static void
set_public_roles(struct tflow *f)
{
	int c = f->cli_side, s = !f->cli_side;

	memcpy(f->pub.cli_ip, f->ip[c], 16);
	memcpy(f->pub.srv_ip, f->ip[s], 16);
	f->pub.cli_port = f->port[c];
	f->pub.srv_port = f->port[s];
}

void
flow_swap_roles(struct flow *pub)
{
	struct tflow *f = (struct tflow *)(void *)pub;
	uint64_t tmp;

	f->cli_side = !f->cli_side;
	set_public_roles(f);
	tmp = pub->pkts[0];
	pub->pkts[0] = pub->pkts[1];
	pub->pkts[1] = tmp;
	tmp = pub->bytes[0];
	pub->bytes[0] = pub->bytes[1];
	pub->bytes[1] = tmp;
}

static inline int
side_dir(const struct tflow *f, int side)
{
	return side == f->cli_side ? DIR_TO_SERVER : DIR_TO_CLIENT;
}

static void
cb_data(struct tcp_table *t, struct tflow *f, int side, const uint8_t *p,
    size_t len, const struct timeval *ts)
{
	t->in_callback = true;
	t->ops->data(t->ops_arg, &f->pub, side_dir(f, side), p, len, ts);
	t->in_callback = false;
}

static void
cb_gap(struct tcp_table *t, struct tflow *f, int side, uint64_t len,
    const struct timeval *ts)
{
	stats_incr(t->st, "tcp_gaps");
	stats_add(t->st, "tcp_gap_bytes", len);
	t->in_callback = true;
	t->ops->gap(t->ops_arg, &f->pub, side_dir(f, side), len, ts);
	t->in_callback = false;
}

static void
seg_free(struct tcp_table *t, struct half *h, struct seg *s)
{
	h->ooo_bytes -= s->len;
	t->ooo_bytes -= s->len;
	free(s);
}

/* Delivers buffered segments that have become in order. */
static void
drain(struct tcp_table *t, struct tflow *f, int side, const struct timeval *ts)
{
	struct half *h = &f->h[side];
	struct seg *s;

	while ((s = h->ooo) != NULL && seq_leq(s->seq, h->next)) {
		uint32_t end = s->seq + s->len;

		h->ooo = s->next;
		if (seq_lt(h->next, end)) {
			uint32_t skip = h->next - s->seq;

			h->next = end;
			cb_data(t, f, side, s->data + skip, s->len - skip, ts);
		}
		seg_free(t, h, s);
	}
}

/* Declares the bytes up to seq lost and goes on from there. */
static void
gap_to(struct tcp_table *t, struct tflow *f, int side, uint32_t seq,
    const struct timeval *ts)
{
	struct half *h = &f->h[side];

	if (seq_lt(h->next, seq)) {
		uint32_t len = seq - h->next;

		h->next = seq;
		cb_gap(t, f, side, len, ts);
	}
	drain(t, f, side, ts);
}

static struct seg *
seg_new(uint32_t seq, const uint8_t *p, size_t len)
{
	struct seg *s = malloc(sizeof(*s) + len);

	if (s != NULL) {
		s->next = NULL;
		s->seq = seq;
		s->len = (uint32_t)len;
		memcpy(s->data, p, len);
	}
	return s;
}

/* Compares the bytes both segments claim; counts a mismatch. */
static void
overlap_check(struct tcp_table *t, const struct seg *e, uint32_t seq,
    const uint8_t *p, uint32_t len)
{
	uint32_t lo = seq_lt(e->seq, seq) ? seq : e->seq;
	uint32_t hi_e = e->seq + e->len, hi_n = seq + len;
	uint32_t hi = seq_lt(hi_e, hi_n) ? hi_e : hi_n;

	stats_incr(t->st, "tcp_overlap");
	if (memcmp(e->data + (lo - e->seq), p + (lo - seq), hi - lo) != 0)
		stats_incr(t->st, "tcp_overlap_mismatch");
}

/*
 * Inserts the parts of [seq, seq+len) that no buffered segment holds yet
 * (first arrival wins).  Returns 0, or -1 on OOM (counted).
 */
static int
ooo_insert(struct tcp_table *t, struct half *h, uint32_t seq,
    const uint8_t *p, uint32_t len)
{
	struct seg **pp = &h->ooo, *n;
	uint32_t end = seq + len;

	while (seq_lt(seq, end)) {
		struct seg *e = *pp;
		uint32_t upto = end;

		if (e != NULL && seq_leq(e->seq + e->len, seq)) {
			pp = &e->next;
			continue;
		}
		if (e != NULL && seq_leq(e->seq, seq)) {
			overlap_check(t, e, seq, p, len);
			p += e->seq + e->len - seq;
			len -= e->seq + e->len - seq;
			seq = e->seq + e->len;
			pp = &e->next;
			continue;
		}
		if (e != NULL && seq_lt(e->seq, end)) {
			overlap_check(t, e, seq, p, len);
			upto = e->seq;
		}
		if ((n = seg_new(seq, p, upto - seq)) == NULL) {
			stats_incr(t->st, "tcp_oom");
			return -1;
		}
		n->next = e;
		*pp = n;
		pp = &n->next;
		h->ooo_bytes += n->len;
		t->ooo_bytes += n->len;
		len -= upto - seq;
		p += upto - seq;
		seq = upto;
	}
	return 0;
}

static void	seg_data(struct tcp_table *t, struct tflow *f, int side,
		    uint32_t seq, const uint8_t *p, uint32_t len,
		    uint32_t missing, const struct timeval *ts);

/*
 * Out-of-order data: buffered within the bounds; past them, the hole in
 * front is given up as a gap so the stream moves on.
 */
static void
seg_ahead(struct tcp_table *t, struct tflow *f, int side, uint32_t seq,
    const uint8_t *p, uint32_t len, const struct timeval *ts)
{
	struct half *h = &f->h[side];

	while (h->ooo_bytes + len > t->cfg->reasm_window ||
	    t->ooo_bytes + len > t->cfg->reasm_max_bytes) {
		uint32_t upto = seq;

		stats_incr(t->st, h->ooo_bytes + len > t->cfg->reasm_window ?
		    "reasm_window_overflow" : "reasm_global_overflow");
		if (h->ooo != NULL && seq_lt(h->ooo->seq, seq))
			upto = h->ooo->seq;
		gap_to(t, f, side, upto, ts);
		if (seq_leq(seq, h->next)) {
			seg_data(t, f, side, seq, p, len, 0, ts);
			return;
		}
	}
	stats_incr(t->st, "tcp_ooo_buffered");
	ooo_insert(t, h, seq, p, len);
}

/*
 * One segment's payload for one side.  missing: bytes the capture cut off
 * the end of this segment (snaplen), reported as a gap after it.
 */
static void
seg_data(struct tcp_table *t, struct tflow *f, int side, uint32_t seq,
    const uint8_t *p, uint32_t len, uint32_t missing, const struct timeval *ts)
{
	struct half *h = &f->h[side];
	int32_t rel = (int32_t)(seq - h->next);

	if (h->done || (h->fin && seq_leq(h->fin_seq, seq))) {
		stats_incr(t->st, "tcp_data_after_fin");
		return;
	}
	if ((int32_t)(seq + len + missing - h->next) <= 0) {
		stats_incr(t->st, "tcp_retransmissions");
		return;
	}
	if (rel > 0 && (uint32_t)rel > TCP_MAX_AHEAD) {
		stats_incr(t->st, "tcp_out_of_window");
		return;
	}
	if (rel > 0) {
		if (len > 0)
			seg_ahead(t, f, side, seq, p, len, ts);
		return;
	}
	if (rel < 0) {	/* starts before next: skip what was delivered */
		uint32_t skip = (uint32_t)-rel;

		stats_incr(t->st, "tcp_retransmissions");
		if (skip >= len) {
			missing -= skip - len;
			len = 0;
		} else {
			p += skip;
			len -= skip;
		}
		seq = h->next;
	}
	if (len > 0) {
		h->next = seq + len;
		cb_data(t, f, side, p, len, ts);
	}
	if (missing > 0)
		gap_to(t, f, side, h->next + missing, ts);
	drain(t, f, side, ts);
}

static void
flow_mark_closed(struct tcp_table *t, struct tflow *f, const struct timeval *ts)
{
	if (f->closed)
		return;
	list_remove(&t->lru, f);
	f->closed = true;
	f->closed_sec = ts->tv_sec;
	list_append(&t->closed, f);
}

static void
half_flush(struct tcp_table *t, struct tflow *f, int side,
    const struct timeval *ts)
{
	struct half *h = &f->h[side];

	while (h->ooo != NULL)
		gap_to(t, f, side, h->ooo->seq, ts);
}

/* Ends a flow: pending data out as gaps and data, close, free. */
static void
flow_end(struct tcp_table *t, struct tflow *f, const struct timeval *ts)
{
	struct tflow **pp;

	if (t->in_callback)
		rw_fatal("%s: flow ended inside a callback", __func__);
	half_flush(t, f, f->cli_side, ts);
	half_flush(t, f, !f->cli_side, ts);
	t->in_callback = true;
	t->ops->close(t->ops_arg, &f->pub, ts);
	t->in_callback = false;
	for (pp = &t->buckets[f->bucket]; *pp != f; pp = &(*pp)->hnext)
		;
	*pp = f->hnext;
	list_remove(f->closed ? &t->closed : &t->lru, f);
	t->n--;
	free(f);
}

/* Who is the client of a new flow, from its first segment. */
static uint8_t
guess_client_side(uint8_t flags, uint16_t sport, uint16_t dport)
{
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN)
		return 0;
	if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		return 1;
	if (sport < 1024 && dport >= 1024)
		return 1;
	return 0;
}

static void
evict_one(struct tcp_table *t, const struct timeval *ts)
{
	struct tflow *victim = t->closed.head != NULL ? t->closed.head :
	    t->lru.head;

	if (victim == NULL)
		return;
	stats_incr(t->st, "flows_evicted");
	flow_end(t, victim, ts);
}

static struct tflow *
flow_create(struct tcp_table *t, uint32_t b, const struct ip_info *ip,
    uint16_t sport, uint16_t dport, uint8_t flags, const struct timeval *ts)
{
	struct tflow *f;

	while (t->n >= t->cfg->flows_max)
		evict_one(t, ts);
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		stats_incr(t->st, "tcp_oom");
		return NULL;
	}
	f->family = ip->family;
	f->vlan = ip->vlan;
	memcpy(f->ip[0], ip->src, 16);
	memcpy(f->ip[1], ip->dst, 16);
	f->port[0] = sport;
	f->port[1] = dport;
	f->cli_side = guess_client_side(flags, sport, dport);
	f->pub.id = t->next_id++;
	f->pub.family = ip->family;
	f->pub.vlan = ip->vlan;
	f->pub.first_ts = *ts;
	set_public_roles(f);
	f->bucket = b;
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	list_append(&t->lru, f);
	t->n++;
	stats_incr(t->st, "flows_created");
	if (!(flags & TH_SYN))
		stats_incr(t->st, "tcp_midstream_pickup");
	return f;
}

struct tcp_seg {
	uint16_t	sport, dport;
	uint32_t	seq;
	uint8_t		flags;
	const uint8_t	*payload;
	uint32_t	len;		/* captured payload */
	uint32_t	missing;	/* payload bytes the capture cut off */
};

static int
tcp_parse(struct tcp_table *t, const uint8_t *p, size_t len, size_t wire_len,
    struct tcp_seg *s)
{
	struct cursor c;
	uint32_t ack;
	uint8_t off, flags;
	size_t hlen;

	cur_init(&c, p, len);
	if (!cur_get_be16(&c, &s->sport) || !cur_get_be16(&c, &s->dport) ||
	    !cur_get_be32(&c, &s->seq) || !cur_get_be32(&c, &ack) ||
	    !cur_get_u8(&c, &off) || !cur_get_u8(&c, &flags)) {
		stats_incr(t->st, len < wire_len ? "pkt_truncated" :
		    "pkt_malformed_tcp_header");
		return -1;
	}
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20 || hlen > wire_len) {
		stats_incr(t->st, "pkt_malformed_tcp_header");
		return -1;
	}
	if (hlen > len) {
		stats_incr(t->st, "pkt_truncated");
		return -1;
	}
	s->flags = flags;
	s->payload = p + hlen;
	s->len = (uint32_t)(len - hlen);
	s->missing = (uint32_t)(wire_len - len);
	if (s->missing > 0)
		stats_incr(t->st, "pkt_truncated");
	return 0;
}

static void
segment_input(struct tcp_table *t, struct tflow *f, int side,
    const struct tcp_seg *s, const struct timeval *ts)
{
	struct half *h = &f->h[side];
	uint32_t data_seq = s->seq;

	if (s->flags & TH_SYN) {
		data_seq = s->seq + 1;
		if (!h->started || seq_lt(h->next, data_seq)) {
			h->next = data_seq;
			h->started = true;
		}
	}
	if (!h->started) {
		h->next = data_seq;
		h->started = true;
	}
	if (s->len + s->missing > 0)
		seg_data(t, f, side, data_seq, s->payload, s->len, s->missing, ts);
	if ((s->flags & TH_FIN) && !h->fin) {
		h->fin = true;
		h->fin_seq = data_seq + s->len + s->missing;
	}
	if (h->fin && !h->done && h->next == h->fin_seq)
		h->done = true;
	if (s->flags & TH_RST) {
		stats_incr(t->st, "tcp_rst");
		flow_mark_closed(t, f, ts);
	} else if (f->h[0].done && f->h[1].done)
		flow_mark_closed(t, f, ts);
}

static void
touch(struct tcp_table *t, struct tflow *f, int side, uint32_t len,
    const struct timeval *ts)
{
	int dir = side_dir(f, side);

	f->pub.last_ts = *ts;
	f->pub.pkts[dir]++;
	f->pub.bytes[dir] += len;
	if (!f->closed) {
		list_remove(&t->lru, f);
		list_append(&t->lru, f);
	}
}

void
tcp_input(struct tcp_table *t, const struct ip_info *ip, const uint8_t *p,
    size_t len, size_t wire_len, const struct timeval *ts)
{
	struct tcp_seg s;
	struct tflow *f;
	uint32_t b;
	int side = 0;

	if (tcp_parse(t, p, len, wire_len, &s) == -1)
		return;
	b = flow_bucket(t, ip, s.sport, s.dport);
	f = flow_lookup(t, b, ip, s.sport, s.dport, &side);
	if (f != NULL && f->closed && (s.flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		flow_end(t, f, ts);	/* the 5-tuple is reused */
		f = NULL;
	}
	if (f == NULL) {
		/*
		 * A bare ACK, FIN or RST starts nothing: it is the tail of a
		 * flow already gone (the last ACK after both FINs), and making
		 * a flow of it would hold memory for no bytes.
		 */
		if (!(s.flags & TH_SYN) && s.len + s.missing == 0) {
			stats_incr(t->st, "tcp_segment_without_flow");
			return;
		}
		if ((s.flags & TH_RST) ||
		    (f = flow_create(t, b, ip, s.sport, s.dport, s.flags, ts)) == NULL)
			return;
		side = 0;
	}
	touch(t, f, side, s.len + s.missing, ts);
	segment_input(t, f, side, &s, ts);
}

void
tcp_expire(struct tcp_table *t, const struct timeval *now)
{
	while (t->closed.head != NULL && t->closed.head->closed_sec +
	    (time_t)t->cfg->flow_closed_timeout <= now->tv_sec) {
		stats_incr(t->st, "flows_closed");
		flow_end(t, t->closed.head, now);
	}
	while (t->lru.head != NULL && t->lru.head->pub.last_ts.tv_sec +
	    (time_t)t->cfg->flow_idle_timeout < now->tv_sec) {
		stats_incr(t->st, "flows_timed_out");
		flow_end(t, t->lru.head, now);
	}
}

void
tcp_flush(struct tcp_table *t, const struct timeval *now)
{
	while (t->closed.head != NULL) {
		stats_incr(t->st, "flows_closed");
		flow_end(t, t->closed.head, now);
	}
	while (t->lru.head != NULL) {
		stats_incr(t->st, "flows_open_at_end");
		flow_end(t, t->lru.head, now);
	}
}

static void
free_list(struct flist *l)
{
	struct tflow *f, *next;
	struct seg *s, *sn;
	int i;

	for (f = l->head; f != NULL; f = next) {
		next = f->next;
		for (i = 0; i < 2; i++)
			for (s = f->h[i].ooo; s != NULL; s = sn) {
				sn = s->next;
				free(s);
			}
		free(f);
	}
	l->head = l->tail = NULL;
}

/* Frees without callbacks: the app layer may already be gone. */
void
tcp_free(struct tcp_table *t)
{
	if (t == NULL)
		return;
	free_list(&t->lru);
	free_list(&t->closed);
	free(t->buckets);
	free(t);
}
