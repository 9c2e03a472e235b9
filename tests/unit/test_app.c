/*
 * test_app.c - the sensor's application layer: protocol detection by
 * content, role swaps, and the wire events made from HTTP transactions
 * carrying real OpenSSL-made objects (tests/data/obj), decoded by the
 * real proto/ocsp.c and proto/crl.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "sensor/app.h"
#include "sensor/event.h"
#include "tests/unit/unit.h"

/* pktpath.c is not linked here: the swap only has to be seen. */
static unsigned swaps;

void
flow_swap_roles(struct flow *f)
{
	uint16_t port = f->cli_port;

	f->cli_port = f->srv_port;
	f->srv_port = port;
	swaps++;
}

#define MAXEV	8

struct rec_event {
	enum wire_event_type	type;
	bool			has_req, has_resp, has_crl, ocsp_get;
	size_t			n_req_ids;
	int			resp_status;
	size_t			crl_revoked;
	char			uri[512];
	int			status;
	size_t			n_anom;
	const char		*anom[WE_MAX_ANOMALIES];
	bool			has_ts_req;
	char			ts_serial[SERIAL_HEX_MAX];	/* reply's */
	size_t			n_certs, certs_total;
	char			cert0_serial[SERIAL_HEX_MAX];
	bool			issuer_checked, issuer_known;
	bool			has_capi;
	uint64_t		capi_len;
	char			capi_sha256[65], capi_magic[16];
	char			capi_version[CRYPTOAPI_VERSION_MAX];
	char			ua[64];
};

struct events {
	struct rec_event	e[MAXEV];
	size_t			n;
};

static void
emit(void *arg, const struct wire_event *ev)
{
	struct events *evs = arg;
	struct rec_event *r;
	size_t i;

	if (evs->n == MAXEV)
		return;
	r = &evs->e[evs->n++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->has_req = ev->ocsp_req != NULL;
	r->has_resp = ev->ocsp_resp != NULL;
	r->has_crl = ev->crl != NULL;
	r->ocsp_get = ev->ocsp_get;
	if (ev->ocsp_req != NULL)
		r->n_req_ids = ev->ocsp_req->n_total;
	if (ev->ocsp_resp != NULL)
		r->resp_status = ev->ocsp_resp->status;
	if (ev->crl != NULL)
		r->crl_revoked = ev->crl->revoked_count;
	if (ev->http != NULL && ev->http->req.present)
		snprintf(r->uri, sizeof(r->uri), "%s", ev->http->req.uri);
	if (ev->http != NULL && ev->http->resp.present)
		r->status = ev->http->resp.status;
	r->n_certs = ev->n_certs;
	r->certs_total = ev->certs_total;
	if (ev->n_certs > 0)
		snprintf(r->cert0_serial, sizeof(r->cert0_serial), "%s",
		    ev->certs[0].serial);
	r->issuer_checked = ev->issuer_checked;
	r->issuer_known = ev->issuer != NULL;
	r->n_anom = ev->n_anomalies;
	for (i = 0; i < ev->n_anomalies; i++)
		r->anom[i] = ev->anomalies[i];
	r->has_ts_req = ev->tsp_req != NULL;
	if (ev->http != NULL && ev->http->req.present &&
	    ev->http->req.user_agent != NULL)
		snprintf(r->ua, sizeof(r->ua), "%s", ev->http->req.user_agent);
	if ((r->has_capi = ev->cryptoapi_other != NULL)) {
		r->capi_len = ev->cryptoapi_other->body_len;
		snprintf(r->capi_sha256, sizeof(r->capi_sha256), "%s",
		    ev->cryptoapi_other->body_sha256);
		snprintf(r->capi_magic, sizeof(r->capi_magic), "%s",
		    ev->cryptoapi_other->body_magic);
		snprintf(r->capi_version, sizeof(r->capi_version), "%s",
		    ev->cryptoapi_other->ua_version);
	}
	if (ev->tsp_resp != NULL)
		snprintf(r->ts_serial, sizeof(r->ts_serial), "%s",
		    ev->tsp_resp->serial);
}

static uint8_t *
slurp(const char *name, size_t *len)
{
	char path[1024];
	const char *top = getenv("top_srcdir");
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/obj/%s", top ? top : ".",
	    name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "missing %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL)
		exit(1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* An HTTP message: head text, then the body of a file or a literal. */
static uint8_t *
message(const char *head_fmt, const uint8_t *body, size_t blen, size_t *len)
{
	char head[2048];
	uint8_t *m;
	int hl;

	hl = snprintf(head, sizeof(head), head_fmt, blen);
	m = malloc((size_t)hl + blen + 1);
	memcpy(m, head, (size_t)hl);
	if (blen > 0)
		memcpy(m + hl, body, blen);
	*len = (size_t)hl + blen;
	return m;
}

struct harness {
	struct rw_config	cfg;
	struct stats		st;
	struct events		evs;
	struct event_sink	sink;
	struct app		*a;
	const struct stream_ops	*ops;
	struct flow		f;
	struct timeval		ts;
};

static void
h_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	config_defaults(&h->cfg);
	stats_init(&h->st);
	h->sink.emit = emit;
	h->sink.arg = &h->evs;
	h->a = app_new(&h->cfg, &h->st, &h->sink);
	h->ops = app_stream_ops();
	h->f.id = 1;
	h->f.cli_port = 49723;
	h->f.srv_port = 80;
	h->ts.tv_sec = 1700000000;
	swaps = 0;
}

/*
 * Feeds in pieces of `piece` bytes (0: at once).  dir is as the capture
 * first guessed it; after a swap the packet path numbers it the other way,
 * as pktpath does.
 */
static void
h_feed(struct harness *h, int dir, const uint8_t *p, size_t len, size_t piece)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = (piece == 0 || len - off < piece) ? len - off : piece;
		h->ops->data(h->a, &h->f, dir ^ (int)(swaps & 1), p + off, n,
		    &h->ts);
	}
}

