/*
 * sensor_main.c - `revwire sensor`: the capture loop.
 *
 * Opens the capture (files, stdin or a live interface), drops privileges,
 * feeds frames through the packet path, the app layer and the outputs, and
 * reports counters at exit and on SIGUSR1.  SIGHUP reloads the config file
 * and reopens the JSON output; SIGTERM and SIGINT stop reading and drain:
 * every flow is flushed and every event written before exit.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/stats.h"
#include "sensor/app.h"
#include "sensor/eve.h"
#include "correlate/corr.h"
#include "correlate/correlate.h"
#include "redis/redis.h"
#include "sensor/pktpath.h"
#include "sensor/redis_sink.h"
#include "sensor/sensor.h"
#include "src/cmd.h"

/*
 * Signal handlers may only set flags; these are the one piece of mutable
 * state outside struct sensor, read by the loop between dispatches.
 */
static volatile sig_atomic_t sig_stop, sig_reload, sig_report;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
		sig_reload = 1;
		break;
	case SIGUSR1:
		sig_report = 1;
		break;
	default:
		sig_stop = 1;
		break;
	}
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: revwire sensor [-r FILE]... [-i IFACE] [options]\n"
"\n"
"Decodes OCSP and CRL exchanges (HTTP, any port) from captures or a live\n"
"interface and writes one JSON line per exchange (Suricata EVE style).\n"
"\n"
"Input:\n"
"  -r FILE           read a pcap or pcapng file ('-' for stdin); repeatable\n"
"  -i IFACE          capture live from IFACE (promiscuous unless promisc no)\n"
"  -f FILTER         classic BPF filter, e.g. 'tcp port 80'\n"
"  -c COUNT          stop after COUNT packets\n"
"  -s SNAPLEN        snapshot length for live capture (default 262144)\n"
"  -B SIZE           kernel capture buffer, e.g. 64m (default 32m)\n"
"\n"
"Output:\n"
"  --json PATH       JSON lines to PATH ('-' for stdout)\n"
"  --redis URL       write events to this Redis: redis://[user:pass@]host:port/db\n"
"                    or unix:///path (default: redis-url, else a private\n"
"                    redis-server under state-dir; see 'revwire redis')\n"
"  --no-redis        decode only; write nothing to Redis\n"
"  -q, --quiet       no counters on stderr at exit\n"
"\n"
"Configuration:\n"
"  -C, --config FILE revwire.conf (redis.conf style 'key value' lines)\n"
"  --set KEY=VALUE   override one config key (repeatable)\n"
"  -u, --user USER   drop privileges to USER after opening the capture\n"
"  --dump-config     print the effective configuration and exit\n"
"  -h, --help        this text\n"
"\n"
"Signals: HUP reloads the config and reopens the JSON file, USR1 prints\n"
"counters, TERM/INT stop and drain.  See revwire-sensor(1).\n");
}

static int
set_opt(struct sensor *s, const char *key, const char *value)
{
	struct rw_err err;

	if (config_set(&s->cfg, key, value, &err) == 0)
		return 0;
	fprintf(stderr, "revwire sensor: %s\n", err.msg);
	return -1;
}

static int
add_input(struct sensor *s, const char *path)
{
	if (s->n_inputs == SENSOR_MAX_INPUTS) {
		fprintf(stderr, "revwire sensor: at most %d -r files\n",
		    SENSOR_MAX_INPUTS);
		return -1;
	}
	s->inputs[s->n_inputs++] = path;
	return 0;
}

static int
parse_count(const char *arg, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    v == 0) {
		fprintf(stderr, "revwire sensor: -c wants a positive count, "
		    "have '%.32s'\n", arg);
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_JSON = 256, OPT_NO_REDIS, OPT_REDIS, OPT_SET, OPT_DUMP };

static int
apply_set(struct sensor *s, char *kv)
{
	char *eq = strchr(kv, '=');

	if (eq == NULL) {
		fprintf(stderr, "revwire sensor: --set wants KEY=VALUE\n");
		return -1;
	}
	*eq = '\0';
	return set_opt(s, kv, eq + 1);
}

/*
 * Command line on top of the config file: the file is read first (its
 * path may come anywhere in argv), then the options override it.
 */
