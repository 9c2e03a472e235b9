#!/usr/bin/env python3
"""Awkward-TCP and link-layer variants of the real-tool capture.

usage: awkward.py CLEAN.pcap CLEAN-EXPECTED.json OUT-PCAP-DIR OUT-EXPECTED-DIR

Takes four connections of tests/data/gen/real-tools.pcap (an OCSP POST for a
keyCompromise serial, a POST for two serials, a CryptoAPI GET for a
certificateHold serial, and the CRL + CA certificate keep-alive connection)
and writes the same exchange
  - clean (just the subset), reorder (64-byte segments, each pair swapped),
    duplicate (every 64-byte segment twice), overlap (64-byte segments that
    start every 48 bytes: 16 bytes sent twice, same content), onebyte
    (1-byte segments through each HTTP header and the first 16 body bytes,
    then 64-byte ones: keeps the file small), gap (one 64-byte segment of
    the CRL body missing), snaplen (the CRL body segment recorded with 32
    of its bytes: a truncated capture, not a malformed one), cut-end (the
    capture ends halfway through the CRL body);
  - over 802.1Q VLAN, QinQ (802.1ad + 802.1Q), Linux SLL, Linux SLL2, raw
    IP (LINKTYPE_RAW), IPv6 (2001:db8::1 -> 2001:db8::2, checksums
    recomputed), IPv4 fragments in order (ipfrag) and in reverse order
    (ipfrag-reverse).
For each it writes OUT-EXPECTED-DIR/NAME.json (and a line "NAME PACKETS"
in OUT-EXPECTED-DIR/packets.txt): the clean expectations of
those four transactions (same serials, statuses, reasons, times), with the
addresses of the variant.  gap: the CRL transaction is still one event of
type crl with its HTTP fields, but carries no `crl` object (the body cannot
be decoded); the three OCSP transactions on the other connections are
intact; snaplen and cut-end likewise.  Deterministic: no randomness,
timestamps derived from the input.
"""

import copy
import json
import os
import struct
import sys

from scapy.all import (IP, IPv6, TCP, Ether, Dot1Q, Dot1AD, CookedLinux,
                       CookedLinuxV2, Raw, PcapReader, fragment)

PICK = ["POST keycomp", "POST two serials: good2 + keycomp", "GET hold",
        "CRL of the code signing CA, no-cache"]
CLIENT6, SERVER6 = "2001:db8::1", "2001:db8::2"
DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW, DLT_LINUX_SLL2 = 1, 113, 101, 276


def die(msg):
    sys.stderr.write("awkward.py: %s\n" % msg)
    sys.exit(1)


def conn_key(p):
    ip, t = p[IP], p[TCP]
    a, b = (ip.src, t.sport), (ip.dst, t.dport)
    return (a, b) if a < b else (b, a)


def select(pkts, expected):
    """The packets of the picked connections, in capture order."""
    events = [e for e in expected if "count" not in e]
    conns = []          # connection keys in SYN order
    for p in pkts:
        if TCP in p and p[TCP].flags & 0x12 == 0x02:
            conns.append(conn_key(p))
    # One connection per transaction, except CRL + CA cert (one connection,
    # only the CRL gives an event): connection i is event i.
    if len(conns) != len(events):
        die("%d connections, %d events: not the capture make-captures.sh "
            "writes" % (len(conns), len(events)))
    keep, picked = set(), []
    for i, e in enumerate(events):
        if e["_label"] in PICK:
            keep.add(conns[i])
            picked.append((conns[i], e))
    if len(picked) != len(PICK):
        die("labels not found: %s" % (set(PICK) - {e["_label"] for _, e in picked}))
    out = [p for p in pkts if TCP in p and conn_key(p) in keep]
    for key, e in picked:       # the request line must be the event's
        first = next(bytes(p[TCP].payload) for p in out
                     if conn_key(p) == key and len(p[TCP].payload)
                     and p[TCP].dport == e["dest_port"])
        want = ("%s %s " % (e["http"]["http_method"],
                            e["http"]["url"])).encode()
        if not first.startswith(want):
            die("connection for %r starts %r" % (e["_label"], first[:60]))
    return out, [e for _, e in picked]


def fresh(p):
    """A copy whose lengths and checksums scapy recomputes."""
    q = p.copy()
    for layer, fields in ((IP, ("len", "chksum")), (TCP, ("chksum",)),
                          (IPv6, ("plen",))):
        if layer in q:
            for f in fields:
                setattr(q[layer], f, None)
    return q


