/*
 * corr.c - correlation glue (see corr.h).  The joins and rules themselves
 * run on the server, in correlate/revwire.lua; this file decides what of
 * an event the rules need, scores what can be scored locally (reason
 * weights, the endpoint profile) and reads the reply.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/sha.h>

#include "common/timefmt.h"
#include "correlate/corr.h"
#include "correlate/correlate.h"
#include "redis/schema.h"

struct corr {
	struct rw_redis			*r;
	const struct rw_config		*cfg;
	struct stats			*st;
	const struct ca_registry	*reg;
	struct score_config		 sc;
	struct corr_scores		 s;
	char				*cfgjson;	/* ARGV[2] of every FCALL */
	char				**epq;		/* endpoint events waiting */
	size_t				 nepq, epmax;	/* epmax 1: no batch */
	corr_alert_fn			 alert_fn;
	void				*alert_arg;
	bool				 loaded;	/* the library is on the server */
	char				 load_err[RW_ERR_MSG_MAX + 64];
};

static void	on_reply(void *arg, const redisReply *rep);

#define CORR_CMD_MAX	4096	/* bytes of a command line kept */
#define CORR_CRL_CHUNK	1000	/* CRL serials per FCALL */

/* CRLReason names by code, as in docs/events.md; 7 is unused. */
static const char *const reason_names[11] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", "none",
	"removeFromCRL", "privilegeWithdrawn", "aACompromise"
};

void
corr_scores_default(struct corr_scores *s)
{
	static const int64_t reason[11] = { 15, 40, 35, 0, 0, 0, 10, 10, -20,
	    20, 35 };

	memset(s, 0, sizeof(*s));
	s->ocsp_revoked = 50;
	memcpy(s->reason, reason, sizeof(reason));
	s->ocsp_not_issued = 75;
	s->revoked_confirmed = 30;
	s->crl_listed_in_use = 60;
	s->crl_key_compromise = 20;
	s->rare_ca = 40;
	s->verification_sweep = 40;
	s->sweep_nocache = 10;
	s->sweep_tool = 20;
	s->signing_activity = 50;
	s->signing_tool = 20;
	s->cryptoapi_non_pki = 70;
	s->ocsp_untrusted_response = 70;
	s->max = 100;
}

static int64_t *
score_field(struct corr_scores *s, const char *name, size_t len)
{
	static const struct { const char *n; size_t off; } f[] = {
#define F(x) { #x, offsetof(struct corr_scores, x) }
		F(ocsp_revoked), F(ocsp_not_issued), F(revoked_confirmed),
		F(crl_listed_in_use), F(crl_key_compromise), F(rare_ca),
		F(verification_sweep), F(sweep_nocache), F(sweep_tool),
		F(signing_activity), F(signing_tool), F(cryptoapi_non_pki),
		F(ocsp_untrusted_response),
		F(max),
#undef F
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strlen(f[i].n) == len && strncmp(f[i].n, name, len) == 0)
			return (int64_t *)(void *)((char *)s + f[i].off);
	if (len > 7 && strncmp(name, "reason-", 7) == 0)
		for (i = 0; i < 11; i++)
			if (strlen(reason_names[i]) == len - 7 &&
			    strncmp(reason_names[i], name + 7, len - 7) == 0)
				return &s->reason[i];
	return NULL;
}

int
corr_scores_set(struct corr_scores *s, const char *spec, struct rw_err *err)
{
	struct corr_scores t = *s;
	const char *p = spec;

	while (*p != '\0') {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		char *num_end;
		long long v;
		int64_t *f;

		if (end == NULL)
			end = p + strlen(p);
		while (*p == ' ')
			p++;
		if (eq == NULL || eq > end ||
		    (f = score_field(&t, p, (size_t)(eq - p))) == NULL) {
			rw_err_set(err, "config_bad_value", "correlate-scores: "
			    "unknown or malformed entry '%.*s'", (int)(end - p), p);
			return -1;
		}
		v = strtoll(eq + 1, &num_end, 10);
		if (num_end != end || v < -1000 || v > 1000) {
			rw_err_set(err, "config_bad_value", "correlate-scores: "
			    "want name=N with N from -1000 to 1000, have '%.*s'",
			    (int)(end - p), p);
			return -1;
		}
		*f = v;
		p = *end == ',' ? end + 1 : end;
	}
	*s = t;
	return 0;
}

