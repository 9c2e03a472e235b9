#!/usr/bin/env python3
"""Developer tool: every literal value in tests/expected/corpus/*.json must be
found by tshark in the capture it describes (catches transcription typos).

usage: crosscheck-corpus.py SHARED_PCAP_DIR EXPECTED_DIR

Not part of `make check`: tshark's field formats change between versions.
Values are compared after normalisation (serials upper-case without the 00
pad, hashes lower-case, times RFC 3339, reason/status codes as names).  The
`http.url` of GET requests is compared percent-encoded, as on the wire.
"""

import datetime
import json
import os
import subprocess
import sys

CAPTURES = {
    "zeek-ocsp-request-response": "zeek/ocsp-request-response.pcap",
    "zeek-ocsp-request-only": "zeek/ocsp-request-only.pcap",
    "zeek-ocsp-response-only": "zeek/ocsp-response-only.pcap",
    "zeek-ocsp-http-get": "zeek/ocsp-http-get.pcap",
    "zeek-ocsp-revoked": "zeek/ocsp-revoked.pcap",
    "zeek-ocsp-empty-responderid": "zeek/ocsp-empty-responderid.pcap",
    "ndpi-ocsp": "ndpi/ocsp.pcapng",
    "ndpi-crawler_false_positive": "ndpi/crawler_false_positive.pcapng",
    "ndpi-http_invalid_server": "ndpi/http_invalid_server.pcap",
    "suricata-verify-tls-subjectaltname":
        "suricata-verify/tls-subjectaltname.pcap",
    "pcapplusplus-example2": "pcapplusplus/example2.pcap",
    "pcapplusplus-raw_ip": "pcapplusplus/raw_ip.pcap",
}
FIELDS = ["http.host", "http.request.uri", "http.user_agent",
          "http.content_type", "http.request.method", "http.response.code",
          "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
          "ocsp.serialNumber", "ocsp.issuerNameHash", "ocsp.issuerKeyHash",
          "ocsp.thisUpdate", "ocsp.nextUpdate", "ocsp.producedAt",
          "ocsp.revocationTime", "ocsp.revocationReason", "ocsp.certStatus",
          "ocsp.responseStatus", "ocsp.ReOcspNonce", "ocsp.byKey",
          "x509af.utcTime", "x509ce.CRLNumber", "x509sat.printableString",
          "x509sat.uTF8String", "x509sat.CountryName"]
REASONS = ["unspecified", "keyCompromise", "cACompromise",
           "affiliationChanged", "superseded", "cessationOfOperation",
           "certificateHold", "7", "removeFromCRL", "privilegeWithdrawn",
           "aACompromise"]
CERT = ["good", "revoked", "unknown"]
RESP = ["successful", "malformedRequest", "internalError", "tryLater", "4",
        "sigRequired", "unauthorized"]


def norm_time(v):
    """'Jul  7, 2015 16:28:34.000000000 UTC' or '2015-07-06 00:00:00 (UTC)'."""
    v = " ".join(v.split()).split(".")[0].replace(" (UTC)", "")
    v = v.replace(" UTC", "")
    for fmt in ("%b %d, %Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            t = datetime.datetime.strptime(v, fmt)
            return t.strftime("%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            pass
    return None


def values(pcap):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-T", "fields", "-E", "separator=\t",
         "-E", "aggregator=\x01", "-o", "tcp.desegment_tcp_streams:TRUE"] +
        sum((["-e", f] for f in FIELDS), []),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        universal_newlines=True).stdout
    have = set()
    for line in out.splitlines():
        for f, cell in zip(FIELDS, line.split("\t")):
            for v in cell.split("\x01"):
                if not v:
                    continue
                have.add(v)
                if "Time" in f or "Update" in f or "producedAt" in f or \
                        f == "x509af.utcTime":
                    for part in v.split(","):
                        t = norm_time(part) or norm_time(v)
                        if t:
                            have.add(t)
                if f == "ocsp.serialNumber":
                    s = v.upper()
                    if len(s) > 2 and s.startswith("00") and int(s[2], 16) >= 8:
                        s = s[2:]
                    have.add(s)
                if f == "ocsp.revocationReason":
                    have.add(REASONS[int(v)])
                if f == "ocsp.certStatus":
                    have.add(CERT[int(v)])
                if f == "ocsp.responseStatus":
                    have.add(RESP[int(v)])
                if f == "ocsp.byKey":
                    have.add(v.lower())
    return have


def literals(e, path=""):
    if isinstance(e, dict):
        if e and all(k.startswith("$") for k in e):
            if "$prefix" in e:
                yield path, ("prefix", e["$prefix"])
            return
        for k, v in e.items():
            if not k.startswith("_"):
                yield from literals(v, path + "." + k)
    elif isinstance(e, list):
        for i, v in enumerate(e):
            yield from literals(v, "%s[%d]" % (path, i))
    elif e is not None:
        yield path, e


def main():
    pdir, edir = sys.argv[1:3]
    bad = 0
    for name, rel in CAPTURES.items():
        have = values(os.path.join(pdir, rel))
        exp = json.load(open(os.path.join(edir, name + ".json")))
        n = 0
        for i, ev in enumerate(exp):
            if "count" in ev:
                continue
            for path, v in literals(ev):
                n += 1
                if path in (".event_type",):
                    continue
                if isinstance(v, tuple):
                    ok = any(h.startswith(v[1]) for h in have)
                elif path.endswith(".issuer"):
                    ok = all(p.split("=", 1)[1] in have for p in v.split(","))
                else:
                    ok = str(v) in have
                if not ok:
                    bad += 1
                    print("%s[%d]%s: %r not seen by tshark" % (name, i, path, v))
        print("%s: %d values checked" % (name, n))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
