#!/usr/bin/env python3
"""Drives an OpenAI-compatible server with the official `openai` Python client (as a user would), for
the streaming tests: models, completions and chat completions, each without and with `stream=True`
(each streamed chunk timed as the client gets it), and an unknown model. Prints one JSON object.

Usage: python scripts/openai-client.py [--no-models] BASE_URL MODEL [HOST]
    BASE_URL  e.g. http://127.0.0.1:8080/v1
    HOST      the Host header to send (an InferenceService's host through isvc serve's gateway)
    --no-models  skip GET /models (a gateway's model route takes only requests with a model in
                 the body) and the unknown-model call (no route takes it there)

Needs the `openai` package (scripts/install-test-tools puts a pinned one in .venv-openai).
"""
import json
import sys
import time

import openai


def streamed(create, **kwargs):
    """The text of a streamed answer, each chunk's arrival (seconds after the call), and the usage chunk."""
    started = time.monotonic()
    texts, times, usage = [], [], None
    for chunk in create(stream=True, **kwargs):
        times.append(time.monotonic() - started)
        if chunk.usage is not None:
            usage = chunk.usage.model_dump()
        for choice in chunk.choices:
            delta = getattr(choice, "delta", None)
            texts.append((delta.content if delta is not None else choice.text) or "")
    return {"text": "".join(texts), "times": times, "chunks": len(times), "usage": usage}


def main():
    args = [a for a in sys.argv[1:] if a != "--no-models"]
    models = "--no-models" not in sys.argv[1:]
    base_url, model = args[0], args[1]
    headers = {"Host": args[2]} if len(args) > 2 else None
    client = openai.OpenAI(base_url=base_url, api_key="unused", default_headers=headers, timeout=30, max_retries=0)
    prompt = "the quick brown fox"
    messages = [{"role": "user", "content": prompt}]
    out = {"openai": openai.__version__}
    if models:
        out["models"] = [m.id for m in client.models.list().data]

    whole = client.completions.create(model=model, prompt=prompt, max_tokens=5)
    out["completion"] = {"text": whole.choices[0].text, "finish_reason": whole.choices[0].finish_reason,
                         "id": whole.id, "usage": whole.usage.model_dump()}
    out["completion_stream"] = streamed(client.completions.create, model=model, prompt=prompt, max_tokens=5)

    chat = client.chat.completions.create(model=model, messages=messages, max_tokens=5)
    out["chat"] = {"text": chat.choices[0].message.content, "role": chat.choices[0].message.role, "id": chat.id}
    out["chat_stream"] = streamed(client.chat.completions.create, model=model, messages=messages, max_tokens=5,
                                  stream_options={"include_usage": True})

    if not models:
        print(json.dumps(out))
        return
    try:
        client.completions.create(model="no-such-model", prompt=prompt, max_tokens=1)
        out["unknown"] = {"status": 200}
    except openai.NotFoundError as e:
        out["unknown"] = {"status": e.status_code, "message": e.body.get("message") if isinstance(e.body, dict) else None}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
