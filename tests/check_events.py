#!/usr/bin/env python3
"""Compare revwire's JSON-lines output with an expected-events file.

usage: check_events.py [--actual FILE|-] [--no-format] EXPECTED.json

EXPECTED.json is a JSON list.  Each element is either
  - a partial event: it must be matched by a distinct actual event (subset
    match, see below).  A group of k identical partial events needs exactly
    k matching actual events: one too many is a failure too (a duplicate
    event is a bug);
  - {"count": N, "where": PATTERN}: exactly N actual events match PATTERN.

Matching (expected against actual):
  - dict: every key of the expected dict must match the actual value;
    keys not named are ignored; keys starting with "_" are comments
    ("_label" is printed with a failure);
  - list: same length, element by element in order;
  - scalar: equal, and of the same JSON type (1 != "1", true != 1);
  - null: the actual value is absent or null;
  - operators, a dict whose only keys start with "$":
      {"$absent": true}     absent or null
      {"$present": true}    present and not null
      {"$empty": true}      absent, null, [], {} or ""
      {"$re": "PAT"}        a string that re.fullmatch()es PAT
      {"$prefix": "S"}      a string starting with S
      {"$in": [V, ...]}     matches one of the V (each V a pattern itself)
      {"$len": N}           a list of N elements

Unless --no-format, every actual ocsp/crl/timestamp/cryptoapi_other event
is also checked for the documented formats (timestamp, upper-case serials,
lower-case hashes, reason and status names, genTime, body_len, body_magic
names, ua_version).  Every problem is printed with want/have; the
exit status is 0 only when there is none.
"""

import argparse
import json
import re
import sys

MISSING = object()

REASONS = {
    "unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
    "superseded", "cessationOfOperation", "certificateHold",
    "removeFromCRL", "privilegeWithdrawn", "aACompromise",
}
RESP_STATUS = {
    "successful", "malformedRequest", "internalError", "tryLater",
    "sigRequired", "unauthorized",
}
CERT_STATUS = {"good", "revoked", "unknown"}
# RFC 3339 in UTC with microseconds: "Z" or "+00:00" (never "+0000").
RE_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|\+00:00)")
RE_OBJTIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
# Upper-case hex of the magnitude, as i2a_ASN1_INTEGER prints it: no 00 pad.
RE_SERIAL = re.compile(r"-?(?!00[0-9A-F]{2})(?:[0-9A-F]{2})+")
RE_HASH = re.compile(r"(?:[0-9a-f]{2})+")
TSP_STATUS = {
    "granted", "grantedWithMods", "rejection", "waiting",
    "revocationWarning", "revocationNotification",
}
TSP_FAILURE = {
    "badAlg", "badRequest", "badDataFormat", "timeNotAvailable",
    "unacceptedPolicy", "unacceptedExtension", "addInfoNotAvailable",
    "systemFailure", "other",
}
# genTime: RFC 3339 UTC with the token's fraction of a second, if any
RE_GENTIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
RE_OID = re.compile(r"[0-2](\.\d+)+")
# cryptoapi_other: what a CryptoAPI client was served instead of PKI
RE_SHA256 = re.compile(r"[0-9a-f]{64}")
BODY_MAGIC = {"pe", "zip", "gzip", "pdf", "elf", "script/text", "unknown"}
RE_UA_VERSION = re.compile(r"[0-9A-Za-z._-]{1,31}")


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def is_op(exp):
    return isinstance(exp, dict) and exp and all(
        k.startswith("$") for k in exp)


def match_op(exp, have, path, out):
    ok = True
    for op, arg in exp.items():
        if op == "$absent":
            good = (have is MISSING or have is None) == bool(arg)
        elif op == "$present":
            good = (have is not MISSING and have is not None) == bool(arg)
        elif op == "$empty":
            good = (have in (MISSING, None, "") or have == [] or
                    have == {}) == bool(arg)
        elif op == "$re":
            good = isinstance(have, str) and re.fullmatch(arg, have)
        elif op == "$prefix":
            good = isinstance(have, str) and have.startswith(arg)
        elif op == "$in":
            good = any(match(alt, have, path, []) for alt in arg)
        elif op == "$len":
            good = isinstance(have, list) and len(have) == arg
        else:
            raise SystemExit("check_events: unknown operator %s at %s" %
                             (op, path))
        if not good:
            out.append((path, {op: arg}, have))
            ok = False
    return ok


