# Every target's seed corpus and past findings, replayed by make check.
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/regress

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
FUZZ_TARGETS += tests/fuzz/fuzz_endpoint_json
tests_fuzz_fuzz_endpoint_json_SOURCES = tests/fuzz/fuzz_endpoint_json.c $(FUZZ_MAIN)
tests_fuzz_fuzz_endpoint_json_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_endpoint_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_endpoint_xml
tests_fuzz_fuzz_endpoint_xml_SOURCES = tests/fuzz/fuzz_endpoint_xml.c $(FUZZ_MAIN)
tests_fuzz_fuzz_endpoint_xml_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_endpoint_xml_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
FUZZ_TARGETS += tests/fuzz/fuzz_ocsp_req
tests_fuzz_fuzz_ocsp_req_SOURCES = tests/fuzz/fuzz_ocsp_req.c $(FUZZ_MAIN)
tests_fuzz_fuzz_ocsp_req_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_ocsp_req_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_ocsp_resp
tests_fuzz_fuzz_ocsp_resp_SOURCES = tests/fuzz/fuzz_ocsp_resp.c $(FUZZ_MAIN)
tests_fuzz_fuzz_ocsp_resp_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_ocsp_resp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_crl
tests_fuzz_fuzz_crl_SOURCES = tests/fuzz/fuzz_crl.c $(FUZZ_MAIN)
tests_fuzz_fuzz_crl_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_crl_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_ocsp_get
tests_fuzz_fuzz_ocsp_get_SOURCES = tests/fuzz/fuzz_ocsp_get.c $(FUZZ_MAIN)
tests_fuzz_fuzz_ocsp_get_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_ocsp_get_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
FUZZ_TARGETS += tests/fuzz/fuzz_tls
tests_fuzz_fuzz_tls_SOURCES = tests/fuzz/fuzz_tls.c $(FUZZ_MAIN)
tests_fuzz_fuzz_tls_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_tls_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_x509
tests_fuzz_fuzz_x509_SOURCES = tests/fuzz/fuzz_x509.c $(FUZZ_MAIN)
tests_fuzz_fuzz_x509_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_x509_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_tsp
tests_fuzz_fuzz_tsp_SOURCES = tests/fuzz/fuzz_tsp.c $(FUZZ_MAIN)
tests_fuzz_fuzz_tsp_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_tsp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_redis_url
tests_fuzz_fuzz_redis_url_SOURCES = tests/fuzz/fuzz_redis_url.c $(FUZZ_MAIN)
tests_fuzz_fuzz_redis_url_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_redis_url_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)

FUZZ_TARGETS += tests/fuzz/fuzz_pktpath
tests_fuzz_fuzz_pktpath_SOURCES = tests/fuzz/fuzz_pktpath.c $(FUZZ_MAIN)
tests_fuzz_fuzz_pktpath_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_pktpath_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
EXTRA_DIST += tests/fuzz/mk-pktpath-seeds.py \
	tests/fuzz/campaign.sh

FUZZ_TARGETS += tests/fuzz/fuzz_cluster
tests_fuzz_fuzz_cluster_SOURCES = tests/fuzz/fuzz_cluster.c $(FUZZ_MAIN)
tests_fuzz_fuzz_cluster_LDADD = $(RW_LIBS)
tests_fuzz_fuzz_cluster_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
