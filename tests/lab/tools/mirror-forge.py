#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mirror-forge.py: a lying peer on liscal's mirror port, for
tests/lab/long/32-lying-peer.bats. Speaks Documentation/wire-protocol.md
(layout: kernel/liscal/liscal_wire.h) as node id 0 to a node id 1 that
listens, from the real peer's address (its own resource broken), and sends
one forged packet per connection.

  mirror-forge.py [--bind ADDR] [--peer ADDR:PORT] [--timeout S] CASE...
  mirror-forge.py write SECTOR BYTE COUNT   a valid DATA (COUNT bytes of
                                            BYTE) the peer must acknowledge
  mirror-forge.py port-closed               the port takes no connection
  mirror-forge.py stranger                  from --bind, not the peer's
                                            address: closed, no HELLO
  mirror-forge.py --list                    every CASE: name, phase, what

Each CASE runs on a connection of its own, one after the other. A CASE
passes when the peer closes the connection after the lie (the driver
refused it; for the truncated cases, gave up waiting for the rest), and
prints "CASE: closed by the peer after N ms". Exit 0: every CASE passed;
1: the peer kept a connection (the lie was accepted) or the forger could
not play its part (no handshake: the line names what failed); 2: usage.

The HELLO is the listener's own, echoed back as node id 0 and standby with
no dirty bits: the handshake decides "in sync" and changes nothing there.
"""
import argparse
import socket
import struct
import sys
import time

MAGIC = 0x4C53434D
HDR = struct.Struct(">IHHIIQQ")  # magic type flags len size seq sector
HELLO = struct.Struct(">II16s16sQIIQQQQIIQII")  # protocols 3-4: 112 bytes
PROTO = 7
AUTH = struct.Struct(">II32s32s")  # protocol 4: proto, mode, nonce, mac
P_AUTH = 15
STATE = struct.Struct(">IIIIQ")
SYNC = struct.Struct(">QQ")
FORCE = struct.Struct(">II")
(P_HELLO, P_BITMAP, P_BITMAP_DONE, P_DATA, P_DATA_ACK, P_RS_DATA, P_RS_ACK,
 P_PING, P_PONG, P_STATE, P_SYNC_START, P_SYNC_DONE, P_FORCE, P_CLOSE) = range(1, 15)
WF_FUA, WF_PREFLUSH, WF_ERROR, WF_FULL, WF_FORCE = 1, 2, 4, 8, 16
SB_F_WAS_ACTIVE = 1 << 6
ROLE_STANDBY = 1
MIB = 1 << 20


class Fail(Exception):
    """The forger could not play its part (not a verdict on the driver)."""


def hdr(ptype, flags=0, length=0, size=0, seq=1, sector=0, magic=MAGIC):
    return HDR.pack(magic, ptype, flags, length, size, seq, sector)


class Peer:
    def __init__(self, args):
        self.args = args
        self.sock = None
        self.hello = None  # the listener's HELLO, as a dict
        self.seq = 100

    def connect(self):
        """Connects from --bind to --peer; retries while the listener is
        between two accept windows (connect timeout, or a second after a
        refused handshake)."""
        host, port = self.args.peer.rsplit(":", 1)
        end = time.monotonic() + self.args.timeout
        while True:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.bind((self.args.bind, 0))
            s.settimeout(5)
            try:
                s.connect((host, int(port)))
                self.sock = s
                return
            except OSError as e:
                s.close()
                if time.monotonic() > end:
                    raise Fail(f"cannot connect to {self.args.peer}: {e}")
                time.sleep(0.2)

    def open(self):
        """Connects and reads the listener's HELLO. A connection reset
        before the HELLO is tried again: the listener closes its socket at
        the end of each accept window (the connect timeout) and resets a
        connection that arrived just then."""
        end = time.monotonic() + self.args.timeout
        while True:
            self.connect()
            try:
                self.read_hello()
                return
            except ConnectionResetError:
                self.sock.close()
                self.sock = None
                if time.monotonic() > end:
                    raise Fail(f"{self.args.peer} reset every connection before its HELLO")
                time.sleep(0.2)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionResetError("closed")
            buf += chunk
        return buf

    def recv_packet(self):
        magic, ptype, flags, length, _, seq, _ = HDR.unpack(self.recv_exact(HDR.size))
        if magic != MAGIC:
            raise Fail(f"the listener sent magic 0x{magic:08x}")
        payload = self.recv_exact(length) if length else b""
        return ptype, flags, seq, payload

    def read_hello(self):
        # protocol 4: the AUTH challenges first (no key: mode 0)
        self.send(hdr(P_AUTH, length=AUTH.size) + AUTH.pack(PROTO, 0, bytes(32), bytes(32)))
        ptype, _, _, payload = self.recv_packet()
        if ptype != P_AUTH or len(payload) != AUTH.size or AUTH.unpack(payload)[1]:
            raise Fail(f"listener's AUTH: type {ptype}, {len(payload)} bytes")
        ptype, _, _, payload = self.recv_packet()
        if ptype != P_HELLO or len(payload) != HELLO.size:
            raise Fail(f"first packet of the listener: type {ptype}, {len(payload)} bytes")
        keys = ("proto node_id name uuid data_bytes bm_shift sb_flags gen_current "
                "gen_bitmap hist0 hist1 role disk_state dirty_bits lbs reserved").split()
        self.hello = dict(zip(keys, HELLO.unpack(payload)))

    def my_hello(self, **change):
        h = dict(self.hello, node_id=0, role=ROLE_STANDBY, dirty_bits=0,
                 sb_flags=self.hello["sb_flags"] & ~SB_F_WAS_ACTIVE)
        h.update(change)
        return HELLO.pack(*h.values())

    def send(self, data):
        self.sock.sendall(data)

    def handshake(self):
        """HELLO both ways, then the bitmaps: node 0 (this side) first
        (none: BITMAP_DONE), then the listener's, up to its BITMAP_DONE."""
        self.open()
        self.send(hdr(P_HELLO, length=HELLO.size) + self.my_hello())
        self.send(hdr(P_BITMAP_DONE))
        while True:
            ptype, _, _, _ = self.recv_packet()
            if ptype == P_BITMAP_DONE:
                return
            if ptype != P_BITMAP:
                raise Fail(f"listener sent type {ptype} during the bitmap exchange")

    def wait_for(self, want, seq=None):
        """Reads packets until one of type @want (with @seq) comes,
        answering the listener's PINGs. Returns its flags."""
        end = time.monotonic() + self.args.timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Fail(f"no packet of type {want} within {self.args.timeout} s")
            self.sock.settimeout(left)
            ptype, flags, pseq, _ = self.recv_packet()
            if ptype == P_PING:
                self.send(hdr(P_PONG))
            elif ptype == want and (seq is None or pseq == seq):
                return flags

    def alive(self):
        """The listener is in its receive loop: a PING gets its PONG."""
        self.send(hdr(P_PING))
        self.wait_for(P_PONG)

    def data_sectors(self):
        return self.hello["data_bytes"] >> 9

    def nwords(self):
        bits = (self.hello["data_bytes"] + (1 << self.hello["bm_shift"]) - 1) >> self.hello["bm_shift"]
        return (bits + 63) // 64

    def closed_by_peer(self, t0, answer_pings=True):
        """Waits until the listener closes the connection (EOF or reset).
        With @answer_pings the PINGs that come meanwhile are answered (the
        listener's mirror heartbeat must not be what closes it). None when
        it is still open after --timeout seconds."""
        end = time.monotonic() + self.args.timeout
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
                if answer_pings:
                    ptype, _, _, _ = self.recv_packet()
                    if ptype == P_PING:
                        self.send(hdr(P_PONG))
                elif not self.sock.recv(65536):
                    break
        except (ConnectionResetError, BrokenPipeError):
            pass
        except socket.timeout:
            return None
        return int((time.monotonic() - t0) * 1000)


