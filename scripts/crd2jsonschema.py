#!/usr/bin/env python3
"""Convert Kubernetes CustomResourceDefinition YAML files into standalone JSON Schemas.

Usage: crd2jsonschema.py [--out DIR] CRD.yaml...

One file per served group/version/kind is written to DIR (default: schemas/ at the
project's root), named GROUP-VERSION-KIND.json (e.g. serving.knative.dev-v1-Service.json), in
JSON Schema draft 2020-12.

What the conversion does, to approximate `kubectl apply --validate=strict` (server-side
field validation of a structural CRD schema):
  * every object schema with `properties` and without `x-kubernetes-preserve-unknown-fields`
    gets `additionalProperties: false` (unknown fields are errors); so does an object schema
    with neither `properties` nor `additionalProperties` (the API server prunes all of it);
  * `x-kubernetes-preserve-unknown-fields: true` leaves the object open;
  * `x-kubernetes-int-or-string: true` becomes `type: [integer, string]`;
  * `nullable: true` adds `null` to the type;
  * `x-kubernetes-list-type: set` becomes `uniqueItems: true`;
  * `x-kubernetes-embedded-resource: true` adds apiVersion/kind/metadata to the properties;
  * `metadata` objects (`type: object` with neither `properties` nor `additionalProperties`, as
    controller-gen writes an embedded ObjectMeta) become a permissive ObjectMeta (typed
    name/namespace/labels/annotations, other fields allowed); a field named `metadata` that is a map
    (`additionalProperties`, e.g. a KEDA trigger's `metadata: map[string]string`) stays a map;
  * `default` is kept (an annotation in JSON Schema; scripts/conformance.py applies the defaults
    before it validates, as the API server does), and a required property that has a
    `default` is no longer required;
  * `description`, `example`, `format` and the other `x-kubernetes-*` keys are dropped;
    CEL rules (`x-kubernetes-validations`) and formats are NOT checked.
Branches of allOf/anyOf/oneOf/not are converted without adding additionalProperties.
"""
import argparse
import json
import os
import sys

import yaml

DROP = {
    "description", "example", "externalDocs", "format", "nullable", "title",
    "x-kubernetes-validations", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource", "x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key",
}

OBJECT_META = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "generateName": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}},
        "ownerReferences": {"type": "array", "items": {"type": "object"}},
    },
}

INT_OR_STRING_ANYOF = [{"type": "integer"}, {"type": "string"}]


def add_null(t):
    if t is None:
        return None
    if isinstance(t, list):
        return t if "null" in t else t + ["null"]
    return [t, "null"]


def convert(s, branch=False, name=None):
    """Convert one OpenAPI v3 (structural) schema node to JSON Schema."""
    if not isinstance(s, dict):
        return s
    preserve = bool(s.get("x-kubernetes-preserve-unknown-fields"))
    out = {}
    if (name == "metadata" and not branch and s.get("type") == "object" and "properties" not in s
            and "additionalProperties" not in s):
        return json.loads(json.dumps(OBJECT_META))
    for k, v in s.items():
        if k in DROP:
            continue
        if k == "properties":
            out[k] = {pk: convert(pv, branch, pk) for pk, pv in v.items()}
        elif k == "items":
            out[k] = convert(v, branch) if isinstance(v, dict) else [convert(i, branch) for i in v]
        elif k == "additionalProperties":
            out[k] = convert(v, branch) if isinstance(v, dict) else v
        elif k in ("allOf", "anyOf", "oneOf"):
            out[k] = [convert(b, True) for b in v]
        elif k == "not":
            out[k] = convert(v, True)
        else:
            out[k] = v
    if s.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
        if out.get("anyOf") == INT_OR_STRING_ANYOF:
            del out["anyOf"]
    if s.get("nullable") and "type" in out:
        out["type"] = add_null(out["type"])
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
    if s.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if s.get("x-kubernetes-embedded-resource"):
        props = out.setdefault("properties", {}) if ("properties" in out or not preserve) else None
        if props is not None:
            props.setdefault("apiVersion", {"type": "string"})
            props.setdefault("kind", {"type": "string"})
            props.setdefault("metadata", json.loads(json.dumps(OBJECT_META)))
    if "required" in out and "properties" in s:
        req = [r for r in out["required"] if not (isinstance(s["properties"].get(r), dict)
                                                   and "default" in s["properties"][r])]
        if req:
            out["required"] = req
        else:
            del out["required"]
    if not branch and not preserve:
        is_object = s.get("type") == "object" or "properties" in s
        if is_object and "additionalProperties" not in s:
            out["additionalProperties"] = False
    return out


def root_schema(crd, version):
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    api_version = "%s/%s" % (group, version["name"])
    schema = convert(version["schema"]["openAPIV3Schema"])
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"const": api_version}
    props["kind"] = {"const": kind}
    props["metadata"] = json.loads(json.dumps(OBJECT_META))
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind"})
    schema.setdefault("type", "object")
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "title": "%s %s" % (api_version, kind)}
    out.update(schema)
    return "%s-%s-%s.json" % (group, version["name"], kind), out


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "schemas"))
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for path in args.files:
        with open(path) as f:
            docs = list(yaml.safe_load_all(f))
        for crd in docs:
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            for version in crd["spec"]["versions"]:
                if not version.get("served", False) or "schema" not in version:
                    continue
                fname, schema = root_schema(crd, version)
                with open(os.path.join(args.out, fname), "w") as f:
                    json.dump(schema, f, sort_keys=True, indent=1)
                    f.write("\n")
                print("%s\t%s" % (fname, path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
