import Foundation
import Testing

@testable import ISVCCore

/// Durations and integers near or past Int64 (found by fuzzing; each crashed `check` or `compile` with
/// an arithmetic-overflow trap): each is a positioned error from `check`, and `compile` of the same
/// input stops on it instead of trapping.
@Suite("Overflow")
struct OverflowTests {
    static func isvc(annotations: [String: String] = [:], predictor: String = "", mode: String? = nil) -> String {
        var meta = "metadata:\n  name: sk\n"
        var all = annotations
        if let mode { all["serving.kserve.io/deploymentMode"] = mode }
        if !all.isEmpty {
            meta += "  annotations:\n"
            for (k, v) in all.sorted(by: { $0.key < $1.key }) { meta += "    \(k): \"\(v)\"\n" }
        }
        return """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            \(meta)spec:
              predictor:
            \(predictor)    model:
                  modelFormat:
                    name: sklearn
                  storageUri: gs://models/sk

            """
    }

    static func configMap(_ name: String, _ key: String, _ value: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(name)
          namespace: knative-serving
        data:
          \(key): "\(value)"
        ---

        """
    }

    /// Checks, then compiles, the text; returns check's diagnostics. Compile must agree that the input
    /// has errors (check passing must mean compile succeeds, and the reverse).
    func run(_ text: String) -> [Diagnostic] {
        let checked = Diagnostics()
        _ = Compiler.check([.init(path: "o.yaml", text: text)], options: Compiler.Options(), diagnostics: checked)
        let compiled = Diagnostics()
        let result = Compiler.compile([.init(path: "o.yaml", text: text)], options: Compiler.Options(), diagnostics: compiled)
        #expect(checked.hasErrors == compiled.hasErrors, "check: \(checked.all.map(\.formatted)) compile: \(compiled.all.map(\.formatted))")
        if !compiled.hasErrors { _ = PlanRenderer.yaml(result.plan) }
        return checked.all.filter { $0.severity == .error }
    }

    /// Exactly one error, at line:column, whose message names `field`.
    func expectError(
        _ text: String, line: Int, column: Int, naming field: String, saying words: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let errors = run(text)
        #expect(errors.count == 1, "\(errors.map(\.formatted))", sourceLocation: sourceLocation)
        guard let e = errors.first else { return }
        #expect(e.location == SourceLocation(file: "o.yaml", line: line, column: column), "\(e.formatted)", sourceLocation: sourceLocation)
        #expect(e.message.contains(field), "\(e.formatted)", sourceLocation: sourceLocation)
        #expect(e.message.contains(words), "\(e.formatted)", sourceLocation: sourceLocation)
    }

    @Test(
        "Go's duration parser: units, fractions, signs, and overflow as Go reports it",
        arguments: [
            ("60s", Durations.Parsed.nanoseconds(60_000_000_000)), ("1m30s", .nanoseconds(90_000_000_000)),
            ("1.5h", .nanoseconds(5_400_000_000_000)), ("100ms", .nanoseconds(100_000_000)), (".5s", .nanoseconds(500_000_000)),
            ("1µs", .nanoseconds(1_000)), ("-2s", .nanoseconds(-2_000_000_000)), ("0", .nanoseconds(0)),
            ("2562047h47m16.854775807s", .nanoseconds(Int64.max)), ("-2562047h47m16.854775808s", .nanoseconds(Int64.min)),
            ("2562047h47m16.854775808s", .tooLong), ("9223372036854775807s", .tooLong), ("99999999999999999999h", .tooLong),
            ("9223372036854775807", .invalid), ("60", .invalid), ("", .invalid), ("s", .invalid), ("1d", .invalid), (".s", .invalid),
            ("1e3s", .invalid), ("NaNs", .invalid),
        ])
    func goDurations(_ text: String, _ expected: Durations.Parsed) {
        #expect(Durations.parse(text) == expected)
    }

    @Test(
        "a window annotation past Int64 is Knative's invalid value at the annotation",
        arguments: ["9223372036854775807s", "99999999999999999999h"])
    func windowAnnotation(_ value: String) {
        expectError(
            Self.isvc(annotations: ["autoscaling.knative.dev/window": value]), line: 6, column: 37,
            naming: "autoscaling.knative.dev/window", saying: "invalid value: \(value)")
    }

    @Test("a window annotation of seconds without a unit is invalid, as Go's parser says")
    func windowWithoutUnit() {
        expectError(
            Self.isvc(annotations: ["autoscaling.knative.dev/window": "9223372036854775807"]), line: 6, column: 37,
            naming: "autoscaling.knative.dev/window", saying: "invalid value")
    }

    @Test(
        "config-autoscaler durations past Int64 are errors at the value",
        arguments: [
            "stable-window", "scale-to-zero-grace-period", "scale-to-zero-pod-retention-period",
        ], ["9223372036854775807s", "99999999999999999999h"])
    func autoscalerDurations(_ key: String, _ value: String) {
        expectError(
            Self.configMap("config-autoscaler", key, value) + Self.isvc(), line: 7, column: key.count + 5,
            naming: "data.\(key)", saying: "2562047h47m16.854775807s")
    }

    @Test("config-autoscaler stable-window of seconds without a unit is not a duration (it overflowed seconds times 10^9)")
    func stableWindowSeconds() {
        expectError(
            Self.configMap("config-autoscaler", "stable-window", "9223372036854775807") + Self.isvc(), line: 7, column: 18,
            naming: "data.stable-window", saying: "is not a duration")
    }

    @Test("config-autoscaler stable-window outside Knative's [6s; 1h] range is Knative's error")
    func stableWindowRange() {
        expectError(
            Self.configMap("config-autoscaler", "stable-window", "2h") + Self.isvc(), line: 7, column: 18,
            naming: "data.stable-window", saying: "stable-window = 2h, must be in [6s; 1h0m0s] range")
    }

    @Test(
        "config-deployment progress-deadline past Int64 is an error at the value",
        arguments: ["9223372036854775807s", "99999999999999999999h"])
    func progressDeadlineConfig(_ value: String) {
        expectError(
            Self.configMap("config-deployment", "progress-deadline", value) + Self.isvc(), line: 7, column: 22,
            naming: "data.progress-deadline", saying: "2562047h47m16.854775807s")
    }

    @Test("config-deployment progress-deadline past the Deployment's int32 seconds is an error")
    func progressDeadlineInt32() {
        expectError(
            Self.configMap("config-deployment", "progress-deadline", "1000000h") + Self.isvc(), line: 7, column: 22,
            naming: "data.progress-deadline", saying: "int32")
    }

    @Test(
        "panic-window-percentage NaN or Infinity in config-autoscaler is Knative's range error",
        arguments: ["NaN", "Infinity", "-Inf", "0.5"])
    func panicWindowConfig(_ value: String) {
        expectError(
            Self.configMap("config-autoscaler", "panic-window-percentage", value) + Self.isvc(), line: 7, column: 28,
            naming: "data.panic-window-percentage", saying: "must be in [1, 100] interval")
    }

    @Test("panic-window-percentage NaN or Infinity as an annotation is Knative's range error", arguments: ["NaN", "Infinity", "nan"])
    func panicWindowAnnotation(_ value: String) {
        expectError(
            Self.isvc(annotations: ["autoscaling.knative.dev/panic-window-percentage": value]), line: 6, column: 54,
            naming: "autoscaling.knative.dev/panic-window-percentage", saying: "expected 1.0 <= \(value) <= 100.0")
    }

    @Test(
        "serving.knative.dev/progress-deadline past Int64 or int32 seconds is an error at the annotation",
        arguments: [
            ("9223372036854775807s", "invalid value"), ("99999999999999999999h", "invalid value"), ("1000000h", "int32"),
            ("0s", "must be positive"),
        ])
    func progressDeadlineAnnotation(_ value: String, _ words: String) {
        expectError(
            Self.isvc(annotations: ["serving.knative.dev/progress-deadline": value]), line: 6, column: 44,
            naming: "serving.knative.dev/progress-deadline", saying: words)
    }

    @Test("a component's own progress-deadline annotation is checked too")
    func componentProgressDeadline() {
        expectError(
            Self.isvc(predictor: "    annotations:\n      serving.knative.dev/progress-deadline: 9223372036854775807s\n"),
            line: 8, column: 46, naming: "serving.knative.dev/progress-deadline", saying: "invalid value")
    }

    @Test("minReplicas past int32 with a canary in Standard mode is an error, not a trap")
    func standardCanaryMinReplicas() {
        let text =
            Self.isvc(predictor: "    minReplicas: 9223372036854775807\n", mode: "Standard") + """
                  canary:
                    - trafficPercent: 20
                      predictor:
                        name: v2
                        model:
                          name: kserve-container
                          modelFormat:
                            name: sklearn
                          storageUri: gs://models/sk2

                """
        expectError(text, line: 9, column: 18, naming: "minReplicas", saying: "2147483647")
    }

    @Test("minReplicas past int32 in Knative mode is Knative's min-scale range error")
    func knativeMinReplicas() {
        expectError(
            Self.isvc(predictor: "    minReplicas: 2147483648\n"), line: 7, column: 18,
            naming: "autoscaling.knative.dev/min-scale", saying: "expected 0 <= 2147483648 <= 2147483647")
    }

    @Test("an integer past Int64 is a schema error, not a silently dropped field")
    func integerPastInt64() {
        expectError(
            Self.isvc(predictor: "    minReplicas: 99999999999999999999\n"), line: 7, column: 18,
            naming: "spec.predictor.minReplicas", saying: "64-bit integer range")
    }

    @Test("the most negative Int64 is an integer (KServe's own rule reports it), not out of range")
    func mostNegativeInteger() {
        expectError(
            Self.isvc(predictor: "    minReplicas: -9223372036854775808\n"), line: 7, column: 18,
            naming: "MinReplicas", saying: "cannot be less than 0")
    }

    @Test("two canaries with huge traffic percentages are errors, not a trap summing them")
    func canaryPercentSum() {
        var text = Self.isvc(mode: "Standard") + "  canary:\n"
        for name in ["a", "b"] {
            text += """
                    - trafficPercent: 9223372036854775807
                      predictor:
                        name: \(name)
                        model:
                          name: kserve-container
                          modelFormat:
                            name: sklearn
                          storageUri: gs://models/\(name)

                """
        }
        let errors = run(text)
        #expect(errors.contains { $0.message.contains("trafficPercent must be between 0 and 100") })
    }

    @Test(
        "a VirtualService percentage of NaN or past 100 is Istio's range error, not a trap in the Envoy config",
        arguments: [
            (43, "value: 25", ".nan"), (51, "value: 5", "1e300"), (55, "value: 1", "-.inf"), (43, "value: 25", "100.5"),
        ])
    func istioPercentage(_ line: Int, _ original: String, _ value: String) throws {
        var lines = (Golden.read("fixtures/istio-resilience.yaml") ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        try #require(lines.count > line && lines[line - 1].hasSuffix(original))
        lines[line - 1] = lines[line - 1].replacingOccurrences(of: original, with: "value: \(value)")
        let text = lines.joined(separator: "\n")
        let errors = run(text)
        #expect(errors.map(\.rule) == ["istio.percentage"], "\(errors.map(\.formatted))")
        #expect(errors.first?.location?.line == line)
        #expect(errors.first?.message.contains("percentage \(value) is not in range 0..100") == true)
        // What compile --emit envoy would have built from it.
        let d = Diagnostics()
        let result = Compiler.compile([.init(path: "o.yaml", text: text)], options: Compiler.Options(), diagnostics: d)
        _ = Compiler.envoy(result, options: EnvoyOptions())
    }

    @Test("values at the limits check clean and compile")
    func limitsCompile() {
        for text in [
            Self.isvc(annotations: ["autoscaling.knative.dev/window": "1h", "serving.knative.dev/progress-deadline": "596523h14m7s"]),
            Self.configMap("config-autoscaler", "stable-window", "3600s") + Self.isvc(),
            Self.configMap("config-autoscaler", "panic-window-percentage", "100") + Self.isvc(),
            Self.isvc(predictor: "    minReplicas: 2147483647\n"),
        ] {
            #expect(run(text).isEmpty, "\(text)")
        }
    }
}
