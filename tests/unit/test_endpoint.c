/*
 * test_endpoint.c - the JSON and XML normalisers on one real event of
 * every shape in the endpoint corpus MANIFEST, exact field values; bad
 * input counted by reason with the rest of the batch kept; limits at N
 * and N+1; streams fed in 1-byte fragments; hostile XML.
 *
 * Permissively licensed events live in tests/data/endpoint/real; the
 * others are read from $top_srcdir/../shared/corpus/endpoint and their
 * checks are skipped (with the reason printed) when it is absent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "correlate/endpoint.h"
#include "tests/unit/unit.h"

#define MAXKEEP	8

struct coll {
	struct ep_event	*ev[MAXKEEP];
	unsigned	 n;
};

static int
collect(const struct ep_event *ev, void *arg)
{
	struct coll *c = arg;

	if (c->n < MAXKEEP && (c->ev[c->n] = malloc(sizeof(*ev))) != NULL)
		memcpy(c->ev[c->n++], ev, sizeof(*ev));
	return 0;
}

static void
coll_free(struct coll *c)
{
	while (c->n > 0)
		free(c->ev[--c->n]);
}


/* Path of a file in the repo, or in the shared corpus (shared=1). */
static const char *
path_of(const char *rel, int shared)
{
	return unit_path("%s%s", shared ? "../shared/corpus/endpoint/" :
	    "tests/data/endpoint/", rel);
}

/*
 * Feeds a whole file through a stream in pieces of `piece` bytes (0 =
 * one write).  Returns 0, or -1 when the file is missing.
 */
static int
run(const char *path, size_t piece, struct coll *c, struct stats *st,
    struct ep_ctx *ctx_out)
{
	struct ep_ctx ctx;
	struct ep_stream s;
	size_t len, off, n;
	char *buf;

	if ((buf = unit_slurp(path, &len)) == NULL)
		return -1;
	CHECK(ep_ctx_init(&ctx, NULL, st, collect, c, NULL) == 0);
	ep_stream_init(&s, &ctx, EP_FMT_AUTO);
	for (off = 0; off < len; off += n) {
		n = piece == 0 || len - off < piece ? len - off : piece;
		CHECK(ep_stream_write(&s, buf + off, n, NULL) == 0);
	}
	CHECK(ep_stream_end(&s, NULL) == 0);
	ep_stream_free(&s);
	if (ctx_out != NULL)
		*ctx_out = ctx;
	ep_ctx_free(&ctx);
	free(buf);
	return 0;
}

static void
skip(const char *what)
{
	printf("skip: %s: ../shared/corpus/endpoint is absent\n", what);
}

static void
test_nxlog(void)
{
	static const size_t pieces[] = { 0, 1, 7 };
	struct coll c = { 0 };
	struct ep_event *e;
	size_t i;

	for (i = 0; i < 3; i++) {
		CHECK(run(path_of("real/otrf_nxlog_sysmon3.jsonl", 0), pieces[i],
		    &c, NULL, NULL) == 0);
		CHECK_INT(c.n, 1);
		if (c.n != 1)
			return;
		e = c.ev[0];
		CHECK_INT(e->source, EP_SRC_NXLOG);
		CHECK_INT(e->kind, EP_SYSMON_NETWORK);
		CHECK_INT(e->event_id, 3);
		CHECK_STR(e->computer, "DESKTOP-CQF82L6");
		CHECK_STR(e->channel, "Microsoft-Windows-Sysmon/Operational");
		CHECK_STR(e->image, "C:\\Windows\\Sysmon.exe");
		CHECK_INT(e->pid, 2564);
		CHECK_STR(e->process_guid, "{01e2a015-d0a0-62bd-4300-000000000700}");
		CHECK_STR(e->src_ip, "10.0.10.102");
		CHECK_INT(e->src_port, 50713);
		CHECK_STR(e->dst_ip, "72.21.91.29");
		CHECK_INT(e->dst_port, 80);
		CHECK_STR(e->protocol, "tcp");
		CHECK_INT(e->initiated, EP_TRUE);
		CHECK_STR(e->user, "NT AUTHORITY\\SYSTEM");
		CHECK_INT(e->ts_us, 1656654183079000LL);
		coll_free(&c);
	}
}

static void
test_flat(void)
{
	struct coll c = { 0 };
	struct ep_event *e;

	CHECK(run(path_of("real/otrf_flat_sysmon3.jsonl", 0), 0, &c, NULL,
	    NULL) == 0);
	CHECK_INT(c.n, 1);
	if (c.n != 1)
		return;
	e = c.ev[0];
	CHECK_INT(e->source, EP_SRC_FLAT);
	CHECK_STR(e->computer, "WORKSTATION5");
	CHECK_STR(e->image, "C:\\Windows\\System32\\wbem\\WMIC.exe");
	CHECK_INT(e->pid, 1064);
	CHECK_STR(e->src_ip, "192.168.2.5");
	CHECK_INT(e->src_port, 61142);
	CHECK_STR(e->dst_ip, "151.101.248.133");
	CHECK_INT(e->dst_port, 443);
	/* local TimeCreated is not trusted: Sysmon's UtcTime is */
	CHECK_INT(e->ts_us, 1603001823482000LL);
	coll_free(&c);
}

