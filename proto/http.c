/*
 * http.c - HTTP/1.x stream parser for one connection (see http.h).
 *
 * Each direction runs its own small state machine.  A start line and its
 * header fields are buffered whole (bounded by max_header_bytes) and parsed
 * once the empty line arrives; bodies are framed incrementally (length,
 * chunked, close-delimited) and kept up to a cap, with the rest skipped so
 * framing survives.  Requests become queue slots; a final response takes
 * the oldest slot still waiting.  A slot is reported when both halves are
 * done, in queue order.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "proto/http.h"
#include "proto/proto.h"

/* Smallest body and header buffer; they double from here up to the cap. */
#define HTTP_BUF_MIN	512

enum hstate {
	ST_HEAD,	/* start line and header fields */
	ST_BODY_LEN,	/* Content-Length body */
	ST_BODY_CLOSE,	/* response body delimited by the close */
	ST_CHUNK_SIZE,	/* hex digits of a chunk-size line */
	ST_CHUNK_EXT,	/* chunk extensions, up to the LF */
	ST_CHUNK_LF,	/* LF after CR of the chunk-size line */
	ST_CHUNK_DATA,
	ST_CHUNK_CR,	/* CRLF after chunk data */
	ST_CHUNK_DLF,
	ST_TRAILER,	/* trailer fields up to the empty line */
	ST_DEAD		/* framing lost, tunnel, or closed */
};

struct slot {
	struct http_txn	 t;
	bool		 req_done;
	bool		 resp_assigned;
	bool		 resp_done;
	size_t		 alloc[2];	/* body bytes allocated (budget) */
	uint64_t	 skip_before;	/* dropped requests queued before us */
	struct slot	*prev, *next;
};

struct hdir {
	enum hstate	 st;
	uint8_t		*hbuf;		/* header block being gathered */
	size_t		 hlen, hcap;
	int		 nl;		/* 0 mid-line, 1 after LF, 2 after LF CR */
	size_t		 line_bytes;	/* chunk-size line or trailer bytes */
	size_t		 trailer_fields;
	unsigned	 chunk_digits;
	uint64_t	 remain;	/* body or chunk bytes to come */
	struct timeval	 ts_first;	/* first byte of the message */
	struct slot	*slot;		/* message receiving body bytes */
	struct http_msg	*m;		/* in slot, or NULL: discard body */
	size_t		 cap;		/* body bytes this message may keep */
};

struct http_conn {
	const struct http_limits *lim;
	struct stats		*st;
	http_txn_cb		 cb;
	void			*arg;
	struct hdir		 d[2];
	struct slot		*head, *tail;
	struct slot		*first_waiting;	/* oldest unanswered request */
	size_t			 n_waiting;
	uint64_t		 dropped_tail;	/* dropped after the tail slot */
	uint64_t		 next_seq;
	bool			 closed;
};

/* What the header fields say about framing, beyond struct http_msg. */
struct head_info {
	bool		te_present;
	bool		te_chunked_last;
	bool		te_bad;		/* chunked, then another coding */
	bool		cl_bad;
	size_t		n_fields;
};

/* Locale-independent ASCII on unsigned char. */
static int
a_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool
a_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
a_istchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || a_isdigit(c))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
a_isows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool
a_eqn(const uint8_t *p, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++)
		if (a_lower(p[i]) != a_lower((unsigned char)lit[i]))
			return false;
	return true;
}

