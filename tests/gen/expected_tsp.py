#!/usr/bin/env python3
"""Expected revwire timestamp events for a generated RFC 3161 capture.

usage: expected_tsp.py --tx TX.tsv --pcap CAPTURE --tsa-cert TSA.pem
                       --ca CA.pem --out EXPECTED.json

TX.tsv is the transaction list of tests/gen/make-captures.sh (see
expected.py), kind "tsp", request-file the query that was POSTed and
response-file the reply.  The values come from `openssl ts -query -text`,
`openssl ts -reply -text` and `openssl x509` / `openssl pkcs7` on those
very bytes, never from revwire; a query OpenSSL cannot read must give the
anomaly tsp_req_malformed; every granted token must pass `openssl ts
-verify` against the CA, and the TSA name in the token must be the TSA
certificate's subject.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from expected import (connections, die, rfc2253_from_oneline,  # noqa: E402
                      serial)

STATUS = {
    "Granted.": "granted", "Granted with modifications.": "grantedWithMods",
    "Rejected.": "rejection", "Waiting.": "waiting",
    "Revocation warning.": "revocationWarning",
    "Revoked.": "revocationNotification",
}
# TS_STATUS_INFO_print_bio's texts (OpenSSL ts_rsp_print.c)
FAILURE = {
    "unrecognized or unsupported algorithm identifier": "badAlg",
    "transaction not permitted or supported": "badRequest",
    "the data submitted has the wrong format": "badDataFormat",
    "the TSA's time source is not available": "timeNotAvailable",
    "the requested TSA policy is not supported by the TSA":
        "unacceptedPolicy",
    "the requested extension is not supported by the TSA":
        "unacceptedExtension",
    "the additional information requested could not be understood or is "
    "not available": "addInfoNotAvailable",
    "the request cannot be handled due to system failure": "systemFailure",
}
SIGNING = ("client requested an RFC 3161 timestamp from a time-stamping "
           "authority: it is signing code or documents")


def run(*args, ok=(0,)):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode not in ok:
        die("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def kv(line):
    k, _, v = line.strip().partition(":")
    return k.strip(), v.strip()


def hexdump(lines, i):
    """The bytes of an OpenSSL 'NNNN - xx xx-xx ...' dump from lines[i]."""
    out = ""
    while i < len(lines) and re.match(r"\s+[0-9a-f]{4} - ", lines[i]):
        out += "".join(re.findall(r"\b[0-9a-f]{2}\b",
                                  lines[i].split(" - ", 1)[1][:47]))
        i += 1
    return out, i


def imprint_and_fields(text):
    """key: value pairs of an `openssl ts -text` dump, Message data as hex."""
    lines = text.splitlines()
    f, i = {}, 0
    while i < len(lines):
        k, v = kv(lines[i])
        if k == "Message data":
            f[k], i = hexdump(lines, i + 1)
            continue
        if k and k not in f:
            f[k] = v
        i += 1
    return f


def int_text(v):
    """'0x9F01' -> '9F01' (BN_bn2hex: upper case, no 00 pad)."""
    if not v.startswith("0x"):
        die("not an OpenSSL hex integer: %r" % v)
    return serial(v[2:] if len(v) % 2 == 0 else "0" + v[2:])


def gen_time(v):
    """'Nov 30 05:08:38.373 2026 GMT' -> '2026-11-30T05:08:38.373Z'."""
    m = re.match(r"(\w+ +\d+ \d\d:\d\d:\d\d)(\.\d+)? (\d{4}) GMT$", v)
    if not m:
        die("unexpected time stamp text %r" % v)
    t = datetime.datetime.strptime(" ".join(m.group(1).split()) + " " +
                                   m.group(3), "%b %d %H:%M:%S %Y")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (m.group(2) or "") + "Z"


def dirname_rfc2253(v):
    """'DirName:/C=US/O=x/CN=y' -> 'CN=y,O=x,C=US' (simple names only)."""
    if not v.startswith("DirName:/") or any(c in v for c in ',+\\"'):
        die("unexpected TSA name %r" % v)
    return ",".join(reversed(v[len("DirName:/"):].split("/")))


def query_json(path):
    r = run("openssl", "ts", "-query", "-in", path, "-text", ok=(0, 1))
    if r.returncode != 0:
        return None
    f = imprint_and_fields(r.stdout)
    q = {"hash_algorithm": f["Hash Algorithm"],
         "message_imprint": f["Message data"],
         "cert_req": f["Certificate required"] == "yes",
         "nonce": None, "policy": None}
    if f["Nonce"] != "unspecified":
        q["nonce"] = int_text(f["Nonce"])
    if f["Policy OID"] != "unspecified":
        q["policy"] = f["Policy OID"]
    return q


def x509(path, opt):
    out = run("openssl", "x509", "-in", path, "-noout", opt, "-nameopt",
              "RFC2253").stdout.strip()
    return out.partition("=")[2]


def token_certs(reply, work):
    tok = os.path.join(work, "token.der")
    run("openssl", "ts", "-reply", "-in", reply, "-token_out", "-out", tok)
    out = run("openssl", "pkcs7", "-inform", "DER", "-in", tok,
              "-print_certs", "-noout").stdout
    return [rfc2253_from_oneline(line.partition("=")[2].strip())
            for line in out.splitlines() if line.startswith("subject=")]


def reply_json(tx, args, work):
    text = run("openssl", "ts", "-reply", "-in", tx["resp"], "-text").stdout
    head, _, tst = text.partition("TST info:")
    h = imprint_and_fields(head)
    r = {"status": STATUS[h["Status"]], "status_text": None,
         "failure_info": None}
    if h["Status description"] != "unspecified":
        r["status_text"] = h["Status description"]
    if h["Failure info"] != "unspecified":
        r["failure_info"] = [FAILURE[h["Failure info"]]]
    if "Not included." in tst:
        r["serial"] = None
        return r
    t = imprint_and_fields(tst)
    acc = {}
    for part in ([] if t["Accuracy"] == "unspecified" else
                 t["Accuracy"].split(",")):
        n, unit = part.split()
        acc[{"seconds": "seconds", "millis": "millis",
             "micros": "micros"}[unit]] = int(n, 16)
    tsa_subject = x509(args.tsa_cert, "-subject")
    r.update({
        "tsa": dirname_rfc2253(t["TSA"]),
        "serial": int_text(t["Serial number"]),
        "gen_time": gen_time(t["Time stamp"]),
        "policy": t["Policy OID"],
        "hash_algorithm": t["Hash Algorithm"],
        "message_imprint": t["Message data"],
        "accuracy": acc or None,
        "nonce": None if t["Nonce"] == "unspecified"
        else int_text(t["Nonce"]),
        "signer_issuer": x509(args.tsa_cert, "-issuer"),
        "signer_serial": serial(x509(args.tsa_cert, "-serial")),
    })
    if r["tsa"] != tsa_subject:
        die("%s: token names TSA %r, its certificate is %r" %
            (tx["label"], r["tsa"], tsa_subject))
    run("openssl", "ts", "-verify", "-queryfile", tx["req"], "-in",
        tx["resp"], "-CAfile", args.ca, "-untrusted", args.tsa_cert)
    certs = token_certs(tx["resp"], work)
    r["certs"] = len(certs)
    r["signer_subject"] = tsa_subject if tsa_subject in certs else None
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tx", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--tsa-cert", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cols = ("kind", "method", "host", "url", "ua", "port", "req", "resp",
            "ctype", "label", "conn")
    conns = connections(args.pcap)
    events = []
    with tempfile.TemporaryDirectory() as work:
        for line in open(args.tx):
            if not line.strip():
                continue
            tx = dict(zip(cols, line.rstrip("\n").split("\t")))
            sport, first = conns[int(tx["conn"]) - 1]
            if not first.startswith(("%s %s " % (tx["method"],
                                                 tx["url"])).encode()):
                die("connection %s starts %r" % (tx["conn"], first[:60]))
            q = query_json(tx["req"])
            tsp = {"request": q if q is not None else {"$absent": True},
                   "response": reply_json(tx, args, work),
                   "signing_activity": SIGNING}
            events.append({
                "_label": tx["label"], "event_type": "timestamp",
                "src_ip": "127.0.0.1", "src_port": sport,
                "dest_ip": "127.0.0.1", "dest_port": int(tx["port"]),
                "http": {"hostname": tx["host"], "url": tx["url"],
                         "http_method": tx["method"], "status": 200,
                         "http_user_agent": tx["ua"],
                         "http_content_type": tx["ctype"]},
                "tsp": tsp,
                "anomalies": ["tsp_req_malformed"] if q is None else None,
            })
    events.append({"count": len(events),
                   "where": {"event_type": "timestamp"}})
    events.append({"count": 0, "where": {"event_type": {"$in": [
        "ocsp", "crl", "ca_cert", "tls"]}}})
    with open(args.out, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e) for e in events) + "\n]\n")


if __name__ == "__main__":
    main()
