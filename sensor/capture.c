/*
 * capture.c - libpcap input: files (pcap, pcapng, stdin) and live
 * interfaces, the read loop, timeouts driven by packet time, and progress
 * on stderr for long offline reads.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "sensor/pktpath.h"
#include "sensor/sensor.h"

/*
 * How long a quiet live capture sleeps: also the granularity of the Redis
 * tick, so it stays below redis-flush-ms' default.
 */
#define CAPTURE_TIMEOUT_MS	40
#define DISPATCH_BATCH		256

static int
apply_filter(struct sensor *s, struct capture_input *in)
{
	struct bpf_program prog;

	if (s->cfg.bpf_filter[0] == '\0')
		return 0;
	if (pcap_compile(in->pcap, &prog, s->cfg.bpf_filter, 1,
	    PCAP_NETMASK_UNKNOWN) == -1) {
		fprintf(stderr, "revwire sensor: filter '%s': %s\n",
		    s->cfg.bpf_filter, pcap_geterr(in->pcap));
		return -1;
	}
	if (pcap_setfilter(in->pcap, &prog) == -1) {
		fprintf(stderr, "revwire sensor: filter: %s\n",
		    pcap_geterr(in->pcap));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int
open_file(struct sensor *s, struct capture_input *in, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct stat sb;

	in->name = path;
	in->size = -1;
	in->pcap = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (in->pcap == NULL) {
		/* libpcap names the file itself when it could not open it */
		if (strncmp(errbuf, path, strlen(path)) == 0)
			fprintf(stderr, "revwire sensor: %s\n", errbuf);
		else
			fprintf(stderr, "revwire sensor: %s: %s\n", path, errbuf);
		return -1;
	}
	if (strcmp(path, "-") != 0 && stat(path, &sb) == 0)
		in->size = (long long)sb.st_size;
	in->dlt = pcap_datalink(in->pcap);
	return apply_filter(s, in);
}

static int
activate_live(struct sensor *s, struct capture_input *in)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	pcap_set_snaplen(in->pcap, (int)s->cfg.snaplen);
	pcap_set_promisc(in->pcap, s->cfg.promisc ? 1 : 0);
	pcap_set_timeout(in->pcap, CAPTURE_TIMEOUT_MS);
	if (s->cfg.buffer_size > 0)
		pcap_set_buffer_size(in->pcap, (int)(s->cfg.buffer_size >
		    0x7fffffff ? 0x7fffffff : s->cfg.buffer_size));
	rc = pcap_activate(in->pcap);
	if (rc < 0) {
		fprintf(stderr, "revwire sensor: %s: %s\n", in->name,
		    rc == PCAP_ERROR ? pcap_geterr(in->pcap) :
		    pcap_statustostr(rc));
		return -1;
	}
	if (rc > 0)
		rw_log(LOG_WARNING, "%s: %s", in->name, pcap_statustostr(rc));
	/*
	 * Linux's TPACKET_V3 ignores the timeout while no packet arrives, so a
	 * quiet interface would block signals forever: poll ourselves instead.
	 */
	if (pcap_setnonblock(in->pcap, 1, errbuf) == -1 ||
	    (in->fd = pcap_get_selectable_fd(in->pcap)) == -1) {
		fprintf(stderr, "revwire sensor: %s: cannot poll: %s\n",
		    in->name, errbuf);
		return -1;
	}
	return 0;
}

/* Waits up to the capture timeout; a signal ends the wait early. */
static void
wait_readable(const struct capture_input *in)
{
	struct pollfd pfd = { .fd = in->fd, .events = POLLIN };

	(void)poll(&pfd, 1, CAPTURE_TIMEOUT_MS);
}

static int
open_live(struct sensor *s, struct capture_input *in)
{
	char errbuf[PCAP_ERRBUF_SIZE];

	in->name = s->cfg.interface;
	in->size = -1;
	if ((in->pcap = pcap_create(in->name, errbuf)) == NULL) {
		fprintf(stderr, "revwire sensor: %s: %s\n", in->name, errbuf);
		return -1;
	}
	if (activate_live(s, in) == -1)
		return -1;
	in->dlt = pcap_datalink(in->pcap);
	s->live = true;
	return apply_filter(s, in);
}

int
capture_open(struct sensor *s)
{
	size_t i;

	if (s->cfg.interface[0] != '\0') {
		s->n_cap = 1;
		return open_live(s, &s->cap[0]);
	}
	for (i = 0; i < s->n_inputs; i++) {
		s->n_cap = i + 1;
		if (open_file(s, &s->cap[i], s->inputs[i]) == -1)
			return -1;
	}
	s->progress = !s->quiet && isatty(STDERR_FILENO);
	return 0;
}

static void
show_progress(struct sensor *s, const struct capture_input *in, bool done)
{
	struct timeval now;
	long pos;
	FILE *f;

	gettimeofday(&now, NULL);
	if (!done && now.tv_sec == s->progress_at.tv_sec)
		return;
	s->progress_at = now;
	f = pcap_file(in->pcap);
	pos = f != NULL ? ftell(f) : -1;
	if (in->size > 0 && pos >= 0)
		fprintf(stderr, "\rrevwire: %s %3lld%% %llu packets%s",
		    in->name, (long long)pos * 100 / in->size,
		    (unsigned long long)s->packets, done ? "\n" : "");
	else
		fprintf(stderr, "\rrevwire: %s %llu packets%s", in->name,
		    (unsigned long long)s->packets, done ? "\n" : "");
}

struct loop_arg {
	struct sensor		*s;
	struct capture_input	*in;
};

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct loop_arg *la = (struct loop_arg *)(void *)user;
	struct sensor *s = la->s;

	s->packets++;
	s->last_ts = h->ts;
	pktpath_input(s->pp, la->in->dlt, &h->ts, bytes, h->caplen, h->len);
	if (h->ts.tv_sec != s->last_expire) {
		s->last_expire = h->ts.tv_sec;
		pktpath_expire(s->pp, &h->ts);
	}
	if (s->max_packets != 0 && s->packets >= s->max_packets)
		pcap_breakloop(la->in->pcap);
}

