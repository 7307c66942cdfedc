#!/usr/bin/env python3
"""Train the small models isvc's native runtimes are tested against, and record the libraries' own
predictions next to them.

usage: python scripts/make-model-fixtures.py [OUT]   (OUT defaults to fixtures/models)
needs: pip install scikit-learn xgboost-cpu lightgbm joblib

       python scripts/make-model-fixtures.py --legacy [OUT]
with an older scikit-learn (the committed ones: pip install scikit-learn==1.3.2 'numpy<2'
joblib==1.3.2 'scipy<1.12') writes a subset of the scikit-learn fixtures named sklearn<MAJOR><MINOR>-*,
so pickles of that version (numpy 1.x module paths, older fitted attributes) stay tested.

Every model directory gets one model file, named as KServe's servers look for it (and nothing
else: xgbserver would take a .json file for a second model), and beside the directory
`<name>.expected.json`:
  {"library": "scikit-learn 1.9.1", "kind": "sklearn", "rows": [[...], ...],
   "predict": {"shape": [...], "dtype": "int64|float64|float32|str", "data": [...]},
   "predict_proba": {...} | null}
NaN inputs are written as null. Datasets are the ones that ship with scikit-learn; the held-out rows
are the last rows of a fixed shuffle. Outputs are deterministic for a given library version.
"""
import json
import os
import pickle
import shutil
import sys

import joblib
import numpy as np
import sklearn
from sklearn import datasets
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ARGS = [a for a in sys.argv[1:] if a != "--legacy"]
LEGACY = "--legacy" in sys.argv[1:]
OUT = ARGS[0] if ARGS else os.path.join("fixtures", "models")
# In --legacy mode only these are written, as sklearn<MAJOR><MINOR>-<rest of the name>.
LEGACY_SUBSET = {"sklearn-iris-svc", "sklearn-wine-svc-proba", "sklearn-iris-logreg", "sklearn-cancer-logreg",
                 "sklearn-diabetes-ridge", "sklearn-iris-tree", "sklearn-wine-forest", "sklearn-diabetes-extratrees",
                 "sklearn-cancer-gb", "sklearn-iris-gb", "sklearn-diabetes-gb", "sklearn-wine-knn-distance",
                 "sklearn-iris-forest-zlib"}
HELD_OUT = 12


def split(loader):
    X, y = loader(return_X_y=True)
    order = np.random.RandomState(7).permutation(len(X))
    X, y = X[order], y[order]
    return X[:-HELD_OUT], y[:-HELD_OUT], X[-HELD_OUT:]


def tensor(a):
    a = np.asarray(a)
    if a.dtype.kind in "US" or a.dtype == object:
        dtype, data = "str", [str(v) for v in a.ravel()]
    else:
        dtype = {"i": "int64", "u": "int64", "b": "bool"}.get(a.dtype.kind, str(a.dtype))
        data = [None if isinstance(v, float) and np.isnan(v) else v for v in a.ravel().tolist()]
    return {"shape": list(a.shape), "dtype": dtype, "data": data}


def rows(X):
    return [[None if np.isnan(v) else float(v) for v in r] for r in X]


def write(name, kind, library, X, predict, proba=None, note=None):
    doc = {"library": library, "kind": kind, "rows": rows(X), "predict": tensor(predict),
           "predict_proba": None if proba is None else tensor(proba)}
    if note:
        doc["note"] = note
    with open(os.path.join(OUT, f"{name}.expected.json"), "w") as f:  # one line per key, one per row
        lines = []
        for key, value in doc.items():
            if key == "rows":
                body = ",\n  ".join(json.dumps(r) for r in value)
                lines.append(f' "rows": [\n  {body}\n ]')
            else:
                lines.append(f" {json.dumps(key)}: {json.dumps(value)}")
        f.write("{\n" + ",\n".join(lines) + "\n}\n")


def fresh(name):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


SK = f"scikit-learn {sklearn.__version__}"
IRIS, WINE, CANCER, DIABETES = (datasets.load_iris, datasets.load_wine, datasets.load_breast_cancer,
                                datasets.load_diabetes)


