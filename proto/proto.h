/*
 * proto.h - the contract of proto/: decoders of the objects revwire reads
 * off the wire.  Every decoder takes (pointer, length), does no I/O, never
 * reads past its input, and returns 0 or -1 with a struct rw_err whose
 * reason is a stable snake_case anomaly name.  On failure the output struct
 * is left zeroed (safe to free, nothing to free).
 *
 * Text conventions shared by every event:
 *   serials   upper-case hex of the INTEGER magnitude, as `openssl x509
 *             -serial` prints it (no 00 pad; "-" prefix if negative)
 *   hashes    lower-case hex
 *   names     RFC 2253 ("CN=...,O=...,C=US")
 *   times     time_t seconds UTC; absent values have their has_ flag false
 *   reasons   RFC 5280 CRLReason names, or -1 when absent
 */
#ifndef RW_PROTO_H
#define RW_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/ocsp.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/err.h"

#define SERIAL_HEX_MAX	132	/* 64-byte serial, sign, NUL */
#define HASH_HEX_MAX	132	/* up to SHA-512 and then some */
#define NAME_TEXT_MAX	1024	/* an RFC 2253 name, cut with "..." */
#define ALG_NAME_MAX	48

/* asn1.c: helpers every DER decoder shares */

/* Serial text (see above) into buf; -1 if it does not fit. */
int		asn1_serial_hex(char buf[SERIAL_HEX_MAX], const ASN1_INTEGER *ai);
/*
 * ASN1_TIME to seconds since the epoch.  Returns 0, or -1 (with *t zeroed)
 * when the time does not parse; never returns "now".
 */
int		asn1_time_to_epoch(const ASN1_TIME *at, time_t *t);
/* RFC 2253 text of a name, cut with "..." at NAME_TEXT_MAX. */
void		asn1_name_text(char buf[NAME_TEXT_MAX], const X509_NAME *name);
/* The text a memory BIO holds, cut with "..." at NAME_TEXT_MAX ("" if none). */
void		asn1_bio_text(char buf[NAME_TEXT_MAX], BIO *bio);
/*
 * Text of a GeneralName: directoryName as RFC 2253, the other forms as
 * OpenSSL prints them ("DNS:...", "URI:...", "email:..."); "" on failure.
 */
void		asn1_general_name_text(char buf[NAME_TEXT_MAX], GENERAL_NAME *gn);
/* Short name of an algorithm OID ("sha1", "sha256") or its dotted text. */
void		asn1_oid_text(char buf[ALG_NAME_MAX], const ASN1_OBJECT *obj);
/* RFC 5280 CRLReason name for a code, or NULL if the code is unknown. */
const char	*asn1_reason_name(int code);
/*
 * Lower-case hex of the md digest of (p, len) into dst (dstsz bytes: twice
 * the digest size plus the NUL); "" when the digest fails or does not fit.
 */
void		asn1_digest_hex(char *dst, size_t dstsz, const EVP_MD *md,
		    const uint8_t *p, size_t len);

/* ocsp.c: OCSP requests and responses (RFC 6960) */

struct ocsp_limits {
	size_t		max_entries;	/* CertIDs / SingleResponses kept */
};

struct ocsp_certid {
	char		hash_alg[ALG_NAME_MAX];
	char		issuer_name_hash[HASH_HEX_MAX];
	char		issuer_key_hash[HASH_HEX_MAX];
	char		serial[SERIAL_HEX_MAX];
};

struct ocsp_req {
	size_t			 n_ids;		/* entries in ids */
	size_t			 n_total;	/* in the request; > n_ids if cut */
	struct ocsp_certid	*ids;
	bool			 has_nonce;
	char			 nonce[HASH_HEX_MAX];	/* lower-case hex */
	bool			 nonce_truncated;
	char			 requestor[NAME_TEXT_MAX];	/* "" if absent */
	bool			 signed_req;
};

enum ocsp_cert_status {
	OCSP_ST_GOOD = 0, OCSP_ST_REVOKED = 1, OCSP_ST_UNKNOWN = 2
};

struct ocsp_single {
	struct ocsp_certid	id;
	enum ocsp_cert_status	status;
	bool			has_revocation_time;
	time_t			revocation_time;
	int			revocation_reason;	/* -1: absent */
	time_t			this_update;
	bool			has_next_update;
	time_t			next_update;
	/*
	 * revoked + certificateHold + revocationTime 1970-01-01T00:00:00Z:
	 * the responder says the serial was never issued (RFC 6960 2.2)
	 */
	bool			not_issued;
};

