#!/usr/bin/env python3
"""A tiny loopback HTTP backend for routing tests: answers every request with JSON naming itself and
echoing what the proxy sent (Host, path, chosen headers). Stops by itself after LIFETIME seconds.

Usage: python3 scripts/echo-backend.py PORT NAME [LIFETIME] [--predictor_host HOST ...]

With --predictor_host (KServe's transformer flag), a `:predict` request is also sent on to
http://HOST with the same path and body, and the predictor's JSON answer is nested under "predictor".

For traffic-policy tests: every answer names the port (one replica each) and counts the requests
seen; /status/<code>/... answers with that status; /fail/on makes every later request (but /fail/off)
answer 503 until /fail/off; "last" is the request before this one (/last requests are not remembered).
"""
import json
import os
import sys
import time
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, NAME = int(sys.argv[1]), sys.argv[2]
LIFETIME = float(sys.argv[3]) if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else 120.0
PREDICTOR = None
SEEN = 0
FAILING = False
LAST = {}
LOCK = threading.Lock()
for i, a in enumerate(sys.argv):
    if a == "--predictor_host" and i + 1 < len(sys.argv):
        PREDICTOR = sys.argv[i + 1]
    elif a.startswith("--predictor_host="):
        PREDICTOR = a.split("=", 1)[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY a kept-alive client waits 40 ms for each answer.
    disable_nagle_algorithm = True

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        # /sleep/<ms>/... answers after a delay; /exit makes the process die (for restart tests).
        global SEEN, FAILING
        parts = self.path.split("/")
        with LOCK:
            SEEN += 1
            seen = SEEN
            if self.path.startswith("/fail/"):
                FAILING = self.path.startswith("/fail/on")
            failing = FAILING and not self.path.startswith("/fail/")
            last = dict(LAST)
            if not self.path.startswith("/last"):
                LAST.update(host=self.headers.get("Host", ""), path=self.path, method=self.command)
        if len(parts) > 2 and parts[1] == "sleep":
            time.sleep(int(parts[2]) / 1000.0)
        if self.path.startswith("/exit"):
            os._exit(3)
        status = 503 if failing else 200
        if len(parts) > 2 and parts[1] == "status" and parts[2].isdigit():
            status = int(parts[2])
        answer = {
            "backend": NAME,
            "port": PORT,
            "pid": os.getpid(),
            "seen": seen,
            "method": self.command,
            "last": last,
            "host": self.headers.get("Host", ""),
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        if PREDICTOR and ":predict" in self.path:
            request = urllib.request.Request("http://" + PREDICTOR + self.path, data=data or None,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as r:
                answer["predictor"] = json.loads(r.read())
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
threading.Timer(LIFETIME, server.shutdown).start()
print("ready", flush=True)
server.serve_forever()
