/*
 * redis_server.c - throwaway redis-server for unit tests (redis_server.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "tests/unit/redis_server.h"

#define MAX_ARGS	64

void
test_redis_init(struct test_redis *t)
{
	const char *tmp = getenv("TMPDIR");

	memset(t, 0, sizeof(*t));
	if (access(REDIS_SERVER_PATH, X_OK) == -1) {
		printf("SKIP: %s: %s (install redis-server)\n",
		    REDIS_SERVER_PATH, strerror(errno));
		exit(77);
	}
	snprintf(t->dir, sizeof(t->dir), "%s/rwredis.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	snprintf(t->sock, sizeof(t->sock), "%s/redis.sock", t->dir);
	snprintf(t->url, sizeof(t->url), "unix://%s", t->sock);
}

static bool
answers(const struct test_redis *t)
{
	struct timeval tv = { 1, 0 };
	redisContext *c = redisConnectUnixWithTimeout(t->sock, tv);
	redisReply *rep;
	bool ok = false;

	if (c != NULL && c->err == 0 &&
	    (rep = redisCommand(c, "PING")) != NULL) {
		ok = rep->type == REDIS_REPLY_STATUS ||
		    (rep->type == REDIS_REPLY_ERROR &&
		    strncmp(rep->str, "NOAUTH", 6) == 0);
		freeReplyObject(rep);
	}
	if (c != NULL)
		redisFree(c);
	return ok;
}

int
test_redis_start(struct test_redis *t, const char *const *extra)
{
	const char *argv[MAX_ARGS];
	char log[300];
	int argc = 0, i;

	argv[argc++] = REDIS_SERVER_PATH;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--unixsocket";
	argv[argc++] = t->sock;
	argv[argc++] = "--dir";
	argv[argc++] = t->dir;
	argv[argc++] = "--save";
	argv[argc++] = "";
	argv[argc++] = "--appendonly";
	argv[argc++] = "no";
	for (i = 0; extra != NULL && extra[i] != NULL && argc < MAX_ARGS - 1; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	snprintf(log, sizeof(log), "%s/redis.log", t->dir);
	unlink(t->sock);
	if ((t->pid = fork()) == -1)
		return -1;
	if (t->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (answers(t))
			return 0;
		if (waitpid(t->pid, NULL, WNOHANG) == t->pid) {
			t->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	test_redis_kill(t);
	return -1;
}

void
test_redis_kill(struct test_redis *t)
{
	if (t->pid <= 0)
		return;
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	t->pid = 0;
}

void
test_redis_cleanup(struct test_redis *t)
{
	char cmd[600];

	test_redis_kill(t);
	if (t->dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", t->dir);
}