static int
parse_args(struct sensor *s, int argc, char **argv, bool *dump)
{
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, OPT_JSON },
		{ "no-redis", no_argument, NULL, OPT_NO_REDIS },
		{ "redis", required_argument, NULL, OPT_REDIS },
		{ "set", required_argument, NULL, OPT_SET },
		{ "config", required_argument, NULL, 'C' },
		{ "user", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dump-config", no_argument, NULL, OPT_DUMP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *optstr = "r:i:f:c:s:B:C:u:qh";
	struct rw_err err;
	int ch;

	/* pass 1: the config file only */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstr, longopts, NULL)) != -1)
		if (ch == 'C')
			s->config_path = optarg;
	if (s->config_path != NULL &&
	    config_load(&s->cfg, s->config_path, &err) == -1) {
		fprintf(stderr, "revwire sensor: %s\n", err.msg);
		return -1;
	}
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		int rc = 0;

		switch (ch) {
		case 'r': rc = add_input(s, optarg); break;
		case 'i': rc = set_opt(s, "interface", optarg); break;
		case 'f': rc = set_opt(s, "bpf-filter", optarg); break;
		case 'c': rc = parse_count(optarg, &s->max_packets); break;
		case 's': rc = set_opt(s, "snaplen", optarg); break;
		case 'B': rc = set_opt(s, "buffer-size", optarg); break;
		case 'C': break;
		case 'u': rc = set_opt(s, "user", optarg); break;
		case 'q': s->quiet = true; break;
		case OPT_JSON: rc = set_opt(s, "json", optarg); break;
		case OPT_NO_REDIS: s->no_redis = true; break;
		case OPT_REDIS: rc = set_opt(s, "redis-url", optarg); break;
		case OPT_SET: rc = apply_set(s, optarg); break;
		case OPT_DUMP: *dump = true; break;
		case 'h': usage(stdout); exit(0);
		default:
			fprintf(stderr, "Try 'revwire sensor --help'.\n");
			return -1;
		}
		if (rc == -1)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "revwire sensor: unexpected argument '%.64s' "
		    "(input files go after -r)\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int
check_inputs(const struct sensor *s)
{
	if (s->n_inputs == 0 && s->cfg.interface[0] == '\0') {
		fprintf(stderr, "revwire sensor: nothing to read: give -r FILE "
		    "or -i IFACE (see --help)\n");
		return -1;
	}
	if (s->n_inputs > 0 && s->cfg.interface[0] != '\0') {
		fprintf(stderr, "revwire sensor: -r and -i exclude each other\n");
		return -1;
	}
	return 0;
}

static void
report_one(const char *name, uint64_t v, void *arg)
{
	(void)arg;
	rw_log(LOG_NOTICE, "%s %llu", name, (unsigned long long)v);
}

static void
report_stats(struct sensor *s)
{
	capture_update_stats(s);
	if (s->cfg.log_syslog)
		stats_foreach(&s->st, report_one, NULL);
	else
		stats_print(&s->st, stderr);
}

/* SIGHUP: a bad file keeps the running configuration. */
static void
reload(struct sensor *s)
{
	struct rw_config next = s->cfg;
	struct rw_err err;

	if (s->config_path != NULL &&
	    config_load(&next, s->config_path, &err) == -1) {
		rw_log(LOG_ERR, "reload: %s; keeping the running configuration",
		    err.msg);
		return;
	}
	/* limits apply to new flows; capture settings need a restart */
	s->cfg = next;
	if (s->eve != NULL && eve_reopen(s->eve, &err) == -1)
		rw_log(LOG_ERR, "reload: %s", err.msg);
	rw_log(LOG_NOTICE, "configuration reloaded");
}

/* Called by the capture loop between dispatches. */
bool
sensor_poll_signals(struct sensor *s)
{
	if (sig_report) {
		sig_report = 0;
		report_stats(s);
	}
	if (sig_reload) {
		sig_reload = 0;
		reload(s);
	}
	/* the loop's one periodic hook: Redis batches, reconnects, spool */
	if (s->redis != NULL)
		redis_sink_tick(s->redis);
	return sig_stop != 0;
}

/* Alerts created by this process go to the JSON output with the events. */
static void
alert_out(void *arg, json_t *alert)
{
	struct sensor *s = arg;

	if (s->eve != NULL && eve_write_json(s->eve, alert) == -1)
		stats_incr(&s->st, "eve_write_errors");
}