def send_lie(p, data):
    """Sends @data; the listener may close while it is being sent."""
    try:
        p.send(data)
    except (ConnectionResetError, BrokenPipeError):
        pass


# Each case: (phase, description, builder). Builders return the bytes sent
# at that phase. Phase "hello": instead of this side's HELLO; "bitmap":
# instead of its bitmap; "conn": after the handshake and a PING/PONG;
# "conn4k": as "conn", lies only to a data partition of 4 KiB blocks.
def data(p, size, sector=8, flags=0, length=None, fill=b"L"):
    length = size if length is None else length
    return hdr(P_DATA, flags, length, size, seq=p.seq, sector=sector) + fill * min(length, 4 * MIB)


CASES = {
    # Headers the decoder refuses.
    "bad-magic": ("conn", "a header with magic 0xdeadbeef",
                  lambda p: hdr(P_DATA, 0, 4096, 4096, magic=0xDEADBEEF) + b"L" * 4096),
    "type-0": ("conn", "packet type 0", lambda p: hdr(0)),
    "type-15": ("conn", "packet type 15 (one past CLOSE)", lambda p: hdr(15)),
    "type-65535": ("conn", "packet type 65535", lambda p: hdr(0xFFFF, length=4096) + b"L" * 4096),
    "data-bad-flags": ("conn", "DATA with the ERROR flag",
                       lambda p: data(p, 4096, flags=WF_ERROR)),
    "data-unknown-flag": ("conn", "DATA with an undefined flag 0x8000",
                          lambda p: data(p, 4096, flags=0x8000)),
    "data-len-not-size": ("conn", "DATA of 4096 bytes announcing a length of 8192",
                          lambda p: data(p, 4096, length=8192)),
    "data-size-unaligned": ("conn", "DATA of 1000 bytes (not a multiple of 512)",
                            lambda p: data(p, 1000)),
    "data-size-oversized": ("conn", "DATA of 2 MiB (more than 1 MiB)",
                            lambda p: data(p, 2 * MIB)),
    "data-len-huge": ("conn", "DATA announcing 4 GiB - 1 of payload",
                      lambda p: hdr(P_DATA, 0, 0xFFFFFFFF, 4096, sector=8) + b"L" * 65536),
    "data-empty-no-flush": ("conn", "DATA of 0 bytes without PREFLUSH",
                            lambda p: data(p, 0)),
    "data-past-end": ("conn", "DATA at the first sector past the device",
                      lambda p: data(p, 4096, sector=p.data_sectors())),
    "data-straddles-end": ("conn", "DATA of 4 KiB starting 4 sectors before the end",
                           lambda p: data(p, 4096, sector=p.data_sectors() - 4)),
    "data-sector-max": ("conn", "DATA at sector 2^64-1",
                        lambda p: data(p, 4096, sector=(1 << 64) - 1)),
    "data-sector-wraps": ("conn", "DATA whose end wraps past 2^64 sectors to 0",
                          lambda p: data(p, 4096, sector=(1 << 64) - 4)),
    "rs-data-not-target": ("conn", "RS_DATA inside the device, no recovery running",
                           lambda p: hdr(P_RS_DATA, 0, 4096, 4096, sector=8) + b"L" * 4096),
    "rs-data-past-end": ("conn", "RS_DATA past the device",
                         lambda p: hdr(P_RS_DATA, 0, 4096, 4096, sector=p.data_sectors()) + b"L" * 4096),
    "rs-data-oversized": ("conn", "RS_DATA of 8 MiB (more than 4 MiB)",
                          lambda p: hdr(P_RS_DATA, 0, 8 * MIB, 8 * MIB, sector=8) + b"L" * (4 * MIB)),
    "rs-ack-empty": ("conn", "RS_ACK of size 0", lambda p: hdr(P_RS_ACK, size=0)),
    "ack-with-payload": ("conn", "DATA_ACK carrying 8 payload bytes",
                         lambda p: hdr(P_DATA_ACK, length=8) + b"\0" * 8),
    "ping-with-payload": ("conn", "PING carrying 4 payload bytes",
                          lambda p: hdr(P_PING, length=4) + b"\0" * 4),
    "hello-again": ("conn", "a second HELLO after the handshake",
                    lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello()),
    "bitmap-again": ("conn", "a BITMAP after the handshake",
                     lambda p: hdr(P_BITMAP, length=16) + b"\0" * 16),
    "bitmap-done-again": ("conn", "a BITMAP_DONE after the handshake",
                          lambda p: hdr(P_BITMAP_DONE)),
    "state-short": ("conn", "STATE with 8 of its 24 bytes",
                    lambda p: hdr(P_STATE, length=8) + b"\0" * 8),
    "state-bad-role": ("conn", "STATE with role 7",
                       lambda p: hdr(P_STATE, length=STATE.size) + STATE.pack(7, 3, 0, 0, 1)),
    "state-bad-flags": ("conn", "STATE with undefined superblock flags",
                        lambda p: hdr(P_STATE, length=STATE.size) + STATE.pack(1, 3, 0xFFFF0000, 0, 1)),
    "sync-start-bad-flags": ("conn", "SYNC_START with the FUA flag",
                             lambda p: hdr(P_SYNC_START, WF_FUA, SYNC.size) + SYNC.pack(1, 4096)),
    "force-bad-source": ("conn", "FORCE naming source node 5",
                         lambda p: hdr(P_FORCE, length=FORCE.size) + FORCE.pack(5, 0)),
    "force-wrong-source": ("conn", "FORCE naming the sender (node 0) as the source",
                           lambda p: hdr(P_FORCE, length=FORCE.size) + FORCE.pack(0, 0)),
    "force-bad-flags": ("conn", "FORCE with undefined flags",
                        lambda p: hdr(P_FORCE, length=FORCE.size) + FORCE.pack(1, 0x100)),
    # The handshake.
    "hello-proto-next": ("hello", f"HELLO of protocol {PROTO + 1}",
                         lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(proto=PROTO + 1)),
    "hello-proto-prev": ("hello", f"HELLO of protocol {PROTO - 1} in the size of {PROTO}",
                         lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(proto=PROTO - 1)),
    "hello-104": ("hello", "HELLO of 104 bytes (protocols 1 and 2, no block size)",
                  lambda p: hdr(P_HELLO, length=104) + p.my_hello(proto=2)[:104]),
    "hello-bad-lbs": ("hello", "HELLO with a logical block size of 1536 bytes",
                      lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(lbs=1536)),
    "hello-other-lbs": ("hello", "HELLO with 8 times the listener's logical block size",
                        lambda p: hdr(P_HELLO, length=HELLO.size) +
                        p.my_hello(lbs=p.hello["lbs"] * 8)),
    "hello-other-name": ("hello", "HELLO for another resource (md99)",
                         lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(name=b"md99")),
    "hello-same-node": ("hello", "HELLO with the listener's own node id",
                        lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(node_id=1)),
    "hello-node-7": ("hello", "HELLO with node id 7",
                     lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(node_id=7)),
    "hello-other-size": ("hello", "HELLO with a data size 1 MiB larger",
                         lambda p: hdr(P_HELLO, length=HELLO.size) +
                         p.my_hello(data_bytes=p.hello["data_bytes"] + MIB)),
    "hello-bad-shift": ("hello", "HELLO with a bitmap shift not matching its size",
                        lambda p: hdr(P_HELLO, length=HELLO.size) +
                        p.my_hello(bm_shift=p.hello["bm_shift"] + 1)),
    "hello-dirty-bits": ("hello", "HELLO with more dirty bits than the bitmap has",
                         lambda p: hdr(P_HELLO, length=HELLO.size) +
                         p.my_hello(dirty_bits=p.nwords() * 64 + 1)),
    "hello-bad-role": ("hello", "HELLO with role 9",
                       lambda p: hdr(P_HELLO, length=HELLO.size) + p.my_hello(role=9)),
    "hello-short": ("hello", "HELLO of 100 bytes",
                    lambda p: hdr(P_HELLO, length=100) + p.my_hello()[:100]),
    "data-for-hello": ("hello", "DATA where the HELLO is expected",
                       lambda p: data(p, 4096)),
    "bitmap-past-end": ("bitmap", "BITMAP words starting at the end of the bitmap",
                        lambda p: hdr(P_BITMAP, length=16) + struct.pack(">Q", p.nwords()) + b"\xff" * 8),
    "bitmap-first-max": ("bitmap", "BITMAP words starting at 2^64-1",
                         lambda p: hdr(P_BITMAP, length=16) + struct.pack(">Q", (1 << 64) - 1) + b"\xff" * 8),
    "bitmap-len-odd": ("bitmap", "BITMAP of 12 bytes",
                       lambda p: hdr(P_BITMAP, length=12) + b"\0" * 12),
    "data-for-bitmap": ("bitmap", "DATA during the bitmap exchange",
                        lambda p: data(p, 4096)),
    # Valid on 512-byte blocks: for a data partition of 4 KiB logical blocks.
    "data-misaligned-start": ("conn4k", "DATA of 4 KiB at sector 1 (not on a 4 KiB block)",
                              lambda p: data(p, 4096, sector=1)),
    "data-misaligned-size": ("conn4k", "DATA of 512 bytes at sector 8 (part of a 4 KiB block)",
                             lambda p: data(p, 512)),
    # Truncated: nothing of a packet cut short may be written.
    "data-truncated-close": ("conn", "DATA of 64 KiB, 10 000 bytes of it, then the connection closed",
                             lambda p: data(p, 65536)[:HDR.size + 10000]),
    "data-truncated-stall": ("conn", "DATA of 64 KiB, 10 000 bytes of it, then silence",
                             lambda p: data(p, 65536)[:HDR.size + 10000]),
    "header-truncated": ("conn", "20 bytes of a header, then the connection closed",
                         lambda p: data(p, 4096)[:20]),
}
# After these the forger closes its side (a packet cut short by the sender).
HALF_CLOSE = {"data-truncated-close", "header-truncated"}
# Here it stays silent: the listener must give up by itself (heartbeat),
# so PINGs are not answered.
SILENT = {"data-truncated-stall"}


