/*
 * tls.c - TLS (<= 1.2) handshake parser: record framing, handshake
 * reassembly, ClientHello/ServerHello/Certificate/CertificateStatus.
 * See tls.h for the contract.  Every read goes through common/cursor.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "proto/tls.h"

#define CT_CCS		20
#define CT_ALERT	21
#define CT_HANDSHAKE	22
#define CT_APPDATA	23

#define HS_CLIENT_HELLO		1
#define HS_SERVER_HELLO		2
#define HS_CERTIFICATE		11
#define HS_SERVER_HELLO_DONE	14
#define HS_CERTIFICATE_STATUS	22

#define EXT_SERVER_NAME		0
#define EXT_STATUS_REQUEST	5
#define EXT_SUPPORTED_VERSIONS	43

struct tls_dir {
	bool	 done;		/* framing lost or encrypted: ignore the rest */
	bool	 started;	/* first byte seen (SSLv2 check) */
	size_t	 skip;		/* bytes still to drop (SSLv2 record) */
	/*
	 * The record being assembled, allocated while the handshake lasts
	 * (freed when the direction stops): a connection past its handshake
	 * holds no buffer.
	 */
	uint8_t	*rec;
	size_t	 rlen;
	size_t	 rcap;
	uint8_t	*hs;		/* handshake bytes awaiting a whole message */
	size_t	 hlen;
	size_t	 hcap;
};

struct tls_conn {
	const struct tls_limits	*lim;
	struct stats		*st;
	tls_result_cb		 cb;
	void			*arg;
	bool			 delivered;
	bool			 have_ts;
	struct tls_result	 res;
	struct tls_dir		 d[2];
};

const char *
tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv10";
	case 0x0302: return "TLSv11";
	case 0x0303: return "TLSv12";
	case 0x0304: return "TLSv13";
	default: return "unknown";
	}
}

struct tls_conn *
tls_conn_new(const struct tls_limits *lim, struct stats *st,
    tls_result_cb cb, void *arg)
{
	struct tls_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->lim = lim;
	c->st = st;
	c->cb = cb;
	c->arg = arg;
	return c;
}

static void
result_clear(struct tls_result *r)
{
	size_t i;

	for (i = 0; i < r->n_chain; i++) {
		free(r->chain[i].der);
		x509_info_free(&r->chain[i].info);
	}
	free(r->chain);
	free(r->staple);
	memset(r, 0, sizeof(*r));
}

static void
dir_stop(struct tls_conn *c, int dir, const char *why)
{
	if (why != NULL)
		stats_incr(c->st, why);
	c->d[dir].done = true;
	free(c->d[dir].hs);
	c->d[dir].hs = NULL;
	c->d[dir].hlen = c->d[dir].hcap = 0;
	free(c->d[dir].rec);
	c->d[dir].rec = NULL;
	c->d[dir].rlen = c->d[dir].rcap = 0;
}

/* Room for want bytes of record; false (direction stopped) on OOM. */
static bool
rec_reserve(struct tls_conn *c, int dir, size_t want)
{
	struct tls_dir *d = &c->d[dir];
	uint8_t *n;

	if (want <= d->rcap)
		return true;
	/* bounded: the header is checked before want covers a body */
	if ((n = realloc(d->rec, want)) == NULL) {
		dir_stop(c, dir, "tls_oom");
		return false;
	}
	d->rec = n;
	d->rcap = want;
	return true;
}

/*
 * Hands the result over once; nothing after it concerns us (the rest is
 * encrypted), so both directions stop and the chain is freed now rather
 * than with the flow.
 */
static void
deliver(struct tls_conn *c)
{
	if (c->delivered)
		return;
	c->delivered = true;
	if (c->res.client_hello || c->res.server_hello)
		c->cb(c->arg, &c->res);
	dir_stop(c, 0, NULL);
	dir_stop(c, 1, NULL);
	result_clear(&c->res);
}

/* SNI: a list of (type, name); we keep the first host_name (type 0). */
static bool
parse_sni(struct tls_result *r, struct cursor ext)
{
	struct cursor list, name;
	uint8_t type;

	if (!cur_get_sub16(&ext, &list) || cur_left(&ext) != 0)
		return false;
	/* each pass consumes >= 3 bytes of list, so the loop ends */
	while (cur_left(&list) > 0) {
		if (!cur_get_u8(&list, &type) || !cur_get_sub16(&list, &name))
			return false;
		if (type == 0 && r->sni[0] == '\0') {
			size_t n = cur_left(&name);

			if (n >= TLS_SNI_MAX)
				n = TLS_SNI_MAX - 1;
			if (!cur_copy(&name, r->sni, n))
				return false;
			r->sni[n] = '\0';
		}
	}
	return true;
}