def match(exp, have, path, out):
    """True when have matches exp; appends (path, want, have) to out."""
    if is_op(exp):
        return match_op(exp, have, path, out)
    if exp is None:
        if have is MISSING or have is None:
            return True
        out.append((path, None, have))
        return False
    if isinstance(exp, dict):
        if not isinstance(have, dict):
            out.append((path, exp, have))
            return False
        ok = True
        for k, v in exp.items():
            if k.startswith("_"):
                continue        # "_label", "_note": comments
            ok = match(v, have.get(k, MISSING), path + "." + k, out) and ok
        return ok
    if isinstance(exp, list):
        if not isinstance(have, list) or len(have) != len(exp):
            out.append((path, exp, have))
            return False
        ok = True
        for i, (e, h) in enumerate(zip(exp, have)):
            ok = match(e, h, "%s[%d]" % (path, i), out) and ok
        return ok
    if jtype(exp) != jtype(have) or exp != have:
        out.append((path, exp, have))
        return False
    return True


def show(v):
    if v is MISSING:
        return "(absent)"
    return json.dumps(v, sort_keys=True)


def assign(cands, n_actual):
    """Bipartite matching: expected i -> distinct actual; list or None."""
    owner = [None] * n_actual

    def try_(i, seen):
        for j in cands[i]:
            if j in seen:
                continue
            seen.add(j)
            if owner[j] is None or try_(owner[j], seen):
                owner[j] = i
                return True
        return False

    got = [None] * len(cands)
    for i in range(len(cands)):
        try_(i, set())
    for j, i in enumerate(owner):
        if i is not None:
            got[i] = j
    return got


def check_format(ev, where, problems):
    def bad(path, want, have):
        problems.append("%s: format: %s: want %s, have %s" %
                        (where, path, want, show(have)))

    def chk(path, v, rx=None, names=None):
        if v is MISSING or v is None:
            return
        if rx is not None and not (isinstance(v, str) and rx.fullmatch(v)):
            bad(path, "/%s/" % rx.pattern, v)
        if names is not None and v not in names:
            bad(path, "one of the documented names", v)

    et = ev.get("event_type")
    if et not in ("ocsp", "crl", "timestamp", "cryptoapi_other"):
        return
    chk("timestamp", ev.get("timestamp", MISSING), RE_TS)
    if not isinstance(ev.get("timestamp"), str):
        bad("timestamp", "present", ev.get("timestamp", MISSING))
    ocsp = ev.get("ocsp") or {}
    req = ocsp.get("request") or {}
    for i, r in enumerate(req.get("requests") or []):
        p = "ocsp.request.requests[%d]." % i
        chk(p + "serial", r.get("serial", MISSING), RE_SERIAL)
        chk(p + "issuer_name_hash", r.get("issuer_name_hash", MISSING),
            RE_HASH)
        chk(p + "issuer_key_hash", r.get("issuer_key_hash", MISSING),
            RE_HASH)
    resp = ocsp.get("response") or {}
    chk("ocsp.response.status", resp.get("status", MISSING),
        names=RESP_STATUS)
    chk("ocsp.response.produced_at", resp.get("produced_at", MISSING),
        RE_OBJTIME)
    for i, r in enumerate(resp.get("responses") or []):
        p = "ocsp.response.responses[%d]." % i
        chk(p + "serial", r.get("serial", MISSING), RE_SERIAL)
        chk(p + "issuer_name_hash", r.get("issuer_name_hash", MISSING),
            RE_HASH)
        chk(p + "issuer_key_hash", r.get("issuer_key_hash", MISSING),
            RE_HASH)
        chk(p + "cert_status", r.get("cert_status", MISSING),
            names=CERT_STATUS)
        chk(p + "revocation_reason", r.get("revocation_reason", MISSING),
            names=REASONS)
        for t in ("revocation_time", "this_update", "next_update"):
            chk(p + t, r.get(t, MISSING), RE_OBJTIME)
    crl = ev.get("crl") or {}
    for t in ("this_update", "next_update"):
        chk("crl." + t, crl.get(t, MISSING), RE_OBJTIME)
    for i, r in enumerate(crl.get("revoked") or []):
        p = "crl.revoked[%d]." % i
        chk(p + "serial", r.get("serial", MISSING), RE_SERIAL)
        chk(p + "revocation_date", r.get("revocation_date", MISSING),
            RE_OBJTIME)
        chk(p + "reason", r.get("reason", MISSING), names=REASONS)
    tsp_format(ev.get("tsp") or {}, chk)
    if et == "cryptoapi_other":
        capi_format(ev.get("cryptoapi_other", MISSING), chk, bad)


def capi_format(c, chk, bad):
    """The formats of a cryptoapi_other object (docs/events.md)."""
    if not isinstance(c, dict):
        bad("cryptoapi_other", "an object", c)
        return
    n = c.get("body_len", MISSING)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        bad("cryptoapi_other.body_len", "a positive integer", n)
    chk("cryptoapi_other.body_sha256", c.get("body_sha256", MISSING),
        RE_SHA256)
    chk("cryptoapi_other.body_magic", c.get("body_magic", MISSING),
        names=BODY_MAGIC)
    if c.get("body_magic") is None:
        bad("cryptoapi_other.body_magic", "present", c.get("body_magic",
                                                         MISSING))
    chk("cryptoapi_other.ua_version", c.get("ua_version", MISSING),
        RE_UA_VERSION)


