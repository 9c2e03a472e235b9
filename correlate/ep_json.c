/*
 * ep_json.c - a normalised endpoint event as JSON: what revwire writes to
 * the endpoint event stream in Redis.  Absent values are omitted, never
 * written as "" or 0 (same rule as the wire events).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/time.h>

#include <jansson.h>

#include "common/timefmt.h"
#include "correlate/endpoint.h"

static int
put_str(json_t *o, const char *key, const char *v)
{
	if (v[0] == '\0')
		return 0;
	return json_object_set_new(o, key, json_string(v));
}

static int
put_int(json_t *o, const char *key, bool has, long long v)
{
	if (!has)
		return 0;
	return json_object_set_new(o, key, json_integer(v));
}

static int
put_time(json_t *o, const char *key, bool has, int64_t us)
{
	struct timeval tv;
	char buf[RW_TIME_BUF];

	if (!has)
		return 0;
	/* floor division: times before 1970 keep a positive fraction */
	tv.tv_sec = (time_t)(us / 1000000 - (us % 1000000 < 0));
	tv.tv_usec = (suseconds_t)(us - (int64_t)tv.tv_sec * 1000000);
	return put_str(o, key, rw_time_fmt_us(buf, &tv));
}

static int
put_tri(json_t *o, const char *key, enum ep_tri v)
{
	if (v == EP_UNSET)
		return 0;
	return json_object_set_new(o, key, json_boolean(v == EP_TRUE));
}

static int
put_ci(json_t *o, const struct ep_ci *ci)
{
	json_t *c = json_object();
	int rc = 0;

	if (c == NULL)
		return -1;
	rc |= put_str(c, "file_name", ci->file_name);
	rc |= put_str(c, "process_name", ci->process_name);
	rc |= put_str(c, "requested_level", ci->requested_level);
	rc |= put_str(c, "validated_level", ci->validated_level);
	rc |= put_str(c, "status", ci->status);
	rc |= put_str(c, "publisher", ci->publisher);
	rc |= put_str(c, "issuer", ci->issuer);
	rc |= put_str(c, "verification_error", ci->verification_error);
	rc |= put_str(c, "activity_id", ci->activity_id);
	if (json_object_size(c) == 0) {
		json_decref(c);
		return rc;
	}
	return rc | json_object_set_new(o, "ci", c);
}

static int
put_cert(json_t *o, const struct ep_cert *ce)
{
	json_t *c = json_object();
	int rc = 0;

	if (c == NULL)
		return -1;
	rc |= put_str(c, "sha1", ce->sha1);
	rc |= put_tri(c, "is_signed", ce->is_signed);
	rc |= put_tri(c, "is_trusted", ce->is_trusted);
	rc |= put_tri(c, "is_root_signer_microsoft", ce->is_root_signer_microsoft);
	rc |= put_str(c, "signature_type", ce->signature_type);
	rc |= put_str(c, "signer", ce->signer);
	rc |= put_str(c, "issuer", ce->issuer);
	rc |= put_str(c, "serial", ce->serial);
	rc |= put_time(c, "expiration", ce->has_expiration, ce->expiration_us);
	rc |= put_time(c, "creation", ce->has_creation, ce->creation_us);
	rc |= put_str(c, "crl_urls", ce->crl_urls);
	if (json_object_size(c) == 0) {
		json_decref(c);
		return rc;
	}
	return rc | json_object_set_new(o, "cert", c);
}

json_t *
ep_event_json(const struct ep_event *ev)
{
	json_t *o = json_object();
	char key[EP_NAME_MAX * 2 + 32];
	int rc = 0;

	if (o == NULL)
		return NULL;
	rc |= put_str(o, "kind", ep_kind_name(ev->kind));
	rc |= put_str(o, "source", ep_source_name(ev->source));
	rc |= put_int(o, "event_id", ev->event_id != 0, ev->event_id);
	rc |= put_int(o, "record_id", ev->has_record_id,
	    (long long)ev->record_id);
	if (ep_dedupe_key(ev, key, sizeof(key)) == 0)
		rc |= put_str(o, "dedupe_key", key);
	rc |= put_str(o, "provider", ev->provider);
	rc |= put_str(o, "channel", ev->channel);
	rc |= put_str(o, "computer", ev->computer);
	rc |= put_time(o, "timestamp", ev->has_ts, ev->ts_us);
	rc |= put_time(o, "utc_time", ev->has_utc_time, ev->utc_time_us);
	rc |= put_str(o, "user", ev->user);
	rc |= put_str(o, "user_sid", ev->user_sid);
	rc |= put_str(o, "image", ev->image);
	rc |= put_int(o, "pid", ev->has_pid, ev->pid);
	rc |= put_str(o, "process_guid", ev->process_guid);
	rc |= put_str(o, "command_line", ev->command_line);
	rc |= put_str(o, "parent_image", ev->parent_image);
	rc |= put_str(o, "parent_command_line", ev->parent_command_line);
	rc |= put_int(o, "parent_pid", ev->has_parent_pid, ev->parent_pid);
	rc |= put_str(o, "image_loaded", ev->image_loaded);
	if (ev->has_signed)
		rc |= put_str(o, "signed", ev->signed_text);
	if (ev->has_signature)
		rc |= put_str(o, "signature", ev->signature);
	if (ev->has_signature_status)
		rc |= put_str(o, "signature_status", ev->signature_status);
	rc |= put_str(o, "sha1", ev->sha1);
	rc |= put_str(o, "md5", ev->md5);
	rc |= put_str(o, "sha256", ev->sha256);
	rc |= put_str(o, "imphash", ev->imphash);
	rc |= put_str(o, "src_ip", ev->src_ip);
	rc |= put_int(o, "src_port", ev->has_ports, ev->src_port);
	rc |= put_str(o, "dst_ip", ev->dst_ip);
	rc |= put_int(o, "dst_port", ev->has_ports, ev->dst_port);
	rc |= put_str(o, "protocol", ev->protocol);
	rc |= put_tri(o, "initiated", ev->initiated);
	rc |= put_str(o, "dst_hostname", ev->dst_hostname);
	rc |= put_str(o, "query_name", ev->query_name);
	rc |= put_str(o, "query_results", ev->query_results);
	rc |= put_str(o, "query_status", ev->query_status);
	rc |= put_str(o, "file_name", ev->file_name);
	rc |= put_str(o, "folder_path", ev->folder_path);
	rc |= put_str(o, "initiating_file_name", ev->initiating_file_name);
	rc |= put_str(o, "action_type", ev->action_type);
	rc |= put_str(o, "remote_url", ev->remote_url);
	rc |= put_ci(o, &ev->ci);
	rc |= put_cert(o, &ev->cert);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
