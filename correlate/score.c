/*
 * score.c - endpoint scoring: the three seed queries, each read as its
 * language evaluates it, and revwire's combined score.
 *
 * How the seeds' text was read (docs/scoring.md has the long form):
 * - SPL `where X="v"` and `case(X="v", ...)` compare case-sensitively; a
 *   missing field makes the comparison null, so the event is not returned.
 *   `match()` with (?i) is a case-insensitive search; match() on a missing
 *   field is null and if(null, 1, 0) is 0, for NOT match() too.
 * - AQL `=`/`NOT IN` are case-sensitive and null-rejecting; ILIKE '%x%' is
 *   a case-insensitive substring test; a NULL "Signature" makes the NOT
 *   ILIKE chain NULL, so the CASE takes ELSE 0.
 * - KQL `endswith`, `!in~` and `has_any` are case-insensitive; has_any
 *   matches whole terms (an alphanumeric edge of the needle must sit on a
 *   term boundary); a null CertificateExpirationTime makes CertExpired
 *   null, toint(null) + ... is null, and `where RiskIndicators >= 1` drops
 *   the row; `IsTrusted == false` on a null IsTrusted is false (KQL's ==
 *   between null and non-null).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timefmt.h"
#include "correlate/score.h"

#define US_PER_S	1000000LL

static int
lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool
ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (lc((unsigned char)*a) != lc((unsigned char)*b))
			return false;
	return *a == *b;
}

/* Position of needle in hay, ASCII case folded, or NULL. */
static const char *
ifind(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return hay;
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (lc((unsigned char)hay[i]) !=
			    lc((unsigned char)needle[i]))
				break;
		if (i == n)
			return hay;
	}
	return NULL;
}

static bool
any_ifind(const char *hay, const struct score_list *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (ifind(hay, l->item[i]) != NULL)
			return true;
	return false;
}

/* KQL `has`: case-insensitive, the needle's alnum edges on term edges. */
static bool
kql_has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	const char *p = hay, *m;

	if (n == 0)
		return false;
	while ((m = ifind(p, needle)) != NULL) {
		bool left = !is_alnum((unsigned char)needle[0]) || m == hay ||
		    !is_alnum((unsigned char)m[-1]);
		bool right = !is_alnum((unsigned char)needle[n - 1]) ||
		    !is_alnum((unsigned char)m[n]);

		if (left && right)
			return true;
		p = m + 1;
	}
	return false;
}

static bool
kql_has_any(const char *hay, const struct score_list *l)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (kql_has(hay, l->item[i]))
			return true;
	return false;
}

static bool
iendswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return m <= n && ieq(s + n - m, suffix);
}

/* ---------------------------------------------------------------- config */

static int
list_set(struct score_list *l, const char *v, struct rw_err *err)
{
	struct score_list tmp;
	const char *p = v, *start, *end;
	size_t len;

	memset(&tmp, 0, sizeof(tmp));
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\'') {
			start = ++p;
			if ((end = strchr(p, '\'')) == NULL) {
				rw_err_set(err, "config_bad_value",
				    "unterminated quote in list");
				return -1;
			}
			p = end + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0') {
				rw_err_set(err, "config_bad_value",
				    "text after a quoted list entry");
				return -1;
			}
		} else {
			start = p;
			end = strchr(p, ',');
			if (end == NULL)
				end = p + strlen(p);
			p = end;
			while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
		}
		if (*p == ',')
			p++;
		len = (size_t)(end - start);
		if (len == 0)
			continue;
		if (tmp.n == SCORE_LIST_MAX || len >= SCORE_ITEM_MAX) {
			rw_err_set(err, "config_bad_value", "list: at most %d "
			    "entries of %d bytes", SCORE_LIST_MAX,
			    SCORE_ITEM_MAX - 1);
			return -1;
		}
		memcpy(tmp.item[tmp.n], start, len);
		tmp.item[tmp.n][len] = '\0';
		tmp.n++;
	}
	*l = tmp;
	return 0;
}

static void
list_init(struct score_list *l, const char *const *items)
{
	memset(l, 0, sizeof(*l));
	for (; *items != NULL && l->n < SCORE_LIST_MAX; items++)
		snprintf(l->item[l->n++], SCORE_ITEM_MAX, "%s", *items);
}

struct weight_name {
	const char	*name;
	size_t		 off;
};

