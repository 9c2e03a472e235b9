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
 * Finds a CA by an OCSP CertID's hashes; alg is "sha1" or "sha256", hashes
 * lower- or upper-case hex.  Returns the entry (owned by the registry, valid
 * until the next learn/load/free), or NULL: unknown, never a guess.
 */
const struct ca_entry	*ca_registry_lookup_hash(const struct ca_registry *r,
			    const char *alg, const char *name_hash,
			    const char *key_hash);
/* Finds a CA by subject name (RFC 2253 text); NULL when unknown. */
const struct ca_entry	*ca_registry_lookup_name(const struct ca_registry *r,
			    const char *subject);
size_t			 ca_registry_count(const struct ca_registry *r);
/* "trust_store", "wire", "unknown". */
const char		*ca_source_name(enum ca_source s);

#endif /* RW_CORRELATE_H */