static void
test_winlogbeat6(void)
{
	struct coll c = { 0 };
	struct ep_event *e;
	char key[512];

	CHECK(run(path_of("real/winlogbeat6_sysmon3.jsonl", 0), 0, &c, NULL,
	    NULL) == 0);
	CHECK_INT(c.n, 1);
	if (c.n != 1)
		return;
	e = c.ev[0];
	CHECK_INT(e->source, EP_SRC_WINLOGBEAT6);
	/* computer_name, not the collector's host.name (WECserver) */
	CHECK_STR(e->computer, "HR001.shire.com");
	CHECK_INT(e->record_id, 2237825);
	CHECK_STR(e->image,
	    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
	CHECK_INT(e->pid, 5452);
	CHECK_STR(e->src_ip, "172.18.39.106");
	CHECK_INT(e->src_port, 53385);
	CHECK_STR(e->dst_ip, "10.0.10.106");
	CHECK_INT(e->dst_port, 443);
	CHECK_STR(e->user, "SHIRE\\nmartha");
	CHECK_INT(e->ts_us, 1558212205753000LL);
	CHECK(ep_dedupe_key(e, key, sizeof(key)) == 0);
	CHECK_STR(key, "2237825|hr001.shire.com|Microsoft-Windows-Sysmon/Operational");
	/* too small a buffer: no key, never a truncated one */
	CHECK(ep_dedupe_key(e, key, 20) == -1);
	coll_free(&c);
}

static void
test_splunk_xml(void)
{
	struct coll c = { 0 };
	struct ep_event *e;

	CHECK(run(path_of("real/splunk_xmlwineventlog_sysmon1.xml", 0),
	    3, &c, NULL, NULL) == 0);
	CHECK_INT(c.n, 1);
	if (c.n != 1)
		return;
	e = c.ev[0];
	CHECK_INT(e->source, EP_SRC_XML);
	CHECK_INT(e->kind, EP_SYSMON_PROCESS);
	CHECK_STR(e->computer, "win-dc-791937.attackrange.local");
	CHECK_INT(e->record_id, 19683891);
	CHECK_STR(e->image, "C:\\Windows\\System32\\certutil.exe");
	CHECK_INT(e->pid, 6952);
	CHECK_STR(e->command_line,
	    "\"C:\\Windows\\system32\\certutil.exe\" -p password1234 .\\powershellcert.pfx");
	CHECK_STR(e->parent_image,
	    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
	CHECK_INT(e->parent_pid, 6860);
	CHECK_STR(e->parent_command_line, "powershell");
	CHECK_STR(e->process_guid, "{51e9d293-d6b3-6000-0000-001068266601}");
	CHECK_STR(e->sha256,
	    "2818289572ea6b60681d2724737c3e5c87b3731054f47e9d8e4253d8528d88b7");
	CHECK_STR(e->md5, "06210e84c1fa61b0a320559dd458625c");
	CHECK_STR(e->sha1, "");
	CHECK_STR(e->user, "ATTACKRANGE\\Administrator");
	CHECK_STR(e->user_sid, "S-1-5-18");
	CHECK_INT(e->ts_us, 1610667700145335LL);
	coll_free(&c);
}

static void
test_codeintegrity(void)
{
	struct coll c = { 0 };
	struct stats st;
	struct ep_event *e;

	stats_init(&st);
	CHECK(run(path_of("real/aaronlocker_ci_3033_3089_3077_3089_3099.xml",
	    0), 0, &c, &st, NULL) == 0);
	CHECK_INT(c.n, 3);		/* 3033, 3089, 3089 */
	CHECK_INT(stats_get(&st, "endpoint_dropped_event_id"), 2); /* 3077, 3099 */
	if (c.n != 3)
		return;
	e = c.ev[0];
	CHECK_INT(e->kind, EP_CI_BLOCKED);
	CHECK_STR(e->computer, "DESKTOP-7E3E45C");
	CHECK_INT(e->record_id, 191);
	CHECK_STR(e->ci.file_name,
	    "\\Device\\HarddiskVolume3\\Windows\\System32\\scrobj.dll");
	CHECK_STR(e->ci.process_name,
	    "\\Device\\HarddiskVolume3\\Windows\\System32\\regsvr32.exe");
	CHECK_STR(e->ci.requested_level, "2");
	CHECK_STR(e->ci.validated_level, "1");
	CHECK_STR(e->ci.status, "3236495362");
	CHECK_STR(e->ci.activity_id, "{06dc59e1-fb5b-0001-7580-dc065bfbd701}");
	CHECK_INT(e->ts_us, 1735329485016651LL);
	e = c.ev[1];
	CHECK_INT(e->kind, EP_CI_SIGNATURE);
	CHECK_INT(e->record_id, 192);
	CHECK_STR(e->ci.publisher, "Microsoft Windows");
	CHECK_STR(e->ci.issuer, "Microsoft Windows Production PCA 2011");
	CHECK_STR(e->ci.validated_level, "12");
	CHECK_STR(e->ci.verification_error, "26");
	coll_free(&c);
}

static void
test_winlogbeat7(void)
{
	struct coll c = { 0 };
	struct stats st;
	struct ep_event *e;

	stats_init(&st);
	if (run(path_of("winlogbeat/beats-collection-sysmon-excerpts.jsonl", 1),
	    0, &c, &st, NULL) == -1) {
		skip("winlogbeat 7 raw");
		return;
	}
	CHECK_INT(c.n, 5);
	if (c.n != 5)
		return;
	e = c.ev[0];		/* EID 7, record 10685 */
	CHECK_INT(e->source, EP_SRC_WINLOGBEAT);
	CHECK_INT(e->kind, EP_SYSMON_IMAGE_LOAD);
	CHECK_STR(e->image_loaded, "C:\\Windows\\System32\\IDStore.dll");
	CHECK_STR(e->signed_text, "true");
	CHECK_STR(e->signature_status, "Valid");
	CHECK_STR(e->sha1, "9955a1c071c44a7ceecc0d928a9cfb7f64cc3f93");
	e = c.ev[1];		/* EID 22 */
	CHECK_INT(e->kind, EP_SYSMON_DNS);
	CHECK_STR(e->computer, "vagrant-2016");
	CHECK_STR(e->query_name, "go.microsoft.com");
	CHECK_STR(e->query_results, "type:  5 go.microsoft.com.edgekey.net;"
	    "type:  5 e11290.dspg.akamaiedge.net;::ffff:23.223.14.67;");
	CHECK_INT(e->ts_us, 1563420842025223LL);
	e = c.ev[4];		/* EID 3, record 10: the clean chrome flow */
	CHECK_INT(e->kind, EP_SYSMON_NETWORK);
	CHECK_INT(e->record_id, 10);
	CHECK_STR(e->computer, "vagrant-2012-r2");
	CHECK_STR(e->image,
	    "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe");
	CHECK_INT(e->pid, 1600);
	CHECK_STR(e->src_ip, "10.0.2.15");
	CHECK_INT(e->src_port, 1138);
	CHECK_STR(e->dst_ip, "40.77.226.250");
	CHECK_INT(e->dst_port, 443);
	CHECK_INT(e->ts_us, 1552928269340580LL);
	/* record 8: Sysmon 9.01's garbage IPv6 is kept as written */
	CHECK_STR(c.ev[3]->src_ip, "a00:20f:0:0:18a2:6e00:e0:ffff");
	coll_free(&c);
}

static void
test_winlogbeat_ecs(void)
{
	struct coll c = { 0 };
	struct ep_event *e;

	if (run(path_of("winlogbeat/sysmon-12-loadimage.evtx.golden.json", 1),
	    0, &c, NULL, NULL) == -1) {
		skip("winlogbeat ECS golden");
		return;
	}
	CHECK_INT(c.n, 1);
	if (c.n != 1)
		return;
	e = c.ev[0];
	CHECK_INT(e->source, EP_SRC_WINLOGBEAT);
	CHECK_STR(e->computer, "vagrant");
	CHECK_INT(e->record_id, 10685);
	/* moved out of event_data by the sysmon module: taken from ECS */
	CHECK_STR(e->image, "C:\\Windows\\System32\\dllhost.exe");
	CHECK_STR(e->image_loaded, "C:\\Windows\\System32\\IDStore.dll");
	CHECK_INT(e->pid, 5184);
	CHECK_STR(e->process_guid, "{9f32b55f-d9de-5f98-f006-000000000600}");
	CHECK_STR(e->sha1, "9955a1c071c44a7ceecc0d928a9cfb7f64cc3f93");
	CHECK_STR(e->signed_text, "true");
	CHECK_STR(e->signature, "Microsoft Windows");
	CHECK_STR(e->signature_status, "Valid");
	CHECK_INT(e->ts_us, 1603852766374000LL);
	coll_free(&c);
}

static void
test_integrations(void)
{
	struct coll c = { 0 };
	struct ep_event *e;

	if (run(path_of("winlogbeat/integrations-test-image-loaded-failed-signature.json",
	    1), 0, &c, NULL, NULL) == -1) {
		skip("elastic integrations {\"events\":[...]}");
		return;
	}
	CHECK_INT(c.n, 1);
	if (c.n != 1)
		return;
	e = c.ev[0];
	CHECK_STR(e->signed_text, "failed: Invalid hash");
	CHECK_STR(e->signature, "-");
	CHECK_STR(e->signature_status, "-");
	CHECK_STR(e->user, "DOMAIN\\username");
	coll_free(&c);
}

/*
 * Elastic's test event carries the same record as JSON (winlog.*) and as
 * the Windows-rendered XML (event.original): both must normalise to the
 * same fields and the same dedupe key, or a JSON and an XML feed of one
 * host would double-count.
 */
static void
test_json_xml_same_event(void)
{
	struct coll cj = { 0 }, cx = { 0 };
	struct ep_ctx ctx;
	json_error_t jerr;
	json_t *doc;
	const char *xml;
	char kj[512], kx[512];
	size_t len;
	char *buf;

	if ((buf = unit_slurp(path_of("winlogbeat/integrations-test-image-loaded-failed-signature.json",
	    1), &len)) == NULL) {
		skip("JSON/XML twin event");
		return;
	}
	CHECK(run(path_of("winlogbeat/integrations-test-image-loaded-failed-signature.json",
	    1), 0, &cj, NULL, NULL) == 0);
	doc = json_loads(buf, 0, &jerr);
	xml = json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(doc, "events"), 0), "event"), "original"));
	CHECK(xml != NULL);
	CHECK(ep_ctx_init(&ctx, NULL, NULL, collect, &cx, NULL) == 0);
	if (xml != NULL)
		CHECK(ep_xml_feed(&ctx, xml, strlen(xml), NULL) == 0);
	CHECK_INT(cj.n, 1);
	CHECK_INT(cx.n, 1);
	if (cj.n == 1 && cx.n == 1) {
		const struct ep_event *a = cj.ev[0], *b = cx.ev[0];

		CHECK(ep_dedupe_key(a, kj, sizeof(kj)) == 0);
		CHECK(ep_dedupe_key(b, kx, sizeof(kx)) == 0);
		CHECK_STR(kj, "10685|vagrant|Microsoft-Windows-Sysmon/Operational");
		CHECK_STR(kx, kj);
		CHECK_STR(b->image, a->image);
		CHECK_STR(b->image_loaded, a->image_loaded);
		CHECK_STR(b->signed_text, a->signed_text);
		CHECK_STR(b->signature_status, a->signature_status);
		CHECK_STR(b->process_guid, a->process_guid);
		CHECK_STR(b->sha256, a->sha256);
		CHECK_INT(b->pid, a->pid);
		CHECK_INT(b->utc_time_us, a->utc_time_us);
		CHECK_STR(b->image, "C:\\Windows\\System32\\dllhost.exe");
	}
	ep_ctx_free(&ctx);
	json_decref(doc);
	coll_free(&cj);
	coll_free(&cx);
	free(buf);
}

