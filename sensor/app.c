/*
 * app.c - the application layer (see app.h).
 *
 * A flow's protocol is decided once, by content, from the first payload
 * bytes of either direction: an HTTP request or status line, a TLS record
 * header, or neither (then the flow is ignored cheaply).  HTTP flows run
 * the proto/http.c parser; every finished transaction is checked for OCSP,
 * CRL, certificate and timestamp objects, which are decoded (proto/) and
 * handed to the sink as wire events, and for CryptoAPI clients served
 * anything else.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "correlate/correlate.h"
#include "proto/http.h"
#include "proto/proto.h"
#include "proto/tls.h"
#include "sensor/app.h"

/*
 * Bytes kept per direction until the protocol is known: the longest
 * request method we accept (HTTP_METHOD_MAX - 1), SP, "http://".
 */
#define DETECT_MAX	(HTTP_METHOD_MAX + 8)

/* Shortest path segment worth an OCSP GET decode attempt. */
#define OCSP_GET_MIN_SEGMENT	40

enum app_kind { AK_DETECT, AK_HTTP, AK_TLS, AK_IGNORE };

enum detect_res { DET_MORE, DET_REQUEST, DET_RESPONSE, DET_TLS, DET_NONE };

struct app {
	const struct rw_config		*cfg;
	struct stats			*st;
	const struct event_sink		*sink;
	struct body_budget		 budget;	/* all HTTP flows */
	struct http_limits		 hlim;
	struct ocsp_limits		 olim;
	struct crl_limits		 clim;
	struct tls_limits		 tlim;
	struct ca_registry		*ca;		/* not owned; may be NULL */
};

struct app_flow {
	struct app		*a;
	struct flow		*f;
	enum app_kind		 kind;
	bool			 swapped;
	uint8_t			 det[2][DETECT_MAX];
	size_t			 det_len[2];
	struct http_conn	*http;
	struct tls_conn		*tls;
};

/* ---- protocol detection ---- */

static bool
is_upper(uint8_t c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
prefix_of(const uint8_t *p, size_t n, const char *lit, bool *partial)
{
	size_t l = strlen(lit);

	*partial = n < l && memcmp(p, lit, n) == 0;
	return n >= l && memcmp(p, lit, l) == 0;
}

/* method SP, with a known method or a target of "/" or "http://" */
static enum detect_res
detect_request(const uint8_t *p, size_t n)
{
	static const char *const known[] = {
		"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE",
		"CONNECT", "PATCH",
	};
	size_t i, m;
	bool partial;

	for (m = 0; m < n && is_upper(p[m]); m++)
		if (m + 1 >= HTTP_METHOD_MAX)
			return DET_NONE;
	if (m == n)
		return DET_MORE;
	if (m == 0 || p[m] != ' ')
		return DET_NONE;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == m && memcmp(p, known[i], m) == 0)
			return DET_REQUEST;
	p += m + 1;
	n -= m + 1;
	if (n == 0)
		return DET_MORE;
	if (p[0] == '/')
		return DET_REQUEST;
	if (prefix_of(p, n, "http://", &partial))
		return DET_REQUEST;
	return partial ? DET_MORE : DET_NONE;
}

static enum detect_res
detect(const uint8_t *p, size_t n)
{
	bool partial;
	size_t len;

	if (n == 0)
		return DET_MORE;
	if (p[0] == 0x16) {
		/* handshake record: version 3.0-3.4, sane length */
		if (n < 5)
			return (n < 2 || p[1] == 3) && (n < 3 || p[2] <= 4) ?
			    DET_MORE : DET_NONE;
		len = (size_t)p[3] << 8 | p[4];
		return (p[1] == 3 && p[2] <= 4 && len > 0 &&
		    len <= TLS_RECORD_MAX) ? DET_TLS : DET_NONE;
	}
	if (prefix_of(p, n, "HTTP/1.", &partial))
		return DET_RESPONSE;
	if (partial)
		return DET_MORE;
	return detect_request(p, n);
}

/* ---- objects in HTTP transactions ---- */

