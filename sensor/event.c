/* event.c - names of wire event types, as the JSON event_type field. */
#include "config.h"

#include "sensor/event.h"

const char *
wire_event_type_name(enum wire_event_type t)
{
	switch (t) {
	case WE_OCSP:		return "ocsp";
	case WE_CRL:		return "crl";
	case WE_CA_CERT:	return "ca_cert";
	case WE_TIMESTAMP:	return "timestamp";
	case WE_TLS:		return "tls";
	case WE_CRYPTOAPI_OTHER: return "cryptoapi_other";
	}
	return "unknown";
}
