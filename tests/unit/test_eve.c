/*
 * test_eve.c - JSON lines from wire events built on real DER: the Zeek
 * ocsp-revoked.pcap POST exchange, the Zeek ocsp-http-get.pcap GET
 * request, the malformedRequest answer of nDPI's http_invalid_server.pcap
 * and pyca's crl_all_reasons.pem.  Each event is read back and its fields
 * checked; the lines go to $RW_EVE_OUT when set (tests/eve-schema.sh
 * validates them against docs/eve.schema.json), else to a temp file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/stats.h"
#include "proto/proto.h"
#include "sensor/eve.h"
#include "tests/unit/unit.h"
#include "tests/unit/vectors.h"

static const struct ocsp_limits olim = { 1024 };
static const struct crl_limits clim = { 10000, 10000000 };
static char out_path[4096];
static struct rw_config cfg;

static void
flow_init(struct flow *f, int family)
{
	memset(f, 0, sizeof(*f));
	f->id = 1234567890123ULL;
	f->family = (uint8_t)family;
	if (family == 4) {
		inet_pton(AF_INET, "192.168.1.227", f->cli_ip);
		inet_pton(AF_INET, "23.5.251.27", f->srv_ip);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", f->cli_ip);
		inet_pton(AF_INET6, "2001:db8::80", f->srv_ip);
		f->vlan = 42;
	}
	f->cli_port = 49152;
	f->srv_port = 80;
}

/* Emits ev through a fresh eve on out_path; returns the parsed last line. */
static json_t *
emit_and_read(const struct wire_event *ev)
{
	struct stats st;
	struct rw_err err;
	struct eve *e;
	json_error_t jerr;
	json_t *j = NULL;
	char line[65536];
	FILE *f;

	stats_init(&st);
	if ((e = eve_open(out_path, &cfg, &st, &err)) == NULL) {
		CHECK(e != NULL);
		return NULL;
	}
	eve_emit(e, ev);
	eve_close(e);
	CHECK_INT(stats_get(&st, "eve_events"), 1);
	CHECK_INT(stats_get(&st, "eve_write_errors"), 0);
	if ((f = fopen(out_path, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		json_decref(j);
		/* one compact object per line, newline-terminated */
		CHECK(line[strlen(line) - 1] == '\n');
		CHECK(strstr(line, ": ") == NULL);
		j = json_loads(line, 0, &jerr);
	}
	fclose(f);
	CHECK(j != NULL);
	return j;
}

static const char *
s(json_t *o, const char *path)
{
	char buf[256], *tok, *save = NULL;
	json_t *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && cur != NULL;
	    tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)atoi(tok));
		else
			cur = json_object_get(cur, tok);
	}
	if (cur == NULL)
		return "(absent)";
	if (json_is_null(cur))
		return "(null)";
	if (json_is_true(cur))
		return "true";
	if (json_is_false(cur))
		return "false";
	if (json_is_integer(cur)) {
		static char num[4][32];
		static int i;

		i = (i + 1) % 4;
		snprintf(num[i], sizeof(num[i]), "%lld",
		    (long long)json_integer_value(cur));
		return num[i];
	}
	return json_is_string(cur) ? json_string_value(cur) : "(object)";
}

