#!/usr/bin/env python3
"""Drives an OpenAI-compatible server with the official `openai` Python client (as a user would), for
the streaming tests: models, completions and chat completions, each without and with `stream=True`
(each streamed chunk timed as the client gets it), and an unknown model. Prints one JSON object.

Usage: python scripts/openai-client.py BASE_URL MODEL [HOST]
    BASE_URL  e.g. http://127.0.0.1:8080/v1
    HOST      the Host header to send (an InferenceService's host through isvc serve's gateway)

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
    base_url, model = sys.argv[1], sys.argv[2]
    headers = {"Host": sys.argv[3]} if len(sys.argv) > 3 else None
    client = openai.OpenAI(base_url=base_url, api_key="unused", default_headers=headers, timeout=30, max_retries=0)
    prompt = "the quick brown fox"
    messages = [{"role": "user", "content": prompt}]
    out = {"openai": openai.__version__, "models": [m.id for m in client.models.list().data]}

    whole = client.completions.create(model=model, prompt=prompt, max_tokens=5)
    out["completion"] = {"text": whole.choices[0].text, "finish_reason": whole.choices[0].finish_reason,
                         "id": whole.id, "usage": whole.usage.model_dump()}
    out["completion_stream"] = streamed(client.completions.create, model=model, prompt=prompt, max_tokens=5)

    chat = client.chat.completions.create(model=model, messages=messages, max_tokens=5)
    out["chat"] = {"text": chat.choices[0].message.content, "role": chat.choices[0].message.role, "id": chat.id}
    out["chat_stream"] = streamed(client.chat.completions.create, model=model, messages=messages, max_tokens=5,
                                  stream_options={"include_usage": True})

    try:
        client.completions.create(model="no-such-model", prompt=prompt, max_tokens=1)
        out["unknown"] = {"status": 200}
    except openai.NotFoundError as e:
        out["unknown"] = {"status": e.status_code, "message": e.body.get("message") if isinstance(e.body, dict) else None}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
