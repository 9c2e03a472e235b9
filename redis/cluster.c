/*
 * cluster.c - Redis Cluster routing (see cluster.h): key slots, the slot
 * map, MOVED/ASK.  No I/O.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cursor.h"
#include "redis/cluster.h"
#include "redis/redis_int.h"

/* The longest decimal a RESP header may carry here (argument lengths). */
#define RESP_NUM_DIGITS	10

/* CRC16/XMODEM (poly 0x1021, init 0), the cluster's key hash. */
static uint16_t
crc16(const char *p, size_t len)
{
	uint16_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (uint16_t)((unsigned char)p[i] << 8);
		for (b = 0; b < 8; b++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 :
			    crc << 1);
	}
	return crc;
}

unsigned
rw_cluster_key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len), *close;
	size_t rest;

	if (open != NULL) {
		rest = len - (size_t)(open - key) - 1;
		close = memchr(open + 1, '}', rest);
		if (close != NULL && close > open + 1)
			return crc16(open + 1, (size_t)(close - open - 1)) &
			    (RW_CLUSTER_SLOTS - 1);
	}
	return crc16(key, len) & (RW_CLUSTER_SLOTS - 1);
}

/* "<prefix><decimal>\r\n": the number, or -1. */
static long
resp_num(struct cursor *c, uint8_t prefix)
{
	uint8_t ch;
	long v = 0;
	int digits = 0;

	if (!cur_get_u8(c, &ch) || ch != prefix)
		return -1;
	while (cur_get_u8(c, &ch) && ch >= '0' && ch <= '9') {
		if (++digits > RESP_NUM_DIGITS)
			return -1;
		v = v * 10 + (ch - '0');
	}
	if (digits == 0 || ch != '\r' || !cur_get_u8(c, &ch) || ch != '\n')
		return -1;
	return v;
}

/* The next bulk argument: 0 with *p and *n set, or -1. */
static int
resp_arg(struct cursor *c, const char **p, size_t *n)
{
	const uint8_t *b, *crlf;
	long len = resp_num(c, '$');

	if (len < 0 || !cur_get_bytes(c, (size_t)len, &b) ||
	    !cur_get_bytes(c, 2, &crlf) || crlf[0] != '\r' || crlf[1] != '\n')
		return -1;
	*p = (const char *)b;
	*n = (size_t)len;
	return 0;
}

static bool
is_cmd(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

/* Commands with numkeys at argv[2] and the keys after it. */
static bool
is_script(const char *p, size_t n)
{
	static const char *const names[] = { "EVAL", "EVALSHA", "EVAL_RO",
	    "EVALSHA_RO", "FCALL", "FCALL_RO" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is_cmd(p, n, names[i]))
			return true;
	return false;
}

/* Commands revwire sends whose arguments are not keys. */
static bool
is_keyless(const char *p, size_t n)
{
	static const char *const names[] = { "PING", "INFO", "AUTH", "HELLO",
	    "ASKING", "CLUSTER", "CLIENT", "COMMAND", "ECHO", "TIME",
	    "DBSIZE" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is_cmd(p, n, names[i]))
			return true;
	return false;
}

int
rw_cluster_cmd_slot(const char *buf, size_t len)
{
	struct cursor c;
	const char *name, *a, *key;
	size_t nname, na, nkey;
	long argc, numkeys = 0;
	int i;

	cur_init(&c, (const uint8_t *)buf, len);
	if ((argc = resp_num(&c, '*')) < 1 || resp_arg(&c, &name, &nname) == -1)
		return RW_CLUSTER_BAD;
	if (is_cmd(name, nname, "FUNCTION") || is_cmd(name, nname, "SCRIPT"))
		return RW_CLUSTER_ALL;
	if (argc < 2 || is_keyless(name, nname))
		return RW_CLUSTER_ANY;
	if (!is_script(name, nname))
		return resp_arg(&c, &key, &nkey) == -1 ? RW_CLUSTER_BAD :
		    (int)rw_cluster_key_slot(key, nkey);
	/* script, numkeys: argv[2] must be a small decimal */
	if (argc < 3 || resp_arg(&c, &a, &na) == -1 ||
	    resp_arg(&c, &a, &na) == -1 || na == 0 || na > RESP_NUM_DIGITS)
		return RW_CLUSTER_BAD;
	for (i = 0; i < (int)na; i++) {
		if (a[i] < '0' || a[i] > '9')
			return RW_CLUSTER_BAD;
		numkeys = numkeys * 10 + (a[i] - '0');
	}
	if (numkeys == 0)
		return RW_CLUSTER_ANY;
	if (argc < 4 || resp_arg(&c, &key, &nkey) == -1)
		return RW_CLUSTER_BAD;
	return (int)rw_cluster_key_slot(key, nkey);
}

int
rw_cluster_map_init(struct rw_cluster_map *m, size_t max_nodes,
    struct rw_err *err)
{
	memset(m, 0, sizeof(*m));
	if (max_nodes == 0 ||
	    (m->nodes = calloc(max_nodes, sizeof(*m->nodes))) == NULL) {
		rw_err_set(err, "redis_oom", "%s: out of memory", __func__);
		return -1;
	}
	m->max = max_nodes;
	return 0;
}

void
rw_cluster_map_disconnect(struct rw_cluster_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->nodes[i].c != NULL) {
			rw_redis_ctx_free(m->nodes[i].c);
			m->nodes[i].c = NULL;
		}
}