static void
h_done(struct harness *h)
{
	h->ops->close(h->a, &h->f, &h->ts);
	CHECK(h->f.app == NULL);
	app_free(h->a);
}

static void
test_ocsp_post(void)
{
	struct harness h;
	size_t ql, rl, ml, nl;
	uint8_t *q = slurp("ocsp-req.der", &ql), *r = slurp("ocsp-resp.der", &rl);
	uint8_t *req = message("POST / HTTP/1.1\r\nContent-Type: application/"
	    "ocsp-request\r\nUser-Agent: Microsoft-CryptoAPI/10.0\r\n"
	    "Content-Length: %zu\r\nHost: ocsp.example\r\n\r\n", q, ql, &ml);
	uint8_t *resp = message("HTTP/1.1 200 OK\r\nContent-Type: application/"
	    "ocsp-response\r\nContent-Length: %zu\r\n\r\n", r, rl, &nl);
	size_t piece;

	for (piece = 0; piece < 2; piece++) {
		h_init(&h);
		h_feed(&h, 0, req, ml, piece);
		h_feed(&h, 1, resp, nl, piece);
		CHECK_INT(h.evs.n, 1);
		CHECK_INT(h.evs.e[0].type, WE_OCSP);
		CHECK(h.evs.e[0].has_req);
		CHECK_INT(h.evs.e[0].n_req_ids, 1);
		CHECK(h.evs.e[0].has_resp);
		CHECK_INT(h.evs.e[0].resp_status, 0);
		CHECK(!h.evs.e[0].ocsp_get);
		CHECK_INT(h.evs.e[0].n_anom, 0);
		CHECK_INT(h.evs.e[0].status, 200);
		CHECK_INT(stats_get(&h.st, "obj_ocsp_request"), 1);
		CHECK_INT(stats_get(&h.st, "obj_ocsp_response"), 1);
		CHECK_INT(stats_get(&h.st, "http_flows"), 1);
		CHECK_INT(swaps, 0);
		h_done(&h);
	}
	free(q);
	free(r);
	free(req);
	free(resp);
}

static void
b64(const uint8_t *p, size_t n, char *out)
{
	static const char al[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? al[v & 63] : '=';
	}
	out[o] = '\0';
}