static void
add_anomaly(struct app *a, struct wire_event *ev, const char *reason)
{
	stats_incr(a->st, reason);
	if (ev->n_anomalies < WE_MAX_ANOMALIES)
		ev->anomalies[ev->n_anomalies++] = reason;
}

/* A body cut by a cap or a gap cannot decode: say why instead. */
static bool
body_whole(struct app *a, struct wire_event *ev, const struct http_msg *m)
{
	if (m->body_truncated) {
		add_anomaly(a, ev, "app_body_truncated");
		return false;
	}
	if (m->body_incomplete) {
		add_anomaly(a, ev, "app_body_incomplete");
		return false;
	}
	return true;
}

static bool
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '=' || c == '-' ||
	    c == '_' || c == '%';
}

/* A path segment long enough to hold a base64 OCSP request. */
static bool
has_long_segment(const char *uri)
{
	size_t run = 0;
	const unsigned char *s = (const unsigned char *)uri;

	for (; *s != '\0' && *s != '?' && *s != '#'; s++) {
		run = b64_char(*s) ? run + 1 : 0;
		if (run >= OCSP_GET_MIN_SEGMENT)
			return true;
	}
	return false;
}

static bool
version_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '_';
}

/*
 * Whether ua is a CryptoAPI agent: "Microsoft-CryptoAPI/<version>" (any
 * version) or certutil's "CertUtil URL Agent".  ver gets the version, or
 * "certutil" for the latter; it stops at the first byte that is no
 * version character and is cut to fit; "" when there is none.
 */
static bool
cryptoapi_agent(const char *ua, char ver[CRYPTOAPI_VERSION_MAX])
{
	static const char prefix[] = "Microsoft-CryptoAPI/";
	size_t n = 0;

	ver[0] = '\0';
	if (ua == NULL)
		return false;
	if (strcmp(ua, "CertUtil URL Agent") == 0) {
		snprintf(ver, CRYPTOAPI_VERSION_MAX, "%s", "certutil");
		return true;
	}
	if (strncmp(ua, prefix, sizeof(prefix) - 1) != 0)
		return false;
	ua += sizeof(prefix) - 1;
	while (n + 1 < CRYPTOAPI_VERSION_MAX &&
	    version_char((unsigned char)ua[n])) {
		ver[n] = ua[n];
		n++;
	}
	ver[n] = '\0';
	return true;
}

static void
event_init(struct wire_event *ev, enum wire_event_type type,
    const struct app_flow *af, const struct http_txn *t)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->ts = t->req.present ? t->req.ts : t->resp.ts;
	ev->flow = af->f;
	ev->http = t;
}

/* ---- issuers (CA registry) and OCSP verdicts ---- */

static const struct ca_entry *
issuer_by_certid(struct app *a, const struct ocsp_certid *id)
{
	return ca_registry_lookup_hash(a->ca, id->hash_alg,
	    id->issuer_name_hash, id->issuer_key_hash);
}

/* Records the lookup on the event and counts what it found. */
static void
set_issuer(struct app *a, struct wire_event *ev, const struct ca_entry *e)
{
	ev->issuer_checked = true;
	ev->issuer = e;
	stats_incr(a->st, e != NULL ? "issuer_resolved" : "issuer_unknown");
}

/* The CA an OCSP exchange names: the response's CertID, else the request's. */
static void
ocsp_issuer(struct app *a, struct wire_event *ev, const struct ocsp_req *req,
    const struct ocsp_resp *resp)
{
	if (resp != NULL && resp->n_singles > 0)
		set_issuer(a, ev, issuer_by_certid(a, &resp->singles[0].id));
	else if (req != NULL && req->n_ids > 0)
		set_issuer(a, ev, issuer_by_certid(a, &req->ids[0]));
}

/*
 * Judges a decoded response against the event's issuer and the CertIDs
 * that were asked (NULL: none seen) and counts every finding.
 */
