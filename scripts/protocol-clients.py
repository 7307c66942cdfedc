#!/usr/bin/env python3
"""Talks to `isvc serve` with the clients KServe users have: tritonclient's HTTP client (Open
Inference Protocol, binary tensor extension) and KServe's own InferenceRESTClient (V1 and V2).
Prints one JSON object with what each returned; exits non-zero on any failure.

Usage: python3 scripts/protocol-clients.py GATEWAY_PORT MODEL HOST
  (the model is reached by name in the path, /v2/models/MODEL/...; HOST is its external host for V1)
"""
import asyncio
import json
import sys

import numpy as np
import tritonclient.http as triton
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig

PORT, MODEL, HOST = int(sys.argv[1]), sys.argv[2], sys.argv[3]
BASE = f"127.0.0.1:{PORT}"
result = {}

# tritonclient: model readiness, metadata, and infer with binary inputs and outputs.
client = triton.InferenceServerClient(url=BASE, network_timeout=30)
result["triton_ready"] = client.is_model_ready(MODEL)
result["triton_metadata_name"] = client.get_model_metadata(MODEL)["name"]
x = np.array([[1.0, 2.5, -3.0]], dtype=np.float32)
inp = triton.InferInput("input-0", list(x.shape), "FP32")
inp.set_data_from_numpy(x, binary_data=True)
out = triton.InferRequestedOutput("output-0", binary_data=True)
answer = client.infer(MODEL, [inp], outputs=[out])
result["triton_output"] = answer.as_numpy("output-0").tolist()
client.close()


async def kserve_clients():
    v2 = InferenceRESTClient(RESTConfig(protocol="v2", timeout=30))
    request = InferRequest(model_name=MODEL, infer_inputs=[InferInput("input-0", [1, 2], "FP32", [[4.0, 0.5]])])
    response = await v2.infer(f"http://{BASE}", request, model_name=MODEL)
    result["kserve_v2_output"] = response.outputs[0].data
    result["kserve_v2_ready"] = await v2.is_model_ready(f"http://{BASE}", MODEL)
    await v2.close()
    v1 = InferenceRESTClient(RESTConfig(protocol="v1", timeout=30))
    response = await v1.infer(f"http://{BASE}", {"instances": [[1, 2, 3]]}, model_name=MODEL,
                              headers={"Host": HOST})
    result["kserve_v1_predictions"] = response["predictions"]
    await v1.close()


asyncio.run(kserve_clients())
print(json.dumps(result, sort_keys=True))
