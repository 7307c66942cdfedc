import Testing

@testable import ISVCCore

/// KServe's InferenceGraph controller on the scenarios of its unit tests (raw_ig_test.go,
/// utils_test.go's TestGetPredictorEndpoint) that the fixtures do not show alone.
@Suite("InferenceGraph")
struct InferenceGraphTests {
    static func compile(_ yaml: String, mode: DeploymentMode? = nil) -> (Compiler.Result, Diagnostics) {
        let diagnostics = Diagnostics()
        var options = Compiler.Options()
        options.mode = mode
        let result = Compiler.compile([.init(path: "g.yaml", text: yaml)], options: options, diagnostics: diagnostics)
        return (result, diagnostics)
    }

    static func graph(_ spec: String, name: String = "basic-ig", annotations: String = "") -> String {
        """
        apiVersion: serving.kserve.io/v1alpha1
        kind: InferenceGraph
        metadata:
          name: \(name)
          namespace: basic-ig-namespace
        \(annotations)
        spec:
        \(spec)
        """
    }

    static func graphJSON(_ result: Compiler.Result) -> String? {
        for o in result.plan.objects where o.kind == "Deployment" || (o.kind == "Service" && o.apiVersion == "serving.knative.dev/v1") {
            let containers =
                o.body[path: ["spec", "template", "spec", "containers"]]?.array ?? []
            if let args = containers.first?["args"]?.array, args.first?.string == "--graph-json" { return args[1].string }
        }
        return nil
    }

