/*
 * score.h - endpoint scoring.  Four profiles:
 *
 *   splunk    the SPL seed (Sysmon 7, Signed="true", SignatureStatus!="Valid",
 *             CertAnomalyType, SuspiciousPath, NotSystemPath, KnownPublisher,
 *             RiskScore >= 1, sort - RiskScore, - _time)
 *   qradar    the AQL seed (user-writable path filter, 3/2/1 + unknown
 *             publisher, last 24 h, ORDER BY RiskScore DESC, starttime DESC)
 *   sentinel  the KQL seed (DeviceFileCertificateInfo with trust issues
 *             joined on SHA1 with DeviceProcessEvents from user-writable
 *             folders, RiskIndicators, sort by RiskIndicators, Timestamp)
 *   revwire   endpoint evidence combined with wire evidence, explained
 *
 * Pure functions over struct ep_event: no Redis, no I/O.  How each seed's
 * text was read (null handling, case rules, has_any) is in docs/scoring.md.
 */
#ifndef RW_SCORE_H
#define RW_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"
#include "correlate/endpoint.h"

enum score_profile {
	SCORE_SPLUNK = 0,
	SCORE_QRADAR,
	SCORE_SENTINEL,
	SCORE_REVWIRE
};

#define SCORE_LIST_MAX	32	/* entries per configured list */
#define SCORE_ITEM_MAX	128	/* bytes per entry, NUL included */
#define SCORE_DEF_MAX_ROWS	1000000	/* rows held by one batch */

struct score_list {
	unsigned	n;
	char		item[SCORE_LIST_MAX][SCORE_ITEM_MAX];
};

struct score_splunk_cfg {
	struct score_list publishers;		/* KnownPublisher match() */
	struct score_list suspicious_paths;	/* SuspiciousPath match() */
	struct score_list system_paths;		/* NotSystemPath NOT match() */
	int64_t		w_suspicious_path;	/* 1 */
	int64_t		w_not_system_path;	/* 1 */
	int64_t		w_revoked;		/* 3 */
	int64_t		w_unknown_publisher;	/* 1 */
	int64_t		min_score;		/* where RiskScore >= 1 */
	int64_t		sort_limit;		/* SPL sort's default 10000 */
};

struct score_qradar_cfg {
	struct score_list publishers;		/* NOT ILIKE '%x%' chain */
	struct score_list user_paths;		/* ILIKE '%x%' OR chain */
	int64_t		w_revoked;		/* 3 */
	int64_t		w_expired_invalid;	/* 2 */
	int64_t		w_other;		/* 1 (ELSE) */
	int64_t		w_unknown_publisher;	/* 1 */
	int64_t		window_s;		/* starttime > NOW() - 86400000 */
};

struct score_sentinel_cfg {
	struct score_list publishers;		/* KnownTrustedPublishers */
	struct score_list folders;		/* SuspiciousFolders */
	struct score_list excluded_initiators;	/* !in~ (...) */
	struct score_list extensions;		/* endswith ".exe" or ".dll" */
	int64_t		w_expired;		/* toint(CertExpired) */
	int64_t		w_untrusted;		/* toint(CertUntrusted) */
	int64_t		w_unknown_publisher;	/* toint(not(KnownPublisher)) */
	int64_t		min_score;		/* where RiskIndicators >= 1 */
	int64_t		window_s;		/* ago(24h) */
	int64_t		expiry_floor_us;	/* datetime(2000-01-01) */
};

/* revwire's own weights, documented in docs/scoring.md. */
struct score_revwire_cfg {
	int64_t		ep_revoked, ep_invalid, ep_expired, ep_other_status;
	int64_t		ep_user_path, ep_not_system_path, ep_unknown_publisher;
	int64_t		ci_revoked, ci_blocked, ci_audit;
	int64_t		mde_untrusted, mde_expired;
	int64_t		wire_revoked, wire_key_compromise, wire_not_issued;
	int64_t		wire_unusual_ca, wire_bad_signature, wire_stale;
	int64_t		wire_sweep, wire_signing, confirmed;
	int64_t		min_score, max_score;
	struct score_list publishers;
	struct score_list user_paths;
	struct score_list system_paths;
};

struct score_config {
	enum score_profile	 profile;
	size_t			 max_rows;
	struct score_splunk_cfg	 splunk;
	struct score_qradar_cfg	 qradar;
	struct score_sentinel_cfg sentinel;
	struct score_revwire_cfg revwire;
};

/* Fills sc with the seeds' own lists and weights; profile revwire. */
void	score_config_defaults(struct score_config *sc);

/*
 * Sets one scoring key (the same names as in revwire.conf):
 * scoring-profile, splunk-known-publishers, splunk-suspicious-paths,
 * splunk-system-paths, splunk-weights, qradar-known-publishers,
 * qradar-user-writable-paths, qradar-weights, qradar-window,
 * sentinel-known-publishers, sentinel-suspicious-folders,
 * sentinel-excluded-initiators, sentinel-extensions, sentinel-weights,
 * sentinel-window, revwire-weights.  Lists are comma separated; an entry
 * in single quotes may hold commas ('VMware, Inc.').  Weights are
 * "name=N,name=N".  Returns 0, or -1 with err ("config_unknown_key",
 * "config_bad_value"); sc is unchanged on failure.
 */
