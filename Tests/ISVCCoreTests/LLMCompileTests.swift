import Testing

@testable import ISVCCore

/// LLMInferenceService: the strategic merge of presets, the preset selection, the Go-template
/// rendering over the user's spec, and the objects that depend on the cluster's config.
@Suite("LLMInferenceService compile")
struct LLMCompileTests {
    static func compile(_ yaml: String, namespace: String = "default") -> (Compiler.Result, Diagnostics) {
        let diagnostics = Diagnostics()
        var options = Compiler.Options()
        options.defaultNamespace = namespace
        let result = Compiler.compile([.init(path: "test.yaml", text: yaml)], options: options, diagnostics: diagnostics)
        return (result, diagnostics)
    }

    static let minimal = """
        apiVersion: serving.kserve.io/v1alpha2
        kind: LLMInferenceService
        metadata:
          name: opt
        spec:
          model:
            uri: hf://facebook/opt-125m

        """

    func env(_ names: [String]) -> Value {
        .array(names.map { ["name": .string($0), "value": .string($0.lowercased())] })
    }

    @Test("lists merged by key keep the base's other elements in place around the override's (mergeSortedSlice)")
    func mergeOrder() throws {
        let base: Value = ["template": ["containers": [["name": "main", "env": env(["HOME", "LEVEL", "CACHE"]), "command": ["a", "b"]]]]]
        var overrideEnv = env(["LEVEL", "EXTRA"])
        overrideEnv = .array(
            (overrideEnv.array ?? []).map { e in
                var v = e
                if v["name"] == "LEVEL" { v["value"] = "debug" }
                return v
            })
        let override: Value = ["template": ["containers": [["name": "main", "env": overrideEnv, "command": ["c"]]]]]
        let merged = try StrategicMerge.merge(base, override)
        let main = try #require(merged[path: ["template", "containers"]]?.array?.first)
        #expect((main["env"]?.array ?? []).compactMap { $0["name"]?.string } == ["HOME", "LEVEL", "EXTRA", "CACHE"])
        #expect(main["env"]?.array?[1]["value"] == "debug")
        // command has no patch strategy: replaced whole.
        #expect(main["command"] == ["c"])
    }

