#!/usr/bin/env python3
"""Write N InferenceServices (each a transformer + predictor) as one YAML stream to stdout.

Usage: python3 bench/gen-isvcs.py N > stream.yaml
"""
import sys

TEMPLATE = """---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: model-{i}
  namespace: team-{ns}
  labels:
    team: team-{ns}
  annotations:
    autoscaling.knative.dev/target-utilization-percentage: "80"
spec:
  transformer:
    containers:
      - image: registry.example.com/transformer:{i}
        args: ["--feature_store", "redis://features:6379"]
        resources:
          requests: {{cpu: 100m, memory: 256Mi}}
  predictor:
    minReplicas: {min}
    maxReplicas: 5
    containerConcurrency: 8
    model:
      modelFormat:
        name: sklearn
      storageUri: gs://models/team-{ns}/model-{i}
"""


def main():
    n = int(sys.argv[1])
    out = sys.stdout
    for i in range(n):
        out.write(TEMPLATE.format(i=i, ns=i % 10, min=i % 2))


if __name__ == "__main__":
    main()