def tsp_format(tsp, chk):
    """The formats of an RFC 3161 event's tsp object (docs/events.md)."""
    for side in ("request", "response"):
        o = tsp.get(side) or {}
        p = "tsp.%s." % side
        for k in ("nonce", "serial", "signer_serial"):
            chk(p + k, o.get(k, MISSING), RE_SERIAL)
        chk(p + "message_imprint", o.get("message_imprint", MISSING),
            RE_HASH)
        chk(p + "policy", o.get("policy", MISSING), RE_OID)
    resp = tsp.get("response") or {}
    chk("tsp.response.status", resp.get("status", MISSING),
        names=TSP_STATUS | {str(i) for i in range(6, 100)})
    chk("tsp.response.gen_time", resp.get("gen_time", MISSING), RE_GENTIME)
    for i, f in enumerate(resp.get("failure_info") or []):
        chk("tsp.response.failure_info[%d]" % i, f,
            names=TSP_FAILURE | {str(b) for b in range(32)})


def load_actual(src, problems):
    events = []
    for n, line in enumerate(src, 1):
        line = line.strip()
        if not line:
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            problems.append("actual line %d: not JSON (%s): %.120s" %
                            (n, e, line))
            continue
        if not isinstance(ev, dict):
            problems.append("actual line %d: not a JSON object" % n)
            continue
        events.append(ev)
    return events


def brief(ev):
    keys = ("event_type", "src_port", "http", "ocsp", "crl")
    s = json.dumps({k: ev[k] for k in keys if k in ev}, sort_keys=True)
    return s if len(s) <= 400 else s[:400] + "..."


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("expected")
    ap.add_argument("--actual", default="-",
                    help="JSON lines file, '-' for stdin (default)")
    ap.add_argument("--no-format", action="store_true",
                    help="skip the per-event format checks")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)

    with open(args.expected) as f:
        expected = json.load(f)
    if not isinstance(expected, list):
        raise SystemExit("check_events: %s: want a JSON list" % args.expected)

    problems = []
    if args.actual == "-":
        actual = load_actual(sys.stdin, problems)
    else:
        with open(args.actual) as f:
            actual = load_actual(f, problems)

    if not args.no_format:
        for j, ev in enumerate(actual):
            check_format(ev, "actual event %d" % j, problems)

    partial = [(i, e) for i, e in enumerate(expected)
               if not (isinstance(e, dict) and "count" in e and
                       "where" in e)]
    counts = [(i, e) for i, e in enumerate(expected)
              if isinstance(e, dict) and "count" in e and "where" in e]

    for i, e in counts:
        n = sum(1 for ev in actual if match(e["where"], ev, "", []))
        if n != e["count"]:
            problems.append("expected[%d]: count where %s: want %d, have %d"
                            % (i, show(e["where"]), e["count"], n))

    cands = [[j for j, ev in enumerate(actual) if match(e, ev, "", [])]
             for _, e in partial]
    # k identical expectations need exactly k matching events.
    groups = {}
    for k, (i, e) in enumerate(partial):
        key = {f: v for f, v in e.items() if not f.startswith("_")} \
            if isinstance(e, dict) else e
        groups.setdefault(json.dumps(key, sort_keys=True), []).append(k)
    for ks in groups.values():
        n = len(cands[ks[0]])
        if n > len(ks):
            i = partial[ks[0]][0]
            problems.append(
                "expected[%d]: %d actual events match, want exactly %d "
                "(duplicate event?): %s" %
                (i, n, len(ks), ", ".join("actual %d" % j
                                          for j in cands[ks[0]])))
    got = assign(cands, len(actual))
    for k, (i, e) in enumerate(partial):
        if got[k] is not None:
            continue
        label = e.get("_label", "") if isinstance(e, dict) else ""
        # Explain against the closest event: the fewest mismatches.
        best, best_out = None, None
        for j, ev in enumerate(actual):
            out = []
            match(e, ev, "", out)
            if best_out is None or len(out) < len(best_out):
                best, best_out = j, out
        if best is None:
            problems.append("expected[%d] %s: no actual events at all" %
                            (i, label))
            continue
        why = "; ".join("%s: want %s, have %s" % (p or ".", show(w), show(h))
                        for p, w, h in best_out) or \
            "matches only events already taken by other expectations"
        problems.append("expected[%d] %s: missing; closest is actual %d: %s"
                        % (i, label, best, why))

    for p in problems:
        print("FAIL " + p)
    if not args.quiet:
        print("check_events: %s: %d actual events, %d expected, %d counts, "
              "%d problems" % (args.expected, len(actual), len(partial),
                               len(counts), len(problems)))
    if problems and actual and not args.quiet:
        print("check_events: actual events were:")
        for j, ev in enumerate(actual):
            print("  actual %d: %s" % (j, brief(ev)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
