#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""liscal-forger: a stranger on the mirror port, for tests/lab/25-liscal-faults.bats.

Speaks the liscal mirror protocol (Documentation/wire-protocol.md) as node
id 1 of the resource node 0 names in its HELLO: listens on LISTEN
(a.b.c.d:port, the real peer's mirror address, so node 0 connects to it),
answers the handshake with a HELLO derived from node 0's, then sends the
state packets it reads, one a line, from the FIFO:

  syncdone mine|other          SYNC_DONE with the generation it announced
                               (mine) or another one (other)
  syncstart mine|other [full]  SYNC_START
  force SRC [force] [full]     FORCE naming node SRC as the source
  state ROLE DISK [req|reply|nak [SEQ]]
                               STATE with its generation; req: ACT_REQ with
                               sequence 1; reply / nak: an ACT_REPLY (nak:
                               ERROR) with sequence SEQ
  flushed N                    FLUSHED covering N acks (no flush ahead was
                               announced: it is refused)
  close                        CLOSE and end

A reader thread answers PING with PONG, acknowledges DATA and RS_DATA, and
logs every packet it receives ("rx TYPE flags=F seq=S") to stdout.
--mode src announces a copy newer than node 0's (its gen_bitmap is node 0's
gen_current, one dirty bit: node 0 decides the peer is the source and is
outdated); --mode tgt one that node 0 went on from (its gen_current is
node 0's gen_bitmap: node 0 is the source). The generations are logged
("node0 gen=...", "mine gen=...").
"""
import argparse
import os
import random
import socket
import struct
import sys
import threading

MAGIC = 0x4C53434D
PROTO = 7
HDR = struct.Struct(">IHHIIQQ")
HELLO = struct.Struct(">II16s16sQIIQQQQIIQII")  # protocols 3-4: 112 bytes
AUTH = struct.Struct(">II32s32s")  # protocol 4: proto, mode, nonce, mac
AUTH_T, WF_PROOF = 15, 0x80
STATE = struct.Struct(">IIIIQ")
SYNC = struct.Struct(">QQ")
FORCE = struct.Struct(">II")
(HELLO_T, BITMAP, BITMAP_DONE, DATA, DATA_ACK, RS_DATA, RS_ACK, PING, PONG,
 STATE_T, SYNC_START, SYNC_DONE, FORCE_T, CLOSE) = range(1, 15)
NAMES = {1: "HELLO", 2: "BITMAP", 3: "BITMAP_DONE", 4: "DATA", 5: "DATA_ACK",
         6: "RS_DATA", 7: "RS_ACK", 8: "PING", 9: "PONG", 10: "STATE",
         11: "SYNC_START", 12: "SYNC_DONE", 13: "FORCE", 14: "CLOSE"}
WF_ERROR, WF_FULL, WF_FORCE, WF_ACT_REQ, WF_ACT_REPLY = 0x4, 0x8, 0x10, 0x20, 0x40
FLUSHED = 18
SB_INITIALISED = 0x1


def log(*a):
    print(*a, flush=True)


class Peer:
    def __init__(self, sock):
        self.sock = sock
        self.lock = threading.Lock()

    def recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def recv_pkt(self):
        magic, typ, flags, length, size, seq, sector = HDR.unpack(self.recv(HDR.size))
        if magic != MAGIC:
            raise ValueError("bad magic %#x" % magic)
        return typ, flags, size, seq, sector, self.recv(length) if length else b""

    def send(self, typ, payload=b"", flags=0, seq=0, size=0, sector=0):
        with self.lock:
            self.sock.sendall(HDR.pack(MAGIC, typ, flags, len(payload), size, seq,
                                       sector) + payload)


def reader(p):
    try:
        while True:
            typ, flags, size, seq, sector, _ = p.recv_pkt()
            log("rx %s flags=%#x seq=%d" % (NAMES.get(typ, typ), flags, seq))
            if typ == PING:
                p.send(PONG)
            elif typ == DATA:
                p.send(DATA_ACK, seq=seq, size=size, sector=sector)
            elif typ == RS_DATA:
                p.send(RS_ACK, seq=seq, size=size, sector=sector)
    except (EOFError, OSError, ValueError) as e:
        log("reader: %s" % e)
        os._exit(0)


def auth(p, key_mode):
    """The AUTH step: node 0's challenge, this side's with @key_mode. With
    a key mode this forger holds no key: it sends a forged proof (random
    bytes) and reports how node 0 ends the connection."""
    typ, _, _, _, _, body = p.recv_pkt()
    if typ != AUTH_T:
        sys.exit("expected AUTH, got %d" % typ)
    log("node0 auth mode=%d" % AUTH.unpack(body)[1])
    p.send(AUTH_T, AUTH.pack(PROTO, key_mode, os.urandom(32) if key_mode else bytes(32),
                             bytes(32)))
    if not key_mode:
        return
    try:
        typ, flags, _, _, _, body = p.recv_pkt()
        log("rx %s flags=%#x" % (NAMES.get(typ, typ), flags))
        p.send(AUTH_T, AUTH.pack(PROTO, key_mode, bytes(32), os.urandom(32)), WF_PROOF)
        p.recv_pkt()
        log("forged proof: node0 went on")
    except (EOFError, OSError, ValueError) as e:
        log("forged proof: refused (%s)" % e)
    sys.exit(0)


def handshake(p, mode, role, disk, key_mode=0):
    auth(p, key_mode)
    typ, _, _, _, _, body = p.recv_pkt()
    if typ != HELLO_T:
        sys.exit("expected HELLO, got %d" % typ)
    (_, _, name, _, data_bytes, shift, sbf, cur, gbm, h0, _, _, _,
     _, lbs, _) = HELLO.unpack(body)
    log("node0 gen=%d gen_bitmap=%d flags=%#x" % (cur, gbm, sbf))
    if mode == "src":
        gen, bm, hist = random.getrandbits(63) | 1, cur, cur
    else:
        gen, bm, hist = (gbm or h0), 0, 0
    log("mine gen=%d gen_bitmap=%d" % (gen, bm))
    # src: a dirty bit of its own, so that node 0 is outdated, not in sync
    p.send(HELLO_T, HELLO.pack(PROTO, 1, name, bytes(16), data_bytes, shift,
                               SB_INITIALISED, gen, bm, hist, 0, role, disk,
                               1 if mode == "src" else 0, lbs, 0))
    while True:  # node 0 sends its bitmap first
        typ, _, _, _, _, _ = p.recv_pkt()
        if typ == BITMAP_DONE:
            break
        if typ != BITMAP:
            sys.exit("expected BITMAP, got %d" % typ)
    p.send(BITMAP_DONE)
    return gen


def command(p, w, gen):
    other = gen ^ 0x5A5A5A5A5A5A
    if w[0] in ("syncdone", "syncstart"):
        g = gen if w[1] == "mine" else other
        typ = SYNC_DONE if w[0] == "syncdone" else SYNC_START
        p.send(typ, SYNC.pack(g, 0), WF_FULL if "full" in w else 0)
    elif w[0] == "force":
        fl = (WF_FORCE if "force" in w[2:] else 0) | (WF_FULL if "full" in w[2:] else 0)
        p.send(FORCE_T, FORCE.pack(int(w[1]), fl))
    elif w[0] == "state":
        fl, seq = 0, 0
        if len(w) > 3:
            fl = {"req": WF_ACT_REQ, "reply": WF_ACT_REPLY,
                  "nak": WF_ACT_REPLY | WF_ERROR}[w[3]]
            seq = int(w[4]) if len(w) > 4 else 1
        p.send(STATE_T, STATE.pack(int(w[1]), int(w[2]), SB_INITIALISED, 0, gen),
               fl, seq)
    elif w[0] == "flushed":
        p.send(FLUSHED, seq=int(w[1]))
    else:
        log("unknown command %s" % w[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("listen")
    ap.add_argument("fifo")
    ap.add_argument("--mode", choices=("src", "tgt"), default="src")
    ap.add_argument("--role", type=int, default=1)
    ap.add_argument("--disk", type=int, default=3)
    ap.add_argument("--key-mode", type=int, default=0,
                    help="AUTH mode to claim; 1 or 2: send a forged proof and exit")
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, int(port)))
    ls.listen(1)
    log("listening")
    sock, addr = ls.accept()
    log("connected from %s" % addr[0])
    p = Peer(sock)
    gen = handshake(p, a.mode, a.role, a.disk, a.key_mode)
    log("handshake done")
    threading.Thread(target=reader, args=(p,), daemon=True).start()
    while True:
        with open(a.fifo) as fifo:
            for line in fifo:
                w = line.split()
                if not w:
                    continue
                log("tx %s" % line.strip())
                if w[0] == "close":
                    p.send(CLOSE)
                    sock.close()
                    return
                command(p, w, gen)


if __name__ == "__main__":
    main()
