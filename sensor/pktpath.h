/*
 * pktpath.h - the packet path: link layer, IPv4/IPv6 (with bounded fragment
 * reassembly), TCP flow table and per-direction in-order reassembly.
 *
 * It turns captured frames into in-order byte streams handed to the
 * stream_ops callbacks.  Memory is bounded by the configuration (flows,
 * out-of-order bytes per direction and in all, fragment bytes); whatever a
 * bound evicts or drops is counted in stats.
 */
#ifndef RW_PKTPATH_H
#define RW_PKTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "common/conf.h"
#include "common/stats.h"

enum { DIR_TO_SERVER = 0, DIR_TO_CLIENT = 1 };

/*
 * The public face of a TCP flow.  The client is the SYN sender; on a
 * midstream pickup the lower port (below 1024, or the well-known one) is
 * taken as the server, else the first sender is the client.  The app layer
 * may swap the roles once from content (an HTTP response seen "from the
 * client") with flow_swap_roles().
 */
struct flow {
	uint64_t	 id;		/* EVE flow_id, unique in the process */
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 cli_ip[16];	/* IPv4 uses the first 4 bytes */
	uint8_t		 srv_ip[16];
	uint16_t	 cli_port;
	uint16_t	 srv_port;
	uint16_t	 vlan;		/* outermost 802.1Q id, 0 if none */
	struct timeval	 first_ts;
	struct timeval	 last_ts;
	uint64_t	 pkts[2];	/* per direction */
	uint64_t	 bytes[2];	/* payload bytes per direction */
	void		*app;		/* owned by the app layer; freed in close */
};

struct stream_ops {
	/* In-order payload of one direction. */
	void	(*data)(void *arg, struct flow *f, int dir, const uint8_t *p,
		    size_t len, const struct timeval *ts);
	/* len bytes of one direction will never come; the stream goes on. */
	void	(*gap)(void *arg, struct flow *f, int dir, uint64_t len,
		    const struct timeval *ts);
	/*
	 * The flow ends (FIN both ways or RST and then the closed timeout,
	 * idle timeout, eviction, end of input).  The last call for f.
	 */
	void	(*close)(void *arg, struct flow *f, const struct timeval *ts);
};

struct pktpath;

/* Returns a packet path, or NULL on OOM.  cfg, st, ops must outlive it. */
struct pktpath	*pktpath_new(const struct rw_config *cfg, struct stats *st,
		    const struct stream_ops *ops, void *ops_arg);

/*
 * Decodes one captured frame of link type dlt (DLT_* from pcap) and feeds
 * its TCP payload to the flows.  Frames it cannot use are counted by reason
 * ("pkt_truncated", "pkt_bad_ipv4_hlen", "pkt_unknown_linktype", ...).
 */
void		pktpath_input(struct pktpath *pp, int dlt,
		    const struct timeval *ts, const uint8_t *frame,
		    size_t caplen, size_t wirelen);

/* Runs idle/closed timeouts against packet time now; cheap, call often. */
void		pktpath_expire(struct pktpath *pp, const struct timeval *now);

/* End of input: flushes buffered data and closes every flow. */
void		pktpath_flush(struct pktpath *pp, const struct timeval *now);

/* Swaps client and server of f (content showed the guess was wrong). */
void		flow_swap_roles(struct flow *f);

void		pktpath_free(struct pktpath *pp);

#endif /* RW_PKTPATH_H */
