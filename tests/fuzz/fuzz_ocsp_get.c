/* fuzz_ocsp_get.c - the OCSP GET request-target (ocsp_get_decode). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proto/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ocsp_limits lim = { 2 };
	struct ocsp_req r;
	struct rw_err err;
	uint8_t *der;
	size_t len;

	if (ocsp_get_decode((const char *)data, size, &der, &len, 4096,
	    &err) == -1)
		return 0;
	if (ocsp_req_parse(&r, der, len, &lim, &err) == 0)
		ocsp_req_free(&r);
	free(der);
	return 0;
}