static void
judge_ocsp(struct app *a, struct wire_event *ev, const struct ocsp_resp *resp,
    const struct ocsp_certid *asked, size_t n_asked, const char *nonce,
    time_t now, struct ocsp_verdict *v)
{
	ocsp_verify(v, resp, ev->issuer, asked, n_asked, nonce, now);
	if (!v->checked)
		return;
	ev->ocsp_verdict = v;
	if (v->signature_valid == RW_TRI_FALSE)
		stats_incr(a->st, "ocsp_signature_invalid");
	if (v->responder_authorized == RW_TRI_FALSE)
		stats_incr(a->st, "ocsp_responder_unauthorized");
	if (v->stale)
		stats_incr(a->st, "ocsp_stale");
	if (v->unsolicited)
		stats_incr(a->st, "ocsp_unsolicited");
	if (v->nonce_mismatch)
		stats_incr(a->st, "ocsp_nonce_mismatch");
}

/*
 * Wire certificates teach the registry only after the event that carried
 * them was emitted: an object never vouches for itself.
 */
static void
learn_certs(struct app *a, const struct x509_info *certs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ca_registry_learn(a->ca, &certs[i]) == 1)
			stats_incr(a->st, "ca_learned");
}

/*
 * Whether the registry can learn anything from x (a CA, or a certificate
 * that marks its issuer code-signing): most carried certificates are
 * delegated responders, not worth decoding in full.
 */
static bool
teaches(X509 *x)
{
	uint32_t fl = X509_get_extension_flags(x);

	return X509_check_ca(x) != 0 || ((fl & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(x) & XKU_CODE_SIGN) != 0);
}

/*
 * The certificates a response carries, learned unless the response was
 * shown forged: its CA certificates would then be the forger's, and the
 * registry (persisted and shared through Redis) would keep them.
 */
static void
learn_ocsp_certs(struct app *a, const struct ocsp_resp *resp,
    const struct ocsp_verdict *v)
{
	const STACK_OF(X509) *certs;
	struct x509_info info;
	int i;

	if (a->ca == NULL || !resp->has_basic || resp->basic == NULL)
		return;
	if (v->checked && v->signature_valid == RW_TRI_FALSE) {
		stats_incr(a->st, "ocsp_forged_certs_not_learned");
		return;
	}
	certs = OCSP_resp_get0_certs(resp->basic);
	for (i = 0; i < sk_X509_num(certs); i++) {
		if (!teaches(sk_X509_value(certs, i)))
			continue;
		if (x509_from_X509(&info, sk_X509_value(certs, i), NULL) == -1) {
			stats_incr(a->st, "ocsp_bad_carried_cert");
			continue;
		}
		learn_certs(a, &info, 1);
		x509_info_free(&info);
	}
}

/*
 * The OCSP request of a GET, from its request-target.  Tried only when the
 * path has a segment long enough to be one or the response is OCSP, to
 * keep the cost down.  Returns true when the GET is an OCSP request (then
 * *decoded says whether *req holds it); decode failures are anomalies only
 * when the exchange is known to be OCSP.
 */
static bool
ocsp_from_get(struct app *a, struct wire_event *ev, const struct http_msg *m,
    bool resp_is_ocsp, struct ocsp_req *req, bool *decoded)
{
	struct rw_err err;
	uint8_t *der = NULL;
	size_t derlen = 0;
	bool is_ocsp = false;

	*decoded = false;
	if (strcmp(m->method, "GET") != 0 || m->uri == NULL ||
	    (!resp_is_ocsp && !has_long_segment(m->uri)))
		return false;
	rw_err_clear(&err);
	if (ocsp_get_decode(m->uri, strlen(m->uri), &der, &derlen,
	    a->cfg->http_max_body, &err) == -1) {
		if (resp_is_ocsp)
			add_anomaly(a, ev, err.reason ? err.reason :
			    "ocsp_get_undecodable");
		return false;
	}
	/* a long path that merely happens to be base64 is not OCSP */
	if (!resp_is_ocsp && obj_classify(der, derlen, NULL, NULL, true) !=
	    OBJ_OCSP_REQUEST)
		goto out;
	is_ocsp = true;
	ev->ocsp_get = true;
	stats_incr(a->st, "obj_ocsp_request");
	if (ocsp_req_parse(req, der, derlen, &a->olim, &err) == 0)
		*decoded = true;
	else
		add_anomaly(a, ev, err.reason ? err.reason : "ocsp_req_invalid");
out:
	free(der);
	return is_ocsp;
}

