/*
 * test_reply.c - redis/reply.c: the guard on hiredis' reader refuses a
 * reply past redis-max-reply-elements / -bytes (at N and N+1, nested
 * arrays summed, input in fragments), counts it and says which limit;
 * rw_reply_get() refuses a bulk header claiming too much before its bytes
 * arrive.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "common/stats.h"
#include "redis/redis_int.h"
#include "tests/unit/unit.h"

static const struct rw_reply_limits lim = { 10, 100 };

/*
 * Feeds resp to a guarded reader step bytes at a time; 1 with a reply
 * (its type in *type), 0 when incomplete, -1 when the reader failed (its
 * error in errstr).
 */
static int
read_one(const char *resp, size_t len, size_t step, struct stats *st,
    int *type, char *errstr, size_t errlen)
{
	redisReader *rd = redisReaderCreate();
	void *rep = NULL;
	size_t off, n;
	int rc = 0;

	*type = 0;
	errstr[0] = '\0';
	if (rd == NULL || rw_reply_guard(rd, &lim, st, NULL) == -1)
		return -1;
	for (off = 0; off < len && rc == 0; off += n) {
		n = len - off < step ? len - off : step;
		if (redisReaderFeed(rd, resp + off, n) != REDIS_OK ||
		    redisReaderGetReply(rd, &rep) != REDIS_OK)
			rc = -1;
		else if (rep != NULL)
			rc = 1;
	}
	if (rc == -1)
		snprintf(errstr, errlen, "%s", rw_reply_refused(rd) != NULL ?
		    rw_reply_refused(rd) : rd->errstr);
	if (rep != NULL) {
		*type = ((redisReply *)rep)->type;
		freeReplyObject(rep);
	}
	rw_reply_reader_free(rd);
	return rc;
}

#define READ(s, step) read_one(s, sizeof(s) - 1, step, &st, &type, why, \
    sizeof(why))
#define I4	":1\r\n:2\r\n:3\r\n:4\r\n"
#define S10	"$10\r\n0123456789\r\n"

static void
test_elements(void)
{
	struct stats st;
	char why[128];
	int type;

	stats_init(&st);
	CHECK_INT(READ("*10\r\n" I4 I4 ":1\r\n:2\r\n", 1), 1);
	CHECK_INT(type, REDIS_REPLY_ARRAY);
	CHECK_INT(READ("*11\r\n", 1), -1);
	CHECK_STR(why, "reply refused: 11 elements > "
	    "redis-max-reply-elements 10");
	/* the claim of the fuzz finding, refused before the calloc */
	CHECK_INT(READ("*668000000\r\n", 4), -1);
	CHECK_STR(why, "reply refused: 668000000 elements > "
	    "redis-max-reply-elements 10");
	/* nested arrays share the budget: 2 + 4 + 4 fits, 2 + 4 + 5 not */
	CHECK_INT(READ("*2\r\n*4\r\n" I4 "*4\r\n" I4, 1), 1);
	CHECK_INT(READ("*2\r\n*4\r\n" I4 "*5\r\n", 3), -1);
	CHECK_STR(why, "reply refused: 11 elements > "
	    "redis-max-reply-elements 10");
	/* hiredis itself refuses a negative count other than nil's */
	CHECK_INT(READ("*-5\r\n", 1), -1);
	CHECK_INT(READ("*-1\r\n", 1), 1);
	CHECK_INT(type, REDIS_REPLY_NIL);
	CHECK_INT(stats_get(&st, "redis_reply_too_large"), 3);
}

#define S60	"$60\r\n" "0123456789" "0123456789" "0123456789" "0123456789" \
    "0123456789" "0123456789" "\r\n"
#define S40	"$40\r\n" "0123456789" "0123456789" "0123456789" "0123456789" \
    "\r\n"

