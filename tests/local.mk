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
EXTRA_DIST += tests/bench/run.sh

# The bench programs (tests/bench/*.sh run them on demand): built by make
# check, so a change that breaks one fails the suite, not the next bench.
check_PROGRAMS += tests/bench/floor tests/bench/alert_latency \
	tests/bench/redis_write tests/bench/parse_floor
tests_bench_floor_SOURCES = tests/bench/floor.c
tests_bench_floor_LDADD = $(RW_LIBS)
tests_bench_alert_latency_SOURCES = tests/bench/alert_latency.c
tests_bench_alert_latency_LDADD = $(RW_LIBS)
tests_bench_redis_write_SOURCES = tests/bench/redis_write.c src/ingest_redis.c
tests_bench_redis_write_LDADD = $(RW_LIBS)
tests_bench_parse_floor_SOURCES = tests/bench/parse_floor.c
tests_bench_parse_floor_LDADD = $(RW_LIBS)

# Event tests: the sensor on real and generated captures, compared with
# expected events by tests/check_events.py (see tests/README.md).
TESTS += tests/check-events-selftest.sh
TESTS += tests/corpus.sh
TESTS += tests/real-tools.sh
TESTS += tests/timestamp.sh
TESTS += tests/cryptoapi.sh
TESTS += tests/cryptoapi-alerts.sh
TESTS += tests/awkward.sh
TESTS += tests/awkward-regen.sh
TESTS += tests/gen-captures.sh
TESTS += tests/bench-smoke.sh
TESTS += tests/live.sh
TESTS += tests/cli.sh
EXTRA_DIST += tests/README.md
EXTRA_DIST += tests/check_events.py
EXTRA_DIST += tests/events.sh
EXTRA_DIST += tests/check-events-selftest.sh
EXTRA_DIST += tests/corpus.sh
EXTRA_DIST += tests/real-tools.sh
EXTRA_DIST += tests/timestamp.sh
EXTRA_DIST += tests/cryptoapi.sh
EXTRA_DIST += tests/cryptoapi-alerts.sh
EXTRA_DIST += tests/awkward.sh
EXTRA_DIST += tests/awkward-regen.sh
EXTRA_DIST += tests/gen-captures.sh
EXTRA_DIST += tests/bench-smoke.sh
EXTRA_DIST += tests/gen
EXTRA_DIST += tests/data
EXTRA_DIST += tests/expected
EXTRA_DIST += tests/bench

check_PROGRAMS += tests/unit/test_http
tests_unit_test_http_SOURCES = tests/unit/test_http.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_http_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_http

check_PROGRAMS += tests/unit/test_objtype
tests_unit_test_objtype_SOURCES = tests/unit/test_objtype.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_objtype_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_objtype
EXTRA_DIST += tests/data/obj

# proto_stubs.c stands in for proto/ocsp.c and proto/crl.c until they merge
check_PROGRAMS += tests/unit/test_app
tests_unit_test_app_SOURCES = tests/unit/test_app.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_app_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_app

check_PROGRAMS += tests/unit/test_endpoint
tests_unit_test_endpoint_SOURCES = tests/unit/test_endpoint.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_endpoint_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_endpoint
EXTRA_DIST += tests/data/endpoint

check_PROGRAMS += tests/unit/test_score
tests_unit_test_score_SOURCES = tests/unit/test_score.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_score_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_score

TESTS += tests/ingest.sh
EXTRA_DIST += tests/ingest.sh

check_PROGRAMS += tests/unit/test_ocsp
tests_unit_test_ocsp_SOURCES = tests/unit/test_ocsp.c tests/unit/unit.c tests/unit/unit.h \
	tests/unit/vectors.h
tests_unit_test_ocsp_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_ocsp

check_PROGRAMS += tests/unit/test_crl
tests_unit_test_crl_SOURCES = tests/unit/test_crl.c tests/unit/unit.c tests/unit/unit.h \
	tests/unit/vectors.h
tests_unit_test_crl_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_crl

check_PROGRAMS += tests/unit/test_eve
tests_unit_test_eve_SOURCES = tests/unit/test_eve.c tests/unit/unit.c tests/unit/unit.h \
	tests/unit/vectors.h
tests_unit_test_eve_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_eve

TESTS += tests/eve-schema.sh
EXTRA_DIST += tests/eve-schema.sh docs/eve.schema.json docs/events.md

check_PROGRAMS += tests/unit/test_tls
tests_unit_test_tls_SOURCES = tests/unit/test_tls.c tests/unit/unit.c
tests_unit_test_tls_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_tls
EXTRA_DIST += tests/data/tls tests/data/certs

check_PROGRAMS += tests/unit/test_x509
tests_unit_test_x509_SOURCES = tests/unit/test_x509.c tests/unit/unit.c
tests_unit_test_x509_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_x509

check_PROGRAMS += tests/unit/test_ca_registry
tests_unit_test_ca_registry_SOURCES = tests/unit/test_ca_registry.c tests/unit/unit.c
tests_unit_test_ca_registry_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_ca_registry

check_PROGRAMS += tests/unit/test_tsp
tests_unit_test_tsp_SOURCES = tests/unit/test_tsp.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_tsp_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_tsp
check_PROGRAMS += tests/unit/test_ocsp_verify
tests_unit_test_ocsp_verify_SOURCES = tests/unit/test_ocsp_verify.c tests/unit/unit.c
tests_unit_test_ocsp_verify_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_ocsp_verify

# correlation in Redis (real redis-server on a unix socket in $TMP)
TESTS += tests/corr-e2e.sh
EXTRA_DIST += tests/corr-e2e.sh tests/redis.sh
TESTS += tests/corr-serial.sh
EXTRA_DIST += tests/corr-serial.sh
TESTS += tests/redis-replay.sh
TESTS += tests/corr-ci.sh
EXTRA_DIST += tests/corr-ci.sh
TESTS += tests/live-redis.sh
EXTRA_DIST += tests/live-redis.sh
EXTRA_DIST += tests/redis-replay.sh tests/redis-cut.py
TESTS += tests/redis-embedded.sh
EXTRA_DIST += tests/redis-embedded.sh
EXTRA_DIST += docs/redis-embedded.md

check_PROGRAMS += tests/unit/test_corr
tests_unit_test_corr_SOURCES = tests/unit/test_corr.c tests/unit/unit.c tests/unit/unit.h \
	tests/unit/redis_server.c tests/unit/redis_server.h
tests_unit_test_corr_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_corr
TESTS += tests/redis-list.sh
EXTRA_DIST += tests/redis-list.sh
TESTS += tests/redis-cluster.sh
EXTRA_DIST += tests/redis-cluster.sh
TESTS += tests/redis-refuse.sh
EXTRA_DIST += tests/redis-refuse.sh
TESTS += tests/redis-huge-reply.sh
EXTRA_DIST += tests/redis-huge-reply.sh tests/redis-huge.py
TESTS += tests/ingest-stats.sh
EXTRA_DIST += tests/ingest-stats.sh
TESTS += tests/ca-registry-redis.sh
EXTRA_DIST += tests/ca-registry-redis.sh

TESTS += tests/sensor-options.sh
EXTRA_DIST += tests/sensor-options.sh