static void
test_evtx_xml(void)
{
	struct coll c = { 0 };
	struct ep_event *e;

	if (run(path_of("evtx-attack-samples/uso_dll_hijack_sysmon_7.xml", 1),
	    0, &c, NULL, NULL) == -1) {
		skip("EVTX-ATTACK-SAMPLES XML");
		return;
	}
	CHECK_INT(c.n, MAXKEEP);	/* collector holds the first 8 of 64 */
	e = c.ev[0];
	CHECK_INT(e->kind, EP_SYSMON_PROCESS);
	CHECK_STR(e->computer, "MSEDGEWIN10");
	CHECK_INT(e->record_id, 243508);
	CHECK_STR(e->image, "C:\\Windows\\System32\\UsoClient.exe");
	CHECK_INT(e->pid, 2276);
	CHECK_STR(e->command_line, "usoclient  StartInteractiveScan");
	CHECK_INT(e->ts_us, 1584766816296124LL);
	coll_free(&c);
}

static void
test_evtx_json(void)
{
	struct coll c = { 0 };
	struct ep_event *e;

	if (run(path_of("sigma-regression/image_load_side_load_vcruntime140.json",
	    1), 0, &c, NULL, NULL) == -1) {
		skip("evtx crate JSON");
		return;
	}
	CHECK_INT(c.n, 1);
	if (c.n != 1)
		return;
	e = c.ev[0];
	CHECK_INT(e->source, EP_SRC_EVTX_JSON);
	CHECK_INT(e->kind, EP_SYSMON_IMAGE_LOAD);
	CHECK_STR(e->computer, "swachchhanda");
	CHECK_INT(e->record_id, 91509);
	CHECK_INT(e->pid, 20204);	/* a JSON number in this shape */
	CHECK_STR(e->process_guid, "{0197231e-a7f4-6964-850a-000000000d00}");
	CHECK_STR(e->image_loaded,
	    "C:\\Users\\xodih\\AppData\\Local\\Temp\\vcruntime140.dll");
	CHECK_STR(e->signed_text, "false");
	CHECK_STR(e->signature_status, "Unavailable");
	CHECK_STR(e->sha1, "");		/* no SHA1 in its Hashes */
	CHECK_STR(e->imphash, "376f17c483a08d322404d3c4a8f0a5ce");
	CHECK_INT(e->ts_us, 1768204277415898LL);
	coll_free(&c);
}