/* OCSP over GET, first seen from the "server" side: roles swap once. */
static void
test_ocsp_get_swapped(void)
{
	struct harness h;
	size_t ql, rl, nl;
	uint8_t *q = slurp("ocsp-req.der", &ql), *r = slurp("ocsp-resp.der", &rl);
	char enc[512], req[1024];
	uint8_t *resp = message("HTTP/1.1 200 OK\r\nContent-Type: application/"
	    "ocsp-response\r\nContent-Length: %zu\r\n\r\n", r, rl, &nl);

	b64(q, ql, enc);
	snprintf(req, sizeof(req), "GET /ocsp/%s HTTP/1.1\r\n"
	    "User-Agent: Microsoft-CryptoAPI/10.0\r\nHost: o.example\r\n\r\n",
	    enc);
	h_init(&h);
	/* the capture guessed wrong: the request comes "to the client" */
	h_feed(&h, 1, (const uint8_t *)req, strlen(req), 3);
	CHECK_INT(swaps, 1);
	h_feed(&h, 0, resp, nl, 0);
	CHECK_INT(swaps, 1);
	CHECK_INT(h.evs.n, 1);
	CHECK_INT(h.evs.e[0].type, WE_OCSP);
	CHECK(h.evs.e[0].ocsp_get);
	CHECK(h.evs.e[0].has_req);
	CHECK(h.evs.e[0].has_resp);
	CHECK_INT(h.evs.e[0].n_anom, 0);
	CHECK_INT(stats_get(&h.st, "app_roles_swapped"), 1);
	h_done(&h);
	free(q);
	free(r);
	free(resp);
}

/* CRLs: mislabelled but decodable, and labelled but undecodable. */
static void
test_crl(void)
{
	struct harness h;
	size_t cl, nl;
	uint8_t *c = slurp("crl.der", &cl);
	uint8_t *ok = message("HTTP/1.1 200 OK\r\nContent-Type: application/"
	    "octet-stream\r\nContent-Length: %zu\r\n\r\n", c, cl, &nl);
	static const char req[] = "GET /Test%20CA.crl HTTP/1.1\r\nHost: c\r\n\r\n"
	    "GET /second.crl HTTP/1.1\r\nHost: c\r\n\r\n";
	static const char bad[] = "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/pkix-crl\r\nContent-Length: 6\r\n\r\n<html>";

	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)req, strlen(req), 0);
	h_feed(&h, 1, ok, nl, 0);
	h_feed(&h, 1, (const uint8_t *)bad, strlen(bad), 0);
	CHECK_INT(h.evs.n, 2);
	CHECK_INT(h.evs.e[0].type, WE_CRL);
	CHECK(h.evs.e[0].has_crl);
	CHECK_INT(h.evs.e[0].crl_revoked, 1);
	CHECK_STR(h.evs.e[0].uri, "/Test%20CA.crl");
	CHECK_INT(h.evs.e[1].type, WE_CRL);
	CHECK(!h.evs.e[1].has_crl);
	CHECK_INT(h.evs.e[1].n_anom, 1);
	CHECK_STR(h.evs.e[1].anom[0], "crl_malformed");
	CHECK_INT(stats_get(&h.st, "crl_malformed"), 1);
	CHECK_INT(stats_get(&h.st, "obj_crl"), 2);
	h_done(&h);
	free(c);
	free(ok);
}

/* A CRL bigger than its cap: the event says why it did not decode. */
static void
test_crl_truncated(void)
{
	struct harness h;
	size_t cl, nl;
	uint8_t *c = slurp("crl.der", &cl);
	uint8_t *ok = message("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
	    c, cl, &nl);
	static const char req[] = "GET /big.crl HTTP/1.1\r\nHost: c\r\n\r\n";

	h_init(&h);
	h.cfg.http_max_crl_body = 200;	/* read by app_new below */
	app_free(h.a);
	h.a = app_new(&h.cfg, &h.st, &h.sink);
	h_feed(&h, 0, (const uint8_t *)req, strlen(req), 0);
	h_feed(&h, 1, ok, nl, 0);
	CHECK_INT(h.evs.n, 1);
	CHECK_INT(h.evs.e[0].type, WE_CRL);
	CHECK(!h.evs.e[0].has_crl);
	CHECK_INT(h.evs.e[0].n_anom, 1);
	CHECK_STR(h.evs.e[0].anom[0], "app_body_truncated");
	CHECK_INT(stats_get(&h.st, "http_body_truncated"), 1);
	h_done(&h);
	free(c);
	free(ok);
}

