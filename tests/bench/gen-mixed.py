#!/usr/bin/env python3
"""Large mixed capture for throughput tests of `revwire sensor -r`.

usage: gen-mixed.py [--packets N] [--out FILE] [--seed S]
                    [--revocation-every K] [--source PCAP ...]
                    [--expect-out EXPECTED.json]
                    [--tls-certs] [--tls-chain CERT ...] [--tls-staple DER]

Writes a classic pcap (Ethernet, microsecond timestamps) of N packets:
mostly TLS-looking TCP flows to port 443 (handshake-shaped records, then
application-data records), some plain HTTP on port 80, some other TCP
(SSH-like banners on 22, opaque data on high ports) and a little UDP (DNS
shaped).  Every K packets it inserts one whole TCP connection taken from a
source capture (default: the committed real-tool OCSP/CRL capture),
rewritten to a fresh client address and port, server port 80.  Checksums
are correct everywhere.  Packets are built with struct, not scapy, so a
million packets take tens of seconds.  The same seed gives the same file.

--tls-certs makes every background TLS flow a TLS 1.2 handshake with a
full server chain (Certificate, CertificateStatus, ServerHelloDone, in
segments of at most 1400 bytes) before the application data: by default
the chain and stapled OCSP response of tests/data/gen/pki-wire (leaf,
intermediate, root; the staple verifies), or --tls-chain files (DER or PEM,
leaf first, e.g. tests/data/certs/*.crt) and --tls-staple.

--expect-out writes a tests/check_events.py file with the exact number of
ocsp and crl events the sensor must find (counted from the Content-Type of
the inserted responses).
"""

import argparse
import base64
import json
import os
import random
import struct
import sys

ETH_IP = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
PCAP_HDR = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
HERE = os.path.dirname(os.path.abspath(__file__))


