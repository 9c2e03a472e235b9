/*
 * test_corr.c - the correlation rules the real-tool capture does not
 * exercise, against a real redis-server (unix socket in a temp dir): a
 * never-issued serial, timestamping from a non-build host joined with
 * signtool, a CryptoAPI fetch of a non-PKI body, Defender's OCSP burst
 * tolerated, a Defender certificate row whose serial a wire CRL lists,
 * Code Integrity 3036 confirming a wire revocation, duplicate endpoint
 * events, Defender rows confirming OCSP and CRL revocations by serial
 * (both arrival orders); plus the score spec parser and the assembled Lua
 * library.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "correlate/corr.h"
#include "redis/schema.h"
#include "tests/unit/redis_server.h"
#include "tests/unit/unit.h"

struct got {
	json_t	*alerts;	/* array of copies */
};

static void
collect(void *arg, json_t *alert)
{
	struct got *g = arg;

	json_array_append_new(g->alerts, json_deep_copy(alert));
}

/* The collected alerts of a rule (borrowed), or NULL; *n counts them. */
static json_t *
find(struct got *g, const char *rule, int *n)
{
	json_t *a, *hit = NULL;
	size_t i;

	*n = 0;
	json_array_foreach(g->alerts, i, a)
		if (strcmp(json_string_value(json_object_get(a, "rule")), rule) == 0) {
			(*n)++;
			hit = a;
		}
	return hit;
}

static const char *
s_of(json_t *a, const char *k)
{
	return a == NULL ? NULL : json_string_value(json_object_get(a, k));
}

static long long
i_of(json_t *a, const char *k)
{
	return a == NULL ? -1 : (long long)json_integer_value(json_object_get(a, k));
}

static void
wire(struct corr *c, const char *json)
{
	json_error_t je;
	json_t *j = json_loads(json, 0, &je);
	struct rw_err err;

	CHECK(j != NULL);
	if (j == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", je.text);
		return;
	}
	/* batched endpoint events go first, so the order is the scenario's */
	CHECK_INT(corr_flush(c, &err), 0);
	CHECK_INT(corr_wire_event(c, NULL, j, &err), 0);
	json_decref(j);
}

static struct ep_event *
ep_new(enum ep_kind kind, const char *host, const char *utc)
{
	struct ep_event *e = calloc(1, sizeof(*e));

	ep_event_reset(e);
	e->kind = kind;
	e->event_id = kind < 100000 ? (unsigned)kind : 0;
	snprintf(e->computer, sizeof(e->computer), "%s", host);
	e->has_utc_time = ep_parse_time(utc, &e->utc_time_us) == 0;
	return e;
}

static void
conn(struct ep_event *e, const char *src, unsigned sport, const char *dst,
    unsigned dport, const char *image)
{
	snprintf(e->src_ip, sizeof(e->src_ip), "%s", src);
	snprintf(e->dst_ip, sizeof(e->dst_ip), "%s", dst);
	e->src_port = (uint16_t)sport;
	e->dst_port = (uint16_t)dport;
	e->has_ports = true;
	snprintf(e->protocol, sizeof(e->protocol), "tcp");
	snprintf(e->image, sizeof(e->image), "%s", image);
	e->initiated = EP_TRUE;
}

static void
send_ep(struct corr *c, struct ep_event *e)
{
	struct rw_err err;

	CHECK_INT(corr_endpoint_event(c, e, &err), 0);
	free(e);
}

