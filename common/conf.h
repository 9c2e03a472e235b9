/*
 * conf.h - the revwire.conf file: redis.conf style, one "key value" per
 * line, '#' comments, values optionally in double quotes, sizes with k/m/g
 * suffixes (1024-based), durations in seconds with s/m/h suffixes.
 *
 * Every limit on the packet path lives here, so every bound is named and
 * overridable.  config_set() is also behind the command line's --set.
 */
#ifndef RW_CONF_H
#define RW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define RW_CONF_STR_MAX	512

struct rw_config {
	/* capture */
	char		interface[RW_CONF_STR_MAX];
	char		bpf_filter[RW_CONF_STR_MAX];
	uint64_t	snaplen;
	uint64_t	buffer_size;		/* pcap kernel buffer, bytes */
	bool		promisc;
	char		user[RW_CONF_STR_MAX];	/* privilege drop target */

	/* flow table and TCP reassembly */
	uint64_t	flows_max;
	uint64_t	flow_idle_timeout;	/* seconds */
	uint64_t	flow_closed_timeout;	/* seconds */
	uint64_t	reasm_window;		/* out-of-order bytes per direction */
	uint64_t	reasm_max_bytes;	/* out-of-order bytes, all flows */
	uint64_t	ipfrag_max_datagrams;
	uint64_t	ipfrag_max_bytes;
	uint64_t	ipfrag_timeout;		/* seconds */

	/* HTTP */
	uint64_t	http_max_header_bytes;
	uint64_t	http_max_headers;
	uint64_t	http_max_body;		/* OCSP, certificates, other */
	uint64_t	http_max_crl_body;	/* CRLs get their own cap */
	uint64_t	http_max_body_total;	/* all buffered bodies */
	uint64_t	http_max_pending;	/* pipelined requests per conn */

	/* object decoding */
	uint64_t	ocsp_max_entries;	/* CertIDs / SingleResponses kept */
	uint64_t	crl_max_json_entries;	/* revoked entries listed */
	uint64_t	crl_max_entries;	/* entries decoded at all */
	uint64_t	tls_max_handshake;	/* bytes of one handshake message */
	uint64_t	tls_max_chain;		/* certificates kept per chain */
	uint64_t	x509_cache_max;		/* decoded TLS certificates kept */
	uint64_t	ca_cert_max_certs;	/* certificates listed per CA download */
	uint64_t	ca_registry_max;	/* CA registry entries */
	char		ca_bundle[RW_CONF_STR_MAX];	/* trust store PEM bundle */
	char		ca_dir[RW_CONF_STR_MAX];	/* or a directory of PEMs */

	/* output and logging */
	char		json_path[RW_CONF_STR_MAX];
	bool		log_syslog;
	char		log_level[RW_CONF_STR_MAX];
	char		state_dir[RW_CONF_STR_MAX];

	/* Redis */
	char		redis_url[RW_CONF_STR_MAX];
	char		redis_user[RW_CONF_STR_MAX];
	char		redis_password[RW_CONF_STR_MAX];
	uint64_t	redis_timeout;		/* seconds one Redis call may block */
	uint64_t	redis_batch;		/* commands per pipelined batch */
	uint64_t	redis_batch_bytes;	/* or this many bytes, if fewer */
	uint64_t	redis_flush_ms;		/* a partial batch waits this long */
	uint64_t	redis_inflight;		/* batches unanswered while the next is built */
	uint64_t	redis_spool_max;	/* on-disk spool bytes, 0 = none */
	uint64_t	redis_stream_maxlen;	/* XADD MAXLEN ~ of event streams */
	bool		redis_cluster;		/* redis-url is a Redis Cluster node */
	uint64_t	redis_cluster_max_nodes;	/* masters in the slot map */
	uint64_t	redis_cluster_max_redirects;	/* MOVED/ASK per command */
	uint64_t	redis_max_reply_elements;	/* array elements, one reply */
	uint64_t	redis_max_reply_bytes;	/* string bytes, one reply */
	char		ingest_list_key[RW_CONF_STR_MAX];	/* Winlogbeat list */
	uint64_t	ingest_dedupe_ttl;	/* seconds an event id is remembered */
	uint64_t	wire_dedupe_ttl;	/* same, for the wire event stream */

	/* endpoint scoring (correlate/score.c parses these; "" = default) */
	char		scoring_profile[RW_CONF_STR_MAX];
	char		splunk_known_publishers[RW_CONF_STR_MAX];
	char		splunk_suspicious_paths[RW_CONF_STR_MAX];
	char		splunk_system_paths[RW_CONF_STR_MAX];
	char		splunk_weights[RW_CONF_STR_MAX];
	char		qradar_known_publishers[RW_CONF_STR_MAX];
	char		qradar_user_writable_paths[RW_CONF_STR_MAX];
	char		qradar_weights[RW_CONF_STR_MAX];
	char		qradar_window[RW_CONF_STR_MAX];
	char		sentinel_known_publishers[RW_CONF_STR_MAX];
	char		sentinel_suspicious_folders[RW_CONF_STR_MAX];
	char		sentinel_excluded_initiators[RW_CONF_STR_MAX];
	char		sentinel_extensions[RW_CONF_STR_MAX];
	char		sentinel_weights[RW_CONF_STR_MAX];
	char		sentinel_window[RW_CONF_STR_MAX];
	char		revwire_weights[RW_CONF_STR_MAX];

	/* correlation (correlate/corr.c): windows, TTLs and caps */
	uint64_t	corr_window;		/* wire x endpoint join, seconds */
	uint64_t	corr_tool_window;	/* EID 1 tool x wire, seconds */
	uint64_t	corr_ipmap_ttl;		/* IP -> host, seconds */
	uint64_t	corr_event_ttl;		/* kept events, indexes */
	uint64_t	corr_crl_ttl;		/* serials listed by a CRL */
	uint64_t	corr_ca_ttl;		/* hosts-per-CA HyperLogLog */
	uint64_t	corr_use_max;		/* users kept per serial */
	uint64_t	corr_crl_serials_max;	/* serials kept per CRL */
	uint64_t	alerts_max;
	uint64_t	alert_evidence_max;
	uint64_t	alerts_stream_maxlen;
	uint64_t	host_timeline_max;
	uint64_t	ca_prevalence_max;
	uint64_t	rare_ca_hosts;		/* a CA seen by fewer is rare */
	uint64_t	sweep_window;		/* seconds */
	uint64_t	sweep_min_fetches;
	char		build_hosts[RW_CONF_STR_MAX];	/* names or IPs */
	char		corr_scores[RW_CONF_STR_MAX];	/* "rule=N,..." */
};

/* Fills cfg with the documented defaults. */
void	config_defaults(struct rw_config *cfg);

/*
 * Sets one key from its text value.  Returns 0, or -1 with err naming the
 * key and the accepted range (reason "config_unknown_key" or
 * "config_bad_value"); cfg is unchanged on failure.
 */
int	config_set(struct rw_config *cfg, const char *key, const char *value,
	    struct rw_err *err);

/*
 * Reads a config file on top of what cfg holds.  Returns 0, or -1 with err
 * giving "path:line: ..." for the first bad line; cfg is unchanged on
 * failure (the file is applied to a copy), so a bad reload keeps the old
 * configuration.
 */
int	config_load(struct rw_config *cfg, const char *path, struct rw_err *err);

/* Writes every key and its current value (password masked) to f. */
void	config_dump(const struct rw_config *cfg, void *f);

#endif