/*
 * An OCSP event: issuer, verdict (the response judged at its own packet
 * time, against the request when the request is whole), then learning.
 */
static void
emit_ocsp(struct app *a, struct wire_event *ev, const struct ocsp_req *req,
    const struct ocsp_resp *resp, const struct timeval *resp_ts)
{
	struct ocsp_verdict v;
	bool whole = req != NULL && req->n_total == req->n_ids;

	ev->ocsp_req = req;
	ev->ocsp_resp = resp;
	ocsp_issuer(a, ev, req, resp);
	if (resp != NULL)
		judge_ocsp(a, ev, resp, whole ? req->ids : NULL,
		    whole ? req->n_ids : 0,
		    req != NULL && req->has_nonce ? req->nonce : NULL,
		    resp_ts->tv_sec, &v);
	a->sink->emit(a->sink->arg, ev);
	if (resp != NULL)
		learn_ocsp_certs(a, resp, &v);
}

static void
handle_ocsp(struct app_flow *af, const struct http_txn *t,
    enum obj_type rt, enum obj_type st)
{
	struct app *a = af->a;
	struct wire_event ev;
	struct ocsp_req req;
	struct ocsp_resp resp;
	struct rw_err err;
	bool have_req = false, have_resp = false, seen = false;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	event_init(&ev, WE_OCSP, af, t);
	if (rt == OBJ_OCSP_REQUEST) {
		seen = true;
		stats_incr(a->st, "obj_ocsp_request");
		rw_err_clear(&err);
		if (body_whole(a, &ev, &t->req)) {
			if (ocsp_req_parse(&req, t->req.body, t->req.body_len,
			    &a->olim, &err) == 0)
				have_req = true;
			else
				add_anomaly(a, &ev, err.reason ? err.reason :
				    "ocsp_req_invalid");
		}
	} else if (t->req.present && ocsp_from_get(a, &ev, &t->req,
	    st == OBJ_OCSP_RESPONSE, &req, &have_req))
		seen = true;
	if (st == OBJ_OCSP_RESPONSE) {
		seen = true;
		stats_incr(a->st, "obj_ocsp_response");
		rw_err_clear(&err);
		if (body_whole(a, &ev, &t->resp)) {
			if (ocsp_resp_parse(&resp, t->resp.body,
			    t->resp.body_len, &a->olim, &err) == 0)
				have_resp = true;
			else
				add_anomaly(a, &ev, err.reason ? err.reason :
				    "ocsp_resp_invalid");
		}
	}
	if (seen)
		emit_ocsp(a, &ev, have_req ? &req : NULL,
		    have_resp ? &resp : NULL, &t->resp.ts);
	/* both are zeroed or decoded: freeing is always safe */
	ocsp_req_free(&req);
	ocsp_resp_free(&resp);
}

/*
 * RFC 3161: a query, a reply or both.  A host that asks a TSA for a
 * timestamp is signing something, so the event is emitted even when
 * neither side decodes (the anomalies say why).
 */
static void
handle_timestamp(struct app_flow *af, const struct http_txn *t,
    enum obj_type rt, enum obj_type st)
{
	struct app *a = af->a;
	struct wire_event ev;
	struct tsp_req req;
	struct tsp_resp resp;
	struct rw_err err;
	bool have_req = false, have_resp = false;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	event_init(&ev, WE_TIMESTAMP, af, t);
	rw_err_clear(&err);
	if (rt == OBJ_TS_QUERY) {
		stats_incr(a->st, "obj_ts_query");
		if (body_whole(a, &ev, &t->req)) {
			if (tsp_req_parse(&req, t->req.body, t->req.body_len,
			    &err) == 0)
				have_req = true;
			else
				add_anomaly(a, &ev, err.reason ? err.reason :
				    "tsp_req_invalid");
		}
	}
	rw_err_clear(&err);
	if (st == OBJ_TS_REPLY) {
		stats_incr(a->st, "obj_ts_reply");
		if (body_whole(a, &ev, &t->resp)) {
			if (tsp_resp_parse(&resp, t->resp.body,
			    t->resp.body_len, &err) == 0)
				have_resp = true;
			else
				add_anomaly(a, &ev, err.reason ? err.reason :
				    "tsp_resp_invalid");
		}
	}
	ev.tsp_req = have_req ? &req : NULL;
	ev.tsp_resp = have_resp ? &resp : NULL;
	a->sink->emit(a->sink->arg, &ev);
	/* both are zeroed or decoded: freeing is always safe */
	tsp_req_free(&req);
	tsp_resp_free(&resp);
}

