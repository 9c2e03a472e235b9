/*
 * ep_json.c - a normalised endpoint event as JSON: what revwire writes to
 * the endpoint event stream in Redis.  Absent values are omitted, never
 * written as "" or 0 (same rule as the wire events).  Written by yajl's
 * generator straight into one buffer: a jansson object per event, then
 * its dump, cost more than normalising the event.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <yajl/yajl_gen.h>

#include "common/timefmt.h"
#include "correlate/endpoint.h"

static int
key(yajl_gen g, const char *k)
{
	return yajl_gen_string(g, (const unsigned char *)k, strlen(k)) !=
	    yajl_gen_status_ok;
}

static int
put_str(yajl_gen g, const char *k, const char *v)
{
	if (v[0] == '\0')
		return 0;
	return key(g, k) | (yajl_gen_string(g, (const unsigned char *)v,
	    strlen(v)) != yajl_gen_status_ok);
}

static int
put_int(yajl_gen g, const char *k, bool has, long long v)
{
	if (!has)
		return 0;
	return key(g, k) | (yajl_gen_integer(g, v) != yajl_gen_status_ok);
}

static int
put_time(yajl_gen g, const char *k, bool has, int64_t us)
{
	struct timeval tv;
	char buf[RW_TIME_BUF];

	if (!has)
		return 0;
	/* floor division: times before 1970 keep a positive fraction */
	tv.tv_sec = (time_t)(us / 1000000 - (us % 1000000 < 0));
	tv.tv_usec = (suseconds_t)(us - (int64_t)tv.tv_sec * 1000000);
	return put_str(g, k, rw_time_fmt_us(buf, &tv));
}

static int
put_tri(yajl_gen g, const char *k, enum ep_tri v)
{
	if (v == EP_UNSET)
		return 0;
	return key(g, k) | (yajl_gen_bool(g, v == EP_TRUE) !=
	    yajl_gen_status_ok);
}

static bool
ci_empty(const struct ep_ci *ci)
{
	return ci->file_name[0] == '\0' && ci->process_name[0] == '\0' &&
	    ci->requested_level[0] == '\0' &&
	    ci->validated_level[0] == '\0' && ci->status[0] == '\0' &&
	    ci->publisher[0] == '\0' && ci->issuer[0] == '\0' &&
	    ci->verification_error[0] == '\0' && ci->activity_id[0] == '\0';
}

/* The "ci" object, when any of its fields is there. */
static int
put_ci(yajl_gen g, const struct ep_ci *ci)
{
	int rc = 0;

	if (ci_empty(ci))
		return 0;
	rc |= key(g, "ci") | (yajl_gen_map_open(g) != yajl_gen_status_ok);
	rc |= put_str(g, "file_name", ci->file_name);
	rc |= put_str(g, "process_name", ci->process_name);
	rc |= put_str(g, "requested_level", ci->requested_level);
	rc |= put_str(g, "validated_level", ci->validated_level);
	rc |= put_str(g, "status", ci->status);
	rc |= put_str(g, "publisher", ci->publisher);
	rc |= put_str(g, "issuer", ci->issuer);
	rc |= put_str(g, "verification_error", ci->verification_error);
	rc |= put_str(g, "activity_id", ci->activity_id);
	return rc | (yajl_gen_map_close(g) != yajl_gen_status_ok);
}

static bool
cert_empty(const struct ep_cert *ce)
{
	return ce->sha1[0] == '\0' && ce->is_signed == EP_UNSET &&
	    ce->is_trusted == EP_UNSET &&
	    ce->is_root_signer_microsoft == EP_UNSET &&
	    ce->signature_type[0] == '\0' && ce->signer[0] == '\0' &&
	    ce->issuer[0] == '\0' && ce->serial[0] == '\0' &&
	    !ce->has_expiration && !ce->has_creation &&
	    ce->crl_urls[0] == '\0';
}

/* The "cert" object, when any of its fields is there. */
static int
put_cert(yajl_gen g, const struct ep_cert *ce)
{
	int rc = 0;

	if (cert_empty(ce))
		return 0;
	rc |= key(g, "cert") | (yajl_gen_map_open(g) != yajl_gen_status_ok);
	rc |= put_str(g, "sha1", ce->sha1);
	rc |= put_tri(g, "is_signed", ce->is_signed);
	rc |= put_tri(g, "is_trusted", ce->is_trusted);
	rc |= put_tri(g, "is_root_signer_microsoft", ce->is_root_signer_microsoft);
	rc |= put_str(g, "signature_type", ce->signature_type);
	rc |= put_str(g, "signer", ce->signer);
	rc |= put_str(g, "issuer", ce->issuer);
	rc |= put_str(g, "serial", ce->serial);
	rc |= put_time(g, "expiration", ce->has_expiration, ce->expiration_us);
	rc |= put_time(g, "creation", ce->has_creation, ce->creation_us);
	rc |= put_str(g, "crl_urls", ce->crl_urls);
	return rc | (yajl_gen_map_close(g) != yajl_gen_status_ok);
}

