/*
 * ingest_json.c - one normaliser for every JSON shape in which Windows
 * endpoint events reach us (see the endpoint corpus MANIFEST, "Formats"):
 * Winlogbeat 7.x/8.x raw and ECS, Winlogbeat 6.x, NXLog flat JSON, the
 * OTRF flat export, the Rust evtx crate's JSON, the Defender streaming
 * record and plain Defender advanced-hunting rows.
 *
 * Order of work per document: size, UTF-8, parse (bounded in depth),
 * recognise the shape, read the event id or table and drop what we do not
 * keep, then fill the event.  The
 * parse is yajl into a flat document (jdoc.h), reused from line to line:
 * a jansson tree of a 2.4 kB Winlogbeat event cost 8 times the parse.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/endpoint.h"
#include "correlate/jdoc.h"

static void
count(struct ep_ctx *ctx, const char *reason)
{
	if (ctx->st != NULL && reason != NULL)
		stats_incr(ctx->st, reason);
}

static void
reject(struct ep_ctx *ctx, const char *reason)
{
	ctx->rejected++;
	count(ctx, reason);
}

/*
 * Nesting depth of a JSON text, strings skipped.  Returns the maximum
 * depth reached, stopping early once it passes limit.
 */
static unsigned
json_depth(const char *s, size_t len, unsigned limit)
{
	unsigned depth = 0, max = 0;
	bool instr = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (instr) {
			if (c == '\\')
				i++;	/* the loop bound re-checks i < len */
			else if (c == '"')
				instr = false;
			continue;
		}
		if (c == '"')
			instr = true;
		else if (c == '{' || c == '[') {
			if (++depth > max && (max = depth) > limit)
				return max;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	return max;
}

/*
 * Text of a scalar JSON value; false for null, objects and arrays.
 * Numbers are written as jansson wrote them (%lld, %.17g), so that the
 * events did not change with the parser.
 */
static bool
scalar_text(const struct jdoc *d, const struct jd_node *v, char *tmp,
    size_t tmpsz, const char **s, size_t *len)
{
	const struct jd_node *t;

	switch (v->type) {
	case JD_STRING:
		*s = jd_string(d, v);
		*len = v->len;
		return true;
	case JD_INT:
		snprintf(tmp, tmpsz, "%lld", (long long)v->ival);
		break;
	case JD_REAL:
		snprintf(tmp, tmpsz, "%.17g", v->rval);
		break;
	case JD_TRUE:
		snprintf(tmp, tmpsz, "true");
		break;
	case JD_FALSE:
		snprintf(tmp, tmpsz, "false");
		break;
	case JD_OBJECT:
		/* evtx crate: an element with attributes keeps its text here */
		if ((t = jd_get(d, v, "#text")) != NULL &&
		    t->type != JD_OBJECT && t->type != JD_ARRAY)
			return scalar_text(d, t, tmp, tmpsz, s, len);
		return false;
	default:
		return false;
	}
	*s = tmp;
	*len = strlen(tmp);
	return true;
}

/* Text at a dotted path ("winlog.event_id"), or NULL. */
static const struct jd_node *
jpath(const struct jdoc *d, const struct jd_node *o, const char *path)
{
	char key[64];
	const char *dot;
	size_t n;

	while (jd_is(o, JD_OBJECT)) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = jd_get(d, o, key);
		if (dot == NULL)
			return o;
		path = dot + 1;
	}
	return NULL;
}

/* Copies the scalar at path into dst (size dstsz); absent is not an error. */
static int
get_str(const struct jdoc *d, const struct jd_node *o, const char *path,
    char *dst, size_t dstsz, struct rw_err *err)
{
	char tmp[64];
	const char *s;
	size_t len;
	const struct jd_node *v = jpath(d, o, path);

	if (v == NULL || !scalar_text(d, v, tmp, sizeof(tmp), &s, &len))
		return 0;
	return ep_set_str(dst, dstsz, s, len, err);
}

