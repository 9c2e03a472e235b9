/*
 * test_http.c - the HTTP/1.x connection parser.  Every case is fed whole
 * and again in 1-byte pieces (and in 7-byte pieces), and must report the
 * same transactions in the same order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http.h"
#include "tests/unit/unit.h"

#define MAXREC	16

struct rec_msg {
	int		 present;
	char		 method[HTTP_METHOD_MAX];
	char		 uri[256];
	char		 version[HTTP_VERSION_MAX];
	int		 status;
	char		 host[128], ua[128], ct[128], cc[128], pragma[128];
	int		 has_cl, chunked, conditional, truncated, incomplete;
	unsigned long long	 cl, wire_len;
	size_t		 body_len;
	char		 body[8192];
	int		 body_null;
};

struct rec {
	unsigned long long	seq;
	struct rec_msg		req, resp;
};

struct recorder {
	struct rec	r[MAXREC];
	size_t		n;
	size_t		calls;
};

static void
copy_str(char *dst, size_t dsz, const char *s)
{
	snprintf(dst, dsz, "%s", s == NULL ? "(null)" : s);
}

static void
rec_msg(struct rec_msg *o, const struct http_msg *m)
{
	memset(o, 0, sizeof(*o));
	o->present = m->present;
	if (!m->present)
		return;
	copy_str(o->method, sizeof(o->method), m->method);
	copy_str(o->uri, sizeof(o->uri), m->uri);
	copy_str(o->version, sizeof(o->version), m->version);
	o->status = m->status;
	copy_str(o->host, sizeof(o->host), m->host);
	copy_str(o->ua, sizeof(o->ua), m->user_agent);
	copy_str(o->ct, sizeof(o->ct), m->content_type);
	copy_str(o->cc, sizeof(o->cc), m->cache_control);
	copy_str(o->pragma, sizeof(o->pragma), m->pragma);
	o->has_cl = m->has_content_length;
	o->cl = m->content_length;
	o->chunked = m->chunked;
	o->conditional = m->conditional;
	o->truncated = m->body_truncated;
	o->incomplete = m->body_incomplete;
	o->wire_len = m->body_wire_len;
	o->body_len = m->body_len;
	o->body_null = m->body == NULL;
	if (m->body_len > 0 && m->body_len < sizeof(o->body))
		memcpy(o->body, m->body, m->body_len);
}

static void
on_txn(void *arg, struct http_txn *t)
{
	struct recorder *rc = arg;

	rc->calls++;
	if (rc->n == MAXREC)
		return;
	rc->r[rc->n].seq = t->seq;
	rec_msg(&rc->r[rc->n].req, &t->req);
	rec_msg(&rc->r[rc->n].resp, &t->resp);
	rc->n++;
}

struct seg {
	int		 dir;
	const char	*data;
	size_t		 len;	/* 0: strlen(data) */
};

static struct http_limits
default_limits(struct body_budget *b)
{
	struct http_limits l = {
		.max_header_bytes = 8192, .max_headers = 64,
		.max_body = 4096, .max_crl_body = 65536, .max_pending = 8,
		.budget = b,
	};
	return l;
}

/* Feeds segs in pieces of `piece` bytes (0: whole segments), then closes. */
static void
run(const struct http_limits *lim, const struct seg *segs, size_t nseg,
    size_t piece, struct recorder *rc, struct stats *st)
{
	struct http_conn *c;
	struct timeval ts = { 1700000000, 0 };
	size_t i, off, n, len;
	uint64_t used0 = lim->budget != NULL ? lim->budget->used : 0;

	memset(rc, 0, sizeof(*rc));
	stats_init(st);
	c = http_conn_new(lim, st, on_txn, rc);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	for (i = 0; i < nseg; i++) {
		len = segs[i].len ? segs[i].len : strlen(segs[i].data);
		for (off = 0; off < len; off += n) {
			n = (piece == 0 || len - off < piece) ? len - off : piece;
			ts.tv_usec = (long)i;
			http_conn_feed(c, segs[i].dir,
			    (const uint8_t *)segs[i].data + off, n, &ts);
		}
	}
	ts.tv_sec++;
	http_conn_close(c, &ts);
	http_conn_free(c);
	if (lim->budget != NULL)
		CHECK_INT(lim->budget->used, used0);
}

