/*
 * test_score.c - seed parity: each seed profile on its fixture gives
 * exactly the rows, score fields and order written (by reading the
 * query) in tests/data/endpoint (the .expected files); config parsing; revwire's
 * combined score and explanation.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "correlate/endpoint.h"
#include "correlate/score.h"
#include "tests/unit/unit.h"


/* Path of a file in the repo, or in the shared corpus (shared=1). */
static const char *
path_of(const char *rel, int shared)
{
	return unit_path("%s%s", shared ? "../shared/corpus/endpoint/" :
	    "tests/data/endpoint/", rel);
}

static int
to_batch(const struct ep_event *ev, void *arg)
{
	return score_batch_add(arg, ev, NULL);
}

/* Feeds buf (in `piece`-byte writes) into a batch for profile. */
static void
score_buf(const char *buf, size_t len, size_t piece,
    const struct score_config *sc, enum score_profile profile, int64_t now,
    struct score_batch *b, struct stats *st)
{
	struct ep_ctx ctx;
	struct ep_stream s;
	size_t off, n;

	score_batch_init(b, sc, profile, now, st);
	CHECK(ep_ctx_init(&ctx, NULL, st, to_batch, b, NULL) == 0);
	ep_stream_init(&s, &ctx, EP_FMT_AUTO);
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		CHECK(ep_stream_write(&s, buf + off, n, NULL) == 0);
	}
	CHECK(ep_stream_end(&s, NULL) == 0);
	ep_stream_free(&s);
	ep_ctx_free(&ctx);
	CHECK(score_batch_finish(b, NULL) == 0);
}

/* Compares the batch's rows with an expected file, line by line. */
static void
compare(const struct score_batch *b, const char *expected_path)
{
	char *exp, *line, *save = NULL, *have;
	size_t len, i = 0;

	if ((exp = unit_slurp(expected_path, &len)) == NULL) {
		CHECK(!"expected file missing");
		return;
	}
	for (line = strtok_r(exp, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), i++) {
		if (i >= b->nrows) {
			fprintf(stderr, "missing row %zu: %s\n", i + 1, line);
			CHECK(i < b->nrows);
			continue;
		}
		have = json_dumps(b->rows[i].cols, JSON_COMPACT |
		    JSON_PRESERVE_ORDER);
		CHECK_STR(have, line);
		free(have);
	}
	CHECK_INT(b->nrows, i);
	free(exp);
}

static void
test_splunk_qradar(void)
{
	struct score_config sc;
	struct score_batch b;
	struct stats st;
	size_t len;
	char *buf;

	score_config_defaults(&sc);
	if ((buf = unit_slurp(path_of("seed_sysmon7.jsonl", 0), &len)) == NULL) {
		CHECK(!"fixture missing");
		return;
	}
	stats_init(&st);
	score_buf(buf, len, 4096, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, &st);
	compare(&b, path_of("seed_sysmon7.splunk.expected", 0));
	score_batch_free(&b);
	/* same rows when the stream arrives one byte at a time */
	score_buf(buf, len, 1, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, NULL);
	compare(&b, path_of("seed_sysmon7.splunk.expected", 0));
	score_batch_free(&b);

	/* NOW() is the latest event: 2022-07-05T21:00:55.346Z */
	score_buf(buf, len, 4096, &sc, SCORE_QRADAR, SCORE_NOW_LATEST, &b, NULL);
	compare(&b, path_of("seed_sysmon7.qradar.expected", 0));
	CHECK_INT(b.now_us, 1657054855346000LL);
	score_batch_free(&b);
	/* a day later nothing is in the last 24 hours */
	score_buf(buf, len, 4096, &sc, SCORE_QRADAR, 1657054855346000LL +
	    86400000000LL, &b, NULL);
	CHECK_INT(b.nrows, 0);
	score_batch_free(&b);
	/* the window boundary: starttime > NOW() - 24h is strict */
	score_buf(buf, len, 4096, &sc, SCORE_QRADAR, 1657054855346000LL +
	    86400000000LL - 1, &b, NULL);
	CHECK_INT(b.nrows, 1);
	score_batch_free(&b);
	/* without a window E9 (Expired, AppData, unknown publisher) is back */
	CHECK(score_config_set(&sc, "qradar-window", "0", NULL) == 0);
	score_buf(buf, len, 4096, &sc, SCORE_QRADAR, SCORE_NOW_LATEST, &b, NULL);
	CHECK_INT(b.nrows, 6);
	if (b.nrows == 6) {
		CHECK_INT(b.rows[2].score, 3);
		CHECK_STR(json_string_value(json_object_get(b.rows[2].cols,
		    "CertStatus")), "Expired");
	}
	score_batch_free(&b);

	/* weights from config: Revoked weighs 10 */
	score_config_defaults(&sc);
	CHECK(score_config_set(&sc, "splunk-weights", "revoked=10", NULL) == 0);
	score_buf(buf, len, 4096, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, NULL);
	CHECK(b.nrows == 8 && b.rows[0].score == 13);
	score_batch_free(&b);
	/* SPL's sort keeps its first N results (10000 by default) */
	CHECK(score_config_set(&sc, "splunk-weights", "sort-limit=3", NULL) == 0);
	stats_init(&st);
	score_buf(buf, len, 4096, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, &st);
	CHECK_INT(b.nrows, 3);
	CHECK_INT(stats_get(&st, "score_splunk_sort_limit"), 5);
	score_batch_free(&b);
	/* max_rows: N kept, N+1 counted */
	score_config_defaults(&sc);
	sc.max_rows = 8;
	stats_init(&st);
	score_buf(buf, len, 4096, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, &st);
	CHECK_INT(b.nrows, 8);
	CHECK_INT(stats_get(&st, "score_rows_over_limit"), 0);
	score_batch_free(&b);
	sc.max_rows = 7;
	score_buf(buf, len, 4096, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, &st);
	CHECK_INT(b.nrows, 7);
	CHECK_INT(stats_get(&st, "score_rows_over_limit"), 1);
	score_batch_free(&b);
	free(buf);
}

