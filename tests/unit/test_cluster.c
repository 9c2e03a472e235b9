/*
 * test_cluster.c - redis/cluster.c: key slots against the values
 * redis-server's CLUSTER KEYSLOT gives (7.0.15), the slot of formatted
 * commands, CLUSTER SLOTS replies (as hiredis reads them off the wire) and
 * MOVED/ASK messages.
 */
#include "config.h"

#include <string.h>

#include <hiredis/hiredis.h>

#include "redis/cluster.h"
#include "redis/schema.h"
#include "tests/unit/unit.h"

static unsigned
slot(const char *key)
{
	return rw_cluster_key_slot(key, strlen(key));
}

static void
test_key_slot(void)
{
	/* CRC16/XMODEM check value, and the Redis Cluster spec's examples */
	CHECK_INT(slot("123456789"), 0x31C3);
	CHECK_INT(slot("somekey"), 11058);
	CHECK_INT(slot("foo{hash_tag}"), 2515);
	CHECK_INT(slot("{user1000}.following"), 3443);
	CHECK_INT(slot("{user1000}.followers"), 3443);
	CHECK_INT(slot("user1000"), 3443);
	/* an empty tag hashes the whole key; the first '{' and next '}' win */
	CHECK_INT(slot("foo{}{bar}"), 8363);
	CHECK_INT(slot("foo{{bar}}zap"), 4015);
	CHECK_INT(slot("foo{bar}{zap}"), 5061);
	CHECK_INT(slot("x{"), 3596);
	CHECK_INT(slot(""), 0);
	/* the key is bytes, NUL included */
	CHECK(rw_cluster_key_slot("a\0b", 3) != rw_cluster_key_slot("a", 1));
}

/* Every key of the schema with the {rw} tag is in the slot of the FCALL's key. */
static void
test_schema_tags(void)
{
	const struct schema_key *k;
	size_t n, i;
	unsigned meta = slot(RW_KEY_META);

	CHECK_INT(meta, 8267);
	k = schema_keys(&n);
	for (i = 0; i < n; i++)
		if (strstr(k[i].name, RW_TAG_CORR) != NULL)
			CHECK_INT(slot(k[i].name), meta);
	CHECK_INT(slot(RW_KEY_CA_WIRE), slot(RW_KEY_CA_ORDER));
	CHECK_INT(slot(RW_KEY_WIRE_EVENTS), 1178);
	CHECK_INT(slot(RW_KEY_EP_EVENTS), 2632);
	CHECK_INT(slot(RW_KEY_EP_EVENTS), slot("rw:{ep}:seen:1|host|chan"));
	/* Winlogbeat's list and revwire's processing list: one LMOVE */
	CHECK_INT(slot("winlogbeat"), slot("{winlogbeat}:revwire:processing"));
}

static int
cmd_slot(int argc, const char **argv)
{
	char *buf;
	int len, s;

	if ((len = redisFormatCommandArgv(&buf, argc, argv, NULL)) < 0)
		return -100;
	s = rw_cluster_cmd_slot(buf, (size_t)len);
	redisFreeCommand(buf);
	return s;
}

static void
test_cmd_slot(void)
{
	const char *xadd[] = { "XADD", "rw:{wire}:events", "MAXLEN", "~", "9",
	    "*", "json", "{}" };
	const char *fcall[] = { "fcall", "rw_wire", "1", RW_KEY_META, "{}", "{}" };
	const char *eval0[] = { "EVAL", "return 1", "0" };
	const char *eval2[] = { "EVALSHA", "abc", "2", "rw:{ca}:wire", "x" };
	const char *fload[] = { "FUNCTION", "LOAD", "REPLACE", "#!lua name=x" };
	const char *ping[] = { "PING" };
	const char *info[] = { "INFO", "server" };
	const char *badnk[] = { "FCALL", "f", "1x", "k" };
	const char *nokey[] = { "FCALL", "f", "1" };
	static const char trunc[] = "*2\r\n$4\r\nXADD\r\n$16\r\nrw:{wire}:ev";

	CHECK_INT(cmd_slot(8, xadd), 1178);
	CHECK_INT(cmd_slot(6, fcall), 8267);
	CHECK_INT(cmd_slot(3, eval0), RW_CLUSTER_ANY);
	CHECK_INT(cmd_slot(5, eval2), 8958);
	CHECK_INT(cmd_slot(4, fload), RW_CLUSTER_ALL);
	CHECK_INT(cmd_slot(1, ping), RW_CLUSTER_ANY);
	CHECK_INT(cmd_slot(2, info), RW_CLUSTER_ANY);
	CHECK_INT(cmd_slot(4, badnk), RW_CLUSTER_BAD);
	CHECK_INT(cmd_slot(3, nokey), RW_CLUSTER_BAD);
	CHECK_INT(rw_cluster_cmd_slot(trunc, sizeof(trunc) - 1), RW_CLUSTER_BAD);
	CHECK_INT(rw_cluster_cmd_slot("*1\r\n$4\r\nPING\r", 13), RW_CLUSTER_BAD);
	CHECK_INT(rw_cluster_cmd_slot("", 0), RW_CLUSTER_BAD);
	CHECK_INT(rw_cluster_cmd_slot("*0\r\n", 4), RW_CLUSTER_BAD);
	/* a length with more digits than any argument has */
	CHECK_INT(rw_cluster_cmd_slot("*2\r\n$99999999999\r\n", 19),
	    RW_CLUSTER_BAD);
}