def csum_add(data):
    """Ones-complement sum (not folded) of data, padded to 16 bits."""
    if len(data) & 1:
        data += b"\0"
    return sum(struct.unpack("!%dH" % (len(data) // 2), data))


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Payload:
    """A payload with its checksum partial sum computed once."""
    __slots__ = ("data", "sum")

    def __init__(self, data):
        self.data = data
        self.sum = csum_add(data)


def ip4(a):
    return struct.pack("!I", a)


def ip_header(src, dst, proto, plen, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, ident, 0x4000, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack("!H", fold(csum_add(h))) + h[12:]


def tcp_packet(src, dst, sport, dport, seq, ack, flags, pl, ident):
    """Ethernet + IPv4 + TCP frame with correct checksums."""
    n = len(pl.data)
    th = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                     ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
    s = csum_add(src + dst) + 6 + 20 + n + csum_add(th) + pl.sum
    th = th[:16] + struct.pack("!H", fold(s)) + th[18:]
    return ETH_IP + ip_header(src, dst, 6, 20 + n, ident) + th + pl.data


def udp_packet(src, dst, sport, dport, pl, ident):
    n = 8 + len(pl.data)
    uh = struct.pack("!HHHH", sport, dport, n, 0)
    s = csum_add(src + dst) + 17 + n + csum_add(uh) + pl.sum
    c = fold(s) or 0xffff
    uh = uh[:6] + struct.pack("!H", c)
    return ETH_IP + ip_header(src, dst, 17, n, ident) + uh + pl.data


EMPTY = Payload(b"")


def der_of(path):
    """DER bytes of a certificate file, DER or PEM."""
    data = open(path, "rb").read()
    if not data.startswith(b"-----"):
        return data
    b64 = b"".join(l for l in data.splitlines() if l and not l.startswith(b"-----"))
    return base64.b64decode(b64)


def u24(n):
    return struct.pack("!I", n)[1:]


def tls_pool(rng, chain, staple):
    """TLS-shaped records: ClientHello, the server's flight (list of
    segments: ServerHello alone, or with Certificate, CertificateStatus and
    ServerHelloDone when a chain is given), app data."""
    def rec(ctype, body):
        return bytes([ctype, 3, 3]) + struct.pack("!H", len(body)) + body
    def hs(htype, body):
        return bytes([htype]) + u24(len(body)) + body
    # status_request (5): OCSP, no responder ids, no extensions
    exts = b"\x00\x05\x00\x05\x01\x00\x00\x00\x00" if staple else b""
    ch = rec(0x16, hs(1, b"\x03\x03" + rng.randbytes(32) + b"\x00" +
                      b"\x00\x04\xc0\x2f\xc0\x30" + b"\x01\x00" +
                      struct.pack("!H", len(exts)) + exts))
    flight = hs(2, b"\x03\x03" + rng.randbytes(32) + b"\x00" + b"\xc0\x2f" +
                b"\x00" + (b"\x00\x04\x00\x05\x00\x00" if staple else
                           b"\x00\x00"))
    if chain:
        certs = b"".join(u24(len(c)) + c for c in chain)
        flight += hs(11, u24(len(certs)) + certs)
        if staple:
            flight += hs(22, b"\x01" + u24(len(staple)) + staple)
        flight += hs(14, b"")
    # records of at most 2^14, then TCP segments of at most 1400 bytes
    recs = b"".join(rec(0x16, flight[i:i + 16384])
                    for i in range(0, len(flight), 16384))
    sh = [Payload(recs[i:i + 1400]) for i in range(0, len(recs), 1400)]
    app = [Payload(rec(0x17, rng.randbytes(n)))
           for n in (40, 90, 300, 700, 1200, 1395, 1395, 1395)]
    return Payload(ch), sh, app


def http_pool(rng):
    reqs = [Payload(("GET /%s HTTP/1.1\r\nHost: www%d.example.com\r\n"
                     "User-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n" %
                     (p, i)).encode())
            for i, p in enumerate(("index.html", "img/a.png", "js/app.js",
                                   "api/v1/items?page=2", "favicon.ico"))]
    body = rng.randbytes(1000)
    resp = Payload(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                   b"Content-Length: 1000\r\n\r\n" + body)
    return reqs, resp


class Flow:
    __slots__ = ("kind", "c", "s", "cp", "sp", "cseq", "sseq", "left",
                 "step")


def read_pcap_connections(path):
    """TCP connections of an Ethernet/IPv4 pcap as lists of packets
    (from_client, flags, payload bytes, relative time)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xa1b2c3d4:
        sys.exit("gen-mixed: %s: not a little-endian microsecond pcap" % path)
    if struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit("gen-mixed: %s: not Ethernet" % path)
    off, conns, order = 24, {}, []
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        t = sec + usec / 1e6
        if len(pkt) < 34 or pkt[12:14] != b"\x08\x00" or pkt[23] != 6:
            continue
        ihl = (pkt[14] & 15) * 4
        tot = struct.unpack("!H", pkt[16:18])[0]
        tcp = pkt[14 + ihl:14 + tot]
        sport, dport = struct.unpack("!HH", tcp[:4])
        flags = tcp[13]
        doff = (tcp[12] >> 4) * 4
        key = tuple(sorted(((pkt[26:30], sport), (pkt[30:34], dport))))
        if key not in conns:
            if not flags & SYN or flags & ACK:
                continue
            conns[key] = {"client": (pkt[26:30], sport), "pkts": [],
                          "t0": t}
            order.append(key)
        c = conns[key]
        c["pkts"].append(((pkt[26:30], sport) == c["client"], flags,
                          tcp[doff:], t - c["t0"],
                          struct.unpack("!II", tcp[4:12])))
    return [conns[k] for k in order]


def count_events(conn):
    ocsp = crl = 0
    for from_client, _, pl, _, _ in conn["pkts"]:
        if from_client:
            continue
        low = pl.lower()
        ocsp += low.count(b"content-type: application/ocsp-response")
        crl += low.count(b"content-type: application/pkix-crl")
    return ocsp, crl


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--out", default="mixed.pcap")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--revocation-every", type=int, default=5000)
    ap.add_argument("--concurrent", type=int, default=2000,
                    help="background flows open at a time")
    ap.add_argument("--source", action="append")
    ap.add_argument("--expect-out")
    ap.add_argument("--tls-certs", action="store_true",
                    help="TLS flows carry a full chain and a staple")
    ap.add_argument("--tls-chain", action="append",
                    help="certificate file for the chain (leaf first)")
    ap.add_argument("--tls-staple", help="DER OCSP response to staple")
    args = ap.parse_args()
    pki = os.path.join(HERE, "..", "data", "gen", "pki-wire")
    chain = [der_of(p) for p in args.tls_chain or
             ([os.path.join(pki, n) for n in ("tls.crt", "inter.crt",
                                             "root.crt")]
              if args.tls_certs else [])]
    staple_path = args.tls_staple or (os.path.join(pki, "staple.ocsp")
                                      if args.tls_certs and
                                      not args.tls_chain else None)
    staple = open(staple_path, "rb").read() if staple_path else None
    rng = random.Random(args.seed)
    sources = args.source or [os.path.join(HERE, "..", "data", "gen",
                                           "real-tools.pcap")]
    inserts = []
    for s in sources:
        for c in read_pcap_connections(s):
            o, r = count_events(c)
            inserts.append((c, o, r))
    if not inserts:
        sys.exit("gen-mixed: no TCP connection in the sources")

    ch, sh, app = tls_pool(rng, chain, staple)
    reqs, hresp = http_pool(rng)
    ssh = [Payload(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
           Payload(rng.randbytes(600)), Payload(rng.randbytes(64))]
    q = b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
    dns = [Payload(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + q),
           Payload(b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q +
                   b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04"
                   b"\xc6\x33\x64\x0a")]
    opaque = [Payload(rng.randbytes(n)) for n in (100, 500, 1400)]

    out = open(args.out, "wb")
    out.write(PCAP_HDR)
    buf = []
    t_us = 1767225600 * 1000000           # 2026-01-01T00:00:00Z
    n = 0
    ident = 0
    ev_ocsp = ev_crl = n_ins = 0
    ev_chain = 0            # TLS flows whose whole server flight was sent
    flows = []
    next_cport = 1024

    def new_flow():
        nonlocal next_cport
        f = Flow()
        r = rng.random()
        f.kind = ("tls" if r < 0.80 else "http" if r < 0.90 else
                  "ssh" if r < 0.94 else "opaque" if r < 0.98 else "dns")
        f.c = ip4(0x0a000000 | rng.randrange(1, 0xffff))
        f.s = ip4(0xc6336400 | rng.randrange(1, 255))   # 198.51.100.0/24
        next_cport = next_cport + 1 if next_cport < 65000 else 1024
        f.cp = next_cport
        f.sp = {"tls": 443, "http": 80, "ssh": 22, "opaque": 8443,
                "dns": 53}[f.kind]
        f.cseq, f.sseq = rng.randrange(1 << 32), rng.randrange(1 << 32)
        f.left = rng.randrange(8, 60) if f.kind != "dns" else 2
        if f.kind == "tls":
            f.left = max(f.left, 5 + len(sh))
        f.step = 0
        return f

    def flow_packet(f):
        """Next frame of f; None when f is over."""
        st = f.step
        f.step += 1
        if f.kind == "dns":
            if st >= 2:
                return None
            if st == 0:
                return udp_packet(f.c, f.s, f.cp, 53, dns[0], ident)
            return udp_packet(f.s, f.c, 53, f.cp, dns[1], ident)
        if st == 0:
            return tcp_packet(f.c, f.s, f.cp, f.sp, f.cseq, 0, SYN, EMPTY,
                              ident)
        if st == 1:
            f.cseq += 1
            return tcp_packet(f.s, f.c, f.sp, f.cp, f.sseq, f.cseq,
                              SYN | ACK, EMPTY, ident)
        if st == 2:
            f.sseq += 1
            return tcp_packet(f.c, f.s, f.cp, f.sp, f.cseq, f.sseq, ACK,
                              EMPTY, ident)
        if st >= f.left:
            if st == f.left:
                p = tcp_packet(f.c, f.s, f.cp, f.sp, f.cseq, f.sseq,
                               FIN | ACK, EMPTY, ident)
                f.cseq += 1
                return p
            if st == f.left + 1:
                p = tcp_packet(f.s, f.c, f.sp, f.cp, f.sseq, f.cseq,
                               FIN | ACK, EMPTY, ident)
                f.sseq += 1
                return p
            if st == f.left + 2:
                return tcp_packet(f.c, f.s, f.cp, f.sp, f.cseq, f.sseq,
                                  ACK, EMPTY, ident)
            return None
        # data phase: client speaks on step 3, then mostly the server
        if f.kind == "tls":
            pl = ch if st == 3 else sh[st - 4] if st - 4 < len(sh) else \
                rng.choice(app)
            if chain and st == 3 + len(sh):
                nonlocal ev_chain
                ev_chain += 1
        elif f.kind == "http":
            pl = rng.choice(reqs) if st % 4 == 3 else hresp
        elif f.kind == "ssh":
            pl = ssh[0] if st <= 4 else rng.choice(ssh[1:])
        else:
            pl = rng.choice(opaque)
        if f.kind == "tls" and 4 <= st < 4 + len(sh):
            client = False
        elif st == 4 and f.kind != "http":
            client = False
        else:
            client = st == 3 or (f.kind == "http" and st % 4 == 3) or \
                (f.kind != "http" and rng.random() < 0.15)
        if client:
            p = tcp_packet(f.c, f.s, f.cp, f.sp, f.cseq, f.sseq,
                           PSH | ACK, pl, ident)
            f.cseq += len(pl.data)
        else:
            p = tcp_packet(f.s, f.c, f.sp, f.cp, f.sseq, f.cseq,
                           PSH | ACK, pl, ident)
            f.sseq += len(pl.data)
        return p

    def insert(k):
        """Frames of source connection k under fresh addresses."""
        conn, o, r = inserts[k % len(inserts)]
        c = ip4(0x0ac80000 | (k % 0xfffe + 1))               # 10.200/16
        s = ip4(0xc0000200 | (k % 250 + 1))                  # 192.0.2/24
        cp = 20000 + k % 40000
        res = []
        for from_client, flags, pl, dt, (seq, ack) in conn["pkts"]:
            P = Payload(pl)
            if from_client:
                res.append((dt, tcp_packet(c, s, cp, 80, seq, ack, flags,
                                           P, 0)))
            else:
                res.append((dt, tcp_packet(s, c, 80, cp, seq, ack, flags,
                                           P, 0)))
        return res, o, r

    flows = [new_flow() for _ in range(args.concurrent)]
    k = 0
    while n < args.packets:
        if args.revocation_every and n % args.revocation_every == \
                args.revocation_every // 2:
            frames, o, r = insert(k)
            if n + len(frames) <= args.packets:
                base = t_us
                for dt, fr in frames:
                    t_us = max(t_us, base + int(dt * 1e6))
                    buf.append(struct.pack("<IIII", t_us // 1000000,
                                           t_us % 1000000, len(fr), len(fr)))
                    buf.append(fr)
                    n += 1
                ev_ocsp += o
                ev_crl += r
                n_ins += 1
                k += 1
                continue
        i = rng.randrange(len(flows))
        ident = (ident + 1) & 0xffff
        fr = flow_packet(flows[i])
        if fr is None:
            flows[i] = new_flow()
            continue
        t_us += rng.randrange(1, 20)
        buf.append(struct.pack("<IIII", t_us // 1000000, t_us % 1000000,
                               len(fr), len(fr)))
        buf.append(fr)
        n += 1
        if len(buf) >= 20000:
            out.write(b"".join(buf))
            buf = []
    out.write(b"".join(buf))
    out.close()
    sys.stderr.write("gen-mixed: %s: %d packets, %d inserted revocation "
                     "connections: %d ocsp and %d crl events expected, "
                     "%d TLS handshakes with a chain\n" %
                     (args.out, n, n_ins, ev_ocsp, ev_crl, ev_chain))
    if args.expect_out:
        with open(args.expect_out, "w") as f:
            exp = [{"count": ev_ocsp, "where": {"event_type": "ocsp"}},
                   {"count": ev_crl, "where": {"event_type": "crl"}}]
            if chain:
                exp.append({"count": ev_chain, "where": {
                    "event_type": "tls",
                    "tls": {"chain": {"$len": len(chain)}}}})
            if staple:
                exp.append({"count": 0, "where": {"tls": {"ocsp_staple": {
                    "signature_valid": False}}}})
            json.dump(exp, f)
            f.write("\n")


if __name__ == "__main__":
    main()
