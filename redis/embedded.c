/*
 * embedded.c - the state directory and the private redis-server used when
 * no redis-url is configured.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redis/redis.h"

static int
mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
rw_state_dir(const struct rw_config *cfg, char *dir, size_t len,
    struct rw_err *err)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (cfg->state_dir[0] != '\0')
		n = snprintf(dir, len, "%s", cfg->state_dir);
	else if (geteuid() == 0)
		n = snprintf(dir, len, "/var/lib/revwire");
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(dir, len, "%s/revwire", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(dir, len, "%s/.local/state/revwire", home);
	else {
		rw_err_set(err, "state_dir", "no state-dir set and neither "
		    "XDG_STATE_HOME nor HOME is an absolute path");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		rw_err_set(err, "state_dir", "state directory longer than %zu "
		    "bytes", len - 1);
		return -1;
	}
	if (mkdir_p(dir) == -1) {
		rw_err_set(err, "state_dir", "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int
rw_embedded_ensure(const struct rw_config *cfg, const char *dir, char *url,
    size_t len, struct rw_err *err)
{
	(void)cfg;
	(void)url;
	(void)len;
	rw_err_set(err, "redis_embedded", "%s: the embedded redis-server is "
	    "not available yet; set redis-url", dir);
	return -1;
}
