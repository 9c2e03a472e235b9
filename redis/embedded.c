/*
 * embedded.c - the state directory and the private redis-server used when
 * no redis-url is configured: Debian's redis-server on STATE/redis.sock
 * (no TCP port), data and AOF in STATE/redis, daemonized with
 * STATE/redis.pid, started under the lock STATE/redis.lock and reused by
 * every later revwire process that finds it answering.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redis/redis.h"
#include "redis/redis_int.h"

int
rw_mkdir_p(const char *dir)
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
rw_state_dir_path(const struct rw_config *cfg, char *dir, size_t len,
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
	return 0;
}

int
rw_state_dir(const struct rw_config *cfg, char *dir, size_t len,
    struct rw_err *err)
{
	if (rw_state_dir_path(cfg, dir, len, err) == -1)
		return -1;
	if (rw_mkdir_p(dir) == -1) {
		rw_err_set(err, "state_dir", "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Paths of the embedded server under the state directory. */
struct emb_paths {
	char	sock[108];	/* sun_path */
	char	data[RW_STATE_DIR_MAX + 16];
	char	pid[RW_STATE_DIR_MAX + 16];
	char	lock[RW_STATE_DIR_MAX + 16];
	char	log[RW_STATE_DIR_MAX + 32];
};

static int
emb_paths(const char *dir, struct emb_paths *p, struct rw_err *err)
{
	int n = snprintf(p->sock, sizeof(p->sock), "%s/redis.sock", dir);

	if (n < 0 || (size_t)n >= sizeof(p->sock)) {
		rw_err_set(err, "redis_embedded", "%s/redis.sock: a unix socket "
		    "path has at most %zu bytes; choose a shorter state-dir",
		    dir, sizeof(p->sock) - 1);
		return -1;
	}
	snprintf(p->data, sizeof(p->data), "%s/redis", dir);
	snprintf(p->pid, sizeof(p->pid), "%s/redis.pid", dir);
	snprintf(p->lock, sizeof(p->lock), "%s/redis.lock", dir);
	snprintf(p->log, sizeof(p->log), "%s/redis/redis.log", dir);
	return 0;
}

/*
 * One short-lived connection: the reply to argv, or NULL.  The private
 * server only answers PING, INFO, DBSIZE and SHUTDOWN here: small replies.
 */
static redisReply *
emb_cmd(const char *sock, int argc, const char **argv)
{
	static const struct rw_reply_limits lim = { 1024, 1024 * 1024 };
	struct timeval tv = { 1, 0 };
	redisContext *c = redisConnectUnixWithTimeout(sock, tv);
	void *rep = NULL;

	if (c != NULL && c->err == 0 && redisSetTimeout(c, tv) == REDIS_OK &&
	    rw_reply_guard(c->reader, &lim, NULL, NULL) == 0 &&
	    redisAppendCommandArgv(c, argc, argv, NULL) == REDIS_OK)
		(void)rw_reply_get(c, &rep);
	rw_redis_ctx_free(c);
	return rep;
}

