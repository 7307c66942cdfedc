import Testing

@testable import ISVCCore

/// Knative's HPA class in Knative mode: its metric rule (annotation_validation.go `validateMetric`)
/// and the quantities of the HorizontalPodAutoscaler (`hpa/resources/hpa.go`). The objects
/// themselves are golden-tested (fixtures/knative-hpa-class.yaml).
@Suite("Knative HPA class")
struct KnativeHPAClassTests {
    static func errors(class autoscalerClass: String?, metric: String, configClass: String? = nil) -> [String] {
        var text = ""
        if let configClass { text += OverflowTests.configMap("config-autoscaler", "pod-autoscaler-class", configClass) }
        var annotations = ["autoscaling.knative.dev/metric": metric]
        if let autoscalerClass { annotations["autoscaling.knative.dev/class"] = autoscalerClass }
        text += OverflowTests.isvc(annotations: annotations)
        let diagnostics = Diagnostics()
        _ = Compiler.check([.init(path: "o.yaml", text: text)], options: Compiler.Options(), diagnostics: diagnostics)
        return diagnostics.all.filter { $0.severity == .error }.map(\.message)
    }

    @Test("the KPA takes concurrency and rps; the HPA class any metric but an empty one; other classes anything")
    func metricRule() {
        let kpa = "kpa.autoscaling.knative.dev", hpa = "hpa.autoscaling.knative.dev"
        #expect(Self.errors(class: kpa, metric: "rps").isEmpty)
        #expect(
            Self.errors(class: kpa, metric: "cpu") == [
                "invalid value: cpu: autoscaling.knative.dev/metric (Knative rejects the revision template KServe builds)"
            ])
        #expect(Self.errors(class: hpa, metric: "cpu").isEmpty)
        #expect(Self.errors(class: hpa, metric: "requests_per_second").isEmpty)
        #expect(Self.errors(class: hpa, metric: "").count == 1)
        #expect(Self.errors(class: "custom.example.com", metric: "anything").isEmpty)
        // Without the annotation, config-autoscaler's pod-autoscaler-class decides.
        #expect(Self.errors(class: nil, metric: "memory").count == 1)
        #expect(Self.errors(class: nil, metric: "memory", configClass: hpa).isEmpty)
    }

    @Test(
        "quantities in Kubernetes' canonical form",
        arguments: [
            (Quantity.decimal(50), "50"), (Quantity.decimal(1000), "1k"), (Quantity.decimal(1500), "1500"),
            (Quantity.decimal(2_000_000), "2M"), (Quantity.decimal(0), "0"),
            (Quantity.mebibytes(50), "50Mi"), (Quantity.mebibytes(1024), "1Gi"), (Quantity.mebibytes(1536), "1536Mi"),
            (Quantity.mebibytes(1024 * 1024), "1Ti"), (Quantity.mebibytes(0), "0"),
        ])
    func quantities(_ got: String, _ want: String) {
        #expect(got == want)
    }
}
