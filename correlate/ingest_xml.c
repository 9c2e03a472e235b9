/*
 * ingest_xml.c - Windows event XML (Splunk's XmlWinEventLog lines, the
 * Event Viewer <Events> export) with expat.
 *
 * Hostile XML is refused before it costs anything: any DOCTYPE stops the
 * parser (so no entity is ever declared, let alone expanded: the billion
 * laughs fails at its first line), parameter entities are off, expat's own
 * amplification limit is set as a second wall, and element depth,
 * attributes per element, Data elements per event and text per element
 * are bounded.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "correlate/endpoint.h"

enum xsec { X_NONE, X_SYSTEM, X_EVENTDATA };

/* What the element being read is, when its text matters. */
enum xtext {
	T_NONE, T_EVENTID, T_RECORDID, T_CHANNEL, T_COMPUTER, T_DATA
};

struct xstate {
	struct ep_ctx	*ctx;
	XML_Parser	 p;
	unsigned	 depth;
	unsigned	 event_depth;	/* depth of <Event>, 0 outside */
	enum xsec	 sec;
	enum xtext	 want;
	const char	*fail;		/* reason that stopped the parser */
	bool		 skip_event;	/* dropped or rejected: read to </Event> */
	bool		 header_done;
	int		 stop;
	unsigned	 nfields;
	struct rw_err	 err;

	/* System header, kept until </System> decides the kind */
	char		 provider[EP_NAME_MAX];
	char		 channel[EP_NAME_MAX];
	char		 computer[EP_NAME_MAX];
	char		 systime[64];
	char		 user_sid[EP_NAME_MAX];
	char		 activity[EP_NAME_MAX];
	char		 event_id[16];
	char		 record_id[32];

	char		 data_name[EP_NAME_MAX];
	size_t		 textlen;
	bool		 text_over;
	char		 text[EP_CMD_MAX];
};

static void
count(struct ep_ctx *ctx, const char *reason)
{
	if (ctx->st != NULL)
		stats_incr(ctx->st, reason);
}

/* Fatal for the document: stop expat, remember why. */
static void
xfail(struct xstate *x, const char *reason)
{
	if (x->fail == NULL)
		x->fail = reason;
	XML_StopParser(x->p, XML_FALSE);
}

/* Fatal for the event only: count it, read on to </Event>. */
static void
xreject(struct xstate *x, const char *reason)
{
	if (!x->skip_event) {
		x->ctx->rejected++;
		count(x->ctx, reason);
	}
	x->skip_event = true;
}

static const char *
attr(const XML_Char **atts, const char *name)
{
	for (; atts[0] != NULL; atts += 2)
		if (strcmp(atts[0], name) == 0)
			return atts[1];
	return NULL;
}

static void
copy_attr(char *dst, size_t dstsz, const XML_Char **atts, const char *name,
    struct xstate *x)
{
	const char *v = attr(atts, name);

	if (v == NULL)
		return;
	if (ep_set_str(dst, dstsz, v, strlen(v), &x->err) == -1)
		xreject(x, x->err.reason);
}

