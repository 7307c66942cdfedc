#!/usr/bin/env python3
"""The peer for bench/serve-native.sh: KServe's Python model server serving a scikit-learn model the way
KServe's sklearnserver does (python/sklearnserver/sklearnserver/model.py in kserve/kserve: one
.joblib/.pkl/.pickle file in --model_dir loaded with joblib; V1 and V2 answered with get_predict_input,
model.predict, get_predict_response). sklearnserver itself is not published on PyPI, so this file
restates its model class on top of the `kserve` package (ModelServer, Model, utils).

usage: python bench/kserve-sklearnserver.py --model_name sklearn-iris --model_dir DIR --http_port 8080 --enable_grpc false
KServe's REST server binds 0.0.0.0 and its gRPC server [::]; both are kept on 127.0.0.1 here.
"""
import argparse
import os
import pathlib

import uvicorn

_config_init = uvicorn.Config.__init__


def _loopback(self, *args, **kwargs):
    kwargs["host"] = "127.0.0.1"
    _config_init(self, *args, **kwargs)


uvicorn.Config.__init__ = _loopback

import grpc.aio._server  # noqa: E402

_add_port = grpc.aio._server.Server.add_insecure_port
grpc.aio._server.Server.add_insecure_port = lambda self, address: _add_port(self, address.replace("[::]", "127.0.0.1"))

import joblib  # noqa: E402
import kserve  # noqa: E402
from kserve import Model, ModelServer  # noqa: E402
from kserve.errors import InferenceError, ModelMissingError  # noqa: E402
from kserve.utils.utils import get_predict_input, get_predict_response  # noqa: E402

EXTENSIONS = (".joblib", ".pkl", ".pickle")


class SKLearnModel(Model):
    def __init__(self, name, model_dir):
        super().__init__(name)
        self.model_dir = model_dir

    def load(self):
        directory = pathlib.Path(self.model_dir)
        files = [directory / f for f in os.listdir(directory) if f.endswith(EXTENSIONS) and (directory / f).is_file()]
        if not files:
            raise ModelMissingError(str(directory))
        if len(files) > 1:
            raise RuntimeError(f"More than one model file is detected, Only one is allowed within model_dir: {files}")
        self._model = joblib.load(files[0])
        self.ready = True
        return self.ready

    def predict(self, payload, headers=None, response_headers=None):
        try:
            instances = get_predict_input(payload)
            if os.environ.get("PREDICT_PROBA", "false").lower() == "true" and hasattr(self._model, "predict_proba"):
                result = self._model.predict_proba(instances)
            else:
                result = self._model.predict(instances)
            return get_predict_response(payload, result, self.name)
        except Exception as e:
            raise InferenceError(str(e))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    parser.add_argument("--model_dir", required=True)
    args, _ = parser.parse_known_args()
    model = SKLearnModel(args.model_name, args.model_dir)
    model.load()
    ModelServer().start([model])
