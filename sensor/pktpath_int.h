/*
 * pktpath_int.h - internals shared by the packet path's files: link and IP
 * decoding (pktpath.c), fragment reassembly (ipfrag.c), the TCP flow table
 * and stream reassembly (tcp.c).  Not for use outside sensor/.
 */
#ifndef RW_PKTPATH_INT_H
#define RW_PKTPATH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "common/conf.h"
#include "common/stats.h"
#include "sensor/pktpath.h"

/* What the IP layer hands to TCP. */
struct ip_info {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		src[16];
	uint8_t		dst[16];
	uint16_t	vlan;
};

/* ipfrag.c: IPv4 and IPv6 fragment reassembly, bounded */

struct ipfrag_key {
	uint8_t		family;
	uint8_t		proto;
	uint16_t	vlan;
	uint32_t	id;
	uint8_t		src[16];
	uint8_t		dst[16];
};

struct ipfrag_table;

struct ipfrag_table	*ipfrag_new(const struct rw_config *cfg,
			    struct stats *st);
void			 ipfrag_free(struct ipfrag_table *t);

/*
 * Adds one fragment (payload bytes at byte offset off; more = MF flag).
 * Returns 1 with *out and *outlen set to the whole datagram's payload (malloc'd,
 * the caller frees) when this fragment completes it, 0 when more are
 * needed or the fragment was dropped (counted).
 */
int	ipfrag_add(struct ipfrag_table *t, const struct ipfrag_key *k,
	    uint32_t off, bool more, const uint8_t *p, size_t len,
	    const struct timeval *ts, uint8_t **out, size_t *outlen);

/* Drops datagrams older than ipfrag-timeout at packet time now. */
void	ipfrag_expire(struct ipfrag_table *t, const struct timeval *now);

/* tcp.c: flow table and per-direction reassembly */

struct tcp_table;

struct tcp_table	*tcp_new(const struct rw_config *cfg, struct stats *st,
			    const struct stream_ops *ops, void *ops_arg);
void			 tcp_free(struct tcp_table *t);

/* One TCP segment (header and captured payload); wire_payload >= len. */
void	tcp_input(struct tcp_table *t, const struct ip_info *ip,
	    const uint8_t *seg, size_t len, size_t wire_len,
	    const struct timeval *ts);
void	tcp_expire(struct tcp_table *t, const struct timeval *now);
void	tcp_flush(struct tcp_table *t, const struct timeval *now);

#endif /* RW_PKTPATH_INT_H */
