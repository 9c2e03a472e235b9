/*
 * url.c - redis:// and unix:// URLs.  The password is copied, never quoted
 * in an error message.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hex.h"
#include "redis/redis.h"

#define REDIS_DEFAULT_PORT	6379
#define REDIS_MAX_DB		1000000

/*
 * Percent-decodes src[0..len) into dst (dstsz bytes with the NUL).
 * Returns 0, or -1 on a bad escape, an embedded NUL or no room.
 */
static int
pct_text(char *dst, size_t dstsz, const char *src, size_t len)
{
	long n;

	if (dstsz == 0 ||
	    (n = pct_decode((uint8_t *)dst, dstsz - 1, src, len)) == -1 ||
	    memchr(dst, '\0', (size_t)n) != NULL)
		return -1;
	dst[n] = '\0';
	return 0;
}

/* Parses a decimal number in s[0..len) within [lo, hi]; -1 if not. */
static int
parse_num(const char *s, size_t len, long lo, long hi, int *out)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* "[user]:password@" or "password@" before the host or path. */
static int
parse_userinfo(struct rw_redis_url *u, const char *s, size_t len,
    struct rw_err *err)
{
	const char *colon = memchr(s, ':', len);

	if (colon == NULL) {
		/* redis-cli reads a lone userinfo as the password */
		if (pct_text(u->password, sizeof(u->password), s, len) == -1)
			goto bad_pass;
		return 0;
	}
	if (pct_text(u->user, sizeof(u->user), s, (size_t)(colon - s)) == -1) {
		rw_err_set(err, "redis_bad_url", "redis URL: user name is "
		    "badly percent-encoded or longer than %zu bytes",
		    sizeof(u->user) - 1);
		return -1;
	}
	if (pct_text(u->password, sizeof(u->password), colon + 1,
	    len - (size_t)(colon + 1 - s)) == -1)
		goto bad_pass;
	return 0;
bad_pass:
	rw_err_set(err, "redis_bad_url", "redis URL: password is badly "
	    "percent-encoded or longer than %zu bytes",
	    sizeof(u->password) - 1);
	return -1;
}

/* host[:port][/db] or [v6]:port/db */
static int
parse_hostpart(struct rw_redis_url *u, const char *s, struct rw_err *err)
{
	const char *slash = strchr(s, '/'), *end, *colon = NULL, *h = s;
	size_t hlen;

	end = slash != NULL ? slash : s + strlen(s);
	if (*s == '[') {
		const char *rb = memchr(s, ']', (size_t)(end - s));

		if (rb == NULL) {
			rw_err_set(err, "redis_bad_url",
			    "redis URL: '[' without ']' in the host");
			return -1;
		}
		h = s + 1;
		hlen = (size_t)(rb - h);
		if (rb + 1 < end) {
			if (rb[1] != ':')
				goto bad_port;
			colon = rb + 1;
		}
	} else {
		colon = memchr(s, ':', (size_t)(end - s));
		hlen = (size_t)((colon != NULL ? colon : end) - s);
	}
	if (hlen == 0 || hlen >= sizeof(u->host)) {
		rw_err_set(err, "redis_bad_url", "redis URL: want a host name "
		    "of 1 to %zu bytes", sizeof(u->host) - 1);
		return -1;
	}
	memcpy(u->host, h, hlen);
	u->host[hlen] = '\0';
	u->port = REDIS_DEFAULT_PORT;
	if (colon != NULL && parse_num(colon + 1, (size_t)(end - colon - 1),
	    1, 65535, &u->port) == -1)
		goto bad_port;
	if (slash != NULL && slash[1] != '\0' && parse_num(slash + 1,
	    strlen(slash + 1), 0, REDIS_MAX_DB, &u->db) == -1) {
		rw_err_set(err, "redis_bad_url",
		    "redis URL: want a database number after '/'");
		return -1;
	}
	return 0;
bad_port:
	rw_err_set(err, "redis_bad_url",
	    "redis URL: want a port from 1 to 65535 after the host");
	return -1;
}

/* /path[?db=N] */
static int
parse_unixpart(struct rw_redis_url *u, const char *s, struct rw_err *err)
{
	const char *q = strchr(s, '?');
	size_t plen = q != NULL ? (size_t)(q - s) : strlen(s);

	if (plen == 0 || s[0] != '/' ||
	    pct_text(u->path, sizeof(u->path), s, plen) == -1) {
		rw_err_set(err, "redis_bad_url", "unix URL: want an absolute "
		    "socket path of at most %zu bytes (unix:///path)",
		    sizeof(u->path) - 1);
		return -1;
	}
	if (q != NULL && (strncmp(q, "?db=", 4) != 0 ||
	    parse_num(q + 4, strlen(q + 4), 0, REDIS_MAX_DB, &u->db) == -1)) {
		rw_err_set(err, "redis_bad_url",
		    "unix URL: the only query accepted is ?db=N");
		return -1;
	}
	return 0;
}

int
rw_redis_url_parse(struct rw_redis_url *u, const char *url, struct rw_err *err)
{
	const char *rest, *at, *stop;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "redis://", 8) == 0)
		rest = url + 8;
	else if (strncasecmp(url, "unix://", 7) == 0) {
		rest = url + 7;
		u->unix_socket = true;
	} else {
		rw_err_set(err, "redis_bad_url", "redis URL: want redis://"
		    "[user:password@]host[:port][/db] or unix:///path[?db=N]%s",
		    strncasecmp(url, "rediss://", 9) == 0 ?
		    " (TLS is not supported)" : "");
		return -1;
	}
	/* userinfo ends at the last '@' before the path or query */
	stop = rest + strcspn(rest, u->unix_socket ? "?" : "/?");
	if (u->unix_socket) {
		/* the path starts with '/', so userinfo has to end before it */
		const char *p = strchr(rest, '/');

		if (p != NULL && p < stop)
			stop = p;
	}
	at = NULL;
	for (const char *p = rest; p < stop; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		if (parse_userinfo(u, rest, (size_t)(at - rest), err) == -1)
			goto fail;
		rest = at + 1;
	}
	if ((u->unix_socket ? parse_unixpart(u, rest, err) :
	    parse_hostpart(u, rest, err)) == -1)
		goto fail;
	return 0;
fail:
	explicit_bzero(u->password, sizeof(u->password));
	return -1;
}