#define OCSP(ts, src, sport, serial, status, extra)			\
	"{\"timestamp\":\"" ts "\",\"event_type\":\"ocsp\",\"src_ip\":\"" src \
	"\",\"src_port\":" #sport ",\"dest_ip\":\"192.0.2.80\",\"dest_port\":80," \
	"\"http\":{\"hostname\":\"ocsp.example.test\",\"url\":\"/" #sport "\"}," \
	"\"ocsp\":{\"request\":{\"hash_algorithm\":\"sha1\",\"requests\":[{"	\
	"\"issuer_name_hash\":\"aa\",\"issuer_key_hash\":\"bb\",\"serial\":\"" \
	serial "\"}]},\"response\":{\"status\":\"successful\",\"responses\":[{" \
	"\"hash_algorithm\":\"sha1\",\"issuer_name_hash\":\"aa\","	\
	"\"issuer_key_hash\":\"bb\",\"serial\":\"" serial "\",\"cert_status\":\"" \
	status "\"" extra "}]}}}"

/*
 * The rules, end to end, with endpoint events sent one per FCALL (rw_ep)
 * or gathered up to `batch` per call (rw_ep_batch): same alerts.
 */
static void
rules(size_t batch)
{
	static struct rw_config cfg;
	struct test_redis srv;
	struct rw_redis *r = NULL;
	struct stats st;
	struct rw_err err;
	struct corr *c;
	struct got g = { json_array() };
	struct ep_event *e;
	json_t *a;
	int i, n;
	char buf[2048];

	test_redis_init(&srv);
	CHECK_INT(test_redis_start(&srv, NULL), 0);
	config_defaults(&cfg);
	stats_init(&st);
	snprintf(cfg.redis_url, sizeof(cfg.redis_url), "%s", srv.url);
	snprintf(cfg.build_hosts, sizeof(cfg.build_hosts), "10.0.0.9, BUILD01");
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL)
		goto out;
	c = corr_new(r, &cfg, &st, &err);
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "corr_new: %s\n", err.msg);
		goto out;
	}
	corr_set_alert_sink(c, collect, &g);
	CHECK_INT(corr_set_ep_batch(c, batch, &err), 0);

	/* a serial the responder says was never issued: not a revocation */
	wire(c, OCSP("2026-01-02T03:04:05.000001Z", "10.0.0.1", 50001, "0BAD",
	    "revoked", ",\"revocation_time\":\"1970-01-01T00:00:00Z\","
	    "\"revocation_reason\":\"certificateHold\",\"not_issued\":true"));

	/* timestamping: from a workstation (joined with signtool), a build host */
	e = ep_new(EP_SYSMON_NETWORK, "WS7", "2026-01-02 03:00:00.000");
	conn(e, "10.0.0.5", 40000, "192.0.2.1", 443, "C:\\Windows\\explorer.exe");
	send_ep(c, e);
	wire(c, "{\"timestamp\":\"2026-01-02T03:04:10Z\",\"event_type\":"
	    "\"timestamp\",\"src_ip\":\"10.0.0.5\",\"src_port\":50010,"
	    "\"dest_ip\":\"192.0.2.7\",\"dest_port\":80,\"http\":{"
	    "\"hostname\":\"timestamp.example.test\"}}");
	e = ep_new(EP_SYSMON_PROCESS, "WS7", "2026-01-02 03:04:20.000");
	snprintf(e->image, sizeof(e->image), "C:\\SDK\\signtool.exe");
	snprintf(e->command_line, sizeof(e->command_line),
	    "signtool.exe sign /tr http://timestamp.example.test /fd sha256 a.exe");
	send_ep(c, e);
	wire(c, "{\"timestamp\":\"2026-01-02T03:04:11Z\",\"event_type\":"
	    "\"timestamp\",\"src_ip\":\"10.0.0.9\",\"src_port\":50011,"
	    "\"dest_ip\":\"192.0.2.7\",\"dest_port\":80}");

	/* CryptoAPI fetching something that is no PKI object */
	wire(c, "{\"timestamp\":\"2026-01-02T03:05:00Z\",\"event_type\":\"cryptoapi_other\","
	    "\"src_ip\":\"10.0.0.6\",\"src_port\":50100,\"dest_ip\":\"198.51.100.9\","
	    "\"dest_port\":80,\"http\":{\"hostname\":\"cdn.example.test\",\"url\":"
	    "\"/x.bin\",\"http_user_agent\":\"Microsoft-CryptoAPI/10.0\","
	    "\"http_content_type\":\"application/octet-stream\"}}");

	/* Defender's burst: 12 OCSP + a CRL fetch attributed to MsMpEng.exe */
	for (i = 0; i < 13; i++) {
		unsigned port = 51000u + (unsigned)i;

		e = ep_new(EP_SYSMON_NETWORK, "WS8", "2026-01-02 04:00:00.100");
		conn(e, "10.0.0.8", port, "192.0.2.80", 80,
		    "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\MsMpEng.exe");
		send_ep(c, e);
		if (i < 12) {
			snprintf(buf, sizeof(buf), "{\"timestamp\":"
			    "\"2026-01-02T04:00:00.%06dZ\",\"event_type\":\"ocsp\","
			    "\"src_ip\":\"10.0.0.8\",\"src_port\":%u,\"dest_ip\":"
			    "\"192.0.2.80\",\"dest_port\":80}", 200000 + i, port);
		} else
			snprintf(buf, sizeof(buf), "{\"timestamp\":"
			    "\"2026-01-02T04:00:01Z\",\"event_type\":\"crl\","
			    "\"src_ip\":\"10.0.0.8\",\"src_port\":%u,\"dest_ip\":"
			    "\"192.0.2.80\",\"dest_port\":80,\"http\":{\"cache_control\":"
			    "\"no-cache\"},\"crl\":{\"issuer\":\"CN=Other CA\"}}", port);
		wire(c, buf);
	}

	/* a CRL lists the serial of a file Defender saw on WS9 */
	wire(c, "{\"timestamp\":\"2026-01-02T05:00:00Z\",\"event_type\":\"crl\","
	    "\"src_ip\":\"10.0.0.20\",\"src_port\":52000,\"dest_ip\":\"192.0.2.81\","
	    "\"dest_port\":80,\"crl\":{\"issuer\":\"CN=Evil CA\",\"aki\":\"cc\","
	    "\"revoked\":[{\"serial\":\"0A0B0C\",\"reason\":\"keyCompromise\"}]}}");
	e = ep_new(EP_MDE_FILE_CERT, "WS9", "2026-01-02 05:10:00.000");
	snprintf(e->cert.serial, sizeof(e->cert.serial), "0a0b0c");
	snprintf(e->cert.signer, sizeof(e->cert.signer), "Evil Ltd");
	e->cert.is_trusted = EP_TRUE;
	send_ep(c, e);

	/* Code Integrity 3036 on WS10, a wire revocation from WS10's address */
	e = ep_new(EP_SYSMON_NETWORK, "WS10", "2026-01-02 06:00:00.000");
	conn(e, "10.0.0.10", 53000, "192.0.2.80", 80, "C:\\Windows\\System32\\svchost.exe");
	send_ep(c, e);
	e = ep_new(EP_CI_REVOKED, "WS10", "2026-01-02 06:01:00.000");
	snprintf(e->ci.file_name, sizeof(e->ci.file_name), "\\Device\\HarddiskVolume3\\x\\evil.sys");
	send_ep(c, e);
	wire(c, OCSP("2026-01-02T06:00:00.500Z", "10.0.0.10", 53000, "0EE1",
	    "revoked", ",\"revocation_time\":\"2025-01-01T00:00:00Z\","
	    "\"revocation_reason\":\"keyCompromise\""));
	/* the same Code Integrity event again (at-least-once feed) */
	e = ep_new(EP_CI_REVOKED, "WS10", "2026-01-02 06:01:00.000");
	snprintf(e->ci.file_name, sizeof(e->ci.file_name), "\\Device\\HarddiskVolume3\\x\\evil.sys");
	send_ep(c, e);

	/* a CRL of 2,500 entries goes in chunks; its last entry still joins */
	{
		json_t *crl = json_pack("{s:s,s:s,s:s,s:i,s:s,s:i,s:{s:s,s:s,s:[]}}",
		    "timestamp", "2026-01-02T07:00:00Z", "event_type", "crl",
		    "src_ip", "10.0.0.30", "src_port", 54000, "dest_ip",
		    "192.0.2.82", "dest_port", 80, "crl", "issuer", "CN=Big CA",
		    "aki", "dd", "revoked");
		json_t *list = json_object_get(json_object_get(crl, "crl"), "revoked");

		for (i = 0; i < 2500; i++) {
			snprintf(buf, sizeof(buf), "B1%04X", (unsigned)i);
			json_array_append_new(list, json_pack("{s:s,s:n}", "serial",
			    buf, "reason"));
		}
		CHECK_INT(corr_wire_event(c, NULL, crl, &err), 0);
		json_decref(crl);
		e = ep_new(EP_MDE_FILE_CERT, "WS11", "2026-01-02 07:10:00.000");
		snprintf(e->cert.serial, sizeof(e->cert.serial), "B109C3");
		e->cert.is_trusted = EP_TRUE;
		send_ep(c, e);
	}

	/* TLS: a stapled revoked answer for the leaf, from a trust-store CA;
	 * then a forged OCSP response (the sensor's verdict) */
	wire(c, "{\"timestamp\":\"2026-01-02T08:00:00Z\",\"event_type\":\"tls\","
	    "\"src_ip\":\"10.0.0.40\",\"src_port\":55000,\"dest_ip\":\"192.0.2.90\","
	    "\"dest_port\":443,\"issuer\":{\"source\":\"trust_store\",\"name\":"
	    "\"CN=Known Root\"},\"tls\":{\"sni\":\"www.example.test\",\"chain\":"
	    "[{\"serial\":\"5EAF\",\"subject\":\"CN=www.example.test\"}],"
	    "\"ocsp_staple\":{\"status\":\"successful\",\"responses\":[{"
	    "\"hash_algorithm\":\"sha1\",\"issuer_name_hash\":\"ee\","
	    "\"issuer_key_hash\":\"ff\",\"serial\":\"5EAF\",\"cert_status\":"
	    "\"revoked\",\"revocation_reason\":\"superseded\"}]}}}");
	wire(c, "{\"timestamp\":\"2026-01-02T08:01:00Z\",\"event_type\":\"ocsp\","
	    "\"src_ip\":\"10.0.0.41\",\"src_port\":55001,\"dest_ip\":\"192.0.2.91\","
	    "\"dest_port\":80,\"ocsp\":{\"response\":{\"status\":\"successful\","
	    "\"responder_id\":\"CN=Mallory\",\"signature_valid\":false,"
	    "\"responses\":[{\"hash_algorithm\":\"sha1\",\"issuer_name_hash\":"
	    "\"ee\",\"issuer_key_hash\":\"ff\",\"serial\":\"5EB0\","
	    "\"cert_status\":\"good\"}]}}}");

	CHECK_INT(corr_flush(c, &err), 0);
	CHECK_INT(rw_redis_flush(r, &err), 0);

	a = find(&g, "ocsp_untrusted_response", &n);
	CHECK_INT(n, 1);
	CHECK_STR(s_of(a, "serial"), "5EB0");
	CHECK_STR(s_of(a, "ca"), "keyhash:ff");
	CHECK(a != NULL && strstr(s_of(a, "explain"), "does not verify") != NULL);
	{
		json_t *x;
		size_t j;
		int rare_ff = 0, staple = 0;

		json_array_foreach(g.alerts, j, x) {
			if (strcmp(s_of(x, "rule"), "rare_ca") == 0 &&
			    strcmp(s_of(x, "ca"), "keyhash:ff") == 0)
				rare_ff++;
			if (strcmp(s_of(x, "rule"), "ocsp_revoked") == 0 &&
			    strcmp(s_of(x, "serial"), "5EAF") == 0) {
				staple++;
				CHECK_INT(i_of(x, "score"), 50);
				CHECK_STR(s_of(x, "issuer"), "CN=Known Root");
				CHECK(strstr(s_of(x, "explain"), "www.example.test") != NULL);
			}
		}
		CHECK_INT(staple, 1);
		CHECK_INT(rare_ff, 0);	/* the trust store knows it */
	}

	a = find(&g, "ocsp_not_issued", &n);
	CHECK_INT(n, 1);
	CHECK_STR(s_of(a, "serial"), "0BAD");
	CHECK_INT(i_of(a, "score"), 75);
	CHECK(a != NULL && strstr(s_of(a, "explain"), "never issued") != NULL);
	a = find(&g, "signing_activity", &n);
	CHECK_INT(n, 1);		/* the build host's request raised none */
	CHECK_STR(s_of(a, "src_ip"), "10.0.0.5");
	CHECK_STR(s_of(a, "host"), "ws7");
	a = find(&g, "cryptoapi_non_pki", &n);
	CHECK_INT(n, 1);
	CHECK_INT(i_of(a, "score"), 70);
	CHECK_STR(s_of(a, "src_ip"), "10.0.0.6");
	find(&g, "verification_sweep", &n);
	CHECK_INT(n, 0);		/* Defender's burst is tolerated */
	a = find(&g, "crl_listed_in_use", &n);
	CHECK_INT(n, 2);
	CHECK_STR(s_of(a, "host"), "ws11");	/* entry 2499 (0x9C3) of 2,500 */
	CHECK_STR(s_of(a, "serial"), "B109C3");
	CHECK_STR(s_of(a, "ca"), "keyhash:dd");
	a = json_array_get(g.alerts, 0);
	{
		json_t *x;
		size_t j;

		json_array_foreach(g.alerts, j, x)
			if (strcmp(s_of(x, "rule"), "crl_listed_in_use") == 0 &&
			    strcmp(s_of(x, "host"), "ws9") == 0)
				a = x;
	}
	CHECK_STR(s_of(a, "host"), "ws9");
	CHECK_STR(s_of(a, "serial"), "0A0B0C");
	CHECK_STR(s_of(a, "ca"), "keyhash:cc");
	CHECK_INT(i_of(a, "score"), 80);
	a = find(&g, "revoked_confirmed", &n);
	CHECK_INT(n, 1);
	CHECK_STR(s_of(a, "host"), "ws10");
	CHECK_STR(s_of(a, "serial"), "0EE1");
	CHECK_INT(i_of(a, "score"), 100);
	CHECK_INT(i_of(a, "count"), 2);	/* the duplicate 3036 is not new */
	find(&g, "ocsp_revoked", &n);
	CHECK_INT(n, 2);		/* 0EE1 and the staple: 0BAD was never issued */
	CHECK_INT(stats_get(&st, "corr_alerts_created"), json_array_size(g.alerts));
	CHECK_INT(stats_get(&st, "corr_fcall_error"), 0);
	CHECK_INT(stats_get(&st, "corr_ep_events"), 20);

	/* the signtool join raised the stored alert (an update, not a new one) */
	{
		const char *argv[] = { "HGET", NULL, "score" };
		size_t lens[3];
		char key[128];
		redisReply *rep;

		a = find(&g, "signing_activity", &n);
		snprintf(key, sizeof(key), "%s%s", RW_KEY_ALERT, s_of(a, "id"));
		argv[1] = key;
		for (i = 0; i < 3; i++)
			lens[i] = strlen(argv[i]);
		rep = rw_redis_cmd_argv(r, 3, argv, lens, &err);
		CHECK(rep != NULL && rep->type == REDIS_REPLY_STRING);
		if (rep != NULL) {
			CHECK_STR(rep->str, "70");
			freeReplyObject(rep);
		}
	}
	corr_free(c);
