/* eve_tsp.c - JSON of RFC 3161 timestamp exchanges; see eve_tsp.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/timefmt.h"
#include "sensor/eve.h"
#include "sensor/eve_tsp.h"

/* What a timestamp exchange tells an analyst, whatever its outcome. */
#define SIGNING_ACTIVITY "client requested an RFC 3161 timestamp from a " \
	"time-stamping authority: it is signing code or documents"

static void
put_imprint(json_t *o, const struct tsp_imprint *mi)
{
	eve_set_str(o, "hash_algorithm", mi->hash_alg);
	eve_set_str(o, "message_imprint", mi->imprint);
}

static json_t *
req_json(const struct tsp_req *q)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	put_imprint(o, &q->imprint);
	if (q->has_nonce)
		eve_set_str(o, "nonce", q->nonce);
	if (q->has_policy)
		eve_set_str(o, "policy", q->policy);
	json_object_set_new(o, "cert_req", json_boolean(q->cert_req));
	return o;
}

/* Status name, or the number as a string when RFC 3161 does not name it. */
static json_t *
status_json(int status)
{
	const char *name = tsp_status_name(status);
	char num[16];

	if (name != NULL)
		return json_string(name);
	snprintf(num, sizeof(num), "%d", status);
	return json_string(num);
}

/* Names of the PKIFailureInfo bits set; unnamed bits as their number. */
static json_t *
failure_json(const struct tsp_resp *r)
{
	json_t *a = json_array();
	const char *name;
	char num[16];
	int bit;

	for (bit = 0; a != NULL && bit < 32; bit++) {
		if ((r->failure_info & (uint32_t)1 << bit) == 0)
			continue;
		if ((name = tsp_failure_name(bit)) == NULL) {
			snprintf(num, sizeof(num), "%d", bit);
			name = num;
		}
		json_array_append_new(a, json_string(name));
	}
	if (a != NULL && r->failure_info_high)
		json_array_append_new(a, json_string("other"));
	return a;
}

/* genTime as RFC 3339, with the token's fraction of a second if any. */
static void
put_gen_time(json_t *o, const struct tsp_resp *r)
{
	char buf[RW_TIME_BUF + TSP_FRAC_DIGITS + 1];
	size_t n;

	rw_time_fmt(buf, r->gen_time);
	n = strlen(buf);
	if (n == 0)
		return;
	if (r->gen_time_frac[0] != '\0')
		snprintf(buf + n - 1, sizeof(buf) - (n - 1), ".%sZ",
		    r->gen_time_frac);
	json_object_set_new(o, "gen_time", json_string(buf));
}

static json_t *
accuracy_json(const struct tsp_resp *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (r->acc_seconds >= 0)
		json_object_set_new(o, "seconds", json_integer(r->acc_seconds));
	if (r->acc_millis >= 0)
		json_object_set_new(o, "millis", json_integer(r->acc_millis));
	if (r->acc_micros >= 0)
		json_object_set_new(o, "micros", json_integer(r->acc_micros));
	return o;
}

static void
put_token(json_t *o, const struct tsp_resp *r)
{
	eve_set_str(o, "tsa", r->tsa);
	eve_set_str(o, "serial", r->serial);
	put_gen_time(o, r);
	eve_set_str(o, "policy", r->policy);
	put_imprint(o, &r->imprint);
	if (r->has_accuracy)
		json_object_set_new(o, "accuracy", accuracy_json(r));
	if (r->has_nonce)
		eve_set_str(o, "nonce", r->nonce);
	json_object_set_new(o, "certs", json_integer((json_int_t)r->n_certs));
	eve_set_str(o, "signer_subject", r->signer_subject);
	eve_set_str(o, "signer_issuer", r->signer_issuer);
	eve_set_str(o, "signer_serial", r->signer_serial);
}

static json_t *
resp_json(const struct tsp_resp *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "status", status_json(r->status));
	eve_set_str(o, "status_text", r->status_text);
	if (r->has_failure_info)
		json_object_set_new(o, "failure_info", failure_json(r));
	if (r->has_token)
		put_token(o, r);
	return o;
}

json_t *
tsp_json(const struct tsp_req *req, const struct tsp_resp *resp)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (req != NULL)
		json_object_set_new(o, "request", req_json(req));
	if (resp != NULL)
		json_object_set_new(o, "response", resp_json(resp));
	json_object_set_new(o, "signing_activity",
	    json_string(SIGNING_ACTIVITY));
	return o;
}