    @Test("a container without its merge key fails the merge, naming the list and the key")
    func missingMergeKey() {
        let base: Value = ["template": ["containers": [["name": "main"]]]]
        let override: Value = ["template": ["containers": [["image": "x"]]]]
        #expect(throws: StrategicMerge.Failure(path: "template.containers[0]", key: "name")) {
            try StrategicMerge.merge(base, override)
        }
    }

    @Test("presets in the controller's order: scheduler, router-route, template; then baseRefs as UserRef")
    func presetOrder() throws {
        let yaml = """
            apiVersion: serving.kserve.io/v1alpha2
            kind: LLMInferenceServiceConfig
            metadata:
              name: cpu
            spec:
              replicas: 2
            ---
            apiVersion: serving.kserve.io/v1alpha2
            kind: LLMInferenceService
            metadata:
              name: opt
            spec:
              baseRefs:
                - name: cpu
              model:
                uri: hf://facebook/opt-125m
              router:
                scheduler: {}
                route: {}

            """
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let llm = try #require(result.validated.llmServices.first)
        #expect(
            llm.applied.map { "\($0.source.rawValue):\($0.namespace)/\($0.name)" } == [
                "Preset:kserve/kserve-config-llm-scheduler", "Preset:kserve/kserve-config-llm-router-route",
                "Preset:kserve/kserve-config-llm-template", "UserRef:default/cpu",
            ])
        #expect(llm.spec.replicas == 2)
        #expect(llm.spec.modelName == "opt", "model.name defaults to the object's name")
    }

    @Test("the templates read the user's spec: shutdown timeout from its grace period, names from model.name")
    func templateData() throws {
        let yaml =
            Self.minimal + """
                  template:
                    terminationGracePeriodSeconds: 30
                    containers:
                      - name: main

                """
        let (result, diagnostics) = Self.compile(yaml, namespace: "llm")
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let deployment = try #require(result.plan.objects.first { $0.kind == "Deployment" })
        let script = deployment.body[path: ["spec", "template", "spec", "containers"]]?.array?.first?["command"]?.array?[2].string ?? ""
        #expect(script.contains("--shutdown-timeout 10"), "30 s grace - 15 s preStop - 5 s")
        #expect(script.contains(#"--served-model-name "opt" "publishers/llm/models/opt""#))
        #expect(deployment.body[path: ["spec", "template", "spec", "terminationGracePeriodSeconds"]] == 30)
    }

    @Test("model-based routing off in inferenceservice-config: the header matches and their rules go")
    func modelRoutingDisabled() throws {
        let config = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: inferenceservice-config
              namespace: kserve
            data:
              ingress: |
                {"ingressGateway": "knative-serving/knative-ingress-gateway", "modelBasedRoutingMode": "disabled"}
            ---

            """
        let yaml =
            config + Self.minimal + """
                  router:
                    route: {}

                """
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let route = try #require(result.plan.objects.first { $0.kind == "HTTPRoute" })
        let names = (route.body[path: ["spec", "rules"]]?.array ?? []).compactMap { $0["name"]?.string }
        #expect(names.count == 10)
        #expect(!names.contains("v1-model-routing") && !names.contains("v1-catch-all-model-routing"))
        // No scheduler: every backend is the workload Service.
        let kinds = Set(
            (route.body[path: ["spec", "rules"]]?.array ?? []).flatMap { $0["backendRefs"]?.array ?? [] }.compactMap { $0["kind"]?.string })
        #expect(kinds == ["Service"])
    }

    @Test("v1alpha1: criticality leaves the spec, the pool spec takes the v1 shape")
    func conversion() throws {
        let yaml = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: LLMInferenceService
            metadata:
              name: opt
            spec:
              model:
                uri: hf://facebook/opt-125m
                criticality: Critical
              router:
                scheduler:
                  pool:
                    spec:
                      selector:
                        app: opt
                      targetPortNumber: 8000
                      extensionRef:
                        name: opt-epp
                        portNumber: 9002
                        failureMode: FailOpen

            """
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let pool = try #require(
            result.plan.objects.first { $0.kind == "InferencePool" && $0.apiVersion == "inference.networking.k8s.io/v1" })
        // Maps merge: the preset's selector labels and the user's.
        #expect(pool.body[path: ["spec", "selector", "matchLabels", "app"]] == "opt")
        #expect(pool.body[path: ["spec", "selector", "matchLabels", "kserve.io/component"]] == "workload")
        #expect(pool.body[path: ["spec", "targetPorts"]] == [["number": 8000]])
        #expect(pool.body[path: ["spec", "endpointPickerRef", "port", "number"]] == 9002)
        let service = try #require(result.plan.objects.first { $0.kind == "Service" && $0.name == "opt-epp" })
        #expect(service.body[path: ["spec", "ports"]]?.array?.count == 4)
    }

    @Test("--explain names the config that set each merged field: the preset, the service, or the controller")
    func explain() throws {
        let yaml =
            Self.minimal + """
                  router:
                    scheduler: {}
                  template:
                    containers:
                      - name: main
                        image: vllm/vllm-openai-cpu:v0.23.0

                """
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let text = Compiler.explainLLMServices(result)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("#   [1] Preset kserve/kserve-config-llm-scheduler"))
        #expect(lines.contains("#   [2] Preset kserve/kserve-config-llm-template"))
        #expect(lines.contains { $0.hasPrefix("#   [3] the LLMInferenceService") })
        #expect(lines.contains("spec.template.containers[main].image = vllm/vllm-openai-cpu:v0.23.0  [3]"))
        #expect(lines.contains("spec.template.containers[main].env[HOME].value = /home  [2]"))
        #expect(lines.contains("spec.router.scheduler.template.serviceAccountName = opt-epp-sa  [controller]"))
    }

    @Test("an LLMInferenceService file is an input to compile, not compiled output (isvc diff, --previous)")
    func inputNotOutput() {
        #expect(!InputFiles.isCompiledOutput([.init(path: "llm.yaml", text: Self.minimal)]))
        let diagnostics = Diagnostics()
        _ = PreviousState.load([.init(path: "llm.yaml", text: Self.minimal)], diagnostics: diagnostics)
        #expect(diagnostics.all.map(\.rule) == ["previous.not-compiled"])
    }

    @Test("prefill/decode: decode pods behind the routing sidecar with their own service account, a prefill Deployment, the P/D profile")
    func disaggregated() throws {
        let path = "fixtures/llm-opt-125m-pd.yaml"
        let (result, diagnostics) = Self.compile(try #require(Golden.read(path)))
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let objects = result.plan.objects
        let decode = try #require(objects.first { $0.kind == "Deployment" && $0.name == "facebook-opt-125m-pd-kserve" })
        let prefill = try #require(objects.first { $0.kind == "Deployment" && $0.name == "facebook-opt-125m-pd-kserve-prefill" })
        #expect(decode.body[path: ["spec", "selector", "matchLabels", "llm-d.ai/role"]] == "decode")
        #expect(prefill.body[path: ["spec", "selector", "matchLabels", "llm-d.ai/role"]] == "prefill")
        let pod = try #require(decode.body[path: ["spec", "template", "spec"]])
        #expect(pod["serviceAccountName"] == "facebook-opt-125m-pd-kserve")
        let sidecar = try #require(pod["initContainers"]?.array?.first)
        #expect(sidecar["name"] == "llm-d-routing-sidecar")
        #expect(sidecar["env"]?.array?.last == ["name": "INFERENCE_POOL_NAME", "value": "facebook-opt-125m-pd-inference-pool"])
        #expect((sidecar["command"]?.array ?? []).contains("--inference-pool=default/facebook-opt-125m-pd-inference-pool"))
        #expect(objects.contains { $0.kind == "Role" && $0.name == "facebook-opt-125m-pd-kserve-role" })
        let epp = try #require(objects.first { $0.name == "facebook-opt-125m-pd-kserve-router-scheduler" })
        let args = epp.body[path: ["spec", "template", "spec", "containers"]]?.array?.first?["args"]?.array ?? []
        #expect(args.last?.string?.contains("- name: decode") == true)
    }

    @Test("tracing: {} takes the preset's collector; vLLM and the EPP get their flags and OTEL_* variables")
    func tracing() throws {
        let yaml =
            Self.minimal + """
                  tracing: {}
                  router:
                    scheduler: {}

                """
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let main = try #require(
            result.plan.objects.first { $0.name == "opt-kserve" }?.body[path: ["spec", "template", "spec", "containers"]]?.array?.first)
        #expect(main["args"] == ["--otlp-traces-endpoint", "http://otel-collector:4317", "--collect-detailed-traces", "all"])
        let env = main["env"]?.array ?? []
        #expect(env.contains(["name": "OTEL_SERVICE_NAME", "value": "inference-server-decode"]))
        #expect(env.contains(["name": "OTEL_TRACES_SAMPLER_ARG", "value": "0.05"]))
        let epp = try #require(
            result.plan.objects.first { $0.name == "opt-kserve-router-scheduler" }?.body[path: ["spec", "template", "spec", "containers"]]?
                .array?.first)
        #expect(epp["args"]?.array?.last == "--tracing=true")
        #expect((epp["env"]?.array ?? []).contains(["name": "OTEL_SERVICE_NAME", "value": "inference-scheduler"]))
    }

    @Test("LoRA: adapters downloaded with the model under /mnt, a PVC adapter mounted, vLLM's flags first, matches per adapter")
    func lora() throws {
        let yaml = """
            apiVersion: serving.kserve.io/v1alpha2
            kind: LLMInferenceService
            metadata:
              name: qwen
            spec:
              model:
                uri: hf://Qwen/Qwen2.5-0.5B
                lora:
                  maxAdapters: 2
                  adapters:
                    - name: sql
                      uri: hf://example/sql-lora
                    - name: chat
                      uri: pvc://adapters/chat
              router:
                route: {}
              template:
                containers:
                  - name: main
                    args: ["--max-model-len", "2048"]

            """
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.formatted))")
        let pod = try #require(result.plan.objects.first { $0.name == "qwen-kserve" }?.body[path: ["spec", "template", "spec"]])
        let initContainer = try #require(pod["initContainers"]?.array?.first)
        #expect(initContainer["args"] == ["hf://Qwen/Qwen2.5-0.5B", "/mnt/models", "hf://example/sql-lora", "/mnt/lora/sql"])
        #expect(initContainer["volumeMounts"] == [["name": "kserve-provision-location", "mountPath": "/mnt"]])
        let main = try #require(pod["containers"]?.array?.first)
        #expect(
            main["args"] == [
                "--enable-lora", "--max-loras=2", "--lora-modules", #"'{"name":"chat","path":"/mnt/lora/chat"}'"#,
                #"'{"name":"publishers/default/models/chat","path":"/mnt/lora/chat"}'"#, #"'{"name":"sql","path":"/mnt/lora/sql"}'"#,
                #"'{"name":"publishers/default/models/sql","path":"/mnt/lora/sql"}'"#, "--max-model-len", "2048",
            ])
        #expect(
            (main["volumeMounts"]?.array ?? []).contains([
                "name": "lora-pvc-chat", "mountPath": "/mnt/lora/chat", "readOnly": true, "subPath": "chat",
            ]))
        let route = try #require(result.plan.objects.first { $0.kind == "HTTPRoute" })
        let catchAll = try #require(route.body[path: ["spec", "rules"]]?.array?.first { $0["name"] == "v1-catch-all-model-routing" })
        let values = (catchAll["matches"]?.array ?? []).compactMap { $0["headers"]?.array?.first?["value"]?.string }
        #expect(values == ["publishers/default/models/qwen", "publishers/default/models/chat", "publishers/default/models/sql"])
    }

    @Test("a stopped LLMInferenceService has no objects")
    func stopped() {
        let yaml = Self.minimal.replacingOccurrences(
            of: "  name: opt\n", with: "  name: opt\n  annotations:\n    serving.kserve.io/stop: \"true\"\n")
        let (result, diagnostics) = Self.compile(yaml)
        #expect(!diagnostics.hasErrors)
        #expect(result.plan.objects.isEmpty)
    }
}
