/*
 * fuzz_ocsp_resp.c - OCSPResponse decoding (ocsp_resp_parse), and the EVE
 * JSON of what decoded, so sensor/eve.c is fuzzed as well.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto/proto.h"
#include "sensor/eve.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ocsp_limits lim = { 2 };
	struct ocsp_resp r;
	struct wire_event ev;
	struct flow f;
	struct rw_err err;
	json_t *j;
	char *s;

	if (ocsp_resp_parse(&r, data, size, &lim, &err) == -1)
		return 0;
	memset(&f, 0, sizeof(f));
	f.family = 6;
	f.id = 1;
	memset(&ev, 0, sizeof(ev));
	ev.type = WE_OCSP;
	ev.flow = &f;
	ev.ocsp_resp = &r;
	if ((j = eve_event_json(&ev, NULL)) != NULL) {
		s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
	ocsp_resp_free(&r);
	return 0;
}
