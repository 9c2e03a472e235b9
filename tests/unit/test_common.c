#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/conf.h"
#include "common/cursor.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/stats.h"
#include "common/timefmt.h"
#include "tests/unit/unit.h"

static void
test_cursor(void)
{
	static const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x00, 0x02, 0xaa, 0xbb, 0xcc };
	struct cursor c, sub;
	uint16_t v16;
	uint8_t v8;

	cur_init(&c, buf, sizeof(buf));
	CHECK(cur_get_be16(&c, &v16));
	CHECK_INT(v16, 0x0102);
	CHECK(cur_get_u8(&c, &v8));
	CHECK_INT(v8, 3);
	CHECK(cur_get_sub16(&c, &sub));
	CHECK_INT(cur_left(&sub), 2);
	CHECK_INT(cur_left(&c), 1);
	/* a length prefix larger than what is left fails and does not move */
	cur_init(&c, (const uint8_t *)"\x00\x05" "ab", 4);
	CHECK(!cur_get_sub16(&c, &sub));
	CHECK_INT(cur_left(&c), 4);
	CHECK(!cur_skip(&c, 5));
	CHECK(cur_skip(&c, 4));
	CHECK(!cur_get_u8(&c, &v8));
}

static void
test_config(void)
{
	struct rw_config cfg;
	struct rw_err err;

	config_defaults(&cfg);
	CHECK_INT(cfg.http_max_crl_body, 64ULL * 1024 * 1024);
	CHECK_INT(config_set(&cfg, "http-max-body", "4k", &err), 0);
	CHECK_INT(cfg.http_max_body, 4096);
	/* the range is checked at N and N+1 */
	CHECK_INT(config_set(&cfg, "http-max-body", "1024", &err), 0);
	CHECK_INT(config_set(&cfg, "http-max-body", "1023", &err), -1);
	CHECK_STR(err.reason, "config_bad_value");
	CHECK_INT(cfg.http_max_body, 1024);
	CHECK_INT(config_set(&cfg, "no-such-key", "1", &err), -1);
	CHECK_STR(err.reason, "config_unknown_key");
	CHECK_INT(config_set(&cfg, "flow-idle-timeout", "2m", &err), 0);
	CHECK_INT(cfg.flow_idle_timeout, 120);
	CHECK_INT(config_set(&cfg, "promisc", "maybe", &err), -1);
	CHECK_INT(config_set(&cfg, "flows-max", "-5", &err), -1);
	CHECK_INT(config_set(&cfg, "flows-max", "99999999999999999999999", &err), -1);
}

static void
test_config_file(void)
{
	struct rw_config cfg;
	struct rw_err err;
	char path[] = "/tmp/rw-conf-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("# comment\n\nflows-max 1000\njson \"/tmp/x y.json\"\n"
	    "http-max-body 3x\n", f);
	fclose(f);
	config_defaults(&cfg);
	CHECK_INT(config_load(&cfg, path, &err), -1);
	CHECK(strstr(err.msg, ":5: http-max-body") != NULL);
	/* a bad file changes nothing */
	CHECK_INT(cfg.flows_max, 262144);
	f = fopen(path, "w");
	fputs("flows-max 1000\njson \"/tmp/x y.json\"\n", f);
	fclose(f);
	CHECK_INT(config_load(&cfg, path, &err), 0);
	CHECK_INT(cfg.flows_max, 1000);
	CHECK_STR(cfg.json_path, "/tmp/x y.json");
	unlink(path);
}

static void
test_stats(void)
{
	static struct stats st;
	char name[64];

	stats_init(&st);
	stats_incr(&st, "b");
	stats_add(&st, "a", 5);
	stats_incr(&st, "b");
	CHECK_INT(stats_get(&st, "a"), 5);
	CHECK_INT(stats_get(&st, "b"), 2);
	CHECK_INT(stats_get(&st, "c"), 0);
	(void)name;
}

static void
test_hex_time_escape(void)
{
	char buf[16], tb[RW_TIME_BUF];
	struct timeval tv = { 1431615529, 42 }, back;
	static const uint8_t h[] = { 0x0a, 0xff };

	CHECK_INT(hex_encode(buf, sizeof(buf), h, 2, true), 0);
	CHECK_STR(buf, "0AFF");
	CHECK_INT(hex_encode(buf, 4, h, 2, false), -1);
	CHECK_STR(rw_time_fmt(tb, 1431615529), "2015-05-14T14:58:49Z");
	CHECK_STR(rw_time_fmt_us(tb, &tv), "2015-05-14T14:58:49.000042Z");
	CHECK_INT(rw_time_parse(tb, &back), 0);
	CHECK_INT(back.tv_sec, 1431615529);
	CHECK_INT(back.tv_usec, 42);
	CHECK_STR(rw_escape(buf, sizeof(buf), "a\x01" "b", 3), "a\\x01b");
	CHECK_STR(rw_escape(buf, 8, "abcdefghijkl", 12), "abcd...");
}

/* The one percent-decoder (OCSP GET paths, Redis URL credentials). */
static void
test_pct_decode(void)
{
	uint8_t out[8];

	CHECK_INT(pct_decode(out, sizeof(out), "%41b%2f+", 8), 4);
	CHECK(memcmp(out, "Ab/+", 4) == 0);
	CHECK_INT(pct_decode(out, sizeof(out), "%00", 3), 1);
	CHECK_INT(out[0], 0);
	/* an escape cut by the end, or not hex */
	CHECK_INT(pct_decode(out, sizeof(out), "ab%4", 4), -1);
	CHECK_INT(pct_decode(out, sizeof(out), "%g1", 3), -1);
	/* room for N bytes: N decode, N + 1 do not */
	CHECK_INT(pct_decode(out, 3, "a%62c", 5), 3);
	CHECK_INT(pct_decode(out, 3, "a%62cd", 6), -1);
	CHECK_INT(pct_decode(out, 0, "", 0), 0);
}

UNIT_MAIN(test_cursor, test_config, test_config_file, test_stats,
    test_hex_time_escape, test_pct_decode)
