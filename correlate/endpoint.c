/*
 * endpoint.c - the normalised endpoint event: field mapping by Sysmon,
 * Code Integrity and Defender column name, bounded copies, UTF-8 checks,
 * times, the keep-list and the dedupe key.  Shared by ingest_json.c and
 * ingest_xml.c so both shapes give byte-identical events.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/endpoint.h"
#include "correlate/jdoc.h"

#define SYSMON_PROVIDER	"Microsoft-Windows-Sysmon"
#define SYSMON_CHANNEL	"Microsoft-Windows-Sysmon/Operational"
#define CI_PROVIDER	"Microsoft-Windows-CodeIntegrity"
#define CI_CHANNEL	"Microsoft-Windows-CodeIntegrity/Operational"
#define MDE_PREFIX	"AdvancedHunting-"

/* Locale-independent ASCII helpers on unsigned char (STYLE 8). */
static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
ascii_ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
			return false;
	return *a == *b;
}

void
ep_limits_default(struct ep_limits *lim)
{
	lim->max_line = EP_DEF_MAX_LINE;
	lim->max_depth = EP_DEF_MAX_DEPTH;
	lim->max_attrs = EP_DEF_MAX_ATTRS;
	lim->max_fields = EP_DEF_MAX_FIELDS;
	lim->max_doc = EP_DEF_MAX_DOC;
}

int
ep_ctx_init(struct ep_ctx *ctx, const struct ep_limits *lim, struct stats *st,
    ep_sink_fn sink, void *sink_arg, struct rw_err *err)
{
	memset(ctx, 0, sizeof(*ctx));
	if (lim != NULL)
		ctx->lim = *lim;
	else
		ep_limits_default(&ctx->lim);
	ctx->st = st;
	ctx->sink = sink;
	ctx->sink_arg = sink_arg;
	/* calloc: the bytes after a reset string's NUL are defined too */
	if ((ctx->ev = calloc(1, sizeof(*ctx->ev))) == NULL) {
		rw_err_set(err, "endpoint_oom", "endpoint event: out of memory");
		return -1;
	}
	return 0;
}

void
ep_ctx_free(struct ep_ctx *ctx)
{
	free(ctx->ev);
	ctx->ev = NULL;
	free(ctx->xml);
	ctx->xml = NULL;
	if (ctx->json != NULL)
		jd_free(ctx->json);
	free(ctx->json);
	ctx->json = NULL;
}

/*
 * The fields of 4 kB and more, in struct order: ~90% of the event's
 * 150 kB.  A reset clears only their first byte ("" is absent, and every
 * writer NUL-terminates), so it costs what the small fields cost rather
 * than a 150 kB memset per event.  A field missing here is simply zeroed
 * whole: the list may lag the struct, never make a reset incomplete.
 */
#define BIG(f)	{ offsetof(struct ep_event, f), sizeof(((struct ep_event *)0)->f) }
static const struct { size_t off, len; } big_fields[] = {
	BIG(image), BIG(command_line), BIG(parent_image),
	BIG(parent_command_line), BIG(image_loaded), BIG(signature),
	BIG(query_results), BIG(file_name), BIG(folder_path),
	BIG(initiating_file_name), BIG(remote_url), BIG(ci.file_name),
	BIG(ci.process_name), BIG(ci.publisher), BIG(ci.issuer),
	BIG(cert.signer), BIG(cert.issuer), BIG(cert.crl_urls),
};
#undef BIG

void
ep_event_reset(struct ep_event *ev)
{
	unsigned char *p = (unsigned char *)ev;
	size_t i, at = 0;

	for (i = 0; i < sizeof(big_fields) / sizeof(big_fields[0]); i++) {
		/* out of order (a reordered struct): zero from here on */
		if (big_fields[i].off < at)
			break;
		memset(p + at, 0, big_fields[i].off - at);
		p[big_fields[i].off] = '\0';
		at = big_fields[i].off + big_fields[i].len;
	}
	memset(p + at, 0, sizeof(*ev) - at);
}

