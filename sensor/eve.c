/*
 * eve.c - wire events as JSON lines (Suricata EVE style).  Field names and
 * presence rules are documented in docs/events.md and pinned by
 * docs/eve.schema.json: an absent value is omitted, never 0 or "", except
 * revocation reasons, which are null when the object carries none.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "sensor/eve.h"
#include "sensor/eve_tsp.h"
#include "sensor/eve_cert.h"

struct eve {
	FILE			*f;
	bool			 is_stdout;
	char			 path[RW_CONF_STR_MAX];
	const struct rw_config	*cfg;
	struct stats		*st;
};

/*
 * jansson refuses invalid UTF-8, so such text is carried escaped (\xNN)
 * rather than dropped.
 */
json_t *
eve_jstr(const char *s)
{
	json_t *j;
	char *esc;
	size_t n;

	if ((j = json_string(s)) != NULL)
		return j;
	n = strlen(s);
	/* every byte may become 4, plus "..." and the NUL */
	if (n > (SIZE_MAX - 8) / 4 || (esc = malloc(4 * n + 8)) == NULL)
		return NULL;
	rw_escape(esc, 4 * n + 8, s, n);
	j = json_string(esc);
	free(esc);
	return j;
}

void
eve_set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL && s[0] != '\0')
		json_object_set_new(o, key, eve_jstr(s));
}

static void
set_time(json_t *o, const char *key, time_t t)
{
	char buf[RW_TIME_BUF];

	eve_set_str(o, key, rw_time_fmt(buf, t));
}

/* A reason name, or null when absent; unknown codes as their number. */
static json_t *
reason_json(int code)
{
	const char *name;
	char num[16];

	if (code < 0)
		return json_null();
	if ((name = asn1_reason_name(code)) != NULL)
		return json_string(name);
	snprintf(num, sizeof(num), "%d", code);
	return json_string(num);
}

static void
add_flow(json_t *o, const struct flow *f)
{
	char ip[INET6_ADDRSTRLEN];
	int af = f->family == 6 ? AF_INET6 : AF_INET;

	json_object_set_new(o, "flow_id", json_integer((json_int_t)f->id));
	if (inet_ntop(af, f->cli_ip, ip, sizeof(ip)) != NULL)
		json_object_set_new(o, "src_ip", json_string(ip));
	json_object_set_new(o, "src_port", json_integer(f->cli_port));
	if (inet_ntop(af, f->srv_ip, ip, sizeof(ip)) != NULL)
		json_object_set_new(o, "dest_ip", json_string(ip));
	json_object_set_new(o, "dest_port", json_integer(f->srv_port));
	json_object_set_new(o, "proto", json_string("TCP"));
	if (f->vlan != 0)
		json_object_set_new(o, "vlan", json_integer(f->vlan));
}

static json_t *
http_json(const struct http_txn *t)
{
	const struct http_msg *q = &t->req, *r = &t->resp;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (q->present) {
		eve_set_str(o, "hostname", q->host);
		eve_set_str(o, "url", q->uri);
		eve_set_str(o, "http_method", q->method);
	}
	if (r->present)
		json_object_set_new(o, "status", json_integer(r->status));
	if (q->present)
		eve_set_str(o, "http_user_agent", q->user_agent);
	/* the object's label: the response's, else the request's (POST) */
	eve_set_str(o, "http_content_type", r->present && r->content_type != NULL ?
	    r->content_type : q->present ? q->content_type : NULL);
	if (q->present) {
		eve_set_str(o, "cache_control", q->cache_control);
		eve_set_str(o, "pragma", q->pragma);
		json_object_set_new(o, "conditional",
		    json_boolean(q->conditional));
		json_object_set_new(o, "request_body_length",
		    json_integer((json_int_t)q->body_wire_len));
	}
	if (r->present)
		json_object_set_new(o, "response_body_length",
		    json_integer((json_int_t)r->body_wire_len));
	json_object_set_new(o, "body_truncated",
	    json_boolean((q->present && q->body_truncated) ||
	    (r->present && r->body_truncated)));
	return o;
}

static json_t *
certid_json(const struct ocsp_certid *id, bool with_alg)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (with_alg)
		eve_set_str(o, "hash_algorithm", id->hash_alg);
	eve_set_str(o, "issuer_name_hash", id->issuer_name_hash);
	eve_set_str(o, "issuer_key_hash", id->issuer_key_hash);
	eve_set_str(o, "serial", id->serial);
	return o;
}

static json_t *
ocsp_req_json(const struct ocsp_req *req, bool get)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;

	if (o == NULL || a == NULL) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	if (req->n_ids > 0)
		eve_set_str(o, "hash_algorithm", req->ids[0].hash_alg);
	for (i = 0; i < req->n_ids; i++)
		json_array_append_new(a, certid_json(&req->ids[i], false));
	json_object_set_new(o, "requests", a);
	if (req->has_nonce)
		eve_set_str(o, "nonce", req->nonce);
	eve_set_str(o, "requestor", req->requestor);
	json_object_set_new(o, "get", json_boolean(get));
	return o;
}