static int
weights_set(void *base, const struct weight_name *names, size_t nnames,
    const char *v, struct rw_err *err)
{
	char buf[RW_CONF_STR_MAX], *tok, *save = NULL, *eq, *end;
	long long n;
	size_t i;

	if (strlen(v) >= sizeof(buf)) {
		rw_err_set(err, "config_bad_value", "weights: too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	/* two passes: validate everything, then assign (unchanged on error) */
	for (int pass = 0; pass < 2; pass++) {
		snprintf(buf, sizeof(buf), "%s", v);
		for (tok = strtok_r(buf, ", ", &save); tok != NULL;
		    tok = strtok_r(NULL, ", ", &save)) {
			if ((eq = strchr(tok, '=')) == NULL) {
				rw_err_set(err, "config_bad_value",
				    "weights: want name=N, have '%.32s'", tok);
				return -1;
			}
			*eq = '\0';
			n = strtoll(eq + 1, &end, 10);
			if (eq[1] == '\0' || *end != '\0' || n < -1000000 ||
			    n > 1000000) {
				rw_err_set(err, "config_bad_value",
				    "weights: %.32s: want an integer", tok);
				return -1;
			}
			for (i = 0; i < nnames; i++)
				if (strcmp(names[i].name, tok) == 0)
					break;
			if (i == nnames) {
				rw_err_set(err, "config_bad_value",
				    "weights: unknown name '%.32s'", tok);
				return -1;
			}
			if (pass == 1)
				*(int64_t *)(void *)((char *)base +
				    names[i].off) = n;
		}
	}
	return 0;
}

static int
secs_set(int64_t *out, const char *v, struct rw_err *err)
{
	char *end;
	long long n = strtoll(v, &end, 10);
	long long mul = 1;

	if (*end == 's')
		end++;
	else if (*end == 'm')
		mul = 60, end++;
	else if (*end == 'h')
		mul = 3600, end++;
	else if (*end == 'd')
		mul = 86400, end++;
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || n > 100LL * 365 * 86400) {
		rw_err_set(err, "config_bad_value", "window: want seconds "
		    "(s/m/h/d suffix allowed; 0 = no window), have '%.32s'", v);
		return -1;
	}
	*out = n * mul;
	return 0;
}

#define WN(s, f)	{ s, offsetof(struct score_splunk_cfg, f) }
static const struct weight_name splunk_w[] = {
	WN("suspicious-path", w_suspicious_path),
	WN("not-system-path", w_not_system_path),
	WN("revoked", w_revoked),
	WN("unknown-publisher", w_unknown_publisher),
	WN("min-score", min_score),
	WN("sort-limit", sort_limit),
};
#undef WN
#define WN(s, f)	{ s, offsetof(struct score_qradar_cfg, f) }
static const struct weight_name qradar_w[] = {
	WN("revoked", w_revoked),
	WN("expired-invalid", w_expired_invalid),
	WN("other", w_other),
	WN("unknown-publisher", w_unknown_publisher),
};
#undef WN
#define WN(s, f)	{ s, offsetof(struct score_sentinel_cfg, f) }
static const struct weight_name sentinel_w[] = {
	WN("expired", w_expired),
	WN("untrusted", w_untrusted),
	WN("unknown-publisher", w_unknown_publisher),
	WN("min-score", min_score),
};
#undef WN
#define WN(s, f)	{ s, offsetof(struct score_revwire_cfg, f) }
static const struct weight_name revwire_w[] = {
	WN("ep-revoked", ep_revoked), WN("ep-invalid", ep_invalid),
	WN("ep-expired", ep_expired), WN("ep-other-status", ep_other_status),
	WN("ep-user-path", ep_user_path),
	WN("ep-not-system-path", ep_not_system_path),
	WN("ep-unknown-publisher", ep_unknown_publisher),
	WN("ci-revoked", ci_revoked), WN("ci-blocked", ci_blocked),
	WN("ci-audit", ci_audit), WN("mde-untrusted", mde_untrusted),
	WN("mde-expired", mde_expired), WN("wire-revoked", wire_revoked),
	WN("wire-key-compromise", wire_key_compromise),
	WN("wire-not-issued", wire_not_issued),
	WN("wire-unusual-ca", wire_unusual_ca),
	WN("wire-bad-signature", wire_bad_signature),
	WN("wire-stale", wire_stale), WN("wire-sweep", wire_sweep),
	WN("wire-signing", wire_signing), WN("confirmed", confirmed),
	WN("min-score", min_score), WN("max-score", max_score),
};
#undef WN
#define NW(a)	(sizeof(a) / sizeof(a[0]))

void
score_config_defaults(struct score_config *sc)
{
	static const char *const spl_pub[] = { "Microsoft", "Google", "Adobe",
	    "Oracle", "Intel", "NVIDIA", "Cisco", "VMware", "Apple", "Amazon",
	    NULL };
	static const char *const user_paths[] = { "\\AppData\\", "\\Temp\\",
	    "\\Downloads\\", "\\Users\\Public\\", "\\ProgramData\\", NULL };
	static const char *const sys_paths[] = { "\\Windows\\System32",
	    "\\Windows\\SysWOW64", "\\Program Files",
	    "\\Program Files (x86)", NULL };
	static const char *const aql_pub[] = { "Microsoft", "Google", "Adobe",
	    "Intel", "NVIDIA", "Oracle", "Cisco", "VMware", NULL };
	static const char *const kql_pub[] = { "Microsoft Corporation",
	    "Microsoft Windows", "Google LLC", "Adobe Inc.", "Oracle America",
	    "Mozilla Corporation", "Cisco Systems", "VMware, Inc.",
	    "Intel Corporation", "NVIDIA Corporation", "Apple Inc.",
	    "Amazon.com", NULL };
	static const char *const kql_folders[] = { "\\AppData\\", "\\Temp\\",
	    "\\Downloads\\", "\\Users\\Public\\", "\\ProgramData\\",
	    "\\Roaming\\", "\\Local\\Temp\\", NULL };
	static const char *const kql_excl[] = { "MsMpEng.exe",
	    "SenseCnfgr.exe", "SenseIR.exe", NULL };
	static const char *const kql_ext[] = { ".exe", ".dll", NULL };
	struct score_revwire_cfg *r = &sc->revwire;

	memset(sc, 0, sizeof(*sc));
	sc->profile = SCORE_REVWIRE;
	sc->max_rows = SCORE_DEF_MAX_ROWS;

	list_init(&sc->splunk.publishers, spl_pub);
	list_init(&sc->splunk.suspicious_paths, user_paths);
	list_init(&sc->splunk.system_paths, sys_paths);
	sc->splunk.w_suspicious_path = 1;
	sc->splunk.w_not_system_path = 1;
	sc->splunk.w_revoked = 3;
	sc->splunk.w_unknown_publisher = 1;
	sc->splunk.min_score = 1;
	sc->splunk.sort_limit = 10000;

	list_init(&sc->qradar.publishers, aql_pub);
	list_init(&sc->qradar.user_paths, user_paths);
	sc->qradar.w_revoked = 3;
	sc->qradar.w_expired_invalid = 2;
	sc->qradar.w_other = 1;
	sc->qradar.w_unknown_publisher = 1;
	sc->qradar.window_s = 86400;

	list_init(&sc->sentinel.publishers, kql_pub);
	list_init(&sc->sentinel.folders, kql_folders);
	list_init(&sc->sentinel.excluded_initiators, kql_excl);
	list_init(&sc->sentinel.extensions, kql_ext);
	sc->sentinel.w_expired = 1;
	sc->sentinel.w_untrusted = 1;
	sc->sentinel.w_unknown_publisher = 1;
	sc->sentinel.min_score = 1;
	sc->sentinel.window_s = 86400;
	sc->sentinel.expiry_floor_us = 946684800LL * US_PER_S; /* 2000-01-01 */

	r->ep_revoked = 40;
	r->ep_invalid = 30;
	r->ep_expired = 20;
	r->ep_other_status = 10;
	r->ep_user_path = 10;
	r->ep_not_system_path = 5;
	r->ep_unknown_publisher = 5;
	r->ci_revoked = 40;
	r->ci_blocked = 25;
	r->ci_audit = 15;
	r->mde_untrusted = 25;
	r->mde_expired = 15;
	r->wire_revoked = 40;
	r->wire_key_compromise = 20;
	r->wire_not_issued = 30;
	r->wire_unusual_ca = 15;
	r->wire_bad_signature = 25;
	r->wire_stale = 5;
	r->wire_sweep = 10;
	r->wire_signing = 10;
	r->confirmed = 30;
	r->min_score = 20;
	r->max_score = 100;
	list_init(&r->publishers, kql_pub);
	list_init(&r->user_paths, kql_folders);
	list_init(&r->system_paths, sys_paths);
}

const char *
score_profile_name(enum score_profile p)
{
	switch (p) {
	case SCORE_SPLUNK:	return "splunk";
	case SCORE_QRADAR:	return "qradar";
	case SCORE_SENTINEL:	return "sentinel";
	default:		return "revwire";
	}
}

int
score_profile_parse(const char *s, enum score_profile *p)
{
	static const enum score_profile all[] = { SCORE_SPLUNK, SCORE_QRADAR,
	    SCORE_SENTINEL, SCORE_REVWIRE };
	size_t i;

	for (i = 0; i < NW(all); i++)
		if (strcmp(s, score_profile_name(all[i])) == 0) {
			*p = all[i];
			return 0;
		}
	return -1;
}

static int
config_set_one(struct score_config *sc, const char *key, const char *v,
    struct rw_err *err)
{
	if (strcmp(key, "scoring-profile") == 0) {
		if (score_profile_parse(v, &sc->profile) == -1) {
			rw_err_set(err, "config_bad_value", "scoring-profile: "
			    "want splunk, qradar, sentinel or revwire");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "splunk-known-publishers") == 0)
		return list_set(&sc->splunk.publishers, v, err);
	if (strcmp(key, "splunk-suspicious-paths") == 0)
		return list_set(&sc->splunk.suspicious_paths, v, err);
	if (strcmp(key, "splunk-system-paths") == 0)
		return list_set(&sc->splunk.system_paths, v, err);
	if (strcmp(key, "splunk-weights") == 0)
		return weights_set(&sc->splunk, splunk_w, NW(splunk_w), v, err);
	if (strcmp(key, "qradar-known-publishers") == 0)
		return list_set(&sc->qradar.publishers, v, err);
	if (strcmp(key, "qradar-user-writable-paths") == 0)
		return list_set(&sc->qradar.user_paths, v, err);
	if (strcmp(key, "qradar-weights") == 0)
		return weights_set(&sc->qradar, qradar_w, NW(qradar_w), v, err);
	if (strcmp(key, "qradar-window") == 0)
		return secs_set(&sc->qradar.window_s, v, err);
	if (strcmp(key, "sentinel-known-publishers") == 0)
		return list_set(&sc->sentinel.publishers, v, err);
	if (strcmp(key, "sentinel-suspicious-folders") == 0)
		return list_set(&sc->sentinel.folders, v, err);
	if (strcmp(key, "sentinel-excluded-initiators") == 0)
		return list_set(&sc->sentinel.excluded_initiators, v, err);
	if (strcmp(key, "sentinel-extensions") == 0)
		return list_set(&sc->sentinel.extensions, v, err);
	if (strcmp(key, "sentinel-weights") == 0)
		return weights_set(&sc->sentinel, sentinel_w, NW(sentinel_w),
		    v, err);
	if (strcmp(key, "sentinel-window") == 0)
		return secs_set(&sc->sentinel.window_s, v, err);
	if (strcmp(key, "revwire-weights") == 0)
		return weights_set(&sc->revwire, revwire_w, NW(revwire_w), v,
		    err);
	rw_err_set(err, "config_unknown_key", "unknown scoring key '%.64s'",
	    key);
	return -1;
}

int
score_config_set(struct score_config *sc, const char *key, const char *value,
    struct rw_err *err)
{
	struct score_config *tmp;
	int rc;

	/* a copy, so a bad value leaves sc as it was */
	if ((tmp = malloc(sizeof(*tmp))) == NULL) {
		rw_err_set(err, "score_oom", "scoring config: out of memory");
		return -1;
	}
	*tmp = *sc;
	if ((rc = config_set_one(tmp, key, value, err)) == 0)
		*sc = *tmp;
	free(tmp);
	return rc;
}

int
score_config_from_rw(struct score_config *sc, const struct rw_config *cfg,
    struct rw_err *err)
{
	const struct { const char *key, *val; } kv[] = {
		{ "scoring-profile", cfg->scoring_profile },
		{ "splunk-known-publishers", cfg->splunk_known_publishers },
		{ "splunk-suspicious-paths", cfg->splunk_suspicious_paths },
		{ "splunk-system-paths", cfg->splunk_system_paths },
		{ "splunk-weights", cfg->splunk_weights },
		{ "qradar-known-publishers", cfg->qradar_known_publishers },
		{ "qradar-user-writable-paths", cfg->qradar_user_writable_paths },
		{ "qradar-weights", cfg->qradar_weights },
		{ "qradar-window", cfg->qradar_window },
		{ "sentinel-known-publishers", cfg->sentinel_known_publishers },
		{ "sentinel-suspicious-folders", cfg->sentinel_suspicious_folders },
		{ "sentinel-excluded-initiators", cfg->sentinel_excluded_initiators },
		{ "sentinel-extensions", cfg->sentinel_extensions },
		{ "sentinel-weights", cfg->sentinel_weights },
		{ "sentinel-window", cfg->sentinel_window },
		{ "revwire-weights", cfg->revwire_weights },
	};
	size_t i;

	for (i = 0; i < NW(kv); i++)
		if (kv[i].val[0] != '\0' &&
		    score_config_set(sc, kv[i].key, kv[i].val, err) == -1)
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- seeds */

bool
score_splunk_eval(const struct score_splunk_cfg *c, const struct ep_event *ev,
    struct score_splunk *out)
{
	const char *st = ev->signature_status;
	bool loaded = ev->image_loaded[0] != '\0';

	memset(out, 0, sizeof(*out));
	/* sourcetype=XmlWinEventLog:...Sysmon/Operational EventCode=7 */
	if (ev->kind != EP_SYSMON_IMAGE_LOAD)
		return false;
	/* where Signed="true" | where SignatureStatus!="Valid" */
	if (!ev->has_signed || strcmp(ev->signed_text, "true") != 0)
		return false;
	if (!ev->has_signature_status || st[0] == '\0' ||
	    strcmp(st, "Valid") == 0)
		return false;
	out->cert_anomaly_type =
	    strcmp(st, "Revoked") == 0 ? "Revoked Certificate \xe2\x80\x94 HIGH PRIORITY" :
	    strcmp(st, "Expired") == 0 ? "Expired Certificate" :
	    strcmp(st, "Invalid") == 0 ? "Invalid Signature" :
	    strcmp(st, "NotFound") == 0 ? "Signature Not Found" :
	    "Unknown Certificate Issue";
	out->suspicious_path = loaded &&
	    any_ifind(ev->image_loaded, &c->suspicious_paths);
	out->not_system_path = loaded &&
	    !any_ifind(ev->image_loaded, &c->system_paths);
	out->known_publisher = ev->signature[0] != '\0' &&
	    any_ifind(ev->signature, &c->publishers);
	out->risk_score = out->suspicious_path * c->w_suspicious_path +
	    out->not_system_path * c->w_not_system_path +
	    (strcmp(st, "Revoked") == 0 ? c->w_revoked : 0) +
	    (out->known_publisher == 0 ? c->w_unknown_publisher : 0);
	return out->risk_score >= c->min_score;
}

bool
score_qradar_eval(const struct score_qradar_cfg *c, const struct ep_event *ev,
    int64_t now_us, int64_t *risk)
{
	const char *st = ev->signature_status;

	*risk = 0;
	/* LOGSOURCETYPENAME ILIKE '%Sysmon%' AND eventid = 7 */
	if (ev->kind != EP_SYSMON_IMAGE_LOAD ||
	    (ifind(ev->provider, "sysmon") == NULL &&
	    ifind(ev->channel, "sysmon") == NULL && ev->provider[0] != '\0'))
		return false;
	if (!ev->has_signed || strcmp(ev->signed_text, "true") != 0)
		return false;
	if (!ev->has_signature_status || st[0] == '\0' ||
	    strcmp(st, "Valid") == 0)
		return false;
	if (ev->image_loaded[0] == '\0' ||
	    !any_ifind(ev->image_loaded, &c->user_paths))
		return false;
	/* starttime > NOW() - window */
	if (c->window_s > 0 && !(ev->ts_us > now_us - c->window_s * US_PER_S))
		return false;
	*risk = strcmp(st, "Revoked") == 0 ? c->w_revoked :
	    strcmp(st, "Expired") == 0 || strcmp(st, "Invalid") == 0 ?
	    c->w_expired_invalid : c->w_other;
	/* NULL Signature: the NOT ILIKE chain is NULL, CASE takes ELSE 0 */
	if (ev->has_signature && !any_ifind(ev->signature, &c->publishers))
		*risk += c->w_unknown_publisher;
	return true;
}

static bool
in_window(int64_t ts, bool has, int64_t now_us, int64_t window_s)
{
	if (window_s <= 0)
		return true;
	return has && ts > now_us - window_s * US_PER_S;
}

/* SuspiciousCerts' where clauses, on the values the batch keeps. */
static bool
kql_cert_ok(const struct score_sentinel_cfg *c, int64_t ts, bool has_ts,
    enum ep_tri is_signed, enum ep_tri trusted, int64_t exp, bool has_exp,
    int64_t now_us)
{
	if (!in_window(ts, has_ts, now_us, c->window_s) || is_signed != EP_TRUE)
		return false;
	return trusted == EP_FALSE || (has_exp && exp < now_us &&
	    exp > c->expiry_floor_us);
}

bool
score_sentinel_cert_selected(const struct score_sentinel_cfg *c,
    const struct ep_event *ev, int64_t now_us)
{
	const struct ep_cert *ce = &ev->cert;

	return ev->kind == EP_MDE_FILE_CERT && kql_cert_ok(c, ev->ts_us,
	    ev->has_ts, ce->is_signed, ce->is_trusted, ce->expiration_us,
	    ce->has_expiration, now_us);
}

/* The process side's where clauses other than the time window. */
static bool
kql_proc_ok(const struct score_sentinel_cfg *c, const struct ep_event *ev)
{
	unsigned i;
	bool ext = false;

	if (ev->kind != EP_MDE_PROCESS)
		return false;
	for (i = 0; i < c->extensions.n; i++)
		ext = ext || iendswith(ev->file_name, c->extensions.item[i]);
	if (!ext || !kql_has_any(ev->folder_path, &c->folders))
		return false;
	for (i = 0; i < c->excluded_initiators.n; i++)
		if (ieq(ev->initiating_file_name, c->excluded_initiators.item[i]))
			return false;
	return true;
}

bool
score_sentinel_process_selected(const struct score_sentinel_cfg *c,
    const struct ep_event *ev, int64_t now_us)
{
	return kql_proc_ok(c, ev) &&
	    in_window(ev->ts_us, ev->has_ts, now_us, c->window_s);
}

/* -------------------------------------------------------------- revwire */

static void
explain_add(struct score_result *out, const char *what, int64_t w)
{
	size_t n = strlen(out->explain);

	if (w == 0)
		return;
	snprintf(out->explain + n, sizeof(out->explain) - n, "%s%s (+%" PRId64
	    ")", n > 0 ? "; " : "", what, w);
	out->score += w;
}

/* Sysmon 7 evidence; returns true when the certificate itself is bad. */
static bool
revwire_image_load(const struct score_revwire_cfg *c,
    const struct ep_event *ev, struct score_result *out)
{
	const char *st = ev->signature_status;
	bool bad = false;

	if (strncmp(ev->signed_text, "failed", 6) == 0) {
		explain_add(out, "Sysmon could not verify the signature", c->ep_invalid);
		bad = true;
	} else if (strcmp(ev->signed_text, "true") == 0 && st[0] != '\0' &&
	    strcmp(st, "Valid") != 0) {
		bad = true;
		if (strcmp(st, "Revoked") == 0)
			explain_add(out, "a module signed with a revoked certificate was loaded", c->ep_revoked);
		else if (strcmp(st, "Invalid") == 0)
			explain_add(out, "a module with an invalid signature was loaded", c->ep_invalid);
		else if (strcmp(st, "Expired") == 0)
			explain_add(out, "a module signed with an expired certificate was loaded", c->ep_expired);
		else
			explain_add(out, "a signed module whose signature status is not Valid was loaded", c->ep_other_status);
	}
	if (!bad)
		return false;
	if (any_ifind(ev->image_loaded, &c->user_paths))
		explain_add(out, "it was loaded from a user-writable folder", c->ep_user_path);
	if (!any_ifind(ev->image_loaded, &c->system_paths))
		explain_add(out, "it is outside the system folders", c->ep_not_system_path);
	if (!any_ifind(ev->signature, &c->publishers))
		explain_add(out, "the signer is not a known publisher", c->ep_unknown_publisher);
	return true;
}

static bool
revwire_endpoint(const struct score_revwire_cfg *c, const struct ep_event *ev,
    int64_t now_us, struct score_result *out)
{
	switch (ev->kind) {
	case EP_SYSMON_IMAGE_LOAD:
		return revwire_image_load(c, ev, out);
	case EP_CI_REVOKED:
		explain_add(out, "Code Integrity found a revoked signing certificate", c->ci_revoked);
		return true;
	case EP_CI_BLOCKED:
		explain_add(out, "Code Integrity blocked a file that did not meet the signing level", c->ci_blocked);
		return false;
	case EP_CI_AUDIT:
		explain_add(out, "Code Integrity (audit) would have blocked a file", c->ci_audit);
		return false;
	case EP_MDE_FILE_CERT: {
		bool bad = false;

		if (ev->cert.is_signed != EP_TRUE)
			return false;
		if (ev->cert.is_trusted == EP_FALSE) {
			explain_add(out, "Defender reports the signing certificate as untrusted", c->mde_untrusted);
			bad = true;
		}
		if (ev->cert.has_expiration && ev->cert.expiration_us < now_us) {
			explain_add(out, "the signing certificate has expired", c->mde_expired);
			bad = true;
		}
		if (bad && !any_ifind(ev->cert.signer, &c->publishers))
			explain_add(out, "the signer is not a known publisher", c->ep_unknown_publisher);
		return bad;
	}
	default:
		return false;
	}
}

static void
revwire_wire(const struct score_revwire_cfg *c, const struct score_wire *w,
    struct score_result *out)
{
	char what[160];

	if (w->not_issued)
		explain_add(out, "the OCSP responder says the serial was never issued", c->wire_not_issued);
	else if (w->revoked) {
		snprintf(what, sizeof(what), "the OCSP responder or CRL on the wire says revoked%s%.32s%s",
		    w->revoked_reason[0] ? " (" : "", w->revoked_reason,
		    w->revoked_reason[0] ? ")" : "");
		explain_add(out, what, c->wire_revoked);
		if (strcmp(w->revoked_reason, "keyCompromise") == 0)
			explain_add(out, "the reason is key compromise", c->wire_key_compromise);
	}
	if (w->unusual_ca) {
		snprintf(what, sizeof(what), "the CA is unusual in this fleet (%u host%s)",
		    w->ca_hosts, w->ca_hosts == 1 ? "" : "s");
		explain_add(out, what, c->wire_unusual_ca);
	}
	if (w->bad_signature)
		explain_add(out, "the OCSP response signature does not verify or the responder is not authorised", c->wire_bad_signature);
	if (w->stale)
		explain_add(out, "the OCSP response is stale", c->wire_stale);
	if (w->sweep)
		explain_add(out, "the host ran a certificate verification sweep", c->wire_sweep);
	if (w->signing)
		explain_add(out, "the host is timestamping code and is not a build host", c->wire_signing);
}

bool
score_revwire_eval(const struct score_revwire_cfg *c, const struct ep_event *ev,
    const struct score_wire *w, int64_t now_us, struct score_result *out)
{
	bool ep_bad = false;

	memset(out, 0, sizeof(*out));
	if (ev != NULL)
		ep_bad = revwire_endpoint(c, ev, now_us, out);
	if (w != NULL)
		revwire_wire(c, w, out);
	if (ep_bad && w != NULL && (w->revoked || w->not_issued))
		explain_add(out, "both the endpoint and the wire show the bad certificate (confirmed)", c->confirmed);
	if (out->score > c->max_score)
		out->score = c->max_score;
	out->severity = out->score >= 70 ? "high" : out->score >= 40 ?
	    "medium" : "low";
	out->flagged = out->score >= c->min_score && out->score > 0;
	return out->flagged;
}

/* ---------------------------------------------------------------- batch */

struct kql_cert {
	char		*sha1, *issuer, *subject, *sigtype, *serial;
	int64_t		 ts_us, exp_us;
	bool		 has_ts, has_exp;
	enum ep_tri	 trusted;
	uint64_t	 seq;
};

struct kql_proc {
	char		*sha1;
	int64_t		 ts_us;
	bool		 has_ts;
	uint64_t	 seq;
	json_t		*cols;	/* the left side's projected columns */
};

void
score_batch_init(struct score_batch *b, const struct score_config *sc,
    enum score_profile profile, int64_t now_us, struct stats *st)
{
	memset(b, 0, sizeof(*b));
	b->cfg = sc;
	b->profile = profile;
	b->now_us = now_us;
	b->now_latest = now_us == SCORE_NOW_LATEST;
	b->st = st;
}

static void
bcount(struct score_batch *b, const char *name)
{
	if (b->st != NULL)
		stats_incr(b->st, name);
}

static json_t *
time_json(int64_t us)
{
	char buf[RW_TIME_BUF];
	struct timeval tv;

	tv.tv_sec = (time_t)(us / US_PER_S);
	tv.tv_usec = (suseconds_t)(us % US_PER_S);
	if (tv.tv_usec < 0) {
		tv.tv_sec--;
		tv.tv_usec += US_PER_S;
	}
	return json_string(rw_time_fmt_us(buf, &tv));
}

/* Sets key to a string when s is non-empty (absent stays absent). */
static void
put_str(json_t *o, const char *key, const char *s, bool present)
{
	if (present && s[0] != '\0')
		json_object_set_new(o, key, json_string(s));
}

static int
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if ((p = realloc(*arr, ncap * elem)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int
add_row(struct score_batch *b, int64_t score, int64_t ts, json_t *cols,
    struct rw_err *err)
{
	struct score_row *r;

	if (cols == NULL || grow((void **)&b->rows, &b->caprows, b->nrows,
	    sizeof(*b->rows)) == -1) {
		json_decref(cols);
		rw_err_set(err, "score_oom", "score rows: out of memory");
		return -1;
	}
	r = &b->rows[b->nrows++];
	r->score = score;
	r->time_us = ts;
	r->seq = b->seq++;
	r->cols = cols;
	return 0;
}

static bool
over_limit(struct score_batch *b)
{
	if (b->nrows + b->ncerts + b->nprocs < b->cfg->max_rows)
		return false;
	b->over_limit++;
	bcount(b, "score_rows_over_limit");
	return true;
}

static int
add_splunk(struct score_batch *b, const struct ep_event *ev, struct rw_err *err)
{
	struct score_splunk s;
	json_t *o;

	if (!score_splunk_eval(&b->cfg->splunk, ev, &s) || over_limit(b))
		return 0;
	o = json_object();
	json_object_set_new(o, "_time", time_json(ev->ts_us));
	put_str(o, "host", ev->computer, true);
	put_str(o, "User", ev->user, true);
	put_str(o, "Image", ev->image, true);
	put_str(o, "ImageLoaded", ev->image_loaded, true);
	put_str(o, "Signature", ev->signature, ev->has_signature);
	put_str(o, "SignatureStatus", ev->signature_status, true);
	json_object_set_new(o, "CertAnomalyType", json_string(s.cert_anomaly_type));
	json_object_set_new(o, "SuspiciousPath", json_integer(s.suspicious_path));
	json_object_set_new(o, "NotSystemPath", json_integer(s.not_system_path));
	json_object_set_new(o, "KnownPublisher", json_integer(s.known_publisher));
	json_object_set_new(o, "RiskScore", json_integer(s.risk_score));
	return add_row(b, s.risk_score, ev->ts_us, o, err);
}

static int
add_qradar(struct score_batch *b, const struct ep_event *ev, struct rw_err *err)
{
	char buf[RW_TIME_BUF];
	time_t t;
	struct tm tm;
	int64_t risk;
	json_t *o;

	/* window 0 here: finish() applies it once now() is known */
	struct score_qradar_cfg c = b->cfg->qradar;

	c.window_s = 0;
	if (!score_qradar_eval(&c, ev, b->now_us, &risk) || over_limit(b))
		return 0;
	o = json_object();
	/* DATEFORMAT(starttime, 'YYYY-MM-dd HH:mm:ss'), in UTC */
	t = (time_t)(ev->ts_us / US_PER_S - (ev->ts_us % US_PER_S < 0));
	if (gmtime_r(&t, &tm) != NULL &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) > 0)
		json_object_set_new(o, "EventTime", json_string(buf));
	put_str(o, "LogSource", ev->channel, true);
	put_str(o, "Hostname", ev->computer, true);
	put_str(o, "UserName", ev->user, true);
	put_str(o, "ProcessPath", ev->image, true);
	put_str(o, "LoadedModulePath", ev->image_loaded, true);
	put_str(o, "CertificateSubject", ev->signature, ev->has_signature);
	put_str(o, "CertStatus", ev->signature_status, true);
	json_object_set_new(o, "RiskScore", json_integer(risk));
	return add_row(b, risk, ev->ts_us, o, err);
}

static int
add_revwire(struct score_batch *b, const struct ep_event *ev, struct rw_err *err)
{
	struct score_result r;
	json_t *o;

	/* "expired" means expired when the event happened */
	if (!score_revwire_eval(&b->cfg->revwire, ev, NULL, ev->ts_us, &r) ||
	    over_limit(b))
		return 0;
	o = json_object();
	json_object_set_new(o, "time", time_json(ev->ts_us));
	put_str(o, "host", ev->computer, true);
	json_object_set_new(o, "event", json_string(ep_kind_name(ev->kind)));
	put_str(o, "user", ev->user, true);
	put_str(o, "image", ev->image, true);
	put_str(o, "image_loaded", ev->image_loaded, true);
	put_str(o, "file", ev->ci.file_name, true);
	put_str(o, "signature", ev->signature, ev->has_signature);
	put_str(o, "signature_status", ev->signature_status, true);
	put_str(o, "signer", ev->cert.signer, true);
	put_str(o, "serial", ev->cert.serial, true);
	put_str(o, "sha1", ev->sha1, true);
	json_object_set_new(o, "score", json_integer(r.score));
	json_object_set_new(o, "severity", json_string(r.severity));
	json_object_set_new(o, "explanation", json_string(r.explain));
	return add_row(b, r.score, ev->ts_us, o, err);
}

static char *
xstrdup(const char *s, bool *oom)
{
	char *p = strdup(s);

	if (p == NULL)
		*oom = true;
	return p;
}

static int
add_sentinel(struct score_batch *b, const struct ep_event *ev,
    struct rw_err *err)
{
	const struct score_sentinel_cfg *c = &b->cfg->sentinel;
	bool oom = false;

	/* time filters wait for finish(): now() may be the latest event */
	if (ev->kind == EP_MDE_FILE_CERT && ev->cert.is_signed == EP_TRUE) {
		struct kql_cert *k;

		if (over_limit(b))
			return 0;
		if (grow((void **)&b->certs, &b->capcerts, b->ncerts,
		    sizeof(*b->certs)) == -1)
			goto oom;
		k = &b->certs[b->ncerts++];
		memset(k, 0, sizeof(*k));
		k->sha1 = xstrdup(ev->cert.sha1, &oom);
		k->issuer = xstrdup(ev->cert.issuer, &oom);
		k->subject = xstrdup(ev->cert.signer, &oom);
		k->sigtype = xstrdup(ev->cert.signature_type, &oom);
		k->serial = xstrdup(ev->cert.serial, &oom);
		k->ts_us = ev->ts_us;
		k->has_ts = ev->has_ts;
		k->exp_us = ev->cert.expiration_us;
		k->has_exp = ev->cert.has_expiration;
		k->trusted = ev->cert.is_trusted;
		k->seq = b->seq++;
		return oom ? (rw_err_set(err, "score_oom", "out of memory"), -1) : 0;
	}
	if (kql_proc_ok(c, ev)) {
		struct kql_proc *p;
		json_t *o;

		if (over_limit(b))
			return 0;
		if (grow((void **)&b->procs, &b->capprocs, b->nprocs,
		    sizeof(*b->procs)) == -1)
			goto oom;
		/* KQL strings are never null: project them as "" */
		o = json_object();
		json_object_set_new(o, "Timestamp", time_json(ev->ts_us));
		json_object_set_new(o, "DeviceName", json_string(ev->computer));
		json_object_set_new(o, "AccountName", json_string(ev->user));
		json_object_set_new(o, "FileName", json_string(ev->file_name));
		json_object_set_new(o, "FolderPath", json_string(ev->folder_path));
		json_object_set_new(o, "ProcessCommandLine",
		    json_string(ev->command_line));
		json_object_set_new(o, "InitiatingProcessFileName",
		    json_string(ev->initiating_file_name));
		json_object_set_new(o, "InitiatingProcessCommandLine",
		    json_string(ev->parent_command_line));
		p = &b->procs[b->nprocs];
		p->sha1 = xstrdup(ev->sha1, &oom);
		if (oom || o == NULL) {
			free(p->sha1);
			json_decref(o);
			goto oom;
		}
		b->nprocs++;
		p->ts_us = ev->ts_us;
		p->has_ts = ev->has_ts;
		p->seq = b->seq++;
		p->cols = o;
	}
	return 0;
oom:
	rw_err_set(err, "score_oom", "sentinel join: out of memory");
	return -1;
}

int
score_batch_add(struct score_batch *b, const struct ep_event *ev,
    struct rw_err *err)
{
	if (ev->has_ts && (!b->has_latest || ev->ts_us > b->latest_us)) {
		b->latest_us = ev->ts_us;
		b->has_latest = true;
	}
	switch (b->profile) {
	case SCORE_SPLUNK:	return add_splunk(b, ev, err);
	case SCORE_QRADAR:	return add_qradar(b, ev, err);
	case SCORE_SENTINEL:	return add_sentinel(b, ev, err);
	default:		return add_revwire(b, ev, err);
	}
}

static int
cert_cmp(const void *a, const void *b)
{
	const struct kql_cert *x = a, *y = b;
	int c = strcmp(x->sha1, y->sha1);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One joined row: RiskIndicators, or no row when it is null or < min. */
static int
join_row(struct score_batch *b, const struct kql_proc *p,
    const struct kql_cert *k, struct rw_err *err)
{
	const struct score_sentinel_cfg *c = &b->cfg->sentinel;
	bool expired, untrusted, known;
	int64_t ri;
	json_t *o;

	if (!kql_cert_ok(c, k->ts_us, k->has_ts, EP_TRUE, k->trusted,
	    k->exp_us, k->has_exp, b->now_us) ||
	    !in_window(p->ts_us, p->has_ts, b->now_us, c->window_s))
		return 0;
	/*
	 * CertificateExpirationTime < now() is null for a null time, and
	 * toint(null) + ... is null: `where RiskIndicators >= 1` drops the
	 * row.  IsTrusted == false is false, not null, for a null IsTrusted
	 * (KQL: == between null and non-null yields false).
	 */
	if (!k->has_exp)
		return 0;
	expired = k->exp_us < b->now_us;
	untrusted = k->trusted == EP_FALSE;
	known = kql_has_any(k->subject, &c->publishers);
	ri = expired * c->w_expired + untrusted * c->w_untrusted +
	    (!known) * c->w_unknown_publisher;
	if (ri < c->min_score)
		return 0;
	if ((o = json_deep_copy(p->cols)) == NULL)
		goto oom;
	json_object_set_new(o, "Issuer", json_string(k->issuer));
	json_object_set_new(o, "Subject", json_string(k->subject));
	json_object_set_new(o, "CertificateExpirationTime", time_json(k->exp_us));
	json_object_set_new(o, "CertExpired", json_boolean(expired));
	json_object_set_new(o, "CertUntrusted", json_boolean(untrusted));
	json_object_set_new(o, "SignatureType", json_string(k->sigtype));
	json_object_set_new(o, "CertificateSerialNumber", json_string(k->serial));
	json_object_set_new(o, "RiskIndicators", json_integer(ri));
	if (add_row(b, ri, p->ts_us, o, err) == -1)
		return -1;
	return 0;
oom:
	rw_err_set(err, "score_oom", "sentinel join: out of memory");
	return -1;
}

static int
sentinel_join(struct score_batch *b, struct rw_err *err)
{
	size_t i, lo, hi, mid;

	if (b->ncerts > 1)
		qsort(b->certs, b->ncerts, sizeof(*b->certs), cert_cmp);
	for (i = 0; i < b->nprocs; i++) {
		const struct kql_proc *p = &b->procs[i];

		/* first cert with sha1 >= p->sha1 */
		lo = 0;
		hi = b->ncerts;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (strcmp(b->certs[mid].sha1, p->sha1) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < b->ncerts && strcmp(b->certs[lo].sha1, p->sha1) == 0;
		    lo++)
			if (join_row(b, p, &b->certs[lo], err) == -1)
				return -1;
	}
	return 0;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct score_row *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->time_us != y->time_us)
		return x->time_us > y->time_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Drops QRadar rows outside starttime > NOW() - window. */
static void
qradar_window(struct score_batch *b)
{
	int64_t w = b->cfg->qradar.window_s;
	size_t i, o = 0;

	for (i = 0; i < b->nrows; i++) {
		if (w <= 0 || b->rows[i].time_us > b->now_us - w * US_PER_S)
			b->rows[o++] = b->rows[i];
		else
			json_decref(b->rows[i].cols);
	}
	b->nrows = o;
}

int
score_batch_finish(struct score_batch *b, struct rw_err *err)
{
	size_t i;

	if (b->now_latest)
		b->now_us = b->has_latest ? b->latest_us : 0;
	if (b->profile == SCORE_QRADAR)
		qradar_window(b);

	if (b->profile == SCORE_SENTINEL && sentinel_join(b, err) == -1)
		return -1;
	if (b->nrows > 1)	/* qsort(NULL, 0) is undefined */
		qsort(b->rows, b->nrows, sizeof(*b->rows), row_cmp);
	/* SPL's sort keeps the first 10000 results unless told otherwise */
	if (b->profile == SCORE_SPLUNK && b->cfg->splunk.sort_limit > 0 &&
	    b->nrows > (size_t)b->cfg->splunk.sort_limit) {
		for (i = (size_t)b->cfg->splunk.sort_limit; i < b->nrows; i++) {
			json_decref(b->rows[i].cols);
			bcount(b, "score_splunk_sort_limit");
		}
		b->nrows = (size_t)b->cfg->splunk.sort_limit;
	}
	return 0;
}

void
score_batch_free(struct score_batch *b)
{
	size_t i;

	for (i = 0; i < b->nrows; i++)
		json_decref(b->rows[i].cols);
	for (i = 0; i < b->ncerts; i++) {
		free(b->certs[i].sha1);
		free(b->certs[i].issuer);
		free(b->certs[i].subject);
		free(b->certs[i].sigtype);
		free(b->certs[i].serial);
	}
	for (i = 0; i < b->nprocs; i++) {
		free(b->procs[i].sha1);
		json_decref(b->procs[i].cols);
	}
	free(b->rows);
	free(b->certs);
	free(b->procs);
	b->rows = NULL;
	b->certs = NULL;
	b->procs = NULL;
	b->nrows = b->ncerts = b->nprocs = 0;
}