/* Applies the recipe to the real (AGPL, not copied) Defender records. */
static char *
build_sentinel_fixture(size_t *outlen)
{
	char *recipe, *base, *line, *save = NULL, *out = NULL, *row;
	const char *lines[8];
	size_t rlen, blen, n = 0, olen = 0, i;
	json_error_t jerr;
	json_t *r, *rec, *props, *v;
	const char *key;

	if ((recipe = unit_slurp(path_of("seed_sentinel.recipe", 0), &rlen)) == NULL)
		return NULL;
	if ((base = unit_slurp(path_of("mde/graph2otel_streaming_records.jsonl", 1),
	    &blen)) == NULL) {
		free(recipe);
		return NULL;
	}
	for (line = strtok_r(base, "\n", &save); line != NULL && n < 8;
	    line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	save = NULL;
	for (line = strtok_r(recipe, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if ((r = json_loads(line, 0, &jerr)) == NULL) {
			CHECK(!"bad recipe line");
			continue;
		}
		i = (size_t)json_integer_value(json_object_get(r, "line"));
		if (i < 1 || i > n ||
		    (rec = json_loads(lines[i - 1], 0, &jerr)) == NULL) {
			CHECK(!"bad recipe base");
			json_decref(r);
			continue;
		}
		props = json_object_get(rec, "properties");
		json_object_foreach(json_object_get(r, "set"), key, v)
			json_object_set(props, key, v);
		json_array_foreach(json_object_get(r, "del"), i, v)
			json_object_del(props, json_string_value(v));
		row = json_dumps(rec, JSON_COMPACT);
		out = realloc(out, olen + strlen(row) + 2);
		memcpy(out + olen, row, strlen(row));
		olen += strlen(row);
		out[olen++] = '\n';
		free(row);
		json_decref(rec);
		json_decref(r);
	}
	free(recipe);
	free(base);
	*outlen = olen;
	return out;
}

static void
test_sentinel(void)
{
	/* now() = 2026-07-18T18:00:00Z */
	const int64_t now = 1784397600000000LL;
	struct score_config sc;
	struct score_batch b;
	size_t len;
	char *buf;

	if ((buf = build_sentinel_fixture(&len)) == NULL) {
		printf("skip: sentinel seed parity: ../shared/corpus/endpoint "
		    "is absent (its Defender records are AGPL, not copied)\n");
		return;
	}
	score_config_defaults(&sc);
	score_buf(buf, len, 4096, &sc, SCORE_SENTINEL, now, &b, NULL);
	compare(&b, path_of("seed_sentinel.expected", 0));
	score_batch_free(&b);
	score_buf(buf, len, 3, &sc, SCORE_SENTINEL, now, &b, NULL);
	compare(&b, path_of("seed_sentinel.expected", 0));
	score_batch_free(&b);
	/* Subject is not a known publisher by has_any substring: "Google LLC"
	 * removed from the list makes C1's row score 2 */
	CHECK(score_config_set(&sc, "sentinel-known-publishers",
	    "Microsoft Corporation,'VMware, Inc.'", NULL) == 0);
	CHECK_INT(sc.sentinel.publishers.n, 2);
	CHECK_STR(sc.sentinel.publishers.item[1], "VMware, Inc.");
	score_buf(buf, len, 4096, &sc, SCORE_SENTINEL, now, &b, NULL);
	CHECK_INT(b.nrows, 8);
	score_batch_free(&b);
	free(buf);
}

static void
test_config(void)
{
	struct score_config sc, before;
	struct rw_err err;
	char list[SCORE_LIST_MAX * 4 + 8];
	int i, n = 0;

	score_config_defaults(&sc);
	CHECK_INT(sc.profile, SCORE_REVWIRE);
	CHECK_INT(sc.sentinel.publishers.n, 12);
	CHECK_STR(sc.sentinel.publishers.item[7], "VMware, Inc.");
	CHECK_INT(sc.splunk.publishers.n, 10);
	CHECK_INT(sc.qradar.publishers.n, 8);
	CHECK(score_config_set(&sc, "scoring-profile", "qradar", NULL) == 0);
	CHECK_INT(sc.profile, SCORE_QRADAR);
	before = sc;
	CHECK(score_config_set(&sc, "scoring-profile", "elastic", &err) == -1);
	CHECK_STR(err.reason, "config_bad_value");
	CHECK(score_config_set(&sc, "splunk-weights", "revoked=5,bogus=1",
	    &err) == -1);
	CHECK_STR(err.reason, "config_bad_value");
	CHECK(score_config_set(&sc, "splunk-weights", "revoked=x", &err) == -1);
	CHECK(score_config_set(&sc, "no-such-key", "1", &err) == -1);
	CHECK_STR(err.reason, "config_unknown_key");
	CHECK(score_config_set(&sc, "qradar-known-publishers", "'unterminated",
	    &err) == -1);
	CHECK(memcmp(&sc, &before, sizeof(sc)) == 0);	/* unchanged */
	CHECK(score_config_set(&sc, "sentinel-window", "2h", NULL) == 0);
	CHECK_INT(sc.sentinel.window_s, 7200);
	/* lists: SCORE_LIST_MAX entries fit, one more does not */
	for (i = 0; i < SCORE_LIST_MAX; i++)
		n += snprintf(list + n, sizeof(list) - (size_t)n, "%sp%d",
		    i ? "," : "", i % 10);
	CHECK(score_config_set(&sc, "splunk-known-publishers", list, NULL) == 0);
	CHECK_INT(sc.splunk.publishers.n, SCORE_LIST_MAX);
	snprintf(list + n, sizeof(list) - (size_t)n, ",px");
	CHECK(score_config_set(&sc, "splunk-known-publishers", list, &err) == -1);
	CHECK_INT(sc.splunk.publishers.n, SCORE_LIST_MAX);
}

static void
test_revwire(void)
{
	struct score_config sc;
	struct score_result r;
	struct score_wire w;
	struct ep_event *ev = calloc(1, sizeof(*ev));

	if (ev == NULL)
		return;
	score_config_defaults(&sc);
	ev->kind = EP_SYSMON_IMAGE_LOAD;
	snprintf(ev->signed_text, sizeof(ev->signed_text), "true");
	snprintf(ev->signature_status, sizeof(ev->signature_status), "Revoked");
	snprintf(ev->signature, sizeof(ev->signature), "Contoso Ltd");
	snprintf(ev->image_loaded, sizeof(ev->image_loaded),
	    "C:\\Users\\a\\AppData\\Local\\Temp\\x.dll");
	CHECK(score_revwire_eval(&sc.revwire, ev, NULL, 0, &r));
	CHECK_INT(r.score, 40 + 10 + 5 + 5);
	CHECK_STR(r.severity, "medium");
	CHECK_STR(r.explain, "a module signed with a revoked certificate was "
	    "loaded (+40); it was loaded from a user-writable folder (+10); "
	    "it is outside the system folders (+5); the signer is not a known "
	    "publisher (+5)");
	/* the wire agrees: revoked for keyCompromise, confirmed, capped */
	memset(&w, 0, sizeof(w));
	w.revoked = true;
	snprintf(w.revoked_reason, sizeof(w.revoked_reason), "keyCompromise");
	CHECK(score_revwire_eval(&sc.revwire, ev, &w, 0, &r));
	CHECK_INT(r.score, 100);
	CHECK_STR(r.severity, "high");
	CHECK(strstr(r.explain, "(confirmed) (+30)") != NULL);
	CHECK(strstr(r.explain, "says revoked (keyCompromise) (+40)") != NULL);
	/* a Valid load is no evidence; an unusual CA alone stays below 20 */
	snprintf(ev->signature_status, sizeof(ev->signature_status), "Valid");
	memset(&w, 0, sizeof(w));
	w.unusual_ca = true;
	w.ca_hosts = 1;
	CHECK(!score_revwire_eval(&sc.revwire, ev, &w, 0, &r));
	CHECK_INT(r.score, 15);
	CHECK_STR(r.explain, "the CA is unusual in this fleet (1 host) (+15)");
	/* not-issued outranks revoked; wire only, no endpoint event */
	w.not_issued = true;
	w.revoked = true;
	CHECK(score_revwire_eval(&sc.revwire, NULL, &w, 0, &r));
	CHECK_INT(r.score, 30 + 15);
	/* Code Integrity 3036 */
	memset(ev, 0, sizeof(*ev));
	ev->kind = EP_CI_REVOKED;
	CHECK(score_revwire_eval(&sc.revwire, ev, NULL, 0, &r));
	CHECK_INT(r.score, 40);
	free(ev);
}

/* The seeds' text matching, on single events. */
static void
test_seed_edges(void)
{
	struct score_config sc;
	struct score_splunk s;
	struct ep_event *ev = calloc(1, sizeof(*ev));
	int64_t risk;

	if (ev == NULL)
		return;
	score_config_defaults(&sc);
	ev->kind = EP_SYSMON_IMAGE_LOAD;
	ev->has_signed = ev->has_signature_status = true;
	snprintf(ev->signed_text, sizeof(ev->signed_text), "true");
	snprintf(ev->signature_status, sizeof(ev->signature_status), "Expired");
	snprintf(ev->provider, sizeof(ev->provider), "Microsoft-Windows-Sysmon");
	/* SPL: no ImageLoaded: match() is null, both path flags 0 */
	CHECK(score_splunk_eval(&sc.splunk, ev, &s));
	CHECK_INT(s.suspicious_path, 0);
	CHECK_INT(s.not_system_path, 0);
	CHECK_INT(s.risk_score, 1);
	/* "\Windows\System32" has no trailing backslash in the regex */
	snprintf(ev->image_loaded, sizeof(ev->image_loaded),
	    "C:\\Windows\\System32x\\a.dll");
	CHECK(score_splunk_eval(&sc.splunk, ev, &s));
	CHECK_INT(s.not_system_path, 0);
	/* AQL: publisher via ILIKE, case-insensitive */
	snprintf(ev->image_loaded, sizeof(ev->image_loaded),
	    "C:\\Users\\Public\\a.dll");
	ev->has_signature = true;
	snprintf(ev->signature, sizeof(ev->signature), "nvidia corp");
	CHECK(score_qradar_eval(&sc.qradar, ev, 0, &risk));
	CHECK_INT(risk, 2);
	/* AQL has no Apple/Amazon, SPL has */
	snprintf(ev->signature, sizeof(ev->signature), "Apple Inc.");
	CHECK(score_qradar_eval(&sc.qradar, ev, 0, &risk));
	CHECK_INT(risk, 3);
	CHECK(score_splunk_eval(&sc.splunk, ev, &s));
	CHECK_INT(s.known_publisher, 1);
	/* AQL needs the Sysmon log source */
	snprintf(ev->provider, sizeof(ev->provider), "Other");
	snprintf(ev->channel, sizeof(ev->channel), "Other");
	CHECK(!score_qradar_eval(&sc.qradar, ev, 0, &risk));
	free(ev);
}

/* The same events as XmlWinEventLog lines give the same rows. */
static void
test_splunk_qradar_xml(void)
{
	struct score_config sc;
	struct score_batch b;
	struct stats st;
	size_t len;
	char *buf;

	score_config_defaults(&sc);
	if ((buf = unit_slurp(path_of("seed_sysmon7.xml", 0), &len)) == NULL) {
		CHECK(!"fixture missing");
		return;
	}
	stats_init(&st);
	score_buf(buf, len, 1, &sc, SCORE_SPLUNK, SCORE_NOW_LATEST, &b, &st);
	compare(&b, path_of("seed_sysmon7.splunk.expected", 0));
	CHECK_INT(stats_get(&st, "endpoint_events_kept"), 14);
	CHECK_INT(stats_get(&st, "endpoint_xml_malformed"), 0);
	score_batch_free(&b);
	score_buf(buf, len, 4096, &sc, SCORE_QRADAR, SCORE_NOW_LATEST, &b, NULL);
	compare(&b, path_of("seed_sysmon7.qradar.expected", 0));
	score_batch_free(&b);
	free(buf);
}

UNIT_MAIN(test_splunk_qradar, test_splunk_qradar_xml, test_sentinel, test_config, test_revwire,
    test_seed_edges)