/* The reply hiredis reads from resp, or NULL. */
static redisReply *
reply(const char *resp)
{
	redisReader *rd = redisReaderCreate();
	void *rep = NULL;

	if (rd == NULL)
		return NULL;
	if (redisReaderFeed(rd, resp, strlen(resp)) != REDIS_OK ||
	    redisReaderGetReply(rd, &rep) != REDIS_OK)
		rep = NULL;
	redisReaderFree(rd);
	return rep;
}

/* [host, port, id] of a one-letter host */
#define NODE(h, p)	"*3\r\n$1\r\n" #h "\r\n:" #p "\r\n$2\r\nid\r\n"

static void
test_map(void)
{
	struct rw_cluster_map m;
	struct rw_err err;
	redisReply *rep;

	CHECK_INT(rw_cluster_map_init(&m, 2, &err), 0);
	/* two masters; the second with an empty host: the node asked */
	rep = reply("*3\r\n"
	    "*3\r\n:0\r\n:8191\r\n*3\r\n$9\r\n127.0.0.1\r\n:7000\r\n$2\r\nid\r\n"
	    "*4\r\n:8192\r\n:16000\r\n*2\r\n$0\r\n\r\n:7001\r\n"
	    "*3\r\n$9\r\n127.0.0.1\r\n:7100\r\n$2\r\nid\r\n"
	    "*3\r\n:16001\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:7000\r\n");
	CHECK(rep != NULL);
	CHECK_INT(rw_cluster_map_load(&m, rep, "10.0.0.9", &err), 0);
	freeReplyObject(rep);
	CHECK_INT(m.n, 2);
	CHECK_STR(m.nodes[0].host, "127.0.0.1");
	CHECK_INT(m.nodes[0].port, 7000);
	CHECK_STR(m.nodes[1].host, "10.0.0.9");
	CHECK_INT(m.nodes[1].port, 7001);
	CHECK_INT(rw_cluster_slot_node(&m, 0), 0);
	CHECK_INT(rw_cluster_slot_node(&m, 8191), 0);
	CHECK_INT(rw_cluster_slot_node(&m, 8192), 1);
	CHECK_INT(rw_cluster_slot_node(&m, 16000), 1);
	CHECK_INT(rw_cluster_slot_node(&m, 16383), 0);
	CHECK_INT(rw_cluster_slot_node(&m, 16384), -1);

	/* refused, map unchanged: a slot nobody serves, more than every
	   slot, a third master beyond max, end before start, no address */
	rep = reply("*1\r\n*3\r\n:0\r\n:16382\r\n" NODE(a, 7000));
	CHECK_INT(rw_cluster_map_load(&m, rep, "h", &err), -1);
	CHECK_STR(err.reason, "redis_cluster_slots");
	CHECK(strstr(err.msg, "slot 16383") != NULL);
	freeReplyObject(rep);
	rep = reply("*2\r\n*3\r\n:0\r\n:16383\r\n" NODE(a, 7000)
	    "*3\r\n:0\r\n:0\r\n" NODE(a, 7000));
	CHECK_INT(rw_cluster_map_load(&m, rep, "h", &err), -1);
	freeReplyObject(rep);
	rep = reply("*3\r\n*3\r\n:0\r\n:1\r\n" NODE(a, 1)
	    "*3\r\n:2\r\n:3\r\n" NODE(b, 1)
	    "*3\r\n:4\r\n:16383\r\n" NODE(c, 1));
	CHECK_INT(rw_cluster_map_load(&m, rep, "h", &err), -1);
	CHECK_STR(err.reason, "redis_cluster_nodes");
	freeReplyObject(rep);
	rep = reply("*1\r\n*3\r\n:9\r\n:1\r\n" NODE(a, 1));
	CHECK_INT(rw_cluster_map_load(&m, rep, "h", &err), -1);
	freeReplyObject(rep);
	rep = reply("*1\r\n*2\r\n:0\r\n:16383\r\n");
	CHECK_INT(rw_cluster_map_load(&m, rep, "h", &err), -1);
	freeReplyObject(rep);
	CHECK_INT(m.n, 2);
	CHECK_INT(rw_cluster_slot_node(&m, 8192), 1);

	/* an ASK target joins without slots, once; then the map is full */
	CHECK_INT(rw_cluster_node(&m, "127.0.0.1", 7000, &err), 0);
	CHECK_INT(rw_cluster_node(&m, "127.0.0.1", 7002, &err), -1);
	CHECK_STR(err.reason, "redis_cluster_nodes");
	rw_cluster_map_free(&m);
}