/* CA certificates, PKCS#7 bundles and timestamps. */
static void
test_cert_ts(void)
{
	struct harness h;
	size_t a, b, tq, tr, l1, l2, l3, l4;
	uint8_t *ca = slurp("ca.pem", &a), *p7 = slurp("certs.p7c", &b);
	uint8_t *q = slurp("ts-query.der", &tq), *r = slurp("ts-reply.der", &tr);
	uint8_t *m1 = message("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
	    ca, a, &l1);
	uint8_t *m2 = message("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
	    p7, b, &l2);
	uint8_t *m3 = message("POST /tsa HTTP/1.1\r\nContent-Type: application/"
	    "timestamp-query\r\nContent-Length: %zu\r\n\r\n", q, tq, &l3);
	uint8_t *m4 = message("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
	    r, tr, &l4);
	static const char req[] = "GET /ca.crt HTTP/1.1\r\n\r\n"
	    "GET /ca.p7c HTTP/1.1\r\n\r\n";

	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)req, strlen(req), 0);
	h_feed(&h, 0, m3, l3, 0);
	h_feed(&h, 1, m1, l1, 0);
	h_feed(&h, 1, m2, l2, 0);
	h_feed(&h, 1, m4, l4, 0);
	CHECK_INT(h.evs.n, 3);
	CHECK_INT(h.evs.e[0].type, WE_CA_CERT);
	CHECK_INT(h.evs.e[1].type, WE_CA_CERT);
	CHECK_INT(h.evs.e[2].type, WE_TIMESTAMP);
	/* both sides decoded: tests/data/obj/ts-reply.der is serial 0x02 */
	CHECK(h.evs.e[2].has_ts_req);
	CHECK_STR(h.evs.e[2].ts_serial, "02");
	CHECK_INT(h.evs.e[2].n_anom, 0);
	CHECK_INT(h.evs.e[0].n_certs, 1);
	CHECK_INT(h.evs.e[0].certs_total, 1);
	CHECK(h.evs.e[1].n_certs > 0);
	CHECK_INT(h.evs.e[1].n_certs, h.evs.e[1].certs_total);
	/* no registry in the harness: looked up, unknown */
	CHECK(h.evs.e[0].issuer_checked && !h.evs.e[0].issuer_known);
	CHECK_INT(stats_get(&h.st, "obj_cert"), 1);
	CHECK_INT(stats_get(&h.st, "obj_pkcs7"), 1);
	CHECK_INT(stats_get(&h.st, "obj_ts_query"), 1);
	CHECK_INT(stats_get(&h.st, "obj_ts_reply"), 1);
	h_done(&h);
	free(ca);
	free(p7);
	free(q);
	free(r);
	free(m1);
	free(m2);
	free(m3);
	free(m4);
}

/* A body labelled timestamp-query that is not one: event, anomaly, count. */
static void
test_ts_malformed(void)
{
	static const char m[] = "POST /tsa HTTP/1.1\r\nContent-Type: "
	    "application/timestamp-query\r\nContent-Length: 5\r\n\r\nhello";
	static const char r[] = "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
	struct harness h;

	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)m, strlen(m), 0);
	h_feed(&h, 1, (const uint8_t *)r, strlen(r), 0);
	CHECK_INT(h.evs.n, 1);
	CHECK_INT(h.evs.e[0].type, WE_TIMESTAMP);
	CHECK(!h.evs.e[0].has_ts_req);
	CHECK_STR(h.evs.e[0].ts_serial, "");
	CHECK_INT(h.evs.e[0].n_anom, 1);
	CHECK_STR(h.evs.e[0].anom[0], "tsp_req_malformed");
	CHECK_INT(stats_get(&h.st, "tsp_req_malformed"), 1);
	CHECK_INT(stats_get(&h.st, "obj_ts_query"), 1);
	CHECK_INT(stats_get(&h.st, "obj_ts_reply"), 0);
	h_done(&h);
}