bool
ep_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		uint64_t w;

		/* ASCII, 8 bytes at a time: most of any event */
		if (len - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return false;
		/* remaining-length guard, not pointer arithmetic */
		if (len - i - 1 < n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

int
ep_set_str(char *dst, size_t dstsz, const char *src, size_t len,
    struct rw_err *err)
{
	dst[0] = '\0';
	if (len >= dstsz) {
		rw_err_set(err, "endpoint_field_too_long",
		    "field of %zu bytes, limit %zu", len, dstsz - 1);
		return -1;
	}
	if (memchr(src, '\0', len) != NULL || !ep_utf8_valid(src, len)) {
		rw_err_set(err, "endpoint_invalid_utf8",
		    "field of %zu bytes is not valid UTF-8 text", len);
		return -1;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char **pp, unsigned n, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return 0;
}

int
ep_parse_time(const char *s, int64_t *us)
{
	unsigned y, mo, d, h, mi, sec, frac = 0, nd = 0;
	const char *p = s;

	*us = 0;
	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1 || (*p != ' ' && *p != 'T'))
		return -1;
	p++;
	if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    digits(&p, 2, &sec) == -1)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 6)
				frac = frac * 10 + (unsigned)(*p - '0');
		if (nd == 0)
			return -1;
		for (; nd < 6; nd++)
			frac *= 10;
	}
	if (*p == 'Z')
		p++;
	else if (strcmp(p, "+00:00") == 0)
		p += 6;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * 1000000) + frac;
	return 0;
}

enum ep_kind
ep_kind_of(const char *provider, const char *channel, unsigned id)
{
	bool sysmon, ci, unknown;

	sysmon = ascii_ieq(provider, SYSMON_PROVIDER) ||
	    ascii_ieq(channel, SYSMON_CHANNEL);
	ci = ascii_ieq(provider, CI_PROVIDER) || ascii_ieq(channel, CI_CHANNEL);
	/* Exports that dropped both names: classify by the id alone. */
	unknown = provider[0] == '\0' && channel[0] == '\0';
	if (sysmon || unknown) {
		switch (id) {
		case 1: case 3: case 7: case 22:
			return (enum ep_kind)id;
		}
	}
	if (ci || unknown) {
		switch (id) {
		case 3033: case 3034: case 3036: case 3089:
			return (enum ep_kind)id;
		}
	}
	return EP_KIND_NONE;
}

enum ep_kind
ep_kind_of_table(const char *t)
{
	if (strncmp(t, MDE_PREFIX, strlen(MDE_PREFIX)) == 0)
		t += strlen(MDE_PREFIX);
	if (strcmp(t, "DeviceFileCertificateInfo") == 0)
		return EP_MDE_FILE_CERT;
	if (strcmp(t, "DeviceProcessEvents") == 0)
		return EP_MDE_PROCESS;
	if (strcmp(t, "DeviceNetworkEvents") == 0)
		return EP_MDE_NETWORK;
	return EP_KIND_NONE;
}

static int
parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static enum ep_tri
parse_tri(const char *s)
{
	if (ascii_ieq(s, "true") || strcmp(s, "1") == 0)
		return EP_TRUE;
	if (ascii_ieq(s, "false") || strcmp(s, "0") == 0)
		return EP_FALSE;
	return EP_UNSET;
}

/* Lowercase hex digest; rejects non-hex and oversize. */
static int
set_hex(char *dst, size_t dstsz, const char *s, size_t len, struct rw_err *err)
{
	size_t i;

	dst[0] = '\0';
	if (len >= dstsz) {
		rw_err_set(err, "endpoint_field_too_long",
		    "hash of %zu characters", len);
		return -1;
	}
	for (i = 0; i < len; i++) {
		int c = ascii_lower((unsigned char)s[i]);

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			rw_err_set(err, "endpoint_bad_hash",
			    "hash has a non-hex character at %zu", i);
			dst[0] = '\0';
			return -1;
		}
		dst[i] = (char)c;
	}
	dst[len] = '\0';
	return 0;
}