int	score_config_set(struct score_config *sc, const char *key,
	    const char *value, struct rw_err *err);

/* Applies the scoring keys set (non-empty) in cfg on top of sc. */
int	score_config_from_rw(struct score_config *sc,
	    const struct rw_config *cfg, struct rw_err *err);

/* "splunk" ... "revwire"; parse returns 0 or -1. */
const char	*score_profile_name(enum score_profile p);
int		 score_profile_parse(const char *s, enum score_profile *p);

/* The SPL seed's computed fields for one event. */
struct score_splunk {
	const char	*cert_anomaly_type;
	int64_t		 suspicious_path, not_system_path, known_publisher;
	int64_t		 risk_score;
};

/* Returns true when the SPL seed returns this event (fills out). */
bool	score_splunk_eval(const struct score_splunk_cfg *c,
	    const struct ep_event *ev, struct score_splunk *out);

/* Returns true when the AQL seed returns this event at now_us. */
bool	score_qradar_eval(const struct score_qradar_cfg *c,
	    const struct ep_event *ev, int64_t now_us, int64_t *risk_score);

/* The KQL seed's two sides: SuspiciousCerts and the process filter. */
bool	score_sentinel_cert_selected(const struct score_sentinel_cfg *c,
	    const struct ep_event *ev, int64_t now_us);
bool	score_sentinel_process_selected(const struct score_sentinel_cfg *c,
	    const struct ep_event *ev, int64_t now_us);

/*
 * Wire-side evidence about the certificate/host of an endpoint event,
 * filled by the wire correlation (redis side).  All fields optional.
 */
struct score_wire {
	bool		revoked;		/* OCSP/CRL said revoked */
	char		revoked_reason[32];	/* "keyCompromise", ... */
	bool		not_issued;		/* certificateHold at 1970 */
	bool		unusual_ca;		/* rare or first-seen CA */
	unsigned	ca_hosts;		/* fleet prevalence of the CA */
	bool		bad_signature;		/* OCSP sig fails / unauth */
	bool		stale;			/* nextUpdate passed */
	bool		sweep;			/* verification sweep on host */
	bool		signing;		/* timestamping from non-build */
	char		serial[EP_NAME_MAX];
	char		ca[EP_TEXT_MAX];
};

#define SCORE_EXPLAIN_MAX	1024

struct score_result {
	int64_t		score;			/* 0..max_score */
	const char	*severity;		/* "high", "medium", "low" */
	bool		flagged;		/* score >= min_score */
	char		explain[SCORE_EXPLAIN_MAX]; /* plain words */
};

/*
 * revwire's score for an endpoint event and/or wire evidence (either may
 * be NULL, not both).  Always fills out; returns out->flagged.
 */
bool	score_revwire_eval(const struct score_revwire_cfg *c,
	    const struct ep_event *ev, const struct score_wire *w,
	    int64_t now_us, struct score_result *out);

/* One result row: the seed's projected columns, in its order. */
struct score_row {
	int64_t		 score;
	int64_t		 time_us;
	uint64_t	 seq;		/* arrival order: the last tie-break */
	json_t		*cols;		/* owned */
};

struct kql_cert;
struct kql_proc;

/*
 * A batch of events scored as one query run.  Rows are in the seed's
 * order after score_batch_finish().
 */
struct score_batch {
	const struct score_config *cfg;
	enum score_profile	 profile;
	int64_t			 now_us;
	struct stats		*st;		/* borrowed; may be NULL */
	struct score_row	*rows;
	size_t			 nrows, caprows;
	struct kql_cert		*certs;
	size_t			 ncerts, capcerts;
	struct kql_proc		*procs;
	size_t			 nprocs, capprocs;
	uint64_t		 seq;
	uint64_t		 over_limit;	/* rows not kept: max_rows */
	bool			 now_latest;	/* now() = latest event time */
	bool			 has_latest;
	int64_t			 latest_us;
};

/* now_us value meaning "the latest event time in the batch". */
#define SCORE_NOW_LATEST	INT64_MIN

/*
 * now_us is the query's now(): ago(24h), NOW() and the KQL expiry test
 * use it; SCORE_NOW_LATEST takes the latest event time offered (so a
 * replay of old data is scored as if run right after it).  Time filters
 * are applied in score_batch_finish().
 */
void	score_batch_init(struct score_batch *b, const struct score_config *sc,
	    enum score_profile profile, int64_t now_us, struct stats *st);

/*
 * Offers one event.  Returns 0, or -1 on allocation failure (reason
 * "score_oom").  Events over max_rows are counted ("score_rows_over_limit")
 * and not kept.
 */
int	score_batch_add(struct score_batch *b, const struct ep_event *ev,
	    struct rw_err *err);

/* Joins (sentinel), sorts and truncates (SPL sort limit).  0 or -1. */
int	score_batch_finish(struct score_batch *b, struct rw_err *err);

/* Frees rows and pending join sides; b can be re-initialised. */
void	score_batch_free(struct score_batch *b);

#endif /* RW_SCORE_H */