static void
handle_crl(struct app_flow *af, const struct http_txn *t)
{
	struct app *a = af->a;
	struct wire_event ev;
	struct rw_err err;
	struct crl crl;
	bool ok = false;

	memset(&crl, 0, sizeof(crl));
	event_init(&ev, WE_CRL, af, t);
	rw_err_clear(&err);
	if (t->resp.body_len == 0)
		stats_incr(a->st, "crl_fetch_without_body");
	else
		stats_incr(a->st, "obj_crl");
	if (t->resp.body_len > 0 && body_whole(a, &ev, &t->resp)) {
		if (crl_parse(&crl, t->resp.body, t->resp.body_len, &a->clim,
		    &err) == 0)
			ok = true;
		else
			add_anomaly(a, &ev, err.reason ? err.reason :
			    "crl_invalid");
	}
	ev.crl = ok ? &crl : NULL;
	if (ok)
		set_issuer(a, &ev, ca_registry_lookup_issuer(a->ca, crl.issuer,
		    crl.aki));
	a->sink->emit(a->sink->arg, &ev);
	if (ok)
		crl_free(&crl);
}

/*
 * The certificates of a CA download (DER or PEM certificate, PKCS#7
 * certs-only bundle): listed on a "ca_cert" event, the first one's issuer
 * resolved, then every CA among them learned.
 */
static void
handle_ca_cert(struct app_flow *af, const struct http_txn *t,
    enum obj_type st)
{
	struct app *a = af->a;
	struct wire_event ev;
	struct x509_info one, *certs = NULL;
	size_t n = 0, total = 0;
	struct rw_err err;
	int rc = -1;

	stats_incr(a->st, st == OBJ_PKCS7 ? "obj_pkcs7" : "obj_cert");
	event_init(&ev, WE_CA_CERT, af, t);
	rw_err_clear(&err);
	if (body_whole(a, &ev, &t->resp)) {
		if (st == OBJ_PKCS7)
			rc = pkcs7_certs_parse(&certs, &n, &total, t->resp.body,
			    t->resp.body_len, (size_t)a->cfg->ca_cert_max_certs,
			    &err);
		else if ((rc = x509_parse(&one, t->resp.body, t->resp.body_len,
		    &err)) == 0) {
			certs = &one;
			n = total = 1;
		}
		if (rc == -1)
			add_anomaly(a, &ev, err.reason ? err.reason :
			    "ca_cert_invalid");
	}
	if (total > n)
		stats_incr(a->st, "ca_cert_list_truncated");
	ev.certs = certs;
	ev.n_certs = n;
	ev.certs_total = total;
	if (n > 0)
		set_issuer(a, &ev, ca_registry_lookup_issuer(a->ca,
		    certs[0].issuer, certs[0].aki));
	a->sink->emit(a->sink->arg, &ev);
	learn_certs(a, certs, n);
	if (certs == &one)
		x509_info_free(&one);
	else
		x509_info_array_free(certs, n);
}

/*
 * DESIGN.md: a CryptoAPI client served a body that is no PKI object is
 * certutil abused as a downloader, or an implant wearing its User-Agent.
 * Only a 2xx answer delivered anything: an error page (a CDP's 404, a
 * redirect's HTML) is counted, not reported.  The body's hash is of the
 * whole body only; a cut one says why in the anomalies.
 */