static void
test_mde(void)
{
	struct coll c = { 0 };
	struct stats st;
	struct ep_event *e;

	stats_init(&st);
	if (run(path_of("mde/graph2otel_streaming_records.jsonl", 1), 0, &c,
	    &st, NULL) == -1) {
		skip("Defender streaming records");
		return;
	}
	CHECK_INT(c.n, 3);
	CHECK_INT(stats_get(&st, "endpoint_dropped_event_id"), 1); /* image load */
	if (c.n != 3)
		return;
	e = c.ev[0];
	CHECK_INT(e->source, EP_SRC_MDE_STREAM);
	CHECK_INT(e->kind, EP_MDE_FILE_CERT);
	CHECK_STR(e->computer, "mbp14");
	CHECK_STR(e->cert.sha1, "ccb3dbb0d5ddc219e90706834fd59c95adc5946e");
	CHECK_STR(e->cert.signer, "Developer ID Application: Google LLC (EQHXZ8M8AV)");
	CHECK_STR(e->cert.issuer, "Developer ID Certification Authority");
	CHECK_INT(e->cert.is_signed, EP_TRUE);
	CHECK_INT(e->cert.is_trusted, EP_TRUE);
	CHECK_INT(e->cert.is_root_signer_microsoft, EP_FALSE);
	CHECK_STR(e->cert.signature_type, "Embedded");
	CHECK_STR(e->cert.serial, "0b4a9ab6ddcdb7b2");
	CHECK_STR(e->cert.crl_urls, "[]");
	CHECK(e->cert.has_expiration);
	CHECK_INT(e->cert.expiration_us, 1801519935000000LL);
	CHECK_INT(e->ts_us, 1784394030754549LL);
	e = c.ev[1];
	CHECK_INT(e->kind, EP_MDE_PROCESS);
	CHECK_STR(e->file_name, "UserSelector");
	CHECK_STR(e->folder_path,
	    "/System/Library/Frameworks/CryptoTokenKit.framework/UserSelector");
	CHECK_STR(e->initiating_file_name, "ctkahp");
	CHECK_STR(e->user, "rob");
	CHECK_INT(e->pid, 91345);
	CHECK_STR(e->sha1, "2a6f4029044485f53d01ec273c1cc0a3802e2185");
	e = c.ev[2];
	CHECK_INT(e->kind, EP_MDE_NETWORK);
	CHECK_STR(e->computer, "mbp16");
	CHECK_STR(e->src_ip, "10.0.0.183");
	CHECK_INT(e->src_port, 53630);
	CHECK_STR(e->dst_ip, "20.42.65.85");
	CHECK_INT(e->dst_port, 443);
	CHECK_STR(e->protocol, "tcp");
	CHECK_INT(e->initiated, EP_TRUE);
	CHECK_INT(e->pid, 16865);
	CHECK_INT(e->ts_us, 1784383122666487LL);
	coll_free(&c);
}

