/*
 * fuzz_objtype.c - obj_classify() and obj_body_magic() on hostile bodies.  The first input byte
 * picks the label (none, a mislabel, a matching type, a URL suffix) and the
 * direction; the rest is the body.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "proto/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		NULL, "application/octet-stream", "application/pkix-crl",
		"application/ocsp-response; x=1", "text/plain",
		"application/timestamp-query",
	};
	static const char *const urls[] = {
		NULL, "/a.crl", "/b.CRT?x", "/c.p7c#f", "/MFEwTzBNMEswSTAJBgUr",
	};
	enum obj_type t;
	uint8_t sel;

	if (size == 0)
		return 0;
	sel = data[0];
	t = obj_classify(data + 1, size - 1, types[sel % 6],
	    urls[(sel >> 3) % 5], (sel & 0x80) != 0);
	if (obj_type_name(t) == NULL || (size == 1 && t != OBJ_NONE))
		abort();
	if (obj_body_magic(data + 1, size - 1) == NULL)
		abort();
	return 0;
}
