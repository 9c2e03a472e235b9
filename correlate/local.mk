librevwire_a_SOURCES += \
	correlate/ca_registry.c \
	correlate/correlate.h \
	correlate/ocsp_verify.c \
	correlate/endpoint.c \
	correlate/endpoint.h \
	correlate/ep_json.c \
	correlate/ingest_json.c \
	correlate/ingest_stream.c \
	correlate/ingest_xml.c \
	correlate/score.c \
	correlate/score.h

EXTRA_DIST += docs/scoring.md
EXTRA_DIST += docs/endpoint-ingest.md
