/*
 * endpoint.h - normalised Windows endpoint events (Sysmon, Code Integrity,
 * Defender for Endpoint) and the normalisers that build them from JSON
 * lines (ingest_json.c) and Windows event XML (ingest_xml.c).
 *
 * Everything here is a pure function over caller-owned buffers and
 * structs: no Redis, no I/O, no logging.  Bad input is counted in the
 * caller's struct stats under a stable snake_case reason and skipped; the
 * rest of a batch is kept.
 */
#ifndef RW_ENDPOINT_H
#define RW_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/stats.h"

/* Field caps (bytes, including the NUL).  A longer value rejects the event
 * ("endpoint_field_too_long"): these are far above anything Windows emits,
 * so a longer value is hostile or corrupt, not data. */
#define EP_NAME_MAX	256	/* host, user, channel, status words, GUIDs */
#define EP_PATH_MAX	4096	/* image paths, folder paths, file names */
#define EP_CMD_MAX	32768	/* command lines (Windows caps at 32767) */
#define EP_TEXT_MAX	4096	/* DNS results, CRL URL lists, signer names */
#define EP_HASH_MAX	72	/* hex digests, SHA-256 and below */
#define EP_IP_MAX	64	/* textual IPv4/IPv6 as the source wrote it */

/* Input limits (defaults; struct ep_limits overrides). */
#define EP_DEF_MAX_LINE		(1024 * 1024)	/* one JSON line / XML event */
#define EP_DEF_MAX_DEPTH	32		/* JSON nesting / XML elements */
#define EP_DEF_MAX_ATTRS	16		/* attributes per XML element */
#define EP_DEF_MAX_FIELDS	256		/* Data elements per event */
#define EP_DEF_MAX_DOC		(64 * 1024 * 1024) /* pretty-printed doc */

/* Where the event came from (the shape recognised). */
enum ep_source {
	EP_SRC_UNKNOWN = 0,
	EP_SRC_WINLOGBEAT,	/* 7.x/8.x raw or ECS: winlog.* */
	EP_SRC_WINLOGBEAT6,	/* 6.x: top-level event_id/event_data */
	EP_SRC_NXLOG,		/* flat: EventID, SourceName, Hostname */
	EP_SRC_FLAT,		/* flat without SourceName (OTRF export) */
	EP_SRC_EVTX_JSON,	/* Rust evtx crate: Event.System/EventData */
	EP_SRC_MDE_STREAM,	/* {category:"AdvancedHunting-T", properties} */
	EP_SRC_MDE_ROW,		/* advanced-hunting row: Timestamp + columns */
	EP_SRC_XML		/* Windows event XML */
};

/* What the event is.  Values are the Windows event ids where there is one. */
enum ep_kind {
	EP_KIND_NONE = 0,
	EP_SYSMON_PROCESS = 1,
	EP_SYSMON_NETWORK = 3,
	EP_SYSMON_IMAGE_LOAD = 7,
	EP_SYSMON_DNS = 22,
	EP_CI_BLOCKED = 3033,		/* did not meet signing level */
	EP_CI_AUDIT = 3034,		/* audit: would have been blocked */
	EP_CI_REVOKED = 3036,		/* signed with a revoked cert */
	EP_CI_SIGNATURE = 3089,		/* signature info of a 3033/3034 */
	EP_MDE_FILE_CERT = 100001,	/* DeviceFileCertificateInfo */
	EP_MDE_PROCESS = 100002,	/* DeviceProcessEvents */
	EP_MDE_NETWORK = 100003		/* DeviceNetworkEvents */
};

/* Three-valued booleans: an absent column is not "false". */
enum ep_tri { EP_UNSET = 0, EP_FALSE, EP_TRUE };

