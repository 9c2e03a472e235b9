/*
 * spool.c - the Redis write path's on-disk spool (see spool.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redis/spool.h"

#define SPOOL_HDR	4

struct rw_spool {
	int		 fd;
	char		 path[PATH_MAX];
	bool		 private_file;	/* redis.PID.spool */
	uint64_t	 max;
	uint64_t	 size;		/* file size */
	uint64_t	 acked;		/* records before this are answered */
	uint64_t	 rd;		/* read cursor */
};

/* Opens and locks sp->path (created when create); 0 or -1 with errno. */
static int
lock_path(struct rw_spool *sp, bool create, bool private_file)
{
	struct stat sb;

	/* after `sensor -u USER` the spool directory is USER's: a root
	   process must not follow a link USER planted there */
	if ((sp->fd = open(sp->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | (create ? O_CREAT : 0), 0600)) == -1)
		return -1;
	if (fstat(sp->fd, &sb) == 0 && (!S_ISREG(sb.st_mode) ||
	    sb.st_nlink != 1)) {
		close(sp->fd);
		sp->fd = -1;
		errno = EINVAL;
		return -1;
	}
	if (flock(sp->fd, LOCK_EX | LOCK_NB) == -1 || fstat(sp->fd, &sb) == -1) {
		int e = errno;

		close(sp->fd);
		sp->fd = -1;
		errno = e;
		return -1;
	}
	sp->size = (uint64_t)sb.st_size;
	sp->private_file = private_file;
	return 0;
}

static int
open_locked(struct rw_spool *sp, const char *dir, bool private_file)
{
	int n;

	n = private_file ?
	    snprintf(sp->path, sizeof(sp->path), "%s/redis.%ld.spool", dir,
	    (long)getpid()) :
	    snprintf(sp->path, sizeof(sp->path), "%s/redis.spool", dir);
	if (n < 0 || (size_t)n >= sizeof(sp->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return lock_path(sp, true, private_file);
}

int
spool_open_orphan(struct rw_spool **out, const char *dir, const char *name,
    uint64_t max_bytes)
{
	struct rw_spool *sp;
	long pid;
	int n, end = 0;

	*out = NULL;
	/* redis.PID.spool, not ours: its process is gone when it is unlocked */
	if (sscanf(name, "redis.%ld.spool%n", &pid, &end) != 1 ||
	    name[end] != '\0' || pid == (long)getpid() ||
	    (sp = calloc(1, sizeof(*sp))) == NULL)
		return -1;
	sp->max = max_bytes;
	n = snprintf(sp->path, sizeof(sp->path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(sp->path) ||
	    lock_path(sp, false, true) == -1) {
		free(sp);
		return -1;
	}
	*out = sp;
	return 0;
}

int
spool_open(struct rw_spool **out, const char *dir, uint64_t max_bytes,
    struct rw_err *err)
{
	struct rw_spool *sp;

	*out = NULL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		rw_err_set(err, "redis_spool_open", "%s: out of memory", __func__);
		return -1;
	}
	sp->max = max_bytes;
	/* the state directory above it exists: rw_state_dir() made it */
	if ((mkdir(dir, 0700) == -1 && errno != EEXIST) ||
	    (open_locked(sp, dir, false) == -1 &&
	    (errno != EWOULDBLOCK || open_locked(sp, dir, true) == -1))) {
		rw_err_set(err, "redis_spool_open", "spool %s: %s", dir,
		    strerror(errno));
		free(sp);
		return -1;
	}
	*out = sp;
	return 0;
}

void
spool_close(struct rw_spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->private_file && sp->size == 0)
		unlink(sp->path);
	close(sp->fd);
	free(sp);
}

int
spool_append(struct rw_spool *sp, const char *cmd, size_t len)
{
	unsigned char hdr[SPOOL_HDR];
	ssize_t w;

	/* the bound holds for the bytes waiting, not what replay already sent */
	if (len > UINT32_MAX || SPOOL_HDR + len > sp->max ||
	    spool_bytes(sp) > sp->max - SPOOL_HDR - len)
		return -1;
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	if ((w = pwrite(sp->fd, hdr, SPOOL_HDR, (off_t)sp->size)) != SPOOL_HDR ||
	    (w = pwrite(sp->fd, cmd, len, (off_t)(sp->size + SPOOL_HDR))) !=
	    (ssize_t)len) {
		/* a torn record is cut off again */
		if (ftruncate(sp->fd, (off_t)sp->size) == -1)
			return -1;
		return -1;
	}
	sp->size += SPOOL_HDR + len;
	return 0;
}

bool
spool_pending(const struct rw_spool *sp)
{
	return sp != NULL && sp->rd < sp->size;
}

uint64_t
spool_bytes(const struct rw_spool *sp)
{
	return sp->size - sp->acked;
}

static void
spool_reset(struct rw_spool *sp)
{
	/* an unfinished truncate leaves records that are replayed again */
	if (ftruncate(sp->fd, 0) == 0)
		sp->size = 0;
	sp->acked = sp->rd = sp->size;
}

int
spool_next(struct rw_spool *sp, char **cmd, size_t *len, struct rw_err *err)
{
	unsigned char hdr[SPOOL_HDR];
	uint32_t n;
	char *buf;

	*cmd = NULL;
	*len = 0;
	if (sp->rd >= sp->size)
		return 0;
	if (sp->size - sp->rd < SPOOL_HDR ||
	    pread(sp->fd, hdr, SPOOL_HDR, (off_t)sp->rd) != SPOOL_HDR)
		goto corrupt;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (n == 0 || n > sp->size - sp->rd - SPOOL_HDR)
		goto corrupt;
	if ((buf = malloc(n)) == NULL) {
		rw_err_set(err, "redis_spool_corrupt", "%s: out of memory",
		    __func__);
		return -1;
	}
	if (pread(sp->fd, buf, n, (off_t)(sp->rd + SPOOL_HDR)) != (ssize_t)n) {
		free(buf);
		goto corrupt;
	}
	sp->rd += SPOOL_HDR + n;
	*cmd = buf;
	*len = n;
	return 1;
corrupt:
	rw_err_set(err, "redis_spool_corrupt", "%s: record at offset %llu "
	    "is cut or unreadable; spool emptied", sp->path,
	    (unsigned long long)sp->rd);
	spool_reset(sp);
	return -1;
}

void
spool_commit(struct rw_spool *sp)
{
	sp->acked = sp->rd;
	if (sp->acked == sp->size)
		spool_reset(sp);
}

void
spool_rewind(struct rw_spool *sp)
{
	sp->rd = sp->acked;
}