static int
put_event(yajl_gen g, const struct ep_event *ev)
{
	char dkey[EP_NAME_MAX * 2 + 32];
	int rc = 0;

	rc |= put_str(g, "kind", ep_kind_name(ev->kind));
	rc |= put_str(g, "source", ep_source_name(ev->source));
	rc |= put_int(g, "event_id", ev->event_id != 0, ev->event_id);
	rc |= put_int(g, "record_id", ev->has_record_id,
	    (long long)ev->record_id);
	if (ep_dedupe_key(ev, dkey, sizeof(dkey)) == 0)
		rc |= put_str(g, "dedupe_key", dkey);
	rc |= put_str(g, "provider", ev->provider);
	rc |= put_str(g, "channel", ev->channel);
	rc |= put_str(g, "computer", ev->computer);
	rc |= put_time(g, "timestamp", ev->has_ts, ev->ts_us);
	rc |= put_time(g, "utc_time", ev->has_utc_time, ev->utc_time_us);
	rc |= put_str(g, "user", ev->user);
	rc |= put_str(g, "user_sid", ev->user_sid);
	rc |= put_str(g, "image", ev->image);
	rc |= put_int(g, "pid", ev->has_pid, ev->pid);
	rc |= put_str(g, "process_guid", ev->process_guid);
	rc |= put_str(g, "command_line", ev->command_line);
	rc |= put_str(g, "parent_image", ev->parent_image);
	rc |= put_str(g, "parent_command_line", ev->parent_command_line);
	rc |= put_int(g, "parent_pid", ev->has_parent_pid, ev->parent_pid);
	rc |= put_str(g, "image_loaded", ev->image_loaded);
	if (ev->has_signed)
		rc |= put_str(g, "signed", ev->signed_text);
	if (ev->has_signature)
		rc |= put_str(g, "signature", ev->signature);
	if (ev->has_signature_status)
		rc |= put_str(g, "signature_status", ev->signature_status);
	rc |= put_str(g, "sha1", ev->sha1);
	rc |= put_str(g, "md5", ev->md5);
	rc |= put_str(g, "sha256", ev->sha256);
	rc |= put_str(g, "imphash", ev->imphash);
	rc |= put_str(g, "src_ip", ev->src_ip);
	rc |= put_int(g, "src_port", ev->has_ports, ev->src_port);
	rc |= put_str(g, "dst_ip", ev->dst_ip);
	rc |= put_int(g, "dst_port", ev->has_ports, ev->dst_port);
	rc |= put_str(g, "protocol", ev->protocol);
	rc |= put_tri(g, "initiated", ev->initiated);
	rc |= put_str(g, "dst_hostname", ev->dst_hostname);
	rc |= put_str(g, "query_name", ev->query_name);
	rc |= put_str(g, "query_results", ev->query_results);
	rc |= put_str(g, "query_status", ev->query_status);
	rc |= put_str(g, "file_name", ev->file_name);
	rc |= put_str(g, "folder_path", ev->folder_path);
	rc |= put_str(g, "initiating_file_name", ev->initiating_file_name);
	rc |= put_str(g, "action_type", ev->action_type);
	rc |= put_str(g, "remote_url", ev->remote_url);
	rc |= put_ci(g, &ev->ci);
	rc |= put_cert(g, &ev->cert);
	return rc;
}

char *
ep_event_json(const struct ep_event *ev, size_t *len)
{
	const unsigned char *buf;
	char *out = NULL;
	yajl_gen g;
	size_t n;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	if (yajl_gen_map_open(g) == yajl_gen_status_ok &&
	    put_event(g, ev) == 0 &&
	    yajl_gen_map_close(g) == yajl_gen_status_ok &&
	    yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok &&
	    (out = malloc(n + 1)) != NULL) {
		memcpy(out, buf, n);
		out[n] = '\0';
		if (len != NULL)
			*len = n;
	}
	yajl_gen_free(g);
	return out;
}
