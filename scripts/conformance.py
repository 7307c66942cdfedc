#!/usr/bin/env python3
"""The project's own conformance check of what `isvc compile` emits.

Usage:
  conformance.py manifests PATH...   every Kubernetes object against the upstream schemas
  conformance.py envoy ENVOY PATH... every Envoy bootstrap loaded by a real Envoy (--mode validate)

manifests: custom resources (KServe, Knative, Istio, Gateway API, Gateway API Inference Extension,
LeaderWorkerSet, KEDA) are checked against the JSON Schemas in schemas/ (made from the upstream
CRDs, see schemas/SOURCES.md), strictly: an unknown field is an error, as with `kubectl apply
--validate=strict`. Null fields are dropped and the schemas' defaults filled in first, as the API
server does. Built-in kinds (core, apps, autoscaling, networking.k8s.io, ...) are checked with the
PyPI package kubernetes-validate in strict mode for Kubernetes 1.31. A kind with no schema fails.
Duplicate mapping keys fail (the API server refuses them). PATH is a YAML stream, a JSON object or
List, or a folder (its *.yaml and *.json).

envoy: each YAML document with static_resources is written to a file of its own and loaded by
`ENVOY --mode validate`, which builds every listener, cluster and filter without binding a port.

Prints one line per failure and `conformance: N conform, M do not`; exits 1 when anything failed.
CEL rules, formats and admission webhooks are not checked (the schemas do not carry them).
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.path.join(ROOT, "schemas")
KUBE_VERSION = "1.31"


class StrictLoader(yaml.SafeLoader):
    """Dates stay strings (as in the API server's decoder); a duplicate key is an error."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key != "<<":
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, "duplicate key %r" % key, key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)


StrictLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def files(paths, extensions):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                yield from (os.path.join(root, n) for n in sorted(names) if n.endswith(extensions))
        else:
            yield path


def documents(path):
    """(label, object) for each object of a file; a List stands for its items."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    loaded = [json.loads(text)] if path.endswith(".json") else list(yaml.load_all(text, Loader=StrictLoader))
    for index, doc in enumerate(loaded):
        if doc is None:
            continue
        if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            for i, item in enumerate(doc["items"]):
                yield "%s#%d.items[%d]" % (path, index, i), item
        else:
            yield "%s#%d" % (path, index), doc


def without_nulls(value):
    if isinstance(value, dict):
        return {str(k): without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def with_defaults(schema, value):
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, sub in properties.items():
            if key not in value and isinstance(sub, dict) and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        for key, sub_value in value.items():
            sub_schema = properties.get(key, schema.get("additionalProperties"))
            with_defaults(sub_schema, sub_value)
    elif isinstance(value, list):
        for item in value:
            with_defaults(schema.get("items"), item)


class Schemas:
    def __init__(self):
        self.cache = {}

    def custom(self, group, version, kind):
        name = os.path.join(SCHEMAS, "%s-%s-%s.json" % (group, version, kind))
        if name not in self.cache:
            self.cache[name] = None
            if re.fullmatch(r"[A-Za-z0-9.-]+", group + version + kind) and os.path.isfile(name):
                with open(name) as f:
                    self.cache[name] = jsonschema.Draft202012Validator(json.load(f))
        return self.cache[name]

    def builtin(self, api_version, kind):
        key = (api_version, kind)
        if key not in self.cache:
            from kubernetes_validate import utils
            from referencing import Registry, Resource
            version = [v for v in utils.all_versions() if utils.major_minor(v) == KUBE_VERSION][-1]
            folder = "kubernetes-json-schema/v%s-local-strict" % version
            short = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
            try:
                schema = utils.schema_contents("%s/%s-%s.json" % (folder, kind.lower(), short), version)
            except OSError:
                self.cache[key] = None
                return None
            definitions = utils.schema_contents("%s/_definitions.json" % folder, version)
            registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
            self.cache[key] = jsonschema.Draft202012Validator(schema, registry=registry)
        return self.cache[key]

    def errors(self, obj):
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return ["no apiVersion and kind"]
        group, _, version = api_version.rpartition("/")
        validator = self.custom(group, version, kind)
        if validator is not None:
            obj = without_nulls(obj)
            with_defaults(validator.schema, obj)
        elif "." not in group or group.endswith(".k8s.io") and not group.startswith("gateway.networking"):
            validator = self.builtin(api_version, kind)
        if validator is None:
            return ["no schema for %s %s" % (api_version, kind)]
        return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "<root>", e.message[:300])
                for e in validator.iter_errors(obj)]


def manifests(paths):
    schemas, passed, failed = Schemas(), 0, 0
    for path in files(paths, (".yaml", ".yml", ".json")):
        try:
            docs = list(documents(path))
        except (yaml.YAMLError, ValueError) as e:
            print("%s: unreadable: %s" % (path, " ".join(str(e).split())))
            failed += 1
            continue
        for label, obj in docs:
            if isinstance(obj, dict) and "static_resources" in obj:
                continue  # an Envoy bootstrap: the envoy check loads it
            errors = schemas.errors(obj) if isinstance(obj, dict) else ["not an object"]
            name = "%s/%s" % (obj.get("kind"), (obj.get("metadata") or {}).get("name")) if isinstance(obj, dict) else "?"
            for error in errors:
                print("%s %s: %s" % (label, name, error))
            failed += 1 if errors else 0
            passed += 0 if errors else 1
    return passed, failed


def envoy(binary, paths):
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files(paths, (".yaml", ".yml")):
            with open(path, encoding="utf-8") as f:
                # Envoy reads each document's own text, so nothing is re-typed on the way.
                texts = re.split(r"(?m)^---[ \t]*$\n?", f.read())
            docs = [t for t in texts if re.search(r"(?m)^static_resources:", t)]
            if not docs:
                print("%s: no Envoy bootstrap in it" % path)
                failed += 1
            for index, doc in enumerate(docs):
                config = os.path.join(tmp, "config-%d.yaml" % index)
                with open(config, "w") as f:
                    f.write(doc)
                run = subprocess.run([binary, "--mode", "validate", "--disable-hot-restart", "--log-level", "error",
                                      "-c", config], capture_output=True, text=True, timeout=120)
                if run.returncode == 0:
                    passed += 1
                else:
                    reason = " ".join(l for l in (run.stdout + run.stderr).splitlines()[-3:] if l.strip())
                    print("%s#%d: Envoy refused it: %s" % (path, index, reason.replace(config, path)))
                    failed += 1
    return passed, failed


def main(argv):
    if len(argv) >= 2 and argv[0] == "manifests":
        passed, failed = manifests(argv[1:])
    elif len(argv) >= 3 and argv[0] == "envoy":
        passed, failed = envoy(argv[1], argv[2:])
    else:
        print("usage: conformance.py manifests PATH... | conformance.py envoy ENVOY PATH...", file=sys.stderr)
        return 2
    print("conformance: %d conform, %d do not" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