struct ocsp_resp {
	int			 status;	/* OCSPResponseStatus, 0..6 */
	bool			 has_basic;	/* successful, basic response */
	bool			 responder_by_key;
	char			 responder_id[NAME_TEXT_MAX];	/* name, or key hash hex */
	time_t			 produced_at;
	size_t			 n_singles;
	size_t			 n_total;
	struct ocsp_single	*singles;
	bool			 has_nonce;
	char			 nonce[HASH_HEX_MAX];
	bool			 nonce_truncated;
	size_t			 n_certs;	/* certificates carried */
	char			 sig_alg[ALG_NAME_MAX];
	/*
	 * The decoded objects, owned by this struct, kept for signature
	 * verification and CA learning.  NULL when has_basic is false.
	 */
	OCSP_RESPONSE		*resp;
	OCSP_BASICRESP		*basic;
};

/*
 * Decodes a DER OCSPRequest.  Returns 0, or -1 with err and *out zeroed.
 * Trailing bytes after the request are an error (ocsp_trailing_data).
 * On success the caller frees with ocsp_req_free().
 */
int	ocsp_req_parse(struct ocsp_req *out, const uint8_t *der, size_t len,
	    const struct ocsp_limits *lim, struct rw_err *err);
void	ocsp_req_free(struct ocsp_req *req);

/* Decodes a DER OCSPResponse; same contract as ocsp_req_parse(). */
int	ocsp_resp_parse(struct ocsp_resp *out, const uint8_t *der, size_t len,
	    const struct ocsp_limits *lim, struct rw_err *err);
void	ocsp_resp_free(struct ocsp_resp *resp);

/* Name of an OCSPResponseStatus ("successful", "malformedRequest", ...). */
const char	*ocsp_resp_status_name(int status);
/* "good", "revoked", "unknown". */
const char	*ocsp_cert_status_name(enum ocsp_cert_status st);

/*
 * Extracts the DER request from an OCSP GET request-target (RFC 6960
 * appendix A.1, RFC 5019): the last path segment, percent-decoded, then
 * base64 (standard or URL-safe, padding optional).  The responder's own
 * path may come first; slashes are never collapsed ('/' is a base64 digit,
 * so the request may span several segments: every suffix is tried, longest
 * first).  Returns 0 with *der malloc'd (caller frees), or -1 with err.
 */
int	ocsp_get_decode(const char *uri, size_t urilen, uint8_t **der,
	    size_t *derlen, size_t maxlen, struct rw_err *err);

/* crl.c: certificate revocation lists (RFC 5280) */

struct crl_limits {
	size_t		max_json_entries;	/* entries copied into entries[] */
	size_t		max_entries;		/* more is an anomaly */
};

struct crl_entry {
	char		serial[SERIAL_HEX_MAX];
	time_t		revocation_date;
	int		reason;			/* -1: absent */
};

struct crl {
	char			 issuer[NAME_TEXT_MAX];
	bool			 has_crl_number;
	char			 crl_number[SERIAL_HEX_MAX];	/* decimal */
	bool			 is_delta;
	char			 delta_base[SERIAL_HEX_MAX];	/* decimal */
	time_t			 this_update;
	bool			 has_next_update;
	time_t			 next_update;
	char			 aki[HASH_HEX_MAX];		/* "" if absent */
	char			 sig_alg[ALG_NAME_MAX];
	size_t			 revoked_count;	/* always whole */
	size_t			 n_entries;	/* entries listed */
	bool			 entries_truncated;
	struct crl_entry	*entries;
	bool			 pem;		/* arrived PEM-armoured */
	X509_CRL		*x;		/* owned; for every entry */
};

/*
 * Decodes a CRL, DER or PEM.  Returns 0, or -1 with err and *out zeroed.
 * On success the caller frees with crl_free().
 */
int	crl_parse(struct crl *out, const uint8_t *buf, size_t len,
	    const struct crl_limits *lim, struct rw_err *err);
void	crl_free(struct crl *crl);

/*
 * Calls fn for every revoked entry (not just the listed ones); stops early
 * when fn returns non-zero and returns that value.
 */
int	crl_foreach_entry(const struct crl *crl,
	    int (*fn)(const struct crl_entry *e, void *arg), void *arg);

/* objtype.c: recognise an HTTP body by content and by label */

enum obj_type {
	OBJ_NONE = 0,
	OBJ_OCSP_REQUEST,
	OBJ_OCSP_RESPONSE,
	OBJ_CRL,
	OBJ_CERT,		/* X.509 certificate, DER or PEM */
	OBJ_PKCS7,		/* certs-only SignedData */
	OBJ_TS_QUERY,
	OBJ_TS_REPLY,
	OBJ_OTHER
};