static void
test_ocsp_post_revoked(void)
{
	struct ocsp_req req;
	struct ocsp_resp resp;
	struct wire_event ev;
	struct http_txn txn;
	struct flow f;
	struct rw_err err;
	uint8_t *qder, *rder;
	size_t qlen, rlen;
	json_t *j;

	qder = vec_local("zeek/ocsp-revoked-req1.der", &qlen);
	rder = vec_local("zeek/ocsp-revoked-resp1.der", &rlen);
	if (qder == NULL || rder == NULL) {
		CHECK(qder != NULL && rder != NULL);
		free(qder);
		free(rder);
		return;
	}
	CHECK_INT(ocsp_req_parse(&req, qder, qlen, &olim, &err), 0);
	CHECK_INT(ocsp_resp_parse(&resp, rder, rlen, &olim, &err), 0);
	flow_init(&f, 4);
	memset(&txn, 0, sizeof(txn));
	/* HTTP/1.0 POST without Host or User-Agent, as in the capture */
	txn.req.present = true;
	snprintf(txn.req.method, sizeof(txn.req.method), "POST");
	txn.req.uri = (char *)"/";
	txn.req.content_type = (char *)"application/ocsp-request";
	txn.req.body_wire_len = qlen;
	txn.resp.present = true;
	txn.resp.status = 200;
	txn.resp.content_type = (char *)"application/ocsp-response";
	txn.resp.body_wire_len = rlen;
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_OCSP;
	ev.ts.tv_sec = 1436286514;	/* 2015-07-07T16:28:34Z */
	ev.ts.tv_usec = 42;
	ev.flow = &f;
	ev.http = &txn;
	ev.ocsp_req = &req;
	ev.ocsp_resp = &resp;

	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "timestamp"), "2015-07-07T16:28:34.000042Z");
		CHECK_STR(s(j, "event_type"), "ocsp");
		CHECK_STR(s(j, "flow_id"), "1234567890123");
		CHECK_STR(s(j, "src_ip"), "192.168.1.227");
		CHECK_STR(s(j, "src_port"), "49152");
		CHECK_STR(s(j, "dest_ip"), "23.5.251.27");
		CHECK_STR(s(j, "dest_port"), "80");
		CHECK_STR(s(j, "proto"), "TCP");
		CHECK_STR(s(j, "vlan"), "(absent)");
		CHECK_STR(s(j, "http.hostname"), "(absent)");
		CHECK_STR(s(j, "http.url"), "/");
		CHECK_STR(s(j, "http.http_method"), "POST");
		CHECK_STR(s(j, "http.status"), "200");
		CHECK_STR(s(j, "http.http_user_agent"), "(absent)");
		CHECK_STR(s(j, "http.http_content_type"),
		    "application/ocsp-response");
		CHECK_STR(s(j, "http.request_body_length"), "120");
		CHECK_STR(s(j, "http.response_body_length"), "1619");
		CHECK_STR(s(j, "http.body_truncated"), "false");
		CHECK_STR(s(j, "ocsp.request.hash_algorithm"), "sha1");
		CHECK_STR(s(j, "ocsp.request.requests.0.serial"),
		    "010BF45E184C4169AB61B41168DF802E");
		CHECK_STR(s(j, "ocsp.request.requests.0.issuer_name_hash"),
		    "74241467069ff5e0983f5e3e1a6ba0652a541575");
		CHECK_STR(s(j, "ocsp.request.nonce"),
		    "09577804de27b822e82e5a7e2862490c");
		CHECK_STR(s(j, "ocsp.request.get"), "false");
		CHECK_STR(s(j, "ocsp.request.requestor"), "(absent)");
		CHECK_STR(s(j, "ocsp.response.status"), "successful");
		CHECK_STR(s(j, "ocsp.response.responder_id"),
		    "f6215e926eb3ec41fe08fc25f09fb1b9a0344a10");
		CHECK_STR(s(j, "ocsp.response.responder_id_type"), "key");
		CHECK_STR(s(j, "ocsp.response.produced_at"),
		    "2015-07-07T16:28:34Z");
		CHECK_STR(s(j, "ocsp.response.certs"), "1");
		CHECK_STR(s(j, "ocsp.response.nonce"), "(absent)");
		CHECK_STR(s(j, "ocsp.response.responses.0.cert_status"),
		    "revoked");
		CHECK_STR(s(j, "ocsp.response.responses.0.revocation_time"),
		    "2015-05-14T14:58:49Z");
		CHECK_STR(s(j, "ocsp.response.responses.0.revocation_reason"),
		    "superseded");
		CHECK_STR(s(j, "ocsp.response.responses.0.this_update"),
		    "2015-07-07T16:28:34Z");
		CHECK_STR(s(j, "ocsp.response.responses.0.next_update"),
		    "2015-09-29T01:12:42Z");
		CHECK_STR(s(j, "ocsp.response.responses.0.not_issued"), "false");
		CHECK_STR(s(j, "ocsp.response.truncated"), "false");
		CHECK_STR(s(j, "anomalies"), "(absent)");
		json_decref(j);
	}
	ocsp_req_free(&req);
	ocsp_resp_free(&resp);
	free(qder);
	free(rder);
}