void
rw_cluster_map_free(struct rw_cluster_map *m)
{
	if (m->nodes != NULL)
		rw_cluster_map_disconnect(m);
	free(m->nodes);
	memset(m, 0, sizeof(*m));
}

static int
find_node(const struct rw_cluster_node *nodes, size_t n, const char *host,
    int port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (nodes[i].port == port && strcmp(nodes[i].host, host) == 0)
			return (int)i;
	return -1;
}

int
rw_cluster_node(struct rw_cluster_map *m, const char *host, int port,
    struct rw_err *err)
{
	int i = find_node(m->nodes, m->n, host, port);
	size_t len = strlen(host);

	if (i >= 0)
		return i;
	if (len >= RW_CLUSTER_HOST_MAX || m->n == m->max) {
		rw_err_set(err, "redis_cluster_nodes", "cluster node %.64s:%d: "
		    "%s", host, port, m->n == m->max ? "more nodes than "
		    "redis-cluster-max-nodes" : "host name too long");
		return -1;
	}
	memset(&m->nodes[m->n], 0, sizeof(m->nodes[m->n]));
	memcpy(m->nodes[m->n].host, host, len + 1);
	m->nodes[m->n].port = port;
	return (int)m->n++;
}

int
rw_cluster_slot_node(const struct rw_cluster_map *m, unsigned slot)
{
	return slot < RW_CLUSTER_SLOTS ? (int)m->slot[slot] - 1 : -1;
}

static bool
is_int(const redisReply *r, long long lo, long long hi)
{
	return r->type == REDIS_REPLY_INTEGER && r->integer >= lo &&
	    r->integer <= hi;
}

/* One [start, end, [host, port, ...], ...] element into the new map. */
static int
load_range(struct rw_cluster_map *nm, const redisReply *e,
    const char *asked_host, size_t *assigned, struct rw_err *err)
{
	const redisReply *addr;
	char host[RW_CLUSTER_HOST_MAX];
	long long s;
	int idx;

	if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
	    !is_int(e->element[0], 0, RW_CLUSTER_SLOTS - 1) ||
	    !is_int(e->element[1], e->element[0]->integer, RW_CLUSTER_SLOTS - 1) ||
	    (addr = e->element[2])->type != REDIS_REPLY_ARRAY ||
	    addr->elements < 2 || addr->element[0]->type != REDIS_REPLY_STRING ||
	    !is_int(addr->element[1], 1, 65535)) {
		rw_err_set(err, "redis_cluster_slots", "CLUSTER SLOTS: an "
		    "element is not [start, end, [host, port, ...]]");
		return -1;
	}
	if (addr->element[0]->len >= sizeof(host)) {
		rw_err_set(err, "redis_cluster_slots", "CLUSTER SLOTS: host "
		    "longer than %zu bytes", sizeof(host) - 1);
		return -1;
	}
	/* "" : the node that answered; "?" : an address it does not know */
	if (addr->element[0]->len == 0)
		snprintf(host, sizeof(host), "%s", asked_host);
	else {
		memcpy(host, addr->element[0]->str, addr->element[0]->len);
		host[addr->element[0]->len] = '\0';
	}
	if (strlen(host) != addr->element[0]->len && addr->element[0]->len != 0) {
		rw_err_set(err, "redis_cluster_slots", "CLUSTER SLOTS: a host "
		    "holds a NUL byte");
		return -1;
	}
	/* ranges cannot overlap: more than every slot once is no map */
	*assigned += (size_t)(e->element[1]->integer - e->element[0]->integer) + 1;
	if (*assigned > RW_CLUSTER_SLOTS) {
		rw_err_set(err, "redis_cluster_slots", "CLUSTER SLOTS: more "
		    "than %d slots", RW_CLUSTER_SLOTS);
		return -1;
	}
	if ((idx = rw_cluster_node(nm, host, (int)addr->element[1]->integer,
	    err)) == -1)
		return -1;
	for (s = e->element[0]->integer; s <= e->element[1]->integer; s++)
		nm->slot[s] = (uint16_t)(idx + 1);
	return 0;
}

