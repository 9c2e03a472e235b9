/*
 * tls.h - TLS (SSLv3 .. 1.2) handshake parser for one TCP connection.
 *
 * The caller feeds in-order bytes of each direction, as for proto/http.h.
 * The parser frames records (content type 22 only; ChangeCipherSpec or
 * application data end that direction), reassembles handshake messages
 * across records and segments up to a named bound, and reads ClientHello
 * (SNI, supported_versions, status_request), ServerHello (version; TLS 1.3
 * stops the flow and counts "tls13_flows"), Certificate (the chain as DER
 * plus struct x509_info each) and CertificateStatus (the stapled OCSP
 * response, raw DER).  One result per connection goes to the callback, at
 * ServerHelloDone, at the server's ChangeCipherSpec, at a TLS 1.3
 * ServerHello, or at close, whichever comes first.
 *
 * Anomalies are counted in stats under "tls_*" names: tls_record_too_long,
 * tls_handshake_too_long, tls_bad_record_version, tls_bad_record_type,
 * tls_bad_handshake, tls_bad_extension, tls_sslv2_client_hello,
 * tls_chain_truncated, tls_cert_too_long, tls_bad_certificate,
 * tls_staple_too_long, tls_gap.  A direction whose framing is lost stops.
 */
#ifndef RW_TLS_H
#define RW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "common/stats.h"
#include "proto/proto.h"

#define TLS_RECORD_MAX		(16384 + 2048)	/* RFC 5246 6.2.3 */
#define TLS_SNI_MAX		256
#define TLS_VERSIONS_MAX	16

struct tls_limits {
	size_t	max_handshake;	/* bytes of one handshake message */
	size_t	max_chain;	/* certificates kept */
	size_t	max_cert;	/* bytes of one certificate */
	size_t	max_staple;	/* bytes of the stapled OCSP response */
	/*
	 * Optional (NULL: none): chain certificates decoded before are
	 * copied from here instead of decoded again.  Shared by every
	 * connection of its owner, who frees it after them.
	 */
	struct x509_cache *cache;
};

struct tls_cert {
	uint8_t			*der;
	size_t			 len;
	bool			 decoded;	/* info is valid */
	struct x509_info	 info;
};

struct tls_result {
	bool		 client_hello;		/* a ClientHello was seen */
	uint16_t	 client_version;	/* legacy_version field */
	char		 sni[TLS_SNI_MAX];	/* "" when absent */
	size_t		 n_offered;
	uint16_t	 offered_versions[TLS_VERSIONS_MAX];	/* ext 43 */
	bool		 status_request;	/* client asked for a staple */
	bool		 server_hello;
	uint16_t	 version;	/* negotiated: 0x0303, 0x0304 ... */
	bool		 tls13;
	size_t		 n_chain;
	size_t		 chain_total;	/* in the message; > n_chain if cut */
	struct tls_cert	*chain;		/* leaf first */
	uint8_t		*staple;	/* DER OCSPResponse, NULL if none */
	size_t		 staple_len;
	struct timeval	 ts;		/* first byte of the connection */
};

/* Name of a version ("TLSv12", "TLSv13", "SSLv3"), or "unknown". */
const char	*tls_version_name(uint16_t v);

/*
 * Called once per connection.  res and everything it points to stay valid
 * only during the call; the callee copies (or up-refs the X509s) to keep.
 */
typedef void	(*tls_result_cb)(void *arg, const struct tls_result *res);

struct tls_conn;

/* Returns a parser, or NULL on OOM.  lim and st must outlive it. */
struct tls_conn	*tls_conn_new(const struct tls_limits *lim, struct stats *st,
		    tls_result_cb cb, void *arg);
/* dir 0: client to server, 1: server to client. */
void	tls_conn_feed(struct tls_conn *c, int dir, const uint8_t *p,
	    size_t len, const struct timeval *ts);
/* len bytes of dir were lost: that direction stops (tls_gap). */
void	tls_conn_gap(struct tls_conn *c, int dir, uint64_t len);
/* The connection ended: delivers the result if not yet done.  Once. */
void	tls_conn_close(struct tls_conn *c);
/* Frees everything; NULL-tolerant. */
void	tls_conn_free(struct tls_conn *c);

#endif /* RW_TLS_H */