static void
start_event(struct xstate *x)
{
	x->event_depth = x->depth;
	x->sec = X_NONE;
	x->skip_event = false;
	x->header_done = false;
	x->nfields = 0;
	x->provider[0] = x->channel[0] = x->computer[0] = '\0';
	x->systime[0] = x->user_sid[0] = x->activity[0] = '\0';
	x->event_id[0] = x->record_id[0] = '\0';
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct xstate *x = arg;
	unsigned n;

	if (++x->depth > x->ctx->lim.max_depth) {
		xfail(x, "endpoint_xml_too_deep");
		return;
	}
	for (n = 0; atts[n] != NULL; n += 2)
		;
	if (n / 2 > x->ctx->lim.max_attrs) {
		xfail(x, "endpoint_xml_too_many_attrs");
		return;
	}
	x->want = T_NONE;
	x->textlen = 0;
	x->text_over = false;
	if (strcmp(name, "Event") == 0 && x->event_depth == 0) {
		start_event(x);
		return;
	}
	if (x->event_depth == 0 || x->skip_event)
		return;
	if (x->depth == x->event_depth + 1) {
		x->sec = strcmp(name, "System") == 0 ? X_SYSTEM :
		    strcmp(name, "EventData") == 0 ? X_EVENTDATA : X_NONE;
		return;
	}
	if (x->sec == X_SYSTEM && x->depth == x->event_depth + 2) {
		if (strcmp(name, "Provider") == 0)
			copy_attr(x->provider, sizeof(x->provider), atts,
			    "Name", x);
		else if (strcmp(name, "TimeCreated") == 0)
			copy_attr(x->systime, sizeof(x->systime), atts,
			    "SystemTime", x);
		else if (strcmp(name, "Security") == 0)
			copy_attr(x->user_sid, sizeof(x->user_sid), atts,
			    "UserID", x);
		else if (strcmp(name, "Correlation") == 0)
			copy_attr(x->activity, sizeof(x->activity), atts,
			    "ActivityID", x);
		else if (strcmp(name, "EventID") == 0)
			x->want = T_EVENTID;
		else if (strcmp(name, "EventRecordID") == 0)
			x->want = T_RECORDID;
		else if (strcmp(name, "Channel") == 0)
			x->want = T_CHANNEL;
		else if (strcmp(name, "Computer") == 0)
			x->want = T_COMPUTER;
		return;
	}
	if (x->sec == X_EVENTDATA && x->depth == x->event_depth + 2 &&
	    strcmp(name, "Data") == 0 && x->header_done) {
		if (++x->nfields > x->ctx->lim.max_fields) {
			xreject(x, "endpoint_too_many_fields");
			return;
		}
		x->data_name[0] = '\0';
		copy_attr(x->data_name, sizeof(x->data_name), atts, "Name", x);
		if (x->data_name[0] != '\0')
			x->want = T_DATA;
	}
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct xstate *x = arg;

	if (x->want == T_NONE || len <= 0)
		return;
	/* remaining-room guard; text is bounded by the largest field */
	if ((size_t)len > sizeof(x->text) - 1 - x->textlen) {
		x->text_over = true;
		return;
	}
	memcpy(x->text + x->textlen, s, (size_t)len);
	x->textlen += (size_t)len;
	x->text[x->textlen] = '\0';
}

static void
save_text(struct xstate *x, char *dst, size_t dstsz)
{
	if (ep_set_str(dst, dstsz, x->text, x->textlen, &x->err) == -1)
		xreject(x, x->err.reason);
}

/* </System>: the kind is known; drop early or start the event. */
static void
end_system(struct xstate *x)
{
	struct ep_event *ev = x->ctx->ev;
	enum ep_kind kind;
	char *end;
	unsigned long id;

	x->header_done = true;
	id = strtoul(x->event_id, &end, 10);
	if (x->event_id[0] < '0' || x->event_id[0] > '9' || *end != '\0' ||
	    id > 65535) {
		xreject(x, "endpoint_bad_event_id");
		return;
	}
	if ((kind = ep_kind_of(x->provider, x->channel, (unsigned)id)) ==
	    EP_KIND_NONE) {
		x->ctx->dropped++;
		count(x->ctx, "endpoint_dropped_event_id");
		x->skip_event = true;
		return;
	}
	ep_event_reset(ev);
	ev->source = EP_SRC_XML;
	ev->kind = kind;
	ev->event_id = (unsigned)id;
	memcpy(ev->provider, x->provider, sizeof(ev->provider));
	memcpy(ev->channel, x->channel, sizeof(ev->channel));
	memcpy(ev->computer, x->computer, sizeof(ev->computer));
	memcpy(ev->user_sid, x->user_sid, sizeof(ev->user_sid));
	memcpy(ev->ci.activity_id, x->activity, sizeof(ev->ci.activity_id));
	if (x->record_id[0] >= '0' && x->record_id[0] <= '9') {
		ev->record_id = strtoull(x->record_id, &end, 10);
		ev->has_record_id = *end == '\0';
	}
	if (x->systime[0] != '\0') {
		if (ep_parse_time(x->systime, &ev->ts_us) == -1) {
			xreject(x, "endpoint_bad_time");
			return;
		}
		ev->has_ts = true;
	}
}

