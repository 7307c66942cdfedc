#!/usr/bin/env python3
"""Talks to an Open Inference Protocol gRPC server (inference.GRPCInferenceService) with the clients
KServe users have: tritonclient's gRPC client, or KServe's own InferenceGRPCClient. One client per
process: both register the `inference.*` protobuf symbols, and importing both in one process fails
("duplicate symbol 'inference.ServerLiveRequest'").

Usage: python3 scripts/grpc-clients.py triton|kserve PORT MODEL [AUTHORITY]
  AUTHORITY, when given, is the :authority of every call (a host the gateway of `isvc serve` routes).
  MODEL takes one FP32/FP64 input `input-0` of shape [N, 4] (the iris features) and answers one
  output `output-0`. Prints one JSON object with what the client returned, errors included (their
  status code and message); exits non-zero when the client itself fails.
"""
import asyncio
import json
import sys

import numpy as np

CLIENT, PORT, MODEL = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TARGET = f"127.0.0.1:{PORT}"
AUTHORITY = [("grpc.default_authority", sys.argv[4])] if len(sys.argv) > 4 else None
TIMEOUT = 30  # seconds, for every call
ROWS = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6], [5.1, 3.5, 1.4, 0.2]]


def triton():
    import tritonclient.grpc as grpcclient
    from tritonclient.utils import InferenceServerException

    result = {}
    client = grpcclient.InferenceServerClient(url=TARGET, channel_args=AUTHORITY)
    result["live"] = client.is_server_live(client_timeout=TIMEOUT)
    result["ready"] = client.is_server_ready(client_timeout=TIMEOUT)
    result["model_ready"] = client.is_model_ready(MODEL, client_timeout=TIMEOUT)
    server = client.get_server_metadata(as_json=True, client_timeout=TIMEOUT)
    result["server_name"] = server["name"]
    metadata = client.get_model_metadata(MODEL, as_json=True, client_timeout=TIMEOUT)
    # MessageToJson leaves out empty lists (KServe's Python models declare no tensors).
    result["metadata"] = {"name": metadata["name"], "inputs": metadata.get("inputs", []), "outputs": metadata.get("outputs", [])}
    # tritonclient always sends raw_input_contents, so the outputs come back raw.
    x = np.array(ROWS, dtype=np.float32)
    inp = grpcclient.InferInput("input-0", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    answer = client.infer(MODEL, [inp], outputs=[grpcclient.InferRequestedOutput("output-0")], request_id="42",
                          client_timeout=TIMEOUT)
    response = answer.get_response()
    result["infer"] = {"output": answer.as_numpy("output-0").tolist(), "id": response.id,
                       "datatype": response.outputs[0].datatype, "raw": len(response.raw_output_contents)}
    # The same request gzip-compressed, as tritonclient offers.
    answer = client.infer(MODEL, [inp], request_id="43", compression_algorithm="gzip", client_timeout=TIMEOUT)
    result["infer_gzip"] = {"output": answer.as_numpy("output-0").tolist(), "id": answer.get_response().id}
    for name, model, rows in [("unknown_model", "nope", ROWS), ("three_features", MODEL, [[1.0, 2.0, 3.0]])]:
        x = np.array(rows, dtype=np.float32)
        inp = grpcclient.InferInput("input-0", list(x.shape), "FP32")
        inp.set_data_from_numpy(x)
        try:
            client.infer(model, [inp], client_timeout=TIMEOUT)
            result[name] = "no error"
        except InferenceServerException as e:
            result[name] = {"status": e.status(), "message": e.message()}
    client.close()
    return result


async def kserve():
    import grpc
    from kserve import InferenceGRPCClient, InferInput, InferRequest

    result = {}
    client = InferenceGRPCClient(url=TARGET, timeout=TIMEOUT, channel_args=AUTHORITY)
    result["live"] = await client.is_server_live()
    result["ready"] = await client.is_server_ready()
    result["model_ready"] = await client.is_model_ready(MODEL)
    x = np.array(ROWS, dtype=np.float64)
    for name, binary in [("typed", False), ("raw", True)]:
        inp = InferInput("input-0", list(x.shape), "FP64")
        inp.set_data_from_numpy(x, binary_data=binary)
        response = await client.infer(InferRequest(model_name=MODEL, infer_inputs=[inp], request_id=f"kserve-{name}"))
        output = response.outputs[0]
        data = output.as_numpy().tolist() if binary else list(output.data)
        # Whether the answer came in raw_output_contents (kserve keeps it on the output).
        result[name] = {"output": data, "id": response.id, "datatype": output.datatype,
                        "raw": output._raw_data is not None}
    inp = InferInput("input-0", list(x.shape), "FP64")
    inp.set_data_from_numpy(x, binary_data=False)
    try:
        await client.infer(InferRequest(model_name="nope", infer_inputs=[inp]))
        result["unknown_model"] = "no error"
    except grpc.RpcError as e:
        result["unknown_model"] = {"status": str(e.code()), "message": e.details()}
    await client.close()
    return result


if CLIENT == "triton":
    out = triton()
elif CLIENT == "kserve":
    out = asyncio.run(kserve())
else:
    sys.exit(f"unknown client {CLIENT!r}: triton or kserve")
print(json.dumps(out, sort_keys=True))