/* A CA download that does not decode: the event, its anomaly, no certs. */
static void
test_bad_cert(void)
{
	struct harness h;
	static const char req[] = "GET /ca.crt HTTP/1.1\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/pkix-cert\r\nContent-Length: 8\r\n\r\n"
	    "\x30\x82\x01\x00\x30\x82\x00\xf0";

	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)req, strlen(req), 0);
	h_feed(&h, 1, (const uint8_t *)resp, sizeof(resp) - 1, 0);
	CHECK_INT(h.evs.n, 1);
	CHECK_INT(h.evs.e[0].type, WE_CA_CERT);
	CHECK_INT(h.evs.e[0].n_certs, 0);
	CHECK_INT(h.evs.e[0].n_anom, 1);
	CHECK_STR(h.evs.e[0].anom[0], "x509_bad_der");
	CHECK(!h.evs.e[0].issuer_checked);
	CHECK_INT(stats_get(&h.st, "obj_cert"), 1);
	h_done(&h);
}

/*
 * certutil as a downloader: a "cryptoapi_other" event per 2xx body that is
 * no PKI object, with the hash of the body (sha256sum of the same bytes),
 * its magic and the agent's version.  A browser fetching the same, an
 * error page and a HEAD give none.
 */
static void
test_cryptoapi_other(void)
{
	struct harness h;
	static const char req[] = "GET /payload.txt HTTP/1.1\r\n"
	    "User-Agent: CertUtil URL Agent\r\nHost: evil.example\r\n\r\n"
	    "GET /x HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n\r\n"
	    "GET /s.ps1 HTTP/1.1\r\n"
	    "User-Agent: Microsoft-CryptoAPI/10.0 (x; y)\r\n\r\n"
	    "GET /gone.crl.bak HTTP/1.1\r\nUser-Agent: Microsoft-CryptoAPI/6.1"
	    "\r\n\r\n"
	    "HEAD /s.ps1 HTTP/1.1\r\nUser-Agent: Microsoft-CryptoAPI/10.0\r\n\r\n"
	    "GET /z HTTP/1.1\r\nUser-Agent: Microsoft-CryptoAPI/\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
	    "\r\nMZ\x90\x00HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
	    "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n"
	    "Write-Output pwned\r\n"
	    "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n<h1>x</h1"
	    "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00";

	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)req, strlen(req), 0);
	h_feed(&h, 1, (const uint8_t *)resp, sizeof(resp) - 1, 7);
	CHECK_INT(h.evs.n, 3);
	CHECK_INT(h.evs.e[0].type, WE_CRYPTOAPI_OTHER);
	CHECK_STR(wire_event_type_name(h.evs.e[0].type), "cryptoapi_other");
	CHECK_STR(h.evs.e[0].uri, "/payload.txt");
	CHECK(h.evs.e[0].has_capi);
	CHECK_INT(h.evs.e[0].capi_len, 4);
	CHECK_STR(h.evs.e[0].capi_sha256, "9f2981a7cc4d40a2a409dc895de64253acd8"
	    "19d7c0011c8e80b86fe899464e31");
	CHECK_STR(h.evs.e[0].capi_magic, "pe");
	CHECK_STR(h.evs.e[0].capi_version, "certutil");
	CHECK_INT(h.evs.e[0].n_anom, 0);
	CHECK_STR(h.evs.e[1].uri, "/s.ps1");
	CHECK_INT(h.evs.e[1].capi_len, 20);
	CHECK_STR(h.evs.e[1].capi_sha256, "343265ee6c697b92dca61d218dc7ebef3b81"
	    "66b518223c74b067a3465b174038");
	CHECK_STR(h.evs.e[1].capi_magic, "script/text");
	CHECK_STR(h.evs.e[1].capi_version, "10.0");
	CHECK_STR(h.evs.e[1].ua, "Microsoft-CryptoAPI/10.0 (x; y)");
	CHECK_STR(h.evs.e[2].uri, "/z");
	CHECK_STR(h.evs.e[2].capi_sha256, "fd72d30440b0bae1b1c6db6c8ad807f238ef"
	    "3ca613aa7e8d5329e1e8ddf7da72");
	CHECK_STR(h.evs.e[2].capi_magic, "gzip");
	CHECK_STR(h.evs.e[2].capi_version, "");
	/* the 404 page is counted with the others, and why it gave nothing */
	CHECK_INT(stats_get(&h.st, "obj_other_cryptoapi"), 4);
	CHECK_INT(stats_get(&h.st, "cryptoapi_other_not_delivered"), 1);
	h_done(&h);
}