static int
msg_same(const struct rec_msg *a, const struct rec_msg *b)
{
	return a->present == b->present && strcmp(a->method, b->method) == 0 &&
	    strcmp(a->uri, b->uri) == 0 &&
	    strcmp(a->version, b->version) == 0 && a->status == b->status &&
	    strcmp(a->host, b->host) == 0 && strcmp(a->ua, b->ua) == 0 &&
	    strcmp(a->ct, b->ct) == 0 && strcmp(a->cc, b->cc) == 0 &&
	    strcmp(a->pragma, b->pragma) == 0 && a->has_cl == b->has_cl &&
	    a->cl == b->cl && a->chunked == b->chunked &&
	    a->conditional == b->conditional &&
	    a->truncated == b->truncated && a->incomplete == b->incomplete &&
	    a->wire_len == b->wire_len && a->body_len == b->body_len &&
	    a->body_null == b->body_null &&
	    memcmp(a->body, b->body, sizeof(a->body)) == 0;
}

/*
 * Runs a case whole, in 1-byte and in 7-byte pieces; checks the three agree
 * (transactions and anomaly counters) and leaves the whole run in *rc, *st.
 */
static void
run_all(const struct http_limits *lim, const struct seg *segs, size_t nseg,
    struct recorder *rc, struct stats *st)
{
	static struct recorder other;
	static struct stats ost;
	static const size_t pieces[] = { 1, 7 };
	size_t p, i;

	for (p = 0; p < 2; p++) {
		run(lim, segs, nseg, pieces[p], &other, &ost);
		run(lim, segs, nseg, 0, rc, st);
		CHECK_INT(other.n, rc->n);
		for (i = 0; i < rc->n && i < other.n; i++) {
			CHECK_INT(other.r[i].seq, rc->r[i].seq);
			CHECK(msg_same(&other.r[i].req, &rc->r[i].req));
			CHECK(msg_same(&other.r[i].resp, &rc->r[i].resp));
		}
		for (i = 0; i < STATS_SLOTS; i++)
			if (st->e[i].name != NULL && strncmp(st->e[i].name,
			    "http_", 5) == 0 && stats_get(&ost,
			    st->e[i].name) != st->e[i].value) {
				fprintf(stderr, "counter %s differs: %llu vs %llu\n",
				    st->e[i].name, (unsigned long long)
				    st->e[i].value, (unsigned long long)
				    stats_get(&ost, st->e[i].name));
				CHECK(0);
			}
	}
}

#define RUN(lim, segs, rc, st) \
	run_all(lim, segs, sizeof(segs) / sizeof(segs[0]), rc, st)

static struct recorder R;
static struct stats S;

/* A CryptoAPI OCSP POST and its answer. */
static void
test_post_ocsp(void)
{
	struct body_budget b = { 0, 1 << 20 };
	struct http_limits lim = default_limits(&b);
	static const struct seg segs[] = {
		{ 0, "POST / HTTP/1.1\r\n"
		    "Cache-Control: no-cache\r\n"
		    "Connection: Keep-Alive\r\n"
		    "Pragma: no-cache\r\n"
		    "Content-Type: application/ocsp-request\r\n"
		    "Accept: */*\r\n"
		    "User-Agent: Microsoft-CryptoAPI/10.0\r\n"
		    "Content-Length: 5\r\n"
		    "Host: ocsp.digicert.com\r\n\r\n"
		    "\x30\x03\x02\x01\x00", 226 },
		{ 1, "HTTP/1.1 200 OK\r\n"
		    "Accept-Ranges: bytes\r\n"
		    "Content-Type: application/ocsp-response\r\n"
		    "Content-Length: 6\r\n\r\n"
		    "\x30\x04\x0a\x01\x00\x00", 107 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].seq, 0);
	CHECK_STR(R.r[0].req.method, "POST");
	CHECK_STR(R.r[0].req.uri, "/");
	CHECK_STR(R.r[0].req.version, "HTTP/1.1");
	CHECK_STR(R.r[0].req.host, "ocsp.digicert.com");
	CHECK_STR(R.r[0].req.ua, "Microsoft-CryptoAPI/10.0");
	CHECK_STR(R.r[0].req.ct, "application/ocsp-request");
	CHECK_STR(R.r[0].req.cc, "no-cache");
	CHECK_STR(R.r[0].req.pragma, "no-cache");
	CHECK_INT(R.r[0].req.body_len, 5);
	CHECK(memcmp(R.r[0].req.body, "\x30\x03\x02\x01\x00", 5) == 0);
	CHECK_INT(R.r[0].req.conditional, 0);
	CHECK_INT(R.r[0].resp.present, 1);
	CHECK_INT(R.r[0].resp.status, 200);
	CHECK_STR(R.r[0].resp.ct, "application/ocsp-response");
	CHECK_STR(R.r[0].resp.host, "(null)");
	CHECK_INT(R.r[0].resp.body_len, 6);
	CHECK_INT(R.r[0].resp.wire_len, 6);
	CHECK(memcmp(R.r[0].resp.body, "\x30\x04\x0a\x01\x00\x00", 6) == 0);
	CHECK_INT(stats_get(&S, "http_requests"), 1);
	CHECK_INT(stats_get(&S, "http_responses"), 1);
	CHECK_INT(stats_get(&S, "http_txn"), 1);
}