static int
open_outputs(struct sensor *s)
{
	struct rw_err err;

	if (s->cfg.json_path[0] != '\0') {
		s->eve = eve_open(s->cfg.json_path, &s->cfg, &s->st, &err);
		if (s->eve == NULL) {
			fprintf(stderr, "revwire sensor: %s\n", err.msg);
			return -1;
		}
		s->sinks[s->n_sinks].emit = eve_emit;
		s->sinks[s->n_sinks].arg = s->eve;
		s->n_sinks++;
	}
	if (!s->no_redis) {
		s->redis = redis_sink_open(&s->cfg, &s->st, "sensor", &err);
		if (s->redis == NULL) {
			fprintf(stderr, "revwire sensor: %s (--no-redis runs "
			    "without Redis)\n", err.msg);
			return -1;
		}
		s->sinks[s->n_sinks].emit = redis_sink_emit;
		s->sinks[s->n_sinks].arg = s->redis;
		s->n_sinks++;
		s->corr = corr_new(redis_sink_conn(s->redis), &s->cfg, &s->st,
		    &err);
		if (s->corr == NULL) {
			fprintf(stderr, "revwire sensor: %s\n", err.msg);
			return -1;
		}
		if (corr_load_error(s->corr) != NULL)
			rw_log(LOG_WARNING, "correlation off: %s",
			    corr_load_error(s->corr));
		corr_set_alert_sink(s->corr, alert_out, s);
		redis_sink_set_corr(s->redis, s->corr);
	}
	return 0;
}

/* Fans one wire event out to every configured sink. */
static void
sensor_emit(void *arg, const struct wire_event *ev)
{
	struct sensor *s = arg;
	size_t i;

	stats_incr(&s->st, "wire_events");
	for (i = 0; i < s->n_sinks; i++)
		s->sinks[i].emit(s->sinks[i].arg, ev);
}

static int
build_pipeline(struct sensor *s)
{
	s->fanout.emit = sensor_emit;
	s->fanout.arg = s;
	s->app = app_new(&s->cfg, &s->st, &s->fanout);
	if (s->app == NULL)
		rw_fatal("%s: out of memory", __func__);
	app_set_ca_registry(s->app, s->ca);
	if (s->corr != NULL)
		corr_set_ca_registry(s->corr, s->ca);
	s->pp = pktpath_new(&s->cfg, &s->st, app_stream_ops(), s->app);
	if (s->pp == NULL)
		rw_fatal("%s: out of memory", __func__);
	return 0;
}

static void
teardown(struct sensor *s)
{
	/* replies still in flight at close create no output lines */
	if (s->corr != NULL)
		corr_set_alert_sink(s->corr, NULL, NULL);
	if (s->pp != NULL)
		pktpath_free(s->pp);
	if (s->app != NULL)
		app_free(s->app);
	ca_registry_free(s->ca);
	if (s->eve != NULL)
		eve_close(s->eve);
	redis_sink_close(s->redis);
	s->redis = NULL;
	corr_free(s->corr);
	s->corr = NULL;
}

/* Every event of the drain is in Redis (or the spool) before the counters. */
static void
flush_redis(struct sensor *s)
{
	struct rw_err err;

	if (s->redis != NULL && redis_sink_flush(s->redis, &err) == -1)
		rw_log(LOG_WARNING, "redis: %s; unsent events are spooled",
		    err.msg);
}

/*
 * What earlier runs (and other sensors) learned from the wire comes back
 * after the trust store, so the store keeps its rank; from now on what
 * the wire teaches is written back.  Redis unreadable: the wire teaches
 * again.
 */
static void
restore_ca_registry(struct sensor *s)
{
	struct rw_err err;

	if (s->redis == NULL)
		return;
	if (redis_sink_ca_restore(s->redis, s->ca, &err) == -1) {
		stats_incr(&s->st, err.reason);
		rw_log(LOG_WARNING, "ca registry not restored: %s", err.msg);
	}
	ca_registry_set_on_learn(s->ca, redis_sink_ca_learned, s->redis);
}

/*
 * The trust store seeds the CA registry; an unreadable store is worth a
 * warning, not a refusal to run: wire-learned CAs still resolve.
 */