out:
	if (r != NULL)
		rw_redis_close(r);
	json_decref(g.alerts);
	test_redis_cleanup(&srv);
}

static void
test_scores(void)
{
	struct corr_scores s;
	struct rw_err err;

	corr_scores_default(&s);
	CHECK_INT(s.ocsp_revoked + s.reason[1], 90);	/* keyCompromise */
	CHECK_INT(corr_scores_set(&s, "rare_ca=55,reason-keyCompromise=45", &err), 0);
	CHECK_INT(s.rare_ca, 55);
	CHECK_INT(s.reason[1], 45);
	CHECK_INT(corr_scores_set(&s, "rare_ca=5000", &err), -1);
	CHECK_STR(err.reason, "config_bad_value");
	CHECK_INT(corr_scores_set(&s, "no_such_rule=1", &err), -1);
	CHECK_INT(corr_scores_set(&s, "rare_ca", &err), -1);
	CHECK_INT(s.rare_ca, 55);	/* unchanged on failure */
	CHECK_INT(corr_scores_set(&s, "", &err), 0);
}

static void
defender_row(struct corr *c, const char *host, const char *utc,
    const char *serial)
{
	struct ep_event *e = ep_new(EP_MDE_FILE_CERT, host, utc);

	snprintf(e->cert.serial, sizeof(e->cert.serial), "%s", serial);
	snprintf(e->cert.signer, sizeof(e->cert.signer), "Evil Ltd");
	snprintf(e->cert.issuer, sizeof(e->cert.issuer), "Evil Code Signing CA");
	e->cert.is_trusted = EP_TRUE;	/* Windows does not know yet */
	send_ep(c, e);
}