static json_t *
single_json(const struct ocsp_single *s)
{
	json_t *o = certid_json(&s->id, true);

	if (o == NULL)
		return NULL;
	eve_set_str(o, "cert_status", ocsp_cert_status_name(s->status));
	if (s->has_revocation_time)
		set_time(o, "revocation_time", s->revocation_time);
	json_object_set_new(o, "revocation_reason",
	    reason_json(s->revocation_reason));
	set_time(o, "this_update", s->this_update);
	if (s->has_next_update)
		set_time(o, "next_update", s->next_update);
	json_object_set_new(o, "not_issued", json_boolean(s->not_issued));
	return o;
}

/*
 * An OCSP response with its verdict (NULL: not judged): the one shape of
 * "ocsp.response" and of the TLS "ocsp_staple".
 */
static json_t *
ocsp_resp_json(const struct ocsp_resp *resp, const struct ocsp_verdict *v)
{
	const char *name = ocsp_resp_status_name(resp->status);
	json_t *o = json_object(), *a;
	char num[16];
	size_t i;

	if (o == NULL)
		return NULL;
	snprintf(num, sizeof(num), "%d", resp->status);
	eve_set_str(o, "status", name != NULL ? name : num);
	if (!resp->has_basic)
		return o;
	eve_set_str(o, "responder_id", resp->responder_id);
	json_object_set_new(o, "responder_id_type",
	    json_string(resp->responder_by_key ? "key" : "name"));
	set_time(o, "produced_at", resp->produced_at);
	json_object_set_new(o, "certs", json_integer((json_int_t)resp->n_certs));
	if (resp->has_nonce)
		eve_set_str(o, "nonce", resp->nonce);
	if ((a = json_array()) != NULL) {
		for (i = 0; i < resp->n_singles; i++)
			json_array_append_new(a, single_json(&resp->singles[i]));
		json_object_set_new(o, "responses", a);
	}
	json_object_set_new(o, "truncated",
	    json_boolean(resp->n_singles < resp->n_total));
	ocsp_verdict_json(o, v);
	return o;
}

static json_t *
crl_json(const struct crl *c)
{
	json_t *o = json_object(), *a, *e;
	size_t i;

	if (o == NULL)
		return NULL;
	eve_set_str(o, "issuer", c->issuer);
	if (c->has_crl_number)
		eve_set_str(o, "crl_number", c->crl_number);
	json_object_set_new(o, "delta", json_boolean(c->is_delta));
	if (c->is_delta)
		eve_set_str(o, "delta_base", c->delta_base);
	set_time(o, "this_update", c->this_update);
	if (c->has_next_update)
		set_time(o, "next_update", c->next_update);
	eve_set_str(o, "aki", c->aki);
	json_object_set_new(o, "revoked_count",
	    json_integer((json_int_t)c->revoked_count));
	if ((a = json_array()) != NULL) {
		for (i = 0; i < c->n_entries; i++) {
			if ((e = json_object()) == NULL)
				break;
			eve_set_str(e, "serial", c->entries[i].serial);
			set_time(e, "revocation_date",
			    c->entries[i].revocation_date);
			json_object_set_new(e, "reason",
			    reason_json(c->entries[i].reason));
			json_array_append_new(a, e);
		}
		json_object_set_new(o, "revoked", a);
	}
	json_object_set_new(o, "revoked_truncated",
	    json_boolean(c->entries_truncated));
	return o;
}

/* The "tls" object: the handshake and its staple, decoded as in "ocsp". */
static json_t *
tls_json(const struct wire_event *ev)
{
	json_t *o = tls_result_json(ev->tls);

	if (o != NULL && ev->ocsp_resp != NULL)
		json_object_set_new(o, "ocsp_staple",
		    ocsp_resp_json(ev->ocsp_resp, ev->ocsp_verdict));
	return o;
}

/* What a CryptoAPI client was served instead of a PKI object. */
static json_t *
cryptoapi_other_json(const struct cryptoapi_other *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "body_len",
	    json_integer((json_int_t)c->body_len));
	eve_set_str(o, "body_sha256", c->body_sha256);
	eve_set_str(o, "body_magic", c->body_magic);
	eve_set_str(o, "ua_version", c->ua_version);
	return o;
}

/* Objects of the certificate events (ca_cert, tls) and the issuer. */
static void
add_cert_objects(json_t *o, const struct wire_event *ev)
{
	if (ev->type == WE_CA_CERT && (ev->n_certs > 0 || ev->certs_total > 0))
		json_object_set_new(o, "ca_cert", ca_cert_json(ev->certs,
		    ev->n_certs, ev->certs_total));
	if (ev->type == WE_TLS && ev->tls != NULL)
		json_object_set_new(o, "tls", tls_json(ev));
	if (ev->issuer_checked)
		json_object_set_new(o, "issuer", issuer_json(ev->issuer));
}