/* Windows CryptoAPI revalidating CRLs: pipelined conditional GETs. */
static void
test_pipelined_crl(void)
{
	struct body_budget b = { 0, 1 << 20 };
	struct http_limits lim = default_limits(&b);
	static const struct seg segs[] = {
		{ 0, "GET /DigiCertTrustedG4CodeSigningRSA4096SHA3842021CA1.crl HTTP/1.1\r\n"
		    "Cache-Control: max-age = 3600\r\n"
		    "Connection: Keep-Alive\r\n"
		    "Accept: */*\r\n"
		    "If-Modified-Since: Thu, 14 Nov 2024 21:47:33 GMT\r\n"
		    "If-None-Match: \"67367f25-4b5c\"\r\n"
		    "User-Agent: Microsoft-CryptoAPI/10.0\r\n"
		    "Host: crl3.digicert.com\r\n\r\n"
		    "GET /sha2-assured-cs-g1.crl HTTP/1.1\r\n"
		    "Connection: Keep-Alive\r\n"
		    "Accept: */*\r\n"
		    "User-Agent: Microsoft-CryptoAPI/10.0\r\n"
		    "Host: crl3.digicert.com\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 304 Not Modified\r\n"
		    "Date: Fri, 15 Nov 2024 08:00:00 GMT\r\n"
		    "ETag: \"67367f25-4b5c\"\r\n"
		    "Content-Length: 19292\r\n\r\n"
		    "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/pkix-crl\r\n"
		    "Content-Length: 10\r\n\r\n"
		    "0123456789", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 2);
	CHECK_INT(R.r[0].seq, 0);
	CHECK_INT(R.r[1].seq, 1);
	CHECK_STR(R.r[0].req.uri,
	    "/DigiCertTrustedG4CodeSigningRSA4096SHA3842021CA1.crl");
	CHECK_INT(R.r[0].req.conditional, 1);
	CHECK_STR(R.r[0].req.cc, "max-age = 3600");
	CHECK_INT(R.r[0].resp.status, 304);
	CHECK_INT(R.r[0].resp.body_len, 0);
	CHECK_INT(R.r[0].resp.body_null, 1);
	CHECK_INT(R.r[0].resp.has_cl, 1);
	CHECK_INT(R.r[0].resp.cl, 19292);
	CHECK_STR(R.r[1].req.uri, "/sha2-assured-cs-g1.crl");
	CHECK_INT(R.r[1].req.conditional, 0);
	CHECK_INT(R.r[1].resp.status, 200);
	CHECK_STR(R.r[1].resp.ct, "application/pkix-crl");
	CHECK_INT(R.r[1].resp.body_len, 10);
	CHECK_STR(R.r[1].resp.body, "0123456789");
	CHECK_INT(stats_get(&S, "http_txn"), 2);
}

/* Chunked with extensions and trailers, in both directions. */
static void
test_chunked(void)
{
	struct body_budget b = { 0, 1 << 20 };
	struct http_limits lim = default_limits(&b);
	static const struct seg segs[] = {
		{ 0, "POST /ts HTTP/1.1\r\nHost: timestamp.example\r\n"
		    "Transfer-Encoding: chunked\r\n"
		    "Content-Type: application/timestamp-query\r\n\r\n"
		    "3;name=\"v\"\r\nabc\r\n"
		    "A\r\n0123456789\r\n"
		    "0\r\nX-Trailer: 1\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: gzip, chunked\r\n"
		    "Content-Type: application/timestamp-reply\r\n\r\n"
		    "5 ; ext=1;x\r\nhello\r\n"
		    "1\nZ\n"
		    "0\r\n\r\n", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].req.chunked, 1);
	CHECK_INT(R.r[0].req.body_len, 13);
	CHECK_STR(R.r[0].req.body, "abc0123456789");
	CHECK_INT(R.r[0].req.incomplete, 0);
	CHECK_STR(R.r[0].req.ct, "application/timestamp-query");
	CHECK_INT(R.r[0].resp.chunked, 1);
	CHECK_STR(R.r[0].resp.body, "helloZ");
	CHECK_INT(R.r[0].resp.incomplete, 0);
	CHECK_INT(stats_get(&S, "http_bad_chunk"), 0);
}

static void
test_bad_chunk(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "2\r\nabXX\r\n", 0 },
	};
	static const struct seg segs2[] = {
		{ 0, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "11111111111111111\r\n", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_STR(R.r[0].resp.body, "ab");
	CHECK_INT(R.r[0].resp.incomplete, 1);
	CHECK_INT(stats_get(&S, "http_bad_chunk"), 1);
	/* a size that does not fit 64 bits */
	RUN(&lim, segs2, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].resp.incomplete, 1);
	CHECK_INT(stats_get(&S, "http_bad_chunk"), 1);
}

