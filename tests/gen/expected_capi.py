#!/usr/bin/env python3
"""Expected revwire events for the CryptoAPI-downloader capture.

usage: expected_capi.py --tx TX.tsv --pcap CAPTURE --out EXPECTED.json

TX.tsv is the transaction list of tests/gen/make-capi-capture.sh (the
format of expected.py), kind "cryptoapi_other", "ca_cert" or "none" (a
transaction that must give no event), response-file the file served ("-"
for none).  A cryptoapi_other event's body_len is the served file's size,
its body_sha256 what sha256sum says of it; body_magic and ua_version come
from the expect column (what the generator made).  A ca_cert event's
certificate comes from `openssl x509` (expected.py).  The Content-Type is
the one httpd.py sends for the file's extension.
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expected import ca_cert_event, connections, die  # noqa: E402
from httpd import TYPES  # noqa: E402

KINDS = ("cryptoapi_other", "ca_cert", "none")


def sha256sum(path):
    out = subprocess.run(["sha256sum", path], stdout=subprocess.PIPE,
                         check=True, universal_newlines=True).stdout
    return out.split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tx", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cols = ("kind", "method", "host", "url", "ua", "port", "req", "resp",
            "ctype", "label", "conn", "expect")
    conns = connections(args.pcap)
    events, counts = [], {k: 0 for k in KINDS}
    for line in open(args.tx):
        if not line.strip():
            continue
        tx = dict(zip(cols, line.rstrip("\n").split("\t")))
        if tx["kind"] not in KINDS:
            die("unknown kind %r" % tx["kind"])
        k = int(tx["conn"]) - 1
        if k >= len(conns):
            die("connection %d of %r is not in the capture" %
                (k + 1, tx["label"]))
        sport, first = conns[k]
        if not first.startswith(("%s %s " % (tx["method"],
                                             tx["url"])).encode()):
            die("connection %d starts %r" % (k + 1, first[:60]))
        counts[tx["kind"]] += 1
        if tx["kind"] == "none":
            continue
        ext = os.path.splitext(tx["url"])[1]
        ev = {"_label": tx["label"], "event_type": tx["kind"],
              "src_ip": "127.0.0.1", "src_port": sport,
              "dest_ip": "127.0.0.1", "dest_port": int(tx["port"]),
              "http": {"hostname": tx["host"], "url": tx["url"],
                       "http_method": tx["method"], "status": 200,
                       "http_user_agent": tx["ua"],
                       "http_content_type": TYPES.get(
                           ext, "application/octet-stream"),
                       "response_body_length": os.path.getsize(tx["resp"]),
                       "body_truncated": False},
              "anomalies": None}
        if tx["kind"] == "ca_cert":
            ev.update(ca_cert_event(tx))
            ev["cryptoapi_other"] = {"$absent": True}
        else:
            want = json.loads(tx["expect"])
            ev["cryptoapi_other"] = {
                "body_len": os.path.getsize(tx["resp"]),
                "body_sha256": sha256sum(tx["resp"]),
                "body_magic": want["body_magic"],
                "ua_version": want["ua_version"],
            }
        events.append(ev)
    for kind in ("cryptoapi_other", "ca_cert"):
        events.append({"count": counts[kind], "where": {"event_type": kind}})
    events.append({"count": counts["cryptoapi_other"] + counts["ca_cert"],
                   "where": {}})
    with open(args.out, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e) for e in events) + "\n]\n")


if __name__ == "__main__":
    main()
