"""The wire shapes of vLLM's OpenAI-compatible server, for scripts/vllm-sim.py, a SIMULATOR (not vLLM):
its requests' checks and its 404 for an unknown model (`create_error_response`, `_check_model` in
vllm/entrypoints/openai/engine/serving.py), /v1/models' cards, /metrics' names and labels, and the
JSON and server-sent-event chunks of completions and chat completions. Pure functions, no I/O."""
import hashlib
import json
import time
import uuid

WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
    "quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber cobalt ember indigo jade onyx"
).split()


def error(message, err_type="BadRequestError", code=400, param=None):
    """vLLM's ErrorResponse (`create_error_response`)."""
    return code, {"error": {"message": message, "type": err_type, "param": param, "code": code}}


def generated_words(prompt, count):
    """Deterministic tokens for a prompt: the same prompt gives the same text."""
    seed = hashlib.sha256(prompt.encode()).digest()
    out = []
    for i in range(count):
        digest = hashlib.sha256(seed + i.to_bytes(4, "big")).digest()
        out.append(" " + WORDS[int.from_bytes(digest[:4], "big") % len(WORDS)])
    return out


def model_list(names, root, max_model_len):
    """GET /v1/models: one card per served name, as vLLM's ModelCard."""
    created = int(time.time())
    permission = {"object": "model_permission", "created": created, "allow_create_engine": False,
                  "allow_sampling": True, "allow_logprobs": True, "allow_search_indices": False, "allow_view": True,
                  "allow_fine_tuning": False, "organization": "*", "group": None, "is_blocking": False}
    cards = [{"id": name, "object": "model", "created": created, "owned_by": "vllm", "root": root, "parent": None,
              "max_model_len": max_model_len, "permission": [{"id": f"modelperm-{uuid.uuid4().hex}", **permission}]}
             for name in names]
    return {"object": "list", "data": cards}


def metrics_text(model_name, running, waiting, max_running, cancelled, finished, prefix_queries=0, prefix_hits=0):
    """GET /metrics: vLLM's gauges and prefix-cache counters (in tokens), labelled as its V1 engine
    labels them, and the simulator's counters."""
    labels = f'{{engine="0",model_name="{model_name}"}}'
    rows = [
        ("vllm:num_requests_running", "Number of requests in model execution batches.", float(running)),
        ("vllm:num_requests_waiting", "Number of requests waiting to be processed.", float(waiting)),
        ("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", running / max_running),
    ]
    text = "".join(f"# HELP {n} {h}\n# TYPE {n} gauge\n{n}{labels} {v}\n" for n, h, v in rows)
    for name, help_text, value in [
        ("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", prefix_queries),
        ("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", prefix_hits),
    ]:
        text += f"# HELP {name}_total {help_text}\n# TYPE {name}_total counter\n{name}_total{labels} {float(value)}\n"
    for name, help_text, value in [
        ("isvc_sim_cancelled_total", "Requests stopped because their client disconnected (simulator).", cancelled),
        ("isvc_sim_finished_total", "Requests generated to their end (simulator).", finished),
    ]:
        text += f"# HELP {name} {help_text}\n# TYPE {name} counter\n{name} {value}\n"
    return text.encode()


def parse(body, chat, names):
    """(request, None), or (None, (status, vLLM's error body)) for a completion request."""
    try:
        request = json.loads(body or b"{}")
    except ValueError as e:
        return None, error(f"JSON decode error: {e}")
    if not isinstance(request, dict):
        return None, error("request body must be a JSON object")
    model = request.get("model") or names[0]
    if model not in names:
        return None, error(f"The model `{model}` does not exist.", "NotFoundError", 404, "model")
    if chat and not isinstance(request.get("messages"), list):
        return None, error("messages: Field required")
    if not chat and "prompt" not in request:
        return None, error("prompt: Field required")
    limit = request.get("max_completion_tokens") if chat else None
    limit = request.get("max_tokens") if limit is None else limit
    limit = 16 if limit is None else limit
    if not isinstance(limit, int) or limit < 0:
        return None, error("max_tokens must be a non-negative integer", param="max_tokens")
    request["model"], request["max_tokens"] = model, limit
    request["_id"] = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex
    request["_created"] = int(time.time())
    return request, None


def prompt_text(request, chat):
    if chat:
        parts = []
        for message in request["messages"]:
            content = message.get("content") if isinstance(message, dict) else ""
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            parts.append(str(content or ""))
        return "\n".join(parts)
    prompt = request["prompt"]
    if isinstance(prompt, list):
        return " ".join(str(p) for p in prompt)
    return str(prompt)


def usage(request, chat, generated):
    prompt_tokens = len(prompt_text(request, chat).split())
    return {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens + generated,
            "completion_tokens": generated, "prompt_tokens_details": None}


def finish_reason(request, generated):
    return "length" if generated >= request["max_tokens"] else "stop"


def whole_answer(request, chat, words):
    """The non-streaming answer's JSON."""
    text, reason = "".join(words), finish_reason(request, len(words))
    if chat:
        message = {"role": "assistant", "content": text, "refusal": None, "annotations": None, "audio": None,
                   "function_call": None, "tool_calls": [], "reasoning_content": None}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": reason, "stop_reason": None}
    else:
        choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": reason, "stop_reason": None,
                  "prompt_logprobs": None}
    body = {"id": request["_id"], "object": "chat.completion" if chat else "text_completion",
            "created": request["_created"], "model": request["model"], "choices": [choice],
            "usage": usage(request, chat, len(words))}
    if chat:
        body["prompt_logprobs"] = None
    return body


def chunk(request, chat, choice):
    return {"id": request["_id"], "object": "chat.completion.chunk" if chat else "text_completion",
            "created": request["_created"], "model": request["model"], "choices": [choice]}


def frame(payload):
    """One SSE event as one HTTP chunk."""
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    data = ("data: " + text + "\n\n").encode()
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def token_frames(request, chat, i, word):
    """The SSE chunk(s) of token `i` (chat's first token follows the assistant's role chunk)."""
    reason = "length" if i == request["max_tokens"] - 1 else None
    if not chat:
        choice = {"index": 0, "text": word, "logprobs": None, "finish_reason": reason, "stop_reason": None}
        return frame(chunk(request, chat, choice))
    frames = b""
    if i == 0:
        first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}
        frames = frame(chunk(request, chat, first))
    delta = {"index": 0, "delta": {"content": word}, "logprobs": None, "finish_reason": reason}
    if reason:
        delta["stop_reason"] = None
    return frames + frame(chunk(request, chat, delta))


def closing_frames(request, chat, words):
    """The usage chunk (with `stream_options.include_usage`), `data: [DONE]` and the last HTTP chunk."""
    tail = b""
    options = request.get("stream_options") or {}
    if isinstance(options, dict) and options.get("include_usage"):
        final = chunk(request, chat, None)
        final["choices"] = []
        final["usage"] = {k: v for k, v in usage(request, chat, len(words)).items() if v is not None}
        tail += frame(final)
    return tail + frame("[DONE]") + b"0\r\n\r\n"