/* Chunk extensions and trailers are bounded like header fields. */
static void
test_chunk_bounds(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg trailers4[] = {
		{ 0, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "1\r\na\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n  fold\r\nD: 4\r\n\r\n", 0 },
	};
	static const struct seg trailers5[] = {
		{ 0, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "1\r\na\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 0 },
	};
	static char longext[512];
	struct seg ext[1] = { { 0, longext, 0 } };

	lim.max_headers = 4;
	RUN(&lim, trailers4, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_STR(R.r[0].req.body, "a");
	CHECK_INT(R.r[0].req.incomplete, 0);
	RUN(&lim, trailers5, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].req.incomplete, 1);
	CHECK_INT(stats_get(&S, "http_too_many_headers"), 1);
	/* a chunk-size line longer than the header limit */
	lim.max_header_bytes = 100;
	snprintf(longext, sizeof(longext), "POST / HTTP/1.1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;%0200d\r\na\r\n0\r\n\r\n", 0);
	RUN(&lim, ext, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].req.incomplete, 1);
	CHECK_INT(stats_get(&S, "http_bad_chunk"), 1);
	snprintf(longext, sizeof(longext), "POST / HTTP/1.1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;%090d\r\na\r\n0\r\n\r\n", 0);
	RUN(&lim, ext, &R, &S);
	CHECK_INT(R.r[0].req.incomplete, 0);
	CHECK_STR(R.r[0].req.body, "a");
}

/* HEAD: the Content-Length describes what GET would have sent. */
static void
test_head(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "HEAD /root.crt HTTP/1.1\r\nHost: cacerts.example\r\n\r\n"
		    "GET /root.crt HTTP/1.1\r\nHost: cacerts.example\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
		    "Content-Type: application/pkix-cert\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nCERT", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 2);
	CHECK_STR(R.r[0].req.method, "HEAD");
	CHECK_INT(R.r[0].resp.status, 200);
	CHECK_INT(R.r[0].resp.body_len, 0);
	CHECK_INT(R.r[0].resp.cl, 4);
	CHECK_STR(R.r[1].req.method, "GET");
	CHECK_STR(R.r[1].resp.body, "CERT");
}

/* 100-continue: the interim response is skipped, pairing is unchanged. */
static void
test_continue(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "POST /tsa HTTP/1.1\r\nHost: tsa\r\nExpect: 100-continue\r\n"
		    "Content-Length: 4\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 100 Continue\r\n\r\n", 0 },
		{ 0, "QURY", 0 },
		{ 1, "HTTP/1.1 102 Processing\r\nX: y\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nRPL", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_STR(R.r[0].req.body, "QURY");
	CHECK_INT(R.r[0].resp.status, 200);
	CHECK_STR(R.r[0].resp.body, "RPL");
	CHECK_INT(stats_get(&S, "http_interim_responses"), 2);
	CHECK_INT(stats_get(&S, "http_responses"), 1);
}