def sklearn_model(name, data, model, file="model.joblib", dump=None, y_map=None, missing=0.0):
    if LEGACY:
        if name not in LEGACY_SUBSET:
            return
        major, minor = sklearn.__version__.split(".")[:2]
        name = f"sklearn{major}{minor}-" + name[len("sklearn-"):]
    X, y, Xt = split(data)
    if missing:  # trees and forests learn where missing values go (missing_go_to_left)
        X, Xt = with_missing(X, missing, 5), with_missing(Xt, missing * 2, 6)
    if y_map is not None:
        y = np.array([y_map[v] for v in y])
    model.fit(X, y)
    d = fresh(name)
    path = os.path.join(d, file)
    (dump or (lambda m, p: joblib.dump(m, p)))(model, path)
    proba = model.predict_proba(Xt) if hasattr(model, "predict_proba") and (
        not isinstance(model, SVC) or model.probability) else None
    write(name, "sklearn", SK, Xt, model.predict(Xt), proba)


def pickle_dump(protocol):
    def dump(m, p):
        with open(p, "wb") as f:
            pickle.dump(m, f, protocol=protocol)
    return dump


def sklearn_fixtures():
    # KServe's own iris example (reference protocol.md §4.2) is the first.
    sklearn_model("sklearn-iris-svc", IRIS, SVC(gamma="scale"))
    sklearn_model("sklearn-iris-svc-linear", IRIS, SVC(kernel="linear", C=0.5))
    sklearn_model("sklearn-wine-svc-poly", WINE, Pipeline([("scale", StandardScaler()),
                                                           ("svc", SVC(kernel="poly", degree=3, coef0=1.0))]))
    sklearn_model("sklearn-wine-svc-proba", WINE, Pipeline([("scale", StandardScaler()),
                                                             ("svc", SVC(probability=True, random_state=0))]))
    sklearn_model("sklearn-iris-svc-strings", IRIS, SVC(), y_map={0: "setosa", 1: "versicolor", 2: "virginica"})
    sklearn_model("sklearn-diabetes-svr", DIABETES, SVR(kernel="rbf", C=50.0))
    sklearn_model("sklearn-diabetes-svr-linear", DIABETES, SVR(kernel="linear", C=100.0))
    sklearn_model("sklearn-iris-logreg", IRIS, LogisticRegression(max_iter=1000))
    sklearn_model("sklearn-cancer-logreg", CANCER, Pipeline([("scale", StandardScaler()),
                                                            ("logreg", LogisticRegression(max_iter=1000))]))
    sklearn_model("sklearn-diabetes-linear", DIABETES, LinearRegression())
    sklearn_model("sklearn-diabetes-ridge", DIABETES, Ridge(alpha=0.5))
    sklearn_model("sklearn-iris-tree", IRIS, DecisionTreeClassifier(max_depth=4, random_state=0))
    sklearn_model("sklearn-diabetes-tree", DIABETES, DecisionTreeRegressor(max_depth=5, random_state=0))
    sklearn_model("sklearn-wine-forest", WINE, RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0))
    sklearn_model("sklearn-diabetes-forest", DIABETES, RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0))
    sklearn_model("sklearn-iris-extratrees", IRIS, ExtraTreesClassifier(n_estimators=8, max_depth=4, random_state=0))
    sklearn_model("sklearn-diabetes-extratrees", DIABETES, ExtraTreesRegressor(n_estimators=8, max_depth=4, random_state=0))
    sklearn_model("sklearn-cancer-gb", CANCER, GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0))
    sklearn_model("sklearn-iris-gb", IRIS, GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0))
    sklearn_model("sklearn-diabetes-gb", DIABETES, GradientBoostingRegressor(n_estimators=10, max_depth=3, random_state=0))
    sklearn_model("sklearn-cancer-tree-missing", CANCER, DecisionTreeClassifier(max_depth=4, random_state=0), missing=0.1)
    sklearn_model("sklearn-wine-forest-missing-strings", WINE, RandomForestClassifier(n_estimators=6, max_depth=4, random_state=0),
                  missing=0.1, y_map={0: "barolo", 1: "grignolino", 2: "barbera"})
    sklearn_model("sklearn-cancer-gb-exponential", CANCER, GradientBoostingClassifier(loss="exponential", n_estimators=8, max_depth=2, random_state=0))
    sklearn_model("sklearn-diabetes-gb-zero-init", DIABETES, GradientBoostingRegressor(init="zero", n_estimators=8, max_depth=2, random_state=0))
    sklearn_model("sklearn-iris-knn", IRIS, KNeighborsClassifier(n_neighbors=5))
    sklearn_model("sklearn-wine-knn-distance", WINE, Pipeline([("minmax", MinMaxScaler()),
                                                              ("knn", KNeighborsClassifier(n_neighbors=4, weights="distance"))]))
    # The same model in every container format KServe's sklearnserver accepts.
    for protocol in (2, 3, 4, 5):
        sklearn_model(f"sklearn-iris-logreg-pickle{protocol}", IRIS, LogisticRegression(max_iter=1000),
                      file="model.pkl", dump=pickle_dump(protocol))
    sklearn_model("sklearn-iris-forest-zlib", IRIS, RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0),
                  dump=lambda m, p: joblib.dump(m, p, compress=("zlib", 3)))


