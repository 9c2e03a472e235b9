/*
 * fuzz_endpoint_json.c - the JSON normaliser and every scoring profile
 * behind it, fed through the stream splitter (line and document modes).
 */
#include "config.h"

#include <stdint.h>
#include <stddef.h>

#include "correlate/endpoint.h"
#include "correlate/score.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct score_batch	b[4];
};

static int
sink(const struct ep_event *ev, void *arg)
{
	struct fz *f = arg;
	int i;

	for (i = 0; i < 4; i++)
		if (score_batch_add(&f->b[i], ev, NULL) == -1)
			return -1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct score_config sc;
	static int init;
	struct ep_limits lim;
	struct ep_ctx ctx;
	struct ep_stream s;
	struct stats st;
	struct fz f;
	size_t half = size / 2;
	int i;

	if (!init) {
		score_config_defaults(&sc);
		init = 1;
	}
	ep_limits_default(&lim);
	lim.max_line = 64 * 1024;	/* small, so the fuzzer reaches it */
	lim.max_doc = 256 * 1024;
	stats_init(&st);
	for (i = 0; i < 4; i++)
		score_batch_init(&f.b[i], &sc, (enum score_profile)i,
		    SCORE_NOW_LATEST, &st);
	if (ep_ctx_init(&ctx, &lim, &st, sink, &f, NULL) == 0) {
		/* two writes, so a line or document spans a boundary */
		ep_stream_init(&s, &ctx, EP_FMT_JSON);
		if (ep_stream_write(&s, (const char *)data, half, NULL) == 0 &&
		    ep_stream_write(&s, (const char *)data + half, size - half,
		    NULL) == 0)
			(void)ep_stream_end(&s, NULL);
		ep_stream_free(&s);
		ep_ctx_free(&ctx);
	}
	for (i = 0; i < 4; i++) {
		(void)score_batch_finish(&f.b[i], NULL);
		score_batch_free(&f.b[i]);
	}
	return 0;
}