static bool
parse_client_versions(struct tls_result *r, struct cursor ext)
{
	struct cursor list;
	uint16_t v;

	if (!cur_get_sub8(&ext, &list) || cur_left(&ext) != 0 ||
	    cur_left(&list) % 2 != 0)
		return false;
	while (cur_get_be16(&list, &v))
		if (r->n_offered < TLS_VERSIONS_MAX)
			r->offered_versions[r->n_offered++] = v;
	return true;
}

/* Walks an extensions block; server selects the reading of ext 43. */
static bool
parse_extensions(struct tls_conn *c, struct cursor *msg, bool server)
{
	struct tls_result *r = &c->res;
	struct cursor exts, ext;
	uint16_t type, v;

	if (cur_left(msg) == 0)
		return true;	/* no extensions block at all */
	if (!cur_get_sub16(msg, &exts) || cur_left(msg) != 0)
		return false;
	/* each pass consumes >= 4 bytes of exts, so the loop ends */
	while (cur_left(&exts) > 0) {
		if (!cur_get_be16(&exts, &type) || !cur_get_sub16(&exts, &ext))
			return false;
		if (server && type == EXT_SUPPORTED_VERSIONS) {
			if (!cur_get_be16(&ext, &v) || cur_left(&ext) != 0)
				return false;
			r->version = v;
		} else if (!server && type == EXT_SERVER_NAME) {
			if (!parse_sni(r, ext))
				return false;
		} else if (!server && type == EXT_SUPPORTED_VERSIONS) {
			if (!parse_client_versions(r, ext))
				return false;
		} else if (!server && type == EXT_STATUS_REQUEST) {
			r->status_request = true;
		}
	}
	return true;
}

static void
parse_client_hello(struct tls_conn *c, struct cursor m)
{
	struct cursor sid, suites, comp;

	c->res.client_hello = true;
	if (!cur_get_be16(&m, &c->res.client_version) || !cur_skip(&m, 32) ||
	    !cur_get_sub8(&m, &sid) || !cur_get_sub16(&m, &suites) ||
	    !cur_get_sub8(&m, &comp)) {
		stats_incr(c->st, "tls_bad_handshake");
		return;
	}
	if (!parse_extensions(c, &m, false))
		stats_incr(c->st, "tls_bad_extension");
}

/* Returns false when the flow is TLS 1.3 and decoding stops. */
static bool
parse_server_hello(struct tls_conn *c, struct cursor m)
{
	struct cursor sid;
	uint16_t v, suite;
	uint8_t comp;

	c->res.server_hello = true;
	if (!cur_get_be16(&m, &v) || !cur_skip(&m, 32) ||
	    !cur_get_sub8(&m, &sid) || !cur_get_be16(&m, &suite) ||
	    !cur_get_u8(&m, &comp)) {
		stats_incr(c->st, "tls_bad_handshake");
		return true;
	}
	c->res.version = v;
	if (!parse_extensions(c, &m, true))
		stats_incr(c->st, "tls_bad_extension");
	if (c->res.version >= 0x0304) {
		c->res.tls13 = true;
		stats_incr(c->st, "tls13_flows");
		return false;
	}
	return true;
}

/*
 * Entries of a certificate_list up to the first malformed one: the chain
 * array is sized by the message, not by the limit (a struct x509_info is
 * large, and most chains are short).
 */
static size_t
count_certs(struct cursor list)
{
	struct cursor cert;
	size_t n = 0;

	/* each pass consumes >= 3 bytes of list, so the loop ends */
	while (cur_left(&list) > 0 && cur_get_sub24(&list, &cert))
		n++;
	return n;
}

