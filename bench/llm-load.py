#!/usr/bin/env python3
"""Load for bench/llm-picker.sh: streamed completions against an OpenAI-compatible endpoint, each
request's time to first token (the first SSE data frame with text) and to its end. Python's standard
library only: a thread per concurrent stream, each with kept-alive HTTP/1.1 connections.

    llm-load.py skewed URL[,URL...] --model M --requests N --concurrency C [--seed S]
        the picker workload: 60 % long prompts sharing one of 8 system prompts (1000 words each) plus a
        short question, 40 % short unique prompts; URLs are used in turn (several: round robin)
    llm-load.py stream URL --model M --requests N --concurrency C --tokens T
        the streaming workload: one short prompt, T tokens per answer

Prints one JSON object: mean and p90 time to first token (ms) overall and per prompt kind, mean time
per output token after the first (ms), tokens/s over the run, and failures.
"""
import argparse
import http.client
import itertools
import json
import random
import statistics
import threading
import time
import urllib.parse

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def skewed_prompts(n, seed):
    rng = random.Random(seed)
    systems = [f"system prompt {i}: " + words(random.Random(1000 + i), 1000) for i in range(8)]
    out = []
    for i in range(n):
        if rng.random() < 0.6:
            out.append(("long", systems[rng.randrange(8)] + f" question {i}: " + words(rng, 20)))
        else:
            out.append(("short", f"request {i}: " + words(rng, 50)))
    return out


def one(connections, url, model, prompt, tokens):
    """One streamed completion on a kept-alive connection of this thread's; its timings, or None."""
    parsed = urllib.parse.urlsplit(url)
    key = (parsed.hostname, parsed.port)
    conn = connections.get(key) or http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    connections[key] = conn
    body = json.dumps({"model": model, "prompt": prompt, "max_tokens": tokens, "stream": True})
    started = time.perf_counter()
    first = None
    count = 0
    try:
        conn.request("POST", parsed.path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            response.read()
            return None
        while True:
            line = response.readline()
            if not line:
                break
            line = line.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if any(c.get("text") for c in chunk.get("choices", [])):
                count += 1
                if first is None:
                    first = time.perf_counter()
    except (OSError, http.client.HTTPException):
        conn.close()
        connections.pop(key, None)
        return None
    end = time.perf_counter()
    if first is None:
        return None
    return {"ttft": (first - started) * 1000, "tpot": (end - first) * 1000 / max(1, count - 1), "tokens": count}


def run(urls, model, prompts, concurrency, tokens):
    """`concurrency` threads, each with its own connections, take the prompts in order; URLs in turn."""
    pending = list(enumerate(prompts))
    results = [None] * len(prompts)
    lock = threading.Lock()
    turn = itertools.cycle(urls)

    def worker():
        connections = {}
        while True:
            with lock:
                if not pending:
                    break
                i, (kind, prompt) = pending.pop(0)
                url = next(turn)
            results[i] = (kind, one(connections, url, model, prompt, tokens))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def summary(results, elapsed):
    def stats(xs):
        xs = sorted(xs)
        if not xs:
            return {"n": 0}
        return {"n": len(xs), "mean": round(statistics.mean(xs), 1), "p90": round(xs[int(0.9 * (len(xs) - 1))], 1)}
    ok = [(k, r) for k, r in results if r is not None]
    out = {"failed": len(results) - len(ok), "ttft_ms": stats([r["ttft"] for _, r in ok])}
    for kind in sorted({k for k, _ in ok}):
        out[f"ttft_ms_{kind}"] = stats([r["ttft"] for k, r in ok if k == kind])
    out["tpot_ms"] = stats([r["tpot"] for _, r in ok])
    out["tokens_per_s"] = round(sum(r["tokens"] for _, r in ok) / elapsed, 1)
    out["seconds"] = round(elapsed, 2)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["skewed", "stream"])
    p.add_argument("urls")
    p.add_argument("--model", required=True)
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--tokens", type=int, default=8)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    if a.workload == "skewed":
        prompts = skewed_prompts(a.requests, a.seed)
    else:
        prompts = [("stream", "tell me a story about the sea")] * a.requests
    results, elapsed = run(a.urls.split(","), a.model, prompts, a.concurrency, a.tokens)
    print(json.dumps(summary(results, elapsed)))


if __name__ == "__main__":
    main()
