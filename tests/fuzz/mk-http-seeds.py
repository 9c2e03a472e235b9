#!/usr/bin/env python3
"""Writes the fuzz_http seed corpus (framing described in fuzz_http.c).

usage: mk-http-seeds.py OUTDIR [PCAP ...]

Built-in exchanges cover CryptoAPI OCSP POST/GET, pipelined conditional CRL
GETs, chunked bodies with extensions and trailers, HEAD, 100-continue and
HTTP/1.0 close-delimited bodies.  Each TCP flow of a given capture that
carries HTTP becomes one more seed (payloads in capture order, retransmitted
segments dropped).
"""
import os
import sys


def frame(segs, sel=0x3f):
    """segs: list of (dir, bytes) or ('gap', dir, n)."""
    out = bytearray([sel])
    for s in segs:
        if s[0] == 'gap':
            out += bytes([s[1] << 7, s[2] - 1])
            continue
        d, b = s
        for i in range(0, len(b), 127):
            piece = b[i:i + 127]
            out.append(d << 7 | len(piece))
            out += piece
    return bytes(out)


OCSP_REQ = bytes.fromhex(
    "3051304f304d304b3049300906052b0e03021a05000414"
    "7ee66ae7729ab3fcf8a220646c16a12d6071085d0414"
    "a84a6a63047dddbae6d139b7a64565eff3a8eca1021009"
    "4a0b4f42e8b76b3d1e5c4ba0f0a70c")
BUILTIN = {
    "ocsp-post": [
        (0, b"POST / HTTP/1.1\r\nCache-Control: no-cache\r\n"
            b"Connection: Keep-Alive\r\nPragma: no-cache\r\n"
            b"Content-Type: application/ocsp-request\r\nAccept: */*\r\n"
            b"User-Agent: Microsoft-CryptoAPI/10.0\r\n"
            b"Content-Length: %d\r\nHost: ocsp.digicert.com\r\n\r\n"
            % len(OCSP_REQ) + OCSP_REQ),
        (1, b"HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\n"
            b"Cache-Control: max-age=170277\r\n"
            b"Content-Type: application/ocsp-response\r\n"
            b"Content-Length: 5\r\n\r\n0\x03\n\x01\x06"),
    ],
    "crl-pipelined": [
        (0, b"GET /DigiCertTrustedRootG4.crl HTTP/1.1\r\n"
            b"Cache-Control: max-age = 3600\r\nConnection: Keep-Alive\r\n"
            b"Accept: */*\r\n"
            b"If-Modified-Since: Thu, 14 Nov 2024 21:47:33 GMT\r\n"
            b"If-None-Match: \"67367f25-4b5c\"\r\n"
            b"User-Agent: Microsoft-CryptoAPI/10.0\r\n"
            b"Host: crl3.digicert.com\r\n\r\n"
            b"GET /sha2-assured-cs-g1.crl HTTP/1.1\r\n"
            b"User-Agent: Microsoft-CryptoAPI/10.0\r\n"
            b"Host: crl3.digicert.com\r\n\r\n"),
        (1, b"HTTP/1.1 304 Not Modified\r\nETag: \"67367f25-4b5c\"\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\n"
            b"Content-Length: 12\r\n\r\n0\x82\x01\x00" + b"\x30" * 8),
    ],
    "chunked-trailer": [
        (0, b"POST /tsa HTTP/1.1\r\nHost: timestamp.example\r\n"
            b"Transfer-Encoding: chunked\r\n"
            b"Content-Type: application/timestamp-query\r\n\r\n"
            b"3;name=\"v\"\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n"),
        (1, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/timestamp-reply\r\n\r\n"
            b"5 ; ext=1\r\nhello\r\n0\r\n\r\n"),
    ],
    "head-continue": [
        (0, b"HEAD /root.crt HTTP/1.1\r\nHost: cacerts.example\r\n\r\n"
            b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
            b"Content-Length: 4\r\n\r\n"),
        (1, b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n"
            b"HTTP/1.1 100 Continue\r\n\r\n"),
        (0, b"BODY"),
        (1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    ],
    "http10-close": [
        (0, b"GET /ca.crt HTTP/1.0\r\nUser-Agent: CertUtil URL Agent\r\n"
            b"X-Fold: a\r\n  b\r\n\r\n"),
        (1, b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
            b"\r\n-----BEGIN CERTIFICATE-----\nMIIB\n"),
    ],
    "gap-in-body": [
        (0, b"GET /a HTTP/1.1\r\n\r\n"),
        (1, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012"),
        ('gap', 1, 4),
        (1, b"789HTTP/1.1 204 No Content\r\n\r\n"),
    ],
}


def pcap_flows(path):
    from scapy.all import rdpcap, TCP, IP, IPv6
    flows = {}
    order = []
    for pkt in rdpcap(path):
        if TCP not in pkt:
            continue
        ip = pkt[IP] if IP in pkt else (pkt[IPv6] if IPv6 in pkt else None)
        if ip is None:
            continue
        t = pkt[TCP]
        a = (ip.src, t.sport)
        b = (ip.dst, t.dport)
        key = tuple(sorted([a, b]))
        if key not in flows:
            flows[key] = {"server": None, "segs": [], "seen": set()}
            order.append(key)
        f = flows[key]
        if f["server"] is None and t.flags & 0x12 == 0x02:
            f["server"] = b
        payload = bytes(t.payload)
        if not payload or (a, t.seq) in f["seen"]:
            continue
        f["seen"].add((a, t.seq))
        f["segs"].append((a, payload))
    for key in order:
        f = flows[key]
        server = f["server"] or min(key, key=lambda e: e[1])
        segs = [(1 if src == server else 0, p) for src, p in f["segs"]]
        if any(p.startswith(b"HTTP/1.") for _, p in segs):
            yield segs


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, segs in BUILTIN.items():
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(frame(segs))
    for path in sys.argv[2:]:
        base = os.path.basename(path).split(".")[0]
        for i, segs in enumerate(pcap_flows(path)):
            if i >= 8:
                break
            data = frame(segs)
            if len(data) > 65536:
                continue
            with open(os.path.join(out, "%s-%d" % (base, i)), "wb") as fh:
                fh.write(data)


if __name__ == "__main__":
    main()