static void
test_bytes(void)
{
	struct stats st;
	char why[128];
	int type;

	stats_init(&st);
	/* one string: 100 bytes fit, 101 not (only once all have come) */
	CHECK_INT(READ("*2\r\n" S60 S40, 7), 1);
	CHECK_INT(READ(S60, 3), 1);
	CHECK_INT(type, REDIS_REPLY_STRING);
	CHECK_INT(READ("$101\r\n" "0123456789" "0123456789" "0123456789"
	    "0123456789" "0123456789" "0123456789" "0123456789" "0123456789"
	    "0123456789" "0123456789" "x\r\n", 7), -1);
	CHECK_STR(why, "reply refused: 101 string bytes > "
	    "redis-max-reply-bytes 100");
	/* the strings of one reply add up, status and error lines too */
	CHECK_INT(READ("*3\r\n" S60 S40 "+x\r\n", 1), -1);
	CHECK_STR(why, "reply refused: 101 string bytes > "
	    "redis-max-reply-bytes 100");
	CHECK_INT(READ("*3\r\n" S60 S40 ":1\r\n", 1), 1);
	/* a new reply has a new budget */
	CHECK_INT(READ(S60 S60, 1), 1);
	CHECK_INT(stats_get(&st, "redis_reply_too_large"), 2);
}

/* A context on one end of a socketpair, the test writing the other. */
static redisContext *
pair(int *peer)
{
	int sv[2];
	redisContext *c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return NULL;
	*peer = sv[1];
	if ((c = redisConnectFd(sv[0])) == NULL ||
	    rw_reply_guard(c->reader, &lim, NULL, NULL) == -1) {
		rw_redis_ctx_free(c);
		close(sv[1]);
		return NULL;
	}
	return c;
}

static void
test_get(void)
{
	static const char two[] = "+OK\r\n*2\r\n:1\r\n:2\r\n";
	static const char claim[] = "*2\r\n$5\r\nabcde\r\n$96\r\n";
	char line[200 + 16 * 1024];
	redisContext *c;
	void *rep;
	int peer;

	/* replies within the limits, one after the other */
	if ((c = pair(&peer)) == NULL) {
		CHECK(!"socketpair");
		return;
	}
	CHECK_INT(write(peer, two, sizeof(two) - 1), sizeof(two) - 1);
	CHECK_INT(rw_reply_get(c, &rep), REDIS_OK);
	CHECK(rep != NULL && ((redisReply *)rep)->type == REDIS_REPLY_STATUS);
	freeReplyObject(rep);
	CHECK_INT(rw_reply_get(c, &rep), REDIS_OK);
	CHECK(rep != NULL && ((redisReply *)rep)->elements == 2);
	freeReplyObject(rep);
	/*
	 * 5 + 96 bytes claimed, nothing of the 96 sent: refused at once (the
	 * peer stays open, so waiting would hang)
	 */
	CHECK_INT(write(peer, claim, sizeof(claim) - 1), sizeof(claim) - 1);
	CHECK_INT(rw_reply_get(c, &rep), REDIS_ERR);
	CHECK(rep == NULL);
	CHECK_INT(c->err, REDIS_ERR_PROTOCOL);
	CHECK_STR(c->errstr, "reply refused: 101 string bytes > "
	    "redis-max-reply-bytes 100");
	rw_redis_ctx_free(c);
	close(peer);

	/* a status line that never ends */
	if ((c = pair(&peer)) == NULL) {
		CHECK(!"socketpair");
		return;
	}
	memset(line, 'a', sizeof(line));
	line[0] = '+';
	CHECK_INT(write(peer, line, sizeof(line)), sizeof(line));
	CHECK_INT(rw_reply_get(c, &rep), REDIS_ERR);
	CHECK(strncmp(c->errstr, "reply refused: ", 15) == 0 &&
	    strstr(c->errstr, "bytes pending > redis-max-reply-bytes 100") !=
	    NULL);
	rw_redis_ctx_free(c);
	close(peer);
}

UNIT_MAIN(test_elements, test_bytes, test_get)
