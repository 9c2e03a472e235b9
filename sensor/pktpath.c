/*
 * pktpath.c - link layers and IPv4/IPv6: from a captured frame to a TCP
 * segment for tcp.c.  Every read goes through the cursor; a frame the
 * capture cut short (caplen < wirelen) is "pkt_truncated", a frame whose
 * own lengths lie is "pkt_malformed_*".
 */
#include "config.h"

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"
#include "common/log.h"
#include "sensor/pktpath_int.h"

#define MAX_VLAN_TAGS	4
#define MAX_V6_EXT	8

#define ETH_IPV4	0x0800
#define ETH_IPV6	0x86dd
#define ETH_8021Q	0x8100
#define ETH_8021AD	0x88a8
#define ETH_QINQ_OLD	0x9100

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4	228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6	229
#endif
#define LINKTYPE_RAW	101

struct pktpath {
	const struct rw_config	*cfg;
	struct stats		*st;
	struct tcp_table	*tcp;
	struct ipfrag_table	*frag;
	bool			 truncated;	/* current frame: caplen < wirelen */
	uint16_t		 vlan;		/* current frame's outer VLAN */
};

struct pktpath *
pktpath_new(const struct rw_config *cfg, struct stats *st,
    const struct stream_ops *ops, void *ops_arg)
{
	struct pktpath *pp;

	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		return NULL;
	pp->cfg = cfg;
	pp->st = st;
	pp->tcp = tcp_new(cfg, st, ops, ops_arg);
	pp->frag = ipfrag_new(cfg, st);
	if (pp->tcp == NULL || pp->frag == NULL) {
		pktpath_free(pp);
		return NULL;
	}
	return pp;
}

void
pktpath_free(struct pktpath *pp)
{
	if (pp == NULL)
		return;
	tcp_free(pp->tcp);
	ipfrag_free(pp->frag);
	free(pp);
}

/* A short read: the capture's fault when the frame was cut, else the frame's. */
static void
short_read(struct pktpath *pp, const char *malformed_reason)
{
	stats_incr(pp->st, pp->truncated ? "pkt_truncated" : malformed_reason);
}

static void	ip_input(struct pktpath *pp, struct cursor *c,
		    const struct timeval *ts, size_t wire_left);

static void
transport_input(struct pktpath *pp, const struct ip_info *ip, uint8_t proto,
    const uint8_t *p, size_t len, size_t wire_len, const struct timeval *ts)
{
	if (proto != 6) {
		stats_incr(pp->st, proto == 17 ? "pkt_udp" : "pkt_not_tcp");
		return;
	}
	tcp_input(pp->tcp, ip, p, len, wire_len, ts);
}

static void
frag_input(struct pktpath *pp, const struct ipfrag_key *k, const struct ip_info *ip,
    uint32_t off, bool more, const uint8_t *p, size_t len,
    const struct timeval *ts)
{
	uint8_t *whole;
	size_t wlen;

	stats_incr(pp->st, "ipfrag_fragments");
	if (pp->truncated) {
		/* a fragment with bytes missing can never complete a datagram */
		stats_incr(pp->st, "pkt_truncated");
		return;
	}
	if (ipfrag_add(pp->frag, k, off, more, p, len, ts, &whole, &wlen) != 1)
		return;
	stats_incr(pp->st, "ipfrag_reassembled");
	transport_input(pp, ip, k->proto, whole, wlen, wlen, ts);
	free(whole);
}

static void
ipv4_input(struct pktpath *pp, struct cursor *c, const struct timeval *ts,
    size_t wire_left)
{
	struct ip_info ip;
	struct ipfrag_key k;
	const uint8_t *h;
	uint16_t total, fragw;
	size_t hlen, plen, wire_plen;

	if (!cur_get_bytes(c, 20, &h)) {
		short_read(pp, "pkt_malformed_ipv4_header");
		return;
	}
	hlen = (size_t)(h[0] & 0x0f) * 4;
	total = (uint16_t)(h[2] << 8 | h[3]);
	if (hlen < 20 || total < hlen) {
		stats_incr(pp->st, "pkt_malformed_ipv4_header");
		return;
	}
	if (!cur_skip(c, hlen - 20)) {
		short_read(pp, "pkt_malformed_ipv4_header");
		return;
	}
	plen = total - hlen;
	if (wire_left < total) {
		stats_incr(pp->st, "pkt_malformed_ipv4_length");
		return;
	}
	wire_plen = plen;
	if (cur_left(c) < plen) {
		if (!pp->truncated) {
			stats_incr(pp->st, "pkt_malformed_ipv4_length");
			return;
		}
		plen = cur_left(c);
	}
	memset(&ip, 0, sizeof(ip));
	ip.family = 4;
	ip.vlan = pp->vlan;
	memcpy(ip.src, h + 12, 4);
	memcpy(ip.dst, h + 16, 4);
	fragw = (uint16_t)(h[6] << 8 | h[7]);
	if ((fragw & 0x3fff) == 0) {	/* MF clear, offset 0: not a fragment */
		transport_input(pp, &ip, h[9], c->p, plen, wire_plen, ts);
		return;
	}
	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = h[9];
	k.vlan = pp->vlan;
	k.id = (uint32_t)(h[4] << 8 | h[5]);
	memcpy(k.src, ip.src, 4);
	memcpy(k.dst, ip.dst, 4);
	frag_input(pp, &k, &ip, (uint32_t)(fragw & 0x1fff) * 8,
	    (fragw & 0x2000) != 0, c->p, plen, ts);
}

