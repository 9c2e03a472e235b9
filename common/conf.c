#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/conf.h"

enum conf_type { CT_SIZE, CT_UINT, CT_SECS, CT_BOOL, CT_STR };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;
	uint64_t	 min, max;	/* numeric types */
	const char	*def;		/* default, as text */
	bool		 secret;
	bool		 url;		/* may hold a password: masked in dumps */
};

#define K(n, t, f, lo, hi, d) \
	{ n, t, offsetof(struct rw_config, f), lo, hi, d, false, false }
#define KS(n, f, d)	{ n, CT_STR, offsetof(struct rw_config, f), 0, 0, d, false, false }
#define KSECRET(n, f)	{ n, CT_STR, offsetof(struct rw_config, f), 0, 0, "", true, false }
#define KURL(n, f)	{ n, CT_STR, offsetof(struct rw_config, f), 0, 0, "", false, true }

#define GB	(1024ULL * 1024 * 1024)
#define MB	(1024ULL * 1024)
#define KB	1024ULL

static const struct conf_key conf_keys[] = {
	KS("interface", interface, ""),
	KS("bpf-filter", bpf_filter, ""),
	K("snaplen", CT_SIZE, snaplen, 64, 262144, "262144"),
	K("buffer-size", CT_SIZE, buffer_size, 0, 4 * GB, "32m"),
	K("promisc", CT_BOOL, promisc, 0, 1, "yes"),
	KS("user", user, ""),

	K("flows-max", CT_UINT, flows_max, 16, 100000000, "262144"),
	K("flow-idle-timeout", CT_SECS, flow_idle_timeout, 1, 86400, "300"),
	K("flow-closed-timeout", CT_SECS, flow_closed_timeout, 0, 3600, "2"),
	K("reassembly-window", CT_SIZE, reasm_window, 1500, 64 * MB, "1m"),
	K("reassembly-max-bytes", CT_SIZE, reasm_max_bytes, 64 * KB, 64 * GB, "512m"),
	K("ipfrag-max-datagrams", CT_UINT, ipfrag_max_datagrams, 1, 10000000, "8192"),
	K("ipfrag-max-bytes", CT_SIZE, ipfrag_max_bytes, 64 * KB, 16 * GB, "64m"),
	K("ipfrag-timeout", CT_SECS, ipfrag_timeout, 1, 600, "30"),

	K("http-max-header-bytes", CT_SIZE, http_max_header_bytes, 256, 1 * MB, "32k"),
	K("http-max-headers", CT_UINT, http_max_headers, 4, 10000, "128"),
	K("http-max-body", CT_SIZE, http_max_body, 1 * KB, 1 * GB, "2m"),
	K("http-max-crl-body", CT_SIZE, http_max_crl_body, 1 * KB, 4 * GB, "64m"),
	K("http-max-body-total", CT_SIZE, http_max_body_total, 1 * MB, 64 * GB, "1g"),
	K("http-max-pending", CT_UINT, http_max_pending, 1, 100000, "64"),

	K("ocsp-max-entries", CT_UINT, ocsp_max_entries, 1, 1000000, "1024"),
	K("crl-max-json-entries", CT_UINT, crl_max_json_entries, 0, 100000000, "10000"),
	K("crl-max-entries", CT_UINT, crl_max_entries, 1, 100000000, "10000000"),
	K("tls-max-handshake", CT_SIZE, tls_max_handshake, 1024, 16777216, "256k"),
	K("tls-max-chain", CT_UINT, tls_max_chain, 1, 64, "10"),
	K("x509-cache-max", CT_UINT, x509_cache_max, 0, 65536, "256"),
	K("ca-cert-max-certs", CT_UINT, ca_cert_max_certs, 1, 1024, "32"),
	K("ca-registry-max", CT_UINT, ca_registry_max, 16, 1000000, "4096"),
	KS("ca-bundle", ca_bundle, "/etc/ssl/certs/ca-certificates.crt"),
	KS("ca-dir", ca_dir, ""),

	KS("json", json_path, ""),
	K("syslog", CT_BOOL, log_syslog, 0, 1, "no"),
	KS("loglevel", log_level, "notice"),
	KS("state-dir", state_dir, ""),

	KURL("redis-url", redis_url),
	KS("redis-user", redis_user, ""),
	KSECRET("redis-password", redis_password),
	K("redis-timeout", CT_SECS, redis_timeout, 1, 3600, "2"),
	K("redis-batch", CT_UINT, redis_batch, 1, 100000, "256"),
	K("redis-batch-bytes", CT_SIZE, redis_batch_bytes, 1 * KB, 1 * GB, "1m"),
	K("redis-flush-ms", CT_UINT, redis_flush_ms, 1, 60000, "50"),
	K("redis-inflight", CT_UINT, redis_inflight, 0, 1, "1"),
	K("redis-spool-max", CT_SIZE, redis_spool_max, 0, 64 * GB, "256m"),
	K("redis-stream-maxlen", CT_UINT, redis_stream_maxlen, 100, 1000000000, "1000000"),
	K("redis-cluster", CT_BOOL, redis_cluster, 0, 1, "no"),
	K("redis-cluster-max-nodes", CT_UINT, redis_cluster_max_nodes, 1, 1000, "64"),
	K("redis-cluster-max-redirects", CT_UINT, redis_cluster_max_redirects, 1, 100, "5"),
	K("redis-max-reply-elements", CT_UINT, redis_max_reply_elements, 1024, 1000000000, "4000000"),
	K("redis-max-reply-bytes", CT_SIZE, redis_max_reply_bytes, 64 * KB, 4 * GB, "512m"),
	KS("ingest-list-key", ingest_list_key, "winlogbeat"),
	K("ingest-dedupe-ttl", CT_SECS, ingest_dedupe_ttl, 60, 31536000, "604800"),
	K("wire-dedupe-ttl", CT_SECS, wire_dedupe_ttl, 60, 31536000, "604800"),

	/* endpoint scoring: validated by correlate/score.c; "" = default */
	KS("scoring-profile", scoring_profile, ""),
	KS("splunk-known-publishers", splunk_known_publishers, ""),
	KS("splunk-suspicious-paths", splunk_suspicious_paths, ""),
	KS("splunk-system-paths", splunk_system_paths, ""),
	KS("splunk-weights", splunk_weights, ""),
	KS("qradar-known-publishers", qradar_known_publishers, ""),
	KS("qradar-user-writable-paths", qradar_user_writable_paths, ""),
	KS("qradar-weights", qradar_weights, ""),
	KS("qradar-window", qradar_window, ""),
	KS("sentinel-known-publishers", sentinel_known_publishers, ""),
	KS("sentinel-suspicious-folders", sentinel_suspicious_folders, ""),
	KS("sentinel-excluded-initiators", sentinel_excluded_initiators, ""),
	KS("sentinel-extensions", sentinel_extensions, ""),
	KS("sentinel-weights", sentinel_weights, ""),
	KS("sentinel-window", sentinel_window, ""),
	KS("revwire-weights", revwire_weights, ""),

	/* correlation (correlate/corr.c, correlate/revwire.lua) */
	K("correlate-window", CT_SECS, corr_window, 1, 86400, "300"),
	K("correlate-tool-window", CT_SECS, corr_tool_window, 1, 3600, "60"),
	K("correlate-ipmap-ttl", CT_SECS, corr_ipmap_ttl, 60, 2592000, "86400"),
	K("correlate-event-ttl", CT_SECS, corr_event_ttl, 60, 31536000, "604800"),
	K("correlate-crl-ttl", CT_SECS, corr_crl_ttl, 60, 31536000, "604800"),
	K("correlate-ca-ttl", CT_SECS, corr_ca_ttl, 60, 31536000, "2592000"),
	K("correlate-use-max", CT_UINT, corr_use_max, 1, 1000000, "1000"),
	K("correlate-crl-serials-max", CT_UINT, corr_crl_serials_max, 0, 100000000, "100000"),
	K("alerts-max", CT_UINT, alerts_max, 100, 100000000, "100000"),
	K("alert-evidence-max", CT_UINT, alert_evidence_max, 1, 100000, "256"),
	K("alerts-stream-maxlen", CT_UINT, alerts_stream_maxlen, 100, 1000000000, "100000"),
	K("host-timeline-max", CT_UINT, host_timeline_max, 10, 1000000, "1000"),
	K("ca-prevalence-max", CT_UINT, ca_prevalence_max, 16, 10000000, "100000"),
	K("rare-ca-hosts", CT_UINT, rare_ca_hosts, 1, 1000000, "3"),
	K("sweep-window", CT_SECS, sweep_window, 1, 3600, "10"),
	K("sweep-min-fetches", CT_UINT, sweep_min_fetches, 2, 1000, "3"),
	KS("build-hosts", build_hosts, ""),
	KS("correlate-scores", corr_scores, ""),
};