static void
test_redirect(void)
{
	struct rw_cluster_redirect rd;

#define PARSE(s)	rw_cluster_redirect_parse(s, strlen(s), &rd)
	CHECK_INT(PARSE("MOVED 3999 127.0.0.1:6381"), 1);
	CHECK(!rd.ask);
	CHECK_INT(rd.slot, 3999);
	CHECK_STR(rd.host, "127.0.0.1");
	CHECK_INT(rd.port, 6381);
	CHECK_INT(PARSE("ASK 16383 ::1:6379"), 1);
	CHECK(rd.ask);
	CHECK_INT(rd.slot, 16383);
	CHECK_STR(rd.host, "::1");
	CHECK_INT(PARSE("MOVED 0 :7000"), 1);
	CHECK_STR(rd.host, "");
	CHECK_INT(PARSE("ERR unknown command"), 0);
	CHECK_INT(PARSE("MOVEDX 1 a:1"), 0);
	CHECK_INT(PARSE("MOVED 16384 a:1"), -1);
	CHECK_INT(PARSE("MOVED  a:1"), -1);
	CHECK_INT(PARSE("MOVED 1 a"), -1);
	CHECK_INT(PARSE("MOVED 1 a:"), -1);
	CHECK_INT(PARSE("MOVED 1 a:65536"), -1);
	CHECK_INT(PARSE("MOVED 1 a:0"), -1);
	CHECK_INT(PARSE("ASK 1 a:1 "), -1);
	CHECK_INT(PARSE("MOVED 99999999999999999999 a:1"), -1);
	/* the message is read by its length only */
	CHECK_INT(rw_cluster_redirect_parse("MOVED 12 h:80trailing", 11, &rd), -1);
	CHECK_INT(rw_cluster_redirect_parse("MOVED 12 h:80trailing", 13, &rd), 1);
	CHECK_INT(rd.port, 80);
#undef PARSE
}

/* slot(processing list) == slot(key), else LMOVE is CROSSSLOT */
static void
test_processing_key(void)
{
	static const struct {
		const char	*key, *want;
	} cases[] = {
		{ "winlogbeat", "{winlogbeat}:revwire:processing" },
		{ "{x}y", "{x}y:revwire:processing" },
		{ "a{b}c{d}", "a{b}c{d}:revwire:processing" },
		/* braces that make no tag: the key hashes whole */
		{ "a{}b", NULL }, { "}{", NULL }, { "a}b", NULL }, { "{", NULL },
		{ "}", NULL }, { "{}", NULL }, { "{}{x}", NULL }, { "", NULL },
	};
	char buf[64], small[24];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(schema_processing_key(buf, sizeof(buf), cases[i].key),
		    0);
		CHECK_INT(rw_cluster_key_slot(buf, strlen(buf)),
		    rw_cluster_key_slot(cases[i].key, strlen(cases[i].key)));
		if (cases[i].want != NULL)
			CHECK_STR(buf, cases[i].want);
		else
			CHECK(strncmp(buf, "{rw", 3) == 0 && strstr(buf,
			    cases[i].key) != NULL && strcmp(buf + strlen(buf) -
			    strlen(RW_PROCESSING_SUFFIX), RW_PROCESSING_SUFFIX) ==
			    0);
	}
	/* the one the issue found: a{}b hashes whole, its list too */
	CHECK_INT(schema_processing_key(buf, sizeof(buf), "a{}b"), 0);
	CHECK_INT(rw_cluster_key_slot(buf, strlen(buf)),
	    rw_cluster_key_slot("a{}b", 4));
	CHECK(rw_cluster_key_slot("{a{}b}:revwire:processing", 25) !=
	    rw_cluster_key_slot("a{}b", 4));
	/* too long: -1, no name */
	CHECK_INT(schema_processing_key(small, sizeof(small), "winlogbeat"), -1);
	CHECK_STR(small, "");
	CHECK_INT(schema_processing_key(small, sizeof(small), "w"), 0);
	CHECK_STR(small, "{w}:revwire:processing");
}

UNIT_MAIN(test_key_slot, test_schema_tags, test_cmd_slot, test_map,
    test_redirect, test_processing_key)
