/* eve_cert.c - JSON of certificates and TLS handshakes; see eve_cert.h. */
#include "config.h"

#include "common/timefmt.h"
#include "sensor/eve.h"
#include "sensor/eve_cert.h"

static json_t *
str_list(const char *base, size_t stride, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, eve_jstr(base + i * stride));
	return a;
}

json_t *
x509_info_json(const struct x509_info *x)
{
	char tb[RW_TIME_BUF];
	json_t *o, *h;

	if ((o = json_object()) == NULL)
		return NULL;
	eve_set_str(o, "subject", x->subject);
	eve_set_str(o, "issuer", x->issuer);
	eve_set_str(o, "serial", x->serial);
	if (x->has_validity) {
		eve_set_str(o, "not_before", rw_time_fmt(tb, x->not_before));
		eve_set_str(o, "not_after", rw_time_fmt(tb, x->not_after));
	}
	eve_set_str(o, "sha1", x->sha1);
	eve_set_str(o, "sha256", x->sha256);
	eve_set_str(o, "ski", x->ski);
	eve_set_str(o, "aki", x->aki);
	json_object_set_new(o, "is_ca", json_boolean(x->is_ca));
	json_object_set_new(o, "key_usage", str_list(x->key_usage[0],
	    sizeof(x->key_usage[0]), x->n_key_usage));
	json_object_set_new(o, "ext_key_usage", str_list(x->ext_key_usage[0],
	    sizeof(x->ext_key_usage[0]), x->n_ext_key_usage));
	json_object_set_new(o, "code_signing", json_boolean(x->code_signing));
	json_object_set_new(o, "ocsp_urls", str_list(x->ocsp_urls[0],
	    sizeof(x->ocsp_urls[0]), x->n_ocsp_urls));
	json_object_set_new(o, "crl_urls", str_list(x->crl_urls[0],
	    sizeof(x->crl_urls[0]), x->n_crl_urls));
	json_object_set_new(o, "ca_issuers_urls", str_list(x->ca_issuers_urls[0],
	    sizeof(x->ca_issuers_urls[0]), x->n_ca_issuers_urls));
	if (x->urls_truncated)
		json_object_set_new(o, "urls_truncated", json_true());
	if ((h = json_object()) != NULL) {
		eve_set_str(h, "sha1_name", x->name_hash_sha1);
		eve_set_str(h, "sha1_key", x->key_hash_sha1);
		eve_set_str(h, "sha256_name", x->name_hash_sha256);
		eve_set_str(h, "sha256_key", x->key_hash_sha256);
		json_object_set_new(o, "ocsp_issuer_hashes", h);
	}
	return o;
}

json_t *
tls_result_json(const struct tls_result *r)
{
	json_t *o, *chain;
	size_t i;

	if ((o = json_object()) == NULL)
		return NULL;
	eve_set_str(o, "sni", r->sni);
	if (r->server_hello)
		eve_set_str(o, "version", tls_version_name(r->version));
	if (r->tls13)
		json_object_set_new(o, "tls13", json_true());
	json_object_set_new(o, "status_request",
	    json_boolean(r->status_request));
	if ((chain = json_array()) != NULL) {
		for (i = 0; i < r->n_chain; i++)
			if (r->chain[i].decoded)
				json_array_append_new(chain,
				    x509_info_json(&r->chain[i].info));
		json_object_set_new(o, "chain", chain);
	}
	if (r->chain_total > r->n_chain)
		json_object_set_new(o, "chain_truncated", json_true());
	if (r->staple != NULL)
		json_object_set_new(o, "ocsp_staple_len",
		    json_integer((json_int_t)r->staple_len));
	return o;
}

json_t *
ca_cert_json(const struct x509_info *certs, size_t n, size_t total)
{
	json_t *o, *a;
	size_t i;

	if ((o = json_object()) == NULL)
		return NULL;
	if ((a = json_array()) != NULL) {
		for (i = 0; i < n; i++)
			json_array_append_new(a, x509_info_json(&certs[i]));
		json_object_set_new(o, "certificates", a);
	}
	json_object_set_new(o, "count", json_integer((json_int_t)total));
	json_object_set_new(o, "truncated", json_boolean(total > n));
	return o;
}

json_t *
issuer_json(const struct ca_entry *e)
{
	json_t *o;

	if ((o = json_object()) == NULL)
		return NULL;
	if (e != NULL)
		eve_set_str(o, "name", e->name);
	json_object_set_new(o, "source", json_string(ca_source_name(
	    e != NULL ? e->source : CA_SRC_UNKNOWN)));
	if (e != NULL)
		json_object_set_new(o, "code_signing",
		    json_boolean(e->code_signing));
	return o;
}

static json_t *
tri_json(enum rw_tri t)
{
	return t == RW_TRI_NULL ? json_null() : json_boolean(t == RW_TRI_TRUE);
}

void
ocsp_verdict_json(json_t *o, const struct ocsp_verdict *v)
{
	if (o == NULL || v == NULL || !v->checked)
		return;
	json_object_set_new(o, "signature_valid", tri_json(v->signature_valid));
	json_object_set_new(o, "responder_authorized",
	    tri_json(v->responder_authorized));
	eve_set_str(o, "verify_error", v->error);
	json_object_set_new(o, "stale", json_boolean(v->stale));
	if (v->has_request)
		json_object_set_new(o, "unsolicited",
		    json_boolean(v->unsolicited));
	if (v->has_request)
		json_object_set_new(o, "nonce_mismatch",
		    json_boolean(v->nonce_mismatch));
}