/* Plain advanced-hunting rows: the streaming records' properties. */
static void
test_mde_rows(void)
{
	struct coll c = { 0 };
	struct ep_ctx ctx;
	json_error_t jerr;
	json_t *rec, *props;
	size_t len;
	char *buf, *line, *save = NULL, *row;

	if ((buf = unit_slurp(path_of("mde/graph2otel_streaming_records.jsonl", 1),
	    &len)) == NULL) {
		skip("Defender rows");
		return;
	}
	CHECK(ep_ctx_init(&ctx, NULL, NULL, collect, &c, NULL) == 0);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((rec = json_loads(line, 0, &jerr)) == NULL)
			continue;
		props = json_object_get(rec, "properties");
		/* the network row names its table; the others are inferred */
		if (strstr(json_string_value(json_object_get(rec, "category")),
		    "Network") != NULL)
			json_object_set_new(props, "Table",
			    json_string("DeviceNetworkEvents"));
		row = json_dumps(props, JSON_COMPACT);
		CHECK(ep_json_feed(&ctx, row, strlen(row), NULL) == 0);
		free(row);
		json_decref(rec);
	}
	CHECK_INT(c.n, 3);
	CHECK_INT(ctx.dropped, 1);	/* image load: no table we keep */
	if (c.n == 3) {
		CHECK_INT(c.ev[0]->source, EP_SRC_MDE_ROW);
		CHECK_INT(c.ev[0]->kind, EP_MDE_FILE_CERT);
		CHECK_INT(c.ev[1]->kind, EP_MDE_PROCESS);
		CHECK_INT(c.ev[2]->kind, EP_MDE_NETWORK);
		CHECK_STR(c.ev[2]->dst_ip, "20.42.65.85");
	}
	ep_ctx_free(&ctx);
	coll_free(&c);
	free(buf);
}

