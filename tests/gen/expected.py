#!/usr/bin/env python3
"""Expected revwire events for a generated capture, from the tools' own view.

usage: expected.py --tx TX.tsv [--index index.txt] [--pcap CAPTURE]
                   --out EXPECTED.json

TX.tsv has one line per HTTP transaction the generator made, tab-separated:
  kind method host url user-agent server-port request-file response-file
  content-type label connection-number expect
("-" for an empty field; connections numbered from 1 in the order they
were opened).  kind ca_cert: response-file is the certificate or PKCS#7
bundle served; every certificate's fields come from `openssl x509` (and the
OCSP issuer hashes from `openssl ocsp -req_text` on a request made with it
as issuer).  kind tls: method is the version (TLSv12, TLSv13), host the SNI,
request-file the PEM chain the server sent, response-file the stapled OCSP
response ("-" none).  expect is "-" or JSON the generator knows by
construction: {"issuer": {...}, "verdict": {signature_valid ...}}, the
verdict going into the OCSP response (or the staple).  With --pcap, the client port of each event is the one of
that connection's SYN in the capture, and its first request line must be
the transaction's method and URL.  kind is ocsp, crl or none (a transaction that
must not give an ocsp/crl event, e.g. a CA certificate).  The OCSP and CRL
values come from `openssl ocsp -reqin/-respin ... -text` and `openssl crl
-text` on the very bytes that were sent; with --index, the CA database
(index.txt: V/R, revocation time and reason) is the reference for every
serial it knows, and any disagreement with OpenSSL's decoding is an error.
"""

import argparse
import datetime
import json
import struct
import subprocess
import sys

SHA = {"sha1": {"$re": "(?i)sha-?1"}, "sha256": {"$re": "(?i)sha-?256"}}
CRL_REASONS = {
    "Unspecified": "unspecified", "Key Compromise": "keyCompromise",
    "CA Compromise": "cACompromise",
    "Affiliation Changed": "affiliationChanged",
    "Superseded": "superseded",
    "Cessation Of Operation": "cessationOfOperation",
    "Certificate Hold": "certificateHold",
    "Remove From CRL": "removeFromCRL",
    "Privilege Withdrawn": "privilegeWithdrawn",
    "AA Compromise": "aACompromise",
}
# index.txt reason words (openssl ca -crl_reason / -crl_hold ...)
INDEX_REASONS = {
    "unspecified": "unspecified", "keyCompromise": "keyCompromise",
    "CACompromise": "cACompromise",
    "affiliationChanged": "affiliationChanged",
    "superseded": "superseded",
    "cessationOfOperation": "cessationOfOperation",
    "certificateHold": "certificateHold", "holdInstruction":
    "certificateHold", "removeFromCRL": "removeFromCRL",
    "keyTime": "keyCompromise", "CAkeyTime": "cACompromise",
}


def die(msg):
    sys.stderr.write("expected.py: %s\n" % msg)
    sys.exit(1)