def run_case(p, name):
    phase, what, build = CASES[name]
    p.open()
    if phase == "hello":
        t0 = time.monotonic()
        send_lie(p, build(p))
    else:
        p.send(hdr(P_HELLO, length=HELLO.size) + p.my_hello())
        if phase == "bitmap":
            t0 = time.monotonic()
            send_lie(p, build(p))
        else:
            p.send(hdr(P_BITMAP_DONE))
            while p.recv_packet()[0] != P_BITMAP_DONE:
                pass
            p.alive()
            t0 = time.monotonic()
            send_lie(p, build(p))
    if name in HALF_CLOSE:
        p.sock.shutdown(socket.SHUT_WR)
    ms = p.closed_by_peer(t0, answer_pings=name not in SILENT and phase.startswith("conn"))
    if ms is None:
        print(f"{name}: NOT refused: the connection stayed open {p.args.timeout} s after {what}")
        return 1
    print(f"{name}: closed by the peer after {ms} ms ({what})")
    return 0


def run_write(p, sector, byte, count):
    """A valid DATA the listener must acknowledge: proves this forger speaks
    the protocol, so that the refusals are the lies' doing."""
    p.handshake()
    p.alive()
    p.seq += 1
    p.send(hdr(P_DATA, 0, count, count, seq=p.seq, sector=sector) + bytes([byte]) * count)
    flags = p.wait_for(P_DATA_ACK, p.seq)
    if flags & WF_ERROR:
        print(f"write: DATA_ACK with ERROR for sector {sector}")
        return 1
    p.send(hdr(P_CLOSE))
    print(f"write: {count} bytes of 0x{byte:02x} at sector {sector} acknowledged")
    return 0