/* Defender DeviceFileCertificateInfo columns. */
struct ep_cert {
	char		sha1[EP_HASH_MAX];
	enum ep_tri	is_signed;
	enum ep_tri	is_trusted;
	enum ep_tri	is_root_signer_microsoft;
	char		signature_type[EP_NAME_MAX];
	char		signer[EP_TEXT_MAX];	/* Signer, or the seed's Subject */
	char		issuer[EP_TEXT_MAX];
	char		serial[EP_NAME_MAX];
	int64_t		expiration_us;		/* 0 with has_expiration false */
	bool		has_expiration;
	int64_t		creation_us;
	bool		has_creation;
	char		crl_urls[EP_TEXT_MAX];	/* ...Urls, or ...Url */
};

/* Code Integrity 3033/3034/3036/3089. */
struct ep_ci {
	char		file_name[EP_PATH_MAX];
	char		process_name[EP_PATH_MAX];
	char		requested_level[EP_NAME_MAX];
	char		validated_level[EP_NAME_MAX];
	char		status[EP_NAME_MAX];	/* NTSTATUS as written */
	char		publisher[EP_TEXT_MAX];	/* 3089 PublisherName */
	char		issuer[EP_TEXT_MAX];	/* 3089 IssuerName */
	char		verification_error[EP_NAME_MAX];
	char		activity_id[EP_NAME_MAX]; /* joins 3033 to its 3089 */
};

/*
 * One normalised event.  Strings are NUL-terminated, valid UTF-8, "" when
 * the source did not carry the field.  About 150 kB: allocate it once per
 * context, not per event on the stack of a deep call chain.
 */
struct ep_event {
	enum ep_source	source;
	enum ep_kind	kind;
	unsigned	event_id;		/* Windows id; 0 for Defender */
	uint64_t	record_id;		/* EventRecordID; 0 if absent */
	bool		has_record_id;
	char		provider[EP_NAME_MAX];
	char		channel[EP_NAME_MAX];	/* or "AdvancedHunting-<T>" */
	char		computer[EP_NAME_MAX];	/* Computer / DeviceName */
	int64_t		ts_us;			/* record time, UTC, us */
	bool		has_ts;
	int64_t		utc_time_us;		/* Sysmon UtcTime */
	bool		has_utc_time;
	char		user[EP_NAME_MAX];	/* DOMAIN\\user or AccountName */
	char		user_sid[EP_NAME_MAX];	/* Security UserID */

	/* process (Sysmon 1/3/7/22; Defender process/network) */
	char		image[EP_PATH_MAX];
	uint32_t	pid;
	bool		has_pid;
	char		process_guid[EP_NAME_MAX];
	char		command_line[EP_CMD_MAX];
	char		parent_image[EP_PATH_MAX];
	char		parent_command_line[EP_CMD_MAX];
	uint32_t	parent_pid;
	bool		has_parent_pid;

	/* image load (Sysmon 7) */
	char		image_loaded[EP_PATH_MAX];
	char		signed_text[EP_NAME_MAX];	/* "true", "false", ... */
	bool		has_signed;
	char		signature[EP_TEXT_MAX];
	bool		has_signature;
	char		signature_status[EP_NAME_MAX];
	bool		has_signature_status;

	/* hashes: lowercase hex, "" when absent */
	char		sha1[EP_HASH_MAX];
	char		md5[EP_HASH_MAX];
	char		sha256[EP_HASH_MAX];
	char		imphash[EP_HASH_MAX];

	/* network (Sysmon 3, DeviceNetworkEvents) */
	char		src_ip[EP_IP_MAX];
	char		dst_ip[EP_IP_MAX];
	uint16_t	src_port, dst_port;
	bool		has_ports;
	char		protocol[16];		/* lowercase: "tcp", "udp" */
	enum ep_tri	initiated;
	char		dst_hostname[EP_NAME_MAX];

	/* DNS (Sysmon 22) */
	char		query_name[EP_NAME_MAX];
	char		query_results[EP_TEXT_MAX];
	char		query_status[32];

