#include "config.h"

#include "common/hex.h"

int
hex_encode(char *dst, size_t dstsz, const uint8_t *src, size_t len, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;

	if (dstsz == 0)
		return -1;
	if (len > (dstsz - 1) / 2) {
		dst[0] = '\0';
		return -1;
	}
	for (i = 0; i < len; i++) {
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 0x0f];
	}
	dst[2 * len] = '\0';
	return 0;
}

int
hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
pct_decode(uint8_t *dst, size_t dstsz, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++, o++) {
		int hi, lo;

		if (o == dstsz)
			return -1;
		if (s[i] != '%') {
			dst[o] = (uint8_t)s[i];
			continue;
		}
		/* two hex digits must follow within n */
		if (n - i < 3 || (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 2])) < 0)
			return -1;
		dst[o] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return (long)o;
}