/* Live capture with no traffic: time still passes for the timeouts. */
static void
idle_tick(struct sensor *s)
{
	struct timeval now;

	gettimeofday(&now, NULL);
	if (now.tv_sec != s->last_expire) {
		s->last_expire = now.tv_sec;
		pktpath_expire(s->pp, &now);
	}
}

/* Returns 1 at the end of this input, 0 to go on, -1 on error. */
static int
read_batch(struct sensor *s, struct capture_input *in)
{
	struct loop_arg la = { s, in };
	int n;

	if (s->live)
		wait_readable(in);
	n = pcap_dispatch(in->pcap, DISPATCH_BATCH, on_packet,
	    (u_char *)(void *)&la);
	if (n == PCAP_ERROR) {
		rw_log(LOG_ERR, "%s: %s", in->name, pcap_geterr(in->pcap));
		return -1;
	}
	if (s->max_packets != 0 && s->packets >= s->max_packets)
		return 1;
	if (n == 0 && !s->live)
		return 1;
	if (n == 0)
		idle_tick(s);
	return 0;
}

static int
run_input(struct sensor *s, struct capture_input *in)
{
	int r;

	while ((r = read_batch(s, in)) == 0) {
		if (sensor_poll_signals(s))
			break;
		if (s->progress)
			show_progress(s, in, false);
	}
	if (s->progress)
		show_progress(s, in, true);
	return r == -1 ? -1 : 0;
}

int
capture_run(struct sensor *s)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < s->n_cap; i++) {
		if (run_input(s, &s->cap[i]) == -1)
			rc = 1;
		if (sensor_poll_signals(s) ||
		    (s->max_packets != 0 && s->packets >= s->max_packets))
			break;
	}
	/* drain: every flow still open ends here, at the last packet time */
	pktpath_flush(s->pp, &s->last_ts);
	return rc;
}

void
capture_update_stats(struct sensor *s)
{
	struct pcap_stat ps;

	if (!s->live || s->n_cap == 0 || s->cap[0].pcap == NULL)
		return;
	if (pcap_stats(s->cap[0].pcap, &ps) == 0) {
		stats_set(&s->st, "pcap_received", ps.ps_recv);
		stats_set(&s->st, "pcap_dropped", ps.ps_drop);
		stats_set(&s->st, "pcap_ifdropped", ps.ps_ifdrop);
	}
}

void
capture_close(struct sensor *s)
{
	size_t i;

	for (i = 0; i < s->n_cap; i++)
		if (s->cap[i].pcap != NULL) {
			pcap_close(s->cap[i].pcap);
			s->cap[i].pcap = NULL;
		}
	s->n_cap = 0;
}