#define NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

static const struct conf_key *
conf_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcasecmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

static int
parse_u64(const char *s, enum conf_type t, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (*s == '\0' || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (t == CT_SIZE) {
		switch (tolower((unsigned char)*end)) {
		case 'k': mul = KB; end++; break;
		case 'm': mul = MB; end++; break;
		case 'g': mul = GB; end++; break;
		}
		if (mul > 1 && tolower((unsigned char)*end) == 'b')
			end++;
	} else if (t == CT_SECS) {
		switch (tolower((unsigned char)*end)) {
		case 's': end++; break;
		case 'm': mul = 60; end++; break;
		case 'h': mul = 3600; end++; break;
		}
	}
	if (*end != '\0' || (mul > 1 && v > UINT64_MAX / mul))
		return -1;
	*out = v * mul;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0 ||
	    strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
		*out = true;
	else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0 ||
	    strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

int
config_set(struct rw_config *cfg, const char *key, const char *value,
    struct rw_err *err)
{
	const struct conf_key *k = conf_find(key);
	char *field;
	uint64_t v;
	bool b;

	if (k == NULL) {
		rw_err_set(err, "config_unknown_key", "unknown key '%.64s'", key);
		return -1;
	}
	field = (char *)cfg + k->off;
	switch (k->type) {
	case CT_STR:
		if (strlen(value) >= RW_CONF_STR_MAX) {
			rw_err_set(err, "config_bad_value",
			    "%s: value longer than %d bytes", k->name,
			    RW_CONF_STR_MAX - 1);
			return -1;
		}
		snprintf(field, RW_CONF_STR_MAX, "%s", value);
		return 0;
	case CT_BOOL:
		if (parse_bool(value, &b) == -1) {
			rw_err_set(err, "config_bad_value",
			    "%s: want yes or no, have '%.64s'", k->name, value);
			return -1;
		}
		*(bool *)(void *)field = b;
		return 0;
	default:
		if (parse_u64(value, k->type, &v) == -1 || v < k->min ||
		    v > k->max) {
			rw_err_set(err, "config_bad_value",
			    "%s: want a number from %llu to %llu%s, have '%.64s'",
			    k->name, (unsigned long long)k->min,
			    (unsigned long long)k->max,
			    k->type == CT_SIZE ? " (k/m/g suffix allowed)" :
			    k->type == CT_SECS ? " seconds (s/m/h suffix allowed)" :
			    "", value);
			return -1;
		}
		*(uint64_t *)(void *)field = v;
		return 0;
	}
}

void
config_defaults(struct rw_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYS; i++)
		if (config_set(cfg, conf_keys[i].name, conf_keys[i].def,
		    NULL) == -1)
			abort();	/* a default outside its own range */
}

/* Splits a line into key and value; returns 0 for blank/comment, 1, or -1. */
static int
split_line(char *line, char **key, char **value)
{
	char *p = line, *v, *end;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	*key = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return -1;
	*p++ = '\0';
	while (isspace((unsigned char)*p))
		p++;
	v = p;
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (end - v >= 2 && v[0] == '"' && end[-1] == '"') {
		end[-1] = '\0';
		v++;
	}
	*value = v;
	return 1;
}

int
config_load(struct rw_config *cfg, const char *path, struct rw_err *err)
{
	struct rw_config tmp = *cfg;
	struct rw_err kerr;
	char line[2048], *key, *value;
	unsigned lineno = 0;
	FILE *f;
	int r;

	if ((f = fopen(path, "r")) == NULL) {
		rw_err_set(err, "config_open", "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rw_err_set(err, "config_line_too_long",
			    "%s:%u: line longer than %zu bytes", path, lineno,
			    sizeof(line) - 2);
			goto fail;
		}
		r = split_line(line, &key, &value);
		if (r == 0)
			continue;
		if (r == -1) {
			rw_err_set(err, "config_bad_line",
			    "%s:%u: want 'key value'", path, lineno);
			goto fail;
		}
		if (config_set(&tmp, key, value, &kerr) == -1) {
			rw_err_set(err, kerr.reason, "%s:%u: %s", path, lineno,
			    kerr.msg);
			goto fail;
		}
	}
	if (ferror(f)) {
		rw_err_set(err, "config_read", "%s: read error", path);
		goto fail;
	}
	fclose(f);
	*cfg = tmp;
	return 0;
fail:
	fclose(f);
	return -1;
}

