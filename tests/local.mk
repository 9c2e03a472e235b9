EXTRA_DIST += tests/setup tests/fuzz/run-corpus.sh

# Fuzz targets: each fuzz_NAME.c defines LLVMFuzzerTestOneInput and has a
# seed corpus in tests/fuzz/corpus/NAME.  With --enable-fuzz-targets they
# link libFuzzer; otherwise the onefile replayer, which make check runs.
FUZZ_TARGETS =
if FUZZ_LIBFUZZER
FUZZ_LINK_FLAGS = -fsanitize=fuzzer
FUZZ_MAIN =
else
FUZZ_LINK_FLAGS =
FUZZ_MAIN = tests/fuzz/onefile.c
endif
include tests/fuzz/local.mk
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += tests/fuzz/run-corpus.sh
AM_TESTS_ENVIRONMENT += FUZZ_TARGETS='$(FUZZ_TARGETS)'; export FUZZ_TARGETS;

check_PROGRAMS += tests/unit/test_tls
tests_unit_test_tls_SOURCES = tests/unit/test_tls.c tests/unit/asn1_stubs_tls.c
tests_unit_test_tls_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_tls
EXTRA_DIST += tests/data/tls tests/data/certs

check_PROGRAMS += tests/unit/test_x509
tests_unit_test_x509_SOURCES = tests/unit/test_x509.c tests/unit/asn1_stubs_tls.c
tests_unit_test_x509_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_x509

check_PROGRAMS += tests/unit/test_ca_registry
tests_unit_test_ca_registry_SOURCES = tests/unit/test_ca_registry.c tests/unit/asn1_stubs_tls.c
tests_unit_test_ca_registry_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_ca_registry
