/// The examples of `isvc help <command>`: one for every flag (CLIHelpTests holds them to it). Lines
/// stay under 80 columns, where ArgumentParser would wrap them.
enum HelpExamples {
    static let check = """
        Examples:
          # every document, every problem, at file:line:column
          isvc check deploy/*.yaml
          # kubectl-style inputs, and standard input
          isvc check --filename a.yaml --filename b.yaml
          kubectl get isvc -o yaml | isvc check -
          # objects without a namespace go to team-a
          isvc check -n team-a deploy/*.yaml
          # warnings (unknown fields, ...) fail too
          isvc check --strict deploy/*.yaml
          # GitHub Actions annotations on the lines
          isvc check --format github deploy/*.yaml
          # which preset or config set each field of an LLMInferenceService
          isvc check --explain llm.yaml
          # Standard (RawDeployment) rules where the InferenceService does not say
          isvc check --mode standard deploy/*.yaml
        """

    static let compile = """
        Examples:
          # every object, as YAML
          isvc compile examples/sklearn-iris.yaml
          # kubectl-style input; objects without a namespace go to team-a
          isvc compile --filename a.yaml -n team-a
          # JSON; warnings are errors
          isvc compile --strict -o json a.yaml
          # one file per object and a kustomization.yaml
          isvc compile --out build/ a.yaml
          # only some layers
          isvc compile --emit knative,istio a.yaml
          # the URLs and revisions each InferenceService will report once ready
          isvc compile --emit status a.yaml
          # Standard (RawDeployment) mode objects
          isvc compile --mode standard a.yaml
          # the next rollout after build/: revisions, canary traffic
          isvc compile --previous build/ a.yaml
          # the gateway's Envoy config, runnable on this machine, the revision's
          # cluster pointed at a local model server
          isvc compile --emit envoy --envoy-listen 127.0.0.1 \\
            --envoy-port-offset 10000 --envoy-admin-port 19901 --endpoint \\
            sklearn-iris-predictor-00001.default.svc.cluster.local=127.0.0.1:9000 \\
            examples/sklearn-iris.yaml
        """

    static let diff = """
        Examples:
          # new revisions, traffic before and after, every changed object
          isvc diff old.yaml new.yaml
          # against an earlier compile --out directory
          isvc diff build/ new.yaml
          # the rollout summary and the list of changed objects only
          isvc diff --summary old.yaml new.yaml
          # for bots
          isvc diff --format json old.yaml new.yaml
          # colour through a pager
          isvc diff --color old.yaml new.yaml | less -R
          # compile's input options, for both sides
          isvc diff -n team-a --mode standard --strict old.yaml new.yaml
        """

    static let serve = """
        Examples:
          # the gateway on 127.0.0.1:8080, metrics on 127.0.0.1:9090
          isvc serve examples/serve/sklearn-iris.yaml
          # kubectl-style input; objects without a namespace go to team-a
          isvc serve --filename a.yaml -n team-a --strict
          # other ports, on every address
          isvc serve --port 9000 --admin-port 9100 --host 0.0.0.0 a.yaml
          # where models are downloaded
          isvc serve --workdir /tmp/models a.yaml
          # the rollout after an earlier compile
          isvc serve --previous build/ a.yaml
          # one request through the gateway, its answer, then stop
          isvc serve a.yaml --request in.json --request-model sklearn-iris
          # a TLS listener, for Gateway servers with tls
          isvc serve --tls-cert gw.crt --tls-key gw.key --tls-port 8443 a.yaml
          # Standard mode: Deployments and their RollingUpdate
          isvc serve --mode standard a.yaml
          # apply edits of a.yaml as a cluster would
          isvc serve --watch a.yaml
          # at most a million numbers in one request
          isvc serve --max-tensor-elements 1000000 a.yaml
          # an LLMInferenceService, each endpoint-picker choice logged with its scores
          isvc serve --log-level debug examples/serve/llm-opt-sim.yaml
        """
}