def with_missing(X, rate, seed):
    X = X.copy()
    mask = np.random.RandomState(seed).rand(*X.shape) < rate
    X[mask] = np.nan
    return X


def xgboost_model(name, data, params, rounds, file):
    import xgboost as xgb
    X, y, Xt = split(data)
    X, Xt = with_missing(X, 0.05, 1), with_missing(Xt, 0.1, 2)
    booster = xgb.train(params | {"seed": 0, "nthread": 1}, xgb.DMatrix(X, label=y), num_boost_round=rounds)
    d = fresh(name)
    booster.save_model(os.path.join(d, file))
    # xgbserver answers with Booster.predict on a DMatrix of the request.
    write(name, "xgboost", f"xgboost {xgb.__version__}", Xt, booster.predict(xgb.DMatrix(Xt)))


def xgboost_fixtures():
    xgboost_model("xgboost-cancer-binary", CANCER, {"objective": "binary:logistic", "max_depth": 3}, 12, "model.json")
    xgboost_model("xgboost-cancer-binary-ubj", CANCER, {"objective": "binary:logistic", "max_depth": 3}, 12, "model.ubj")
    xgboost_model("xgboost-iris-softprob", IRIS, {"objective": "multi:softprob", "num_class": 3, "max_depth": 2}, 8, "model.json")
    xgboost_model("xgboost-wine-softmax", WINE, {"objective": "multi:softmax", "num_class": 3, "max_depth": 2}, 8, "model.bst")
    xgboost_model("xgboost-diabetes-regression", DIABETES, {"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3}, 15, "model.json")
    xgboost_model("xgboost-cancer-logitraw", CANCER, {"objective": "binary:logitraw", "max_depth": 2}, 6, "model.ubj")


def lightgbm_model(name, data, params, rounds):
    import lightgbm as lgb
    X, y, Xt = split(data)
    X, Xt = with_missing(X, 0.05, 3), with_missing(Xt, 0.1, 4)
    params = params | {"num_leaves": 8, "min_data_in_leaf": 5, "verbose": -1, "seed": 0, "num_threads": 1,
                       "deterministic": True}
    booster = lgb.train(params, lgb.Dataset(X, label=y), num_boost_round=rounds)
    d = fresh(name)
    booster.save_model(os.path.join(d, "model.bst"))
    # lgbserver answers with Booster.predict on the request rows.
    write(name, "lightgbm", f"lightgbm {lgb.__version__}", Xt, booster.predict(Xt))


def lightgbm_fixtures():
    lightgbm_model("lightgbm-cancer-binary", CANCER, {"objective": "binary"}, 12)
    lightgbm_model("lightgbm-iris-multiclass", IRIS, {"objective": "multiclass", "num_class": 3}, 8)
    lightgbm_model("lightgbm-diabetes-regression", DIABETES, {"objective": "regression"}, 15)


class Evil:
    """A pickle that would run a shell command on load; isvc must refuse it without running it."""
    def __reduce__(self):
        return (os.system, ("touch isvc-pickle-was-executed",))


def hostile_fixtures():
    d = fresh("hostile")
    with open(os.path.join(d, "os-system.pkl"), "wb") as f:
        pickle.dump(Evil(), f, protocol=2)
    with open(os.path.join(d, "os-system-p5.joblib"), "wb") as f:
        pickle.dump({"model": Evil()}, f, protocol=5)
    with open(os.path.join(d, "eval-builtin.pkl"), "wb") as f:  # builtins.eval via STACK_GLOBAL
        f.write(b"\x80\x04\x95\x25\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c"
                b"\x0b__import__\x94\x85\x94R\x94.")
    with open(os.path.join(d, "not-a-pickle.joblib"), "wb") as f:
        f.write(b"this is a text file, not a model\n")


if __name__ == "__main__":
    sklearn_fixtures()
    if not LEGACY:
        xgboost_fixtures()
        lightgbm_fixtures()
        hostile_fixtures()
    print(f"wrote fixtures to {OUT} with {SK}" + ("" if LEGACY else ", xgboost and lightgbm"))
