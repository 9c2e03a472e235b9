/*
 * correlate.h - the contract of correlate/: state that joins what the
 * wire and the endpoints show.  Library code: never logs or exits.
 */
#ifndef RW_CORRELATE_H
#define RW_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/err.h"
#include "common/stats.h"
#include "proto/proto.h"

/* ca_registry.c: CA certificates by OCSP issuer hashes and by name */

enum ca_source { CA_SRC_UNKNOWN = 0, CA_SRC_TRUST_STORE, CA_SRC_WIRE };

struct ca_entry {
	char		name[NAME_TEXT_MAX];	/* subject, RFC 2253 */
	enum ca_source	source;
	bool		code_signing;	/* EKU in it or its issued certs, or name */
	char		name_hash_sha1[41], key_hash_sha1[41];
	char		name_hash_sha256[65], key_hash_sha256[65];
	char		ski[HASH_HEX_MAX];	/* "" if absent */
	X509		*x;		/* owned by the registry */
	uint64_t	seq;		/* insertion order, for eviction */
};

struct ca_registry;

/*
 * Returns an empty registry holding at most max entries, or NULL on OOM.
 * When full, the oldest wire-learned entry is evicted ("ca_registry_evicted");
 * if all are trust-store entries the new one is dropped
 * ("ca_registry_full").  st must outlive it.  Free with ca_registry_free().
 */
struct ca_registry	*ca_registry_new(size_t max, struct stats *st);
void			 ca_registry_free(struct ca_registry *r);

/*
 * Loads every certificate of a PEM bundle file (or every regular file of
 * a directory) as trust_store entries.  Returns the number added, or -1
 * with err when the path cannot be read.
 */
int	ca_registry_load_file(struct ca_registry *r, const char *path,
	    struct rw_err *err);
int	ca_registry_load_dir(struct ca_registry *r, const char *path,
	    struct rw_err *err);

/*
 * Learns a certificate seen on the wire.  CA certificates (basicConstraints
 * cA) are added with source wire unless already known (same SHA-1 name
 * and key hash); any certificate with EKU codeSigning marks its issuer (by
 * name) code_signing.  Returns 1 added, 0 not added.
 */
int	ca_registry_learn(struct ca_registry *r, const struct x509_info *info);

/*
 * Learns a CA certificate only when its signature verifies under the key
 * of a CA the registry already holds (chain building over a TLS chain:
 * an intermediate a known CA signed is known, whoever carried it).
 * Returns 1 added, 0 not.
 */
int	ca_registry_learn_verified(struct ca_registry *r,
	    const struct x509_info *info);

/*
 * Adds a CA certificate an earlier run learned from the wire (persisted
 * by the on_learn hook's owner) with source wire, without calling the
 * hook.  The caller has checked the stored bytes (they decode, their
 * fingerprint is the one they were stored under).  Returns 1 added, 0 not
 * (not a CA, known already, or the registry is full of trust-store CAs).
 */
int	ca_registry_restore(struct ca_registry *r,
	    const struct x509_info *info);

/*
 * Called once for every CA certificate ca_registry_learn() or
 * ca_registry_learn_verified() added; info is only borrowed for the call.
 * fn NULL: none.  Lets the owner persist what the wire taught while the
 * registry itself does no I/O.
 */
typedef void (*ca_learn_fn)(void *arg, const struct x509_info *info);
void	ca_registry_set_on_learn(struct ca_registry *r, ca_learn_fn fn,
	    void *arg);

/*
 * Finds a CA by an OCSP CertID's hashes; alg is "sha1" or "sha256", hashes
 * lower- or upper-case hex.  Returns the entry (owned by the registry, valid
 * until the next learn/load/free), or NULL: unknown, never a guess.
 */
const struct ca_entry	*ca_registry_lookup_hash(const struct ca_registry *r,
			    const char *alg, const char *name_hash,
			    const char *key_hash);
/*
 * Finds the CA that issued an object naming issuer `name` with authority
 * key identifier `aki` ("" or NULL when absent): the subject must match,
 * and when both the AKI and the CA's SKI are known they must match too,
 * so a namesake with another key is never taken.  NULL when unknown.
 */
const struct ca_entry	*ca_registry_lookup_issuer(const struct ca_registry *r,
			    const char *name, const char *aki);
/* Finds a CA by subject name (RFC 2253 text); NULL when unknown. */
const struct ca_entry	*ca_registry_lookup_name(const struct ca_registry *r,
			    const char *subject);
size_t			 ca_registry_count(const struct ca_registry *r);
/* "trust_store", "wire", "unknown". */
const char		*ca_source_name(enum ca_source s);

/* ocsp_verify.c: judging an OCSP response against its issuer */

enum rw_tri { RW_TRI_NULL = 0, RW_TRI_FALSE, RW_TRI_TRUE };

struct ocsp_verdict {
	bool		checked;	/* a basic response was judged */
	/*
	 * The signature verifies under the issuer's key or the key of a
	 * certificate the issuer signed; null when the issuer is unknown.
	 */
	enum rw_tri	signature_valid;
	/* signer is the issuer, or issued by it with id-kp-OCSPSigning */
	enum rw_tri	responder_authorized;
	/*
	 * Why signature_valid or responder_authorized is not true, a stable
	 * name: signer_not_found, bad_signature, responder_not_issued_by_ca,
	 * responder_lacks_ocsp_signing; NULL otherwise.
	 */
	const char	*error;
	bool		stale;		/* a nextUpdate before the packet time */
	bool		has_request;	/* unsolicited/nonce_mismatch apply */
	bool		unsolicited;	/* a serial the request did not ask */
	bool		nonce_mismatch;	/* both carry nonces and they differ */
};

/*
 * Judges resp at packet time now.  issuer is the CA its CertIDs name
 * (NULL: unknown, so signature_valid and responder_authorized stay null).
 * asked holds the CertIDs the matching request asked about (NULL: no
 * request seen, or it was cut), req_nonce its nonce text (NULL: none).
 * Never fails; a response without a basic body leaves checked false.
 */
void	ocsp_verify(struct ocsp_verdict *v, const struct ocsp_resp *resp,
	    const struct ca_entry *issuer, const struct ocsp_certid *asked,
	    size_t n_asked, const char *req_nonce, time_t now);

#endif /* RW_CORRELATE_H */
