/*
 * fuzz_x509.c - certificate (DER/PEM) and PKCS#7 certs-only paths.  Every
 * input goes through both decoders.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_info x, *a = NULL;
	size_t n = 0, total = 0;

	if (x509_parse(&x, data, size, NULL) == 0)
		x509_info_free(&x);
	if (pkcs7_certs_parse(&a, &n, &total, data, size, 4, NULL) == 0)
		x509_info_array_free(a, n);
	return 0;
}
