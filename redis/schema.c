/*
 * schema.c - the key table (see schema.h and docs/redis-schema.md).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis/cluster.h"
#include "redis/schema.h"

/* correlate/revwire_lua.c, generated from correlate/revwire.lua */
extern const char rw_revwire_lua[];

#define P	RW_KEY_PREFIX

static const struct schema_key keys[] = {
	{ NULL, RW_KEY_WIRE_EVENTS, NULL, SCHEMA_STREAM,
	    "MAXLEN ~ (redis helper's stream-maxlen)",
	    "every wire event, EVE JSON (docs/events.md), once per event id within wire-dedupe-ttl" },
	{ NULL, RW_KEY_EP_EVENTS, NULL, SCHEMA_STREAM,
	    "MAXLEN ~ (redis helper's stream-maxlen)",
	    "every normalised endpoint event" },
	{ NULL, RW_KEY_WIRE_SEEN, "event id", SCHEMA_STRING,
	    "TTL wire-dedupe-ttl",
	    "a wire event already in rw:{wire}:events (a replayed write adds nothing)" },
	{ NULL, RW_KEY_EP_SEEN, "dedupe key", SCHEMA_STRING,
	    "TTL ingest-dedupe-ttl",
	    "an endpoint event already in rw:{ep}:events (record id, computer, channel)" },
	{ NULL, "rw:{stats}:", "role:host:pid", SCHEMA_HASH,
	    "TTL 7 days after the process stops writing",
	    "one process' counters (redis helper's stats hash)" },
	{ NULL, "winlogbeat", NULL, SCHEMA_LIST,
	    "consumed by revwire ingest (ingest-list-key)",
	    "list Winlogbeat's output.redis fills (key configurable)" },
	{ NULL, "{winlogbeat}:revwire:processing", NULL, SCHEMA_LIST,
	    "emptied as its elements are handled",
	    "elements revwire ingest took from the Winlogbeat list and has not finished; taken back at its next start" },
	{ NULL, "rw:{ep}:seen:", "record id, computer, channel", SCHEMA_STRING,
	    "TTL ingest-dedupe-ttl",
	    "an endpoint event already written to rw:{ep}:events: a copy sent again is skipped" },
	{ NULL, RW_KEY_CA_WIRE, NULL, SCHEMA_HASH,
	    "ca-registry-max fields, trimmed with wire:order",
	    "CA certificates sensors learned from the wire: SHA-256 fingerprint -> DER; restored into the CA registry at sensor start" },
	{ NULL, RW_KEY_CA_ORDER, NULL, SCHEMA_ZSET, "ca-registry-max entries",
	    "the same fingerprints in the order first stored (score: sequence, not time); the oldest go first" },
	{ "meta", RW_KEY_META, NULL, SCHEMA_HASH, "fixed size",
	    "routing key of every FCALL (holds no data)" },
	{ "stats", RW_KEY_STATS, NULL, SCHEMA_HASH, "fixed set of fields",
	    "correlation counters: events, duplicates, attributions, alerts by rule" },
	{ "ev", P "ev:", "event id", SCHEMA_STRING, "TTL correlate-event-ttl",
	    "compact JSON of an event the correlation kept (w:... wire, e:... endpoint); the evidence ids of alerts" },
	{ "evalerts", P "evalerts:", "event id", SCHEMA_SET,
	    "TTL correlate-event-ttl", "alerts that hold the event as evidence" },
	{ "conn", P "conn:", "srcip:sport:dstip:dport", SCHEMA_STRING,
	    "TTL 2 x correlate-window", "the Sysmon 3 of that TCP 5-tuple: host, image, pid, user" },
	{ "pend", P "pend:", "srcip:sport:dstip:dport", SCHEMA_SET,
	    "TTL 2 x correlate-window", "wire events waiting for the Sysmon 3 of their 5-tuple" },
	{ "ip", P "ip:", "address", SCHEMA_STRING, "TTL correlate-ipmap-ttl",
	    "host map: the host that last used the address (Sysmon 3 SourceIp)" },
	{ "hostips", P "hostips:", "host", SCHEMA_SET, "TTL correlate-ipmap-ttl",
	    "addresses of a host" },
	{ "dns", P "dns:", "address", SCHEMA_STRING, "TTL correlate-ipmap-ttl",
	    "name a host resolved to this address (Sysmon 22)" },
	{ "ipw", P "ipw:", "address", SCHEMA_ZSET,
	    "host-timeline-max entries, TTL correlate-event-ttl",
	    "wire events of a client address by time (ms)" },
	{ "hbad", P "hbad:", "host", SCHEMA_ZSET,
	    "host-timeline-max entries, TTL correlate-event-ttl",
	    "bad signature loads of a host (Sysmon 7 Revoked/Invalid/Expired, Code Integrity, Defender)" },
	{ "htool", P "htool:", "host", SCHEMA_ZSET,
	    "host-timeline-max entries, TTL correlate-event-ttl",
	    "certutil/sigcheck/signtool/Set-AuthenticodeSignature starts of a host" },
	{ "htl", P "timeline:", "host", SCHEMA_ZSET,
	    "host-timeline-max entries, TTL correlate-event-ttl",
	    "the host's revocation and signing activity (event ids by time)" },
	{ "crl", P "crl:", "serial", SCHEMA_STRING, "TTL correlate-crl-ttl",
	    "a CRL seen on the wire lists the serial: issuer, reason, event" },
	{ "use", P "use:", "serial", SCHEMA_ZSET,
	    "correlate-use-max entries, TTL correlate-event-ttl",
	    "events that used the serial (OCSP requests, endpoint certificates)" },
	{ "useep", P "useep:", "serial", SCHEMA_ZSET,
	    "correlate-use-max entries, TTL correlate-event-ttl",
	    "endpoint certificate rows naming the serial (serial-exact join)" },
	{ "userev", P "userev:", "serial", SCHEMA_ZSET,
	    "correlate-use-max entries, TTL correlate-event-ttl",
	    "wire events whose OCSP answer says the serial is revoked (serial-exact join)" },
	{ "verdict", P "verdict:", "serial", SCHEMA_STRING,
	    "TTL correlate-event-ttl", "last OCSP revoked verdict for the serial" },
	{ "cahosts", P "cahosts:", "CA", SCHEMA_HLL, "TTL correlate-ca-ttl; with cas",
	    "HyperLogLog of the client addresses that consulted the CA" },
	{ "cas", P "cas", NULL, SCHEMA_ZSET, "ca-prevalence-max entries",
	    "CAs by fleet prevalence (hosts)" },
	{ "cainfo", P "cainfo", NULL, SCHEMA_HASH, "ca-prevalence-max fields",
	    "per CA: name, first/last seen, known to the trust store, events" },
	{ "alert", P "alert:", "alert id", SCHEMA_HASH, "alerts-max alerts",
	    "one alert: rule, score, severity, host, process, certificate, times, count, status" },
	{ "alertev", P "alertev:", "alert id", SCHEMA_SET,
	    "alert-evidence-max members", "evidence: event ids (ev:...)" },
	{ "by_time", P "alerts:time", NULL, SCHEMA_ZSET, "alerts-max",
	    "alert ids by last_seen (ms)" },
	{ "by_score", P "alerts:score", NULL, SCHEMA_ZSET, "alerts-max",
	    "alert ids by score" },
	{ "by_host", P "alerts:host:", "host", SCHEMA_ZSET, "alerts-max",
	    "alert ids of a host by last_seen" },
	{ "by_rule", P "alerts:rule:", "rule", SCHEMA_ZSET, "alerts-max",
	    "alert ids of a rule by last_seen" },
	{ "by_serial", P "alerts:serial:", "serial", SCHEMA_ZSET, "alerts-max",
	    "alert ids of a certificate serial by last_seen" },
	{ "stream", P "alerts:stream", NULL, SCHEMA_STREAM,
	    "MAXLEN ~ alerts-stream-maxlen",
	    "alert changes for SIEM forwarders: change=new|update|acknowledged|closed, alert=JSON" },
};