    @Test("the router gets the spec as json.Marshal writes it (raw_ig_test.go's basic, withresource and tolerations cases)")
    func graphJSONBytes() throws {
        let nodes = """
              nodes:
                root:
                  routerType: Sequence
                  steps:
                    - serviceUrl: http://someservice.example.com
            """
        let (basic, d1) = Self.compile(Self.graph(nodes))
        #expect(!d1.hasErrors, "\(d1.all.map(\.formatted))")
        #expect(
            Self.graphJSON(basic)
                == #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://someservice.example.com"}]}},"resources":{}}"#
        )
        let withResources =
            nodes + """

                  resources:
                    requests: {memory: 100Mi, cpu: 100m}
                    limits: {memory: 500Mi, cpu: "0.1"}
                  tolerations:
                    - effect: NoSchedule
                      value: value1
                      operator: Equal
                      key: key1
                """
        let (resourced, d2) = Self.compile(Self.graph(withResources), mode: .standard)
        #expect(!d2.hasErrors, "\(d2.all.map(\.formatted))")
        #expect(
            Self.graphJSON(resourced)
                == #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://someservice.example.com"}]}},"resources":{"limits":{"cpu":"100m","memory":"500Mi"},"requests":{"cpu":"100m","memory":"100Mi"}},"tolerations":[{"key":"key1","operator":"Equal","value":"value1","effect":"NoSchedule"}]}"#
        )
        // The spec's resources replace the ConfigMap's, requests and limits both.
        let deployment = try #require(resourced.plan.objects.first { $0.kind == "Deployment" })
        let container = deployment.body[path: ["spec", "template", "spec", "containers"]]?.array?.first
        #expect(container?["name"]?.string == "basic-ig")
        #expect(container?[path: ["resources", "limits", "cpu"]]?.string == "100m")
        #expect(container?["env"] == nil, "no PROPAGATE_HEADERS without the ConfigMap's headers.propagate")
    }

    static let services = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: v1-args, namespace: basic-ig-namespace}
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              storageUri: gs://b/m
              args: ["--model_name=first", "--model_name", "second"]
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: v2-runtime, namespace: basic-ig-namespace}
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              runtime: kserve-mlserver
              storageUri: gs://b/m
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: custom-v2, namespace: basic-ig-namespace}
        spec:
          predictor:
            containers:
              - name: kserve-container
                image: example/server
                env: [{name: PROTOCOL, value: v2}]
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: multi, namespace: basic-ig-namespace}
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
        ---
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: with-transformer, namespace: basic-ig-namespace}
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              storageUri: gs://b/m
          transformer:
            containers:
              - name: kserve-container
                image: example/transformer
                args: ["--model_name", "tm"]
        ---

        """

    @Test("serviceName steps get the URL GetPredictorEndpoint resolves: address, model name, protocol")
    func resolvedURLs() throws {
        let nodes = """
              nodes:
                root:
                  routerType: Ensemble
                  steps:
                    - {name: a, serviceName: v1-args}
                    - {name: b, serviceName: v2-runtime}
                    - {name: c, serviceName: custom-v2}
                    - {name: d, serviceName: multi}
                    - {name: e, serviceName: with-transformer}
            """
        for mode in [DeploymentMode.knative, .standard] {
            let (result, d) = Self.compile(Self.services + Self.graph(nodes), mode: mode)
            #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
            let urls = try #require(result.validated.graphs.first?.resolvedURLs["root"])
            let ns = "basic-ig-namespace.svc.cluster.local"
            let standard = mode == .standard
            #expect(urls[0] == "http://v1-args\(standard ? "-predictor" : "").\(ns)/v1/models/second:predict")
            #expect(urls[1] == "http://v2-runtime\(standard ? "-predictor" : "").\(ns)/v2/models/v2-runtime/infer")
            #expect(urls[2] == "http://custom-v2\(standard ? "-predictor" : "").\(ns)/v2/models/custom-v2/infer")
            #expect(urls[3] == "http://multi\(standard ? "-predictor" : "").\(ns)")
            #expect(urls[4] == "http://with-transformer\(standard ? "-transformer" : "").\(ns)/v1/models/tm:predict")
            #expect(Self.graphJSON(result)?.contains(#"{"name":"a","serviceName":"v1-args","serviceUrl":"http://v1-args"#) == true)
        }
    }

    @Test("a runtime without v1 or v2 fails the graph with KServe's message")
    func incompatibleRuntime() {
        let yaml = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata: {name: grpc-only, namespace: basic-ig-namespace}
            spec:
              protocolVersions: [grpc-v2]
              supportedModelFormats: [{name: sklearn, autoSelect: false}]
              containers: [{name: kserve-container, image: example/grpc}]
            ---
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: grpc, namespace: basic-ig-namespace}
            spec:
              predictor:
                model:
                  modelFormat: {name: sklearn}
                  runtime: grpc-only
                  storageUri: gs://b/m
            ---

            """
            + Self.graph(
                """
                  nodes:
                    root:
                      routerType: Sequence
                      steps: [{serviceName: grpc}]
                """)
        let (result, d) = Self.compile(yaml)
        #expect(
            d.all.contains {
                $0.rule == KServeRule.graphTarget.id
                    && $0.message.contains("the runtime does not support a protocol compatible with Inference Graphs")
            })
        #expect(result.plan.objects.isEmpty)
    }

    @Test("Knative mode: the template's labels and autoscaling annotations, the creator, no VirtualService of KServe's")
    func knativeService() throws {
        let (result, d) = Self.compile(
            Self.graph(
                """
                  minReplicas: 0
                  nodes:
                    root:
                      routerType: Sequence
                      steps: [{serviceUrl: "http://a.example.com"}]
                """,
                annotations: """
                      labels: {networking.knative.dev/visibility: cluster-local, team: a}
                      annotations: {serving.knative.openshift.io/enablePassthrough: "true", autoscaling.knative.dev/initial-scale: "0"}
                    """))
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        let ksvc = try #require(result.plan.objects.first { $0.kind == "Service" && $0.apiVersion == "serving.knative.dev/v1" })
        #expect(ksvc.body[path: ["metadata", "labels", "networking.knative.dev/visibility"]]?.string == "cluster-local")
        #expect(ksvc.body[path: ["metadata", "annotations", "serving.knative.openshift.io/enablePassthrough"]]?.string == "true")
        let template = ksvc.body[path: ["spec", "template", "metadata"]]
        #expect(template?[path: ["labels", "networking.knative.dev/visibility"]] == nil)
        #expect(template?[path: ["labels", "serving.kserve.io/kind"]]?.string == "InferenceGraph")
        #expect(template?[path: ["annotations", "autoscaling.knative.dev/min-scale"]]?.string == "0")
        #expect(
            template?[path: ["annotations", "autoscaling.knative.dev/initial-scale"]] == nil,
            "0 without allow-zero-initial-scale is dropped")
        #expect(template?[path: ["annotations", "serving.knative.openshift.io/enablePassthrough"]] == nil)
        #expect(!result.plan.objects.contains { $0.createdBy == .kserve && $0.kind == "VirtualService" })
        // Cluster-local: the status URL is the in-cluster one.
        let status = Compiler.status(result)
        #expect(status.last?[path: ["status", "url"]]?.string == "http://basic-ig.basic-ig-namespace.svc.cluster.local")
    }

    @Test("stop creates nothing; a missing InferenceService is an error naming the closest one")
    func stopAndMissing() {
        let nodes = """
              nodes:
                root:
                  routerType: Sequence
                  steps: [{serviceName: v1-arg}]
            """
        let (stopped, d1) = Self.compile(Self.graph(nodes, annotations: "  annotations: {serving.kserve.io/stop: \"true\"}"))
        #expect(!d1.hasErrors)
        #expect(stopped.plan.objects.isEmpty)
        #expect(Compiler.status(stopped).isEmpty)
        let (_, d2) = Self.compile(Self.services + Self.graph(nodes))
        #expect(d2.all.contains { $0.rule == KServeRule.graphTarget.id && $0.message.contains("did you mean \"v1-args\"") })
    }
}
