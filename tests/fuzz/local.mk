# One block per target, e.g.
#   FUZZ_TARGETS += tests/fuzz/fuzz_http
#   tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c $(FUZZ_MAIN)
#   tests_fuzz_fuzz_http_LDADD = $(RW_LIBS)
#   tests_fuzz_fuzz_http_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

# asn1_stubs_tls.c: test-only until proto/asn1.c merges (lead removes it)
FUZZ_TARGETS += tests/fuzz/fuzz_tls
tests_fuzz_fuzz_tls_SOURCES = tests/fuzz/fuzz_tls.c tests/unit/asn1_stubs_tls.c $(FUZZ_MAIN)
tests_fuzz_fuzz_tls_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_tls_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_x509
tests_fuzz_fuzz_x509_SOURCES = tests/fuzz/fuzz_x509.c tests/unit/asn1_stubs_tls.c $(FUZZ_MAIN)
tests_fuzz_fuzz_x509_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_x509_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
