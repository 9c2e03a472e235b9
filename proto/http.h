/*
 * http.h - HTTP/1.x message parser for one TCP connection.
 *
 * The caller feeds in-order bytes of each direction; the parser pairs
 * requests with responses (keep-alive, pipelining, HEAD, 1xx, 204/304) and
 * hands each finished transaction to a callback.  Bodies: Content-Length,
 * chunked, close-delimited.  Every buffer is bounded: header bytes, header
 * count, body bytes (a separate, larger cap for CRLs), requests pending a
 * response, and a byte budget shared by all connections.  What a bound cuts
 * is counted in stats and flagged on the message, never silently lost.
 *
 * Anomalies are counted under "http_*" names in the stats table; a
 * direction whose framing is lost stops being parsed (counted, not fatal).
 */
#ifndef RW_HTTP_H
#define RW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "common/stats.h"

/* Bytes of body buffered by all connections together. */
struct body_budget {
	uint64_t	used;
	uint64_t	limit;
};

struct http_limits {
	size_t			 max_header_bytes;	/* start line + headers */
	size_t			 max_headers;
	size_t			 max_body;
	size_t			 max_crl_body;	/* when URL or type says CRL */
	size_t			 max_pending;	/* requests awaiting a response */
	struct body_budget	*budget;	/* shared; may be NULL */
};

#define HTTP_METHOD_MAX		24
#define HTTP_VERSION_MAX	12

struct http_msg {
	bool		 present;
	char		 method[HTTP_METHOD_MAX];	/* requests */
	char		*uri;				/* requests; NUL-terminated */
	char		 version[HTTP_VERSION_MAX];	/* "HTTP/1.1" */
	int		 status;			/* responses */
	/* header values, NUL-terminated, NULL when absent (first one wins) */
	char		*host;
	char		*user_agent;
	char		*content_type;
	char		*cache_control;
	char		*pragma;
	bool		 has_content_length;
	uint64_t	 content_length;
	bool		 chunked;
	bool		 conditional;	/* If-Modified-Since / If-None-Match */
	uint8_t		*body;		/* NULL when empty */
	size_t		 body_len;	/* bytes kept */
	uint64_t	 body_wire_len;	/* bytes seen on the wire */
	bool		 body_truncated;	/* a cap cut it: body_len < wire */
	bool		 body_incomplete;	/* gap or early close */
	struct timeval	 ts;		/* first byte */
	struct timeval	 ts_end;	/* last byte */
};

struct http_txn {
	uint64_t	seq;		/* 0, 1, 2 ... per connection */
	struct http_msg	req;		/* req.present false: response only */
	struct http_msg	resp;		/* resp.present false: no answer */
};

/*
 * Called once per finished transaction.  txn and everything it points to
 * stay valid only during the call; the callee copies what it keeps.
 */
typedef void	(*http_txn_cb)(void *arg, struct http_txn *txn);

struct http_conn;

/*
 * Returns a parser for one connection, or NULL on OOM.  lim and st must
 * outlive it.  Free with http_conn_free().
 */
struct http_conn	*http_conn_new(const struct http_limits *lim,
			    struct stats *st, http_txn_cb cb, void *arg);

/* dir 0: client to server (requests), 1: server to client (responses). */
void	http_conn_feed(struct http_conn *c, int dir, const uint8_t *p,
	    size_t len, const struct timeval *ts);

/*
 * len bytes of dir were lost.  A body in progress is marked incomplete and
 * resumes after the gap when its length is known; otherwise the direction
 * stops.
 */
void	http_conn_gap(struct http_conn *c, int dir, uint64_t len);

/*
 * The connection ended: finishes close-delimited bodies, reports
 * transactions still waiting (request without response, response without
 * request) and frees nothing.  Safe to call once; http_conn_free() after.
 */
void	http_conn_close(struct http_conn *c, const struct timeval *ts);

void	http_conn_free(struct http_conn *c);

#endif /* RW_HTTP_H */