static bool
emb_answers(const char *sock)
{
	const char *argv[1] = { "PING" };
	redisReply *rep = emb_cmd(sock, 1, argv);
	bool ok = rep != NULL && rep->type == REDIS_REPLY_STATUS;

	if (rep != NULL)
		freeReplyObject(rep);
	return ok;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits up to ms for the server to answer (want true) or to be gone. */
static bool
emb_wait(const char *sock, bool want, long ms)
{
	for (; ms > 0; ms -= 20) {
		if (emb_answers(sock) == want)
			return true;
		sleep_ms(20);
	}
	return emb_answers(sock) == want;
}

/*
 * Runs redis-server, which daemonizes: the child is reaped once the
 * daemon has forked off.  Our descriptors (capture handles, locks) must
 * not live on in the daemon.
 */
static int
emb_spawn(const struct emb_paths *p, struct rw_err *err)
{
	const char *bin = access(REDIS_SERVER_PATH, X_OK) == 0 ?
	    REDIS_SERVER_PATH : "redis-server";
	/* the state directory decides who reaches the socket (owner, or the
	   group rw_embedded_share() gave it), so the group may connect */
	const char *argv[] = { bin, "--port", "0", "--unixsocket", p->sock,
	    "--unixsocketperm", "770", "--dir", p->data, "--appendonly", "yes",
	    "--daemonize", "yes", "--pidfile", p->pid, "--logfile", p->log,
	    "--protected-mode", "yes", NULL };
	int status;
	pid_t pid;

	if ((pid = fork()) == -1) {
		rw_err_set(err, "redis_embedded", "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		long maxfd = sysconf(_SC_OPEN_MAX);

		if (fd != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		for (long i = 3; i < (maxfd > 0 && maxfd < 65536 ? maxfd : 65536); i++)
			close((int)i);
		execvp(bin, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		rw_err_set(err, "redis_embedded", "%s %s: exit status %d "
		    "(127: not found; see %s)", bin, p->sock,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1, p->log);
		return -1;
	}
	return 0;
}

/* Takes dir's lock, waiting at most ms; the fd, or -1. */
static int
emb_lock(const struct emb_paths *p, long ms, struct rw_err *err)
{
	int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1) {
		rw_err_set(err, "redis_embedded", "%s: %s", p->lock,
		    strerror(errno));
		return -1;
	}
	for (; flock(fd, LOCK_EX | LOCK_NB) == -1; ms -= 20) {
		if (errno != EWOULDBLOCK || ms <= 0) {
			rw_err_set(err, "redis_embedded", "%s: %s", p->lock,
			    errno == EWOULDBLOCK ? "held by another process "
			    "for too long" : strerror(errno));
			close(fd);
			return -1;
		}
		sleep_ms(20);
	}
	return fd;
}

int
rw_embedded_ensure(const struct rw_config *cfg, const char *dir, char *url,
    size_t len, struct rw_err *err)
{
	struct emb_paths p;
	long wait_ms = (long)cfg->redis_timeout * 1000 + 10000;
	int lock, rc = -1;

	if (emb_paths(dir, &p, err) == -1)
		return -1;
	if ((size_t)snprintf(url, len, "unix://%s", p.sock) >= len) {
		rw_err_set(err, "redis_embedded", "%s: URL too long", p.sock);
		return -1;
	}
	if (emb_answers(p.sock))
		return 0;
	/* two revwire processes starting at once start one server */
	if ((lock = emb_lock(&p, wait_ms, err)) == -1)
		return -1;
	if (emb_answers(p.sock))
		rc = 0;
	else if (mkdir(p.data, 0700) == -1 && errno != EEXIST)
		rw_err_set(err, "redis_embedded", "%s: %s", p.data,
		    strerror(errno));
	else if (emb_spawn(&p, err) == 0) {
		/* loading a large AOF takes a while */
		if (emb_wait(p.sock, true, wait_ms))
			rc = 0;
		else
			rw_err_set(err, "redis_embedded", "redis-server on %s "
			    "does not answer; see %s", p.sock, p.log);
	}
	close(lock);
	return rc;
}

/* chown + chmod of path; on failure err names it.  uid -1: keep. */
static int
share_path(const char *path, uid_t uid, gid_t gid, mode_t mode,
    struct rw_err *err)
{
	if (chown(path, uid, gid) == -1 || chmod(path, mode) == -1) {
		rw_err_set(err, "redis_embedded_share", "%s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Gives a spool file to uid:gid.  The directory may already be uid's (an
 * earlier drop), so only a plain file with one link is given, through
 * its descriptor: never what a planted symlink or hard link points to.
 */
static int
give_file(const char *path, uid_t uid, gid_t gid, struct rw_err *err)
{
	const char *why = NULL;
	struct stat sb;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT)
			return 0;	/* gone meanwhile */
		why = strerror(errno);
	} else if (fstat(fd, &sb) == -1)
		why = strerror(errno);
	else if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1)
		why = "not a plain file with one link";
	else if (fchown(fd, uid, gid) == -1)
		why = strerror(errno);
	if (fd != -1)
		close(fd);
	if (why == NULL)
		return 0;
	rw_err_set(err, "redis_embedded_share", "%s: %s", path, why);
	return -1;
}

/* The spool and what earlier (root) runs left in it become uid's. */
static int
share_spool(const char *dir, uid_t uid, gid_t gid, struct rw_err *err)
{
	char spool[RW_STATE_DIR_MAX + 8], path[RW_STATE_DIR_MAX + 300];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(spool, sizeof(spool), "%s/spool", dir);
	if (mkdir(spool, 0700) == -1 && errno != EEXIST) {
		rw_err_set(err, "redis_embedded_share", "%s: %s", spool,
		    strerror(errno));
		return -1;
	}
	if (share_path(spool, uid, gid, 0700, err) == -1)
		return -1;
	if ((d = opendir(spool)) == NULL) {
		rw_err_set(err, "redis_embedded_share", "%s: %s", spool,
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "redis.", 6) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", spool, de->d_name);
		rc = give_file(path, uid, gid, err);
	}
	closedir(d);
	return rc;
}

int
rw_embedded_share(const char *dir, uid_t uid, gid_t gid, struct rw_err *err)
{
	struct emb_paths p;
	struct stat sb;

	if (emb_paths(dir, &p, err) == -1)
		return -1;
	/* setgid: the socket a restarted server creates inherits gid */
	if (share_path(dir, (uid_t)-1, gid, 02750, err) == -1)
		return -1;
	if (lstat(p.sock, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    share_path(p.sock, (uid_t)-1, gid, 0770, err) == -1)
		return -1;
	return share_spool(dir, uid, gid, err);
}

int
rw_embedded_status(const char *dir, struct rw_embedded_info *info,
    struct rw_err *err)
{
	struct emb_paths p;
	const char *argv[2] = { "INFO", "server" }, *dbsize[1] = { "DBSIZE" };
	redisReply *rep;
	char *v;

	memset(info, 0, sizeof(*info));
	if (emb_paths(dir, &p, err) == -1)
		return -1;
	snprintf(info->socket, sizeof(info->socket), "%s", p.sock);
	snprintf(info->data_dir, sizeof(info->data_dir), "%s", p.data);
	if ((rep = emb_cmd(p.sock, 2, argv)) == NULL ||
	    rep->type != REDIS_REPLY_STRING) {
		if (rep != NULL)
			freeReplyObject(rep);
		return 0;
	}
	info->running = true;
	if ((v = strstr(rep->str, "process_id:")) != NULL)
		info->pid = atol(v + 11);
	if ((v = strstr(rep->str, "redis_version:")) != NULL)
		sscanf(v + 14, "%31[^\r\n]", info->version);
	if ((v = strstr(rep->str, "uptime_in_seconds:")) != NULL)
		info->uptime = strtoull(v + 18, NULL, 10);
	freeReplyObject(rep);
	if ((rep = emb_cmd(p.sock, 1, dbsize)) != NULL &&
	    rep->type == REDIS_REPLY_INTEGER)
		info->keys = (unsigned long long)rep->integer;
	if (rep != NULL)
		freeReplyObject(rep);
	return 0;
}

int
rw_embedded_stop(const char *dir, struct rw_err *err)
{
	const char *argv[1] = { "SHUTDOWN" };
	struct emb_paths p;
	redisReply *rep;
	long pid = 0, ms;
	FILE *f;

	if (emb_paths(dir, &p, err) == -1)
		return -1;
	if (!emb_answers(p.sock))
		return 0;
	if ((f = fopen(p.pid, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	/* SHUTDOWN writes the AOF and exits; there is no reply on success */
	if ((rep = emb_cmd(p.sock, 1, argv)) != NULL) {
		if (rep->type == REDIS_REPLY_ERROR) {
			rw_err_set(err, "redis_embedded", "%s: SHUTDOWN: %.200s",
			    p.sock, rep->str);
			freeReplyObject(rep);
			return -1;
		}
		freeReplyObject(rep);
	}
	if (!emb_wait(p.sock, false, 10000)) {
		rw_err_set(err, "redis_embedded", "%s: still answering 10 s "
		    "after SHUTDOWN", p.sock);
		return -1;
	}
	/* gone, not just deaf: its files are then safe to move or remove */
	for (ms = 10000; pid > 0 && kill((pid_t)pid, 0) == 0 && ms > 0; ms -= 20)
		sleep_ms(20);
	return 0;
}