/*
 * One run of the serial-exact join: Defender rows (serials as Defender
 * spells them) and wire findings, endpoint side first or last.  The
 * alerts created go to g.
 */
static void
serial_run(bool ep_first, struct got *g)
{
	static struct rw_config cfg;
	struct test_redis srv;
	struct rw_redis *r = NULL;
	struct stats st;
	struct rw_err err;
	struct corr *c = NULL;
	int pass;

	test_redis_init(&srv);
	CHECK_INT(test_redis_start(&srv, NULL), 0);
	config_defaults(&cfg);
	stats_init(&st);
	snprintf(cfg.redis_url, sizeof(cfg.redis_url), "%s", srv.url);
	CHECK_INT(rw_redis_open(&r, &cfg, &st, &err), 0);
	if (r == NULL || (c = corr_new(r, &cfg, &st, &err)) == NULL)
		goto out;
	corr_set_alert_sink(c, collect, g);
	for (pass = 0; pass < 2; pass++) {
		if ((pass == 0) == ep_first) {
			/* "00c0ffee": the sign byte; "abcde": an odd count */
			defender_row(c, "WS20", "2026-01-03 01:02:00.000", "00c0ffee");
			defender_row(c, "WS20", "2026-01-03 01:03:00.000", "abcde");
			/* a near miss, and a row outside the window */
			defender_row(c, "WS21", "2026-01-03 01:02:00.000", "c0ffef");
			defender_row(c, "WS22", "2026-01-03 02:00:00.000", "0abcde");
		} else {
			wire(c, OCSP("2026-01-03T01:00:00Z", "10.0.0.50", 56001,
			    "C0FFEE", "revoked", ",\"revocation_time\":"
			    "\"2025-12-01T00:00:00Z\",\"revocation_reason\":"
			    "\"unspecified\""));
			wire(c, "{\"timestamp\":\"2026-01-03T01:00:30Z\","
			    "\"event_type\":\"crl\",\"src_ip\":\"10.0.0.51\","
			    "\"src_port\":56002,\"dest_ip\":\"192.0.2.81\","
			    "\"dest_port\":80,\"crl\":{\"issuer\":\"CN=Evil CA\","
			    "\"aki\":\"ee\",\"revoked\":[{\"serial\":\"0ABCDE\","
			    "\"reason\":null}]}}");
		}
	}
	CHECK_INT(rw_redis_flush(r, &err), 0);
out:
	corr_free(c);
	if (r != NULL)
		rw_redis_close(r);
	test_redis_cleanup(&srv);
}

