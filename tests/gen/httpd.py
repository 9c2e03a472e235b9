#!/usr/bin/env python3
"""Loopback HTTP/1.1 server for the capture generators.

usage: httpd.py PORT DIR

GET serves DIR/PATH; POST reads the request body and answers with DIR/PATH
(so a client can POST an OCSP request and get a chosen response back).
Content-Type comes from the extension, on purpose including a mislabelled
one: .crl application/pkix-crl, .crt application/pkix-cert, .cer
application/x-x509-ca-cert, .p7c application/pkcs7-mime, .p7b
application/x-pkcs7-certificates, .ocsp application/ocsp-response, .bin
application/octet-stream.  Binds
127.0.0.1 only.
"""

import http.server
import os
import sys

TYPES = {
    ".crl": "application/pkix-crl",
    ".crt": "application/pkix-cert",
    ".ocsp": "application/ocsp-response",
    ".bin": "application/octet-stream",
    ".cer": "application/x-x509-ca-cert",
    ".p7c": "application/pkcs7-mime",
    ".p7b": "application/x-pkcs7-certificates",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "revwire-test-httpd/1.0"
    sys_version = ""

    def send_file(self):
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
        self.wfile.write(body)

    def do_GET(self):
        self.send_file()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n > 1 << 20:
            self.send_error(413)
            return
        self.rfile.read(n)
        self.send_file()

    def log_message(self, fmt, *args):
        sys.stderr.write("httpd: " + (fmt % args) + "\n")


def main():
    port, root = int(sys.argv[1]), os.path.realpath(sys.argv[2])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.root = root
    sys.stderr.write("httpd: listening on 127.0.0.1:%d\n" % port)
    sys.stderr.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