/* One stream: good, bad of every kind, good; bad ones counted by reason. */
static void
test_bad_input(void)
{
	static const char good[] = "{\"EventID\":3,\"Channel\":\"Microsoft-"
	    "Windows-Sysmon/Operational\",\"Hostname\":\"H\",\"UtcTime\":\"2022-"
	    "07-01 05:43:03.079\",\"DestinationIp\":\"1.2.3.4\","
	    "\"DestinationPort\":\"80\"}\n";
	struct coll c = { 0 };
	struct stats st;
	struct ep_ctx ctx;
	struct ep_stream s;
	char deep[128];
	unsigned i;

	stats_init(&st);
	CHECK(ep_ctx_init(&ctx, NULL, &st, collect, &c, NULL) == 0);
	ep_stream_init(&s, &ctx, EP_FMT_JSON);
	CHECK(ep_stream_write(&s, good, strlen(good), NULL) == 0);
#define W(str) CHECK(ep_stream_write(&s, str, sizeof(str) - 1, NULL) == 0)
	W("{\"EventID\":3, \"Hostname\": \n");			/* malformed */
	W("{\"EventID\":1,\"Hostname\":\"\xff\xfe\"}\n");	/* bad UTF-8 */
	W("{\"EventID\":1,\"Hostname\":\"\xc0\xaf\"}\n");	/* overlong */
	W("{\"foo\":1}\n");					/* unknown */
	W("[1,2]\n");						/* unknown x2 */
	W("{\"EventID\":7,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	    "\"Hostname\":\"H\",\"UtcTime\":\"2022-07-01 05:43:03.079\"}\n");
								/* no ImageLoaded */
	W("{\"EventID\":10,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}\n");
								/* dropped */
	W("{\"EventID\":4688,\"Channel\":\"Security\"}\n");	/* dropped */
	W("{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	    "\"Hostname\":\"H\",\"UtcTime\":\"yesterday\"}\n");	/* bad time */
	W("{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	    "\"Hostname\":\"H\",\"UtcTime\":\"2022-07-01 05:43:03.079\","
	    "\"DestinationIp\":\"1.2.3.4\",\"DestinationPort\":\"70000\"}\n");
								/* bad port */
	W("{\"EventID\":\"x\"}\n");				/* bad id */
	W("{\"EventID\":3,\"EventID\":3}\n");			/* duplicate key */
	W("# a comment line\n\n");
	/* depth 32 is allowed (then unknown shape), 33 is not */
	for (i = 0; i < 32; i++)
		deep[i] = '[';
	for (i = 0; i < 32; i++)
		deep[32 + i] = ']';
	deep[64] = '\n';
	CHECK(ep_stream_write(&s, deep, 65, NULL) == 0);
	for (i = 0; i < 33; i++)
		deep[i] = '[';
	for (i = 0; i < 33; i++)
		deep[33 + i] = ']';
	deep[66] = '\n';
	CHECK(ep_stream_write(&s, deep, 67, NULL) == 0);
#undef W
	CHECK(ep_stream_write(&s, good, strlen(good), NULL) == 0);
	CHECK(ep_stream_end(&s, NULL) == 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(stats_get(&st, "endpoint_events_kept"), 2);
	CHECK_INT(stats_get(&st, "endpoint_json_malformed"), 2);
	CHECK_INT(stats_get(&st, "endpoint_invalid_utf8"), 2);
	CHECK_INT(stats_get(&st, "endpoint_unknown_shape"), 4);
	CHECK_INT(stats_get(&st, "endpoint_missing_field"), 1);
	CHECK_INT(stats_get(&st, "endpoint_dropped_event_id"), 2);
	CHECK_INT(stats_get(&st, "endpoint_bad_time"), 1);
	CHECK_INT(stats_get(&st, "endpoint_bad_number"), 1);
	CHECK_INT(stats_get(&st, "endpoint_bad_event_id"), 1);
	CHECK_INT(stats_get(&st, "endpoint_json_too_deep"), 1);
	ep_stream_free(&s);
	ep_ctx_free(&ctx);
	coll_free(&c);
}

/* max_line at N and N+1, through ep_json_feed and through a stream. */
static void
test_line_limit(void)
{
	struct ep_limits lim;
	struct coll c = { 0 };
	struct stats st;
	struct ep_ctx ctx;
	struct ep_stream s;
	char line[600];
	int n;

	ep_limits_default(&lim);
	lim.max_line = 512;
	n = snprintf(line, sizeof(line), "{\"EventID\":3,\"Hostname\":\"H\","
	    "\"UtcTime\":\"2022-07-01 05:43:03.079\",\"DestinationIp\":\"1.2.3.4\","
	    "\"Image\":\"");
	memset(line + n, 'a', sizeof(line) - (size_t)n);
	/* exactly 512 bytes: kept */
	memcpy(line + 510, "\"}", 2);
	stats_init(&st);
	CHECK(ep_ctx_init(&ctx, &lim, &st, collect, &c, NULL) == 0);
	CHECK(ep_json_feed(&ctx, line, 512, NULL) == 0);
	CHECK_INT(c.n, 1);
	/* 513 bytes: rejected */
	line[510] = 'a';
	memcpy(line + 511, "\"}", 2);
	CHECK(ep_json_feed(&ctx, line, 513, NULL) == 0);
	CHECK_INT(c.n, 1);
	CHECK_INT(stats_get(&st, "endpoint_line_too_long"), 1);
	/* in a stream, fed byte by byte, the next line is still read */
	ep_stream_init(&s, &ctx, EP_FMT_JSON);
	line[513] = '\n';
	for (n = 0; n < 514; n++)
		CHECK(ep_stream_write(&s, line + n, 1, NULL) == 0);
	line[510] = '"';
	line[511] = '}';
	line[512] = '\n';
	for (n = 0; n < 513; n++)
		CHECK(ep_stream_write(&s, line + n, 1, NULL) == 0);
	CHECK(ep_stream_end(&s, NULL) == 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(stats_get(&st, "endpoint_line_too_long"), 2);
	ep_stream_free(&s);
	/* a pretty-printed document is bounded by max_doc, not max_line */
	ep_stream_init(&s, &ctx, EP_FMT_AUTO);
	CHECK(ep_stream_write(&s, "[\n", 2, NULL) == 0);
	line[512] = '\n';
	CHECK(ep_stream_write(&s, line, 513, NULL) == 0);
	CHECK(ep_stream_write(&s, line, 513, NULL) == 0);
	CHECK(ep_stream_write(&s, "]\n", 2, NULL) == 0);
	CHECK(ep_stream_end(&s, NULL) == 0);
	CHECK_INT(stats_get(&st, "endpoint_json_malformed"), 1); /* no comma */
	ep_stream_free(&s);
	ep_stream_init(&s, &ctx, EP_FMT_AUTO);
	CHECK(ep_stream_write(&s, "[\n", 2, NULL) == 0);
	line[512] = ',';
	CHECK(ep_stream_write(&s, line, 513, NULL) == 0);
	CHECK(ep_stream_write(&s, line, 512, NULL) == 0);
	CHECK(ep_stream_write(&s, "\n]\n", 3, NULL) == 0);
	CHECK(ep_stream_end(&s, NULL) == 0);
	CHECK_INT(c.n, 4);
	ep_stream_free(&s);
	ep_ctx_free(&ctx);
	coll_free(&c);
}

/* A field at its cap minus one fits; at its cap it rejects the event. */
static void
test_field_limit(void)
{
	struct coll c = { 0 };
	struct stats st;
	struct ep_ctx ctx;
	static char line[EP_CMD_MAX + 512];
	int n, k;

	stats_init(&st);
	CHECK(ep_ctx_init(&ctx, NULL, &st, collect, &c, NULL) == 0);
	for (k = 0; k < 2; k++) {
		n = snprintf(line, sizeof(line), "{\"EventID\":1,\"Hostname\":"
		    "\"H\",\"UtcTime\":\"2022-07-01 05:43:03.079\",\"Image\":"
		    "\"x.exe\",\"CommandLine\":\"");
		memset(line + n, 'c', EP_CMD_MAX - 1 + k);
		n += EP_CMD_MAX - 1 + k;
		n += snprintf(line + n, sizeof(line) - (size_t)n, "\"}");
		CHECK(ep_json_feed(&ctx, line, (size_t)n, NULL) == 0);
	}
	CHECK_INT(c.n, 1);
	if (c.n == 1)
		CHECK_INT(strlen(c.ev[0]->command_line), EP_CMD_MAX - 1);
	CHECK_INT(stats_get(&st, "endpoint_field_too_long"), 1);
	ep_ctx_free(&ctx);
	coll_free(&c);
}

static void
test_xml_hostile(void)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    "<!ENTITY lol \"lol\">\n"
	    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n<Event><System><Provider Name='Microsoft-Windows-Sysmon'/>"
	    "<EventID>1</EventID><Computer>&lol9;</Computer></System>"
	    "<EventData><Data Name='Image'>x</Data></EventData></Event>\n";
	static const char xxe[] =
	    "<!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<Event><System><Computer>&x;</Computer></System></Event>";
	static const char ok[] =
	    "<Event><System><Provider Name='Microsoft-Windows-Sysmon'/>"
	    "<EventID>1</EventID><TimeCreated SystemTime='2021-01-14T23:41:40.1Z'/>"
	    "<Computer>H</Computer></System><EventData><Data Name='Image'>"
	    "a&amp;b&#x41;</Data></EventData></Event>";
	struct coll c = { 0 };
	struct stats st;
	struct ep_ctx ctx;
	char buf[4096];
	unsigned i;
	int n;

	stats_init(&st);
	CHECK(ep_ctx_init(&ctx, NULL, &st, collect, &c, NULL) == 0);
	CHECK(ep_xml_feed(&ctx, laughs, sizeof(laughs) - 1, NULL) == 0);
	CHECK(ep_xml_feed(&ctx, xxe, sizeof(xxe) - 1, NULL) == 0);
	CHECK_INT(stats_get(&st, "endpoint_xml_dtd"), 2);
	CHECK_INT(c.n, 0);
	/* the predefined and numeric entities still work */
	CHECK(ep_xml_feed(&ctx, ok, sizeof(ok) - 1, NULL) == 0);
	CHECK_INT(c.n, 1);
	if (c.n == 1)
		CHECK_STR(c.ev[0]->image, "a&bA");
	/* depth: 32 elements allowed, 33 not */
	for (int d = 32; d <= 33; d++) {
		n = 0;
		for (i = 0; i < (unsigned)d; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "<a>");
		for (i = 0; i < (unsigned)d; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, "</a>");
		CHECK(ep_xml_feed(&ctx, buf, (size_t)n, NULL) == 0);
	}
	CHECK_INT(stats_get(&st, "endpoint_xml_too_deep"), 1);
	/* attributes: 16 allowed, 17 not */
	for (int na = 16; na <= 17; na++) {
		n = snprintf(buf, sizeof(buf), "<Event");
		for (i = 0; i < (unsigned)na; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			    " a%u='1'", i);
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "/>");
		CHECK(ep_xml_feed(&ctx, buf, (size_t)n, NULL) == 0);
	}
	CHECK_INT(stats_get(&st, "endpoint_xml_too_many_attrs"), 1);
	CHECK(ep_xml_feed(&ctx, "<Event><System>", 15, NULL) == 0);
	CHECK(ep_xml_feed(&ctx, "<a>\xff</a>", 8, NULL) == 0);
	CHECK(ep_xml_feed(&ctx, "LogName=Security", 16, NULL) == 0);
	CHECK_INT(stats_get(&st, "endpoint_xml_malformed"), 1);
	CHECK_INT(stats_get(&st, "endpoint_invalid_utf8"), 1);
	CHECK_INT(stats_get(&st, "endpoint_xml_not_xml"), 1);
	ep_ctx_free(&ctx);
	coll_free(&c);
}