/* The config object every FCALL carries (times in ms). */
static char *
config_json(const struct corr *c)
{
	const struct rw_config *g = c->cfg;
	const struct corr_scores *s = &c->s;
	json_t *o = json_object(), *b = json_array(), *sc = json_object();
	char list[RW_CONF_STR_MAX], *tok, *save = NULL, *out;

#define I(obj, k, v) json_object_set_new(obj, k, json_integer((json_int_t)(v)))
	I(o, "window", g->corr_window * 1000);
	I(o, "tool_window", g->corr_tool_window * 1000);
	I(o, "ev_ttl", g->corr_event_ttl);
	I(o, "crl_ttl", g->corr_crl_ttl);
	I(o, "ipmap_ttl", g->corr_ipmap_ttl);
	I(o, "ca_ttl", g->corr_ca_ttl);
	I(o, "alerts_max", g->alerts_max);
	I(o, "evidence_max", g->alert_evidence_max);
	I(o, "stream_maxlen", g->alerts_stream_maxlen);
	I(o, "timeline_max", g->host_timeline_max);
	I(o, "use_max", g->corr_use_max);
	I(o, "ca_max", g->ca_prevalence_max);
	I(o, "rare_hosts", g->rare_ca_hosts);
	I(o, "sweep_window", g->sweep_window * 1000);
	I(o, "sweep_min", g->sweep_min_fetches);
	snprintf(list, sizeof(list), "%s", g->build_hosts);
	for (tok = strtok_r(list, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		char *q;

		for (q = tok; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		json_array_append_new(b, json_string(tok));
	}
	json_object_set_new(o, "build_hosts", b);
	I(sc, "max", s->max);
	I(sc, "ocsp_not_issued", s->ocsp_not_issued);
	I(sc, "revoked_confirmed", s->revoked_confirmed);
	I(sc, "crl_listed_in_use", s->crl_listed_in_use);
	I(sc, "crl_key_compromise", s->crl_key_compromise);
	I(sc, "rare_ca", s->rare_ca);
	I(sc, "verification_sweep", s->verification_sweep);
	I(sc, "sweep_nocache", s->sweep_nocache);
	I(sc, "sweep_tool", s->sweep_tool);
	I(sc, "signing_activity", s->signing_activity);
	I(sc, "signing_tool", s->signing_tool);
	I(sc, "cryptoapi_non_pki", s->cryptoapi_non_pki);
	I(sc, "ocsp_untrusted_response", s->ocsp_untrusted_response);
#undef I
	json_object_set_new(o, "s", sc);
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

static int
load_library(struct rw_redis *r, void *arg, struct rw_err *err)
{
	const char *argv[3] = { "FUNCTION", "LOAD", "REPLACE" };
	const char *full[4];
	size_t lens[4];
	redisReply *rep;
	struct corr *c = arg;
	struct rw_err e;
	char *lib;
	int i;

	if ((lib = schema_lua_library()) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		return -1;
	}
	for (i = 0; i < 3; i++) {
		full[i] = argv[i];
		lens[i] = strlen(argv[i]);
	}
	full[3] = lib;
	lens[3] = strlen(lib);
	rep = rw_redis_cmd_argv(r, 4, full, lens, &e);
	free(lib);
	if (rep == NULL) {
		/* keep Redis' words: "unknown command" means Redis < 7 */
		snprintf(c->load_err, sizeof(c->load_err), "loading the revwire "
		    "function library (Redis 7 or later needed): %.190s", e.msg);
		rw_err_set(err, "corr_function_load", "%.250s", c->load_err);
		c->loaded = false;
		return -1;
	}
	freeReplyObject(rep);
	c->loaded = true;
	c->load_err[0] = '\0';
	return 0;
}

const char *
corr_load_error(const struct corr *c)
{
	return c->loaded ? NULL : c->load_err;
}

struct corr *
corr_new(struct rw_redis *r, const struct rw_config *cfg, struct stats *st,
    struct rw_err *err)
{
	struct corr *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		return NULL;
	}
	c->r = r;
	c->cfg = cfg;
	c->st = st;
	c->epmax = 1;
	score_config_defaults(&c->sc);
	corr_scores_default(&c->s);
	if (score_config_from_rw(&c->sc, cfg, err) == -1 ||
	    corr_scores_set(&c->s, cfg->corr_scores, err) == -1)
		goto fail;
	if ((c->cfgjson = config_json(c)) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		goto fail;
	}
	/*
	 * A server that refuses the library (read-only replica, out of
	 * memory, Redis < 7) leaves the correlation off, not the writer:
	 * corr_load_error() says why; the next reconnect tries again.
	 */
	(void)load_library(r, c, NULL);
	rw_redis_on_connect(r, load_library, c);
	return c;
fail:
	free(c->cfgjson);
	free(c);
	return NULL;
}

static void
epq_clear(struct corr *c)
{
	while (c->nepq > 0)
		free(c->epq[--c->nepq]);
}

void
corr_free(struct corr *c)
{
	if (c == NULL)
		return;
	epq_clear(c);
	free(c->epq);
	free(c->cfgjson);
	free(c);
}

int
corr_set_ep_batch(struct corr *c, size_t n, struct rw_err *err)
{
	char **q;

	if (n <= 1) {
		c->epmax = 1;
		return 0;
	}
	if (corr_flush(c, err) == -1)
		return -1;
	if ((q = realloc(c->epq, n * sizeof(*q))) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		return -1;
	}
	c->epq = q;
	c->epmax = n;
	return 0;
}

/*
 * FCALL rw_ep_batch 1 <K.meta> <config> <event>...: the per-call cost of
 * a function (decoding the config, the call itself) was most of what a
 * plain Sysmon 3 cost Redis.
 */
int
corr_flush(struct corr *c, struct rw_err *err)
{
	const char **argv;
	size_t *lens, i, n = c->nepq;
	int rc = -1;

	if (n == 0)
		return 0;
	argv = calloc(n + 5, sizeof(*argv));
	lens = calloc(n + 5, sizeof(*lens));
	if (argv != NULL && lens != NULL) {
		argv[0] = "FCALL";
		argv[1] = RW_FN_EP_BATCH;
		argv[2] = "1";
		argv[3] = RW_KEY_META;
		argv[4] = c->cfgjson;
		for (i = 0; i < n; i++)
			argv[5 + i] = c->epq[i];
		for (i = 0; i < n + 5; i++)
			lens[i] = strlen(argv[i]);
		rc = rw_redis_write(c->r, (int)(n + 5), argv, lens, on_reply, c);
	}
	free(argv);
	free(lens);
	epq_clear(c);
	if (rc == -1) {
		stats_add(c->st, "corr_lost", n);
		rw_err_set(err, "corr_lost", "correlation command lost (spool "
		    "full)");
	}
	return rc;
}

void
corr_set_alert_sink(struct corr *c, corr_alert_fn fn, void *arg)
{
	c->alert_fn = fn;
	c->alert_arg = arg;
}

void
corr_set_ca_registry(struct corr *c, const struct ca_registry *reg)
{
	c->reg = reg;
}

static void
set_ms_time(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	char buf[RW_TIME_BUF + 8];
	struct timeval tv;
	json_int_t ms;

	if (!json_is_number(v))
		return;
	ms = (json_int_t)json_number_value(v);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	if (rw_time_fmt_us(buf, &tv) != NULL)
		json_object_set_new(o, key, json_string(buf));
}

void
corr_alert_public(json_t *a)
{
	json_object_set_new(a, "event_type", json_string("alert"));
	set_ms_time(a, "first_seen");
	set_ms_time(a, "last_seen");
	set_ms_time(a, "updated");
	json_object_del(a, "key");
}

/* FCALL reply: an array of JSON alerts created by this call. */
static void
on_reply(void *arg, const redisReply *rep)
{
	struct corr *c = arg;
	size_t i;

	if (rep == NULL)
		return;
	if (rep->type == REDIS_REPLY_ERROR) {
		stats_incr(c->st, "corr_fcall_error");
		return;
	}
	if (rep->type != REDIS_REPLY_ARRAY)
		return;
	for (i = 0; i < rep->elements; i++) {
		const redisReply *e = rep->element[i];
		json_t *a;

		/* rw_ep_batch: the error of one event, the others went on */
		if (e->type == REDIS_REPLY_ERROR)
			stats_incr(c->st, "corr_fcall_error");
		if (e->type != REDIS_REPLY_STRING)
			continue;
		stats_incr(c->st, "corr_alerts_created");
		if (c->alert_fn == NULL ||
		    (a = json_loadb(e->str, e->len, 0, NULL)) == NULL)
			continue;
		corr_alert_public(a);
		c->alert_fn(c->alert_arg, a);
		json_decref(a);
	}
}

static int
fcall(struct corr *c, const char *fn, json_t *rec, struct rw_err *err)
{
	const char *argv[6];
	size_t lens[6];
	char *s;
	int i, rc;

	if (!c->loaded) {
		stats_incr(c->st, "corr_not_loaded");
		return 0;
	}
	if ((s = json_dumps(rec, JSON_COMPACT)) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		return -1;
	}
	argv[0] = "FCALL";
	argv[1] = fn;
	argv[2] = "1";
	argv[3] = RW_KEY_META;
	argv[4] = s;
	argv[5] = c->cfgjson;
	for (i = 0; i < 6; i++)
		lens[i] = strlen(argv[i]);
	rc = rw_redis_write(c->r, 6, argv, lens, on_reply, c);
	free(s);
	if (rc == -1) {
		stats_incr(c->st, "corr_lost");
		rw_err_set(err, "corr_lost", "correlation command lost (spool "
		    "full)");
		return -1;
	}
	return 0;
}

static void
hash_id(char prefix, const char *text, char out[20])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	int i;

	SHA256((const unsigned char *)text, strlen(text), md);
	out[0] = prefix;
	out[1] = ':';
	for (i = 0; i < 8; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 0xf];
	}
	out[18] = '\0';
}

