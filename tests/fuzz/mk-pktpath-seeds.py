#!/usr/bin/env python3
"""Writes the fuzz_pktpath seed corpus (framing described in fuzz_pktpath.c).

usage: mk-pktpath-seeds.py OUTDIR PCAP...
The committed corpus was made from the top of the source tree with
  tests/fuzz/mk-pktpath-seeds.py tests/fuzz/corpus/fuzz_pktpath \
      tests/data/awkward/clean.pcap tests/data/awkward/*.pcap \
      tests/data/gen/*.pcap

Each classic pcap becomes one seed holding all its frames with their time
deltas, under the link type it was captured with.  The first Ethernet
capture given is also rewritten to the link types no committed capture has
(BSD NULL/LOOP, DLT_IPV4/IPV6, OpenBSD raw) and repeated with the small
limits and the snaplen cut, and a Linux cooked capture gets an 802.1Q tag,
so every branch of the framing starts covered.
"""
import os
import struct
import sys

# index in fuzz_pktpath.c's LINKTYPES for each pcap link type
LINK_INDEX = {1: 0, 113: 1, 276: 2, 12: 3, 101: 4, 14: 5, 228: 6, 229: 7,
              0: 8, 108: 9}
IDX_RAW_OBSD, IDX_IPV4, IDX_IPV6, IDX_NULL, IDX_LOOP = 5, 6, 7, 8, 9
FL_SMALL_FLOWS, FL_SMALL_APP, FL_SNAPLEN = 1, 2, 4
TIME_UNITS = (1, 1000, 1000000, 60000000)   # microseconds


def read_pcap(path):
    """Returns (linktype, [(time_us, frame)])."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        end = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        end = '>'
    else:
        sys.exit('%s: not a classic pcap file' % path)
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    linktype = struct.unpack(end + 'I', data[20:24])[0] & 0x0fffffff
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        us = sec * 1000000 + (frac // 1000 if nano else frac)
        frames.append((us, data[off:off + incl]))
        off += incl
    return linktype, frames


def time_byte(delta_us):
    """The t byte whose advance comes closest to delta_us from below."""
    for unit in (3, 2, 1, 0):
        count = delta_us // TIME_UNITS[unit]
        if count >= 1 or unit == 0:
            return min(count, 63) << 2 | unit
    return 0


def seed(link_index, flags, frames):
    out = bytearray([link_index, flags])
    prev = frames[0][0] if frames else 0
    for us, frame in frames:
        frame = frame[:0xffff]
        out += bytes([time_byte(max(us - prev, 0))])
        out += struct.pack('>H', len(frame)) + frame
        prev = us
    return bytes(out)


def strip_ether(frames, wrap):
    """Ethernet frames without VLAN tags to IP packets wrapped by wrap()."""
    out = []
    for us, f in frames:
        if len(f) > 14 and f[12:14] in (b'\x08\x00', b'\x86\xdd'):
            out.append((us, wrap(f[14:])))
    return out


def null_header(order):
    def wrap(ip):
        family = 2 if ip[0] >> 4 == 4 else 30
        return struct.pack(order + 'I', family) + ip
    return wrap


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    seeds = {}
    rewritten = False
    for path in sys.argv[2:]:
        linktype, frames = read_pcap(path)
        if linktype not in LINK_INDEX:
            sys.exit('%s: link type %d not in LINKTYPES' % (path, linktype))
        name = os.path.splitext(os.path.basename(path))[0]
        seeds[name] = seed(LINK_INDEX[linktype], 0, frames)
        raw = strip_ether(frames, lambda ip: ip) if linktype == 1 else []
        if raw and all(ip[0] >> 4 == 6 for _, ip in raw):
            seeds[name + '-dltipv6'] = seed(IDX_IPV6, 0, raw)
        if linktype == 113:     # the tag libpcap puts back on -i any
            seeds[name + '-vlan'] = seed(
                LINK_INDEX[113], 0,
                [(us, f[:14] + b'\x81\x00\x00\x64' + f[14:])
                 for us, f in frames])
        if linktype != 1 or rewritten:
            continue
        rewritten = True
        seeds[name + '-small'] = seed(0, FL_SMALL_FLOWS | FL_SMALL_APP,
                                      frames)
        seeds[name + '-snaplen'] = seed(0, FL_SNAPLEN, frames)
        seeds[name + '-null'] = seed(IDX_NULL, 0,
                                     strip_ether(frames, null_header('<')))
        seeds[name + '-loop'] = seed(IDX_LOOP, 0,
                                     strip_ether(frames, null_header('>')))
        seeds[name + '-rawobsd'] = seed(IDX_RAW_OBSD, 0, raw)
        seeds[name + '-ipv4'] = seed(IDX_IPV4, 0, raw)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(outdir, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