/* HTTP/1.0 without Host, body delimited by the close. */
static void
test_http10_close(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "GET /ca.crt HTTP/1.0\r\nUser-Agent: CertUtil URL Agent\r\n\r\n", 0 },
		{ 1, "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
		    "\r\nBODY-UNTIL-CLOSE\r\n\r\nmore", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_STR(R.r[0].req.version, "HTTP/1.0");
	CHECK_STR(R.r[0].req.host, "(null)");
	CHECK_STR(R.r[0].req.ua, "CertUtil URL Agent");
	CHECK_STR(R.r[0].resp.version, "HTTP/1.0");
	CHECK_STR(R.r[0].resp.body, "BODY-UNTIL-CLOSE\r\n\r\nmore");
	CHECK_INT(R.r[0].resp.incomplete, 0);
	CHECK_INT(R.r[0].resp.has_cl, 0);
}

/* Requests left without answer, and an answer without request. */
static void
test_unpaired(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg req_only[] = {
		{ 0, "GET /a.crl HTTP/1.1\r\nHost: h\r\n\r\n"
		    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", 0 },
	};
	static const struct seg resp_only[] = {
		{ 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 },
	};

	RUN(&lim, req_only, &R, &S);
	CHECK_INT(R.n, 2);
	CHECK_STR(R.r[0].req.uri, "/a.crl");
	CHECK_INT(R.r[0].resp.present, 0);
	CHECK_STR(R.r[1].req.method, "POST");
	CHECK_STR(R.r[1].req.body, "abc");
	CHECK_INT(R.r[1].req.incomplete, 1);
	CHECK_INT(R.r[1].resp.present, 0);
	RUN(&lim, resp_only, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].req.present, 0);
	CHECK_STR(R.r[0].resp.body, "ok");
	CHECK_INT(stats_get(&S, "http_response_without_request"), 1);
}

/* Builds a request whose header block is exactly n bytes. */
static char *
request_of_size(size_t n)
{
	static const char head[] = "GET / HTTP/1.1\r\nX-Pad: ";
	char *s = malloc(n + 1);
	size_t pad = n - (sizeof(head) - 1) - 4;

	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, 'a', pad);
	memcpy(s + sizeof(head) - 1 + pad, "\r\n\r\n", 5);
	return s;
}

static void
test_header_bytes_limit(void)
{
	struct http_limits lim = default_limits(NULL);
	struct seg segs[1] = { { 0, NULL, 0 } };
	char *a = request_of_size(300), *b = request_of_size(301);

	lim.max_header_bytes = 300;
	segs[0].data = a;
	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(stats_get(&S, "http_header_too_long"), 0);
	segs[0].data = b;
	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 0);
	CHECK_INT(stats_get(&S, "http_header_too_long"), 1);
	free(a);
	free(b);
}