static void
test_ocsp_get_v6(void)
{
	static const char uri[] = "/ocsp/MEkwRzBFMEMwQTAJBgUrDgMCGgUABBTy4Gr5"
	    "hYodjXCbSRkjeqm1Gih%2BZAQUSt0GFhu89mi1dvWBtrtiGrpagS8CCD1HRJb%2FlC"
	    "MW";
	struct ocsp_req req;
	struct wire_event ev;
	struct http_txn txn;
	struct flow f;
	struct rw_err err;
	uint8_t *der;
	size_t len;
	json_t *j;

	CHECK_INT(ocsp_get_decode(uri, strlen(uri), &der, &len, 4096, &err), 0);
	CHECK_INT(ocsp_req_parse(&req, der, len, &olim, &err), 0);
	flow_init(&f, 6);
	memset(&txn, 0, sizeof(txn));
	txn.req.present = true;
	snprintf(txn.req.method, sizeof(txn.req.method), "GET");
	txn.req.uri = (char *)uri;
	txn.req.host = (char *)"clients1.google.com";
	txn.req.user_agent = (char *)"Mozilla/5.0 (Windows NT 6.1; WOW64; "
	    "rv:39.0) Gecko/20100101 Firefox/39.0";
	txn.req.cache_control = (char *)"no-cache";
	txn.req.pragma = (char *)"no-cache";
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_OCSP;
	ev.ts.tv_sec = 1436577056;
	ev.flow = &f;
	ev.http = &txn;
	ev.ocsp_req = &req;
	ev.ocsp_get = true;
	ev.anomalies[0] = "ocsp_response_missing";
	ev.n_anomalies = 1;
	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "src_ip"), "2001:db8::1");
		CHECK_STR(s(j, "dest_ip"), "2001:db8::80");
		CHECK_STR(s(j, "vlan"), "42");
		CHECK_STR(s(j, "http.hostname"), "clients1.google.com");
		CHECK_STR(s(j, "http.http_method"), "GET");
		CHECK_STR(s(j, "http.status"), "(absent)");
		CHECK_STR(s(j, "http.cache_control"), "no-cache");
		CHECK_STR(s(j, "http.pragma"), "no-cache");
		CHECK_STR(s(j, "http.conditional"), "false");
		CHECK_STR(s(j, "ocsp.request.get"), "true");
		CHECK_STR(s(j, "ocsp.request.requests.0.serial"),
		    "3D474496FF942316");
		CHECK_STR(s(j, "ocsp.request.nonce"), "(absent)");
		CHECK_STR(s(j, "ocsp.response"), "(absent)");
		CHECK_STR(s(j, "anomalies.0"), "ocsp_response_missing");
		json_decref(j);
	}
	ocsp_req_free(&req);
	free(der);
}

static void
test_ocsp_malformed_request(void)
{
	static const uint8_t body[] = { 0x30, 0x03, 0x0a, 0x01, 0x01 };
	struct ocsp_resp resp;
	struct wire_event ev;
	struct rw_err err;
	json_t *j;

	CHECK_INT(ocsp_resp_parse(&resp, body, sizeof(body), &olim, &err), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_OCSP;
	ev.ts.tv_sec = 1689292800;
	ev.ocsp_resp = &resp;
	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "flow_id"), "(absent)");
		CHECK_STR(s(j, "ocsp.response.status"), "malformedRequest");
		CHECK_STR(s(j, "ocsp.response.responder_id"), "(absent)");
		CHECK_STR(s(j, "ocsp.response.responses"), "(absent)");
		json_decref(j);
	}
	ocsp_resp_free(&resp);
}

