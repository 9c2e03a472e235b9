#!/bin/sh
# The sensor on the shared real captures (../shared/corpus/pcap) against
# tests/expected/corpus/*.json, transcribed from the corpus MANIFEST.md
# (tshark-verified figures, not revwire output).  See
# tests/expected/corpus/README.md for what each file asserts.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
need_shared
P="$SHARED_CORPUS/pcap"
E="$top_srcdir/tests/expected/corpus"

# capture  expected-file  packets (only where the MANIFEST gives the count)
sensor_check "$P/zeek/ocsp-request-response.pcap"  "$E/zeek-ocsp-request-response.json"
sensor_check "$P/zeek/ocsp-request-only.pcap"      "$E/zeek-ocsp-request-only.json"
sensor_check "$P/zeek/ocsp-response-only.pcap"     "$E/zeek-ocsp-response-only.json"
sensor_check "$P/zeek/ocsp-http-get.pcap"          "$E/zeek-ocsp-http-get.json"
sensor_check "$P/zeek/ocsp-revoked.pcap"           "$E/zeek-ocsp-revoked.json"
sensor_check "$P/zeek/ocsp-empty-responderid.pcap" "$E/zeek-ocsp-empty-responderid.json"
sensor_check "$P/ndpi/ocsp.pcapng"                 "$E/ndpi-ocsp.json" 344
sensor_check "$P/ndpi/crawler_false_positive.pcapng" "$E/ndpi-crawler_false_positive.json" 12
sensor_check "$P/ndpi/http_invalid_server.pcap"    "$E/ndpi-http_invalid_server.json" 12
sensor_check "$P/suricata-verify/tls-subjectaltname.pcap" \
    "$E/suricata-verify-tls-subjectaltname.json" 3138
sensor_check "$P/pcapplusplus/example2.pcap"       "$E/pcapplusplus-example2.json" 4709
sensor_check "$P/pcapplusplus/raw_ip.pcap"         "$E/pcapplusplus-raw_ip.json" 100
# TLS handshakes (chains, stapled OCSP) and AIA CA-certificate downloads
sensor_check "$P/zeek/ocsp-stapling.pcap"          "$E/zeek-ocsp-stapling.json"
sensor_check "$P/zeek/ocsp-stapling-digicert.pcap" "$E/zeek-ocsp-stapling-digicert.json"
sensor_check "$P/zeek/ocsp-stapling-twimg.pcap"    "$E/zeek-ocsp-stapling-twimg.json"
sensor_check "$P/zeek/signed_certificate_timestamp.pcap" \
    "$E/zeek-signed_certificate_timestamp.json"
sensor_check "$P/zeek/signed_certificate_timestamp-2.pcap" \
    "$E/zeek-signed_certificate_timestamp-2.json"
sensor_check "$P/arkime/https-generalizedtime.pcap" "$E/arkime-https-generalizedtime.json" 6
sensor_check "$P/ndpi/protonvpn.pcap"              "$E/ndpi-protonvpn.json" 41
sensor_check "$P/ndpi/tls_certificate_too_long.pcap" "$E/ndpi-tls_certificate_too_long.json" 315
finish
