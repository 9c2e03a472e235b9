/*
 * fuzz_endpoint_xml.c - the Windows event XML normaliser (expat), through
 * the stream splitter and as one document.
 */
#include "config.h"

#include <stdint.h>
#include <stddef.h>

#include "correlate/endpoint.h"
#include "correlate/score.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
sink(const struct ep_event *ev, void *arg)
{
	return score_batch_add(arg, ev, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct score_config sc;
	static int init;
	struct ep_limits lim;
	struct ep_ctx ctx;
	struct ep_stream s;
	struct score_batch b;
	size_t half = size / 2;

	if (!init) {
		score_config_defaults(&sc);
		init = 1;
	}
	ep_limits_default(&lim);
	lim.max_line = 64 * 1024;
	lim.max_doc = 256 * 1024;
	score_batch_init(&b, &sc, SCORE_REVWIRE, SCORE_NOW_LATEST, NULL);
	if (ep_ctx_init(&ctx, &lim, NULL, sink, &b, NULL) == 0) {
		ep_stream_init(&s, &ctx, EP_FMT_XML);
		if (ep_stream_write(&s, (const char *)data, half, NULL) == 0 &&
		    ep_stream_write(&s, (const char *)data + half, size - half,
		    NULL) == 0)
			(void)ep_stream_end(&s, NULL);
		ep_stream_free(&s);
		(void)ep_xml_feed(&ctx, (const char *)data, size, NULL);
		ep_ctx_free(&ctx);
	}
	(void)score_batch_finish(&b, NULL);
	score_batch_free(&b);
	return 0;
}
