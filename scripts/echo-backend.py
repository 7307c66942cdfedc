#!/usr/bin/env python3
"""A tiny loopback HTTP backend for routing tests: answers every request with JSON naming itself and
echoing what the proxy sent (Host, path, chosen headers). Stops by itself after LIFETIME seconds.

Usage: python3 scripts/echo-backend.py PORT NAME [LIFETIME]
"""
import json
import os
import sys
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, NAME = int(sys.argv[1]), sys.argv[2]
LIFETIME = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        # /sleep/<ms>/... answers after a delay; /exit makes the process die (for restart tests).
        parts = self.path.split("/")
        if len(parts) > 2 and parts[1] == "sleep":
            time.sleep(int(parts[2]) / 1000.0)
        if self.path.startswith("/exit"):
            os._exit(3)
        body = json.dumps({
            "backend": NAME,
            "host": self.headers.get("Host", ""),
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }).encode()
        self.send_response(200)
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
