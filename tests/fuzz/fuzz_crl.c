/* fuzz_crl.c - CRL decoding, DER and PEM (crl_parse, crl_foreach_entry). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count(const struct crl_entry *e, void *arg)
{
	size_t *n = arg;

	(*n) += e->reason >= 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct crl_limits lim = { 4, 100000 };
	struct crl c;
	struct rw_err err;
	size_t n = 0;

	if (crl_parse(&c, data, size, &lim, &err) == 0) {
		crl_foreach_entry(&c, count, &n);
		crl_free(&c);
	}
	return 0;
}
