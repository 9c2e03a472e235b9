/*
 * fuzz_tsp.c - RFC 3161 decoding: every input goes through both
 * tsp_req_parse and tsp_resp_parse, and what decodes through the EVE JSON
 * of sensor/eve_tsp.c.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "proto/proto.h"
#include "sensor/eve_tsp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsp_req q;
	struct tsp_resp r;
	bool hq, hr;
	json_t *j;
	char *s;

	hq = tsp_req_parse(&q, data, size, NULL) == 0;
	hr = tsp_resp_parse(&r, data, size, NULL) == 0;
	if ((j = tsp_json(hq ? &q : NULL, hr ? &r : NULL)) != NULL) {
		s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
	tsp_req_free(&q);
	tsp_resp_free(&r);
	return 0;
}