static void
parse_certificate(struct tls_conn *c, struct cursor m)
{
	struct tls_result *r = &c->res;
	struct cursor list, cert;
	size_t max = c->lim->max_chain, n;

	if (r->chain != NULL) {
		stats_incr(c->st, "tls_bad_handshake");	/* a second one */
		return;
	}
	if (!cur_get_sub24(&m, &list) || cur_left(&m) != 0) {
		stats_incr(c->st, "tls_bad_handshake");
		return;
	}
	if ((n = count_certs(list)) < max)
		max = n;
	if (max > 0 && (r->chain = calloc(max, sizeof(*r->chain))) == NULL) {
		stats_incr(c->st, "tls_oom");
		return;
	}
	/* each pass consumes >= 3 bytes of list, so the loop ends */
	while (cur_left(&list) > 0) {
		struct tls_cert *tc;

		if (!cur_get_sub24(&list, &cert)) {
			stats_incr(c->st, "tls_bad_handshake");
			return;
		}
		r->chain_total++;
		if (r->n_chain >= max) {
			stats_incr(c->st, "tls_chain_truncated");
			continue;
		}
		if (cur_left(&cert) > c->lim->max_cert) {
			stats_incr(c->st, "tls_cert_too_long");
			continue;
		}
		tc = &r->chain[r->n_chain];
		tc->len = cur_left(&cert);
		if ((tc->der = malloc(tc->len > 0 ? tc->len : 1)) == NULL) {
			stats_incr(c->st, "tls_oom");
			return;
		}
		memcpy(tc->der, cert.p, tc->len);
		r->n_chain++;
		if (x509_parse_cached(c->lim->cache, &tc->info, tc->der, tc->len,
		    NULL) == 0)
			tc->decoded = true;
		else
			stats_incr(c->st, "tls_bad_certificate");
	}
}

static void
parse_cert_status(struct tls_conn *c, struct cursor m)
{
	struct cursor resp;
	uint8_t type;

	if (!cur_get_u8(&m, &type) || type != 1 ||
	    !cur_get_sub24(&m, &resp) || cur_left(&m) != 0) {
		stats_incr(c->st, "tls_bad_handshake");
		return;
	}
	if (c->res.staple != NULL) {
		stats_incr(c->st, "tls_bad_handshake");
		return;
	}
	if (cur_left(&resp) > c->lim->max_staple) {
		stats_incr(c->st, "tls_staple_too_long");
		return;
	}
	c->res.staple_len = cur_left(&resp);
	if ((c->res.staple = malloc(c->res.staple_len + 1)) == NULL) {
		c->res.staple_len = 0;
		stats_incr(c->st, "tls_oom");
		return;
	}
	memcpy(c->res.staple, resp.p, c->res.staple_len);
}

/* One whole handshake message; returns false when dir must stop. */
static bool
handshake_msg(struct tls_conn *c, int dir, uint8_t type, struct cursor m)
{
	if (dir == 0) {
		if (type == HS_CLIENT_HELLO && !c->res.client_hello)
			parse_client_hello(c, m);
		return true;
	}
	switch (type) {
	case HS_SERVER_HELLO:
		if (!c->res.server_hello && !parse_server_hello(c, m)) {
			deliver(c);
			dir_stop(c, 0, NULL);
			return false;
		}
		break;
	case HS_CERTIFICATE:
		parse_certificate(c, m);
		break;
	case HS_CERTIFICATE_STATUS:
		parse_cert_status(c, m);
		break;
	case HS_SERVER_HELLO_DONE:
		deliver(c);
		return false;	/* the server's flight is over */
	default:
		break;
	}
	return true;
}

/* Appends one record's handshake bytes and consumes whole messages. */
static void
handshake_bytes(struct tls_conn *c, int dir, const uint8_t *p, size_t len)
{
	struct tls_dir *d = &c->d[dir];
	struct cursor hc, m;
	uint8_t type;
	uint32_t mlen;
	size_t used = 0;

	if (len == 0)
		return;		/* an empty record adds nothing (hs may be NULL) */
	if (d->hlen + len > d->hcap) {
		/* bounded: hlen <= 4 + max_handshake, len <= TLS_RECORD_MAX */
		size_t ncap = d->hlen + len;
		uint8_t *n = realloc(d->hs, ncap);

		if (n == NULL) {
			dir_stop(c, dir, "tls_oom");
			return;
		}
		d->hs = n;
		d->hcap = ncap;
	}
	memcpy(d->hs + d->hlen, p, len);
	d->hlen += len;
	cur_init(&hc, d->hs, d->hlen);
	while (!d->done) {
		struct cursor save = hc;

		if (!cur_get_u8(&hc, &type) || !cur_get_be24(&hc, &mlen)) {
			hc = save;
			break;
		}
		if (mlen > c->lim->max_handshake) {
			dir_stop(c, dir, "tls_handshake_too_long");
			return;
		}
		if (!cur_get_sub(&hc, mlen, &m)) {
			hc = save;	/* need more data */
			break;
		}
		if (!handshake_msg(c, dir, type, m)) {
			dir_stop(c, dir, NULL);
			return;
		}
	}
	used = d->hlen - cur_left(&hc);
	memmove(d->hs, d->hs + used, d->hlen - used);
	d->hlen -= used;
}