/* Pretty-printed events without <Events>: gathered line by line. */
static void
test_xml_multiline(void)
{
	struct coll c = { 0 };
	struct ep_ctx ctx;
	struct ep_stream s;
	char *buf, *start, *end;
	size_t len, n, i, k;

	if ((buf = unit_slurp(path_of("real/aaronlocker_ci_3033_3089_3077_3089_3099.xml",
	    0), &len)) == NULL || (start = strstr(buf, "<Event ")) == NULL ||
	    (end = strstr(start, "</Event>")) == NULL) {
		CHECK(!"CI fixture");
		free(buf);
		return;
	}
	n = (size_t)(end - start) + 8;
	CHECK(ep_ctx_init(&ctx, NULL, NULL, collect, &c, NULL) == 0);
	ep_stream_init(&s, &ctx, EP_FMT_AUTO);
	for (k = 0; k < 2; k++) {	/* the same event twice, 1-byte writes */
		for (i = 0; i < n; i++)
			CHECK(ep_stream_write(&s, start + i, 1, NULL) == 0);
		CHECK(ep_stream_write(&s, "\n", 1, NULL) == 0);
	}
	CHECK(ep_stream_end(&s, NULL) == 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(ctx.rejected, 0);
	if (c.n == 2)
		CHECK_INT(c.ev[1]->record_id, 191);
	ep_stream_free(&s);
	ep_ctx_free(&ctx);
	coll_free(&c);
	free(buf);
}

static void
test_time(void)
{
	int64_t us;

	CHECK(ep_parse_time("1970-01-01 00:00:00.000", &us) == 0);
	CHECK_INT(us, 0);
	CHECK(ep_parse_time("2021-01-14T23:41:40.145335200Z", &us) == 0);
	CHECK_INT(us, 1610667700145335LL);
	CHECK(ep_parse_time("2026-07-18T17:00:30.754549+00:00", &us) == 0);
	CHECK_INT(us, 1784394030754549LL);
	CHECK(ep_parse_time("2021-13-01 00:00:00", &us) == -1);
	CHECK(ep_parse_time("2021-01-01 00:00:00.", &us) == -1);
	CHECK(ep_parse_time("2021-01-01 00:00:00+02:00", &us) == -1);
	CHECK(ep_parse_time("", &us) == -1);
}

static void
test_kind(void)
{
	CHECK_INT(ep_kind_of("Microsoft-Windows-Sysmon", "", 7),
	    EP_SYSMON_IMAGE_LOAD);
	CHECK_INT(ep_kind_of("", "Microsoft-Windows-CodeIntegrity/Operational",
	    3036), EP_CI_REVOKED);
	/* a Security 1 or a Sysmon 3033 is not one of ours */
	CHECK_INT(ep_kind_of("Microsoft-Windows-Security-Auditing", "Security",
	    1), EP_KIND_NONE);
	CHECK_INT(ep_kind_of("Microsoft-Windows-Sysmon", "", 3033),
	    EP_KIND_NONE);
	CHECK_INT(ep_kind_of_table("AdvancedHunting-DeviceNetworkEvents"),
	    EP_MDE_NETWORK);
	CHECK_INT(ep_kind_of_table("DeviceImageLoadEvents"), EP_KIND_NONE);
}

/*
 * What the JSON parser accepts (jdoc.h: what jansson accepted before):
 * each line is either one kept Sysmon 3 or one malformed document.
 */
static void
test_json_rules(void)
{
	static const struct { const char *host, *port; int ok; } t[] = {
		{ "\"H\\ud83d\\ude00\"", "80", 1 },	/* a pair */
		{ "\"H\\\\ud800\"", "80", 1 },	/* an escaped backslash */
		{ "\"H\\u00e9\\\"\"", "80", 1 },
		{ "\"H\\ud800\"", "80", 0 },		/* lone high */
		{ "\"H\\udc00\"", "80", 0 },		/* lone low */
		{ "\"H\\ud800\\u0041\"", "80", 0 },	/* high, no low */
		{ "\"H\\ud83d\\ude00\\ud800\"", "80", 0 },
		{ "\"H\\u0000\"", "80", 0 },		/* NUL */
		{ "\"H\"", "80.0", 1 },			/* real: "80" */
		{ "\"H\"", "8e1", 1 },
		{ "\"H\"", "1e400", 0 },			/* real overflow */
		{ "\"H\"", "99999999999999999999", 0 },	/* int64 overflow */
		{ "\"H\"", "080", 0 },
		{ "\"H\", \"DestinationPort\": 80", "80", 0 }, /* duplicate */
	};
	struct coll c = { 0 };
	struct stats st;
	struct ep_ctx ctx;
	char line[512];
	size_t i;
	int n, want = 0;

	stats_init(&st);
	CHECK(ep_ctx_init(&ctx, NULL, &st, collect, &c, NULL) == 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = snprintf(line, sizeof(line), "{\"EventID\":3,\"Channel\":"
		    "\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":%s,"
		    "\"UtcTime\":\"2022-07-01 05:43:03.079\",\"DestinationIp\":"
		    "\"1.2.3.4\",\"DestinationPort\":%s}", t[i].host, t[i].port);
		CHECK(ep_json_feed(&ctx, line, (size_t)n, NULL) == 0);
		want += t[i].ok;
		if (c.n != (unsigned)want)
			fprintf(stderr, "json rule %zu: %s\n", i, line);
		CHECK_INT(c.n, want);
		if (t[i].ok && c.n > 0)
			CHECK_INT(c.ev[c.n - 1]->dst_port, 80);
		if (i == 0 && c.n > 0)
			CHECK_STR(c.ev[0]->computer, "H\xf0\x9f\x98\x80");
		if (i == 2 && c.n > 0)
			CHECK_STR(c.ev[0]->computer, "H\xc3\xa9\"");
		coll_free(&c);
		want = 0;
	}
	CHECK_INT(stats_get(&st, "endpoint_json_malformed"), 9);
	/* no object or array at the top, or something after it */
	CHECK(ep_json_feed(&ctx, "\"x\"", 3, NULL) == 0);
	CHECK(ep_json_feed(&ctx, "[1] x", 5, NULL) == 0);
	CHECK(ep_json_feed(&ctx, "{}{", 3, NULL) == 0);
	CHECK(ep_json_feed(&ctx, "[] 1", 4, NULL) == 0);	/* a token begun */
	CHECK(ep_json_feed(&ctx, "{}\"", 3, NULL) == 0);
	CHECK(ep_json_feed(&ctx, "{} ", 3, NULL) == 0);	/* unknown shape */
	CHECK_INT(stats_get(&st, "endpoint_json_malformed"), 14);
	CHECK_INT(stats_get(&st, "endpoint_unknown_shape"), 1);
	ep_ctx_free(&ctx);
}

/*
 * A reset after a full event leaves nothing behind: every field reads as
 * absent, so the event's JSON is that of a zeroed event.
 */
static void
test_reset(void)
{
	struct ep_event *ev = malloc(sizeof(*ev)), *zero = calloc(1,
	    sizeof(*zero));
	char *a, *b;

	CHECK(ev != NULL && zero != NULL);
	memset(ev, 'A', sizeof(*ev));
	ev->ci.activity_id[sizeof(ev->ci.activity_id) - 1] = '\0';
	ep_event_reset(ev);
	CHECK_INT(ev->record_id, 0);
	CHECK_INT(ev->kind, EP_KIND_NONE);
	CHECK(!ev->has_pid && !ev->has_ts && !ev->cert.has_creation);
	CHECK_STR(ev->command_line, "");
	CHECK_STR(ev->cert.crl_urls, "");
	CHECK_STR(ev->ci.activity_id, "");
	CHECK_STR(ev->protocol, "");
	a = ep_event_json(ev, NULL);
	b = ep_event_json(zero, NULL);
	CHECK(a != NULL && b != NULL);
	if (a != NULL && b != NULL)
		CHECK_STR(a, b);
	free(a);
	free(b);
	free(ev);
	free(zero);
}

UNIT_MAIN(test_nxlog, test_flat, test_winlogbeat6, test_splunk_xml,
    test_codeintegrity, test_winlogbeat7, test_winlogbeat_ecs,
    test_integrations, test_json_xml_same_event, test_evtx_xml, test_evtx_json, test_mde,
    test_mde_rows, test_bad_input, test_line_limit, test_field_limit,
    test_xml_hostile, test_xml_multiline, test_time, test_kind, test_reset,
    test_json_rules)
