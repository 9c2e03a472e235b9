/*
 * corr.h - correlation glue: turns wire events (EVE JSON) and normalised
 * endpoint events into the compact records of correlate/revwire.lua and
 * sends them with one FCALL each through the redis/ write path, so that
 * every event's record-and-join runs atomically on the server.  Alerts the
 * library creates in this process come back in the FCALL reply and are
 * handed to the alert sink (the JSON lines output).
 *
 * Library code: never logs or exits; failures return -1 with err and
 * counters go to the caller's struct stats ("corr_*").
 */
#ifndef RW_CORR_H
#define RW_CORR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/stats.h"
#include "correlate/endpoint.h"
#include "correlate/score.h"
#include "redis/redis.h"
#include "sensor/event.h"

struct corr;
struct ca_registry;

/* Rule scores (correlate-scores "name=N,..."; docs/correlation.md). */
struct corr_scores {
	int64_t	ocsp_revoked;		/* base, plus the reason's weight */
	int64_t	reason[11];		/* by CRLReason code; [7] = none */
	int64_t	ocsp_not_issued;
	int64_t	revoked_confirmed;	/* added to wire + endpoint scores */
	int64_t	crl_listed_in_use, crl_key_compromise;
	int64_t	rare_ca;
	int64_t	verification_sweep, sweep_nocache, sweep_tool;
	int64_t	signing_activity, signing_tool;
	int64_t	cryptoapi_non_pki;
	int64_t	ocsp_untrusted_response;
	int64_t	max;
};

/* Called with each alert created by this process (JSON, see
 * corr_alert_public()); the object is borrowed for the call. */
typedef void	(*corr_alert_fn)(void *arg, json_t *alert);

/*
 * Returns a correlator writing through r (borrowed, must outlive it), or
 * NULL with err (bad correlate-scores, OOM).  Loads the library now and
 * registers rw_redis_on_connect() to load it again after every
 * reconnect.  A server that refuses it (read-only replica, maxmemory,
 * Redis older than 7) does not fail this call: events are then skipped
 * (counted "corr_not_loaded") until a reconnect loads it, and
 * corr_load_error() says why.  cfg and st must outlive it.  Free with
 * corr_free() after the connection's last flush.
 */
struct corr	*corr_new(struct rw_redis *r, const struct rw_config *cfg,
		    struct stats *st, struct rw_err *err);
/* NULL when the library is loaded, else Redis' refusal. */
const char	*corr_load_error(const struct corr *c);
void		 corr_free(struct corr *c);

/* Where created alerts go (NULL: nowhere). */
void		 corr_set_alert_sink(struct corr *c, corr_alert_fn fn, void *arg);
/* The CA registry that names OCSP issuers and tells trust-store CAs. */
void		 corr_set_ca_registry(struct corr *c,
		    const struct ca_registry *reg);

/*
 * One wire event.  eve is its EVE JSON (eve_event_json()); ev may be NULL
 * (a replayed JSON line), else it supplies the packet time and the CRL's
 * full entry list.  Returns 0 (also for events with nothing to correlate,
 * counted "corr_wire_skipped"), or -1 with err when the command was lost.
 */
int		 corr_wire_event(struct corr *c, const struct wire_event *ev,
		    const json_t *eve, struct rw_err *err);

/*
 * One normalised endpoint event; same contract.  With a batch set
 * (corr_set_ep_batch()) the event may wait in c until the batch is full
 * or corr_flush() sends it; a lost batch is then reported by that call.
 */
int		 corr_endpoint_event(struct corr *c, const struct ep_event *ev,
		    struct rw_err *err);

/*
 * Endpoint events per FCALL (rw_ep_batch, one atomic call: the same as
 * that many rw_ep calls in a row).  1, the default, sends each at once.
 * Returns 0, or -1 with err on OOM (the setting is then unchanged).
 */
int		 corr_set_ep_batch(struct corr *c, size_t n, struct rw_err *err);

/* Sends the waiting endpoint events.  Returns 0, or -1 with err when the
 * command was lost (counted "corr_lost" per event). */
int		 corr_flush(struct corr *c, struct rw_err *err);

/* rule scores: defaults, and "name=N,..." on top; 0 or -1 with err. */
void		 corr_scores_default(struct corr_scores *s);
int		 corr_scores_set(struct corr_scores *s, const char *spec,
		    struct rw_err *err);

/*
 * Rewrites an alert object as the library returns it into the public
 * shape (times as RFC 3339 strings, "event_type": "alert").  In place.
 */
void		 corr_alert_public(json_t *alert);

/* Content ids: "w:<16 hex>" of a wire event, "e:<16 hex>" of an
 * endpoint event (the same event seen twice gets the same id). */
void		 corr_wire_id(const json_t *eve, char out[20]);
void		 corr_ep_id(const struct ep_event *ev, char out[20]);

#endif /* RW_CORR_H */