def openssl(*args):
    r = subprocess.run(("openssl",) + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    # A non-successful OCSP response makes `openssl ocsp` exit 1 after
    # printing "Responder Error: NAME (N)": that is a result, not a failure.
    if r.returncode != 0 and not r.stdout.startswith("Responder Error:"):
        die("openssl %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def otime(s):
    """'Nov  3 00:21:46 2026 GMT' -> '2026-11-03T00:21:46Z'."""
    t = datetime.datetime.strptime(" ".join(s.split()),
                                   "%b %d %H:%M:%S %Y GMT")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def itime(s):
    """index.txt 'YYMMDDHHMMSSZ' (or 4-digit year) -> RFC 3339."""
    fmt = "%y%m%d%H%M%SZ" if len(s) == 13 else "%Y%m%d%H%M%SZ"
    return datetime.datetime.strptime(s, fmt).strftime("%Y-%m-%dT%H:%M:%SZ")


def serial(s):
    s = s.replace(":", "").upper()
    if s.startswith("-"):
        return s
    if len(s) > 2 and s.startswith("00") and int(s[2], 16) >= 8:
        s = s[2:]
    return s


def kv(line):
    k, _, v = line.strip().partition(":")
    return k.strip(), v.strip()


def certid(lines, i, out):
    """Parse the 4 CertID lines from lines[i]; returns next index."""
    while i < len(lines):
        k, v = kv(lines[i])
        if k == "Hash Algorithm":
            out["hash_algorithm"] = v
        elif k == "Issuer Name Hash":
            out["issuer_name_hash"] = v.lower()
        elif k == "Issuer Key Hash":
            out["issuer_key_hash"] = v.lower()
        elif k == "Serial Number":
            out["serial"] = serial(v)
            return i + 1
        i += 1
    return i


def parse_req(path):
    lines = openssl("ocsp", "-reqin", path, "-req_text",
                    "-noverify").splitlines()
    req = {"requests": []}
    i = 0
    while i < len(lines):
        k, v = kv(lines[i])
        if k == "Certificate ID":
            cid = {}
            i = certid(lines, i + 1, cid)
            req["hash_algorithm"] = cid.pop("hash_algorithm")
            req["requests"].append(cid)
            continue
        if k == "OCSP Nonce":
            req["nonce"] = lines[i + 1].strip().lower()
        i += 1
    return req


def parse_resp(path):
    text = openssl("ocsp", "-respin", path, "-resp_text", "-noverify")
    resp = {"responses": []}
    cur = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Certificate:") or \
                line.strip().startswith("Signature Algorithm"):
            break               # the embedded certificates follow
        k, v = kv(line)
        if k in ("OCSP Response Status", "Responder Error"):
            resp["status"] = v.split()[0]
        elif k == "Responder Id":
            resp["responder_id_text"] = v
        elif k == "Produced At":
            resp["produced_at"] = otime(v)
        elif k == "Certificate ID":
            cur = {}
            i = certid(lines, i + 1, cur)
            cur.pop("hash_algorithm", None)
            resp["responses"].append(cur)
            continue
        elif k == "Cert Status" and cur is not None:
            cur["cert_status"] = v
        elif k == "Revocation Time" and cur is not None:
            cur["revocation_time"] = otime(v)
        elif k == "Revocation Reason" and cur is not None:
            cur["revocation_reason"] = v.split()[0]
        elif k == "This Update" and cur is not None:
            cur["this_update"] = otime(v)
        elif k == "Next Update" and cur is not None:
            cur["next_update"] = otime(v)
        elif k == "OCSP Nonce":
            resp["nonce"] = lines[i + 1].strip().lower()
        i += 1
    return resp


def parse_crl(path):
    form = "DER" if open(path, "rb").read(1) == b"\x30" else "PEM"
    issuer = openssl("crl", "-inform", form, "-in", path, "-noout",
                     "-issuer", "-nameopt", "RFC2253").strip()
    crl = {"issuer": issuer.partition("=")[2], "revoked": []}
    lines = openssl("crl", "-inform", form, "-in", path, "-noout",
                    "-text").splitlines()
    cur = None
    for i, line in enumerate(lines):
        k, v = kv(line)
        if line.startswith("    Signature Algorithm") or \
                line.startswith("Signature Algorithm"):
            break
        if k == "Last Update":
            crl["this_update"] = otime(v)
        elif k == "Next Update" and cur is None:
            if v != "NONE":
                crl["next_update"] = otime(v)
        elif k == "X509v3 CRL Number":
            crl["crl_number"] = lines[i + 1].strip()
        elif k == "X509v3 Delta CRL Indicator":
            crl["delta"] = True
        elif k == "Serial Number":
            cur = {"serial": serial(v), "reason": None}
            crl["revoked"].append(cur)
        elif k == "Revocation Date" and cur is not None:
            cur["revocation_date"] = otime(v)
        elif k == "X509v3 CRL Reason Code" and cur is not None:
            name = lines[i + 1].strip()
            if name not in CRL_REASONS:
                die("%s: unknown reason text %r" % (path, name))
            cur["reason"] = CRL_REASONS[name]
    return crl


def load_index(path):
    db = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        st, rev, ser = f[0], f[2], serial(f[3])
        if st == "V":
            db[ser] = {"cert_status": "good"}
        elif st == "R":
            parts = rev.split(",")
            reason = INDEX_REASONS[parts[1]] if len(parts) > 1 else None
            db[ser] = {"cert_status": "revoked",
                       "revocation_time": itime(parts[0]),
                       "revocation_reason": reason}
    return db


def rfc2253_from_oneline(s):
    """'C = US, O = x, CN = y' -> 'CN=y,O=x,C=US' (simple names only)."""
    if any(c in s for c in '\\"+;<>#'):
        return None
    parts = [p.split(" = ", 1) for p in s.split(", ")]
    if any(len(p) != 2 for p in parts):
        return None
    return ",".join("%s=%s" % (k, v) for k, v in reversed(parts))


def ocsp_event(tx, db, problems):
    ev = {}
    if tx["req"] != "-":
        r = parse_req(tx["req"])
        alg = r.pop("hash_algorithm")
        r["hash_algorithm"] = SHA.get(alg, alg)
        nonce = r.pop("nonce", None)
        # OpenSSL prints the extnValue (04 LEN + nonce); the event may
        # carry either that or the bare nonce.
        if nonce and nonce.startswith("04") and \
                int(nonce[2:4], 16) * 2 == len(nonce) - 4:
            nonce = nonce[4:]
        r["nonce"] = {"$re": "(?i)(04..)?" + nonce} if nonce else None
        ev["request"] = r
    else:
        ev["request"] = {"$absent": True}
    if tx["resp"] != "-":
        r = parse_resp(tx["resp"])
        rid = r.pop("responder_id_text", None)
        r.pop("nonce", None)
        if rid and len(rid) == 40 and all(c in "0123456789ABCDEF"
                                          for c in rid.upper()):
            r["responder_id"] = {"$re": "(?i).*%s.*" % rid}
        elif rid and rfc2253_from_oneline(rid):
            r["responder_id"] = rfc2253_from_oneline(rid)
        for one in r["responses"]:
            one.setdefault("revocation_time", None)
            one.setdefault("revocation_reason", None)
            one.setdefault("next_update", None)
            if db is None:
                continue
            ref = db.get(one["serial"], {"cert_status": "unknown"})
            ref = dict({"revocation_time": None,
                        "revocation_reason": None}, **ref)
            for k, v in ref.items():
                if one[k] != v:
                    problems.append("serial %s: %s: index.txt says %r, "
                                    "openssl ocsp says %r" %
                                    (one["serial"], k, v, one[k]))
                one[k] = v
        if not r["responses"]:
            r["responses"] = {"$empty": True}
        ev["response"] = r
    else:
        ev["response"] = {"$absent": True}
    return {"ocsp": ev}


def crl_event(tx, db, problems):
    if tx["resp"] == "-":
        return {"crl": {"$absent": True}}
    c = parse_crl(tx["resp"])
    num = c.pop("crl_number", None)
    if num is not None:
        c["crl_number"] = ({"$in": [int(num), num]} if num.isdigit()
                           else {"$present": True})
    c.pop("delta", None)
    c["revoked_count"] = len(c["revoked"])
    if not c["revoked"]:
        c["revoked"] = {"$empty": True}
    if db is not None:
        want = {s: v for s, v in db.items() if v["cert_status"] == "revoked"}
        have = {e["serial"]: e for e in c["revoked"]}
        if set(want) != set(have):
            problems.append("CRL serials %s, index.txt revoked %s" %
                            (sorted(have), sorted(want)))
        for s, v in want.items():
            e = have.get(s)
            if e and (e["revocation_date"], e["reason"]) != \
                    (v["revocation_time"], v["revocation_reason"]):
                problems.append("serial %s: CRL says %s %s, index.txt %s %s"
                                % (s, e["revocation_date"], e["reason"],
                                   v["revocation_time"],
                                   v["revocation_reason"]))
    c.setdefault("next_update", None)
    return {"crl": c, "ocsp": {"$absent": True}}


def pem_certs(path):
    """The certificates of a DER/PEM certificate or PKCS#7 file, as PEM."""
    data = open(path, "rb").read()
    pem = data.startswith(b"-----")
    if b"PKCS7" in data[:40] or (not pem and path.endswith((".p7c", ".p7b"))):
        out = openssl("pkcs7", "-inform", "PEM" if pem else "DER", "-in",
                      path, "-print_certs")
    else:
        out = openssl("x509", "-inform", "PEM" if pem else "DER", "-in",
                      path) if not pem else data.decode()
    blocks, cur = [], None
    for line in out.splitlines():
        if line.startswith("-----BEGIN CERTIFICATE"):
            cur = [line]
        elif cur is not None:
            cur.append(line)
            if line.startswith("-----END CERTIFICATE"):
                blocks.append("\n".join(cur) + "\n")
                cur = None
    return blocks


def ext_line(text, name):
    """The value line of an extension in `openssl x509 -text`, or ""."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(name):
            return lines[i + 1].strip()
    return ""


def ext_hex(text, name):
    """Hex of a key identifier extension, or None."""
    v = ext_line(text, name)
    if v.startswith("keyid:"):
        v = v[6:]
    return v.replace(":", "").lower() or None


def issuer_hashes(cert_file):
    out = {}
    for alg in ("sha1", "sha256"):
        req = cert_file + "." + alg + ".req"
        openssl("ocsp", "-issuer", cert_file, "-" + alg, "-serial", "1",
                "-no_nonce", "-reqout", req)
        cid = {}
        certid(openssl("ocsp", "-reqin", req, "-req_text").splitlines(), 0,
               cid)
        out[alg + "_name"] = cid["issuer_name_hash"]
        out[alg + "_key"] = cid["issuer_key_hash"]
    return out


def cert_fields(pem, tmp):
    with open(tmp, "w") as f:
        f.write(pem)

    def one(*args):
        return openssl("x509", "-in", tmp, "-noout", "-nameopt", "RFC2253",
                       *args).strip().partition("=")[2]
    text = openssl("x509", "-in", tmp, "-noout", "-text")
    c = {"subject": one("-subject"), "issuer": one("-issuer"),
         "serial": serial(one("-serial")),
         "not_before": otime(one("-startdate")),
         "not_after": otime(one("-enddate")),
         "sha1": one("-fingerprint", "-sha1").replace(":", "").lower(),
         "sha256": one("-fingerprint", "-sha256").replace(":", "").lower(),
         "is_ca": "CA:TRUE" in text,
         "code_signing": "Code Signing" in ext_line(
             text, "X509v3 Extended Key Usage"),
         "ski": ext_hex(text, "X509v3 Subject Key Identifier"),
         "aki": ext_hex(text, "X509v3 Authority Key Identifier"),
         "ocsp_issuer_hashes": issuer_hashes(tmp)}
    return c


def certs_of(path):
    return [cert_fields(pem, "%s.%d.pem" % (path, i))
            for i, pem in enumerate(pem_certs(path))]


def ca_cert_event(tx):
    certs = certs_of(tx["resp"])
    return {"ca_cert": {"certificates": certs, "count": len(certs),
                        "truncated": False},
            "ocsp": {"$absent": True}, "crl": {"$absent": True}}


def tls_event(tx, db, problems):
    t = {"sni": tx["host"], "version": tx["method"]}
    if tx["method"] == "TLSv13":
        t.update({"tls13": True, "chain": {"$empty": True},
                  "ocsp_staple": {"$absent": True}})
    else:
        t["tls13"] = None
        t["chain"] = certs_of(tx["req"]) if tx["req"] != "-" else \
            {"$empty": True}
    if tx["resp"] != "-":
        t["status_request"] = True
        staple = ocsp_event(dict(tx, req="-"), db, problems)["ocsp"]
        t["ocsp_staple"] = staple["response"]
    return {"tls": t, "http": {"$absent": True}, "ocsp": {"$absent": True}}


def apply_expect(ev, tx):
    if tx.get("expect", "-") in ("-", "", None):
        return
    want = json.loads(tx["expect"])
    if "issuer" in want:
        ev["issuer"] = want["issuer"]
    if "verdict" in want:
        resp = ev["tls"]["ocsp_staple"] if "tls" in ev else \
            ev["ocsp"]["response"]
        resp.update(want["verdict"])


def connections(path):
    """[(client port, first client payload)] of an Ethernet/IPv4 pcap's
    TCP connections, in SYN order."""
    data = open(path, "rb").read()
    if struct.unpack("<I", data[:4])[0] != 0xa1b2c3d4 or \
            struct.unpack("<I", data[20:24])[0] != 1:
        die("%s: want a microsecond Ethernet pcap" % path)
    off, conns, first = 24, [], {}
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(pkt) < 54 or pkt[12:14] != b"\x08\x00" or pkt[23] != 6:
            continue
        ihl = (pkt[14] & 15) * 4
        tcp = pkt[14 + ihl:14 + struct.unpack("!H", pkt[16:18])[0]]
        sport = struct.unpack("!H", tcp[:2])[0]
        if tcp[13] & 0x12 == 0x02:
            conns.append(sport)
            first[sport] = b""
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload and first.get(sport) == b"":
            first[sport] = payload
    return [(p, first[p]) for p in conns]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tx", required=True)
    ap.add_argument("--index")
    ap.add_argument("--pcap")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    db = load_index(args.index) if args.index else None
    cols = ("kind", "method", "host", "url", "ua", "port", "req", "resp",
            "ctype", "label", "conn", "expect")
    conns = connections(args.pcap) if args.pcap else None
    events, problems = [], []
    counts = {"ocsp": 0, "crl": 0, "ca_cert": 0, "tls": 0}
    seen_conn = set()
    for line in open(args.tx):
        if not line.strip():
            continue
        tx = dict(zip(cols, line.rstrip("\n").split("\t")))
        if conns is not None:
            k = int(tx["conn"]) - 1
            if k >= len(conns):
                die("connection %d of %r is not in the capture" %
                    (k + 1, tx["label"]))
            sport, first = conns[k]
            if tx["kind"] not in ("none", "tls") and not first.startswith(
                    ("%s %s " % (tx["method"], tx["url"])).encode()) and \
                    tx["conn"] not in seen_conn:
                die("connection %d starts %r, not %s %s" %
                    (k + 1, first[:60], tx["method"], tx["url"]))
            seen_conn.add(tx["conn"])
        if tx["kind"] == "none":
            continue
        http = {"hostname": tx["host"], "url": tx["url"],
                "http_method": tx["method"], "status": 200,
                "http_user_agent": None if tx["ua"] == "-" else tx["ua"],
                "http_content_type": tx["ctype"]}
        ev = {"_label": tx["label"], "event_type": tx["kind"],
              "src_ip": "127.0.0.1", "dest_ip": "127.0.0.1",
              "dest_port": int(tx["port"]), "http": http}
        if conns is not None:
            ev["src_port"] = sport
        if tx["kind"] == "tls":
            del ev["http"]
        if tx["kind"] == "ocsp":
            ev.update(ocsp_event(tx, db, problems))
            ev["crl"] = {"$absent": True}
        elif tx["kind"] == "ca_cert":
            ev.update(ca_cert_event(tx))
        elif tx["kind"] == "tls":
            ev.update(tls_event(tx, db, problems))
        else:
            ev.update(crl_event(tx, db, problems))
        apply_expect(ev, tx)
        counts[tx["kind"]] += 1
        events.append(ev)
    if problems:
        die("the tools disagree:\n  " + "\n  ".join(problems))
    for kind in ("ocsp", "crl", "ca_cert", "tls"):
        if kind in ("ocsp", "crl") or counts[kind]:
            events.append({"count": counts[kind],
                           "where": {"event_type": kind}})
    with open(args.out, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e) for e in events) + "\n]\n")


if __name__ == "__main__":
    main()
