/*
 * fuzz_tls.c - TLS handshake parser, both directions.  Input framing:
 * byte 0 is the piece size (1..256); then chunks of [dir|len16][bytes],
 * the top bit of the 2-byte header picks the direction.  Each chunk is fed
 * in pieces of the chosen size.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/stats.h"
#include "proto/tls.h"
#include "sensor/eve.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The result as the sensor writes it: the "tls" event's JSON. */
static void
on_result(void *arg, const struct tls_result *r)
{
	size_t *n = arg;
	struct wire_event ev;
	json_t *j;
	char *s;

	*n += r->n_chain + r->staple_len + (r->sni[0] != '\0');
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_TLS;
	ev.ts = r->ts;
	ev.tls = r;
	if ((j = eve_event_json(&ev, NULL)) != NULL) {
		s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_limits lim = {
		.max_handshake = 65536, .max_chain = 8, .max_cert = 16384,
		.max_staple = 16384,
	};
	static struct stats st;
	struct tls_conn *c;
	size_t step, seen = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	data++;
	size--;
	stats_init(&st);
	/*
	 * A small decoding cache kept across inputs (as the sensor keeps one
	 * across connections), so hits, replacements and copies run too.
	 */
	if (lim.cache == NULL)
		lim.cache = x509_cache_new(4);
	if ((c = tls_conn_new(&lim, &st, on_result, &seen)) == NULL)
		return 0;
	while (size >= 2) {
		int dir = data[0] >> 7;
		size_t len = ((size_t)(data[0] & 0x7f) << 8) | data[1], i;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		for (i = 0; i < len; i += step)
			tls_conn_feed(c, dir, data + i,
			    len - i < step ? len - i : step, NULL);
		data += len;
		size -= len;
	}
	tls_conn_close(c);
	tls_conn_free(c);
	return 0;
}
