/*
 * stats.h - named counters: packets, bytes, flows, decoded objects by type,
 * and every anomaly by its stable snake_case reason.
 *
 * Names must be string literals (or outlive the table).  The table has a
 * fixed number of slots; a name that does not fit is added to the
 * "stats_overflow" counter instead, so nothing is lost silently.
 */
#ifndef RW_STATS_H
#define RW_STATS_H

#include <stdint.h>
#include <stdio.h>

#define STATS_SLOTS	512

struct stats_entry {
	const char	*name;
	uint64_t	 value;
};

struct stats {
	struct stats_entry	e[STATS_SLOTS];
	unsigned		n;
	uint64_t		overflow;
};

void		stats_init(struct stats *st);
void		stats_add(struct stats *st, const char *name, uint64_t n);
static inline void
stats_incr(struct stats *st, const char *name)
{
	stats_add(st, name, 1);
}
/* Sets a gauge (pcap drops, current flows). */
void		stats_set(struct stats *st, const char *name, uint64_t v);
uint64_t	stats_get(const struct stats *st, const char *name);

/*
 * Calls fn for every counter, sorted by name.  Used by the exit and SIGUSR1
 * reports and by the Redis stats hash.
 */
void		stats_foreach(const struct stats *st,
		    void (*fn)(const char *name, uint64_t v, void *arg), void *arg);

/* Writes "name value" lines, sorted, to f. */
void		stats_print(const struct stats *st, FILE *f);

#endif /* RW_STATS_H */