/* A body a cap cut: its length and magic, no hash, the anomaly says why. */
static void
test_cryptoapi_other_cut(void)
{
	struct harness h;
	static const char req[] = "GET /big.exe HTTP/1.1\r\n"
	    "User-Agent: Microsoft-CryptoAPI/10.0\r\n\r\n";
	uint8_t body[3000], *resp;
	size_t rl;

	memset(body, 0, sizeof(body));
	memcpy(body, "MZ", 2);
	resp = message("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body,
	    sizeof(body), &rl);
	h_init(&h);
	h.cfg.http_max_body = 1024;	/* read by app_new below */
	app_free(h.a);
	h.a = app_new(&h.cfg, &h.st, &h.sink);
	h_feed(&h, 0, (const uint8_t *)req, strlen(req), 0);
	h_feed(&h, 1, resp, rl, 0);
	CHECK_INT(h.evs.n, 1);
	CHECK_INT(h.evs.e[0].type, WE_CRYPTOAPI_OTHER);
	CHECK_INT(h.evs.e[0].capi_len, 3000);
	CHECK_STR(h.evs.e[0].capi_sha256, "");
	CHECK_STR(h.evs.e[0].capi_magic, "pe");
	CHECK_INT(h.evs.e[0].n_anom, 1);
	CHECK_STR(h.evs.e[0].anom[0], "app_body_truncated");
	h_done(&h);
	free(resp);
}

static void
test_detection(void)
{
	struct harness h;
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3,
	    4, 5 };
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	static const char odd[] = "PROPFIND /dav HTTP/1.1\r\n\r\n";
	static const char lower[] = "get / HTTP/1.1\r\n\r\n";

	h_init(&h);
	h_feed(&h, 0, tls, sizeof(tls), 1);
	CHECK_INT(stats_get(&h.st, "tls_flows"), 1);
	h_done(&h);

	h_init(&h);
	h_feed(&h, 1, (const uint8_t *)ssh, strlen(ssh), 0);
	h_feed(&h, 0, (const uint8_t *)odd, strlen(odd), 0);
	CHECK_INT(stats_get(&h.st, "app_unknown_flows"), 1);
	CHECK_INT(stats_get(&h.st, "http_requests"), 0);
	h_done(&h);

	/* an unknown method is HTTP when the target follows */
	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)odd, strlen(odd), 1);
	CHECK_INT(stats_get(&h.st, "http_flows"), 1);
	CHECK_INT(stats_get(&h.st, "http_requests"), 1);
	h_done(&h);

	h_init(&h);
	h_feed(&h, 0, (const uint8_t *)lower, strlen(lower), 0);
	CHECK_INT(stats_get(&h.st, "app_unknown_flows"), 1);
	h_done(&h);

	/* a gap before anything is known */
	h_init(&h);
	h.ops->gap(h.a, &h.f, 0, 100, &h.ts);
	h_feed(&h, 0, (const uint8_t *)odd, strlen(odd), 0);
	CHECK_INT(stats_get(&h.st, "app_gap_before_detect"), 1);
	CHECK_INT(stats_get(&h.st, "http_requests"), 0);
	h_done(&h);
}

static void
test_event_names(void)
{
	CHECK_STR(wire_event_type_name(WE_OCSP), "ocsp");
	CHECK_STR(wire_event_type_name(WE_CRL), "crl");
	CHECK_STR(wire_event_type_name(WE_CA_CERT), "ca_cert");
	CHECK_STR(wire_event_type_name(WE_TIMESTAMP), "timestamp");
	CHECK_STR(wire_event_type_name(WE_TLS), "tls");
	CHECK_STR(wire_event_type_name(WE_CRYPTOAPI_OTHER), "cryptoapi_other");
}

UNIT_MAIN(test_ocsp_post, test_ocsp_get_swapped, test_crl,
    test_crl_truncated, test_cert_ts, test_ts_malformed, test_cryptoapi_other,
    test_cryptoapi_other_cut, test_detection, test_event_names, test_bad_cert)