def chunks(p, size, step):
    """A data segment as segments of `size` bytes starting every `step`."""
    n = len(p[TCP].payload)
    pieces = []
    for o in range(0, n, step):
        pieces.append((o, min(size, n - o)))
        if o + size >= n:
            break
    return cut(p, pieces)


def onebyte_pieces(data):
    """1-byte pieces through the HTTP header and the first 16 body bytes
    (every header boundary, the DER tag and length split), then 64."""
    end = data.find(b"\r\n\r\n")
    lim = min(len(data), (end + 4 if end >= 0 else 0) + 16)
    return [(o, 1) for o in range(lim)] + \
        [(o, min(64, len(data) - o)) for o in range(lim, len(data), 64)]


def cut(p, pieces):
    """Segments of p's payload at (offset, length) pieces, in that order."""
    data = bytes(p[TCP].payload)
    fin = p[TCP].flags & 0x01
    res = []
    for k, (o, size) in enumerate(pieces):
        q = fresh(p)
        q[TCP].remove_payload()
        q[TCP].add_payload(Raw(data[o:o + size]))
        q[TCP].seq = (p[TCP].seq + o) & 0xffffffff
        q[TCP].flags = (p[TCP].flags & ~0x01) | \
            (fin if o + size >= len(data) else 0)
        q.time = p.time + k * 1e-6
        res.append(q)
    return res


