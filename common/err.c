#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

void
rw_err_clear(struct rw_err *err)
{
	if (err == NULL)
		return;
	err->reason = NULL;
	err->msg[0] = '\0';
}

void
rw_err_set(struct rw_err *err, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->reason = reason;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

char *
rw_escape(char *dst, size_t dstsz, const void *src, size_t len)
{
	const unsigned char *s = src;
	size_t i, o = 0;

	if (dstsz == 0)
		return dst;
	for (i = 0; i < len; i++) {
		unsigned char ch = s[i];
		size_t need = (ch >= 0x20 && ch < 0x7f && ch != '\\') ? 1 : 4;

		/* keep room for "..." and the NUL */
		if (o + need + 4 > dstsz) {
			if (o + 4 <= dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1)
			dst[o++] = (char)ch;
		else {
			snprintf(dst + o, 5, "\\x%02x", ch);
			o += 4;
		}
	}
	dst[o] = '\0';
	return dst;
}