static json_t *
find_serial(struct got *g, const char *rule, const char *serial)
{
	json_t *a;
	size_t i;

	json_array_foreach(g->alerts, i, a)
		if (strcmp(s_of(a, "rule"), rule) == 0 &&
		    s_of(a, "serial") != NULL &&
		    strcmp(s_of(a, "serial"), serial) == 0)
			return a;
	return NULL;
}

static void
test_serial_exact(void)
{
	struct got g[2] = { { json_array() }, { json_array() } };
	json_t *a;
	int k, n;

	for (k = 0; k < 2; k++) {
		serial_run(k == 0, &g[k]);
		find(&g[k], "revoked_confirmed", &n);
		CHECK_INT(n, 2);
		/* OCSP unspecified 65 + revoked_confirmed 30 */
		a = find_serial(&g[k], "revoked_confirmed", "C0FFEE");
		CHECK_STR(s_of(a, "host"), "ws20");
		CHECK_INT(i_of(a, "score"), 95);
		CHECK_STR(s_of(a, "issuer"), "Evil Code Signing CA");
		CHECK_STR(s_of(a, "subject"), "Evil Ltd");
		CHECK_STR(s_of(a, "src_ip"), "10.0.0.50");
		CHECK_INT(json_array_size(json_object_get(a, "evidence")), 2);
		CHECK(a != NULL && strstr(s_of(a, "explain"), "serial C0FFEE") != NULL);
		/* CRL listing 60 + 30 */
		a = find_serial(&g[k], "revoked_confirmed", "0ABCDE");
		CHECK_STR(s_of(a, "host"), "ws20");
		CHECK_INT(i_of(a, "score"), 90);
		/* outside correlate-window: a use of a listed serial */
		find(&g[k], "crl_listed_in_use", &n);
		CHECK_INT(n, 1);
		a = find_serial(&g[k], "crl_listed_in_use", "0ABCDE");
		CHECK_STR(s_of(a, "host"), "ws22");
		CHECK_INT(i_of(a, "score"), 60);
	}
	/* the same alerts whichever side came first */
	for (k = 0; k < 2; k++) {
		const char *serial = k == 0 ? "C0FFEE" : "0ABCDE";

		CHECK_STR(s_of(find_serial(&g[0], "revoked_confirmed", serial), "id"),
		    s_of(find_serial(&g[1], "revoked_confirmed", serial), "id"));
	}
	json_decref(g[0].alerts);
	json_decref(g[1].alerts);
}

static void
test_schema(void)
{
	const struct schema_key *k;
	size_t n, i;
	char *lib = schema_lua_library(), want[256];

	CHECK(lib != NULL);
	if (lib == NULL)
		return;
	CHECK(strncmp(lib, "#!lua name=revwire\nlocal K = {", 30) == 0);
	k = schema_keys(&n);
	for (i = 0; i < n; i++) {
		if (k[i].lua == NULL)
			continue;
		/* one FCALL's keys share a slot: every K name carries {rw} */
		CHECK(strstr(k[i].name, RW_TAG_CORR) != NULL);
		snprintf(want, sizeof(want), "%s='%s',", k[i].lua, k[i].name);
		CHECK(strstr(lib, want) != NULL);
	}
	CHECK(strstr(lib, "register_function('rw_wire'") != NULL);
	free(lib);
}

static void
test_rules(void)
{
	rules(1);
}

static void
test_rules_batched(void)
{
	rules(64);
}

UNIT_MAIN(test_scores, test_schema, test_rules, test_rules_batched,
    test_serial_exact)
