/*
 * fuzz_redis_url.c - rw_redis_url_parse() on arbitrary text: no crash, and
 * on success a URL a connection can use (terminated strings, a port in
 * range, an absolute socket path); on failure no password left behind.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis/redis.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rw_redis_url u;
	struct rw_err err;
	char buf[4096];

	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (rw_redis_url_parse(&u, buf, &err) == -1) {
		if (u.password[0] != '\0' || strlen(err.msg) >= sizeof(err.msg))
			abort();
		return 0;
	}
	if (memchr(u.host, '\0', sizeof(u.host)) == NULL ||
	    memchr(u.path, '\0', sizeof(u.path)) == NULL ||
	    memchr(u.user, '\0', sizeof(u.user)) == NULL ||
	    memchr(u.password, '\0', sizeof(u.password)) == NULL ||
	    u.db < 0)
		abort();
	if (u.unix_socket ? u.path[0] != '/' :
	    (u.host[0] == '\0' || u.port < 1 || u.port > 65535))
		abort();
	return 0;
}