def run_port_closed(p):
    """Nothing listens: the connection is refused at once."""
    host, port = p.args.peer.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((p.args.bind, 0))
    s.settimeout(5)
    try:
        s.connect((host, int(port)))
    except ConnectionRefusedError:
        print(f"port-closed: {p.args.peer} refused the connection")
        return 0
    except OSError as e:
        raise Fail(f"connect to {p.args.peer}: {e}")
    finally:
        s.close()
    print(f"port-closed: {p.args.peer} accepted a connection from {p.args.bind}")
    return 1


def run_stranger(p):
    """From an address that is not the configured peer's: accepted by TCP,
    then closed before the listener says anything (no HELLO)."""
    p.connect()
    t0 = time.monotonic()
    p.sock.settimeout(p.args.timeout)
    try:
        got = p.sock.recv(HDR.size)
    except ConnectionResetError:
        got = b""
    except socket.timeout:
        print(f"stranger: NOT refused: the connection from {p.args.bind} stayed open")
        return 1
    if got:
        print(f"stranger: NOT refused: the listener sent {len(got)} bytes to {p.args.bind}")
        return 1
    ms = int((time.monotonic() - t0) * 1000)
    print(f"stranger: closed by the peer after {ms} ms (a connection from {p.args.bind})")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bind", default="198.18.2.1")
    ap.add_argument("--peer", default="198.18.2.2:29031")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("case", nargs="*")
    args = ap.parse_args()
    if args.list:
        for name, (phase, what, _) in CASES.items():
            print(f"{name}\t{phase}\t{what}")
        return 0
    if not args.case:
        ap.error("no CASE")
    if args.case[0] == "write":
        if len(args.case) != 4:
            ap.error("write SECTOR BYTE COUNT")
        return one(args, "write", lambda p: run_write(p, *(int(x, 0) for x in args.case[1:])))
    special = {"port-closed": run_port_closed, "stranger": run_stranger}
    for name in args.case:
        if name not in CASES and name not in special:
            ap.error(f"unknown case {name} (--list names them)")
    failed = 0
    for name in args.case:
        failed += one(args, name, special.get(name, lambda p, n=name: run_case(p, n)))
    return 1 if failed else 0


def one(args, name, fn):
    """Runs one case on a fresh connection; 1 if it failed."""
    p = Peer(args)
    try:
        return fn(p)
    except Fail as e:
        print(f"{name}: the forger failed: {e}")
    except (ConnectionResetError, BrokenPipeError, socket.timeout) as e:
        print(f"{name}: the forger failed before its lie: {e!r}")
    finally:
        if p.sock:
            p.sock.close()
    return 1


if __name__ == "__main__":
    sys.exit(main())
