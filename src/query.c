/*
 * query.c - `revwire query` and `revwire alert`: read alerts, host
 * timelines, certificates, CA prevalence and counters from Redis (the keys
 * of redis/schema.h), and acknowledge or close alerts.  Aligned tables on
 * a terminal, JSON lines with --json.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"
#include "common/timefmt.h"
#include "correlate/corr.h"
#include "correlate/endpoint.h"
#include "redis/redis.h"
#include "redis/schema.h"
#include "src/cmd.h"

struct query {
	struct rw_redis		*r;
	struct rw_config	 cfg;
	struct stats		 st;
	struct rw_err		 err;
	bool			 json;
	const char		*host, *rule, *status;
	int64_t			 since_ms;
	long long		 min_score, limit;
};

#define Q_ARGS_MAX	8

/* One command from NUL-terminated words; NULL ends the list. */
static redisReply *
cmd(struct query *q, const char *w0, ...)
{
	const char *argv[Q_ARGS_MAX];
	size_t lens[Q_ARGS_MAX];
	va_list ap;
	int n = 0;
	const char *w;

	va_start(ap, w0);
	for (w = w0; w != NULL && n < Q_ARGS_MAX; w = va_arg(ap, const char *)) {
		argv[n] = w;
		lens[n++] = strlen(w);
	}
	va_end(ap);
	return rw_redis_cmd_argv(q->r, n, argv, lens, &q->err);
}

static bool
is_num_field(const char *k)
{
	static const char *const f[] = { "score", "count", "first_seen",
	    "last_seen", "updated", "pid", "src_port", "dest_port", "hosts",
	    NULL };
	size_t i;

	for (i = 0; f[i] != NULL; i++)
		if (strcmp(k, f[i]) == 0)
			return true;
	return false;
}

/* An alert hash as its public JSON object, or NULL when it is gone. */
static json_t *
alert_get(struct query *q, const char *id)
{
	char key[256];
	redisReply *h, *ev;
	json_t *a;
	size_t i;

	snprintf(key, sizeof(key), "%s%s", RW_KEY_ALERT, id);
	if ((h = cmd(q, "HGETALL", key, NULL)) == NULL)
		return NULL;
	if (h->type != REDIS_REPLY_ARRAY || h->elements == 0) {
		freeReplyObject(h);
		return NULL;
	}
	a = json_object();
	for (i = 0; i + 1 < h->elements; i += 2) {
		const char *k = h->element[i]->str, *v = h->element[i + 1]->str;

		if (strncmp(k, "ts_", 3) == 0 || strcmp(k, "rank") == 0 ||
		    v[0] == '\0')
			continue;
		json_object_set_new(a, k, is_num_field(k) ?
		    json_integer(strtoll(v, NULL, 10)) : json_string(v));
	}
	freeReplyObject(h);
	snprintf(key, sizeof(key), "%s%s", RW_KEY_ALERT_EV, id);
	if ((ev = cmd(q, "SORT", key, "ALPHA", NULL)) != NULL) {
		json_t *arr = json_array();

		for (i = 0; ev->type == REDIS_REPLY_ARRAY && i < ev->elements; i++)
			json_array_append_new(arr, json_string(ev->element[i]->str));
		json_object_set_new(a, "evidence", arr);
		freeReplyObject(ev);
	}
	corr_alert_public(a);
	return a;
}

static const char *
js(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "-";
}