static void
test_header_count_limit(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg four[] = {
		{ 0, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n"
		    "C: 3\r\n  folded\r\nD: 4\r\n\r\n", 0 },
	};
	static const struct seg five[] = {
		{ 0, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 0 },
	};

	lim.max_headers = 4;
	RUN(&lim, four, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(stats_get(&S, "http_too_many_headers"), 0);
	RUN(&lim, five, &R, &S);
	CHECK_INT(R.n, 0);
	CHECK_INT(stats_get(&S, "http_too_many_headers"), 1);
}

/* obs-fold continuation lines join the value with one space. */
static void
test_obs_fold(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "GET / HTTP/1.1\r\nuser-AGENT: Microsoft-CryptoAPI/6.1\r\n"
		    " \t more\r\n\tend  \r\nHOST:h\r\n\r\n", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_STR(R.r[0].req.ua, "Microsoft-CryptoAPI/6.1 more end");
	CHECK_STR(R.r[0].req.host, "h");
}

static void
test_body_limit(void)
{
	struct body_budget b = { 0, 1 << 20 };
	struct http_limits lim = default_limits(&b);
	static char at[2048], over[2048];
	struct seg segs[2] = { { 0, "GET /x HTTP/1.1\r\n\r\n"
	    "GET /y HTTP/1.1\r\n\r\n", 0 }, { 1, NULL, 0 } };
	const char *body = "0123456789ABCDEF";

	lim.max_body = 16;
	snprintf(at, sizeof(at), "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n%s"
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", body);
	segs[1].data = at;
	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 2);
	CHECK_INT(R.r[0].resp.body_len, 16);
	CHECK_INT(R.r[0].resp.truncated, 0);
	CHECK_INT(stats_get(&S, "http_body_truncated"), 0);
	snprintf(over, sizeof(over), "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n%sG"
	    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", body);
	segs[1].data = over;
	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 2);
	CHECK_INT(R.r[0].resp.body_len, 16);
	CHECK_INT(R.r[0].resp.wire_len, 17);
	CHECK_INT(R.r[0].resp.truncated, 1);
	CHECK(memcmp(R.r[0].resp.body, body, 16) == 0);
	/* framing kept: the next response still pairs with /y */
	CHECK_STR(R.r[1].req.uri, "/y");
	CHECK_INT(R.r[1].resp.status, 200);
	CHECK_INT(stats_get(&S, "http_body_truncated"), 1);
}

/* .crl URLs and CRL media types get the larger cap. */
static void
test_crl_cap(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg by_url[] = {
		{ 0, "GET /Issuer.CRL?x=1 HTTP/1.1\r\n\r\n"
		    "GET /issuer.crt HTTP/1.1\r\n\r\n"
		    "GET /p HTTP/1.1\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789"
		    "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789"
		    "HTTP/1.1 200 OK\r\nContent-Type: Application/X-PKCS7-CRL; q=1\r\n"
		    "Content-Length: 20\r\n\r\n01234567890123456789", 0 },
	};

	lim.max_body = 10;
	lim.max_crl_body = 20;
	RUN(&lim, by_url, &R, &S);
	CHECK_INT(R.n, 3);
	CHECK_INT(R.r[0].resp.body_len, 20);
	CHECK_INT(R.r[0].resp.truncated, 0);
	CHECK_INT(R.r[1].resp.body_len, 10);
	CHECK_INT(R.r[1].resp.truncated, 1);
	CHECK_INT(R.r[2].resp.body_len, 20);
	CHECK_INT(R.r[2].resp.truncated, 0);
}

/* The shared budget: two bodies, room for one and a half. */
static void
test_budget(void)
{
	struct body_budget b = { 0, 600 };
	struct http_limits lim = default_limits(&b);
	static char resp[4096];
	char body[513];
	struct seg segs[2] = { { 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n", 0 },
	    { 1, NULL, 0 } };

	memset(body, 'b', 512);
	body[512] = '\0';
	snprintf(resp, sizeof(resp),
	    "HTTP/1.1 200 OK\r\nContent-Length: 512\r\n\r\n%s"
	    "HTTP/1.1 200 OK\r\nContent-Length: 512\r\n\r\n%s", body, body);
	segs[1].data = resp;
	/* each body is released when its transaction is reported */
	run(&lim, segs, 2, 0, &R, &S);
	CHECK_INT(R.n, 2);
	CHECK_INT(R.r[0].resp.body_len, 512);
	CHECK_INT(R.r[0].resp.truncated, 0);
	CHECK_INT(R.r[1].resp.body_len, 512);
	CHECK_INT(stats_get(&S, "http_body_budget_exhausted"), 0);
	/* another connection holds 300 bytes of the budget */
	b.used = 300;
	run(&lim, segs, 2, 0, &R, &S);
	CHECK_INT(R.r[0].resp.body_len, 300);
	CHECK_INT(R.r[0].resp.truncated, 1);
	CHECK_INT(R.r[0].resp.wire_len, 512);
	CHECK_INT(R.r[1].resp.body_len, 300);
	CHECK_INT(stats_get(&S, "http_body_budget_exhausted"), 2);
	CHECK_INT(b.used, 300);
}

static void
test_pending_limit(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
		    "GET /3 HTTP/1.1\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
		    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB"
		    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC", 0 },
	};

	lim.max_pending = 3;
	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 3);
	CHECK_STR(R.r[2].req.uri, "/3");
	CHECK_STR(R.r[2].resp.body, "C");
	CHECK_INT(stats_get(&S, "http_pending_overflow"), 0);
	lim.max_pending = 2;
	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 3);
	CHECK_STR(R.r[0].req.uri, "/1");
	CHECK_STR(R.r[0].resp.body, "A");
	CHECK_STR(R.r[1].req.uri, "/2");
	CHECK_STR(R.r[1].resp.body, "B");
	/* the dropped request's answer still comes, unpaired, in order */
	CHECK_INT(R.r[2].seq, 2);
	CHECK_INT(R.r[2].req.present, 0);
	CHECK_STR(R.r[2].resp.body, "C");
	CHECK_INT(stats_get(&S, "http_pending_overflow"), 1);
	CHECK_INT(stats_get(&S, "http_response_without_request"), 0);
}