/* Sysmon "SHA1=..,MD5=..,SHA256=..,IMPHASH=.." (any subset, any order). */
static int
set_hashes(struct ep_event *ev, const char *v, size_t len, struct rw_err *err)
{
	const char *p = v, *end = v + len, *comma, *eq;
	char *dst;
	size_t nlen;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		eq = memchr(p, '=', (size_t)(comma - p));
		if (eq != NULL) {
			nlen = (size_t)(eq - p);
			dst = NULL;
			if (nlen == 4 && strncmp(p, "SHA1", 4) == 0)
				dst = ev->sha1;
			else if (nlen == 3 && strncmp(p, "MD5", 3) == 0)
				dst = ev->md5;
			else if (nlen == 6 && strncmp(p, "SHA256", 6) == 0)
				dst = ev->sha256;
			else if (nlen == 7 && strncmp(p, "IMPHASH", 7) == 0)
				dst = ev->imphash;
			if (dst != NULL && set_hex(dst, EP_HASH_MAX, eq + 1,
			    (size_t)(comma - eq - 1), err) == -1)
				return -1;
		}
		p = comma + (comma < end);
	}
	return 0;
}

/* "{9F32B55F-...}" and "9F32B55F-..." both become "{9f32b55f-...}". */
static int
set_guid(char *dst, const char *v, size_t len, struct rw_err *err)
{
	char tmp[EP_NAME_MAX];
	size_t i, o = 0;

	if (len + 3 > sizeof(tmp)) {
		rw_err_set(err, "endpoint_field_too_long", "GUID of %zu bytes",
		    len);
		return -1;
	}
	if (len > 0 && v[0] != '{')
		tmp[o++] = '{';
	for (i = 0; i < len; i++)
		tmp[o++] = (char)ascii_lower((unsigned char)v[i]);
	if (len > 0 && v[len - 1] != '}')
		tmp[o++] = '}';
	return ep_set_str(dst, EP_NAME_MAX, tmp, o, err);
}

static int
set_time(int64_t *us, bool *has, const char *v, struct rw_err *err)
{
	if (ep_parse_time(v, us) == -1) {
		rw_err_set(err, "endpoint_bad_time", "unparseable time");
		return -1;
	}
	*has = true;
	return 0;
}

static int
set_port(uint16_t *port, bool *has, const char *v, struct rw_err *err)
{
	uint32_t n;

	if (parse_u32(v, &n) == -1 || n > 65535) {
		rw_err_set(err, "endpoint_bad_number", "port is not 0..65535");
		return -1;
	}
	*port = (uint16_t)n;
	*has = true;
	return 0;
}

static int
set_pid(uint32_t *pid, bool *has, const char *v, struct rw_err *err)
{
	if (parse_u32(v, pid) == -1) {
		rw_err_set(err, "endpoint_bad_number", "process id is not a "
		    "32-bit number");
		return -1;
	}
	*has = true;
	return 0;
}

static int
set_lower(char *dst, size_t dstsz, const char *v, size_t len,
    struct rw_err *err)
{
	char *p;

	if (ep_set_str(dst, dstsz, v, len, err) == -1)
		return -1;
	for (p = dst; *p != '\0'; p++)
		*p = (char)ascii_lower((unsigned char)*p);
	return 0;
}

#define S(field)	ep_set_str(ev->field, sizeof(ev->field), v, len, err)