static void
test_crl_event(void)
{
	struct crl_limits l = clim;
	struct wire_event ev;
	struct http_txn txn;
	struct rw_err err;
	struct flow f;
	struct crl c;
	uint8_t *buf;
	size_t len;
	json_t *j;

	if ((buf = vec_local("crl/crl_all_reasons.pem", &len)) == NULL) {
		CHECK(buf != NULL);
		return;
	}
	l.max_json_entries = 10;
	CHECK_INT(crl_parse(&c, buf, len, &l, &err), 0);
	flow_init(&f, 4);
	memset(&txn, 0, sizeof(txn));
	txn.req.present = true;
	snprintf(txn.req.method, sizeof(txn.req.method), "GET");
	txn.req.uri = (char *)"/pki/crl/products/CodeSignPCA2.crl";
	txn.req.host = (char *)"crl.microsoft.com";
	txn.req.user_agent = (char *)"Microsoft-CryptoAPI/10.0";
	txn.req.conditional = true;
	txn.resp.present = true;
	txn.resp.status = 200;
	txn.resp.content_type = (char *)"application/pkix-crl";
	txn.resp.body_wire_len = len;
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_CRL;
	ev.ts.tv_sec = 1420070400;
	ev.flow = &f;
	ev.http = &txn;
	ev.crl = &c;
	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "event_type"), "crl");
		CHECK_STR(s(j, "http.conditional"), "true");
		CHECK_STR(s(j, "http.http_user_agent"),
		    "Microsoft-CryptoAPI/10.0");
		CHECK_STR(s(j, "crl.issuer"), "CN=cryptography.io,C=US");
		CHECK_STR(s(j, "crl.crl_number"), "(absent)");
		CHECK_STR(s(j, "crl.delta"), "false");
		CHECK_STR(s(j, "crl.this_update"), "2015-01-01T00:00:00Z");
		CHECK_STR(s(j, "crl.next_update"), "2016-01-01T00:00:00Z");
		CHECK_STR(s(j, "crl.aki"), "(absent)");
		CHECK_STR(s(j, "crl.revoked_count"), "12");
		CHECK_STR(s(j, "crl.revoked.0.serial"), "00");
		CHECK_STR(s(j, "crl.revoked.0.reason"), "(null)");
		CHECK_STR(s(j, "crl.revoked.2.reason"), "keyCompromise");
		CHECK_STR(s(j, "crl.revoked.7.reason"), "certificateHold");
		CHECK_STR(s(j, "crl.revoked.9.serial"), "09");
		CHECK_STR(s(j, "crl.revoked.9.revocation_date"),
		    "2015-01-01T00:00:00Z");
		CHECK_STR(s(j, "crl.revoked.10"), "(absent)");
		CHECK_STR(s(j, "crl.revoked_truncated"), "true");
		json_decref(j);
	}
	crl_free(&c);
	free(buf);

	if ((buf = vec_local("crl/crl_delta_crl_indicator.pem", &len)) != NULL) {
		CHECK_INT(crl_parse(&c, buf, len, &clim, &err), 0);
		ev.crl = &c;
		if ((j = emit_and_read(&ev)) != NULL) {
			CHECK_STR(s(j, "crl.delta"), "true");
			CHECK_STR(s(j, "crl.crl_number"),
			    "12345678901234567891");
			CHECK_STR(s(j, "crl.delta_base"),
			    "12345678901234567890");
			CHECK_STR(s(j, "crl.revoked_count"), "0");
			json_decref(j);
		}
		crl_free(&c);
		free(buf);
	}
}

static void
test_bad_utf8(void)
{
	struct wire_event ev;
	struct http_txn txn;
	json_t *j;

	memset(&txn, 0, sizeof(txn));
	txn.req.present = true;
	snprintf(txn.req.method, sizeof(txn.req.method), "GET");
	txn.req.uri = (char *)"/a\xff\xfe";
	txn.req.user_agent = (char *)"Microsoft-CryptoAPI/10.0\x80";
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_OCSP;
	ev.http = &txn;
	ev.anomalies[0] = "ocsp_get_not_ocsp";
	ev.n_anomalies = 1;
	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "http.url"), "/a\\xff\\xfe");
		CHECK_STR(s(j, "http.http_user_agent"),
		    "Microsoft-CryptoAPI/10.0\\x80");
		CHECK_STR(s(j, "ocsp"), "(absent)");
		json_decref(j);
	}
}

