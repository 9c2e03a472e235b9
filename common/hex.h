/* hex.h - hex text for hashes (lower case) and serials (upper case). */
#ifndef RW_HEX_H
#define RW_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Writes 2*len hex digits and a NUL into dst.  Returns 0, or -1 (dst set to
 * "") when dstsz < 2*len+1.
 */
int	hex_encode(char *dst, size_t dstsz, const uint8_t *src, size_t len,
	    bool upper);

/* Value of one hex digit, or -1. */
int	hex_digit(unsigned char c);

/*
 * Percent-decodes s[0..n) into dst (dstsz bytes; n always suffices).
 * Returns the decoded length, or -1 on a bad escape or when dst is full.
 */
long	pct_decode(uint8_t *dst, size_t dstsz, const char *s, size_t n);

#endif
