#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one QMP command to a qemu and print its "return" as JSON.

Usage: qmp.py SOCKET JSON    e.g. qmp.py qmp.sock '{"execute":"query-status"}'
Exit 0 on success, 1 when qemu answers with an error (its description is
printed on stderr), 3 when the socket cannot be reached.
"""
import json
import socket
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: qmp.py SOCKET JSON")
    path, text = sys.argv[1:]
    try:
        cmd = json.loads(text)
    except ValueError as e:
        print(f"qmp: not JSON: {e}", file=sys.stderr)
        sys.exit(2)
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.settimeout(10)
        sock.connect(path)
        f = sock.makefile("rwb")
        f.readline()  # greeting
        for msg in ({"execute": "qmp_capabilities"}, cmd):
            f.write(json.dumps(msg).encode() + b"\n")
            f.flush()
            while True:
                line = f.readline()
                if not line:
                    raise ConnectionError("qemu closed the connection")
                reply = json.loads(line)
                if "return" in reply or "error" in reply:
                    break  # anything else is an asynchronous event
    except (OSError, ValueError) as e:
        print(f"qmp: {path}: {e}", file=sys.stderr)
        sys.exit(3)
    if "error" in reply:
        print(f"qmp: {reply['error'].get('desc', reply['error'])}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(reply["return"]))


if __name__ == "__main__":
    main()
