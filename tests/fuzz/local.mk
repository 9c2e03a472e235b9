# One block per target, e.g.
#   FUZZ_TARGETS += tests/fuzz/fuzz_http
#   tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c $(FUZZ_MAIN)
#   tests_fuzz_fuzz_http_LDADD = $(RW_LIBS)
#   tests_fuzz_fuzz_http_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_http
tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c $(FUZZ_MAIN)
tests_fuzz_fuzz_http_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_http_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_objtype
tests_fuzz_fuzz_objtype_SOURCES = tests/fuzz/fuzz_objtype.c $(FUZZ_MAIN)
tests_fuzz_fuzz_objtype_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_objtype_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
