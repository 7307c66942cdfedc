import Testing

@testable import ISVCCore

@Suite("Runtime selection")
struct RuntimeSelectionTests {
    func runtime(_ yaml: String) -> ServingRuntime {
        let d = Diagnostics()
        let doc = YAMLReader.read(text: yaml, file: "r.yaml", diagnostics: d)[0]
        return ServingRuntime(document: doc, clusterScoped: doc.root["kind"]?.string == "ClusterServingRuntime")
    }

    func make(
        _ kind: String, _ name: String, priority: Int?, protocols: [String] = ["v1", "v2"], created: String? = nil,
        namespace: String = "ns"
    ) -> ServingRuntime {
        runtime(
            """
            kind: \(kind)
            metadata:
              name: \(name)
              namespace: \(namespace)
            \(created.map { "  creationTimestamp: \"\($0)\"" } ?? "")
            spec:
              supportedModelFormats:
                - name: sklearn
                  version: "1"
                  autoSelect: true
            \(priority.map { "      priority: \($0)" } ?? "")
              protocolVersions: [\(protocols.joined(separator: ", "))]
              containers:
                - name: kserve-container
                  image: x
            """)
    }

    func choose(_ runtimes: [ServingRuntime], protocolVersion: String = "v1") -> String? {
        RuntimeSelection.select(
            format: "sklearn", version: nil, protocolVersion: protocolVersion, namespace: "ns",
            hasWorkerSpec: false, runtimes: runtimes
        ).chosen?.name
    }

    @Test("a namespace runtime beats any cluster runtime, whatever its priority")
    func namespaceFirst() {
        #expect(choose([make("ClusterServingRuntime", "c", priority: 9), make("ServingRuntime", "n", priority: nil)]) == "n")
    }

    @Test("a namespace runtime of another namespace does not count")
    func otherNamespace() {
        #expect(
            choose([make("ClusterServingRuntime", "c", priority: 1), make("ServingRuntime", "n", priority: 5, namespace: "other")]) == "c")
    }

    @Test("higher priority wins; runtimes with a priority beat those without")
    func priority() {
        #expect(choose([make("ClusterServingRuntime", "a", priority: 1), make("ClusterServingRuntime", "b", priority: 2)]) == "b")
        #expect(choose([make("ClusterServingRuntime", "a", priority: nil), make("ClusterServingRuntime", "b", priority: 1)]) == "b")
    }

    @Test("without priorities: lower protocol first, then newest, then name")
    func presort() {
        #expect(
            choose([
                make("ClusterServingRuntime", "z", priority: nil, protocols: ["v1"]),
                make("ClusterServingRuntime", "a", priority: nil, protocols: ["v2", "v1"]),
            ]) == "a")
        #expect(
            choose([
                make("ClusterServingRuntime", "old", priority: nil, created: "2024-01-01T00:00:00Z"),
                make("ClusterServingRuntime", "new", priority: nil, created: "2025-01-01T00:00:00Z"),
            ]) == "new")
    }

    @Test("a runtime without the model's protocol is rejected with the reason")
    func protocolFilter() {
        let s = RuntimeSelection.select(
            format: "sklearn", version: nil, protocolVersion: "v2", namespace: "ns", hasWorkerSpec: false,
            runtimes: [make("ClusterServingRuntime", "v1only", priority: 1, protocols: ["v1"])])
        #expect(s.chosen == nil)
        #expect(s.rejected.first?.reason.contains("protocol v2") == true)
    }

    @Test("the built-in runtimes choose as KServe does")
    func builtIns() {
        let all = BuiltInRuntimes.all
        #expect(all.count == 14)
        let pick = { (format: String, proto: String) in
            RuntimeSelection.select(
                format: format, version: nil, protocolVersion: proto, namespace: "default",
                hasWorkerSpec: false, runtimes: all
            ).chosen?.name
        }
        #expect(pick("sklearn", "v1") == "kserve-sklearnserver")
        #expect(pick("sklearn", "v2") == "kserve-mlserver")
        #expect(pick("xgboost", "v1") == "kserve-xgbserver")
        #expect(pick("tensorflow", "v1") == "kserve-tensorflow-serving")
        #expect(pick("onnx", "v2") == "kserve-tritonserver")
        #expect(pick("pytorch", "v1") == "kserve-torchserve")
        #expect(pick("catboost", "v1") == nil)
    }
}