/* Sysmon EventData names (EID 1, 3, 7, 22). */
static int
apply_sysmon(struct ep_event *ev, const char *n, const char *v, size_t len,
    struct rw_err *err, bool *done)
{
	*done = true;
	if (strcmp(n, "UtcTime") == 0)
		return set_time(&ev->utc_time_us, &ev->has_utc_time, v, err);
	if (strcmp(n, "ProcessGuid") == 0)
		return set_guid(ev->process_guid, v, len, err);
	if (strcmp(n, "ProcessId") == 0)
		return set_pid(&ev->pid, &ev->has_pid, v, err);
	if (strcmp(n, "Image") == 0)
		return S(image);
	if (strcmp(n, "CommandLine") == 0)
		return S(command_line);
	if (strcmp(n, "ParentImage") == 0)
		return S(parent_image);
	if (strcmp(n, "ParentCommandLine") == 0)
		return S(parent_command_line);
	if (strcmp(n, "ParentProcessId") == 0)
		return set_pid(&ev->parent_pid, &ev->has_parent_pid, v, err);
	if (strcmp(n, "ImageLoaded") == 0)
		return S(image_loaded);
	if (strcmp(n, "Signed") == 0) {
		ev->has_signed = true;
		return S(signed_text);
	}
	if (strcmp(n, "Signature") == 0) {
		ev->has_signature = true;
		return S(signature);
	}
	if (strcmp(n, "SignatureStatus") == 0) {
		ev->has_signature_status = true;
		return S(signature_status);
	}
	if (strcmp(n, "Hashes") == 0 || strcmp(n, "Hash") == 0)
		return set_hashes(ev, v, len, err);
	if (strcmp(n, "User") == 0)
		return S(user);
	if (strcmp(n, "Protocol") == 0)
		return set_lower(ev->protocol, sizeof(ev->protocol), v, len, err);
	if (strcmp(n, "Initiated") == 0) {
		ev->initiated = parse_tri(v);
		return 0;
	}
	if (strcmp(n, "SourceIp") == 0)
		return S(src_ip);
	if (strcmp(n, "DestinationIp") == 0)
		return S(dst_ip);
	if (strcmp(n, "SourcePort") == 0)
		return set_port(&ev->src_port, &ev->has_ports, v, err);
	if (strcmp(n, "DestinationPort") == 0)
		return set_port(&ev->dst_port, &ev->has_ports, v, err);
	if (strcmp(n, "DestinationHostname") == 0)
		return S(dst_hostname);
	if (strcmp(n, "QueryName") == 0)
		return S(query_name);
	if (strcmp(n, "QueryResults") == 0)
		return S(query_results);
	if (strcmp(n, "QueryStatus") == 0)
		return S(query_status);
	*done = false;
	return 0;
}

/* Code Integrity: both the v0 "...Buffer" names and the spaced v5 names. */
static int
apply_ci(struct ep_event *ev, const char *n, const char *v, size_t len,
    struct rw_err *err)
{
	if (strcmp(n, "FileNameBuffer") == 0 || strcmp(n, "File Name") == 0)
		return S(ci.file_name);
	if (strcmp(n, "ProcessNameBuffer") == 0 ||
	    strcmp(n, "Process Name") == 0)
		return S(ci.process_name);
	if (strcmp(n, "RequestedPolicy") == 0 ||
	    strcmp(n, "Requested Signing Level") == 0)
		return S(ci.requested_level);
	if (strcmp(n, "ValidatedPolicy") == 0 ||
	    strcmp(n, "Validated Signing Level") == 0 ||
	    strcmp(n, "ValidatedSigningLevel") == 0)
		return S(ci.validated_level);
	if (strcmp(n, "Status") == 0)
		return S(ci.status);
	if (strcmp(n, "PublisherName") == 0)
		return S(ci.publisher);
	if (strcmp(n, "IssuerName") == 0)
		return S(ci.issuer);
	if (strcmp(n, "VerificationError") == 0)
		return S(ci.verification_error);
	if (strcmp(n, "SHA1 Hash") == 0 || strcmp(n, "SHA1 Flat Hash") == 0)
		return set_hex(ev->sha1, sizeof(ev->sha1), v, len, err);
	if (strcmp(n, "SHA256 Hash") == 0 || strcmp(n, "SHA256 Flat Hash") == 0)
		return set_hex(ev->sha256, sizeof(ev->sha256), v, len, err);
	return 0;
}

/* Defender columns shared by the three tables. */
static int
apply_mde(struct ep_event *ev, const char *n, const char *v, size_t len,
    struct rw_err *err)
{
	bool proc = ev->kind == EP_MDE_PROCESS;

