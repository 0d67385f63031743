#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Run commands in a lab node through its qemu-guest-agent.

Usage: qga.py NODEDIR ping [TIMEOUT]
       qga.py NODEDIR exec [--timeout S] [--stdin] -- ARG...

NODEDIR is the node's state directory (qga.sock, qemu.pid, console.log).
ping waits until the agent answers: exit 0, 1 on timeout, 3 if the node's
qemu is not running. exec runs ARG... as root (one ARG: a bash command line;
several: an argv, no shell), passes its stdout, stderr and exit status
(128+N when killed by signal N) through. It exits 255 when the node stops,
reboots or does not finish in time (default CLPLAB_EXEC_TIMEOUT, 600 s; the
command and its descendants are then killed).

Each agent request takes a lock file, so lab commands on one node never
talk over each other; a long exec polls on fresh connections so others can
run meanwhile.
"""
import base64
import fcntl
import json
import os
import random
import socket
import sys
import time

ENV = [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/bash",
    "LANG=C.UTF-8", "TERM=dumb",
]

# Kills a process and all its descendants (the exec'd command on timeout).
KILL_TREE = """
tree() { local c; for c in $(pgrep -P "$1"); do tree "$c"; done; echo "$1"; }
kill -STOP $(tree "$1") 2>/dev/null; kill -KILL $(tree "$1") 2>/dev/null
"""


class Gone(Exception):
    """The node stopped or rebooted under the request."""


class AgentError(Exception):
    """The agent answered with an error."""


class Node:
    def __init__(self, path):
        self.dir = os.path.abspath(path)
        self.name = os.path.basename(self.dir)
        self.sock = None
        self.lock = None
        self.buf = b""

    def path(self, name):
        return os.path.join(self.dir, name)

    def running(self):
        try:
            with open(self.path("qemu.pid")) as f:
                pid = int(f.read())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except (OSError, ValueError):
            return False
        return f"unix:{self.path('qmp.sock')}".encode() in cmdline

    def boots(self):
        try:
            with open(self.path("console.log"), "rb") as f:
                return f.read().count(f"CLPLAB: {self.name} booting".encode())
        except OSError:
            return 0

    def connect(self, timeout):
        if self.sock:
            return
        self.lock = open(self.path("qga.lock"), "a")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(timeout)
            self.sock.connect(self.path("qga.sock"))
            self.buf = b""
            # 0xff resets the agent's parser; answers to requests of an
            # earlier client may still come: skip all up to our sync id.
            sync = random.randrange(1, 1 << 31)
            self.send(b"\xff", "guest-sync-delimited", {"id": sync})
            while self.receive(timeout).get("return") != sync:
                pass
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None
        if self.lock:
            self.lock.close()
            self.lock = None

    def send(self, prefix, cmd, args=None):
        msg = {"execute": cmd}
        if args is not None:
            msg["arguments"] = args
        self.sock.sendall(prefix + json.dumps(msg).encode() + b"\n")

    def receive(self, timeout):
        end = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                try:
                    return json.loads(line.replace(b"\xff", b""))
                except ValueError:
                    continue
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the guest agent")
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("guest agent socket closed")
            self.buf += data

    def request(self, cmd, args, timeout):
        self.connect(min(timeout, 10))
        self.send(b"", cmd, args)
        reply = self.receive(timeout)
        if "error" in reply:
            raise AgentError(reply["error"].get("desc", str(reply["error"])))
        return reply["return"]


def call(node, boots, deadline, cmd, args=None, retry=True):
    """One request, retried on transport errors until deadline while the
    node is up and has not rebooted (only when retry: guest-exec must not
    run twice)."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        try:
            return node.request(cmd, args, left if not retry else min(left, 10))
        except (OSError, TimeoutError, AgentError) as e:
            node.close()
            if not node.running():
                raise Gone(f"{node.name} stopped (power cut or poweroff)")
            if node.boots() != boots:
                raise Gone(f"{node.name} rebooted")
            if isinstance(e, TimeoutError) and time.monotonic() >= deadline:
                raise TimeoutError from e
            if isinstance(e, AgentError) or not retry:
                raise Gone(f"{node.name}: guest agent: {e}")
            time.sleep(0.2)