static void
handle_cryptoapi_other(struct app_flow *af, const struct http_txn *t)
{
	struct app *a = af->a;
	const struct http_msg *r = &t->resp;
	struct cryptoapi_other co;
	struct wire_event ev;

	memset(&co, 0, sizeof(co));
	if (!cryptoapi_agent(t->req.user_agent, co.ua_version))
		return;
	stats_incr(a->st, "obj_other_cryptoapi");
	if (r->status < 200 || r->status > 299) {
		stats_incr(a->st, "cryptoapi_other_not_delivered");
		return;
	}
	event_init(&ev, WE_CRYPTOAPI_OTHER, af, t);
	co.body_len = r->body_wire_len;
	co.body_magic = obj_body_magic(r->body, r->body_len);
	if (body_whole(a, &ev, r))
		asn1_digest_hex(co.body_sha256, sizeof(co.body_sha256),
		    EVP_sha256(), r->body, r->body_len);
	ev.cryptoapi_other = &co;
	a->sink->emit(a->sink->arg, &ev);
}

static void
on_txn(void *arg, struct http_txn *t)
{
	struct app_flow *af = arg;
	const struct http_msg *q = &t->req, *r = &t->resp;
	enum obj_type rt = OBJ_NONE, st = OBJ_NONE;

	if (q->present)
		rt = obj_classify(q->body, q->body_len, q->content_type,
		    q->uri, true);
	if (r->present)
		st = obj_classify(r->body, r->body_len, r->content_type,
		    q->present ? q->uri : NULL, false);

	handle_ocsp(af, t, rt, st);
	if (rt == OBJ_TS_QUERY || st == OBJ_TS_REPLY)
		handle_timestamp(af, t, rt, st);
	switch (st) {
	case OBJ_CRL:
		handle_crl(af, t);
		break;
	case OBJ_NONE:
		/*
		 * A CRL fetch with no body to show (no response captured, 304
		 * Not Modified, HEAD) still says which CDP this host consulted.
		 */
		if (q->present && obj_classify_url(q->uri) == OBJ_CRL)
			handle_crl(af, t);
		break;
	case OBJ_CERT:
	case OBJ_PKCS7:
		handle_ca_cert(af, t, st);
		break;
	case OBJ_OTHER:
		if (q->present)
			handle_cryptoapi_other(af, t);
		break;
	default:
		break;
	}
}

/* ---- TLS ---- */

/*
 * A stapled OCSP response: decoded as any OCSP response, its issuer from
 * its CertID, judged at the handshake's time; the leaf certificate is
 * what the client "asked" about.  On success ev->ocsp_resp is resp.
 */
static void
tls_staple(struct app *a, struct wire_event *ev, const struct tls_result *res,
    struct ocsp_resp *resp, struct ocsp_verdict *v)
{
	struct ocsp_certid leaf;
	struct rw_err err;
	bool have_leaf = res->n_chain > 0 && res->chain[0].decoded;

	stats_incr(a->st, "obj_ocsp_staple");
	rw_err_clear(&err);
	if (ocsp_resp_parse(resp, res->staple, res->staple_len, &a->olim,
	    &err) == -1) {
		add_anomaly(a, ev, err.reason ? err.reason : "ocsp_resp_invalid");
		return;
	}
	ev->ocsp_resp = resp;
	ocsp_issuer(a, ev, NULL, resp);
	memset(&leaf, 0, sizeof(leaf));
	if (have_leaf)
		memcpy(leaf.serial, res->chain[0].info.serial,
		    sizeof(leaf.serial));
	judge_ocsp(a, ev, resp, have_leaf ? &leaf : NULL, 1, NULL,
	    res->ts.tv_sec, v);
}

/*
 * One "tls" event per connection (tls.h).  Chain CAs that a known CA
 * signed are learned first (they are vouched for); the others after the
 * event, like every wire certificate.
 */