	if (strcmp(n, "DeviceName") == 0)
		return S(computer);
	if (strcmp(n, "Timestamp") == 0)
		return set_time(&ev->ts_us, &ev->has_ts, v, err);
	if (strcmp(n, "SHA1") == 0) {
		if (set_hex(ev->sha1, sizeof(ev->sha1), v, len, err) == -1)
			return -1;
		return ev->kind == EP_MDE_FILE_CERT ?
		    set_hex(ev->cert.sha1, sizeof(ev->cert.sha1), v, len, err) : 0;
	}
	if (strcmp(n, "SHA256") == 0)
		return set_hex(ev->sha256, sizeof(ev->sha256), v, len, err);
	if (strcmp(n, "MD5") == 0)
		return set_hex(ev->md5, sizeof(ev->md5), v, len, err);
	/* certificate table */
	if (strcmp(n, "IsSigned") == 0)
		return (ev->cert.is_signed = parse_tri(v)), 0;
	if (strcmp(n, "IsTrusted") == 0)
		return (ev->cert.is_trusted = parse_tri(v)), 0;
	if (strcmp(n, "IsRootSignerMicrosoft") == 0)
		return (ev->cert.is_root_signer_microsoft = parse_tri(v)), 0;
	if (strcmp(n, "SignatureType") == 0)
		return S(cert.signature_type);
	/* The Sentinel seed says Subject; Defender's column is Signer. */
	if (strcmp(n, "Signer") == 0 ||
	    (strcmp(n, "Subject") == 0 && ev->cert.signer[0] == '\0'))
		return S(cert.signer);
	if (strcmp(n, "Issuer") == 0)
		return S(cert.issuer);
	if (strcmp(n, "CertificateSerialNumber") == 0)
		return S(cert.serial);
	if (strcmp(n, "CertificateExpirationTime") == 0)
		return set_time(&ev->cert.expiration_us,
		    &ev->cert.has_expiration, v, err);
	if (strcmp(n, "CertificateCreationTime") == 0)
		return set_time(&ev->cert.creation_us, &ev->cert.has_creation,
		    v, err);
	if (strcmp(n, "CrlDistributionPointUrls") == 0 ||
	    (strcmp(n, "CrlDistributionPointUrl") == 0 &&
	    ev->cert.crl_urls[0] == '\0'))
		return S(cert.crl_urls);
	/* process and network tables */
	if (strcmp(n, "FileName") == 0)
		return S(file_name);
	if (strcmp(n, "FolderPath") == 0)
		return proc ? (S(folder_path) == -1 ? -1 : S(image)) :
		    S(folder_path);
	if (strcmp(n, "ProcessCommandLine") == 0)
		return S(command_line);
	if (strcmp(n, "ProcessId") == 0 && proc)
		return set_pid(&ev->pid, &ev->has_pid, v, err);
	if (strcmp(n, "AccountName") == 0 && proc)
		return S(user);
	if (strcmp(n, "InitiatingProcessAccountName") == 0 && !proc)
		return S(user);
	if (strcmp(n, "InitiatingProcessFileName") == 0)
		return S(initiating_file_name);
	if (strcmp(n, "InitiatingProcessFolderPath") == 0)
		return proc ? S(parent_image) : S(image);
	if (strcmp(n, "InitiatingProcessCommandLine") == 0)
		return proc ? S(parent_command_line) : S(command_line);
	if (strcmp(n, "InitiatingProcessId") == 0)
		return proc ? set_pid(&ev->parent_pid, &ev->has_parent_pid, v,
		    err) : set_pid(&ev->pid, &ev->has_pid, v, err);
	if (strcmp(n, "LocalIP") == 0)
		return S(src_ip);
	if (strcmp(n, "RemoteIP") == 0)
		return S(dst_ip);
	if (strcmp(n, "LocalPort") == 0)
		return set_port(&ev->src_port, &ev->has_ports, v, err);
	if (strcmp(n, "RemotePort") == 0)
		return set_port(&ev->dst_port, &ev->has_ports, v, err);
	if (strcmp(n, "Protocol") == 0)
		return set_lower(ev->protocol, sizeof(ev->protocol), v, len, err);
	if (strcmp(n, "RemoteUrl") == 0)
		return S(remote_url);
	if (strcmp(n, "ActionType") == 0) {
		if (S(action_type) == -1)
			return -1;
		if (strcmp(v, "ConnectionSuccess") == 0 ||
		    strcmp(v, "ConnectionRequest") == 0 ||
		    strcmp(v, "ConnectionAttempt") == 0 ||
		    strcmp(v, "ConnectionFailed") == 0)
			ev->initiated = EP_TRUE;
		else if (strcmp(v, "InboundConnectionAccepted") == 0 ||
		    strcmp(v, "ListeningConnectionCreated") == 0)
			ev->initiated = EP_FALSE;
		return 0;
	}
	return 0;
}

