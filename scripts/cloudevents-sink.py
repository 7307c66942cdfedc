#!/usr/bin/env python3
"""A loopback CloudEvents receiver for the request logger's tests: parses every POST with the
`cloudevents` package (the HTTP binding, binary or structured mode) and prints one JSON line per
event on standard output: its attributes and extensions, the HTTP headers as received, the data as
the package decodes it, and the body as sent (UTF-8). Answers STATUS (200 unless given). Stops by itself after LIFETIME seconds.

Usage: python scripts/cloudevents-sink.py PORT [STATUS] [LIFETIME]    (PORT 0: any; the first line
printed is {"port": N})
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cloudevents.http import from_http

PORT = int(sys.argv[1])
STATUS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
LIFETIME = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k: v for k, v in self.headers.items()}
        try:
            event = from_http(headers, body)
            attributes = {k: (v if isinstance(v, str) else str(v)) for k, v in event.get_attributes().items()}
            data = event.data
            if isinstance(data, (bytes, bytearray)):
                data = data.decode("utf-8", "replace")
            elif not isinstance(data, str):
                data = json.dumps(data)
            line = {"attributes": attributes, "headers": headers, "data": data, "body": body.decode("utf-8", "replace")}
        except Exception as e:  # a request that is not a CloudEvent is reported, not dropped
            line = {"error": f"{type(e).__name__}: {e}", "headers": headers}
        with LOCK:
            print(json.dumps(line, sort_keys=True), flush=True)
        self.send_response(STATUS)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(json.dumps({"port": server.server_address[1]}), flush=True)
threading.Timer(LIFETIME, server.shutdown).start()
server.serve_forever()