static void
test_bad_lines(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg badreq[] = {
		{ 0, "GET /nohttp\r\n\r\n", 0 },
	};
	static const struct seg badstatus[] = {
		{ 0, "GET / HTTP/1.1\r\n\r\n", 0 },
		{ 1, "HTTP/1.1 2x0 OK\r\n\r\n", 0 },
	};
	static const struct seg badcl[] = {
		{ 0, "POST / HTTP/1.1\r\nContent-Length: 5\r\n"
		    "Content-Length: 6\r\n\r\nabcdef", 0 },
	};
	static const struct seg samecl[] = {
		{ 0, "POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n"
		    "Content-Length: 3\r\n\r\nabc", 0 },
	};
	static const struct seg negcl[] = {
		{ 0, "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 0 },
	};

	RUN(&lim, badreq, &R, &S);
	CHECK_INT(R.n, 0);
	CHECK_INT(stats_get(&S, "http_bad_request_line"), 1);
	RUN(&lim, badstatus, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_INT(R.r[0].resp.present, 0);
	CHECK_INT(stats_get(&S, "http_bad_status_line"), 1);
	RUN(&lim, badcl, &R, &S);
	CHECK_INT(R.n, 0);
	CHECK_INT(stats_get(&S, "http_bad_content_length"), 1);
	RUN(&lim, samecl, &R, &S);
	CHECK_INT(R.n, 1);
	CHECK_STR(R.r[0].req.body, "abc");
	CHECK_INT(stats_get(&S, "http_bad_content_length"), 0);
	RUN(&lim, negcl, &R, &S);
	CHECK_INT(stats_get(&S, "http_bad_content_length"), 1);
}

/* Gaps: skipped inside a known length, fatal to framing elsewhere. */
static void
test_gap(void)
{
	struct http_limits lim = default_limits(NULL);
	struct stats st;
	struct recorder rc;
	struct timeval ts = { 1, 0 };
	struct http_conn *c;
	static const char req[] = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
	static const char r1[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012";

	memset(&rc, 0, sizeof(rc));
	stats_init(&st);
	c = http_conn_new(&lim, &st, on_txn, &rc);
	http_conn_feed(c, 0, (const uint8_t *)req, strlen(req), &ts);
	http_conn_feed(c, 1, (const uint8_t *)r1, strlen(r1), &ts);
	http_conn_gap(c, 1, 4);
	http_conn_feed(c, 1, (const uint8_t *)"789HTTP/1.1 204 No\r\n\r\n", 22,
	    &ts);
	CHECK_INT(rc.n, 2);
	CHECK_STR(rc.r[0].resp.body, "012789");
	CHECK_INT(rc.r[0].resp.wire_len, 10);
	CHECK_INT(rc.r[0].resp.incomplete, 1);
	CHECK_INT(rc.r[1].resp.status, 204);
	/* a gap between messages loses the direction */
	http_conn_gap(c, 0, 100);
	http_conn_feed(c, 0, (const uint8_t *)req, strlen(req), &ts);
	CHECK_INT(stats_get(&st, "http_gap_lost_sync"), 1);
	http_conn_close(c, &ts);
	http_conn_free(c);
	CHECK_INT(rc.n, 2);
	CHECK_INT(stats_get(&st, "http_requests"), 2);
}

/* Bytes of a message that never finishes, then close: no crash, no txn. */
static void
test_partial_head(void)
{
	struct http_limits lim = default_limits(NULL);
	static const struct seg segs[] = {
		{ 0, "GET / HTTP/1.1\r\nHost: h\r\n", 0 },
	};

	RUN(&lim, segs, &R, &S);
	CHECK_INT(R.n, 0);
	CHECK_INT(stats_get(&S, "http_incomplete_header"), 1);
}

UNIT_MAIN(test_post_ocsp, test_pipelined_crl, test_chunked, test_bad_chunk,
    test_chunk_bounds,
    test_head, test_continue, test_http10_close, test_unpaired,
    test_header_bytes_limit, test_header_count_limit, test_obs_fold,
    test_body_limit, test_crl_cap, test_budget, test_pending_limit,
    test_bad_lines, test_gap, test_partial_head)
