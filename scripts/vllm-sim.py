#!/usr/bin/env python3
"""A SIMULATOR of vLLM's OpenAI-compatible server, for tests: it is not vLLM and runs no model.

It answers as `vllm serve` does on the wire (its routes, JSON shapes, server-sent-event framing,
Prometheus metric names and its 404 for an unknown model), with text made of words derived from the
prompt, after a configurable time to the first token and between tokens, with a bounded number of
requests running at once and the rest queued, as vLLM's scheduler holds them. Python's standard
library only (asyncio streams); HTTP/1.1 with keep-alive; every SSE frame is written and drained as
it is made, in its own chunk.

    python3 scripts/vllm-sim.py [MODEL] --port 8000 [--host 127.0.0.1] [--served-model-name NAME ...]
        [--ttft-ms 50] [--tpot-ms 20] [--max-running 8] [--max-model-len 2048]
        [--prefill-ms-per-token 0] [--prefix-block-tokens 16] [--prefix-cache-blocks 4096]

Routes: POST /v1/completions and /v1/chat/completions (JSON, or SSE with `"stream": true`, ending
`data: [DONE]`; `stream_options.include_usage` adds the usage chunk), GET /v1/models (one card per
served name), GET /health (200, empty), GET /metrics (`vllm:num_requests_running`,
`vllm:num_requests_waiting`, `vllm:kv_cache_usage_perc` = running / max-running, labelled
`engine="0",model_name="<first served name>"` as vLLM's V1 engine labels them;
`vllm:prefix_cache_queries_total` and `vllm:prefix_cache_hits_total` in tokens; and the simulator's
own `isvc_sim_cancelled_total` and `isvc_sim_finished_total`). `max_tokens` (chat also
`max_completion_tokens`) is honoured, default 16; every answer generates exactly that many tokens
(finish_reason "length"). A prompt token is a whitespace-separated word. One choice per request.
Prefill: the first token also waits --prefill-ms-per-token for each prompt token that is not in the
simulator's prefix cache (blocks of --prefix-block-tokens tokens, chained hashes, the last
--prefix-cache-blocks kept), as vLLM's automatic prefix caching skips cached blocks.

A client that disconnects while its request waits or streams has that request stopped: counted in
`isvc_sim_cancelled_total` and logged (`cancelled <id> after N tokens: client disconnected`).
Arguments vLLM has and the simulator does not read are accepted and ignored (logged at start).
The wire shapes are in scripts/vllm_sim_openai.py; this file serves them.
"""
import argparse
import asyncio
import collections
import json
import sys
import time

import vllm_sim_openai as api  # beside this script: the wire shapes, apart from the serving

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def log(message):
    print(f"vllm-sim: {message}", file=sys.stderr, flush=True)