static void
msg_free(struct http_msg *m)
{
	free(m->uri);
	free(m->host);
	free(m->user_agent);
	free(m->content_type);
	free(m->cache_control);
	free(m->pragma);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

static void
slot_free(struct http_conn *c, struct slot *s)
{
	struct body_budget *b = c->lim->budget;
	size_t a = s->alloc[0] + s->alloc[1];

	if (b != NULL)
		b->used = (b->used >= a) ? b->used - a : 0;
	msg_free(&s->t.req);
	msg_free(&s->t.resp);
	free(s);
}

static void
slot_unlink(struct http_conn *c, struct slot *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		c->head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		c->tail = s->prev;
	s->prev = s->next = NULL;
}

/* Inserts s before pos, or at the tail when pos is NULL. */
static void
slot_insert(struct http_conn *c, struct slot *s, struct slot *pos)
{
	if (pos == NULL) {
		s->prev = c->tail;
		if (c->tail != NULL)
			c->tail->next = s;
		else
			c->head = s;
		c->tail = s;
		return;
	}
	s->next = pos;
	s->prev = pos->prev;
	if (pos->prev != NULL)
		pos->prev->next = s;
	else
		c->head = s;
	pos->prev = s;
}

static void
slot_emit(struct http_conn *c, struct slot *s)
{
	slot_unlink(c, s);
	/* numbered when reported: an answer to a dropped request is queued
	 * ahead of later slots, so creation order is not report order */
	s->t.seq = c->next_seq++;
	stats_incr(c->st, "http_txn");
	c->cb(c->arg, &s->t);
	slot_free(c, s);
}

/* Reports finished transactions from the head of the queue, in order. */
static void
emit_ready(struct http_conn *c)
{
	while (c->head != NULL && c->head->req_done && c->head->resp_done)
		slot_emit(c, c->head);
}

struct http_conn *
http_conn_new(const struct http_limits *lim, struct stats *st,
    http_txn_cb cb, void *arg)
{
	struct http_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->lim = lim;
	c->st = st;
	c->cb = cb;
	c->arg = arg;
	c->d[0].st = c->d[1].st = ST_HEAD;
	return c;
}

/* ---- bodies ---- */

/*
 * Grows the body buffer of d's message towards need bytes, doubling, never
 * past d->cap nor the shared budget.  Returns the bytes now allocated.
 */
static size_t
body_grow(struct http_conn *c, struct hdir *d, size_t need)
{
	struct body_budget *b = c->lim->budget;
	size_t *alloc = &d->slot->alloc[d->m == &d->slot->t.req ? 0 : 1];
	size_t ncap, delta;
	uint64_t avail;
	uint8_t *nb;

	if (need <= *alloc)
		return *alloc;
	ncap = (*alloc == 0) ? HTTP_BUF_MIN : *alloc;
	/* ncap <= d->cap <= SIZE_MAX / 2 keeps the doubling from wrapping */
	while (ncap < need && ncap <= SIZE_MAX / 2)
		ncap *= 2;
	if (ncap > d->cap)
		ncap = d->cap;
	if (b != NULL) {
		avail = (b->used < b->limit) ? b->limit - b->used : 0;
		if (ncap - *alloc > avail) {
			/* not the doubling, then at least what this call needs */
			ncap = (need - *alloc <= avail) ? need :
			    *alloc + (size_t)avail;
		}
	}
	if (ncap <= *alloc)
		return *alloc;
	if ((nb = realloc(d->m->body, ncap)) == NULL) {
		stats_incr(c->st, "http_oom");
		return *alloc;
	}
	delta = ncap - *alloc;
	if (b != NULL)
		b->used += delta;
	d->m->body = nb;
	*alloc = ncap;
	return ncap;
}

static void
body_append(struct http_conn *c, struct hdir *d, const uint8_t *p, size_t n,
    const struct timeval *ts)
{
	struct http_msg *m = d->m;
	size_t want, got;

	if (m == NULL || n == 0)
		return;
	m->ts_end = *ts;
	m->body_wire_len += n;
	if (m->body_truncated)
		return;
	want = (d->cap - m->body_len < n) ? d->cap - m->body_len : n;
	got = body_grow(c, d, m->body_len + want) - m->body_len;
	if (got > want)
		got = want;
	if (got > 0) {
		memcpy(m->body + m->body_len, p, got);
		m->body_len += got;
	}
	if (got < n) {
		m->body_truncated = true;
		stats_incr(c->st, "http_body_truncated");
		if (got < want)
			stats_incr(c->st, "http_body_budget_exhausted");
	}
}

/* ---- message completion ---- */

static void
msg_done(struct http_conn *c, int dir, const struct timeval *ts)
{
	struct hdir *d = &c->d[dir];
	struct slot *s = d->slot;

	if (s != NULL) {
		if (ts != NULL)
			d->m->ts_end = *ts;
		if (dir == 0)
			s->req_done = true;
		else
			s->resp_done = true;
	}
	d->slot = NULL;
	d->m = NULL;
	if (d->st != ST_DEAD)
		d->st = ST_HEAD;
	d->hlen = 0;
	d->nl = 1;
	emit_ready(c);
}

/* The direction's framing is lost: a message in progress ends incomplete. */
static void
dir_abort(struct http_conn *c, int dir, const char *reason)
{
	struct hdir *d = &c->d[dir];

	if (reason != NULL)
		stats_incr(c->st, reason);
	d->st = ST_DEAD;
	if (d->m != NULL)
		d->m->body_incomplete = true;
	if (d->slot != NULL)
		msg_done(c, dir, NULL);
}

/* ---- header block parsing ---- */

/* Copies an unfolded field value: obs-fold becomes one SP, OWS trimmed. */
static char *
value_dup(const uint8_t *p, size_t n)
{
	char *v;
	size_t i, o = 0;

	if ((v = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (p[i] == '\r')
			continue;
		if (p[i] == '\n') {
			while (i + 1 < n && a_isows(p[i + 1]))
				i++;
			v[o++] = ' ';
			continue;
		}
		v[o++] = (char)p[i];
	}
	while (o > 0 && a_isows((unsigned char)v[o - 1]))
		o--;
	v[o] = '\0';
	for (i = 0; a_isows((unsigned char)v[i]); i++)
		;
	if (i > 0)
		memmove(v, v + i, o - i + 1);
	return v;
}

/* Next line of a header block, without its CR LF; false at the end. */
static bool
next_line(struct cursor *cur, const uint8_t **line, size_t *n)
{
	const uint8_t *nl;
	size_t len;

	if (cur_left(cur) == 0)
		return false;
	nl = memchr(cur->p, '\n', cur_left(cur));
	len = (nl == NULL) ? cur_left(cur) : (size_t)(nl - cur->p);
	*line = cur->p;
	*n = len;
	cur_skip(cur, (nl == NULL) ? len : len + 1);
	if (*n > 0 && (*line)[*n - 1] == '\r')
		(*n)--;
	return true;
}

static bool
parse_version(const uint8_t *p, size_t n, char *out)
{
	if (n != 8 || memcmp(p, "HTTP/", 5) != 0 || !a_isdigit(p[5]) ||
	    p[6] != '.' || !a_isdigit(p[7]))
		return false;
	memcpy(out, p, 8);
	out[8] = '\0';
	return true;
}

/* method SP request-target SP HTTP-version */
static bool
parse_request_line(const uint8_t *p, size_t n, struct http_msg *m)
{
	size_t i = 0, us, ue;

	while (i < n && a_istchar(p[i]))
		i++;
	if (i == 0 || i >= HTTP_METHOD_MAX || i >= n || p[i] != ' ')
		return false;
	memcpy(m->method, p, i);
	m->method[i] = '\0';
	while (i < n && p[i] == ' ')
		i++;
	us = i;
	while (i < n && p[i] > ' ' && p[i] != 0x7f)
		i++;
	ue = i;
	if (ue == us)
		return false;
	while (i < n && p[i] == ' ')
		i++;
	if (i == ue || !parse_version(p + i, n - i, m->version))
		return false;
	if ((m->uri = malloc(ue - us + 1)) == NULL)
		return false;
	memcpy(m->uri, p + us, ue - us);
	m->uri[ue - us] = '\0';
	return true;
}

/* HTTP-version SP 3DIGIT [SP reason-phrase] */
static bool
parse_status_line(const uint8_t *p, size_t n, struct http_msg *m)
{
	if (n < 12 || !parse_version(p, 8, m->version) ||
	    m->version[5] != '1' || p[8] != ' ' || !a_isdigit(p[9]) ||
	    !a_isdigit(p[10]) || !a_isdigit(p[11]) ||
	    (n > 12 && p[12] != ' ' && p[12] != '\t'))
		return false;
	m->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	return m->status >= 100;
}

/* 1*DIGIT, or a list of equal ones ("42, 42"), into *out. */
static bool
parse_content_length(const char *v, uint64_t *out)
{
	bool have = false;
	uint64_t x, first = 0;
	const unsigned char *s = (const unsigned char *)v;

	for (;;) {
		while (a_isows(*s))
			s++;
		if (!a_isdigit(*s))
			return false;
		for (x = 0; a_isdigit(*s); s++) {
			if (x > (UINT64_MAX - 9) / 10)
				return false;
			x = x * 10 + (uint64_t)(*s - '0');
		}
		if (have && x != first)
			return false;
		first = x;
		have = true;
		while (a_isows(*s))
			s++;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return false;
	}
	*out = first;
	return true;
}

/* Transfer-Encoding: only whether chunked is the final coding matters. */
static void
parse_te(const char *v, struct head_info *hi)
{
	const unsigned char *s = (const unsigned char *)v, *tok;
	size_t n;

	hi->te_present = true;
	for (;;) {
		while (a_isows(*s) || *s == ',')
			s++;
		if (*s == '\0')
			break;
		tok = s;
		while (*s != '\0' && *s != ',' && *s != ';' && !a_isows(*s))
			s++;
		n = (size_t)(s - tok);
		if (hi->te_chunked_last)
			hi->te_bad = true;	/* a coding after chunked */
		hi->te_chunked_last = a_eqn(tok, n, "chunked");
		while (*s != '\0' && *s != ',')
			s++;	/* transfer-parameters */
	}
}

static void
set_once(char **field, const uint8_t *p, size_t n)
{
	if (*field == NULL)
		*field = value_dup(p, n);
}

/* One header field (value may span obs-fold lines). */
static void
header_field(struct http_conn *c, struct http_msg *m, struct head_info *hi,
    const uint8_t *name, size_t nn, const uint8_t *val, size_t vn)
{
	uint64_t cl = 0;
	char *v;

	if (a_eqn(name, nn, "host"))
		set_once(&m->host, val, vn);
	else if (a_eqn(name, nn, "user-agent"))
		set_once(&m->user_agent, val, vn);
	else if (a_eqn(name, nn, "content-type"))
		set_once(&m->content_type, val, vn);
	else if (a_eqn(name, nn, "cache-control"))
		set_once(&m->cache_control, val, vn);
	else if (a_eqn(name, nn, "pragma"))
		set_once(&m->pragma, val, vn);
	else if (a_eqn(name, nn, "if-modified-since") ||
	    a_eqn(name, nn, "if-none-match"))
		m->conditional = true;
	else if (a_eqn(name, nn, "content-length")) {
		if ((v = value_dup(val, vn)) == NULL)
			return;
		if (!parse_content_length(v, &cl) ||
		    (m->has_content_length && m->content_length != cl))
			hi->cl_bad = true;
		m->has_content_length = true;
		m->content_length = cl;
		free(v);
	} else if (a_eqn(name, nn, "transfer-encoding")) {
		if ((v = value_dup(val, vn)) == NULL)
			return;
		parse_te(v, hi);
		free(v);
	}
	(void)c;
}

/*
 * Parses a whole header block (start line through the empty line) into m.
 * Returns NULL, or the anomaly name that makes the direction stop.
 */
static const char *
parse_head(struct http_conn *c, int dir, const uint8_t *buf, size_t len,
    struct http_msg *m, struct head_info *hi)
{
	struct cursor cur;
	const uint8_t *line, *name = NULL, *val = NULL;
	size_t n, nn = 0, vn = 0, i;

	cur_init(&cur, buf, len);
	if (!next_line(&cur, &line, &n))
		return dir == 0 ? "http_bad_request_line" : "http_bad_status_line";
	if (dir == 0 && !parse_request_line(line, n, m))
		return "http_bad_request_line";
	if (dir == 1 && !parse_status_line(line, n, m))
		return "http_bad_status_line";
	while (next_line(&cur, &line, &n)) {
		if (n > 0 && a_isows(line[0])) {
			/* obs-fold: the value runs on (same buffer, so extend) */
			if (name != NULL)
				vn = (size_t)(line + n - val);
			else
				stats_incr(c->st, "http_bad_header_line");
			continue;
		}
		if (name != NULL)
			header_field(c, m, hi, name, nn, val, vn);
		name = NULL;
		if (n == 0)
			break;
		for (i = 0; i < n && a_istchar(line[i]); i++)
			;
		if (i == 0 || i == n || line[i] != ':') {
			stats_incr(c->st, "http_bad_header_line");
			continue;
		}
		if (++hi->n_fields > c->lim->max_headers)
			return "http_too_many_headers";
		name = line;
		nn = i;
		val = line + i + 1;
		vn = n - i - 1;
	}
	if (name != NULL)
		header_field(c, m, hi, name, nn, val, vn);
	if (hi->cl_bad)
		return "http_bad_content_length";
	return NULL;
}

/* ---- pairing and framing decisions ---- */

static struct slot *
slot_new(struct http_conn *c)
{
	struct slot *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		stats_incr(c->st, "http_oom");
		return NULL;
	}
	return s;
}

/* A request's header block is complete: queue it.  Returns 0 or -1. */
static int
request_start(struct http_conn *c, struct http_msg *m)
{
	struct hdir *d = &c->d[0];
	struct slot *s;

	stats_incr(c->st, "http_requests");
	if (c->n_waiting >= c->lim->max_pending) {
		/* its body is framed and dropped; its response is skipped */
		stats_incr(c->st, "http_pending_overflow");
		c->dropped_tail++;
		msg_free(m);
		d->slot = NULL;
		d->m = NULL;
		return 0;
	}
	if ((s = slot_new(c)) == NULL) {
		msg_free(m);
		return -1;
	}
	s->t.req = *m;
	s->skip_before = c->dropped_tail;
	c->dropped_tail = 0;
	slot_insert(c, s, NULL);
	if (c->first_waiting == NULL)
		c->first_waiting = s;
	c->n_waiting++;
	d->slot = s;
	d->m = &s->t.req;
	d->cap = c->lim->max_body;
	return 0;
}

/*
 * A final response's header block is complete: pair it with the oldest
 * waiting request (or none).  Returns the request, NULL if none, and sets
 * d->slot; -1 in *rc on OOM.
 */
static const struct http_msg *
response_start(struct http_conn *c, struct http_msg *m, int *rc)
{
	struct hdir *d = &c->d[1];
	struct slot *s = c->first_waiting, *pos = NULL;

	*rc = 0;
	stats_incr(c->st, "http_responses");
	if (s != NULL && s->skip_before == 0) {
		c->first_waiting = s->next;
		c->n_waiting--;
	} else {
		if (s != NULL) {
			s->skip_before--;	/* answers a dropped request */
			pos = s;
		} else if (c->dropped_tail > 0)
			c->dropped_tail--;
		else
			stats_incr(c->st, "http_response_without_request");
		if ((s = slot_new(c)) == NULL) {
			msg_free(m);
			*rc = -1;
			return NULL;
		}
		s->req_done = true;
		slot_insert(c, s, pos);
	}
	s->resp_assigned = true;
	s->t.resp = *m;
	d->slot = s;
	d->m = &s->t.resp;
	d->cap = (obj_classify_url(s->t.req.uri) == OBJ_CRL ||
	    obj_classify_type(m->content_type) == OBJ_CRL) ?
	    c->lim->max_crl_body : c->lim->max_body;
	return s->t.req.present ? &s->t.req : NULL;
}

/* Picks the body framing of the message just started in d. */
static void
frame_body(struct http_conn *c, int dir, const struct head_info *hi,
    bool no_body, const struct timeval *ts)
{
	struct hdir *d = &c->d[dir];
	struct http_msg *m = d->m;

	if (no_body) {
		msg_done(c, dir, ts);
		return;
	}
	if (hi->te_present) {
		if (hi->te_chunked_last && !hi->te_bad) {
			if (hi->te_present && m != NULL && m->has_content_length)
				stats_incr(c->st, "http_te_and_content_length");
			if (m != NULL)
				m->chunked = true;
			d->st = ST_CHUNK_SIZE;
			d->remain = 0;
			d->chunk_digits = 0;
			return;
		}
		if (dir == 0) {
			dir_abort(c, dir, "http_bad_transfer_encoding");
			return;
		}
		d->st = ST_BODY_CLOSE;
		return;
	}
	if (m != NULL ? m->has_content_length : d->remain > 0) {
		if (m != NULL)
			d->remain = m->content_length;
		if (d->remain == 0) {
			msg_done(c, dir, ts);
			return;
		}
		d->st = ST_BODY_LEN;
		return;
	}
	if (dir == 0)
		msg_done(c, dir, ts);
	else
		d->st = ST_BODY_CLOSE;
}

/* The header block in d->hbuf is complete. */
static void
head_done(struct http_conn *c, int dir, const struct timeval *ts)
{
	struct hdir *d = &c->d[dir];
	struct head_info hi;
	struct http_msg m;
	const struct http_msg *req = NULL;
	const char *why;
	bool no_body = false;
	int rc = 0;

	memset(&m, 0, sizeof(m));
	memset(&hi, 0, sizeof(hi));
	m.present = true;
	m.ts = d->ts_first;
	m.ts_end = *ts;
	if ((why = parse_head(c, dir, d->hbuf, d->hlen, &m, &hi)) != NULL) {
		msg_free(&m);
		dir_abort(c, dir, why);
		return;
	}
	d->hlen = 0;
	if (dir == 1 && m.status < 200 && m.status != 101) {
		stats_incr(c->st, "http_interim_responses");
		msg_free(&m);
		d->nl = 1;
		return;
	}
	/* a dropped request's Content-Length still frames its body */
	d->remain = m.has_content_length ? m.content_length : 0;
	if (dir == 0)
		rc = request_start(c, &m);
	else
		req = response_start(c, &m, &rc);
	if (rc == -1) {
		dir_abort(c, dir, NULL);
		return;
	}
	if (dir == 1) {
		int st = d->m->status;

		if (st == 101 || (req != NULL && strcmp(req->method,
		    "CONNECT") == 0 && st >= 200 && st < 300)) {
			/* the connection stops speaking HTTP */
			stats_incr(c->st, "http_tunnel");
			msg_done(c, 1, ts);
			c->d[0].st = c->d[1].st = ST_DEAD;
			if (c->d[0].slot != NULL)
				dir_abort(c, 0, NULL);
			return;
		}
		no_body = st == 204 || st == 304 ||
		    (req != NULL && strcmp(req->method, "HEAD") == 0);
	}
	frame_body(c, dir, &hi, no_body, ts);
}

/* ---- the byte loop ---- */

/* Header bytes up to and including the empty line; false: stop. */
static void
feed_head(struct http_conn *c, int dir, struct cursor *cur,
    const struct timeval *ts)
{
	struct hdir *d = &c->d[dir];
	size_t i, n, ncap;
	bool end = false;
	uint8_t b, *nb;

	/* CRLFs between messages are not part of any message */
	while (d->hlen == 0 && cur_peek_u8(cur, 0, &b) &&
	    (b == '\r' || b == '\n'))
		cur_skip(cur, 1);
	if (cur_left(cur) == 0)
		return;
	if (d->hlen == 0) {
		d->ts_first = *ts;
		d->nl = 0;
	}
	for (i = 0; i < cur_left(cur) && !end; i++) {
		b = cur->p[i];
		if (b == '\n') {
			end = d->nl != 0;
			d->nl = 1;
		} else if (b == '\r' && d->nl == 1)
			d->nl = 2;
		else if (b != '\r')
			d->nl = 0;
	}
	n = i;
	if (n > c->lim->max_header_bytes - d->hlen) {
		d->hlen = 0;
		dir_abort(c, dir, "http_header_too_long");
		return;
	}
	if (d->hlen + n > d->hcap) {
		ncap = d->hcap ? d->hcap : HTTP_BUF_MIN;
		while (ncap < d->hlen + n)
			ncap *= 2;
		if (ncap > c->lim->max_header_bytes)
			ncap = c->lim->max_header_bytes;
		if ((nb = realloc(d->hbuf, ncap)) == NULL) {
			dir_abort(c, dir, "http_oom");
			return;
		}
		d->hbuf = nb;
		d->hcap = ncap;
	}
	cur_copy(cur, d->hbuf + d->hlen, n);
	d->hlen += n;
	if (end)
		head_done(c, dir, ts);
}

static void
feed_body(struct http_conn *c, int dir, struct cursor *cur,
    const struct timeval *ts)
{
	struct hdir *d = &c->d[dir];
	size_t n = cur_left(cur);
	const uint8_t *p = NULL;

	if (d->st != ST_BODY_CLOSE && d->remain < n)
		n = (size_t)d->remain;
	cur_get_bytes(cur, n, &p);
	body_append(c, d, p, n, ts);
	if (d->st == ST_BODY_CLOSE)
		return;
	d->remain -= n;
	if (d->remain > 0)
		return;
	if (d->st == ST_BODY_LEN)
		msg_done(c, dir, ts);
	else
		d->st = ST_CHUNK_CR;
}

/* One byte of chunked framing outside chunk data. */
static void
feed_chunk_byte(struct http_conn *c, int dir, uint8_t b,
    const struct timeval *ts)
{
	struct hdir *d = &c->d[dir];
	int v;

	switch (d->st) {
	case ST_CHUNK_SIZE:
		if ((b >= '0' && b <= '9') || (a_lower(b) >= 'a' &&
		    a_lower(b) <= 'f')) {
			v = a_isdigit(b) ? b - '0' : a_lower(b) - 'a' + 10;
			if (d->remain > (UINT64_MAX >> 4)) {
				dir_abort(c, dir, "http_bad_chunk");
				return;
			}
			d->remain = d->remain << 4 | (uint64_t)v;
			d->chunk_digits++;
			d->line_bytes++;
			return;
		}
		if (d->chunk_digits == 0) {
			dir_abort(c, dir, "http_bad_chunk");
			return;
		}
		if (b == ';' || a_isows(b))
			d->st = ST_CHUNK_EXT;
		else if (b == '\r')
			d->st = ST_CHUNK_LF;
		else if (b == '\n')
			goto line_end;
		else
			dir_abort(c, dir, "http_bad_chunk");
		return;
	case ST_CHUNK_EXT:
		if (++d->line_bytes > c->lim->max_header_bytes) {
			dir_abort(c, dir, "http_bad_chunk");
			return;
		}
		if (b == '\n')
			goto line_end;
		return;
	case ST_CHUNK_LF:
		if (b != '\n') {
			dir_abort(c, dir, "http_bad_chunk");
			return;
		}
		goto line_end;
	case ST_CHUNK_CR:
		if (b == '\r')
			d->st = ST_CHUNK_DLF;
		else if (b == '\n')
			goto next_chunk;
		else
			dir_abort(c, dir, "http_bad_chunk");
		return;
	case ST_CHUNK_DLF:
		if (b != '\n') {
			dir_abort(c, dir, "http_bad_chunk");
			return;
		}
		goto next_chunk;
	case ST_TRAILER:
		if (++d->line_bytes > c->lim->max_header_bytes) {
			dir_abort(c, dir, "http_header_too_long");
			return;
		}
		if (b == '\n') {
			if (d->nl != 0) {
				msg_done(c, dir, ts);
				return;
			}
			d->nl = 1;
		} else if (b == '\r' && d->nl == 1)
			d->nl = 2;
		else if (b != '\r') {
			if (d->nl != 0 && !a_isows(b) &&
			    ++d->trailer_fields > c->lim->max_headers) {
				dir_abort(c, dir, "http_too_many_headers");
				return;
			}
			d->nl = 0;
		}
		return;
	default:
		return;
	}
line_end:
	d->line_bytes = 0;
	if (d->remain > 0) {
		d->st = ST_CHUNK_DATA;
		return;
	}
	d->st = ST_TRAILER;
	d->nl = 1;
	d->trailer_fields = 0;
	return;
next_chunk:
	d->st = ST_CHUNK_SIZE;
	d->remain = 0;
	d->chunk_digits = 0;
	d->line_bytes = 0;
}

void
http_conn_feed(struct http_conn *c, int dir, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	struct cursor cur;
	struct hdir *d;
	uint8_t b;

	if (c == NULL || c->closed || (dir != 0 && dir != 1))
		return;
	d = &c->d[dir];
	cur_init(&cur, p, len);
	while (cur_left(&cur) > 0 && d->st != ST_DEAD) {
		switch (d->st) {
		case ST_HEAD:
			feed_head(c, dir, &cur, ts);
			break;
		case ST_BODY_LEN:
		case ST_BODY_CLOSE:
		case ST_CHUNK_DATA:
			feed_body(c, dir, &cur, ts);
			break;
		default:
			if (cur_get_u8(&cur, &b))
				feed_chunk_byte(c, dir, b, ts);
			break;
		}
	}
}

void
http_conn_gap(struct http_conn *c, int dir, uint64_t len)
{
	struct hdir *d;

	if (c == NULL || c->closed || (dir != 0 && dir != 1) || len == 0)
		return;
	d = &c->d[dir];
	switch (d->st) {
	case ST_DEAD:
		return;
	case ST_BODY_CLOSE:
		break;
	case ST_BODY_LEN:
	case ST_CHUNK_DATA:
		if (len <= d->remain)
			break;
		/* FALLTHROUGH */
	default:
		dir_abort(c, dir, "http_gap_lost_sync");
		return;
	}
	if (d->m != NULL) {
		d->m->body_incomplete = true;
		d->m->body_wire_len += len;
	}
	stats_incr(c->st, "http_gap_in_body");
	if (d->st == ST_BODY_CLOSE)
		return;
	d->remain -= len;
	if (d->remain > 0)
		return;
	if (d->st == ST_BODY_LEN)
		msg_done(c, dir, NULL);
	else
		d->st = ST_CHUNK_CR;
}

void
http_conn_close(struct http_conn *c, const struct timeval *ts)
{
	struct hdir *d;
	struct slot *s;
	int dir;

	if (c == NULL || c->closed)
		return;
	for (dir = 0; dir < 2; dir++) {
		d = &c->d[dir];
		if (d->st == ST_BODY_CLOSE)
			msg_done(c, dir, ts);	/* the close ends it: whole */
		else if (d->slot != NULL) {
			d->m->body_incomplete = true;
			msg_done(c, dir, NULL);
		} else if (d->st == ST_HEAD && d->hlen > 0)
			stats_incr(c->st, "http_incomplete_header");
		d->st = ST_DEAD;
	}
	c->closed = true;
	/* whatever is left has no partner any more */
	while ((s = c->head) != NULL) {
		s->req_done = true;
		s->resp_done = true;
		slot_emit(c, s);
	}
	c->first_waiting = NULL;
	c->n_waiting = 0;
}

void
http_conn_free(struct http_conn *c)
{
	struct slot *s;

	if (c == NULL)
		return;
	while ((s = c->head) != NULL) {
		slot_unlink(c, s);
		slot_free(c, s);
	}
	free(c->d[0].hbuf);
	free(c->d[1].hbuf);
	free(c);
}