static bool
get_uint(const struct jdoc *d, const struct jd_node *o, const char *path,
    uint64_t *out)
{
	char tmp[64], *end;
	const char *s;
	size_t len;
	const struct jd_node *v = jpath(d, o, path);
	unsigned long long n;

	if (v == NULL || !scalar_text(d, v, tmp, sizeof(tmp), &s, &len) ||
	    len == 0 || len > 20 || *s < '0' || *s > '9')
		return false;
	if (s != tmp) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
	}
	n = strtoull(tmp, &end, 10);
	if (*end != '\0')
		return false;
	*out = n;
	return true;
}

/* A shape: where its header fields live. */
struct shape {
	enum ep_source	 src;
	const char	*event_id;
	const char	*provider;
	const char	*channel;
	const char	*computer;
	const char	*computer2;
	const char	*record_id;
	const char	*time;
	const char	*user_sid;
	const char	*data;		/* object of EventData fields, or NULL */
	bool		 flat;		/* EventData names at top level */
};

static const struct shape shape_wlb = {
	EP_SRC_WINLOGBEAT, "winlog.event_id", "winlog.provider_name",
	"winlog.channel", "winlog.computer_name", "host.name",
	"winlog.record_id", "@timestamp", "winlog.user.identifier",
	"winlog.event_data", false
};
static const struct shape shape_wlb6 = {
	EP_SRC_WINLOGBEAT6, "event_id", "source_name", "log_name",
	"computer_name", "host.name", "record_number", "@timestamp",
	"user.identifier", "event_data", false
};
static const struct shape shape_nxlog = {
	EP_SRC_NXLOG, "EventID", "SourceName", "Channel", "Hostname", NULL,
	"RecordNumber", NULL, "UserID", NULL, true
};
static const struct shape shape_flat = {
	EP_SRC_FLAT, "EventID", "SourceName", "Channel", "Hostname", NULL,
	"RecordNumber", NULL, "UserID", NULL, true
};
static const struct shape shape_evtx = {
	EP_SRC_EVTX_JSON, "Event.System.EventID",
	"Event.System.Provider.#attributes.Name", "Event.System.Channel",
	"Event.System.Computer", NULL, "Event.System.EventRecordID",
	"Event.System.TimeCreated.#attributes.SystemTime",
	"Event.System.Security.#attributes.UserID", "Event.EventData", false
};

static const struct shape *
recognise(const struct jdoc *d, const struct jd_node *o)
{
	if (jd_is(jd_get(d, o, "winlog"), JD_OBJECT))
		return &shape_wlb;
	if (jd_is(jpath(d, o, "Event.System"), JD_OBJECT))
		return &shape_evtx;
	if (jd_get(d, o, "event_id") != NULL &&
	    (jd_get(d, o, "event_data") != NULL ||
	    jd_get(d, o, "computer_name") != NULL))
		return &shape_wlb6;
	if (jd_get(d, o, "EventID") != NULL)
		return jd_get(d, o, "SourceName") != NULL ?
		    &shape_nxlog : &shape_flat;
	return NULL;
}

