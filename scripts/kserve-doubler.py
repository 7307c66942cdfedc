#!/usr/bin/env python3
"""A custom KServe model server (the `kserve` package's ModelServer and Model) for serve tests and
the README's walkthrough: model "doubler" answers V1 {"instances": [[...]]} with every number
multiplied by --factor (default 2), and V2 inference requests with each input tensor multiplied
(outputs "output-0", ...). Other flags are KServe's own (--model_name, --http_port, --grpc_port, ...).

Tests listen on loopback only: KServe's REST server binds 0.0.0.0, so uvicorn's host is forced to
127.0.0.1 here (and the test turns gRPC off with --enable_grpc false).
"""
import argparse
import uuid

import uvicorn

import kserve
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer


class Doubler(Model):
    def __init__(self, name: str, factor: float):
        super().__init__(name)
        self.factor = factor
        self.load()

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def predict(self, payload, headers=None, response_headers=None):
        if isinstance(payload, InferRequest):
            outputs = []
            for i, tensor in enumerate(payload.inputs):
                doubled = tensor.as_numpy() * self.factor
                out = InferOutput(name=f"output-{i}", shape=list(doubled.shape), datatype=tensor.datatype)
                out.set_data_from_numpy(doubled, binary_data=False)
                outputs.append(out)
            return InferResponse(model_name=self.name, infer_outputs=outputs, response_id=payload.id or str(uuid.uuid4()))
        return {"predictions": [[self.factor * x for x in row] for row in payload["instances"]]}


def loopback_only():
    init = uvicorn.Config.__init__

    def patched(self, app, *args, **kwargs):
        kwargs["host"] = "127.0.0.1"
        init(self, app, *args, **kwargs)

    uvicorn.Config.__init__ = patched


if __name__ == "__main__":
    loopback_only()
    parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    parser.add_argument("--factor", type=float, default=2)
    args, _ = parser.parse_known_args()
    factor = int(args.factor) if args.factor == int(args.factor) else args.factor
    ModelServer().start([Doubler(args.model_name, factor)])