/*
 * A cryptoapi_other event: the object's four fields; a cut body has no
 * hash (never ""), a bare agent no version.
 */
static void
test_cryptoapi_other(void)
{
	static const char sha[] = "9f2981a7cc4d40a2a409dc895de64253acd819d7"
	    "c0011c8e80b86fe899464e31";
	struct cryptoapi_other co;
	struct wire_event ev;
	struct http_txn txn;
	struct flow f;
	json_t *j;

	flow_init(&f, 4);
	memset(&txn, 0, sizeof(txn));
	txn.req.present = true;
	snprintf(txn.req.method, sizeof(txn.req.method), "GET");
	txn.req.uri = (char *)"/payload.txt";
	txn.req.user_agent = (char *)"CertUtil URL Agent";
	txn.resp.present = true;
	txn.resp.status = 200;
	txn.resp.body_wire_len = 4;
	memset(&co, 0, sizeof(co));
	co.body_len = 4;
	snprintf(co.body_sha256, sizeof(co.body_sha256), "%s", sha);
	co.body_magic = "pe";
	snprintf(co.ua_version, sizeof(co.ua_version), "certutil");
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_CRYPTOAPI_OTHER;
	ev.flow = &f;
	ev.http = &txn;
	ev.cryptoapi_other = &co;
	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "event_type"), "cryptoapi_other");
		CHECK_STR(s(j, "http.http_user_agent"), "CertUtil URL Agent");
		CHECK_STR(s(j, "cryptoapi_other.body_len"), "4");
		CHECK_STR(s(j, "cryptoapi_other.body_sha256"), sha);
		CHECK_STR(s(j, "cryptoapi_other.body_magic"), "pe");
		CHECK_STR(s(j, "cryptoapi_other.ua_version"), "certutil");
		CHECK_STR(s(j, "ocsp"), "(absent)");
		CHECK_STR(s(j, "anomalies"), "(absent)");
		json_decref(j);
	}
	txn.req.user_agent = (char *)"Microsoft-CryptoAPI/";
	txn.resp.body_wire_len = 5000000;
	txn.resp.body_truncated = true;
	co.body_len = 5000000;
	co.body_sha256[0] = '\0';
	co.body_magic = "unknown";
	co.ua_version[0] = '\0';
	ev.anomalies[0] = "app_body_truncated";
	ev.n_anomalies = 1;
	if ((j = emit_and_read(&ev)) != NULL) {
		CHECK_STR(s(j, "cryptoapi_other.body_len"), "5000000");
		CHECK_STR(s(j, "cryptoapi_other.body_sha256"), "(absent)");
		CHECK_STR(s(j, "cryptoapi_other.body_magic"), "unknown");
		CHECK_STR(s(j, "cryptoapi_other.ua_version"), "(absent)");
		CHECK_STR(s(j, "http.body_truncated"), "true");
		CHECK_STR(s(j, "anomalies.0"), "app_body_truncated");
		json_decref(j);
	}
}

static void
test_open_errors(void)
{
	struct rw_err err;
	struct eve *e;

	e = eve_open("/nonexistent-dir/eve.json", &cfg, NULL, &err);
	CHECK(e == NULL);
	CHECK_STR(err.reason, "eve_open");
	if ((e = eve_open(out_path, &cfg, NULL, &err)) != NULL) {
		CHECK_INT(eve_reopen(e, &err), 0);
		eve_close(e);
	}
}

static void
setup(void)
{
	const char *p = getenv("RW_EVE_OUT");
	int fd;

	config_defaults(&cfg);
	if (p != NULL && p[0] != '\0') {
		snprintf(out_path, sizeof(out_path), "%s", p);
		return;
	}
	snprintf(out_path, sizeof(out_path), "%s/revwire-eve.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(out_path)) != -1)
		close(fd);
}

static void
teardown(void)
{
	if (getenv("RW_EVE_OUT") == NULL)
		unlink(out_path);
}

UNIT_MAIN(setup, test_ocsp_post_revoked, test_ocsp_get_v6,
    test_ocsp_malformed_request, test_crl_event, test_bad_utf8,
    test_cryptoapi_other, test_open_errors, teardown)