#undef S

int
ep_apply_field(struct ep_event *ev, const char *name, const char *value,
    size_t len, struct rw_err *err)
{
	bool done;

	switch (ev->kind) {
	case EP_SYSMON_PROCESS:
	case EP_SYSMON_NETWORK:
	case EP_SYSMON_IMAGE_LOAD:
	case EP_SYSMON_DNS:
		return apply_sysmon(ev, name, value, len, err, &done);
	case EP_CI_BLOCKED:
	case EP_CI_AUDIT:
	case EP_CI_REVOKED:
	case EP_CI_SIGNATURE:
		return apply_ci(ev, name, value, len, err);
	case EP_MDE_FILE_CERT:
	case EP_MDE_PROCESS:
	case EP_MDE_NETWORK:
		return apply_mde(ev, name, value, len, err);
	default:
		return 0;
	}
}

int
ep_event_check(const struct ep_event *ev, struct rw_err *err)
{
	const char *miss = NULL;

	if (ev->computer[0] == '\0')
		miss = "computer name";
	else if (ev->kind == EP_SYSMON_IMAGE_LOAD && ev->image_loaded[0] == '\0')
		miss = "ImageLoaded";
	else if (ev->kind == EP_SYSMON_PROCESS && ev->image[0] == '\0')
		miss = "Image";
	else if (ev->kind == EP_SYSMON_NETWORK && ev->dst_ip[0] == '\0')
		miss = "DestinationIp";
	else if (ev->kind == EP_SYSMON_DNS && ev->query_name[0] == '\0')
		miss = "QueryName";
	else if (ev->kind == EP_MDE_FILE_CERT && ev->cert.sha1[0] == '\0')
		miss = "SHA1";
	else if (!ev->has_ts && !ev->has_utc_time)
		miss = "time";
	if (miss == NULL)
		return 0;
	rw_err_set(err, "endpoint_missing_field", "%s event without %s",
	    ep_kind_name(ev->kind), miss);
	return -1;
}

int
ep_dedupe_key(const struct ep_event *ev, char *buf, size_t bufsz)
{
	char host[EP_NAME_MAX];
	size_t i;
	int n;

	if (!ev->has_record_id || ev->computer[0] == '\0')
		return -1;
	/* Winlogbeat and the XML disagree on the computer name's case. */
	for (i = 0; ev->computer[i] != '\0' && i + 1 < sizeof(host); i++)
		host[i] = (char)ascii_lower((unsigned char)ev->computer[i]);
	host[i] = '\0';
	n = snprintf(buf, bufsz, "%" PRIu64 "|%s|%s", ev->record_id, host,
	    ev->channel);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

const char *
ep_source_name(enum ep_source s)
{
	switch (s) {
	case EP_SRC_WINLOGBEAT:	return "winlogbeat";
	case EP_SRC_WINLOGBEAT6: return "winlogbeat6";
	case EP_SRC_NXLOG:	return "nxlog";
	case EP_SRC_FLAT:	return "flat";
	case EP_SRC_EVTX_JSON:	return "evtx_json";
	case EP_SRC_MDE_STREAM:	return "mde_stream";
	case EP_SRC_MDE_ROW:	return "mde_row";
	case EP_SRC_XML:	return "xml";
	default:		return "unknown";
	}
}

const char *
ep_kind_name(enum ep_kind k)
{
	switch (k) {
	case EP_SYSMON_PROCESS:	return "sysmon_process_create";
	case EP_SYSMON_NETWORK:	return "sysmon_network_connect";
	case EP_SYSMON_IMAGE_LOAD: return "sysmon_image_load";
	case EP_SYSMON_DNS:	return "sysmon_dns_query";
	case EP_CI_BLOCKED:	return "ci_blocked";
	case EP_CI_AUDIT:	return "ci_audit";
	case EP_CI_REVOKED:	return "ci_revoked";
	case EP_CI_SIGNATURE:	return "ci_signature";
	case EP_MDE_FILE_CERT:	return "mde_file_certificate";
	case EP_MDE_PROCESS:	return "mde_process";
	case EP_MDE_NETWORK:	return "mde_network";
	default:		return "none";
	}
}