const struct schema_key *
schema_keys(size_t *n)
{
	*n = sizeof(keys) / sizeof(keys[0]);
	return keys;
}

const char *
schema_type_name(enum schema_type t)
{
	switch (t) {
	case SCHEMA_STRING: return "string";
	case SCHEMA_HASH: return "hash";
	case SCHEMA_SET: return "set";
	case SCHEMA_ZSET: return "zset";
	case SCHEMA_STREAM: return "stream";
	case SCHEMA_HLL: return "hyperloglog";
	case SCHEMA_LIST: return "list";
	}
	return "?";
}

char *
schema_lua_library(void)
{
	const char *src = rw_revwire_lua, *nl = strchr(src, '\n');
	size_t i, len, cap, off;
	char *out;

	if (nl == NULL)
		return NULL;
	/* key names are plain ASCII without quotes: no escaping needed */
	cap = strlen(src) + 64;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].lua != NULL)
			cap += strlen(keys[i].lua) + strlen(keys[i].name) + 8;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	len = (size_t)(nl - src) + 1;
	memcpy(out, src, len);
	off = len;
	off += (size_t)snprintf(out + off, cap - off, "local K = {");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].lua != NULL)
			off += (size_t)snprintf(out + off, cap - off, "%s='%s',",
			    keys[i].lua, keys[i].name);
	off += (size_t)snprintf(out + off, cap - off, "}\n");
	memcpy(out + off, nl + 1, strlen(nl + 1) + 1);
	return out;
}

/* "rwN" tags cover all 16384 slots before N reaches 145956 */
#define PROCESSING_TAG_TRIES	(1U << 18)

static int
fits(char *buf, size_t len, int n)
{
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

int
schema_processing_key(char *buf, size_t len, const char *key)
{
	unsigned slot = rw_cluster_key_slot(key, strlen(key));
	char tag[16];
	unsigned i;
	int n;

	/* the readable names earlier versions used, kept when they are right */
	if (strchr(key, '{') != NULL)
		n = snprintf(buf, len, "%s%s", key, RW_PROCESSING_SUFFIX);
	else
		n = snprintf(buf, len, "{%s}%s", key, RW_PROCESSING_SUFFIX);
	if (fits(buf, len, n) == -1)
		return -1;
	if (rw_cluster_key_slot(buf, (size_t)n) == slot)
		return 0;
	for (i = 0; i < PROCESSING_TAG_TRIES; i++) {
		n = snprintf(tag, sizeof(tag), "rw%u", i);
		if (rw_cluster_key_slot(tag, (size_t)n) == slot)
			return fits(buf, len, snprintf(buf, len, "{%s}%s%s",
			    tag, key, RW_PROCESSING_SUFFIX));
	}
	return fits(buf, len, -1);
}
