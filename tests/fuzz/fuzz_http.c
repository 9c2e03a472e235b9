/*
 * fuzz_http.c - the HTTP/1.x connection parser over both directions.
 *
 * Input framing (tests/fuzz/mk-http-seeds.py writes it):
 *   byte 0        limits selector (small limits so the bounds are reached)
 *   then records  one header byte h: dir = h >> 7, n = h & 0x7f;
 *                 n > 0: the next n bytes (fewer at the end) go to dir;
 *                 n == 0: the next byte g is a gap of g + 1 bytes in dir.
 * The connection is closed at the end of the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "proto/http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_msg(const struct http_msg *m)
{
	volatile size_t sink = 0;

	if (!m->present)
		return;
	/* every string must be terminated, every body within its length */
	if (m->uri != NULL)
		sink += strlen(m->uri);
	if (m->host != NULL)
		sink += strlen(m->host);
	if (m->user_agent != NULL)
		sink += strlen(m->user_agent);
	if (m->content_type != NULL)
		sink += strlen(m->content_type);
	if (m->cache_control != NULL)
		sink += strlen(m->cache_control);
	if (m->pragma != NULL)
		sink += strlen(m->pragma);
	sink += strlen(m->method) + strlen(m->version);
	if ((m->body == NULL) != (m->body_len == 0) ||
	    m->body_len > m->body_wire_len ||
	    (m->body_truncated && m->body_len == m->body_wire_len))
		abort();
	if (m->body_len > 0)
		sink += m->body[m->body_len - 1];
	(void)sink;
}

static void
on_txn(void *arg, struct http_txn *t)
{
	uint64_t *next = arg;

	if (t->seq != *next)
		abort();	/* reported out of order */
	*next = t->seq + 1;
	if (!t->req.present && !t->resp.present)
		abort();
	check_msg(&t->req);
	check_msg(&t->resp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct body_budget budget = { 0, 0 };
	struct http_limits lim;
	struct stats st;
	struct cursor cur;
	struct timeval ts = { 1700000000, 0 };
	struct http_conn *c;
	const uint8_t *p = NULL;
	uint64_t next = 0;
	uint8_t sel, h, g;
	size_t n;

	cur_init(&cur, data, size);
	if (!cur_get_u8(&cur, &sel))
		return 0;
	lim.max_header_bytes = 64 + (size_t)(sel & 3) * 1000;
	lim.max_headers = 4 + (size_t)((sel >> 2) & 1) * 60;
	lim.max_body = 16 + (size_t)((sel >> 3) & 1) * 4000;
	lim.max_crl_body = lim.max_body * 4;
	lim.max_pending = 1 + (size_t)((sel >> 4) & 3) * 4;
	budget.limit = (sel & 0x40) ? 100 : 1 << 20;
	lim.budget = (sel & 0x80) ? NULL : &budget;
	stats_init(&st);
	if ((c = http_conn_new(&lim, &st, on_txn, &next)) == NULL)
		return 0;
	while (cur_get_u8(&cur, &h)) {
		n = h & 0x7f;
		ts.tv_usec++;
		if (n == 0) {
			if (!cur_get_u8(&cur, &g))
				break;
			http_conn_gap(c, h >> 7, (uint64_t)g + 1);
			continue;
		}
		if (n > cur_left(&cur))
			n = cur_left(&cur);
		cur_get_bytes(&cur, n, &p);
		http_conn_feed(c, h >> 7, p, n, &ts);
	}
	http_conn_close(c, &ts);
	http_conn_free(c);
	if (budget.used != 0)
		abort();	/* every body returned its bytes */
	return 0;
}