/* Applies every scalar member of obj as an EventData field. */
static int
apply_object(struct ep_ctx *ctx, const struct jdoc *d,
    const struct jd_node *obj, struct rw_err *err)
{
	const struct jd_node *v;
	const char *s;
	char tmp[64];
	size_t len;

	if (!jd_is(obj, JD_OBJECT))
		return 0;
	if (obj->count > ctx->lim.max_fields) {
		rw_err_set(err, "endpoint_too_many_fields",
		    "%zu fields, limit %u", (size_t)obj->count,
		    ctx->lim.max_fields);
		return -1;
	}
	for (v = jd_first(d, obj); v != NULL; v = jd_next(d, v)) {
		if (!scalar_text(d, v, tmp, sizeof(tmp), &s, &len))
			continue;
		if (ep_apply_field(ctx->ev, jd_key(d, v), s, len, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * ECS fields Winlogbeat's sysmon module moves out of event_data; applied
 * first, so a raw event_data value, when present, wins.
 */
static int
apply_ecs(struct ep_ctx *ctx, const struct jdoc *d, const struct jd_node *o,
    struct rw_err *err)
{
	static const struct { const char *path, *name; } map[] = {
		{ "process.executable", "Image" },
		{ "process.entity_id", "ProcessGuid" },
		{ "process.pid", "ProcessId" },
		{ "process.command_line", "CommandLine" },
		{ "process.parent.executable", "ParentImage" },
		{ "process.parent.command_line", "ParentCommandLine" },
		{ "process.parent.pid", "ParentProcessId" },
		{ "file.path", "ImageLoaded" },
		{ "file.code_signature.subject_name", "Signature" },
		{ "file.code_signature.status", "SignatureStatus" },
		{ "file.code_signature.signed", "Signed" },
		{ "source.ip", "SourceIp" },
		{ "source.port", "SourcePort" },
		{ "destination.ip", "DestinationIp" },
		{ "destination.port", "DestinationPort" },
		{ "network.transport", "Protocol" },
		{ "dns.question.name", "QueryName" },
	};
	static const struct { const char *path; size_t off; } hashes[] = {
		{ "file.hash.sha1", offsetof(struct ep_event, sha1) },
		{ "file.hash.md5", offsetof(struct ep_event, md5) },
		{ "file.hash.sha256", offsetof(struct ep_event, sha256) },
		{ "process.hash.sha1", offsetof(struct ep_event, sha1) },
		{ "process.hash.sha256", offsetof(struct ep_event, sha256) },
	};
	const char *s;
	char tmp[64], hex[EP_HASH_MAX];
	size_t i, len;
	const struct jd_node *v;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if ((v = jpath(d, o, map[i].path)) == NULL ||
		    !scalar_text(d, v, tmp, sizeof(tmp), &s, &len))
			continue;
		if (ep_apply_field(ctx->ev, map[i].name, s, len, err) == -1)
			return -1;
	}
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		char *dst = (char *)ctx->ev + hashes[i].off;

		if (dst[0] != '\0')
			continue;
		hex[0] = '\0';
		if (get_str(d, o, hashes[i].path, hex, sizeof(hex), err) == -1)
			return -1;
		if (hex[0] == '\0')
			continue;
		/* through the Hashes parser, for its hex check and case */
		snprintf(tmp, sizeof(tmp), "%s=",
		    hashes[i].off == offsetof(struct ep_event, md5) ? "MD5" :
		    hashes[i].off == offsetof(struct ep_event, sha1) ?
		    "SHA1" : "SHA256");
		{
			char buf[EP_HASH_MAX + 16];
			int n = snprintf(buf, sizeof(buf), "%s%s", tmp, hex);

			if (ep_apply_field(ctx->ev, "Hashes", buf, (size_t)n,
			    err) == -1)
				return -1;
		}
	}
	return 0;
}

static void
deliver(struct ep_ctx *ctx, int *stop, struct rw_err *err)
{
	struct ep_event *ev = ctx->ev;

	if (!ev->has_ts && ev->has_utc_time) {
		ev->ts_us = ev->utc_time_us;
		ev->has_ts = true;
	}
	if (ep_event_check(ev, err) == -1) {
		reject(ctx, err->reason);
		return;
	}
	ctx->kept++;
	count(ctx, "endpoint_events_kept");
	if (ctx->sink != NULL && ctx->sink(ev, ctx->sink_arg) == -1)
		*stop = 1;
}

/* The Windows-event shapes: header, keep-list, fields. */
static void
feed_windows(struct ep_ctx *ctx, const struct jdoc *d,
    const struct jd_node *o, const struct shape *sh, int *stop,
    struct rw_err *err)
{
	struct ep_event *ev = ctx->ev;
	char provider[EP_NAME_MAX] = "", channel[EP_NAME_MAX] = "", tbuf[64];
	uint64_t id;
	int64_t us;

	if (!get_uint(d, o, sh->event_id, &id) || id > 65535) {
		reject(ctx, "endpoint_bad_event_id");
		return;
	}
	if (get_str(d, o, sh->provider, provider, sizeof(provider), err) ==
	    -1 || get_str(d, o, sh->channel, channel, sizeof(channel), err) ==
	    -1) {
		reject(ctx, err->reason);
		return;
	}
	/* dropped early: nothing else of the event is read */
	if (ep_kind_of(provider, channel, (unsigned)id) == EP_KIND_NONE) {
		ctx->dropped++;
		count(ctx, "endpoint_dropped_event_id");
		return;
	}
	ep_event_reset(ev);
	ev->source = sh->src;
	ev->event_id = (unsigned)id;
	ev->kind = ep_kind_of(provider, channel, (unsigned)id);
	memcpy(ev->provider, provider, sizeof(provider));
	memcpy(ev->channel, channel, sizeof(channel));
	ev->has_record_id = get_uint(d, o, sh->record_id, &ev->record_id);
	if (get_str(d, o, sh->computer, ev->computer, sizeof(ev->computer),
	    err) == -1 || (ev->computer[0] == '\0' && sh->computer2 != NULL &&
	    get_str(d, o, sh->computer2, ev->computer, sizeof(ev->computer),
	    err) == -1) ||
	    get_str(d, o, sh->user_sid, ev->user_sid, sizeof(ev->user_sid),
	    err) == -1) {
		reject(ctx, err->reason);
		return;
	}
	tbuf[0] = '\0';
	if (sh->time != NULL && get_str(d, o, sh->time, tbuf, sizeof(tbuf),
	    NULL) == 0 && tbuf[0] != '\0') {
		if (ep_parse_time(tbuf, &us) == -1) {
			reject(ctx, "endpoint_bad_time");
			return;
		}
		ev->ts_us = us;
		ev->has_ts = true;
	}
	if ((sh->src == EP_SRC_WINLOGBEAT && apply_ecs(ctx, d, o, err) == -1) ||
	    apply_object(ctx, d, sh->flat ? o : jpath(d, o, sh->data),
	    err) == -1) {
		reject(ctx, err->reason);
		return;
	}
	deliver(ctx, stop, err);
}

/* Defender table of a plain advanced-hunting row: named, or inferred. */
static enum ep_kind
mde_row_kind(const struct jdoc *d, const struct jd_node *o)
{
	static const char *names[] = { "Table", "TableName", "Type",
	    "$table", "category" };
	const char *t;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((t = jd_string(d, jd_get(d, o, names[i]))) != NULL)
			return ep_kind_of_table(t);
	if (jd_get(d, o, "CertificateSerialNumber") != NULL ||
	    jd_get(d, o, "IsTrusted") != NULL)
		return EP_MDE_FILE_CERT;
	if (jd_get(d, o, "RemoteIP") != NULL ||
	    jd_get(d, o, "RemotePort") != NULL)
		return EP_MDE_NETWORK;
	if (jd_get(d, o, "ProcessCommandLine") != NULL)
		return EP_MDE_PROCESS;
	return EP_KIND_NONE;
}

static void
feed_mde(struct ep_ctx *ctx, const struct jdoc *d,
    const struct jd_node *props, enum ep_kind kind,
    enum ep_source src, const char *fallback_time, int *stop,
    struct rw_err *err)
{
	struct ep_event *ev = ctx->ev;
	static const char *names[] = { "", "DeviceFileCertificateInfo",
	    "DeviceProcessEvents", "DeviceNetworkEvents" };

	if (kind == EP_KIND_NONE) {
		ctx->dropped++;
		count(ctx, "endpoint_dropped_event_id");
		return;
	}
	ep_event_reset(ev);
	ev->source = src;
	ev->kind = kind;
	snprintf(ev->channel, sizeof(ev->channel), "AdvancedHunting-%s",
	    names[kind - EP_MDE_FILE_CERT + 1]);
	snprintf(ev->provider, sizeof(ev->provider), "Microsoft Defender for Endpoint");
	if (apply_object(ctx, d, props, err) == -1) {
		reject(ctx, err->reason);
		return;
	}
	if (!ev->has_ts && fallback_time != NULL &&
	    ep_parse_time(fallback_time, &ev->ts_us) == 0)
		ev->has_ts = true;
	deliver(ctx, stop, err);
}

static void
feed_object(struct ep_ctx *ctx, const struct jdoc *d,
    const struct jd_node *o, int *stop, struct rw_err *err)
{
	const struct jd_node *props;
	const struct shape *sh;
	const char *cat;

	if (!jd_is(o, JD_OBJECT)) {
		reject(ctx, "endpoint_unknown_shape");
		return;
	}
	cat = jd_string(d, jd_get(d, o, "category"));
	props = jd_get(d, o, "properties");
	if (cat != NULL && strncmp(cat, "AdvancedHunting-", 16) == 0 &&
	    jd_is(props, JD_OBJECT)) {
		feed_mde(ctx, d, props, ep_kind_of_table(cat),
		    EP_SRC_MDE_STREAM, jd_string(d, jd_get(d, o, "time")), stop,
		    err);
		return;
	}
	if ((sh = recognise(d, o)) != NULL) {
		feed_windows(ctx, d, o, sh, stop, err);
		return;
	}
	if (jd_get(d, o, "Timestamp") != NULL) {
		feed_mde(ctx, d, o, mde_row_kind(d, o), EP_SRC_MDE_ROW, NULL,
		    stop, err);
		return;
	}
	reject(ctx, "endpoint_unknown_shape");
}

/* Leading whitespace, blank lines and '#' comment lines are not events. */
static bool
is_blank_or_comment(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	return i == len || buf[i] == '#';
}

static int
feed_json(struct ep_ctx *ctx, const char *buf, size_t len, size_t limit,
    const char *too_long, struct rw_err *err)
{
	const struct jd_node *doc, *arr, *v;
	struct rw_err lerr;
	struct jdoc *d;
	int stop = 0;

	rw_err_clear(&lerr);
	if (len > limit) {
		reject(ctx, too_long);
		return 0;
	}
	if (is_blank_or_comment(buf, len))
		return 0;
	if (!ep_utf8_valid(buf, len)) {
		reject(ctx, "endpoint_invalid_utf8");
		return 0;
	}
	if (ctx->json == NULL) {
		if ((ctx->json = malloc(sizeof(*d))) == NULL) {
			reject(ctx, "endpoint_oom");
			return 0;
		}
		jd_init(ctx->json);
	}
	d = ctx->json;
	/*
	 * A valid document's depth is its bracket depth: the bracket count,
	 * which also judges documents that are malformed further on, is
	 * only needed when the parse failed.
	 */
	if (jd_parse(d, buf, len, ctx->lim.max_depth) == -1) {
		reject(ctx, d->oom ? "endpoint_oom" : d->too_deep ||
		    json_depth(buf, len, ctx->lim.max_depth) >
		    ctx->lim.max_depth ? "endpoint_json_too_deep" :
		    "endpoint_json_malformed");
		return 0;
	}
	doc = jd_root(d);
	arr = doc->type == JD_ARRAY ? doc : jd_get(d, doc, "events");
	if (jd_is(arr, JD_ARRAY) && (arr == doc || doc->count == 1)) {
		for (v = jd_first(d, arr); v != NULL && !stop;
		    v = jd_next(d, v))
			feed_object(ctx, d, v, &stop, &lerr);
	} else
		feed_object(ctx, d, doc, &stop, &lerr);
	if (stop) {
		rw_err_set(err, "endpoint_consumer_stopped",
		    "the event consumer stopped the batch");
		return -1;
	}
	return 0;
}

int
ep_json_feed(struct ep_ctx *ctx, const char *buf, size_t len,
    struct rw_err *err)
{
	return feed_json(ctx, buf, len, ctx->lim.max_line,
	    "endpoint_line_too_long", err);
}

int
ep_json_feed_doc(struct ep_ctx *ctx, const char *buf, size_t len,
    struct rw_err *err)
{
	return feed_json(ctx, buf, len, ctx->lim.max_doc,
	    "endpoint_document_too_large", err);
}