static void
on_tls(void *arg, const struct tls_result *res)
{
	struct app_flow *af = arg;
	struct app *a = af->a;
	const struct x509_info *leaf;
	struct wire_event ev;
	struct ocsp_resp resp;
	struct ocsp_verdict v;
	size_t i;

	memset(&ev, 0, sizeof(ev));
	memset(&resp, 0, sizeof(resp));
	ev.type = WE_TLS;
	ev.ts = res->ts;
	ev.flow = af->f;
	ev.tls = res;
	stats_incr(a->st, "tls_events");
	/* top down, so each intermediate a known CA signed vouches for the next */
	for (i = res->n_chain; i-- > 1;)
		if (res->chain[i].decoded &&
		    ca_registry_learn_verified(a->ca, &res->chain[i].info) == 1)
			stats_incr(a->st, "ca_learned");
	if (res->staple != NULL)
		tls_staple(a, &ev, res, &resp, &v);
	if (!ev.issuer_checked && res->n_chain > 0 && res->chain[0].decoded) {
		leaf = &res->chain[0].info;
		set_issuer(a, &ev, ca_registry_lookup_issuer(a->ca, leaf->issuer,
		    leaf->aki));
	}
	a->sink->emit(a->sink->arg, &ev);
	for (i = 0; i < res->n_chain; i++)
		if (res->chain[i].decoded)
			learn_certs(a, &res->chain[i].info, 1);
	if (ev.ocsp_resp != NULL)
		learn_ocsp_certs(a, &resp, &v);
	ocsp_resp_free(&resp);
}

/* Every in-order byte of a TLS flow. */
static void
app_tls_data(struct app_flow *af, int dir, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	tls_conn_feed(af->tls, dir, p, len, ts);
}

/* ---- stream callbacks ---- */

static struct app_flow *
flow_state(struct app *a, struct flow *f)
{
	struct app_flow *af = f->app;

	if (af == NULL) {
		if ((af = calloc(1, sizeof(*af))) == NULL) {
			stats_incr(a->st, "app_oom");
			return NULL;
		}
		af->a = a;
		af->f = f;
		f->app = af;
	}
	return af;
}

static void
deliver(struct app_flow *af, int dir, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	if (len == 0)
		return;
	if (af->kind == AK_HTTP)
		http_conn_feed(af->http, dir, p, len, ts);
	else if (af->kind == AK_TLS)
		app_tls_data(af, dir, p, len, ts);
}

/*
 * The protocol of the flow is known: replay what detection held back,
 * client side first so requests queue before their responses.
 */
static void
detected(struct app_flow *af, enum detect_res res, int dir,
    const struct timeval *ts)
{
	struct app *a = af->a;
	uint8_t tmp[DETECT_MAX];
	size_t tl;
	int d;

	if ((res == DET_REQUEST && dir == 1) ||
	    (res == DET_RESPONSE && dir == 0)) {
		/* the content shows the roles were guessed wrong */
		flow_swap_roles(af->f);
		af->swapped = true;
		stats_incr(a->st, "app_roles_swapped");
		memcpy(tmp, af->det[0], af->det_len[0]);
		tl = af->det_len[0];
		memcpy(af->det[0], af->det[1], af->det_len[1]);
		af->det_len[0] = af->det_len[1];
		memcpy(af->det[1], tmp, tl);
		af->det_len[1] = tl;
	}
	switch (res) {
	case DET_REQUEST:
	case DET_RESPONSE:
		af->http = http_conn_new(&a->hlim, a->st, on_txn, af);
		if (af->http == NULL) {
			stats_incr(a->st, "app_oom");
			af->kind = AK_IGNORE;
			return;
		}
		af->kind = AK_HTTP;
		stats_incr(a->st, "http_flows");
		break;
	case DET_TLS:
		af->tls = tls_conn_new(&a->tlim, a->st, on_tls, af);
		if (af->tls == NULL) {
			stats_incr(a->st, "app_oom");
			af->kind = AK_IGNORE;
			return;
		}
		af->kind = AK_TLS;
		stats_incr(a->st, "tls_flows");
		break;
	default:
		af->kind = AK_IGNORE;
		stats_incr(a->st, "app_unknown_flows");
		return;
	}
	for (d = 0; d < 2; d++) {
		deliver(af, d, af->det[d], af->det_len[d], ts);
		af->det_len[d] = 0;
	}
}

