#!/usr/bin/env python3
"""A fake Redis that answers with a huge reply header.

redis-huge.py SOCKET|tcp:PORT MODE

It listens on the unix socket SOCKET, or on 127.0.0.1:PORT.

PING (and AUTH, SELECT, HELLO) get +PONG / +OK, as from a real server; the
first other command gets, by MODE:
  array  "*668000000\\r\\n" (the header tests/fuzz/fuzz_cluster found), then
         silence: a client that allocates what the header claims has done
         so already;
  bulk   "$668000000\\r\\n" followed by that many bytes, sent for as long as
         the client reads: a client that buffers what a header claims
         grows with them.
Each connection is served in its own thread; the server runs until killed.
Prints "ready" on stdout once it listens.
"""
import os
import socket
import sys
import threading

path, mode = sys.argv[1], sys.argv[2]
HUGE = 668000000


def commands(sock):
    """Yields each command (a list of bytes) the client sends."""
    buf = b""
    while True:
        while True:
            cmd, used = parse(buf)
            if cmd is None:
                break
            buf = buf[used:]
            yield cmd
        data = sock.recv(65536)
        if not data:
            return
        buf += data


def parse(buf):
    """One RESP array of bulk strings at the start of buf, or (None, 0)."""
    if not buf.startswith(b"*") or b"\r\n" not in buf:
        return None, 0
    head, pos = buf.split(b"\r\n", 1)[0], buf.index(b"\r\n") + 2
    args = []
    for _ in range(int(head[1:])):
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return None, 0
        n = int(buf[pos + 1:end])
        if len(buf) < end + 2 + n + 2:
            return None, 0
        args.append(buf[end + 2:end + 2 + n])
        pos = end + 2 + n + 2
    return args, pos


def serve(sock):
    try:
        for cmd in commands(sock):
            name = cmd[0].upper() if cmd else b""
            if name == b"PING":
                sock.sendall(b"+PONG\r\n")
            elif name in (b"AUTH", b"SELECT", b"HELLO", b"CLIENT"):
                sock.sendall(b"+OK\r\n")
            elif mode == "array":
                sock.sendall(b"*%d\r\n" % HUGE)
            else:
                sock.sendall(b"$%d\r\n" % HUGE)
                chunk = b"a" * 65536
                for _ in range(HUGE // len(chunk)):
                    sock.sendall(chunk)
    except OSError:
        pass	# the client hung up: what a refusal looks like from here
    finally:
        sock.close()


if path.startswith("tcp:"):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(path[4:])))
else:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    srv.bind(path)
srv.listen(16)
print("ready", flush=True)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