json_t *
eve_event_json(const struct wire_event *ev, const struct rw_config *cfg)
{
	char ts[RW_TIME_BUF];
	json_t *o, *x, *a;
	size_t i;

	(void)cfg;	/* limits were applied by the decoders */
	if ((o = json_object()) == NULL)
		return NULL;
	eve_set_str(o, "timestamp", rw_time_fmt_us(ts, &ev->ts));
	json_object_set_new(o, "event_type",
	    json_string(wire_event_type_name(ev->type)));
	if (ev->flow != NULL)
		add_flow(o, ev->flow);
	if (ev->http != NULL)
		json_object_set_new(o, "http", http_json(ev->http));
	if (ev->type == WE_OCSP &&
	    (ev->ocsp_req != NULL || ev->ocsp_resp != NULL) &&
	    (x = json_object()) != NULL) {
		if (ev->ocsp_req != NULL)
			json_object_set_new(x, "request",
			    ocsp_req_json(ev->ocsp_req, ev->ocsp_get));
		if (ev->ocsp_resp != NULL)
			json_object_set_new(x, "response",
			    ocsp_resp_json(ev->ocsp_resp, ev->ocsp_verdict));
		json_object_set_new(o, "ocsp", x);
	}
	if (ev->type == WE_CRL && ev->crl != NULL)
		json_object_set_new(o, "crl", crl_json(ev->crl));
	if (ev->type == WE_TIMESTAMP)
		json_object_set_new(o, "tsp",
		    tsp_json(ev->tsp_req, ev->tsp_resp));
	if (ev->type == WE_CRYPTOAPI_OTHER && ev->cryptoapi_other != NULL)
		json_object_set_new(o, "cryptoapi_other",
		    cryptoapi_other_json(ev->cryptoapi_other));
	add_cert_objects(o, ev);
	if (ev->n_anomalies > 0 && (a = json_array()) != NULL) {
		for (i = 0; i < ev->n_anomalies && i < WE_MAX_ANOMALIES; i++)
			if (ev->anomalies[i] != NULL)
				json_array_append_new(a,
				    eve_jstr(ev->anomalies[i]));
		json_object_set_new(o, "anomalies", a);
	}
	return o;
}

struct eve *
eve_open(const char *path, const struct rw_config *cfg, struct stats *st,
    struct rw_err *err)
{
	struct eve *e;

	if (strlen(path) >= sizeof(e->path)) {
		rw_err_set(err, "eve_path_too_long", "json path longer than "
		    "%zu bytes", sizeof(e->path) - 1);
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		rw_err_set(err, "eve_oom", "%s: out of memory", __func__);
		return NULL;
	}
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->cfg = cfg;
	e->st = st;
	if (strcmp(path, "-") == 0) {
		e->f = stdout;
		e->is_stdout = true;
		return e;
	}
	if ((e->f = fopen(path, "a")) == NULL) {
		rw_err_set(err, "eve_open", "%s: %s", path, strerror(errno));
		free(e);
		return NULL;
	}
	return e;
}

int
eve_write_json(struct eve *e, const json_t *j)
{
	char *s, *line;
	size_t n;
	int rc = -1;

	if ((s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		return -1;
	n = strlen(s);
	/* one fwrite per line, so concurrent readers never see half a line */
	if ((line = realloc(s, n + 2)) == NULL)
		goto out;
	s = line;
	s[n] = '\n';
	s[n + 1] = '\0';
	if (e->f != NULL && fwrite(s, 1, n + 1, e->f) == n + 1 &&
	    fflush(e->f) == 0)
		rc = 0;
 out:
	free(s);
	return rc;
}

void
eve_emit(void *arg, const struct wire_event *ev)
{
	struct eve *e = arg;
	json_t *j;
	bool ok = false;

	if ((j = eve_event_json(ev, e->cfg)) != NULL)
		ok = eve_write_json(e, j) == 0;
	json_decref(j);
	if (e->st != NULL)
		stats_incr(e->st, ok ? "eve_events" : "eve_write_errors");
}

int
eve_reopen(struct eve *e, struct rw_err *err)
{
	FILE *f;

	if (e->is_stdout)
		return 0;
	/* open the new file first, so a failed reopen keeps the old one */
	if ((f = fopen(e->path, "a")) == NULL) {
		rw_err_set(err, "eve_open", "%s: %s", e->path, strerror(errno));
		return -1;
	}
	if (e->f != NULL)
		fclose(e->f);
	e->f = f;
	return 0;
}

void
eve_close(struct eve *e)
{
	if (e == NULL)
		return;
	if (e->f != NULL) {
		if (e->is_stdout)
			fflush(e->f);
		else
			fclose(e->f);
	}
	free(e);
}