int
rw_cluster_map_load(struct rw_cluster_map *m, const redisReply *rep,
    const char *asked_host, struct rw_err *err)
{
	struct rw_cluster_map nm;
	size_t i, assigned = 0;
	int old;

	if (rep->type != REDIS_REPLY_ARRAY) {
		rw_err_set(err, "redis_cluster_slots", "CLUSTER SLOTS: not an "
		    "array");
		return -1;
	}
	if (rw_cluster_map_init(&nm, m->max, err) == -1)
		return -1;
	for (i = 0; i < rep->elements; i++)
		if (load_range(&nm, rep->element[i], asked_host, &assigned,
		    err) == -1)
			goto fail;
	for (i = 0; i < RW_CLUSTER_SLOTS; i++)
		if (nm.slot[i] == 0) {
			rw_err_set(err, "redis_cluster_slots", "CLUSTER SLOTS: "
			    "no master serves slot %zu", i);
			goto fail;
		}
	/* connections to nodes still named are kept, the rest closed */
	for (i = 0; i < nm.n; i++)
		if ((old = find_node(m->nodes, m->n, nm.nodes[i].host,
		    nm.nodes[i].port)) >= 0) {
			nm.nodes[i].c = m->nodes[old].c;
			m->nodes[old].c = NULL;
		}
	rw_cluster_map_free(m);
	*m = nm;
	return 0;
fail:
	rw_cluster_map_free(&nm);
	return -1;
}

int
rw_cluster_redirect_parse(const char *msg, size_t len,
    struct rw_cluster_redirect *rd)
{
	const char *p, *end = msg + len, *colon = NULL, *q;
	size_t hl;
	long v;

	memset(rd, 0, sizeof(*rd));
	if (len > 6 && memcmp(msg, "MOVED ", 6) == 0)
		p = msg + 6;
	else if (len > 4 && memcmp(msg, "ASK ", 4) == 0) {
		rd->ask = true;
		p = msg + 4;
	} else
		return 0;
	for (v = 0; p < end && *p >= '0' && *p <= '9' && v < RW_CLUSTER_SLOTS; p++)
		v = v * 10 + (*p - '0');
	if (p == end || *p != ' ' || v >= RW_CLUSTER_SLOTS ||
	    p[-1] < '0' || p[-1] > '9')
		return -1;
	rd->slot = (unsigned)v;
	p++;
	for (q = p; q < end; q++)
		if (*q == ':')
			colon = q;
	if (colon == NULL || (hl = (size_t)(colon - p)) >= sizeof(rd->host) ||
	    memchr(p, '\0', hl) != NULL)
		return -1;
	memcpy(rd->host, p, hl);
	rd->host[hl] = '\0';
	for (v = 0, q = colon + 1; q < end && *q >= '0' && *q <= '9' &&
	    v <= 65535; q++)
		v = v * 10 + (*q - '0');
	if (q != end || q == colon + 1 || v < 1 || v > 65535)
		return -1;
	rd->port = (int)v;
	return 1;
}
