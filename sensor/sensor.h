/*
 * sensor.h - the sensor process context (one per process) and the capture
 * layer, the only code that talks to libpcap.
 */
#ifndef RW_SENSOR_H
#define RW_SENSOR_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "common/conf.h"
#include "common/stats.h"
#include "sensor/event.h"

#define SENSOR_MAX_INPUTS	64
#define SENSOR_MAX_SINKS	4

struct pktpath;
struct app;
struct eve;
struct redis_sink;
struct corr;

struct capture_input {
	const char	*name;		/* file path, "-" or interface */
	pcap_t		*pcap;
	int		 dlt;
	long long	 size;		/* file size for progress, or -1 */
	int		 fd;		/* live: selectable descriptor */
};

struct sensor {
	struct rw_config	 cfg;
	struct stats		 st;
	const char		*config_path;
	bool			 quiet;
	bool			 no_redis;
	uint64_t		 max_packets;	/* -c, 0 = no limit */

	const char		*inputs[SENSOR_MAX_INPUTS];
	size_t			 n_inputs;
	struct capture_input	 cap[SENSOR_MAX_INPUTS];
	size_t			 n_cap;
	bool			 live;

	struct pktpath		*pp;
	struct app		*app;
	struct ca_registry	*ca;		/* trust store + wire-learned */
	struct eve		*eve;
	struct redis_sink	*redis;		/* NULL with --no-redis */
	struct corr		*corr;		/* correlation, with redis */
	struct event_sink	 fanout;
	struct event_sink	 sinks[SENSOR_MAX_SINKS];
	size_t			 n_sinks;

	uint64_t		 packets;
	struct timeval		 last_ts;	/* packet time of the last frame */
	time_t			 last_expire;
	struct timeval		 progress_at;	/* wall clock of last progress line */
	bool			 progress;	/* offline read, stderr a terminal */
};

/* capture.c */

/*
 * Opens every -r input (or the -i interface) and applies the BPF filter.
 * Returns 0, or -1 after printing a one-line error to stderr.
 */
int	capture_open(struct sensor *s);

/* Reads every input to its end (or until -c / a stop signal); 0 or 1. */
int	capture_run(struct sensor *s);

/* Copies pcap_stats (received, dropped) into the counters of a live capture. */
void	capture_update_stats(struct sensor *s);

void	capture_close(struct sensor *s);

/* sensor_main.c */

/* Handles pending signals; returns true when the loop must stop. */
bool	sensor_poll_signals(struct sensor *s);

#endif /* RW_SENSOR_H */
