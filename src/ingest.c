/*
 * ingest.c - `revwire ingest`: reads endpoint events (JSON lines, Windows
 * event XML) from files or stdin, normalises them, scores them with a
 * profile and prints the flagged events as JSON lines.
 *
 * The Redis side (host map, joins, alerts, the Winlogbeat list consumer)
 * plugs in at ingest_handoff_redis().
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"
#include "correlate/corr.h"
#include "correlate/endpoint.h"
#include "correlate/score.h"
#include "redis/redis.h"
#include "src/cmd.h"

struct ingest {
	struct score_config	 sc;
	struct score_batch	 batch;
	struct stats		 st;
	struct rw_err		 err;
	int			 failed;
	struct rw_redis		*redis;		/* NULL without --redis */
	struct corr		*corr;
	FILE			*out;
};

/*
 * Each normalised event goes to the correlation in Redis (host map from
 * EID 3/22, process attribution, joins, alerts; duplicates dedupe on the
 * event's content id).  Returns 0, or -1 to stop.
 */
static int
ingest_handoff_redis(struct ingest *in, const struct ep_event *ev)
{
	struct rw_err err;

	if (in->corr == NULL)
		return 0;
	if (corr_endpoint_event(in->corr, ev, &err) == -1)
		stats_incr(&in->st, err.reason);
	rw_redis_tick(in->redis);
	return 0;
}

/* Alerts created by this process: JSON lines on the output, as they come. */
static void
alert_out(void *arg, json_t *alert)
{
	struct ingest *in = arg;
	char *line = json_dumps(alert, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (line != NULL)
		fprintf(in->out, "%s\n", line);
	free(line);
}

static int
open_redis(struct ingest *in, struct rw_config *cfg, const char *url)
{
	if (url == NULL)
		return 0;
	snprintf(cfg->redis_url, sizeof(cfg->redis_url), "%s", url);
	if (rw_redis_open(&in->redis, cfg, &in->st, &in->err) == -1 ||
	    (in->corr = corr_new(in->redis, cfg, &in->st, &in->err)) == NULL) {
		fprintf(stderr, "revwire ingest: redis: %s\n", in->err.msg);
		return -1;
	}
	corr_set_alert_sink(in->corr, alert_out, in);
	return 0;
}

static void
close_redis(struct ingest *in)
{
	struct rw_err err;

	if (in->redis != NULL && rw_redis_flush(in->redis, &err) == -1)
		fprintf(stderr, "revwire ingest: redis: %s\n", err.msg);
	corr_free(in->corr);
	if (in->redis != NULL)
		rw_redis_close(in->redis);
	in->corr = NULL;
	in->redis = NULL;
}

static int
sink(const struct ep_event *ev, void *arg)
{
	struct ingest *in = arg;

	if (ingest_handoff_redis(in, ev) == -1)
		return -1;
	if (score_batch_add(&in->batch, ev, &in->err) == -1) {
		in->failed = 1;
		return -1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: revwire ingest [-r FILE|-]... [--format auto|json|xml]\n"
	    "                      [--profile splunk|qradar|sentinel|revwire]\n"
	    "                      [--json OUT] [--config FILE] [--now TIME|latest]\n"
	    "                      [--redis URL] [--stats]\n\n"
	    "Reads Windows endpoint events (Sysmon 1/3/7/22, Code Integrity\n"
	    "3033/3034/3036/3089, Defender DeviceFileCertificateInfo,\n"
	    "DeviceProcessEvents, DeviceNetworkEvents) as JSON lines (Winlogbeat,\n"
	    "NXLog, evtx_dump, Defender rows) or Windows event XML, scores them\n"
	    "with a profile and writes the flagged events as JSON lines, in the\n"
	    "profile's order.\n\n"
	    "  -r FILE        input file, '-' for stdin (repeatable; default stdin)\n"
	    "  --format F     auto (default), json or xml\n"
	    "  --profile P    scoring profile (default: scoring-profile, revwire)\n"
	    "  --json OUT     write results to OUT instead of stdout\n"
	    "  --config FILE  revwire.conf with the scoring-* keys\n"
	    "  --now T        the query's now(): RFC 3339 UTC time, or 'latest'\n"
	    "                 (default: the latest event time read)\n"
	    "  --redis URL    also correlate the events in Redis (redis://...,\n"
	    "                 unix:///path); alerts created are written first\n"
	    "  --stats        print the counters to stderr at the end\n");
}

static int
feed_file(struct ingest *in, struct ep_ctx *ctx, const char *path,
    enum ep_format fmt)
{
	struct ep_stream s;
	char buf[65536];
	size_t n;
	FILE *f;
	int rc = 0;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "revwire ingest: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	ep_stream_init(&s, ctx, fmt);
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		rc = ep_stream_write(&s, buf, n, &in->err);
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "revwire ingest: %s: read error\n", path);
		rc = -1;
	}
	if (rc == 0)
		rc = ep_stream_end(&s, &in->err);
	ep_stream_free(&s);
	if (f != stdin)
		fclose(f);
	return rc;
}

