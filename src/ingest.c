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
#include <signal.h>
#include <stdbool.h>
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
#include "src/cmd.h"
#include "src/ingest_redis.h"

/* Set by SIGTERM/SIGINT: the list consumer finishes its batch and exits
 * (the documented exception to "no global mutable state"). */
static volatile sig_atomic_t ingest_stop;

static void
on_stop(int sig)
{
	(void)sig;
	ingest_stop = 1;
}

struct ingest {
	struct score_config	 sc;
	struct score_batch	 batch;
	struct stats		 st;
	struct rw_err		 err;
	int			 failed;
	struct ingest_redis	*redis;		/* NULL with --no-redis */
	struct corr		*corr;		/* correlation, with redis */
	FILE			*out;		/* alerts created, as they come */
	bool			 list_mode;	/* --from-redis-list: no scoring */
};

/*
 * Every kept event goes to the endpoint stream (once per dedupe key).
 * Returns 0, or -1 to stop: only the list consumer stops on a lost write,
 * so the element stays in the processing list for the next run.
 */
static int
ingest_handoff_redis(struct ingest *in, const struct ep_event *ev)
{
	struct rw_err err;
	int lost = 0;

	if (in->redis == NULL)
		return 0;
	if (ingest_redis_event(in->redis, ev) == -1)
		lost = 1;
	/* host map, attribution, joins and alerts: one FCALL per event */
	if (in->corr != NULL && corr_endpoint_event(in->corr, ev, &err) == -1) {
		stats_incr(&in->st, err.reason);
		lost = 1;
	}
	return lost && in->list_mode ? -1 : 0;
}

