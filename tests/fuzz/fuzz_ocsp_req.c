/* fuzz_ocsp_req.c - OCSPRequest decoding (ocsp_req_parse). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* small limit so the cut path is exercised too */
	static const struct ocsp_limits lim = { 2 };
	struct ocsp_req r;
	struct rw_err err;

	if (ocsp_req_parse(&r, data, size, &lim, &err) == 0)
		ocsp_req_free(&r);
	return 0;
}