static long long
jn(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
print_json(const json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

static void
alert_row(const json_t *a, bool header)
{
	const char *fmt = isatty(STDOUT_FILENO) ?
	    "%-16s  %-27s  %-19s  %5s  %-6s  %-16s  %-20s  %-12s  %5s\n" :
	    "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n";
	char score[16], count[16];

	if (header) {
		printf(fmt, "ID", "LAST SEEN", "RULE", "SCORE", "SEV", "HOST",
		    "SERIAL", "STATUS", "COUNT");
		return;
	}
	snprintf(score, sizeof(score), "%lld", jn(a, "score"));
	snprintf(count, sizeof(count), "%lld", jn(a, "count"));
	printf(fmt, js(a, "id"), js(a, "last_seen"), js(a, "rule"), score,
	    js(a, "severity"), json_object_get(a, "host") ? js(a, "host") :
	    js(a, "src_ip"), js(a, "serial"), js(a, "status"), count);
}

static int
cmp_alerts(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int c;

	if (jn(a, "score") != jn(b, "score"))
		return jn(a, "score") > jn(b, "score") ? -1 : 1;
	if ((c = strcmp(js(b, "last_seen"), js(a, "last_seen"))) != 0)
		return c;
	return strcmp(js(a, "id"), js(b, "id"));
}

static bool
keep_alert(const struct query *q, const json_t *a)
{
	if (q->min_score > 0 && jn(a, "score") < q->min_score)
		return false;
	if (q->status != NULL && strcmp(js(a, "status"), q->status) != 0)
		return false;
	if (q->rule != NULL && strcmp(js(a, "rule"), q->rule) != 0)
		return false;
	if (q->host != NULL && strcasecmp(js(a, "host"), q->host) != 0)
		return false;
	return true;
}

/* Alerts of an index (newest first), filtered, sorted by score. */
static int
list_alerts(struct query *q, const char *index)
{
	char since[32], lowhost[EP_NAME_MAX], key[512];
	redisReply *ids;
	json_t **v;
	size_t i, n = 0;

	snprintf(since, sizeof(since), "%lld", (long long)q->since_ms);
	if (index == NULL && q->host != NULL) {
		for (i = 0; q->host[i] != '\0' && i + 1 < sizeof(lowhost); i++)
			lowhost[i] = (char)tolower((unsigned char)q->host[i]);
		lowhost[i] = '\0';
		snprintf(key, sizeof(key), "%s%s", RW_KEY_ALERTS_HOST, lowhost);
		index = key;
	} else if (index == NULL && q->rule != NULL) {
		snprintf(key, sizeof(key), "%s%s", RW_KEY_ALERTS_RULE, q->rule);
		index = key;
	} else if (index == NULL)
		index = RW_KEY_ALERTS_TIME;
	if ((ids = cmd(q, "ZREVRANGEBYSCORE", index, "+inf", since, NULL)) ==
	    NULL)
		return -1;
	v = calloc(ids->elements + 1, sizeof(*v));
	for (i = 0; v != NULL && i < ids->elements; i++) {
		json_t *a = alert_get(q, ids->element[i]->str);

		if (a != NULL && keep_alert(q, a))
			v[n++] = a;
		else
			json_decref(a);
	}
	freeReplyObject(ids);
	if (v == NULL)
		return -1;
	qsort(v, n, sizeof(*v), cmp_alerts);
	if (!q->json)
		alert_row(NULL, true);
	for (i = 0; i < n; i++) {
		if (q->limit <= 0 || (long long)i < q->limit) {
			if (q->json)
				print_json(v[i]);
			else
				alert_row(v[i], false);
		}
		json_decref(v[i]);
	}
	free(v);
	return 0;
}

static void
print_event(struct query *q, const char *eid)
{
	char key[128];
	redisReply *r;
	json_t *e;

	snprintf(key, sizeof(key), "%s%s", RW_KEY_EV, eid);
	if ((r = cmd(q, "GET", key, NULL)) == NULL)
		return;
	if (r->type == REDIS_REPLY_STRING &&
	    (e = json_loadb(r->str, r->len, 0, NULL)) != NULL) {
		if (q->json)
			print_json(e);
		else {
			json_t *ts = json_object_get(e, "ts");
			struct timeval tv;
			char buf[RW_TIME_BUF + 8];
			json_int_t ms = json_integer_value(ts);

			tv.tv_sec = (time_t)(ms / 1000);
			tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
			printf("%-27s  %-20s  %s %s %s\n",
			    rw_time_fmt_us(buf, &tv), eid,
			    json_object_get(e, "type") ? js(e, "type") : "endpoint",
			    json_object_get(e, "image") ? js(e, "image") :
			    js(e, "src"), json_object_get(e, "cmd") ?
			    js(e, "cmd") : json_object_get(e, "loaded") ?
			    js(e, "loaded") : js(e, "hostname"));
		}
		json_decref(e);
	}
	freeReplyObject(r);
}

struct ev_ts {
	long long	 ts;
	const char	*eid;
};

static int
cmp_ev_ts(const void *x, const void *y)
{
	const struct ev_ts *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return strcmp(a->eid, b->eid);
}

/* The evidence events of an alert, oldest first. */
static void
print_events_by_time(struct query *q, const json_t *ids)
{
	struct ev_ts *v = calloc(json_array_size(ids) + 1, sizeof(*v));
	char key[128];
	size_t i, n = 0;
	json_t *x;

	if (v == NULL)
		return;
	json_array_foreach(ids, i, x) {
		redisReply *r;
		json_t *e;

		snprintf(key, sizeof(key), "%s%s", RW_KEY_EV,
		    json_string_value(x));
		v[n].eid = json_string_value(x);
		if ((r = cmd(q, "GET", key, NULL)) != NULL) {
			if (r->type == REDIS_REPLY_STRING &&
			    (e = json_loadb(r->str, r->len, 0, NULL)) != NULL) {
				v[n].ts = (long long)json_integer_value(
				    json_object_get(e, "ts"));
				json_decref(e);
			}
			freeReplyObject(r);
		}
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_ev_ts);
	for (i = 0; i < n; i++)
		print_event(q, v[i].eid);
	free(v);
}

static int
show_alert(struct query *q, const char *id)
{
	json_t *a = alert_get(q, id);

	if (a == NULL) {
		if (q->err.reason == NULL)
			fprintf(stderr, "revwire query: no alert %.64s\n", id);
		return -1;
	}
	if (q->json)
		print_json(a);
	else {
		char *s = json_dumps(a, JSON_INDENT(2) | JSON_SORT_KEYS);

		printf("%s\nevidence:\n", s != NULL ? s : "");
		free(s);
	}
	if (!q->json)
		print_events_by_time(q, json_object_get(a, "evidence"));
	json_decref(a);
	return 0;
}

static int
show_zset_events(struct query *q, const char *key)
{
	redisReply *r = cmd(q, "ZRANGE", key, "0", "-1", NULL);
	size_t i;

	if (r == NULL)
		return -1;
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
		print_event(q, r->element[i]->str);
	freeReplyObject(r);
	return 0;
}

static int
show_host(struct query *q, const char *host)
{
	char key[512], low[EP_NAME_MAX];
	size_t i;

	for (i = 0; host[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)host[i]);
	low[i] = '\0';
	if (!q->json)
		printf("timeline of %s:\n", low);
	snprintf(key, sizeof(key), "%s%s", RW_KEY_TIMELINE, low);
	if (show_zset_events(q, key) == -1)
		return -1;
	if (!q->json)
		printf("\nalerts:\n");
	q->host = low;
	return list_alerts(q, NULL);
}

static int
show_string(struct query *q, const char *label, const char *key)
{
	redisReply *r = cmd(q, "GET", key, NULL);

	if (r == NULL)
		return -1;
	if (r->type == REDIS_REPLY_STRING) {
		if (q->json)
			printf("{\"%s\":%s}\n", label, r->str);
		else
			printf("%s: %s\n", label, r->str);
	}
	freeReplyObject(r);
	return 0;
}

static int
show_cert(struct query *q, const char *serial)
{
	char key[512], up[128];
	size_t i;

	for (i = 0; serial[i] != '\0' && i + 1 < sizeof(up); i++)
		up[i] = (char)toupper((unsigned char)serial[i]);
	up[i] = '\0';
	snprintf(key, sizeof(key), "%s%s", RW_KEY_CRL, up);
	if (show_string(q, "crl", key) == -1)
		return -1;
	snprintf(key, sizeof(key), "%s%s", RW_KEY_VERDICT, up);
	if (show_string(q, "ocsp", key) == -1)
		return -1;
	if (!q->json)
		printf("seen in use:\n");
	snprintf(key, sizeof(key), "%s%s", RW_KEY_USE, up);
	if (show_zset_events(q, key) == -1)
		return -1;
	if (!q->json)
		printf("\nalerts:\n");
	snprintf(key, sizeof(key), "%s%s", RW_KEY_ALERTS_SERIAL, up);
	return list_alerts(q, key);
}

static int
show_cas(struct query *q)
{
	redisReply *r = cmd(q, "ZREVRANGE", RW_KEY_CAS, "0", "-1", "WITHSCORES",
	    NULL), *info;
	size_t i;

	if (r == NULL)
		return -1;
	if (!q->json)
		printf(isatty(STDOUT_FILENO) ? "%5s  %-50s  %s\n" :
		    "%s\t%s\t%s\n", "HOSTS", "CA", "NAME");
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
		const char *ca = r->element[i]->str;
		json_t *o = NULL;

		info = cmd(q, "HGET", RW_KEY_CAINFO, ca, NULL);
		if (info != NULL && info->type == REDIS_REPLY_STRING)
			o = json_loadb(info->str, info->len, 0, NULL);
		if (o == NULL)
			o = json_object();
		json_object_set_new(o, "ca", json_string(ca));
		json_object_set_new(o, "hosts",
		    json_integer(strtoll(r->element[i + 1]->str, NULL, 10)));
		if (q->json)
			print_json(o);
		else
			printf(isatty(STDOUT_FILENO) ? "%5s  %-50s  %s\n" :
			    "%s\t%s\t%s\n", r->element[i + 1]->str, ca,
			    js(o, "name"));
		json_decref(o);
		freeReplyObject(info);
	}
	freeReplyObject(r);
	return 0;
}

static int
show_stats(struct query *q)
{
	redisReply *r = cmd(q, "HGETALL", RW_KEY_STATS, NULL), *n;
	json_t *o;
	size_t i;

	if (r == NULL)
		return -1;
	if ((o = json_object()) == NULL) {
		freeReplyObject(r);
		return -1;
	}
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2)
		json_object_set_new(o, r->element[i]->str,
		    json_integer(strtoll(r->element[i + 1]->str, NULL, 10)));
	freeReplyObject(r);
	if ((n = cmd(q, "ZCARD", RW_KEY_ALERTS_TIME, NULL)) != NULL) {
		json_object_set_new(o, "alerts", json_integer(n->integer));
		freeReplyObject(n);
	}
	if ((n = cmd(q, "XLEN", RW_KEY_ALERTS_STREAM, NULL)) != NULL) {
		json_object_set_new(o, "alerts_stream_length",
		    json_integer(n->integer));
		freeReplyObject(n);
	}
	if (q->json)
		print_json(o);
	else {
		const char *k;
		json_t *v;

		json_object_foreach(o, k, v)
			printf("%-32s %lld\n", k, (long long)json_integer_value(v));
	}
	json_decref(o);
	return 0;
}