class Engine:
    """Requests running (at most max_running) and waiting in order, and the counters /metrics shows."""

    def __init__(self, max_running):
        self.max_running = max_running
        self.running = 0
        self.queue = collections.deque()
        self.cancelled = 0
        self.finished = 0

    @property
    def waiting(self):
        return len(self.queue)

    async def acquire(self, conn):
        """Waits for a running slot, first come first served; False if the client went away first."""
        if self.running < self.max_running and not self.queue:
            self.running += 1
            return True
        turn = asyncio.get_running_loop().create_future()
        self.queue.append(turn)
        gone = asyncio.ensure_future(conn.closed.wait())
        try:
            await asyncio.wait([turn, gone], return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not turn.done():
            self.queue.remove(turn)
            return False
        if conn.eof:
            self.release()
            return False
        return True

    def release(self):
        """Hands the slot to the oldest waiting request, or frees it."""
        while self.queue:
            turn = self.queue.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.running -= 1


class PrefixCache:
    """The simulator's prefix cache: the prompt's tokens (words) in blocks of `block` tokens, each
    block hashed with the blocks before it, the most recent `capacity` blocks kept. A prompt's
    leading cached blocks skip prefill, as vLLM's automatic prefix caching skips them."""

    def __init__(self, block, capacity):
        self.block, self.capacity = block, capacity
        self.blocks = collections.OrderedDict()
        self.queries = self.hits = 0

    def lookup_and_insert(self, tokens):
        """The number of the prompt's tokens already cached; its full blocks are cached after."""
        hashes, previous = [], None
        for start in range(0, len(tokens) - self.block + 1, self.block):
            previous = hash((previous, tuple(tokens[start:start + self.block])))
            hashes.append(previous)
        cached = 0
        for h in hashes:
            if h not in self.blocks:
                break
            cached += self.block
        for h in hashes:
            self.blocks[h] = True
            self.blocks.move_to_end(h)
        while len(self.blocks) > self.capacity:
            self.blocks.popitem(last=False)
        self.queries += len(tokens)
        self.hits += cached
        return cached


class Connection:
    """One client connection: its bytes read as they arrive, so a disconnect is seen at once."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.buffer = bytearray()
        self.eof = False
        self.arrived = asyncio.Event()
        self.closed = asyncio.Event()
        self.pump = asyncio.ensure_future(self._pump())

    async def _pump(self):
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.buffer += data
                self.arrived.set()
        except (ConnectionError, OSError):
            pass
        self.eof = True
        self.closed.set()
        self.arrived.set()

    async def _more(self):
        if self.eof:
            return False
        self.arrived.clear()
        await self.arrived.wait()
        return True

    async def read_until(self, marker, limit=65536):
        while True:
            at = self.buffer.find(marker)
            if at >= 0:
                line = bytes(self.buffer[: at + len(marker)])
                del self.buffer[: at + len(marker)]
                return line
            if len(self.buffer) > limit or not await self._more():
                return None

    async def read_exactly(self, n):
        while len(self.buffer) < n:
            if not await self._more():
                return None
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    async def write(self, data):
        """Writes and drains; False once the client is gone."""
        if self.eof:
            return False
        try:
            self.writer.write(data)
            await self.writer.drain()
            return not self.eof
        except (ConnectionError, OSError):
            return False


async def read_request(conn):
    """(method, path, headers, body), or None at the connection's end or on a malformed request."""
    head = await conn.read_until(b"\r\n\r\n")
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size_line = await conn.read_until(b"\r\n")
            if size_line is None:
                return None
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await conn.read_until(b"\r\n")
                break
            chunk = await conn.read_exactly(size + 2)
            if chunk is None:
                return None
            body += chunk[:-2]
        body = bytes(body)
    else:
        body = await conn.read_exactly(int(headers.get("content-length", "0") or 0))
        if body is None:
            return None
    return parts[0], parts[1].split("?", 1)[0], headers, body


def head_bytes(status, content_type, length=None):
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}", "server: vllm-sim",
             f"date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}"]
    if content_type:
        lines.append(f"content-type: {content_type}")
    lines.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def send_whole(conn, status, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    return await conn.write(head_bytes(status, content_type if data else None, len(data)) + data)


class Simulator:
    def __init__(self, args):
        self.args = args
        self.names = args.served_model_name or [args.model]
        self.root = args.model or self.names[0]
        self.engine = Engine(args.max_running)
        self.prefix = PrefixCache(args.prefix_block_tokens, args.prefix_cache_blocks)

    def metrics(self):
        e = self.engine
        return api.metrics_text(self.names[0], e.running, e.waiting, e.max_running, e.cancelled, e.finished,
                                self.prefix.queries, self.prefix.hits)


async def generate(sim, conn, request, chat, on_token):
    """Waits for a slot, then makes max_tokens tokens, calling on_token(i, text) for each (an
    awaitable returning False when the client is gone). Returns (words, cancelled)."""
    rid = request["_id"]
    if not await sim.engine.acquire(conn):
        sim.engine.cancelled += 1
        log(f"cancelled {rid} after 0 tokens: client disconnected while waiting")
        return [], True
    prompt = api.prompt_text(request, chat)
    words = api.generated_words(prompt, request["max_tokens"])
    # Prefill: the prompt's tokens not in the prefix cache, at --prefill-ms-per-token each.
    tokens = prompt.split()
    uncached = len(tokens) - sim.prefix.lookup_and_insert(tokens)
    prefill_ms = uncached * sim.args.prefill_ms_per_token
    try:
        for i, word in enumerate(words):
            delay = sim.args.ttft_ms + prefill_ms if i == 0 else sim.args.tpot_ms
            try:
                await asyncio.wait_for(conn.closed.wait(), delay / 1000)
            except asyncio.TimeoutError:
                pass
            if conn.eof or not await on_token(i, word):
                sim.engine.cancelled += 1
                log(f"cancelled {rid} after {i} tokens: client disconnected")
                return words[:i], True
        sim.engine.finished += 1
        return words, False
    finally:
        sim.engine.release()


async def answer_whole(sim, conn, request, chat):
    words, cancelled = await generate(sim, conn, request, chat, lambda i, w: asyncio.sleep(0, True))
    return not cancelled and await send_whole(conn, 200, api.whole_answer(request, chat, words))


async def answer_stream(sim, conn, request, chat):
    # Headers go out at once, before the request waits for a slot, as Starlette's StreamingResponse does.
    if not await conn.write(head_bytes(200, "text/event-stream; charset=utf-8")):
        sim.engine.cancelled += 1
        log(f"cancelled {request['_id']} after 0 tokens: client disconnected")
        return False

    async def on_token(i, word):
        return await conn.write(api.token_frames(request, chat, i, word))

    words, cancelled = await generate(sim, conn, request, chat, on_token)
    return not cancelled and await conn.write(api.closing_frames(request, chat, words))


async def route(sim, conn, method, path, body):
    """Answers one request; False when the connection must close."""
    if path in ("/v1/completions", "/v1/chat/completions"):
        if method != "POST":
            return await send_whole(conn, 405, {"detail": "Method Not Allowed"})
        chat = path == "/v1/chat/completions"
        request, failure = api.parse(body, chat, sim.names)
        if failure:
            return await send_whole(conn, failure[0], failure[1])
        if request.get("stream"):
            return await answer_stream(sim, conn, request, chat)
        return await answer_whole(sim, conn, request, chat)
    if method != "GET":
        return await send_whole(conn, 405, {"detail": "Method Not Allowed"})
    if path == "/v1/models":
        return await send_whole(conn, 200, api.model_list(sim.names, sim.root, sim.args.max_model_len))
    if path == "/health":
        return await send_whole(conn, 200, b"")
    if path == "/metrics":
        return await send_whole(conn, 200, sim.metrics(), "text/plain; version=0.0.4; charset=utf-8")
    return await send_whole(conn, 404, {"detail": "Not Found"})


async def serve_connection(sim, reader, writer):
    conn = Connection(reader, writer)
    try:
        while True:
            parsed = await read_request(conn)
            if parsed is None:
                break
            method, path, headers, body = parsed
            if not await route(sim, conn, method, path, body):
                break
            if headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, OSError, ValueError):
        pass
    finally:
        conn.pump.cancel()
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass


def parse_args(argv):
    parser = argparse.ArgumentParser(description="vLLM OpenAI-server simulator (not vLLM)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--served-model-name", nargs="+", default=None)
    parser.add_argument("--ttft-ms", type=float, default=50.0, help="time to the first token")
    parser.add_argument("--tpot-ms", type=float, default=20.0, help="time between tokens")
    parser.add_argument("--max-running", type=int, default=8, help="requests generating at once; the rest wait")
    parser.add_argument("--max-model-len", type=int, default=2048)
    parser.add_argument("--prefill-ms-per-token", type=float, default=0.0,
                        help="time per prompt token not in the prefix cache, before the first token")
    parser.add_argument("--prefix-block-tokens", type=int, default=16, help="tokens per prefix-cache block")
    parser.add_argument("--prefix-cache-blocks", type=int, default=4096, help="blocks the prefix cache keeps")
    # `vllm serve MODEL ...`: the model comes first (KServe's template passes it so).
    tag = argv[0] if argv and not argv[0].startswith("-") else None
    args, ignored = parser.parse_known_args(argv[1:] if tag else argv)
    args.model = args.model or tag or (args.served_model_name or ["sim-model"])[0]
    args.max_running = max(1, args.max_running)
    return args, ignored


async def main(argv):
    args, ignored = parse_args(argv)
    if ignored:
        log(f"ignoring arguments the simulator does not read: {' '.join(ignored)}")
    sim = Simulator(args)
    server = await asyncio.start_server(lambda r, w: serve_connection(sim, r, w), args.host, args.port,
                                        reuse_address=True, backlog=256)
    log(f"simulating vLLM for {', '.join(sim.names)} on {args.host}:{args.port} "
        f"(ttft {args.ttft_ms} ms, tpot {args.tpot_ms} ms, max running {args.max_running})")
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1:]))
    except KeyboardInterrupt:
        pass