/*
 * The extension headers of RFC 7045 2.1 that may stand before TCP: Hop-by-
 * Hop, Routing, Fragment, AH, Destination Options, Mobility, HIP, Shim6.
 */
static bool
ipv6_ext_header(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 ||
	    nh == 135 || nh == 139 || nh == 140;
}

/* Walks the extension headers; 0 on a transport header, -1 dropped. */
static int
ipv6_walk(struct pktpath *pp, struct cursor *c, uint8_t *nh,
    struct ipfrag_key *fk, bool *is_frag, uint32_t *off, bool *more)
{
	int i;

	for (i = 0; i < MAX_V6_EXT && ipv6_ext_header(*nh); i++) {
		uint8_t next, hl;
		uint32_t id;
		uint16_t offw;

		if (!cur_get_u8(c, &next) || !cur_get_u8(c, &hl)) {
			short_read(pp, "pkt_malformed_ipv6_ext");
			return -1;
		}
		if (*nh == 44) {
			if (!cur_get_be16(c, &offw) || !cur_get_be32(c, &id)) {
				short_read(pp, "pkt_malformed_ipv6_ext");
				return -1;
			}
			*is_frag = true;
			*off = (uint32_t)(offw & 0xfff8);
			*more = (offw & 1) != 0;
			fk->id = id;
		} else {
			size_t len = *nh == 51 ? ((size_t)hl + 2) * 4 :
			    ((size_t)hl + 1) * 8;

			if (!cur_skip(c, len - 2)) {
				short_read(pp, "pkt_malformed_ipv6_ext");
				return -1;
			}
		}
		*nh = next;
	}
	if (ipv6_ext_header(*nh)) {
		stats_incr(pp->st, "pkt_ipv6_ext_chain_too_long");
		return -1;
	}
	return 0;
}

static void
ipv6_input(struct pktpath *pp, struct cursor *c, const struct timeval *ts,
    size_t wire_left)
{
	struct ip_info ip;
	struct ipfrag_key k;
	const uint8_t *h;
	size_t plen, wire_plen;
	uint8_t nh;
	bool is_frag = false, more = false;
	uint32_t off = 0;

	if (!cur_get_bytes(c, 40, &h)) {
		short_read(pp, "pkt_malformed_ipv6_header");
		return;
	}
	plen = (size_t)(h[4] << 8 | h[5]);
	if (wire_left < 40 + plen) {
		stats_incr(pp->st, "pkt_malformed_ipv6_length");
		return;
	}
	if (cur_left(c) < plen && !pp->truncated) {
		stats_incr(pp->st, "pkt_malformed_ipv6_length");
		return;
	}
	if (cur_left(c) > plen)
		c->len = plen;		/* link-layer padding */
	memset(&ip, 0, sizeof(ip));
	ip.family = 6;
	ip.vlan = pp->vlan;
	memcpy(ip.src, h + 8, 16);
	memcpy(ip.dst, h + 24, 16);
	memset(&k, 0, sizeof(k));
	nh = h[6];
	{
		size_t before = cur_left(c);

		if (ipv6_walk(pp, c, &nh, &k, &is_frag, &off, &more) == -1)
			return;
		wire_plen = plen - (before - cur_left(c));
	}
	if (!is_frag) {
		transport_input(pp, &ip, nh, c->p, cur_left(c), wire_plen, ts);
		return;
	}
	k.family = 6;
	k.proto = nh;
	k.vlan = pp->vlan;
	memcpy(k.src, ip.src, 16);
	memcpy(k.dst, ip.dst, 16);
	frag_input(pp, &k, &ip, off, more, c->p, cur_left(c), ts);
}