static const char *
jget_str(const json_t *o, const char *path)
{
	char key[64];
	const char *dot;
	const json_t *v = o;

	while (v != NULL && (dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		v = json_object_get(v, key);
		path = dot + 1;
	}
	v = v != NULL ? json_object_get(v, path) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t
jget_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

void
corr_wire_id(const json_t *eve, char out[20])
{
	char buf[2048];
	const char *u = jget_str(eve, "http.url");

	snprintf(buf, sizeof(buf), "%s|%s|%s|%lld|%s|%lld|%.1024s",
	    jget_str(eve, "event_type") ? jget_str(eve, "event_type") : "",
	    jget_str(eve, "timestamp") ? jget_str(eve, "timestamp") : "",
	    jget_str(eve, "src_ip") ? jget_str(eve, "src_ip") : "",
	    (long long)jget_int(eve, "src_port"),
	    jget_str(eve, "dest_ip") ? jget_str(eve, "dest_ip") : "",
	    (long long)jget_int(eve, "dest_port"), u != NULL ? u : "");
	hash_id('w', buf, out);
}

static void
set_s(json_t *o, const char *k, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_set_new(o, k, json_string(v));
}

static bool
has_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay != NULL && *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* The issuer name the EVE carries for a CertID/CRL, if any helper set it. */
static const char *
eve_issuer_name(const json_t *o, bool *known)
{
	const json_t *is = json_object_get(o, "issuer");
	const char *src;

	if (json_is_string(is))
		return json_string_value(is);
	if (json_is_object(is)) {
		src = jget_str(is, "source");
		if (src != NULL && strcmp(src, "trust_store") == 0)
			*known = true;
		if (jget_str(is, "name") != NULL)
			return jget_str(is, "name");
		return jget_str(is, "subject");
	}
	return NULL;
}

/*
 * A CA's identity: its SHA-1 key hash when there is one (OCSP CertID,
 * CRL AKI: the same value for the same CA key), so the OCSP and the CRL
 * side of one CA meet; else its name.
 */
static void
ca_ident(struct corr *c, const json_t *certid, const char *alg,
    const char *aki, const char *name_in, const json_t *eve, json_t *rec,
    char *ca, size_t casz, char *name, size_t namesz)
{
	const char *kh = certid ? jget_str(certid, "issuer_key_hash") : NULL;
	const char *nh = certid ? jget_str(certid, "issuer_name_hash") : NULL;
	const struct ca_entry *e = NULL;
	bool known = false;
	const char *n = name_in;

	if (certid != NULL && n == NULL)
		n = eve_issuer_name(certid, &known);
	/* the sensor's own resolution: {"issuer": {"source", "name"}} */
	if (eve != NULL && json_is_object(json_object_get(eve, "issuer"))) {
		const char *en = eve_issuer_name(eve, &known);

		if (n == NULL)
			n = en;
	}
	if (kh != NULL && nh != NULL && alg != NULL)
		e = ca_registry_lookup_hash(c->reg, alg, nh, kh);
	if (e == NULL && n != NULL)
		e = ca_registry_lookup_name(c->reg, n);
	if (e != NULL) {
		n = e->name;
		known = known || e->source == CA_SRC_TRUST_STORE;
		kh = e->key_hash_sha1;
		alg = "sha1";
	} else if (aki != NULL && aki[0] != '\0') {
		kh = aki;
		alg = "sha1";
	}
	if (kh != NULL && alg != NULL && strcasecmp(alg, "sha1") == 0)
		snprintf(ca, casz, "keyhash:%s", kh);
	else if (kh != NULL)
		snprintf(ca, casz, "keyhash-%s:%s", alg ? alg : "?", kh);
	else
		snprintf(ca, casz, "%s", n != NULL ? n : "");
	for (char *p = ca; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(name, namesz, "%s", n != NULL ? n : "");
	if (rec != NULL) {
		set_s(rec, "ca", ca);
		set_s(rec, "ca_name", name);
		if (known)
			json_object_set_new(rec, "ca_known", json_true());
	}
}

static int64_t
reason_code(const char *r)
{
	int i;

	if (r == NULL)
		return 7;
	for (i = 0; i < 11; i++)
		if (strcmp(reason_names[i], r) == 0)
			return i;
	return 0;
}

/*
 * OCSP request and/or response (also a TLS staple): the serials asked
 * about are in use, the revoked answers are verdicts, and a response that
 * the sensor found forged or unauthorised is flagged.
 */
static void
add_ocsp(struct corr *c, json_t *rec, const json_t *eve, const json_t *req,
    const json_t *resp)
{
	json_t *inuse = json_array(), *vs = json_array(), *x;
	char ca[600], name[1100];
	size_t i;

	json_array_foreach(json_object_get(req, "requests"), i, x)
		if (jget_str(x, "serial") != NULL)
			json_array_append_new(inuse,
			    json_string(jget_str(x, "serial")));
	json_array_foreach(json_object_get(resp, "responses"), i, x) {
		const char *st = jget_str(x, "cert_status");
		const char *reason = jget_str(x, "revocation_reason");
		json_t *v;

		if (st == NULL || jget_str(x, "serial") == NULL)
			continue;
		ca_ident(c, x, jget_str(x, "hash_algorithm"), NULL, NULL, eve,
		    i == 0 ? rec : NULL, ca, sizeof(ca), name, sizeof(name));
		if (strcmp(st, "revoked") != 0)
			continue;
		v = json_object();
		set_s(v, "serial", jget_str(x, "serial"));
		set_s(v, "status", st);
		set_s(v, "reason", reason);
		set_s(v, "rtime", jget_str(x, "revocation_time"));
		set_s(v, "ca", ca);
		set_s(v, "issuer", name);
		if (json_is_true(json_object_get(x, "not_issued")))
			json_object_set_new(v, "not_issued", json_true());
		json_object_set_new(v, "score", json_integer(
		    c->s.ocsp_revoked + c->s.reason[reason_code(reason)]));
		json_array_append_new(vs, v);
	}
	if (json_object_get(rec, "ca") == NULL) {
		x = json_array_get(json_object_get(req, "requests"), 0);
		if (x != NULL)
			ca_ident(c, x, jget_str(req, "hash_algorithm"), NULL,
			    NULL, eve, rec, ca, sizeof(ca), name, sizeof(name));
	}
	if (json_is_false(json_object_get(resp, "signature_valid")) ||
	    json_is_false(json_object_get(resp, "responder_authorized"))) {
		json_object_set_new(rec, "untrusted", json_string(
		    json_is_false(json_object_get(resp, "signature_valid")) ?
		    "its signature does not verify under the CA's key" :
		    "its signer is not authorised by the CA"));
		set_s(rec, "responder", jget_str(resp, "responder_id"));
		if ((x = json_array_get(json_object_get(resp, "responses"), 0)))
			set_s(rec, "first_serial", jget_str(x, "serial"));
	}
	json_object_set_new(rec, "inuse", inuse);
	json_object_set_new(rec, "verdicts", vs);
}

/* A TLS handshake: the chain's serials are in use; a staple is OCSP. */
static void
add_tls(struct corr *c, json_t *rec, const json_t *eve)
{
	const json_t *tls = json_object_get(eve, "tls"), *x;
	json_t *inuse;
	size_t i;

	add_ocsp(c, rec, eve, NULL, json_object_get(tls, "ocsp_staple"));
	inuse = json_object_get(rec, "inuse");
	json_array_foreach(json_object_get(tls, "chain"), i, x)
		if (jget_str(x, "serial") != NULL)
			json_array_append_new(inuse,
			    json_string(jget_str(x, "serial")));
}

/* An AIA download: the CA is the downloaded certificate's issuer. */
static void
add_ca_cert(struct corr *c, json_t *rec, const json_t *eve)
{
	const json_t *x = json_array_get(json_object_get(json_object_get(eve,
	    "ca_cert"), "certificates"), 0);
	char ca[600], name[1100];

	if (x != NULL)
		ca_ident(c, NULL, NULL, jget_str(x, "aki"), jget_str(x, "issuer"),
		    eve, rec, ca, sizeof(ca), name, sizeof(name));
}

struct crl_walk {
	json_t		*serials;
	uint64_t	 max, n;
};

static int
crl_entry_cb(const struct crl_entry *e, void *arg)
{
	struct crl_walk *w = arg;
	json_t *p;

	if (w->n++ >= w->max)
		return 1;
	p = json_array();
	json_array_append_new(p, json_string(e->serial));
	json_array_append_new(p, json_string(e->reason >= 0 && e->reason < 11 ?
	    reason_names[e->reason] : ""));
	json_array_append_new(w->serials, p);
	return 0;
}

static void
add_crl(struct corr *c, json_t *rec, const struct wire_event *ev,
    const json_t *eve)
{
	const json_t *j = json_object_get(eve, "crl"), *x;
	struct crl_walk w = { json_array(), c->cfg->corr_crl_serials_max, 0 };
	json_t *o = json_object();
	char ca[600], name[1100];
	size_t i;

	ca_ident(c, NULL, NULL, jget_str(j, "aki"), jget_str(j, "issuer"), eve,
	    rec, ca, sizeof(ca), name, sizeof(name));
	if (ev != NULL && ev->crl != NULL) {
		if (crl_foreach_entry(ev->crl, crl_entry_cb, &w) != 0)
			stats_incr(c->st, "corr_crl_serials_cut");
	} else
		json_array_foreach(json_object_get(j, "revoked"), i, x) {
			struct crl_entry e;
			const char *r = jget_str(x, "reason");

			memset(&e, 0, sizeof(e));
			snprintf(e.serial, sizeof(e.serial), "%s",
			    jget_str(x, "serial") ? jget_str(x, "serial") : "");
			e.reason = r != NULL ? (int)reason_code(r) : -1;
			if (e.reason == 7)
				e.reason = -1;
			if (crl_entry_cb(&e, &w) != 0) {
				stats_incr(c->st, "corr_crl_serials_cut");
				break;
			}
		}
	set_s(o, "issuer", name);
	json_object_set_new(o, "serials", w.serials);
	json_object_set_new(rec, "crl", o);
}

/*
 * One FCALL for the event with the first CORR_CRL_CHUNK serials of a CRL,
 * then one per further chunk ("chunk": only the CRL listing is recorded),
 * so that a CRL of 100,000 entries never blocks Redis in one script.
 */
static int
send_wire(struct corr *c, json_t *rec, struct rw_err *err)
{
	json_t *crl = json_object_get(rec, "crl");
	json_t *all = json_object_get(crl, "serials"), *part, *chunk;
	size_t n = json_array_size(all), off, i;
	int rc;

	if (n <= CORR_CRL_CHUNK)
		return fcall(c, RW_FN_WIRE, rec, err);
	json_incref(all);
	for (off = 0, rc = 0; rc == 0 && off < n; off += CORR_CRL_CHUNK) {
		part = json_array();
		for (i = off; i < n && i < off + CORR_CRL_CHUNK; i++)
			json_array_append(part, json_array_get(all, i));
		json_object_set_new(crl, "serials", part);
		if (off == 0)
			rc = fcall(c, RW_FN_WIRE, rec, err);
		else {
			chunk = json_pack("{s:s,s:s,s:b,s:O,s:O}", "k", "wire",
			    "eid", json_string_value(json_object_get(rec, "eid")),
			    "chunk", 1, "ts", json_object_get(rec, "ts"), "crl", crl);
			if (json_object_get(rec, "ca") != NULL)
				json_object_set(chunk, "ca", json_object_get(rec, "ca"));
			rc = fcall(c, RW_FN_WIRE, chunk, err);
			json_decref(chunk);
		}
	}
	json_decref(all);
	return rc;
}

int
corr_wire_event(struct corr *c, const struct wire_event *ev, const json_t *eve,
    struct rw_err *err)
{
	const char *type = jget_str(eve, "event_type");
	const char *src = jget_str(eve, "src_ip"), *dst = jget_str(eve, "dest_ip");
	const char *cc = jget_str(eve, "http.cache_control");
	const char *pragma = jget_str(eve, "http.pragma");
	const char *ua = jget_str(eve, "http.http_user_agent");
	const char *fetch = NULL;
	char eid[20];
	int64_t ms;
	json_t *rec;
	int rc;

	if (type == NULL || src == NULL || dst == NULL) {
		stats_incr(c->st, "corr_wire_skipped");
		return 0;
	}
	if (ev != NULL)
		ms = (int64_t)ev->ts.tv_sec * 1000 + ev->ts.tv_usec / 1000;
	else if (jget_str(eve, "timestamp") == NULL ||
	    ep_parse_time(jget_str(eve, "timestamp"), &ms) == -1) {
		stats_incr(c->st, "corr_wire_skipped");
		return 0;
	} else
		ms /= 1000;
	if ((rec = json_object()) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		return -1;
	}
	corr_wire_id(eve, eid);
	json_object_set_new(rec, "k", json_string("wire"));
	json_object_set_new(rec, "eid", json_string(eid));
	json_object_set_new(rec, "type", json_string(type));
	json_object_set_new(rec, "ts", json_integer(ms));
	json_object_set_new(rec, "src", json_string(src));
	json_object_set_new(rec, "sport", json_integer(jget_int(eve, "src_port")));
	json_object_set_new(rec, "dst", json_string(dst));
	json_object_set_new(rec, "dport", json_integer(jget_int(eve, "dest_port")));
	set_s(rec, "hostname", jget_str(eve, "http.hostname"));
	set_s(rec, "ua", ua);
	if (has_nocase(cc, "no-cache") || has_nocase(pragma, "no-cache"))
		json_object_set_new(rec, "nocache", json_true());
	if (strcmp(type, "ocsp") == 0) {
		const json_t *o = json_object_get(eve, "ocsp");

		fetch = "ocsp";
		add_ocsp(c, rec, eve, json_object_get(o, "request"),
		    json_object_get(o, "response"));
	} else if (strcmp(type, "crl") == 0) {
		fetch = "crl";
		add_crl(c, rec, ev, eve);
	} else if (strcmp(type, "ca_cert") == 0) {
		fetch = "aia";
		add_ca_cert(c, rec, eve);
	} else if (strcmp(type, "tls") == 0) {
		if (jget_str(eve, "http.hostname") == NULL)
			set_s(rec, "hostname", jget_str(eve, "tls.sni"));
		add_tls(c, rec, eve);
	}
	else if (strcmp(type, "cryptoapi_other") == 0) {
		json_object_set_new(rec, "type", json_string("cryptoapi_other"));
		set_s(rec, "url", jget_str(eve, "http.url"));
		set_s(rec, "ctype", jget_str(eve, "http.http_content_type"));
	} else if (strcmp(type, "timestamp") == 0)
		set_s(rec, "tsa", jget_str(eve, "http.hostname"));
	if (fetch != NULL)
		json_object_set_new(rec, "fetch", json_string(fetch));
	rc = send_wire(c, rec, err);
	json_decref(rec);
	stats_incr(c->st, "corr_wire_events");
	return rc;
}

void
corr_ep_id(const struct ep_event *ev, char out[20])
{
	char buf[1200];

	if (ep_dedupe_key(ev, buf, sizeof(buf)) == -1)
		snprintf(buf, sizeof(buf), "%u|%s|%lld|%u|%s|%s|%u|%s|%u|%.256s|%.256s",
		    ev->event_id, ev->computer, (long long)(ev->has_utc_time ?
		    ev->utc_time_us : ev->ts_us), ev->pid, ev->process_guid,
		    ev->src_ip, ev->src_port, ev->dst_ip, ev->dst_port,
		    ev->image, ev->image_loaded);
	hash_id('e', buf, out);
}

/* What a process start is, for the sweep and signing joins; NULL if none. */
static const char *
tool_of(const struct ep_event *ev)
{
	const char *img = ev->image[0] != '\0' ? ev->image : ev->folder_path;
	const char *base = strrchr(img, '\\'), *cmd = ev->command_line;

	base = base != NULL ? base + 1 : img;
	if (strcasecmp(base, "certutil.exe") == 0 && (has_nocase(cmd, "-verify") ||
	    has_nocase(cmd, "-urlfetch") || has_nocase(cmd, "-url") ||
	    has_nocase(cmd, "/verify") || has_nocase(cmd, "/urlfetch")))
		return "certutil_verify";
	if (strncasecmp(base, "sigcheck", 8) == 0)
		return "sigcheck";
	if (strcasecmp(base, "signtool.exe") == 0 && (has_nocase(cmd, " sign") ||
	    has_nocase(cmd, " timestamp")))
		return "signtool";
	if (has_nocase(cmd, "Set-AuthenticodeSignature"))
		return "set_authenticode";
	return NULL;
}

/* A load or check that says the signature is bad; fills what/loaded. */
static bool
bad_signature(const struct ep_event *ev, json_t *rec)
{
	const char *st = ev->signature_status;

	switch (ev->kind) {
	case EP_SYSMON_IMAGE_LOAD:
		if (strcasecmp(ev->signed_text, "true") != 0 ||
		    (strcasecmp(st, "Revoked") != 0 &&
		    strcasecmp(st, "Invalid") != 0 &&
		    strcasecmp(st, "Expired") != 0))
			return false;
		json_object_set_new(rec, "what", json_pack("s+s+s",
		    "a module with signature status ", st, " was loaded"));
		set_s(rec, "loaded", ev->image_loaded);
		set_s(rec, "signature", ev->signature);
		return true;
	case EP_CI_BLOCKED:
	case EP_CI_AUDIT:
	case EP_CI_REVOKED:
		json_object_set_new(rec, "what", json_string(
		    ev->kind == EP_CI_REVOKED ? "Code Integrity found a revoked "
		    "signing certificate" : ev->kind == EP_CI_BLOCKED ?
		    "Code Integrity blocked an image that did not meet the "
		    "signing level" : "Code Integrity would have blocked an image "
		    "(audit)"));
		set_s(rec, "loaded", ev->ci.file_name);
		set_s(rec, "signature", ev->ci.publisher);
		return true;
	case EP_MDE_FILE_CERT:
		if (ev->cert.is_trusted != EP_FALSE &&
		    !(ev->cert.has_expiration && ev->has_ts &&
		    ev->cert.expiration_us < ev->ts_us))
			return false;
		json_object_set_new(rec, "what", json_string(
		    ev->cert.is_trusted == EP_FALSE ? "Defender reports an "
		    "untrusted file signature" : "Defender reports an expired "
		    "signing certificate"));
		set_s(rec, "signature", ev->cert.signer);
		return true;
	default:
		return false;
	}
}

static void
add_dns(json_t *rec, const struct ep_event *ev)
{
	char buf[EP_TEXT_MAX], *tok, *save = NULL;
	unsigned char tmp[16];
	json_t *ips = json_array();

	snprintf(buf, sizeof(buf), "%s", ev->query_results);
	for (tok = strtok_r(buf, ";", &save); tok != NULL;
	    tok = strtok_r(NULL, ";", &save)) {
		while (*tok == ' ')
			tok++;
		if (strncmp(tok, "::ffff:", 7) == 0)
			tok += 7;
		if (inet_pton(AF_INET, tok, tmp) == 1 ||
		    inet_pton(AF_INET6, tok, tmp) == 1)
			json_array_append_new(ips, json_string(tok));
	}
	set_s(rec, "dns_name", ev->query_name);
	json_object_set_new(rec, "dns_ips", ips);
}

/* Length of s cut to at most max bytes on a UTF-8 character boundary. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void
lower_copy(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/*
 * A serial as the wire writes it (upper-case hex, whole bytes, no 00 pad),
 * so that Defender's CertificateSerialNumber ("0b4a9ab6ddcdb7b2", also
 * with a sign byte or an odd digit count) meets the OCSP and CRL serials.
 * Anything that is not hex is only upper-cased (it then matches nothing).
 */
static void
serial_wire_form(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src), i, o = 0;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)src[i]))
			break;
	if (i == len) {
		while (len > 2 && src[0] == '0' && (len % 2 == 1 ||
		    src[1] == '0')) {
			/* an odd count drops one zero, an even one a 00 byte */
			src += len % 2 == 1 ? 1 : 2;
			len -= len % 2 == 1 ? 1 : 2;
		}
		if (len % 2 == 1 && o + 1 < n)
			dst[o++] = '0';
	}
	for (i = 0; i < len && o + 1 < n; i++)
		dst[o++] = (char)toupper((unsigned char)src[i]);
	dst[o] = '\0';
}