static int
set_status(struct query *q, const char *id, const char *status)
{
	char now[32], maxlen[32];
	struct timeval tv;
	redisReply *r;
	json_t *a;

	gettimeofday(&tv, NULL);
	snprintf(now, sizeof(now), "%lld",
	    (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	snprintf(maxlen, sizeof(maxlen), "%llu",
	    (unsigned long long)q->cfg.alerts_stream_maxlen);
	{
		const char *argv[] = { "FCALL", RW_FN_STATUS, "1", RW_KEY_META,
		    id, status, now, maxlen };
		size_t lens[8];
		int i;

		for (i = 0; i < 8; i++)
			lens[i] = strlen(argv[i]);
		if ((r = rw_redis_cmd_argv(q->r, 8, argv, lens, &q->err)) ==
		    NULL)
			return -1;
	}
	if (r->type == REDIS_REPLY_STRING &&
	    (a = json_loadb(r->str, r->len, 0, NULL)) != NULL) {
		corr_alert_public(a);
		if (q->json)
			print_json(a);
		else
			printf("%s %s\n", js(a, "id"), js(a, "status"));
		json_decref(a);
	}
	freeReplyObject(r);
	return 0;
}

/* The key table of redis/schema.c, for redis-cli users. */
static int
show_schema(struct query *q)
{
	const struct schema_key *k;
	size_t n, i;

	k = schema_keys(&n);
	for (i = 0; i < n; i++) {
		char name[256];

		snprintf(name, sizeof(name), "%s%s%s%s", k[i].name,
		    k[i].suffix ? "<" : "", k[i].suffix ? k[i].suffix : "",
		    k[i].suffix ? ">" : "");
		if (q->json) {
			json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "key", name,
			    "type", schema_type_name(k[i].type), "bound",
			    k[i].bound, "what", k[i].what);

			print_json(o);
			json_decref(o);
		} else
			printf("%-44s %-11s %s\n", name,
			    schema_type_name(k[i].type), k[i].what);
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: revwire query [--redis URL] [--config FILE] [--json] WHAT\n"
	    "       revwire alert [--redis URL] [--config FILE] [--json] ack|close ID\n\n"
	    "WHAT:\n"
	    "  alerts [--host H] [--since T] [--min-score N] [--rule R]\n"
	    "         [--status new|acknowledged|closed] [--limit N]\n"
	    "                    alerts, highest score first\n"
	    "  alert ID          one alert with its evidence events\n"
	    "  host NAME         the host's revocation and signing timeline, alerts\n"
	    "  cert SERIAL       CRL listing, OCSP verdict, users and alerts of a serial\n"
	    "  cas               CAs by fleet prevalence (hosts)\n"
	    "  stats             correlation counters\n"
	    "  schema            every Redis key revwire uses (no connection)\n\n"
	    "  --redis URL       redis://[user:pass@]host:port/db or unix:///path\n"
	    "                    (default: redis-url, else the embedded server)\n"
	    "  --json            JSON lines instead of a table\n"
	    "  --since T         RFC 3339 UTC time (event time of last_seen)\n"
	    "See revwire-query(1).\n");
}

static int
run(struct query *q, int argc, char **argv, bool alert_cmd)
{
	const char *what = argv[0];

	if (alert_cmd) {
		if (argc != 2 || (strcmp(what, "ack") != 0 &&
		    strcmp(what, "close") != 0)) {
			usage(stderr);
			return 2;
		}
		return set_status(q, argv[1], strcmp(what, "ack") == 0 ?
		    "acknowledged" : "closed") == -1 ? 1 : 0;
	}
	if (strcmp(what, "alerts") == 0 && argc == 1)
		return list_alerts(q, NULL) == -1 ? 1 : 0;
	if (strcmp(what, "alert") == 0 && argc == 2)
		return show_alert(q, argv[1]) == -1 ? 1 : 0;
	if (strcmp(what, "host") == 0 && argc == 2)
		return show_host(q, argv[1]) == -1 ? 1 : 0;
	if (strcmp(what, "cert") == 0 && argc == 2)
		return show_cert(q, argv[1]) == -1 ? 1 : 0;
	if (strcmp(what, "cas") == 0 && argc == 1)
		return show_cas(q) == -1 ? 1 : 0;
	if (strcmp(what, "stats") == 0 && argc == 1)
		return show_stats(q) == -1 ? 1 : 0;
	fprintf(stderr, "revwire query: unknown query '%.32s' (see --help)\n",
	    what);
	return 2;
}

static int
query_common(int argc, char **argv, bool alert_cmd)
{
	static const struct option opts[] = {
		{ "redis", required_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "host", required_argument, NULL, 'H' },
		{ "since", required_argument, NULL, 'S' },
		{ "min-score", required_argument, NULL, 'm' },
		{ "rule", required_argument, NULL, 'r' },
		{ "status", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct query *q;
	const char *url = NULL, *conf = NULL;
	int64_t us;
	int c, rc = 1;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return 1;
	config_defaults(&q->cfg);
	stats_init(&q->st);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'R': url = optarg; break;
		case 'c': conf = optarg; break;
		case 'j': q->json = true; break;
		case 'H': q->host = optarg; break;
		case 'r': q->rule = optarg; break;
		case 's': q->status = optarg; break;
		case 'm': q->min_score = strtoll(optarg, NULL, 10); break;
		case 'l': q->limit = strtoll(optarg, NULL, 10); break;
		case 'S':
			if (ep_parse_time(optarg, &us) == -1) {
				fprintf(stderr, "revwire query: --since: want "
				    "YYYY-MM-DDThh:mm:ssZ\n");
				goto out;
			}
			q->since_ms = us / 1000;
			break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: rc = 2; goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	if (!alert_cmd && strcmp(argv[optind], "schema") == 0) {
		rc = show_schema(q);
		goto out;
	}
	if (conf != NULL && config_load(&q->cfg, conf, &q->err) == -1) {
		fprintf(stderr, "revwire query: %s\n", q->err.msg);
		goto out;
	}
	if (url != NULL)
		snprintf(q->cfg.redis_url, sizeof(q->cfg.redis_url), "%s", url);
	if (rw_redis_open(&q->r, &q->cfg, &q->st, &q->err) == -1) {
		fprintf(stderr, "revwire query: redis: %s\n", q->err.msg);
		goto out;
	}
	rc = run(q, argc - optind, argv + optind, alert_cmd);
	if (rc == 1 && q->err.reason != NULL)
		fprintf(stderr, "revwire query: %s\n", q->err.msg);
	rw_redis_close(q->r);
out:
	free(q);
	return rc;
}

int
query_main(int argc, char **argv)
{
	return query_common(argc, argv, false);
}

int
alert_main(int argc, char **argv)
{
	return query_common(argc, argv, true);
}
