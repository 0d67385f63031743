#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The lab's fence device: power switches the nodes can ask for.

Usage: fenced.py LAB NAME DIR NODES PIDFILE

A lab started with "lab up --fence" gives each node a virtio-serial port
named org.clplab.fence.0, backed on the host by the unix socket
DIR/nodeN/fence.sock (qemu is the server). This helper connects to every
node's socket (again after the node was restarted), reads one request per
line and answers it on the same port, the way fence_virt's serial mode
talks to fence_virtd. The nodes' fence agent is lab.d/fence_clplab.

  request   ID ACTION [TARGET]       ID: 1-16 hex digits, echoed back
  ACTION    off | on | reboot | status | list | monitor
  TARGET    node1 .. nodeNODES (off, on, reboot, status)
  answer    ID ok [WHAT] | ID on | ID off | ID error MESSAGE

"off" is "lab cut TARGET" (a power cut, the write log replayed as for any
cut), "on" is "lab start TARGET" run in the background (the answer does not
wait for the boot), "reboot" both. Every request and its answer is logged
to DIR/fence.log with the asking node. A malformed request is answered
with an error (or dropped, without an ID) and changes nothing. Writes
PIDFILE, runs until killed.
"""
import os
import re
import selectors
import socket
import subprocess
import sys
import time

REQUEST = re.compile(r"^([0-9a-f]{1,16}) ([a-z]+)(?: (\S+))?$")
ACTIONS = {"off", "on", "reboot", "status", "list", "monitor"}


class Lab:
    def __init__(self, script, name, labdir, nodes):
        self.script, self.name, self.dir, self.nodes = script, name, labdir, nodes
        self.log = open(os.path.join(labdir, "fence.log"), "a", buffering=1)
        self.starts = []  # "lab start" runs, reaped once done

    def lab(self, *args):
        return subprocess.run([self.script, "--name", self.name, *args],
                              stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=300)

    def running(self, node):
        res = self.lab("status")
        for line in res.stdout.splitlines():
            f = line.split()
            if len(f) >= 2 and f[0] == node:
                return f[1] != "stopped"
        raise RuntimeError(f"lab status does not list {node}: {res.stderr.strip()}")

    def off(self, node):
        if not self.running(node):
            return "ok already off"
        res = self.lab("cut", node)
        if res.returncode != 0:
            return "error lab cut " + node + ": " + (res.stderr.strip() or f"exit {res.returncode}")
        return "ok powered off"

    def on(self, node):
        if self.running(node):
            return "ok already on"
        with open(os.path.join(self.dir, f"fence-start-{node}.log"), "a") as out:
            self.starts.append(subprocess.Popen(
                [self.script, "--name", self.name, "start", node],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                start_new_session=True))
        return "ok powering on"

    def reap(self):
        self.starts = [p for p in self.starts if p.poll() is None]

    def answer(self, asker, line):
        m = REQUEST.match(line)
        if not m:
            return None, f"dropped malformed request {line[:80]!r}"
        rid, action, target = m.groups()
        if action not in ACTIONS:
            return rid, f"error unknown action '{action}' (off, on, reboot, status, list, monitor)"
        names = [f"node{i}" for i in range(1, self.nodes + 1)]
        if action in ("list", "monitor"):
            if target is not None:
                return rid, f"error {action} takes no target"
            return rid, "ok " + " ".join(names) if action == "list" else "ok"
        if target is None:
            return rid, f"error {action} needs a target ({', '.join(names)})"
        if target not in names:
            return rid, f"error unknown target '{target}' (this lab has {', '.join(names)})"
        try:
            if action == "status":
                return rid, "on" if self.running(target) else "off"
            if action == "off":
                return rid, self.off(target)
            if action == "on":
                return rid, self.on(target)
            ans = self.off(target)
            return rid, self.on(target) if ans.startswith("ok") else ans
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            return rid, f"error {e}"

    def handle(self, asker, line):
        rid, ans = self.answer(asker, line)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.log.write(f"{stamp} {asker}: {line[:80]}: {ans}\n")
        return None if rid is None else f"{rid} {ans}\n".encode()


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    script, name, labdir, nodes, pidfile = sys.argv[1:]
    lab = Lab(script, name, labdir, int(nodes))
    sel = selectors.DefaultSelector()
    conns = {}  # node name -> [socket, pending bytes]
    with open(pidfile, "w") as f:
        f.write(f"{os.getpid()}\n")
    while True:
        for i in range(1, lab.nodes + 1):
            node = f"node{i}"
            if node in conns:
                continue
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(os.path.join(labdir, node, "fence.sock"))
            except OSError:
                s.close()
                continue
            conns[node] = [s, b""]
            sel.register(s, selectors.EVENT_READ, node)
        lab.reap()
        for key, _ in sel.select(timeout=0.5):
            node = key.data
            c = conns[node]
            try:
                data = c[0].recv(4096)
            except OSError:
                data = b""
            if not data:  # the node's qemu stopped
                sel.unregister(c[0])
                c[0].close()
                del conns[node]
                continue
            c[1] += data
            while b"\n" in c[1]:
                raw, c[1] = c[1].split(b"\n", 1)
                reply = lab.handle(node, raw.decode("ascii", "replace").strip())
                if reply is not None and node in conns:
                    try:
                        conns[node][0].sendall(reply)
                    except OSError:
                        pass
            if len(c[1]) > 4096:  # no line end in sight: not a request
                c[1] = b""


if __name__ == "__main__":
    main()