int
corr_endpoint_event(struct corr *c, const struct ep_event *ev,
    struct rw_err *err)
{
	struct score_result res;
	char eid[20], host[EP_NAME_MAX];
	const char *tool = NULL;
	bool keep = false, bad;
	int64_t us;
	json_t *rec;
	int rc;

	if (ev->computer[0] == '\0' || !(ev->has_utc_time || ev->has_ts)) {
		stats_incr(c->st, "corr_ep_skipped");
		return 0;
	}
	us = ev->has_utc_time ? ev->utc_time_us : ev->ts_us;
	if ((rec = json_object()) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		return -1;
	}
	lower_copy(host, sizeof(host), ev->computer);
	json_object_set_new(rec, "k", json_string("ep"));
	json_object_set_new(rec, "kind", json_integer(
	    ev->kind == EP_MDE_NETWORK ? 3 : ev->kind == EP_MDE_PROCESS ? 1 :
	    (json_int_t)ev->kind));
	json_object_set_new(rec, "ts", json_integer(us / 1000));
	json_object_set_new(rec, "host", json_string(host));
	set_s(rec, "image", ev->image[0] != '\0' ? ev->image : ev->folder_path);
	set_s(rec, "user", ev->user);
	set_s(rec, "guid", ev->process_guid);
	if (ev->has_pid)
		json_object_set_new(rec, "pid", json_integer(ev->pid));
	if ((ev->kind == EP_SYSMON_NETWORK || ev->kind == EP_MDE_NETWORK) &&
	    ev->has_ports && ev->src_ip[0] != '\0' && ev->dst_ip[0] != '\0' &&
	    (ev->protocol[0] == '\0' || strcmp(ev->protocol, "tcp") == 0) &&
	    ev->initiated != EP_FALSE) {
		set_s(rec, "src", ev->src_ip);
		set_s(rec, "dst", ev->dst_ip);
		json_object_set_new(rec, "sport", json_integer(ev->src_port));
		json_object_set_new(rec, "dport", json_integer(ev->dst_port));
		keep = true;
	}
	if (ev->kind == EP_SYSMON_DNS && ev->query_name[0] != '\0') {
		add_dns(rec, ev);
		keep = true;
	}
	if ((ev->kind == EP_SYSMON_PROCESS || ev->kind == EP_MDE_PROCESS) &&
	    (tool = tool_of(ev)) != NULL) {
		json_object_set_new(rec, "tool", json_string(tool));
		/* a command line is kept to CORR_CMD_MAX bytes, UTF-8 safe */
		json_object_set_new(rec, "cmd", json_stringn_nocheck(
		    ev->command_line, utf8_cut(ev->command_line, CORR_CMD_MAX)));
		keep = true;
	}
	bad = bad_signature(ev, rec);
	if (bad) {
		json_object_set_new(rec, "bad", json_true());
		keep = true;
	}
	if (score_revwire_eval(&c->sc.revwire, ev, NULL, us, &res)) {
		json_object_set_new(rec, "flagged", json_true());
		json_object_set_new(rec, "explain", json_string(res.explain));
		set_s(rec, "loaded", ev->image_loaded[0] != '\0' ?
		    ev->image_loaded : ev->ci.file_name);
		set_s(rec, "sha1", ev->sha1[0] != '\0' ? ev->sha1 : ev->cert.sha1);
		keep = true;
	}
	json_object_set_new(rec, "score", json_integer(bad || res.flagged ?
	    res.score : 0));
	if (ev->kind == EP_MDE_FILE_CERT && ev->cert.serial[0] != '\0') {
		char serial[EP_NAME_MAX];

		serial_wire_form(serial, sizeof(serial), ev->cert.serial);
		set_s(rec, "serial", serial);
		set_s(rec, "cert_issuer", ev->cert.issuer);
		set_s(rec, "signature", ev->cert.signer);
		keep = true;
	}
	if (!keep) {
		json_decref(rec);
		stats_incr(c->st, "corr_ep_skipped");
		return 0;
	}
	/* a SHA-256: only for the events that go to Redis */
	corr_ep_id(ev, eid);
	json_object_set_new(rec, "eid", json_string(eid));
	stats_incr(c->st, "corr_ep_events");
	if (c->epmax <= 1) {
		rc = fcall(c, RW_FN_EP, rec, err);
		json_decref(rec);
		return rc;
	}
	rc = 0;
	if (!c->loaded)
		stats_incr(c->st, "corr_not_loaded");
	else if ((c->epq[c->nepq] = json_dumps(rec, JSON_COMPACT)) == NULL) {
		rw_err_set(err, "corr_oom", "%s: out of memory", __func__);
		rc = -1;
	} else if (++c->nepq == c->epmax)
		rc = corr_flush(c, err);
	json_decref(rec);
	return rc;
}
