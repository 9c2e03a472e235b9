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
	correlate/jdoc.c \
	correlate/jdoc.h \
	correlate/score.c \
	correlate/score.h

EXTRA_DIST += docs/scoring.md
EXTRA_DIST += docs/endpoint-ingest.md

# correlation: C glue, the key schema, and the Lua function library, which
# stays a real file and becomes a C string at build time
librevwire_a_SOURCES += \
	correlate/corr.c \
	correlate/corr.h \
	redis/schema.c \
	redis/schema.h
nodist_librevwire_a_SOURCES = correlate/revwire_lua.c
BUILT_SOURCES = correlate/revwire_lua.c
CLEANFILES += correlate/revwire_lua.c
EXTRA_DIST += correlate/revwire.lua docs/redis-schema.md docs/correlation.md

correlate/revwire_lua.c: $(top_srcdir)/correlate/revwire.lua
	$(AM_V_GEN)$(MKDIR_P) correlate && { \
	  echo '/* generated from correlate/revwire.lua by correlate/local.mk */'; \
	  echo 'extern const char rw_revwire_lua[];'; \
	  echo 'const char rw_revwire_lua[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
	    $(top_srcdir)/correlate/revwire.lua; \
	  echo ';'; } >$@.tmp && mv $@.tmp $@
