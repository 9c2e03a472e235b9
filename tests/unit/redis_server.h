/*
 * redis_server.h - a throwaway redis-server for unit tests: unix socket
 * only (port 0) in a mktemp directory, no persistence unless asked.
 */
#ifndef RW_TEST_REDIS_SERVER_H
#define RW_TEST_REDIS_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

struct test_redis {
	pid_t	pid;
	char	dir[256];	/* temp dir, removed by test_redis_cleanup */
	char	sock[300];
	char	url[320];	/* unix://SOCK */
};

/*
 * Exits 77 with the reason when redis-server is absent (REDIS_SERVER_PATH);
 * otherwise makes the temp dir.  Call once before test_redis_start.
 */
void	test_redis_init(struct test_redis *t);

/*
 * Starts redis-server on t->sock with extra "--key" "value" arguments
 * (NULL-terminated, may be NULL) and waits until it answers PING (or a
 * NOAUTH error).  Returns 0 or -1.
 */
int	test_redis_start(struct test_redis *t, const char *const *extra);

/* SIGKILLs it and reaps it (no-op when not running). */
void	test_redis_kill(struct test_redis *t);

/* Kills the server and removes the temp dir. */
void	test_redis_cleanup(struct test_redis *t);

#endif
