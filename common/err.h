/*
 * err.h - the one error-reporting convention of the tree.
 *
 * Library-style modules (proto/, redis/, correlate/) never log or exit.  A
 * function that can fail returns 0 on success and -1 on failure, and fills
 * the caller's struct rw_err (which may be NULL) through rw_err_set().
 *
 * err->reason is a stable snake_case name ("ocsp_trailing_data",
 * "http_header_too_long") that callers count in the stats table; err->msg is
 * the human sentence: object identity first, then the spec clause and the
 * want/have values.  Attacker bytes enter msg only through rw_escape().
 */
#ifndef RW_ERR_H
#define RW_ERR_H

#include <stddef.h>

#define RW_ERR_MSG_MAX	256

struct rw_err {
	const char	*reason;	/* static string, never freed */
	char		 msg[RW_ERR_MSG_MAX];
};

/* Clears err (NULL-tolerant). */
void	rw_err_clear(struct rw_err *err);

/*
 * Sets reason and formats msg (NULL-tolerant).  reason must be a string
 * literal or otherwise outlive err.
 */
void	rw_err_set(struct rw_err *err, const char *reason, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Writes a bounded, escaped sample of untrusted bytes into dst (always
 * NUL-terminated when dstsz > 0): printable ASCII as is, the rest as \xNN,
 * cut with "..." when it does not fit.  Returns dst.
 */
char	*rw_escape(char *dst, size_t dstsz, const void *src, size_t len);

#endif /* RW_ERR_H */