static int
load_ca_registry(struct sensor *s)
{
	struct rw_err err;
	int n = 0;

	s->ca = ca_registry_new((size_t)s->cfg.ca_registry_max, &s->st);
	if (s->ca == NULL) {
		fprintf(stderr, "revwire sensor: out of memory\n");
		return -1;
	}
	if (s->cfg.ca_bundle[0] != '\0' &&
	    (n = ca_registry_load_file(s->ca, s->cfg.ca_bundle, &err)) == -1)
		rw_log(LOG_WARNING, "ca-bundle: %s", err.msg);
	if (s->cfg.ca_dir[0] != '\0' &&
	    (n = ca_registry_load_dir(s->ca, s->cfg.ca_dir, &err)) == -1)
		rw_log(LOG_WARNING, "ca-dir: %s", err.msg);
	(void)n;
	restore_ca_registry(s);
	return 0;
}

/*
 * The private redis-server runs as root; after the drop the sensor must
 * still reach it when it restarts (a new socket) and write its spool, as
 * a packaged daemon would: the state directory is shared with the user's
 * group, never with everyone (redis/embedded.c, docs/redis-embedded.md).
 */
static int
share_private_redis(const struct sensor *s, const struct passwd *pw)
{
	char dir[RW_STATE_DIR_MAX];
	struct rw_err err;

	if (s->redis == NULL || s->cfg.redis_url[0] != '\0' || pw->pw_uid == 0)
		return 0;
	if (rw_state_dir(&s->cfg, dir, sizeof(dir), &err) == -1 ||
	    rw_embedded_share(dir, pw->pw_uid, pw->pw_gid, &err) == -1) {
		fprintf(stderr, "revwire sensor: sharing the private Redis with "
		    "'%s': %s\n", s->cfg.user, err.msg);
		return -1;
	}
	return 0;
}

/*
 * After the capture is open: a daemon reading an interface as root should
 * not parse hostile DER as root.
 */
static int
drop_privileges(const struct sensor *s)
{
	struct passwd *pw;

	if (s->cfg.user[0] == '\0')
		return 0;
	if ((pw = getpwnam(s->cfg.user)) == NULL) {
		fprintf(stderr, "revwire sensor: user '%.64s' not found\n",
		    s->cfg.user);
		return -1;
	}
	if (getuid() != 0 && geteuid() != 0) {
		if (pw->pw_uid == getuid())
			return 0;
		fprintf(stderr, "revwire sensor: cannot switch to user '%s' "
		    "without root\n", s->cfg.user);
		return -1;
	}
	if (share_private_redis(s, pw) == -1)
		return -1;
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		fprintf(stderr, "revwire sensor: dropping to '%s': %s\n",
		    s->cfg.user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {
		fprintf(stderr, "revwire sensor: privileges could be regained\n");
		return -1;
	}
	return 0;
}

/*
 * Counters are created on first use; these are reported even at zero, so
 * "no gaps" and "no events" read as such rather than as a missing line.
 */
static const char *const core_counters[] = {
	"packets", "bytes", "flows_created", "tcp_gaps", "http_txn",
	"wire_events",
};

static void
sensor_init(struct sensor *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	config_defaults(&s->cfg);
	stats_init(&s->st);
	for (i = 0; i < sizeof(core_counters) / sizeof(core_counters[0]); i++)
		stats_add(&s->st, core_counters[i], 0);
}

int
sensor_main(int argc, char **argv)
{
	static struct sensor s;	/* large (stats table): not on the stack */
	bool dump = false;
	int rc;

	sensor_init(&s);
	if (parse_args(&s, argc, argv, &dump) == -1)
		return 2;
	if (dump) {
		config_dump(&s.cfg, stdout);
		return 0;
	}
	if (check_inputs(&s) == -1)
		return 2;
	log_init("revwire", s.cfg.log_syslog, LOG_INFO);
	install_signals();
	if (capture_open(&s) == -1 || open_outputs(&s) == -1 ||
	    load_ca_registry(&s) == -1 || drop_privileges(&s) == -1) {
		capture_close(&s);
		teardown(&s);
		return 1;
	}
	build_pipeline(&s);
	if (s.live)
		rw_log(LOG_NOTICE, "capturing on %s (link type %s)",
		    s.cap[0].name, pcap_datalink_val_to_name(s.cap[0].dlt));
	rc = capture_run(&s);
	flush_redis(&s);
	if (!s.quiet)
		report_stats(&s);
	capture_close(&s);
	teardown(&s);
	return rc;
}