/*
 * Guesses what a body is from its first bytes, its Content-Type and the
 * request URL: content wins, since servers mislabel (octet-stream,
 * text/plain).  Cheap: looks at DER headers only, decodes nothing.
 */
enum obj_type	obj_classify(const uint8_t *body, size_t len,
		    const char *content_type, const char *url,
		    bool is_request);
const char	*obj_type_name(enum obj_type t);
/* What a media type alone says (parameters ignored), or OBJ_NONE. */
enum obj_type	obj_classify_type(const char *content_type);
/* What a URL path's suffix alone says (.crl, .crt, .p7c ...), or OBJ_NONE. */
enum obj_type	obj_classify_url(const char *url);
/*
 * A short guess at what a body that is no PKI object is, from its first
 * bytes: "pe" (MZ), "zip", "gzip", "pdf", "elf", "script/text" (the
 * first OBJ_MAGIC_SCAN bytes are printable ASCII), else "unknown".  Never
 * NULL; a static string.
 */
#define OBJ_MAGIC_SCAN	512
const char	*obj_body_magic(const uint8_t *body, size_t len);


/* x509.c: certificates (CA downloads, TLS chains) and PKCS#7 bundles */

#define X509_URLS_MAX		8	/* URLs kept per kind */
#define X509_URL_MAX		512	/* bytes per URL incl. NUL; longer is cut */
#define X509_USAGES_MAX		16	/* key usage / EKU names kept */
#define X509_USAGE_NAME_MAX	48

struct x509_info {
	char	subject[NAME_TEXT_MAX];
	char	issuer[NAME_TEXT_MAX];
	char	serial[SERIAL_HEX_MAX];
	time_t	not_before;
	time_t	not_after;
	bool	has_validity;		/* both times parsed */
	char	sha1[41];		/* fingerprints of the DER, lower hex */
	char	sha256[65];
	char	ski[HASH_HEX_MAX];	/* "" if absent */
	char	aki[HASH_HEX_MAX];	/* keyIdentifier; "" if absent */
	bool	is_ca;			/* basicConstraints cA */
	size_t	n_key_usage;
	char	key_usage[X509_USAGES_MAX][X509_USAGE_NAME_MAX];
	size_t	n_ext_key_usage;
	char	ext_key_usage[X509_USAGES_MAX][X509_USAGE_NAME_MAX];
	bool	code_signing;		/* EKU 1.3.6.1.5.5.7.3.3 */
	bool	ocsp_signing;		/* EKU 1.3.6.1.5.5.7.3.9 */
	size_t	n_ocsp_urls, n_crl_urls, n_ca_issuers_urls;
	char	ocsp_urls[X509_URLS_MAX][X509_URL_MAX];
	char	crl_urls[X509_URLS_MAX][X509_URL_MAX];
	char	ca_issuers_urls[X509_URLS_MAX][X509_URL_MAX];
	bool	urls_truncated;		/* a list or a URL was cut */
	/*
	 * The OCSP CertID hashes under which this certificate answers as an
	 * issuer: hash of its subject name DER, and of its public key BIT
	 * STRING contents (RFC 6960 4.1.1).
	 */
	char	name_hash_sha1[41];
	char	key_hash_sha1[41];
	char	name_hash_sha256[65];
	char	key_hash_sha256[65];
	X509	*x;			/* owned reference (up-ref'd) */
};

/*
 * Decodes one certificate, DER or PEM; all input must be consumed
 * (x509_trailing_data).  Returns 0, or -1 with err and *out zeroed.  On
 * success the caller frees with x509_info_free().
 */
int	x509_parse(struct x509_info *out, const uint8_t *buf, size_t len,
	    struct rw_err *err);
/*
 * Fills out from a certificate found inside another object; takes its own
 * reference (the caller keeps and frees x).  Returns 0, or -1 with err.
 */
int	x509_from_X509(struct x509_info *out, X509 *x, struct rw_err *err);
/* Releases the reference; out is zeroed.  NULL-tolerant. */
void	x509_info_free(struct x509_info *info);

/*
 * Decodes a PKCS#7 certs-only SignedData (DER or PEM, all input consumed)
 * into a malloc'd array of at most max_certs entries (*n set; *total is the
 * number in the bundle, > *n when cut).  Returns 0 with *out owned by the
 * caller (x509_info_array_free), or -1 with err and *out NULL.
 */
int	pkcs7_certs_parse(struct x509_info **out, size_t *n, size_t *total,
	    const uint8_t *buf, size_t len, size_t max_certs,
	    struct rw_err *err);
void	x509_info_array_free(struct x509_info *a, size_t n);

/* tsp.c: RFC 3161 time-stamp requests and replies */

