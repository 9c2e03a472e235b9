#!/usr/bin/env python3
"""A unix-socket proxy in front of a redis-server that loses one reply.

redis-cut.py LISTEN UPSTREAM PATTERN

Connections to LISTEN are relayed to UPSTREAM.  On the first connection
whose client bytes contain PATTERN, the commands keep going to Redis (so
they run) but from then on nothing comes back: after a short grace both
sides are closed.  The client sees its connection die after Redis
executed the commands and before it read their replies, which is the
case an at-least-once writer replays.  Later connections are relayed
whole.  Prints "cut N" on stderr when it cut N reply bytes.
"""
import os
import socket
import sys
import threading
import time

listen, upstream, pattern = sys.argv[1], sys.argv[2], sys.argv[3].encode()
state = {"cut": False}
lock = threading.Lock()


def relay(cli):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.connect(upstream)
    cutting = threading.Event()
    dropped = [0]

    def down():	# server -> client, until cutting
        try:
            while True:
                b = srv.recv(65536)
                if not b:
                    break
                if cutting.is_set():
                    dropped[0] += len(b)
                    continue
                cli.sendall(b)
        except OSError:
            pass
        try:
            cli.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    t = threading.Thread(target=down, daemon=True)
    t.start()
    seen = b""
    try:
        while True:
            b = cli.recv(65536)
            if not b:
                break
            with lock:
                if not state["cut"] and pattern in seen[-len(pattern):] + b:
                    state["cut"] = True
                    cutting.set()
            seen = b
            srv.sendall(b)
            if cutting.is_set():
                # the rest of the pipeline still reaches Redis and runs
                deadline = time.time() + 0.5
                cli.settimeout(0.05)
                while time.time() < deadline:
                    try:
                        b = cli.recv(65536)
                    except socket.timeout:
                        continue
                    if not b:
                        break
                    srv.sendall(b)
                time.sleep(0.2)	# its replies are read and dropped
                print("cut %d" % dropped[0], file=sys.stderr, flush=True)
                break
    except OSError:
        pass
    for s in (cli, srv):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def main():
    if os.path.exists(listen):
        os.unlink(listen)
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(listen)
    ls.listen(16)
    print("listening", file=sys.stderr, flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=relay, args=(c,), daemon=True).start()


main()
