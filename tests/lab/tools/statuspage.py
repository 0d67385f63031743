#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The status page of clpmgrd in a real browser, for the lab suites
(Documentation/metrics.md, "Status page"; tests/lab/53-observability.bats).

The lab nodes have no network the host can reach, so:

  statuspage.py relay PORT NODE BASE
      an HTTP server on 127.0.0.1:PORT; each GET /path is answered with what
      "scripts/lab exec NODE -- curl BASE/path" got (status, type, body).
  statuspage.py open STATE URL
      starts chromedriver and a headless chromium (Debian's), opens URL and
      leaves both running; their ids go to the file STATE.
  statuspage.py js STATE SCRIPT
      runs SCRIPT (a function body) in the open page, prints its result as
      JSON: what the page shows after its own scripts ran.
  statuspage.py close STATE
      ends the browser session and chromedriver.

WebDriver is plain HTTP and JSON (W3C), so urllib is the client.
"""
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts", "lab")


def relay(port, node, base):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            p = subprocess.run([LAB, "exec", node, "--", "curl", "-s", "-o", "-", "-w",
                                "\n%{http_code} %{content_type}", base + self.path],
                               capture_output=True, timeout=60)
            body, _, trailer = p.stdout.rpartition(b"\n")
            code, _, ctype = trailer.decode().partition(" ")
            if p.returncode or not code.isdigit() or code == "000":
                code, ctype = "502", "text/plain"
                body = b"relay: cannot reach " + (base + self.path).encode() + b"\n"
            self.send_response(int(code))
            self.send_header("Content-Type", ctype or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def wd(port, method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())["value"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_page(state, url):
    port = free_port()
    drv = subprocess.Popen(["chromedriver", "--port=%d" % port], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    for _ in range(100):
        try:
            wd(port, "GET", "/status")
            break
        except OSError:
            time.sleep(0.2)
    caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}}}}
    sid = wd(port, "POST", "/session", caps)["sessionId"]
    with open(state, "w") as f:
        json.dump({"port": port, "pid": drv.pid, "session": sid}, f)
    wd(port, "POST", "/session/%s/url" % sid, {"url": url})


def js(state, script):
    with open(state) as f:
        s = json.load(f)
    print(json.dumps(wd(s["port"], "POST", "/session/%s/execute/sync" % s["session"],
                        {"script": script, "args": []})))


def close(state):
    with open(state) as f:
        s = json.load(f)
    try:
        wd(s["port"], "DELETE", "/session/" + s["session"])
    finally:
        os.kill(s["pid"], signal.SIGTERM)
        os.unlink(state)


def main(argv):
    if len(argv) == 5 and argv[1] == "relay":
        relay(int(argv[2]), argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "open":
        open_page(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "js":
        js(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "close":
        close(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
