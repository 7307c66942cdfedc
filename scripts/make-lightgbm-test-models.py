#!/usr/bin/env python3
"""Write Tests/ISVCModelsTests/LightGBM/LightGBMSmallModels+Objectives.swift and
LightGBMSmallModels+Trees.swift: small LightGBM models for what the fixtures do not cover (random
forest averaging, linear trees, missing-as-zero splits, a single-leaf tree, categorical splits,
multiclassova, binary with sigmoid 0.7, sqrt regression, poisson, cross_entropy_lambda), each as its
model text with the predictions lightgbm itself made for LightGBMSmallModels.rows.

usage (from the repository root):
    python scripts/make-lightgbm-test-models.py
needs: pip install lightgbm numpy   (the committed files were made with lightgbm 4.7.0, numpy 2.4.6)

Data: 200 rows from numpy's RandomState(1): two normal features (10% of feature 0 set to NaN, 10% of
feature 1 set to 0) and an integer feature 0..4 (categorical in the categorical model);
y = feature 0 (NaN as 0) + 2 * feature 1 + noise. Training is deterministic (seed 0, one thread,
deterministic=True), so the output is the same on every run for a given lightgbm version.

Each model is saved with Booster.model_to_string(), cut at "end of trees", without the lines
LightGBM does not need to predict (version, tree_sizes, split_gain, leaf_weight, leaf_count,
internal_value/weight/count), and checked to predict bit for bit the same after that. The rows the
models are asked about are LightGBMSmallModels.rows in LightGBMSmallModels.swift (hand-written,
with its helpers); this script reads them from there.
"""
import os
import re
import sys

import lightgbm as lgb
import numpy as np

DIR = os.path.join("Tests", "ISVCModelsTests", "LightGBM")
ROWS_FILE = os.path.join(DIR, "LightGBMSmallModels.swift")
OUT = {"objectives": os.path.join(DIR, "LightGBMSmallModels+Objectives.swift"),
       "trees": os.path.join(DIR, "LightGBMSmallModels+Trees.swift")}


def swift_rows():
    """LightGBMSmallModels.rows, parsed from its Swift literal (`.nan` for NaN)."""
    text = open(ROWS_FILE).read()
    m = re.search(r"static let rows: \[\[Double\]\] = \[(.*?)\n    \]", text, re.S)
    if not m:
        sys.exit(f"{ROWS_FILE}: no `static let rows: [[Double]] = [...]`")
    rows = [[float("nan") if v.strip() == ".nan" else float(v) for v in r.split(",")]
            for r in re.findall(r"\[([^\[\]]*)\]", m.group(1))]
    return np.array(rows, dtype=np.float64)


def data():
    r = np.random.RandomState(1)
    x0 = r.randn(200)
    x1 = r.randn(200)
    c = r.randint(0, 5, 200)
    x0[r.rand(200) < 0.1] = np.nan
    x1[r.rand(200) < 0.1] = 0.0
    y = np.nan_to_num(x0) + 2 * x1 + 0.1 * r.randn(200)
    return np.c_[x0, x1, c.astype(np.float64)], y


OPTIONAL = ("version=", "tree_sizes=", "split_gain=", "leaf_weight=", "leaf_count=",
            "internal_value=", "internal_weight=", "internal_count=")


def strip(text):
    text = text[:text.index("end of trees") + len("end of trees")]
    lines = []
    for line in text.split("\n"):
        if line.startswith(OPTIONAL) or (line == "" and lines and lines[-1] == ""):
            continue
        lines.append(line)
    return "\n".join(lines)


COMMON = {"verbose": -1, "num_threads": 1, "deterministic": True, "seed": 0, "min_data_in_leaf": 5}


def model(name, params, label, rounds, rows, categorical=None):
    dataset = lgb.Dataset(X, label=label, categorical_feature=categorical or "auto")
    booster = lgb.train(COMMON | params, dataset, num_boost_round=rounds)
    text = strip(booster.model_to_string())
    expected = booster.predict(rows)
    again = lgb.Booster(model_str=text + "\n").predict(rows)
    if expected.shape != again.shape or expected.tobytes() != again.tobytes():
        sys.exit(f"{name}: the stripped model predicts differently")
    return name, text, list(expected.shape), [float(v) for v in expected.ravel()]


X, y = data()
rows = swift_rows()
c = X[:, 2]
objectives = [
    model("ova", {"objective": "multiclassova", "num_class": 3, "sigmoid": 0.8, "num_leaves": 2},
          np.digitize(y, [-1, 1]).astype(np.float64), 2, rows),
    model("binary07", {"objective": "binary", "sigmoid": 0.7, "num_leaves": 3}, (y > 0).astype(np.float64), 2, rows),
    model("sqrt", {"objective": "regression", "reg_sqrt": True, "num_leaves": 3}, y, 2, rows),
    model("poisson", {"objective": "poisson", "num_leaves": 3}, np.abs(y), 2, rows),
    model("xentlambda", {"objective": "cross_entropy_lambda", "num_leaves": 3}, 1 / (1 + np.exp(-y)), 2, rows),
]
trees = [
    model("rf", {"objective": "regression", "boosting": "rf", "bagging_fraction": 0.7, "bagging_freq": 1,
                 "num_leaves": 3}, y, 3, rows),
    model("linear", {"objective": "regression", "linear_tree": True, "num_leaves": 3}, y, 2, rows),
    model("zeromissing", {"objective": "regression", "zero_as_missing": True, "num_leaves": 4}, y, 2, rows),
    # min_data_in_leaf above half the rows: no split is possible and every feature is dropped.
    model("singleleaf", {"objective": "regression", "min_data_in_leaf": 150}, y, 1, rows),
    model("categorical", {"objective": "regression", "num_leaves": 3, "min_data_per_group": 5},
          4 * np.isin(c, [1, 3]) + 0.5 * X[:, 1], 2, rows, categorical=[2]),
]


def write(path, prop, cases):
    out = [f"// Generated by scripts/make-lightgbm-test-models.py (lightgbm {lgb.__version__}); do not edit.",
           "// See LightGBMSmallModels.swift; expected = Booster.predict(rows).",
           "extension LightGBMSmallModels {",
           f"    static let {prop}: [Case] = ["]
    for name, text, shape, expected in cases:
        out.append(f'        Case(name: "{name}", expected: [{", ".join(repr(v) for v in expected)}], '
                   f'shape: [{", ".join(str(s) for s in shape)}], text: """')
        out.append(text)
        out.append('"""),')
    out += ["    ]", "}"]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


write(OUT["objectives"], "objectives", objectives)
write(OUT["trees"], "trees", trees)
for name, text, shape, _ in objectives + trees:
    print(name, shape, len(text))