/*
 * A URL with its password (scheme://user:PASSWORD@... or
 * scheme://PASSWORD@...) replaced by ********.
 */
static void
print_masked_url(FILE *f, const char *url)
{
	const char *auth = strstr(url, "://"), *at = NULL, *colon, *p;

	/* as redis/url.c reads it: userinfo ends before the path or query */
	if (auth != NULL)
		for (auth += 3, p = auth; *p != '\0' && *p != '/' && *p != '?';
		    p++)
			if (*p == '@')
				at = p;
	if (at == NULL) {
		fprintf(f, "\"%s\"", url);
		return;
	}
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (colon == NULL)
		colon = auth - 1;
	fprintf(f, "\"%.*s********%s\"", (int)(colon + 1 - url), url, at);
}

void
config_dump(const struct rw_config *cfg, void *fp)
{
	FILE *f = fp;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *field = (const char *)cfg + k->off;

		switch (k->type) {
		case CT_STR:
			if (k->url) {
				fprintf(f, "%s ", k->name);
				print_masked_url(f, field);
				fputc('\n', f);
				break;
			}
			fprintf(f, "%s \"%s\"\n", k->name,
			    k->secret && *field ? "********" : field);
			break;
		case CT_BOOL:
			fprintf(f, "%s %s\n", k->name,
			    *(const bool *)(const void *)field ? "yes" : "no");
			break;
		default:
			fprintf(f, "%s %llu\n", k->name, (unsigned long long)
			    *(const uint64_t *)(const void *)field);
			break;
		}
	}
}