/* Alerts created by this process: JSON lines on the output. */
static void
alert_out(void *arg, json_t *alert)
{
	struct ingest *in = arg;
	char *line = json_dumps(alert, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (line != NULL && in->out != NULL)
		fprintf(in->out, "%s\n", line);
	free(line);
}

static int
sink(const struct ep_event *ev, void *arg)
{
	struct ingest *in = arg;

	if (ingest_handoff_redis(in, ev) == -1)
		return -1;
	if (in->list_mode)
		return 0;
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
	    "                      [--stats] [--redis URL | --no-redis]\n"
	    "       revwire ingest --from-redis-list [KEY] [--until-empty] [...]\n\n"
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
	    "  --set K=V      override one config key (repeatable)\n"
	    "  --now T        the query's now(): RFC 3339 UTC time, or 'latest'\n"
	    "                 (default: the latest event time read)\n"
	    "  --stats        print the counters to stderr at the very end\n"
	    "  --redis URL    write every kept event to this Redis (stream\n"
	    "                 rw:{ep}:events, once per record id, computer and\n"
	    "                 channel); default: redis-url, else the private\n"
	    "                 redis-server (see 'revwire redis')\n"
	    "  --no-redis     write nothing to Redis\n"
	    "  --from-redis-list [KEY]\n"
	    "                 consume the list Winlogbeat's output.redis fills\n"
	    "                 (default: ingest-list-key, winlogbeat) instead of\n"
	    "                 files, through {KEY}:revwire:processing so that an\n"
	    "                 event is never lost if revwire dies; runs until\n"
	    "                 TERM/INT; writes to Redis only (no scoring output)\n"
	    "  --until-empty  with --from-redis-list: exit once KEY is empty\n");
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

/* --set KEY=VALUE on top of the config file. */
static int
apply_sets(struct rw_config *cfg, char **sets, int n, struct rw_err *err)
{
	int i;

	for (i = 0; i < n; i++) {
		char *eq = strchr(sets[i], '=');

		*eq = '\0';
		if (config_set(cfg, sets[i], eq + 1, err) == -1)
			return -1;
	}
	return 0;
}

/* ingest_redis_on_seal(): the correlation batch before the stream's */
static int
flush_corr(void *arg)
{
	struct ingest *in = arg;
	struct rw_err err;

	if (in->corr == NULL || corr_flush(in->corr, &err) == 0)
		return 0;
	stats_incr(&in->st, err.reason);
	return -1;
}

static int
open_redis(struct ingest *in, struct rw_config *cfg, const char *url)
{
	if (url != NULL && config_set(cfg, "redis-url", url, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: --redis: %s\n", in->err.msg);
		return -1;
	}
	if ((in->redis = ingest_redis_open(cfg, &in->st, &in->err)) == NULL) {
		fprintf(stderr, "revwire ingest: %s (--no-redis runs without "
		    "Redis)\n", in->err.msg);
		return -1;
	}
	in->corr = corr_new(ingest_redis_conn(in->redis), cfg, &in->st,
	    &in->err);
	if (in->corr == NULL) {
		fprintf(stderr, "revwire ingest: %s\n", in->err.msg);
		return -1;
	}
	/* the correlation goes redis-batch events per call, like the stream */
	if (corr_set_ep_batch(in->corr, cfg->redis_batch, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: %s\n", in->err.msg);
		return -1;
	}
	ingest_redis_on_seal(in->redis, flush_corr, in);
	if (corr_load_error(in->corr) != NULL)
		fprintf(stderr, "revwire ingest: correlation off: %s\n",
		    corr_load_error(in->corr));
	corr_set_alert_sink(in->corr, alert_out, in);
	return 0;
}

/* Every event is in Redis (or the spool) before the counters are shown. */
static void
flush_redis(struct ingest *in)
{
	struct rw_err err;

	if (in->redis != NULL && ingest_redis_flush(in->redis, &err) == -1)
		fprintf(stderr, "revwire ingest: %s; unsent events are "
		    "spooled\n", err.msg);
}

static int
run_list(struct ingest *in, struct ep_ctx *ctx, const struct rw_config *cfg,
    const char *key, bool until_empty)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	in->list_mode = true;
	if (key == NULL || *key == '\0')
		key = cfg->ingest_list_key;
	if (ingest_redis_consume(in->redis, key, ctx, until_empty,
	    &ingest_stop, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: list %s: %s\n", key,
		    in->err.msg);
		return -1;
	}
	return 0;
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
		{ "no-redis", no_argument, NULL, 'N' },
		{ "from-redis-list", optional_argument, NULL, 'L' },
		{ "until-empty", no_argument, NULL, 'U' },
		{ "set", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ingest *in;
	struct rw_config *cfg;
	struct ep_ctx ctx;
	enum ep_format fmt = EP_FMT_AUTO;
	enum score_profile profile;
	const char *inputs[64], *out_path = NULL, *conf_path = NULL;
	const char *profile_arg = NULL, *redis_url = NULL, *list_key = NULL;
	bool no_redis = false, from_list = false, until_empty = false;
	char *sets[64];
	int nsets = 0;
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
		case 'N': no_redis = true; break;
		case 'L':
			from_list = true;
			/* "--from-redis-list KEY" as well as "=KEY" */
			if (optarg == NULL && optind < argc &&
			    argv[optind][0] != '-')
				optarg = argv[optind++];
			list_key = optarg;
			break;
		case 'U': until_empty = true; break;
		case 'S':
			if (nsets == (int)(sizeof(sets) / sizeof(sets[0])) ||
			    strchr(optarg, '=') == NULL) {
				fprintf(stderr, "revwire ingest: --set wants "
				    "KEY=VALUE (at most 64)\n");
				return 2;
			}
			sets[nsets++] = optarg;
			break;
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
	if (from_list && (no_redis || ninputs > 0)) {
		fprintf(stderr, "revwire ingest: --from-redis-list excludes "
		    "-r and --no-redis\n");
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
	    apply_sets(cfg, sets, nsets, &in->err) == -1 ||
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
	score_batch_init(&in->batch, &in->sc, profile, now, &in->st);
	if (ep_ctx_init(&ctx, NULL, &in->st, sink, in, &in->err) == -1) {
		fprintf(stderr, "revwire ingest: %s\n", in->err.msg);
		goto out_batch;
	}
	if (!no_redis && open_redis(in, cfg, redis_url) == -1)
		goto out_ctx;
	if (from_list) {
		if (run_list(in, &ctx, cfg, list_key, until_empty) == 0)
			rc = 0;
		goto out_stats;
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
	stats_set(&in->st, "score_rows", in->batch.nrows);
	rc = 0;
out_stats:
	flush_redis(in);
out_ctx:
	ingest_redis_close(in->redis);
	corr_free(in->corr);	/* after the close: its replies are read */
	ep_ctx_free(&ctx);
	/* the close wrote the stats hash and flushed: those count too */
	if (want_stats)
		stats_foreach(&in->st, print_stat, stderr);
out_batch:
	score_batch_free(&in->batch);
	if (out != stdout)
		fclose(out);
out:
	free(cfg);
	free(in);
	return rc;
}
