#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/stats.h"
#include "proto/proto.h"
#include "proto/tls.h"
#include "tests/unit/unit.h"

struct seen {
	int	n;
	char	sni[TLS_SNI_MAX];
	uint16_t version;
	size_t	n_chain;
	char	serial[3][SERIAL_HEX_MAX];
	char	subject0[NAME_TEXT_MAX];
	time_t	nb1, na1;
	char	sha1_0[41];
	size_t	staple_len;
	uint8_t	staple_first;
	bool	status_request;
};

static void
on_result(void *arg, const struct tls_result *r)
{
	struct seen *s = arg;
	size_t i;

	s->n++;
	snprintf(s->sni, sizeof(s->sni), "%s", r->sni);
	s->version = r->version;
	s->n_chain = r->n_chain;
	s->status_request = r->status_request;
	for (i = 0; i < r->n_chain && i < 3; i++)
		snprintf(s->serial[i], SERIAL_HEX_MAX, "%s",
		    r->chain[i].info.serial);
	if (r->n_chain > 0) {
		snprintf(s->subject0, NAME_TEXT_MAX, "%s",
		    r->chain[0].info.subject);
		snprintf(s->sha1_0, 41, "%s", r->chain[0].info.sha1);
	}
	if (r->n_chain > 1) {
		s->nb1 = r->chain[1].info.not_before;
		s->na1 = r->chain[1].info.not_after;
	}
	s->staple_len = r->staple_len;
	s->staple_first = r->staple ? r->staple[0] : 0;
}


static const struct tls_limits lim = {
	.max_handshake = 256 * 1024, .max_chain = 16, .max_cert = 64 * 1024,
	.max_staple = 64 * 1024,
};

/* Feeds both directions in pieces of step bytes (client first). */
static void
run(const char *name, size_t step, struct seen *s, struct stats *st)
{
	char rel[256];
	uint8_t *cb, *sb;
	size_t cl = 0, sl = 0, i;
	struct tls_conn *c;

	memset(s, 0, sizeof(*s));
	stats_init(st);
	snprintf(rel, sizeof(rel), "tests/data/tls/%s.client.bin", name);
	cb = unit_slurp(unit_path("%s", rel), &cl);
	snprintf(rel, sizeof(rel), "tests/data/tls/%s.server.bin", name);
	sb = unit_slurp(unit_path("%s", rel), &sl);
	CHECK(cb != NULL && sb != NULL);
	if (cb == NULL || sb == NULL)
		goto out;
	c = tls_conn_new(&lim, st, on_result, s);
	for (i = 0; i < cl; i += step)
		tls_conn_feed(c, 0, cb + i, cl - i < step ? cl - i : step, NULL);
	for (i = 0; i < sl; i += step)
		tls_conn_feed(c, 1, sb + i, sl - i < step ? sl - i : step, NULL);
	tls_conn_close(c);
	tls_conn_free(c);
out:
	free(cb);
	free(sb);
}

static void
check_arkime(size_t step)
{
	struct seen s;
	static struct stats st;

	run("https-generalizedtime", step, &s, &st);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.sni, "mail.yandex.com");
	CHECK_INT(s.version, 0x0303);
	CHECK_INT(s.n_chain, 2);
	CHECK_STR(s.serial[0], "2E8F3B9CBC17EACB6459A3B8C0B598FB");
	CHECK_STR(s.serial[1], "4CA5FEC6617C48B056382A8280E0508C");
	CHECK_STR(s.sha1_0, "594d518375d09c298226585fec837b60ce33bad8");
	CHECK_INT(s.nb1, 1236084865);	/* 2009-03-03T12:54:25Z */
	CHECK_INT(s.na1, 1709470465);	/* 2024-03-03T12:54:25Z */
	CHECK_INT(s.staple_len, 1572);
	CHECK_INT(s.staple_first, 0x30);
	CHECK(s.status_request);
	CHECK_INT(stats_get(&st, "tls_bad_handshake"), 0);
	CHECK_INT(stats_get(&st, "tls_bad_extension"), 0);
}

static void
test_arkime(void)
{
	check_arkime(1);
	check_arkime(7);
	check_arkime(100000);
}

static void
test_zeek_sct(void)
{
	struct seen s;
	static struct stats st;
	size_t steps[] = { 1, 13, 1000000 }, i;

	for (i = 0; i < 3; i++) {
		run("signed_certificate_timestamp", steps[i], &s, &st);
		CHECK_INT(s.n, 1);
		CHECK_STR(s.sni, "ritter.vg");
		CHECK_INT(s.version, 0x0303);
		CHECK_INT(s.n_chain, 3);
		CHECK_STR(s.serial[0], "7B60CD98584A56EC9C2145C40C54F830");
		CHECK_STR(s.serial[1], "2B2E6EEAD975366C148A6EDBA37C8C07");
		CHECK_STR(s.serial[2], "2766EE56EB49F38EABD770A2FC84DE22");
		CHECK_INT(s.staple_len, 747);
	}
}

/* A handshake message at the limit N passes framing, N+1 is counted. */
static void
test_limits(void)
{
	struct tls_limits l = lim;
	static struct stats st;
	struct seen s;
	uint8_t rec[5 + 4 + 100];
	struct tls_conn *c;

	memset(rec, 0, sizeof(rec));
	rec[0] = 22; rec[1] = 3; rec[2] = 3; rec[3] = 0; rec[4] = 104;
	rec[5] = 99; rec[8] = 100;	/* unknown type, length 100 */
	l.max_handshake = 100;
	stats_init(&st);
	memset(&s, 0, sizeof(s));
	c = tls_conn_new(&l, &st, on_result, &s);
	tls_conn_feed(c, 1, rec, sizeof(rec), NULL);
	tls_conn_free(c);
	CHECK_INT(stats_get(&st, "tls_handshake_too_long"), 0);
	l.max_handshake = 99;
	c = tls_conn_new(&l, &st, on_result, &s);
	tls_conn_feed(c, 1, rec, sizeof(rec), NULL);
	tls_conn_free(c);
	CHECK_INT(stats_get(&st, "tls_handshake_too_long"), 1);
	/* record length 2^14+2048 is legal, +1 is not */
	rec[3] = 0x48; rec[4] = 0x01;
	c = tls_conn_new(&l, &st, on_result, &s);
	tls_conn_feed(c, 1, rec, 5, NULL);
	tls_conn_free(c);
	CHECK_INT(stats_get(&st, "tls_record_too_long"), 1);
	rec[4] = 0x00;
	c = tls_conn_new(&l, &st, on_result, &s);
	tls_conn_feed(c, 1, rec, 5, NULL);
	tls_conn_free(c);
	CHECK_INT(stats_get(&st, "tls_record_too_long"), 1);
	CHECK_INT(s.n, 0);
}

UNIT_MAIN(test_arkime, test_zeek_sct, test_limits)