	/* Defender DeviceProcessEvents / DeviceNetworkEvents extras */
	char		file_name[EP_PATH_MAX];		/* FileName */
	char		folder_path[EP_PATH_MAX];	/* FolderPath */
	char		initiating_file_name[EP_PATH_MAX];
	char		action_type[EP_NAME_MAX];
	char		remote_url[EP_TEXT_MAX];

	struct ep_ci	ci;
	struct ep_cert	cert;
};

struct jdoc;

/* Limits of one normaliser context (see EP_DEF_*). */
struct ep_limits {
	size_t		max_line;
	unsigned	max_depth;
	unsigned	max_attrs;
	unsigned	max_fields;
	size_t		max_doc;
};

/* Sets the documented defaults. */
void	ep_limits_default(struct ep_limits *lim);

/*
 * Called for each event kept.  The event is owned by the normaliser and
 * valid only during the call: copy what you keep.  Return 0 to go on, -1
 * to stop the batch (the feed function then returns -1 with reason
 * "endpoint_consumer_stopped").
 */
typedef int	(*ep_sink_fn)(const struct ep_event *ev, void *arg);

/* A normaliser context: limits, counters, the scratch event, the sink. */
struct ep_ctx {
	struct ep_limits	 lim;
	struct stats		*st;		/* borrowed; may be NULL */
	ep_sink_fn		 sink;
	void			*sink_arg;
	struct ep_event		*ev;		/* scratch, owned */
	uint64_t		 kept;		/* events handed to the sink */
	uint64_t		 rejected;	/* counted under a reason */
	uint64_t		 dropped;	/* not an event id we keep */
	void			*xml;		/* ingest_xml.c state, owned */
	struct jdoc		*json;		/* ingest_json.c document, owned */
};

/*
 * Allocates the scratch event.  st may be NULL (counters are then only
 * kept/rejected/dropped).  Returns 0, or -1 (reason "endpoint_oom").
 * Free with ep_ctx_free().
 */
int	ep_ctx_init(struct ep_ctx *ctx, const struct ep_limits *lim,
	    struct stats *st, ep_sink_fn sink, void *sink_arg,
	    struct rw_err *err);
void	ep_ctx_free(struct ep_ctx *ctx);

/* endpoint.c */

/* Resets every field of ev to "absent": scalars 0, strings "" (what
 * follows a string's NUL is left as it was). */
void	ep_event_reset(struct ep_event *ev);

/*
 * Copies a source string into a fixed field.  Returns 0, or -1 when it
 * does not fit (reason "endpoint_field_too_long") or is not valid UTF-8
 * ("endpoint_invalid_utf8"); dst is then "".
 */
int	ep_set_str(char *dst, size_t dstsz, const char *src, size_t len,
	    struct rw_err *err);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool	ep_utf8_valid(const char *s, size_t len);

/*
 * Is this (provider/channel, event id) or Defender table one we keep?
 * Returns the kind, or EP_KIND_NONE.  A Sysmon id from another provider
 * (a Security 4688 is not a Sysmon 1) is EP_KIND_NONE.
 */
enum ep_kind	ep_kind_of(const char *provider, const char *channel,
		    unsigned event_id);
/* Defender table name ("DeviceProcessEvents", with or without the
 * "AdvancedHunting-" prefix) to kind, or EP_KIND_NONE. */
enum ep_kind	ep_kind_of_table(const char *table);

/*
 * Applies one EventData-style (name, value) pair to ev, by Sysmon / Code
 * Integrity / Defender column name.  Unknown names are ignored.  Returns 0
 * or -1 with err (field too long, invalid UTF-8, bad number).
 */
int	ep_apply_field(struct ep_event *ev, const char *name,
	    const char *value, size_t len, struct rw_err *err);

/*
 * Parses "2020-10-28 02:39:26.374", "2020-10-28T02:39:26.3883252Z" or
 * "...+00:00" as UTC into microseconds.  Returns 0 or -1.
 */
int	ep_parse_time(const char *s, int64_t *us);

/* Checks the event once filled (kind-specific required fields).  Returns
 * 0, or -1 with reason "endpoint_missing_field". */
