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

check_PROGRAMS += tests/unit/test_ocsp
tests_unit_test_ocsp_SOURCES = tests/unit/test_ocsp.c tests/unit/unit.h \
	tests/unit/vectors.h
tests_unit_test_ocsp_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_ocsp

check_PROGRAMS += tests/unit/test_crl
tests_unit_test_crl_SOURCES = tests/unit/test_crl.c tests/unit/unit.h \
	tests/unit/vectors.h
tests_unit_test_crl_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_crl

check_PROGRAMS += tests/unit/test_eve
tests_unit_test_eve_SOURCES = tests/unit/test_eve.c tests/unit/unit.h \
	tests/unit/vectors.h
tests_unit_test_eve_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_eve

TESTS += tests/eve-schema.sh
EXTRA_DIST += tests/eve-schema.sh docs/eve.schema.json docs/events.md
