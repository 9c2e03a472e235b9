/*
 * fuzz_pktpath.c - the packet path from raw frames: link layer, IPv4/IPv6
 * with fragment reassembly, the TCP flow table and stream reassembly, and
 * the real app layer behind it (HTTP, OCSP, CRL, TLS), events dropped.
 *
 * Input framing (tests/fuzz/mk-pktpath-seeds.py writes it):
 *   byte 0        link type: index into LINKTYPES (modulo its size)
 *   byte 1        flags: FL_SMALL_FLOWS, FL_SMALL_APP, FL_SNAPLEN (below)
 *   then frames   byte t, 2-byte big-endian length n, n bytes (fewer at
 *                 the end).  t advances packet time by (t >> 2) units of
 *                 TIME_UNITS[t & 3], so idle, closed and fragment timeouts
 *                 fire between frames as they do in a capture.
 * Every flow is flushed at the end of the input.
 */
#include "config.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/conf.h"
#include "common/cursor.h"
#include "common/stats.h"
#include "correlate/correlate.h"
#include "sensor/app.h"
#include "sensor/event.h"
#include "sensor/pktpath.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every link type sensor/pktpath.c decodes, under each of its numbers */
static const int LINKTYPES[] = {
	DLT_EN10MB,	/* Ethernet, 802.1Q, QinQ */
	DLT_LINUX_SLL,
	276,		/* DLT_LINUX_SLL2 */
	DLT_RAW,
	101,		/* LINKTYPE_RAW */
	14,		/* DLT_RAW on OpenBSD */
	228,		/* DLT_IPV4 */
	229,		/* DLT_IPV6 */
	DLT_NULL,
	DLT_LOOP,
};
#define N_LINKTYPES	(sizeof(LINKTYPES) / sizeof(LINKTYPES[0]))

#define FL_SMALL_FLOWS	0x01	/* the lowest flow, reassembly, frag limits */
#define FL_SMALL_APP	0x02	/* the lowest HTTP and decoder limits */
#define FL_SNAPLEN	0x04	/* frames cut at SNAPLEN, wire length kept */
#define SNAPLEN		96

static const uint32_t TIME_UNITS[4] = { 1, 1000, 1000000, 60000000 };

/* The lowest value revwire.conf accepts for each key: bounds hit early. */
static const char *const SMALL_FLOWS[][2] = {
	{ "flows-max", "16" },
	{ "flow-idle-timeout", "1" },
	{ "flow-closed-timeout", "0" },
	{ "reassembly-window", "1500" },
	{ "reassembly-max-bytes", "64k" },
	{ "ipfrag-max-datagrams", "1" },
	{ "ipfrag-max-bytes", "64k" },
	{ "ipfrag-timeout", "1" },
};
static const char *const SMALL_APP[][2] = {
	{ "http-max-header-bytes", "256" },
	{ "http-max-headers", "4" },
	{ "http-max-body", "1k" },
	{ "http-max-crl-body", "1k" },
	{ "http-max-body-total", "1m" },
	{ "http-max-pending", "1" },
	{ "ocsp-max-entries", "1" },
	{ "crl-max-json-entries", "0" },
	{ "crl-max-entries", "1" },
	{ "tls-max-handshake", "1k" },
	{ "tls-max-chain", "1" },
};

static void
set_all(struct rw_config *cfg, const char *const kv[][2], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (config_set(cfg, kv[i][0], kv[i][1], NULL) == -1)
			abort();	/* the table drifted from conf.c's ranges */
}

static void
drop_event(void *arg, const struct wire_event *ev)
{
	uint64_t *n = arg;

	if (ev->flow == NULL)
		abort();
	(*n)++;
}

static void
advance(struct timeval *ts, uint8_t t)
{
	uint64_t us = (uint64_t)(t >> 2) * TIME_UNITS[t & 3] +
	    (uint64_t)ts->tv_usec;

	ts->tv_sec += (time_t)(us / 1000000);
	ts->tv_usec = (suseconds_t)(us % 1000000);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_config cfg;
	struct stats st;
	struct cursor cur;
	struct timeval ts = { 1700000000, 0 };
	struct event_sink sink;
	struct ca_registry *reg;
	struct app *app;
	struct pktpath *pp;
	const uint8_t *frame = NULL;
	uint64_t events = 0;
	time_t last_expire;
	uint8_t lt, flags, t;
	uint16_t n;
	size_t caplen;

	cur_init(&cur, data, size);
	if (!cur_get_u8(&cur, &lt) || !cur_get_u8(&cur, &flags))
		return 0;
	config_defaults(&cfg);
	/* the default table (262144 buckets) costs more than a run to clear */
	if (config_set(&cfg, "flows-max", "1024", NULL) == -1)
		abort();
	if (flags & FL_SMALL_FLOWS)
		set_all(&cfg, SMALL_FLOWS, sizeof(SMALL_FLOWS) / sizeof(SMALL_FLOWS[0]));
	if (flags & FL_SMALL_APP)
		set_all(&cfg, SMALL_APP, sizeof(SMALL_APP) / sizeof(SMALL_APP[0]));
	stats_init(&st);
	sink.emit = drop_event;
	sink.arg = &events;
	reg = ca_registry_new(16, &st);
	app = app_new(&cfg, &st, &sink);
	pp = app == NULL ? NULL : pktpath_new(&cfg, &st, app_stream_ops(), app);
	if (reg == NULL || app == NULL || pp == NULL)
		abort();
	app_set_ca_registry(app, reg);
	last_expire = ts.tv_sec;
	while (cur_get_u8(&cur, &t) && cur_get_be16(&cur, &n)) {
		if (n > cur_left(&cur))
			n = (uint16_t)cur_left(&cur);
		cur_get_bytes(&cur, n, &frame);
		advance(&ts, t);
		caplen = (flags & FL_SNAPLEN) && n > SNAPLEN ? SNAPLEN : n;
		pktpath_input(pp, LINKTYPES[lt % N_LINKTYPES], &ts, frame,
		    caplen, n);
		/* as sensor/capture.c does: once per second of packet time */
		if (ts.tv_sec != last_expire) {
			last_expire = ts.tv_sec;
			pktpath_expire(pp, &ts);
		}
	}
	pktpath_flush(pp, &ts);
	pktpath_free(pp);
	app_free(app);
	ca_registry_free(reg);
	return 0;
}