static void
end_event(struct xstate *x)
{
	struct ep_event *ev = x->ctx->ev;

	x->event_depth = 0;
	if (x->skip_event)
		return;
	if (!x->header_done) {
		xreject(x, "endpoint_missing_field");
		return;
	}
	if (!ev->has_ts && ev->has_utc_time) {
		ev->ts_us = ev->utc_time_us;
		ev->has_ts = true;
	}
	if (ep_event_check(ev, &x->err) == -1) {
		xreject(x, x->err.reason);
		return;
	}
	x->ctx->kept++;
	count(x->ctx, "endpoint_events_kept");
	if (x->ctx->sink != NULL && x->ctx->sink(ev, x->ctx->sink_arg) == -1) {
		x->stop = 1;
		XML_StopParser(x->p, XML_FALSE);
	}
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct xstate *x = arg;
	enum xtext want = x->want;

	x->want = T_NONE;
	if (x->event_depth != 0 && x->depth == x->event_depth) {
		x->depth--;
		end_event(x);
		return;
	}
	x->depth--;
	if (x->event_depth == 0 || x->skip_event)
		return;
	if (want != T_NONE && x->text_over) {
		xreject(x, "endpoint_field_too_long");
		return;
	}
	switch (want) {
	case T_EVENTID:
		save_text(x, x->event_id, sizeof(x->event_id));
		return;
	case T_RECORDID:
		save_text(x, x->record_id, sizeof(x->record_id));
		return;
	case T_CHANNEL:
		save_text(x, x->channel, sizeof(x->channel));
		return;
	case T_COMPUTER:
		save_text(x, x->computer, sizeof(x->computer));
		return;
	case T_DATA:
		if (ep_apply_field(x->ctx->ev, x->data_name, x->text,
		    x->textlen, &x->err) == -1)
			xreject(x, x->err.reason);
		return;
	default:
		break;
	}
	if (x->depth == x->event_depth && strcmp(name, "System") == 0)
		end_system(x);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	xfail(arg, "endpoint_xml_dtd");
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param,
    const XML_Char *value, int value_length, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_length;
	(void)base, (void)sysid, (void)pubid, (void)notation;
	xfail(arg, "endpoint_xml_dtd");
}

static XML_Parser
new_parser(struct xstate *x)
{
	XML_Parser p;

	if ((p = XML_ParserCreate("UTF-8")) == NULL)
		return NULL;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
#ifdef XML_DTD
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 10.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(p, 1024 * 1024);
#endif
	return p;
}

int
ep_xml_feed(struct ep_ctx *ctx, const char *buf, size_t len,
    struct rw_err *err)
{
	struct xstate *x;
	enum XML_Status st;
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	if (i == len)
		return 0;
	if (len > ctx->lim.max_doc || len > (size_t)INT32_MAX) {
		ctx->rejected++;
		count(ctx, "endpoint_xml_too_large");
		return 0;
	}
	if (buf[i] != '<') {
		/* e.g. the classic WinEventLog text records in a Splunk export */
		ctx->rejected++;
		count(ctx, "endpoint_xml_not_xml");
		return 0;
	}
	if (!ep_utf8_valid(buf, len)) {
		ctx->rejected++;
		count(ctx, "endpoint_invalid_utf8");
		return 0;
	}
	if (ctx->xml == NULL && (ctx->xml = malloc(sizeof(*x))) == NULL) {
		rw_err_set(err, "endpoint_oom", "XML state: out of memory");
		return -1;
	}
	x = ctx->xml;
	memset(x, 0, offsetof(struct xstate, text));
	x->text[0] = '\0';
	x->ctx = ctx;
	if ((x->p = new_parser(x)) == NULL) {
		rw_err_set(err, "endpoint_oom", "XML parser: out of memory");
		return -1;
	}
	st = XML_Parse(x->p, buf, (int)len, XML_TRUE);
	if (x->stop) {
		XML_ParserFree(x->p);
		rw_err_set(err, "endpoint_consumer_stopped",
		    "the event consumer stopped the batch");
		return -1;
	}
	/* a line holding only a comment or a processing instruction */
	if (st != XML_STATUS_OK && x->fail == NULL && x->depth == 0 &&
	    XML_GetErrorCode(x->p) == XML_ERROR_NO_ELEMENTS) {
		XML_ParserFree(x->p);
		x->p = NULL;
		return 0;
	}
	if (st != XML_STATUS_OK) {
		/* the event being read when it broke is lost, counted once */
		if (x->event_depth != 0 && !x->skip_event)
			x->skip_event = true;
		ctx->rejected++;
		count(ctx, x->fail != NULL ? x->fail :
		    XML_GetErrorCode(x->p) ==
		    XML_ERROR_AMPLIFICATION_LIMIT_BREACH ?
		    "endpoint_xml_dtd" : "endpoint_xml_malformed");
	}
	XML_ParserFree(x->p);
	x->p = NULL;
	return 0;
}
