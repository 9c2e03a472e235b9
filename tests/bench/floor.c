/*
 * floor.c - the benchmark floor: libpcap reading a capture and touching
 * every captured byte, with no decoding.  revwire's cost is measured
 * against this.
 */
#include "config.h"

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	uint64_t pkts = 0, bytes = 0, sum = 0;
	pcap_t *pc;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	if ((pc = pcap_open_offline(argv[1], errbuf)) == NULL) {
		fprintf(stderr, "floor: %s\n", errbuf);
		return 1;
	}
	while ((r = pcap_next_ex(pc, &h, &p)) == 1) {
		uint32_t i;

		pkts++;
		bytes += h->caplen;
		for (i = 0; i < h->caplen; i++)
			sum += p[i];
	}
	pcap_close(pc);
	printf("packets %llu bytes %llu sum %llu\n", (unsigned long long)pkts,
	    (unsigned long long)bytes, (unsigned long long)sum);
	return r == -1 ? 1 : 0;
}