int	ep_event_check(const struct ep_event *ev, struct rw_err *err);

/*
 * Dedupe key for at-least-once feeds (Winlogbeat output.redis): record id,
 * computer and channel, as "<record_id>|<computer lowercased>|<channel>".
 * Returns 0, or -1 when the event has no record id or buf is too small
 * (then there is no safe key: do not dedupe).
 */
int	ep_dedupe_key(const struct ep_event *ev, char *buf, size_t bufsz);

/* Short names for logs and JSON ("winlogbeat", "sysmon_image_load"...). */
const char	*ep_source_name(enum ep_source s);
const char	*ep_kind_name(enum ep_kind k);

/* ep_json.c */

/*
 * The event as compact JSON text (absent values omitted, times RFC 3339
 * UTC), NUL-terminated, its length in *len when len is not NULL; NULL on
 * OOM.  The caller frees it.  What goes to the endpoint event stream in
 * Redis.
 */
char	*ep_event_json(const struct ep_event *ev, size_t *len);

/* ingest_json.c */

/*
 * Normalises one JSON document (one line of JSON lines; an array of
 * events or {"events":[...]} is also accepted) and hands each kept event
 * to the sink.  Bad documents and events are counted and skipped.
 * Returns 0 (including when events were skipped), or -1 only when the
 * sink asked to stop.
 */
int	ep_json_feed(struct ep_ctx *ctx, const char *buf, size_t len,
	    struct rw_err *err);

/* The same for a whole pretty-printed document, bounded by lim.max_doc
 * instead of lim.max_line ("endpoint_document_too_large"). */
int	ep_json_feed_doc(struct ep_ctx *ctx, const char *buf, size_t len,
	    struct rw_err *err);

/* ingest_xml.c */

/*
 * Normalises Windows event XML in buf: one <Event>, several, or an
 * <Events> wrapper.  No DTDs, no entities beyond the five predefined,
 * bounded depth, attributes and text.  Returns like ep_json_feed().
 */
int	ep_xml_feed(struct ep_ctx *ctx, const char *buf, size_t len,
	    struct rw_err *err);

/* ingest_stream.c */

enum ep_format { EP_FMT_AUTO = 0, EP_FMT_JSON, EP_FMT_XML };

/*
 * A byte stream of endpoint events, fed in pieces of any size (a file, a
 * pipe, 1-byte fragments).  Decides once, from the first line, between
 * line mode (JSON lines, one XML event per line) and document mode (a
 * pretty-printed JSON array/object, an <Events> or <?xml ...?> document),
 * which is buffered whole up to lim.max_doc.  A line over lim.max_line is
 * skipped to its newline and counted once ("endpoint_line_too_long").  In
 * XML line mode an <Event> that spans lines (Event Viewer's "copy details")
 * is gathered to its </Event>, within the same max_line bound.
 */
struct ep_stream {
	struct ep_ctx	*ctx;
	enum ep_format	 fmt;		/* AUTO until decided */
	int		 mode;		/* 0 undecided, 1 lines, 2 document */
	bool		 discarding;	/* inside an over-long line */
	bool		 xml_open;	/* an <Event> spans lines (line mode) */
	size_t		 line_off;	/* where the current line starts */
	char		*buf;
	size_t		 len, cap;
};

/* Starts a stream on ctx (borrowed).  Never fails. */
void	ep_stream_init(struct ep_stream *s, struct ep_ctx *ctx,
	    enum ep_format fmt);

/* Feeds bytes.  Returns 0, or -1 when the sink stopped or on OOM. */
int	ep_stream_write(struct ep_stream *s, const char *data, size_t len,
	    struct rw_err *err);

/* Feeds what is left (a last line without newline, the document). */
int	ep_stream_end(struct ep_stream *s, struct rw_err *err);

/* Frees the stream's buffer. */
void	ep_stream_free(struct ep_stream *s);

#endif /* RW_ENDPOINT_H */
