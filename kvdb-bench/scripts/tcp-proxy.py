#!/usr/bin/env python3
"""A loopback TCP proxy for link-fault figures (replication-faults.sh).

    tcp-proxy.py LISTEN_PORT TARGET_PORT

SIGUSR1 takes the link down: every open connection is reset and new ones are closed at once
(a cut cable, a dead switch). SIGUSR2 brings it back. Prints "ready" once listening.
"""
import signal
import socket
import sys
import threading

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
down = threading.Event()
lock = threading.Lock()
open_socks = set()


def reset(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    except OSError:
        pass


def on_down(*_):
    down.set()
    with lock:
        socks = list(open_socks)
        open_socks.clear()
    for s in socks:
        reset(s)


def on_up(*_):
    down.clear()


def pump(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    finally:
        reset(src)
        reset(dst)


def serve():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(64)
    print("ready", flush=True)
    while True:
        c, _ = srv.accept()
        if down.is_set():
            reset(c)
            continue
        try:
            t = socket.create_connection(("127.0.0.1", target_port))
        except OSError:
            reset(c)
            continue
        for s in (c, t):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with lock:
            open_socks.update((c, t))
        threading.Thread(target=pump, args=(c, t), daemon=True).start()
        threading.Thread(target=pump, args=(t, c), daemon=True).start()


signal.signal(signal.SIGUSR1, on_down)
signal.signal(signal.SIGUSR2, on_up)
threading.Thread(target=serve, daemon=True).start()
while True:
    signal.pause()