static void
print_stat(const char *name, uint64_t v, void *arg)
{
	fprintf(arg, "%s %llu\n", name, (unsigned long long)v);
}

static int
parse_now(const char *s, int64_t *now)
{
	if (strcmp(s, "latest") == 0) {
		*now = SCORE_NOW_LATEST;
		return 0;
	}
	return ep_parse_time(s, now);
}

int
ingest_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "profile", required_argument, NULL, 'p' },
		{ "json", required_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "now", required_argument, NULL, 'n' },
		{ "stats", no_argument, NULL, 's' },
		{ "redis", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ingest *in;
	struct rw_config *cfg;
	struct ep_ctx ctx;
	enum ep_format fmt = EP_FMT_AUTO;
	enum score_profile profile;
	const char *inputs[64], *out_path = NULL, *conf_path = NULL;
	const char *profile_arg = NULL, *redis_url = NULL;
	int64_t now = SCORE_NOW_LATEST;
	int ninputs = 0, c, i, rc = 1, want_stats = 0;
	FILE *out = stdout;
	size_t r;

	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (ninputs == (int)(sizeof(inputs) / sizeof(inputs[0]))) {
				fprintf(stderr, "revwire ingest: at most 64 inputs\n");
				return 2;
			}
			inputs[ninputs++] = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "auto") == 0)
				fmt = EP_FMT_AUTO;
			else if (strcmp(optarg, "json") == 0)
				fmt = EP_FMT_JSON;
			else if (strcmp(optarg, "xml") == 0)
				fmt = EP_FMT_XML;
			else {
				fprintf(stderr, "revwire ingest: --format: want "
				    "auto, json or xml\n");
				return 2;
			}
			break;
		case 'p': profile_arg = optarg; break;
		case 'j': out_path = optarg; break;
		case 'c': conf_path = optarg; break;
		case 'n':
			if (parse_now(optarg, &now) == -1) {
				fprintf(stderr, "revwire ingest: --now: want "
				    "YYYY-MM-DDThh:mm:ss[.ffffff]Z or latest\n");
				return 2;
			}
			break;
		case 's': want_stats = 1; break;
		case 'R': redis_url = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "Try 'revwire ingest --help'.\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "revwire ingest: unexpected argument '%.200s' "
		    "(input files go after -r)\n", argv[optind]);
		return 2;
	}
	if (ninputs == 0)
		inputs[ninputs++] = "-";

	if ((in = calloc(1, sizeof(*in))) == NULL ||
	    (cfg = calloc(1, sizeof(*cfg))) == NULL) {
		fprintf(stderr, "revwire ingest: out of memory\n");
		free(in);
		return 1;
	}
	config_defaults(cfg);
	score_config_defaults(&in->sc);
	if ((conf_path != NULL && config_load(cfg, conf_path, &in->err) == -1) ||
	    score_config_from_rw(&in->sc, cfg, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: %s\n", in->err.msg);
		goto out;
	}
	profile = in->sc.profile;
	if (profile_arg != NULL && score_profile_parse(profile_arg,
	    &profile) == -1) {
		fprintf(stderr, "revwire ingest: --profile: want splunk, qradar, "
		    "sentinel or revwire\n");
		rc = 2;
		goto out;
	}
	if (out_path != NULL && (out = fopen(out_path, "w")) == NULL) {
		fprintf(stderr, "revwire ingest: %s: %s\n", out_path,
		    strerror(errno));
		goto out;
	}
	stats_init(&in->st);
	in->out = out;
	if (open_redis(in, cfg, redis_url) == -1) {
		close_redis(in);
		if (out != stdout)
			fclose(out);
		goto out;
	}
	score_batch_init(&in->batch, &in->sc, profile, now, &in->st);
	if (ep_ctx_init(&ctx, NULL, &in->st, sink, in, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: %s\n", in->err.msg);
		goto out_batch;
	}
	for (i = 0; i < ninputs; i++)
		if (feed_file(in, &ctx, inputs[i], fmt) == -1) {
			/* open/read errors were reported by feed_file */
			if (in->err.reason != NULL)
				fprintf(stderr, "revwire ingest: %s\n",
				    in->err.msg);
			goto out_ctx;
		}
	if (score_batch_finish(&in->batch, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: %s\n", in->err.msg);
		goto out_ctx;
	}
	close_redis(in);
	for (r = 0; r < in->batch.nrows; r++) {
		char *line = json_dumps(in->batch.rows[r].cols,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (line == NULL)
			continue;
		fprintf(out, "%s\n", line);
		free(line);
	}
	if (fflush(out) != 0) {
		fprintf(stderr, "revwire ingest: write error\n");
		goto out_ctx;
	}
	if (want_stats) {
		stats_set(&in->st, "score_rows", in->batch.nrows);
		stats_foreach(&in->st, print_stat, stderr);
	}
	rc = 0;
out_ctx:
	ep_ctx_free(&ctx);
out_batch:
	close_redis(in);
	score_batch_free(&in->batch);
	if (out != stdout)
		fclose(out);
out:
	free(cfg);
	free(in);
	return rc;
}