static void
app_data(void *arg, struct flow *f, int dir, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	struct app *a = arg;
	struct app_flow *af;
	enum detect_res res;
	size_t n;

	if (len == 0 || (af = flow_state(a, f)) == NULL)
		return;
	if (af->kind == AK_DETECT) {
		n = DETECT_MAX - af->det_len[dir];
		if (n > len)
			n = len;
		memcpy(af->det[dir] + af->det_len[dir], p, n);
		af->det_len[dir] += n;
		p += n;
		len -= n;
		res = detect(af->det[dir], af->det_len[dir]);
		if (res == DET_MORE && af->det_len[dir] == DETECT_MAX)
			res = DET_NONE;
		if (res == DET_MORE)
			return;
		detected(af, res, dir, ts);
		if (af->swapped)
			dir ^= 1;	/* swapped just now, for this flow */
	}
	deliver(af, dir, p, len, ts);
}

static void
app_gap(void *arg, struct flow *f, int dir, uint64_t len,
    const struct timeval *ts)
{
	struct app *a = arg;
	struct app_flow *af;

	(void)ts;
	if ((af = flow_state(a, f)) == NULL)
		return;
	if (af->kind == AK_DETECT) {
		/* the first bytes are lost: nothing to tell the protocol by */
		af->det_len[0] = af->det_len[1] = 0;
		af->kind = AK_IGNORE;
		stats_incr(a->st, "app_unknown_flows");
		stats_incr(a->st, "app_gap_before_detect");
		return;
	}
	if (af->kind == AK_HTTP)
		http_conn_gap(af->http, dir, len);
	else if (af->kind == AK_TLS)
		tls_conn_gap(af->tls, dir, len);
}

static void
app_close(void *arg, struct flow *f, const struct timeval *ts)
{
	struct app_flow *af = f->app;

	(void)arg;
	if (af == NULL)
		return;
	if (af->http != NULL) {
		http_conn_close(af->http, ts);
		http_conn_free(af->http);
	}
	if (af->tls != NULL) {
		tls_conn_close(af->tls);
		tls_conn_free(af->tls);
	}
	free(af);
	f->app = NULL;
}

static const struct stream_ops app_ops = {
	.data = app_data,
	.gap = app_gap,
	.close = app_close,
};

const struct stream_ops *
app_stream_ops(void)
{
	return &app_ops;
}

struct app *
app_new(const struct rw_config *cfg, struct stats *st,
    const struct event_sink *sink)
{
	struct app *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->cfg = cfg;
	a->st = st;
	a->sink = sink;
	a->budget.limit = cfg->http_max_body_total;
	a->hlim.max_header_bytes = (size_t)cfg->http_max_header_bytes;
	a->hlim.max_headers = (size_t)cfg->http_max_headers;
	a->hlim.max_body = (size_t)cfg->http_max_body;
	a->hlim.max_crl_body = (size_t)cfg->http_max_crl_body;
	a->hlim.max_pending = (size_t)cfg->http_max_pending;
	a->hlim.budget = &a->budget;
	a->olim.max_entries = (size_t)cfg->ocsp_max_entries;
	a->clim.max_json_entries = (size_t)cfg->crl_max_json_entries;
	a->clim.max_entries = (size_t)cfg->crl_max_entries;
	/* one message bounds each certificate and the staple within it */
	a->tlim.max_handshake = (size_t)cfg->tls_max_handshake;
	a->tlim.max_chain = (size_t)cfg->tls_max_chain;
	a->tlim.max_cert = (size_t)cfg->tls_max_handshake;
	a->tlim.max_staple = (size_t)cfg->tls_max_handshake;
	if ((a->tlim.cache = x509_cache_new((size_t)cfg->x509_cache_max)) ==
	    NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void
app_set_ca_registry(struct app *a, struct ca_registry *reg)
{
	a->ca = reg;
}

void
app_free(struct app *a)
{
	if (a == NULL)
		return;
	x509_cache_free(a->tlim.cache);
	free(a);
}
