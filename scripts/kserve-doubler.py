#!/usr/bin/env python3
"""A custom KServe model server (the `kserve` package's ModelServer and Model) for serve tests and
the README's walkthrough: model "doubler" answers V1 {"instances": [[...]]} with every number
multiplied by --factor (default 2), and V2 inference requests with each input tensor multiplied
(outputs "output-0", ...). --call-cost-ms N makes every predict call take N ms more, whatever its
size, blocking the server (a model whose cost is per call, as bench/agent-batcher.sh needs).
--multi-model starts with no model and loads one per `POST /v2/repository/models/<name>/load` (KServe's
model repository extension, which the agent's puller calls) from <--model_dir>/<name>/: its factor is
the number in the first file there. Other flags are KServe's own (--model_name, --http_port, ...).

Tests listen on loopback only: KServe's REST server binds 0.0.0.0 and its gRPC server [::], so both
are forced to 127.0.0.1 here.
"""
import argparse
import os
import time
import uuid

import uvicorn

import kserve
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve.model_repository import ModelRepository


class Doubler(Model):
    def __init__(self, name: str, factor: float, call_cost_ms: float = 0):
        super().__init__(name)
        self.factor = factor
        self.call_cost = call_cost_ms / 1000
        self.load()

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def predict(self, payload, headers=None, response_headers=None):
        if self.call_cost:
            time.sleep(self.call_cost)
        if isinstance(payload, InferRequest):
            outputs = []
            for i, tensor in enumerate(payload.inputs):
                doubled = tensor.as_numpy() * self.factor
                out = InferOutput(name=f"output-{i}", shape=list(doubled.shape), datatype=tensor.datatype)
                out.set_data_from_numpy(doubled, binary_data=False)
                outputs.append(out)
            return InferResponse(model_name=self.name, infer_outputs=outputs, response_id=payload.id or str(uuid.uuid4()))
        return {"predictions": [[self.factor * x for x in row] for row in payload["instances"]]}


class Repository(ModelRepository):
    """Loads a Doubler named after its directory, with the factor written in its first file."""

    def load(self, name: str) -> bool:
        directory = os.path.join(self.models_dir, name)
        files = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
        if not files:
            return False
        with open(os.path.join(directory, files[0])) as f:
            factor = float(f.read().strip())
        self.update(Doubler(name, int(factor) if factor == int(factor) else factor))
        return True


def loopback_only():
    init = uvicorn.Config.__init__

    def patched(self, app, *args, **kwargs):
        kwargs["host"] = "127.0.0.1"
        init(self, app, *args, **kwargs)

    uvicorn.Config.__init__ = patched

    import grpc.aio._server

    add_port = grpc.aio._server.Server.add_insecure_port

    def add_loopback_port(self, address):
        return add_port(self, address.replace("[::]", "127.0.0.1"))

    grpc.aio._server.Server.add_insecure_port = add_loopback_port


if __name__ == "__main__":
    loopback_only()
    parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    parser.add_argument("--factor", type=float, default=2)
    parser.add_argument("--call-cost-ms", type=float, default=0)
    parser.add_argument("--multi-model", action="store_true")
    parser.add_argument("--model_dir", default="/mnt/models")
    args, _ = parser.parse_known_args()
    factor = int(args.factor) if args.factor == int(args.factor) else args.factor
    if args.multi_model:
        ModelServer(registered_models=Repository(args.model_dir)).start([])
    else:
        ModelServer().start([Doubler(args.model_name, factor, args.call_cost_ms)])
