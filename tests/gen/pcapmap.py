"""pcapmap.py - rewrite every frame of a classic (microsecond) pcap file.

map_frames(src, dst, fn) copies src's global header to dst, then each
record with its frame replaced by fn(frame) and its lengths recomputed.
Used by tests that derive a capture from a committed one.
"""
import struct


def map_frames(src, dst, fn):
    data = open(src, "rb").read()
    with open(dst, "wb") as out:
        out.write(data[:24])
        off = 24
        while off + 16 <= len(data):
            sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
            f = fn(data[off + 16:off + 16 + incl])
            off += 16 + incl
            out.write(struct.pack("<IIII", sec, usec, len(f), len(f)) + f)