#define TSP_OID_MAX		128	/* dotted policy OID, NUL included */
/*
 * genTime fraction digits kept: microseconds, the finest unit an RFC 3161
 * Accuracy can express (2.4.2), so finer digits carry nothing checkable.
 */
#define TSP_FRAC_DIGITS		6

struct tsp_imprint {
	char		hash_alg[ALG_NAME_MAX];	/* "sha256" */
	char		imprint[HASH_HEX_MAX];	/* lower-case hex */
};

struct tsp_req {
	struct tsp_imprint	imprint;
	bool			has_policy;
	char			policy[TSP_OID_MAX];	/* dotted */
	bool			has_nonce;
	char			nonce[SERIAL_HEX_MAX];	/* INTEGER, as serials */
	bool			cert_req;
};

/* PKIStatus (RFC 3161 2.4.2) */
enum tsp_status {
	TSP_GRANTED = 0, TSP_GRANTED_WITH_MODS, TSP_REJECTION, TSP_WAITING,
	TSP_REVOCATION_WARNING, TSP_REVOCATION_NOTIFICATION
};

struct tsp_resp {
	int		 status;		/* PKIStatus; may be out of enum */
	char		 status_text[NAME_TEXT_MAX];	/* PKIFreeText, "; "-joined */
	bool		 has_failure_info;
	uint32_t	 failure_info;		/* PKIFailureInfo bit n = 1 << n */
	bool		 failure_info_high;	/* a bit above 31 was set */

	/* the TSTInfo of a granted reply's token */
	bool		 has_token;
	char		 policy[TSP_OID_MAX];	/* dotted */
	struct tsp_imprint imprint;
	char		 serial[SERIAL_HEX_MAX];
	time_t		 gen_time;
	char		 gen_time_frac[TSP_FRAC_DIGITS + 1];	/* "" if none */
	bool		 has_accuracy;
	/* with has_accuracy: each field's value, -1 when absent */
	int64_t		 acc_seconds, acc_millis, acc_micros;
	bool		 has_nonce;
	char		 nonce[SERIAL_HEX_MAX];
	char		 tsa[NAME_TEXT_MAX];	/* GeneralName text; "" if absent */
	size_t		 n_certs;		/* certificates in the SignedData */
	/*
	 * The signer: the first SignerInfo's issuerAndSerialNumber (RFC 5652
	 * 5.3), and the subject of the certificate in the token that it
	 * names ("" when the TSA did not include it, e.g. certReq false).
	 */
	char		 signer_issuer[NAME_TEXT_MAX];
	char		 signer_serial[SERIAL_HEX_MAX];
	char		 signer_subject[NAME_TEXT_MAX];

	TS_RESP		*resp;		/* owned; kept for verification */
	X509		*signer;	/* in resp's certificates, or NULL */
};

/*
 * Decodes a DER TimeStampReq.  Returns 0, or -1 with err and *out zeroed.
 * Trailing bytes are an error (tsp_trailing_data).  Nothing to free, but
 * tsp_req_free() is provided for symmetry.
 */
int	tsp_req_parse(struct tsp_req *out, const uint8_t *der, size_t len,
	    struct rw_err *err);
void	tsp_req_free(struct tsp_req *req);

/*
 * Decodes a DER TimeStampResp, and the TSTInfo of its token when the
 * status grants one (all input consumed at both levels).  Returns 0, or -1
 * with err and *out zeroed.  On success the caller frees with
 * tsp_resp_free().  No signature is verified here.
 */
int	tsp_resp_parse(struct tsp_resp *out, const uint8_t *der, size_t len,
	    struct rw_err *err);
void	tsp_resp_free(struct tsp_resp *resp);

/* "granted", "grantedWithMods", "rejection", ...; NULL if unknown. */
const char	*tsp_status_name(int status);
/* PKIFailureInfo bit name ("badAlg", "badRequest", ...); NULL if unknown. */
const char	*tsp_failure_name(int bit);
/* x509_cache.c: decoded certificates by their DER bytes (TLS chains) */

struct x509_cache;

/*
 * Returns a cache of at most max certificates (0: caches nothing), or NULL
 * on OOM.  Free with x509_cache_free() (NULL-tolerant).
 */
struct x509_cache	*x509_cache_new(size_t max);
void			 x509_cache_free(struct x509_cache *c);
/*
 * As x509_parse() on DER bytes, reusing the decoding of identical bytes
 * seen before; c may be NULL.  On success *out is the caller's (its own
 * X509 reference: x509_info_free()), on failure zeroed with err.
 */
int	x509_parse_cached(struct x509_cache *c, struct x509_info *out,
	    const uint8_t *der, size_t len, struct rw_err *err);

#endif /* RW_PROTO_H */