def ping(node, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not node.running():
            return 3
        try:
            node.request("guest-ping", None, min(3, deadline - time.monotonic()))
            return 0
        except (OSError, TimeoutError, AgentError):
            node.close()
            time.sleep(0.2)
    return 1


def run(node, boots, deadline, req):
    """guest-exec req, then poll guest-exec-status until the process ends."""
    call(node, boots, deadline, "guest-ping")  # connect, retrying
    pid = call(node, boots, deadline, "guest-exec", req, retry=False)["pid"]
    start, delay = time.monotonic(), 0.005
    try:
        while True:
            st = call(node, boots, deadline, "guest-exec-status", {"pid": pid})
            if st["exited"]:
                return st
            if time.monotonic() - start > 1:
                node.close()  # a long command: let other lab commands in
            time.sleep(delay)
            # Most lab commands end within a second: polled every 50 ms
            # for the first 2 s (a cap of 0.5 s from the start saw a
            # command that ended at 0.32 s only at 0.64 s), then less often.
            delay = min(delay * 2,
                        0.05 if time.monotonic() - start < 2 else 0.5)
    except TimeoutError:
        try:
            run(node, boots, time.monotonic() + 20, {
                "path": "/bin/bash", "arg": ["-c", KILL_TREE, "bash", str(pid)]})
        except (Gone, TimeoutError):
            pass
        raise
    finally:
        node.close()


def execute(node, argv, timeout, stdin):
    if not node.running():
        raise Gone(f"{node.name} is not running")
    if len(argv) == 1:
        args = ["/bin/bash", "-c", argv[0]]
    else:
        args = ["/bin/bash", "-c", 'exec "$@"', "bash"] + argv
    req = {"path": args[0], "arg": args[1:], "capture-output": True,
           "env": ENV + [f"CLPLAB_NODE={node.name}"]}
    if stdin is not None:
        req["input-data"] = base64.b64encode(stdin).decode()
    st = run(node, node.boots(), time.monotonic() + timeout, req)
    for key, out in (("out-data", sys.stdout), ("err-data", sys.stderr)):
        out.flush()
        out.buffer.write(base64.b64decode(st.get(key, "")))
        out.flush()
    if st.get("out-truncated") or st.get("err-truncated"):
        print(f"lab: {node.name}: output truncated by the guest agent", file=sys.stderr)
    if "exitcode" in st:
        return st["exitcode"]
    return 128 + st.get("signal", 127)


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[1] not in ("ping", "exec"):
        sys.exit(__doc__)
    node, op, args = Node(args[0]), args[1], args[2:]
    if op == "ping":
        return ping(node, float(args[0]) if args else 60)
    timeout, stdin = float(os.environ.get("CLPLAB_EXEC_TIMEOUT", 600)), None
    while args and args[0] != "--":
        if args[0] == "--timeout" and len(args) > 1:
            timeout, args = float(args[1]), args[2:]
        elif args[0] == "--stdin":
            stdin, args = sys.stdin.buffer.read(), args[1:]
        else:
            sys.exit(f"qga.py: unknown option {args[0]}")
    argv = args[1:]
    if not argv:
        sys.exit("qga.py: exec needs a command")
    try:
        return execute(node, argv, timeout, stdin)
    except Gone as e:
        print(f"lab: exec: {e}", file=sys.stderr)
    except TimeoutError:
        print(f"lab: exec: {node.name}: no result within {timeout:g} s "
              "(--timeout, CLPLAB_EXEC_TIMEOUT); command killed", file=sys.stderr)
    return 255


if __name__ == "__main__":
    sys.exit(main())