def tcp_variant(pkts, how, crl_port):
    out = []
    gap_done = armed = False
    for p in pkts:
        n = len(p[TCP].payload)
        if n == 0:
            out.append(p)
            continue
        if how == "onebyte":
            out += cut(p, onebyte_pieces(bytes(p[TCP].payload)))
        elif how == "overlap":
            out += chunks(p, 64, 48)
        else:
            cs = chunks(p, 64, 64)
            if how == "reorder":
                for k in range(0, len(cs) - 1, 2):
                    cs[k], cs[k + 1] = cs[k + 1], cs[k]
                    cs[k].time, cs[k + 1].time = cs[k + 1].time, cs[k].time
            elif how == "duplicate":
                cs = [c for c in cs for c in (c, c)]
            elif how == "gap" and not gap_done and \
                    p[TCP].sport == crl_port:
                # The CRL body: the response segment with the header, or
                # the one after it when the server wrote them separately.
                if b"application/pkix-crl" in bytes(p[TCP].payload)[:400]:
                    armed = True
                if armed and len(cs) >= 6:
                    del cs[len(cs) // 2]
                    gap_done = True
            out += cs
    if how == "gap" and not gap_done:
        # headers and body in separate segments: drop from the body segment
        die("gap: no CRL response segment of 6+ chunks found")
    return out


def relink(pkts, how):
    """(linktype, packets) with the IP packet under a new link layer."""
    res = []
    for p in pkts:
        ip = p[IP].copy()
        if how == "vlan":
            q = Ether(src=p.src, dst=p.dst) / Dot1Q(vlan=100) / ip
        elif how == "qinq":
            q = Ether(src=p.src, dst=p.dst, type=0x88a8) / \
                Dot1AD(vlan=200, type=0x8100) / Dot1Q(vlan=100) / ip
        elif how == "sll":
            q = CookedLinux(pkttype=0, lladdrtype=772, lladdrlen=6,
                            src=b"\0" * 8, proto=0x0800) / ip
        elif how == "sll2":
            q = CookedLinuxV2(proto=0x0800, ifindex=1, lladdrtype=772,
                              pkttype=0, lladdrlen=6, src=b"\0" * 8) / ip
        elif how == "rawip":
            q = ip
        elif how == "ipv6":
            t = fresh(p[TCP])
            c = ip.src == "127.0.0.1" and t.sport not in SERVER_PORTS
            src, dst = (CLIENT6, SERVER6) if c else (SERVER6, CLIENT6)
            q = Ether(src=p.src, dst=p.dst) / IPv6(src=src, dst=dst, hlim=64) / t
        elif how in ("ipfrag", "ipfrag-reverse"):
            ip = fresh(ip)
            ip.flags = 0
            fr = fragment(ip, fragsize=64) if len(ip[TCP].payload) > 64 else [ip]
            if how == "ipfrag-reverse":
                fr = fr[::-1]
            for k, f in enumerate(fr):
                g = Ether(src=p.src, dst=p.dst) / f
                g.time = p.time + k * 1e-6
                res.append(g)
            continue
        else:
            die("unknown link variant " + how)
        q.time = p.time
        res.append(q)
    lt = {"sll": DLT_LINUX_SLL, "sll2": DLT_LINUX_SLL2,
          "rawip": DLT_RAW}.get(how, DLT_EN10MB)
    return lt, res


SERVER_PORTS = set()


def write(path, linktype, pkts):
    """Classic pcap, microseconds.  An item (packet, snap) is recorded with
    only its first `snap` bytes captured (caplen < wire length)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535,
                            linktype))
        for item in pkts:
            p, snap = item if isinstance(item, tuple) else (item, None)
            data = bytes(p)
            wire = len(data)
            if snap is not None:
                data = data[:snap]
            us = int(round(float(p.time) * 1000000))
            f.write(struct.pack("<IIII", us // 1000000, us % 1000000,
                                len(data), wire))
            f.write(data)


def crl_body_index(pkts, crl_port):
    """Index of the segment carrying the CRL body (after its header)."""
    armed = False
    for i, p in enumerate(pkts):
        pl = bytes(p[TCP].payload)
        if p[TCP].sport != crl_port or not pl:
            continue
        if b"application/pkix-crl" in pl[:400]:
            armed = True
        if armed and len(pl) >= 300:
            return i
    die("no CRL body segment")


def truncated_variant(pkts, how, crl_port):
    """snaplen: the CRL body segment captured with 32 payload bytes only;
    cut-end: the capture stops halfway through the CRL body."""
    i = crl_body_index(pkts, crl_port)
    body = pkts[i]
    if how == "snaplen":
        hdr = len(body) - len(body[TCP].payload)
        return pkts[:i] + [(body, hdr + 32)] + pkts[i + 1:]
    n = len(body[TCP].payload)
    half = cut(body, [(0, n // 2)])
    key = conn_key(body)
    rest = [p for p in pkts[i + 1:] if conn_key(p) != key]
    return pkts[:i] + half + rest


def main():
    if len(sys.argv) != 5:
        die("usage: awkward.py CLEAN.pcap CLEAN.json PCAP-DIR EXPECTED-DIR")
    src, exp, pdir, edir = sys.argv[1:]
    expected = json.load(open(exp))
    pkts = list(PcapReader(src))
    sub, events = select(pkts, expected)
    SERVER_PORTS.update(e["dest_port"] for e in events)
    crl_port = next(e["dest_port"] for e in events if e["event_type"] == "crl")
    os.makedirs(pdir, exist_ok=True)
    os.makedirs(edir, exist_ok=True)
    variants = {}
    for how in ("clean", "reorder", "duplicate", "overlap", "onebyte", "gap"):
        ps = sub if how == "clean" else tcp_variant(sub, how, crl_port)
        variants[how] = (DLT_EN10MB, ps)
    for how in ("snaplen", "cut-end"):
        variants[how] = (DLT_EN10MB, truncated_variant(sub, how, crl_port))
    for how in ("vlan", "qinq", "sll", "sll2", "rawip", "ipv6", "ipfrag",
                "ipfrag-reverse"):
        variants[how] = relink(sub, how)
    counts = open(os.path.join(edir, "packets.txt"), "w")
    for how, (lt, ps) in variants.items():
        counts.write("%s %d\n" % (how, len(ps)))
        write(os.path.join(pdir, how + ".pcap"), lt, ps)
        evs = copy.deepcopy(events)
        for e in evs:
            e["_label"] += " [%s]" % how
            if how == "ipv6":
                e["src_ip"], e["dest_ip"] = CLIENT6, SERVER6
            if how in ("gap", "snaplen", "cut-end") and \
                    e["event_type"] == "crl":
                e["crl"] = {"$absent": True}
        evs.append({"count": sum(e["event_type"] == "ocsp" for e in events),
                    "where": {"event_type": "ocsp"}})
        evs.append({"count": 1, "where": {"event_type": "crl"}})
        with open(os.path.join(edir, how + ".json"), "w") as f:
            f.write("[\n" + ",\n".join(json.dumps(e) for e in evs) + "\n]\n")
        print("%-15s %6d packets" % (how, len(ps)))
    counts.close()


if __name__ == "__main__":
    main()
