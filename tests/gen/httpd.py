#!/usr/bin/env python3
"""Loopback HTTP/1.1 server for the capture generators.

usage: httpd.py PORT DIR [TSA_CONFIG]

GET serves DIR/PATH and HEAD its headers only; POST reads the request body
and answers with DIR/PATH (so a client can POST an OCSP request and get a
chosen response back).
With TSA_CONFIG, a POST labelled application/timestamp-query (or the older
timestamp-request) is an RFC 3161 time-stamping request instead: the body
goes to `openssl ts -reply -config TSA_CONFIG` and its reply comes back as
application/timestamp-reply (timestamp-response for the older label).
Content-Type comes from the extension, on purpose including a mislabelled
one: .crl application/pkix-crl, .crt application/pkix-cert, .cer
application/x-x509-ca-cert, .p7c application/pkcs7-mime, .p7b
application/x-pkcs7-certificates, .ocsp application/ocsp-response, .bin
application/octet-stream.  Binds
127.0.0.1 only.
"""

import http.server
import os
import subprocess
import sys
import tempfile

TYPES = {
    ".crl": "application/pkix-crl",
    ".crt": "application/pkix-cert",
    ".ocsp": "application/ocsp-response",
    ".bin": "application/octet-stream",
    ".cer": "application/x-x509-ca-cert",
    ".p7c": "application/pkcs7-mime",
    ".p7b": "application/x-pkcs7-certificates",
}

# request label -> reply label (RFC 3161 section 4, and the older names)
TSA_TYPES = {
    "application/timestamp-query": "application/timestamp-reply",
    "application/timestamp-request": "application/timestamp-response",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "revwire-test-httpd/1.0"
    sys_version = ""

    def send_file(self, head=False):
        root = self.server.root
        rel = self.path.split("?", 1)[0].lstrip("/")
        path = os.path.realpath(os.path.join(root, rel))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            body = f.read()
        ext = os.path.splitext(path)[1]
        self.send_response(200)
        self.send_header("Content-Type",
                         TYPES.get(ext, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):
        self.send_file()

    def do_HEAD(self):
        self.send_file(head=True)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n > 1 << 20:
            self.send_error(413)
            return
        body = self.rfile.read(n)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        reply_type = TSA_TYPES.get(ctype.strip().lower())
        if self.server.tsa and reply_type:
            self.send_tsa(body, reply_type)
        else:
            self.send_file()

    def send_tsa(self, query, reply_type):
        """openssl answers even a query it cannot decode (a rejection)."""
        with tempfile.TemporaryDirectory() as d:
            q, r = os.path.join(d, "q.tsq"), os.path.join(d, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            rc = subprocess.run(
                ["openssl", "ts", "-reply", "-config", self.server.tsa,
                 "-queryfile", q, "-out", r],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            ).returncode
            if rc != 0 or not os.path.isfile(r):
                self.send_error(500)
                return
            with open(r, "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", reply_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("httpd: " + (fmt % args) + "\n")


def main():
    port, root = int(sys.argv[1]), os.path.realpath(sys.argv[2])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.root = root
    srv.tsa = os.path.realpath(sys.argv[3]) if len(sys.argv) > 3 else None
    sys.stderr.write("httpd: listening on 127.0.0.1:%d\n" % port)
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