static void
record(struct tls_conn *c, int dir, uint8_t type, const uint8_t *body,
    size_t len)
{
	switch (type) {
	case CT_HANDSHAKE:
		handshake_bytes(c, dir, body, len);
		break;
	case CT_ALERT:
		break;
	case CT_CCS:
	case CT_APPDATA:
		/* what follows is encrypted */
		if (dir == 1)
			deliver(c);
		dir_stop(c, dir, NULL);
		break;
	default:
		dir_stop(c, dir, "tls_bad_record_type");
		break;
	}
}

/*
 * An SSLv2-compatible ClientHello (2-byte header, top bit set, message
 * type 1): counted and skipped; the server answers with SSLv3+ records.
 */
static bool
sslv2_check(struct tls_conn *c, int dir, const uint8_t *p, size_t len)
{
	struct tls_dir *d = &c->d[dir];

	if (dir != 0 || len < 3 || (p[0] & 0x80) == 0 || p[2] != 1)
		return false;
	stats_incr(c->st, "tls_sslv2_client_hello");
	d->skip = (((size_t)p[0] & 0x7f) << 8 | p[1]) + 2;
	return true;
}

void
tls_conn_feed(struct tls_conn *c, int dir, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	struct tls_dir *d;
	struct cursor in, hdr;
	uint8_t type = 0, maj = 0, min = 0;	/* the 5-byte reads cannot fail */
	uint16_t rlen = 0;

	if (c == NULL || dir < 0 || dir > 1)
		return;
	d = &c->d[dir];
	if (!c->have_ts && ts != NULL) {
		c->res.ts = *ts;
		c->have_ts = true;
	}
	cur_init(&in, p, len);
	while (!d->done && cur_left(&in) > 0) {
		size_t want, n;

		if (d->skip > 0) {
			n = d->skip < cur_left(&in) ? d->skip : cur_left(&in);
			cur_skip(&in, n);
			d->skip -= n;
			continue;
		}
		/* the header first, then the body it announces */
		want = 5;
		if (d->rlen >= 5)
			want += (size_t)d->rec[3] << 8 | d->rec[4];
		n = want - d->rlen;
		if (n > cur_left(&in))
			n = cur_left(&in);
		if (!rec_reserve(c, dir, d->rlen + n))
			break;
		cur_copy(&in, d->rec + d->rlen, n);
		d->rlen += n;
		if (!d->started && d->rlen >= 3) {
			d->started = true;
			if (sslv2_check(c, dir, d->rec, d->rlen)) {
				if (d->skip < d->rlen) {
					dir_stop(c, dir, "tls_bad_sslv2");
					break;
				}
				d->skip -= d->rlen;
				d->rlen = 0;
				continue;
			}
		}
		if (d->rlen < 5)
			continue;
		cur_init(&hdr, d->rec, 5);
		cur_get_u8(&hdr, &type);
		cur_get_u8(&hdr, &maj);
		cur_get_u8(&hdr, &min);
		cur_get_be16(&hdr, &rlen);
		if (maj != 3 || min > 3) {
			dir_stop(c, dir, "tls_bad_record_version");
			break;
		}
		if (rlen > TLS_RECORD_MAX) {
			dir_stop(c, dir, "tls_record_too_long");
			break;
		}
		if (d->rlen < 5 + (size_t)rlen)
			continue;
		d->rlen = 0;
		record(c, dir, type, d->rec + 5, rlen);
	}
}

void
tls_conn_gap(struct tls_conn *c, int dir, uint64_t len)
{
	(void)len;
	if (c == NULL || dir < 0 || dir > 1 || c->d[dir].done)
		return;
	dir_stop(c, dir, "tls_gap");
}

void
tls_conn_close(struct tls_conn *c)
{
	if (c == NULL)
		return;
	deliver(c);
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	free(c->d[0].hs);
	free(c->d[1].hs);
	free(c->d[0].rec);
	free(c->d[1].rec);
	result_clear(&c->res);
	free(c);
}
