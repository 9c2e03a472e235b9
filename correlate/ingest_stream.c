/*
 * ingest_stream.c - turns a byte stream into documents for the JSON and
 * XML normalisers: line mode for JSON lines and XmlWinEventLog lines,
 * document mode for pretty-printed exports.  Bounded: one line is at most
 * max_line bytes, one document at most max_doc.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "correlate/endpoint.h"

enum { M_UNDECIDED = 0, M_LINES, M_DOC };

void
ep_stream_init(struct ep_stream *s, struct ep_ctx *ctx, enum ep_format fmt)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->fmt = fmt;
}

void
ep_stream_free(struct ep_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

static void
count(struct ep_stream *s, const char *reason)
{
	s->ctx->rejected++;
	if (s->ctx->st != NULL)
		stats_incr(s->ctx->st, reason);
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return p;
}

/*
 * Decides the mode from the first complete line (or the whole input at
 * end).  A line that is only "[" or "{", or XML that starts with a
 * declaration or <Events>, opens a document.
 */
static void
decide(struct ep_stream *s, const char *line, size_t len)
{
	const char *p = skip_ws(line, line + len), *end = line + len;

	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (p == end)
		return;		/* blank: decide on the next line */
	if (s->fmt == EP_FMT_AUTO)
		s->fmt = *p == '<' ? EP_FMT_XML : EP_FMT_JSON;
	if (s->fmt == EP_FMT_JSON)
		s->mode = end - p == 1 && (*p == '[' || *p == '{') ? M_DOC :
		    M_LINES;
	else
		s->mode = ((size_t)(end - p) >= 5 &&
		    strncmp(p, "<?xml", 5) == 0) || ((size_t)(end - p) >= 7 &&
		    strncmp(p, "<Events", 7) == 0) ? M_DOC : M_LINES;
}

static int
feed(struct ep_stream *s, const char *doc, size_t len, struct rw_err *err)
{
	if (s->fmt == EP_FMT_XML)
		return ep_xml_feed(s->ctx, doc, len, err);
	if (s->mode == M_DOC)
		return ep_json_feed_doc(s->ctx, doc, len, err);
	return ep_json_feed(s->ctx, doc, len, err);
}

static int
append(struct ep_stream *s, const char *data, size_t len, size_t limit,
    struct rw_err *err)
{
	size_t ncap;
	char *p;

	if (len > limit - s->len)
		return 1;	/* over the limit: caller discards */
	if (s->len + len > s->cap) {
		ncap = s->cap ? s->cap : 4096;
		while (ncap < s->len + len)
			ncap = ncap > limit / 2 ? limit : ncap * 2;
		if ((p = realloc(s->buf, ncap)) == NULL) {
			rw_err_set(err, "endpoint_oom", "stream buffer: out "
			    "of memory");
			return -1;
		}
		s->buf = p;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

/*
 * XML line mode: true while the buffered lines hold an <Event> whose
 * </Event> has not come yet.  Only the newest line is searched, so the
 * work stays linear in the input.
 */
static bool
xml_gather(struct ep_stream *s)
{
	const char *line = s->buf + s->line_off, *end = s->buf + s->len, *p;
	size_t n = (size_t)(end - line);

	if (!s->xml_open) {
		p = skip_ws(line, end);
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
		    end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - p) < 7 || strncmp(p, "<Event", 6) != 0 ||
		    (p[6] != ' ' && p[6] != '>' && p[6] != '\t') ||
		    memmem(p, (size_t)(end - p), "</Event>", 8) != NULL ||
		    (end[-2] == '/' && end[-1] == '>'))
			return false;
		s->xml_open = true;
	} else if (memmem(line, n, "</Event>", 8) != NULL)
		return false;
	s->line_off = s->len;
	return true;
}

/* Line mode: everything up to and including each '\n' is one document. */
static int
write_lines(struct ep_stream *s, const char *data, size_t len,
    struct rw_err *err)
{
	const char *nl;
	size_t n;
	int r;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) + 1 : len;
		if (s->discarding) {
			if (nl != NULL)
				s->discarding = false;
		} else if ((r = append(s, data, n, s->ctx->lim.max_line + 1,
		    err)) == -1)
			return -1;
		else if (r == 1) {
			count(s, "endpoint_line_too_long");
			s->len = s->line_off = 0;
			s->xml_open = false;
			s->discarding = nl == NULL;
		} else if (nl != NULL) {
			if (s->mode == M_UNDECIDED)
				decide(s, s->buf, s->len);
			if (s->mode == M_DOC)
				return 1;	/* keep buffering as a doc */
			if (s->fmt == EP_FMT_XML && xml_gather(s))
				goto next;
			r = feed(s, s->buf, s->len - 1, err);
			s->len = s->line_off = 0;
			s->xml_open = false;
			if (r == -1)
				return -1;
		}
next:
		data += n;
		len -= n;
	}
	return 0;
}

int
ep_stream_write(struct ep_stream *s, const char *data, size_t len,
    struct rw_err *err)
{
	const char *nl;
	size_t n;
	int r;

	if (s->mode == M_DOC) {
		if (s->discarding)
			return 0;
		if ((r = append(s, data, len, s->ctx->lim.max_doc, err)) == 1) {
			count(s, "endpoint_document_too_large");
			s->discarding = true;
			return 0;
		}
		return r;
	}
	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) + 1 : len;
		if ((r = write_lines(s, data, n, err)) == -1)
			return -1;
		data += n;
		len -= n;
		if (r == 1)	/* switched to a document: buffer the rest */
			return ep_stream_write(s, data, len, err);
	}
	return 0;
}

int
ep_stream_end(struct ep_stream *s, struct rw_err *err)
{
	int r = 0;

	if (s->len > 0 && !s->discarding) {
		if (s->mode == M_UNDECIDED)
			decide(s, s->buf, s->len);
		if (s->mode != M_UNDECIDED)
			r = feed(s, s->buf, s->len, err);
	}
	s->len = s->line_off = 0;
	s->discarding = s->xml_open = false;
	return r;
}