static void
ip_input(struct pktpath *pp, struct cursor *c, const struct timeval *ts,
    size_t wire_left)
{
	uint8_t v;

	if (!cur_peek_u8(c, 0, &v)) {
		short_read(pp, "pkt_malformed_ip_version");
		return;
	}
	switch (v >> 4) {
	case 4:
		ipv4_input(pp, c, ts, wire_left);
		break;
	case 6:
		ipv6_input(pp, c, ts, wire_left);
		break;
	default:
		stats_incr(pp->st, "pkt_malformed_ip_version");
		break;
	}
}

/*
 * Dispatches on an ethertype once the link header is gone, through any
 * 802.1Q/802.1ad tags: Ethernet carries them, and so does Linux cooked
 * capture when libpcap puts back the tag the NIC stripped (-i any).
 */
static void
ethertype_input(struct pktpath *pp, uint16_t et, struct cursor *c,
    const struct timeval *ts, size_t wire_left)
{
	uint16_t tci;
	int tags;

	for (tags = 0; et == ETH_8021Q || et == ETH_8021AD ||
	    et == ETH_QINQ_OLD; tags++) {
		if (tags == MAX_VLAN_TAGS) {
			stats_incr(pp->st, "pkt_too_many_vlan_tags");
			return;
		}
		if (!cur_get_be16(c, &tci) || !cur_get_be16(c, &et)) {
			short_read(pp, "pkt_malformed_vlan");
			return;
		}
		if (tags == 0)
			pp->vlan = tci & 0x0fff;
		wire_left -= 4;
	}
	if (et == ETH_IPV4 || et == ETH_IPV6)
		ip_input(pp, c, ts, wire_left);
	else
		stats_incr(pp->st, "pkt_not_ip");
}

static void
ether_input(struct pktpath *pp, struct cursor *c, const struct timeval *ts,
    size_t wirelen)
{
	uint16_t et;

	if (!cur_skip(c, 12) || !cur_get_be16(c, &et)) {
		short_read(pp, "pkt_malformed_ethernet");
		return;
	}
	ethertype_input(pp, et, c, ts, wirelen - 14);
}

/* BSD loopback: the family is in the capturing host's byte order. */
static void
null_input(struct pktpath *pp, struct cursor *c, const struct timeval *ts,
    size_t wirelen)
{
	struct cursor save = *c;
	uint32_t le, be;

	if (!cur_get_le32(c, &le)) {
		short_read(pp, "pkt_malformed_null");
		return;
	}
	*c = save;
	cur_get_be32(c, &be);
	if (le == 2 || be == 2 || le == 24 || be == 24 || le == 28 ||
	    be == 28 || le == 30 || be == 30)
		ip_input(pp, c, ts, wirelen - 4);
	else
		stats_incr(pp->st, "pkt_not_ip");
}

static void
sll_input(struct pktpath *pp, struct cursor *c, const struct timeval *ts,
    size_t wirelen, bool v2)
{
	uint16_t et;

	if (v2 ? !cur_get_be16(c, &et) || !cur_skip(c, 18) :
	    !cur_skip(c, 14) || !cur_get_be16(c, &et)) {
		short_read(pp, "pkt_malformed_sll");
		return;
	}
	ethertype_input(pp, et, c, ts, wirelen - (v2 ? 20 : 16));
}

void
pktpath_input(struct pktpath *pp, int dlt, const struct timeval *ts,
    const uint8_t *frame, size_t caplen, size_t wirelen)
{
	struct cursor c;

	stats_incr(pp->st, "packets");
	stats_add(pp->st, "bytes", wirelen);
	if (wirelen < caplen)
		wirelen = caplen;	/* a lying header: trust what we hold */
	pp->truncated = caplen < wirelen;
	pp->vlan = 0;
	cur_init(&c, frame, caplen);
	switch (dlt) {
	case DLT_EN10MB:
		ether_input(pp, &c, ts, wirelen);
		break;
	case DLT_LINUX_SLL:
		sll_input(pp, &c, ts, wirelen, false);
		break;
	case DLT_LINUX_SLL2:
		sll_input(pp, &c, ts, wirelen, true);
		break;
	case DLT_RAW:
	case LINKTYPE_RAW:
	case 14:	/* DLT_RAW on OpenBSD */
	case DLT_IPV4:
	case DLT_IPV6:
		ip_input(pp, &c, ts, wirelen);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		null_input(pp, &c, ts, wirelen);
		break;
	default:
		stats_incr(pp->st, "pkt_unknown_linktype");
		break;
	}
}

void
pktpath_expire(struct pktpath *pp, const struct timeval *now)
{
	tcp_expire(pp->tcp, now);
	ipfrag_expire(pp->frag, now);
}

void
pktpath_flush(struct pktpath *pp, const struct timeval *now)
{
	tcp_flush(pp->tcp, now);
}
