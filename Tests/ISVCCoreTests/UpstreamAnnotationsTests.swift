import Testing

@testable import ISVCCore

/// Every annotation and label the upstream controllers read on an InferenceService is either honoured
/// or warned about at its position (`isvc.annotation-not-read`); keys no controller reads pass through
/// unwarned. `docs/annotations.md` is the table of what isvc does with each.
@Suite("InferenceService annotations against upstream")
struct UpstreamAnnotationsTests {
    static let rule = ISVCRule.annotationNotRead.id

    /// The diagnostics of a small InferenceService carrying `metadata` (indented YAML under metadata)
    /// and `predictor` (indented YAML under spec.predictor).
    static func diagnostics(metadata: String = "", predictor: String = "", mode: DeploymentMode = .knative) -> [Diagnostic] {
        let yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: sklearn-iris
            \(metadata)
            spec:
              predictor:
            \(predictor)
                model:
                  modelFormat:
                    name: sklearn
                  storageUri: gs://kfserving-examples/models/sklearn/1.0/model
            """
        var options = Compiler.Options()
        options.mode = mode
        let d = Diagnostics()
        _ = Compiler.check([.init(path: "isvc.yaml", text: yaml)], options: options, diagnostics: d)
        return d.all
    }

    static func carrying(_ key: UpstreamAnnotations.Key, value: String? = nil) -> [Diagnostic] {
        let section = key.kind == .label ? "labels" : "annotations"
        let metadata = "  \(section):\n    \(key.key): '\(value ?? key.sample)'"
        return diagnostics(metadata: metadata, mode: key.modes.contains(.knative) ? .knative : .standard)
    }

    /// The key in `spec.predictor.annotations` instead.
    static func inPredictor(_ key: UpstreamAnnotations.Key) -> [Diagnostic] {
        let predictor = "    annotations:\n      \(key.key): '\(key.sample)'"
        return diagnostics(predictor: predictor, mode: key.modes.contains(.knative) ? .knative : .standard)
    }

    static func warned(_ key: UpstreamAnnotations.Key) -> Bool {
        carrying(key).contains { $0.rule == rule }
    }

    static let keys = UpstreamAnnotations.all.map { "\($0.kind.rawValue) \($0.key)" }

    static func key(_ name: String) -> UpstreamAnnotations.Key {
        UpstreamAnnotations.all.first { "\($0.kind.rawValue) \($0.key)" == name }!
    }

    @Test("each key is listed once, with a reader and a sample value")
    func listed() {
        #expect(Set(Self.keys).count == Self.keys.count)
        for key in UpstreamAnnotations.all {
            #expect(!key.reader.isEmpty && !key.upstream.isEmpty, "\(key.key)")
            #expect(key.acts(key.sample), "\(key.key): its sample is a value upstream acts on")
        }
    }

    @Test("a key isvc honours takes no warning; one it does not model is warned at its position", arguments: keys)
    func treatment(_ name: String) throws {
        let key = Self.key(name)
        let found = Self.carrying(key).filter { $0.rule == Self.rule }
        if key.warning == nil {
            #expect(found.isEmpty, "\(found.map(\.formatted))")
        } else {
            let warning = try #require(found.first, "\(name) is not warned")
            #expect(found.count == 1)
            #expect(warning.message.hasPrefix("\(key.kind.rawValue) \(key.key) is read by \(key.owner)"))
            #expect(warning.severity == .warning)
            // The value's position: the line under `annotations:` or `labels:`.
            #expect(warning.location?.line == 6, "\(warning.formatted)")
        }
    }

    static let componentKeys = UpstreamAnnotations.all.filter { $0.kind == .annotation }.map(\.key)

    @Test("in spec.<component>.annotations, a key is warned when upstream reads it there and isvc does not", arguments: componentKeys)
    func inComponent(_ name: String) throws {
        let key = Self.key("annotation \(name)")
        let found = Self.inPredictor(key).filter { $0.rule == Self.rule }
        if let reason = key.componentWarning {
            let warning = try #require(found.first, "\(name) is not warned in the predictor")
            #expect(found.count == 1)
            #expect(warning.message.hasSuffix(reason))
            #expect(warning.location?.line == 9, "\(warning.formatted)")
        } else {
            #expect(found.isEmpty, "\(found.map(\.formatted))")
        }
    }

    @Test(
        "a value upstream does not act on is not warned",
        arguments: [
            ("serving.kserve.io/disable-auto-update", "false"), ("sidecar.istio.io/inject", "false"),
            ("autoscaling.knative.dev/metric-aggregation-algorithm", "linear"),
        ])
    func inactive(_ key: String, _ value: String) throws {
        let entry = try #require(UpstreamAnnotations.all.first { $0.key == key && $0.kind == .annotation })
        #expect(!Self.carrying(entry, value: value).contains { $0.rule == Self.rule })
    }

    @Test("an annotation no controller reads passes through unwarned")
    func arbitrary() {
        let found = Self.diagnostics(metadata: "  annotations:\n    example.com/team: search\n  labels:\n    app: iris")
        #expect(found.isEmpty, "\(found.map(\.formatted))")
    }

    @Test("Knative's keys are not warned in Standard mode, where nothing reads them")
    func standardMode() {
        let found = Self.diagnostics(metadata: "  annotations:\n    autoscaling.knative.dev/scale-down-delay: 30s", mode: .standard)
        #expect(!found.contains { $0.rule == Self.rule }, "\(found.map(\.formatted))")
    }

    @Test("a component's annotations are warned for the keys read from its pods or revision, at their position")
    func componentAnnotations() throws {
        let found = Self.diagnostics(
            predictor: """
                    annotations:
                      autoscaling.knative.dev/scale-down-delay: 30s
                      serving.kserve.io/disable-auto-update: 'true'
                """
        ).filter { $0.rule == Self.rule }
        let warning = try #require(found.first)
        #expect(found.count == 1)
        #expect(warning.message.contains("autoscaling.knative.dev/scale-down-delay"))
        #expect(warning.location?.line == 9)
    }

    /// docs/annotations.md: each key with what upstream does and what isvc does, the "warned" column
    /// checked against what the compiler reports for the key.
    @Test("docs/annotations.md is what isvc does with each key upstream reads")
    func documentation() {
        var lines = [
            "# InferenceService annotations and labels",
            "",
            "Each annotation and label the upstream controllers read on an InferenceService (v1beta1, Knative and",
            "Standard mode; sources in `Sources/ISVCCore/Spec/UpstreamAnnotations.swift`) and what `isvc` does with it:",
            "**honoured** (it changes the output as upstream does, or cannot change it: the reason says why), or",
            "**warned** (`isvc.annotation-not-read`: isvc does not model it yet, and says so at the key). \"Also in a",
            "component\": upstream reads the key from the component's merged metadata (its workloads, the pods KServe's",
            "pod webhook mutates, the revision template Knative reads), so `spec.<component>.annotations` reach it",
            "and are checked too. Keys no controller reads pass through unwarned, as KServe passes them. Written by",
            "`UpstreamAnnotationsTests` (`UPDATE_GOLDEN=1 swift test`).",
            "",
            "KServe's internal keys (`internal.serving.kserve.io/*`, written by its controller for its pod webhook)",
            "and Knative's own (`serving.knative.dev/creator`, `lastModifier`, `routes`, `lastPinned`...) are not",
            "listed. Knative's `networking.knative.dev/*` annotations are read on the Route, which KServe does not",
            "copy an InferenceService's annotations to; on the revision template Knative rejects all but the Route's",
            "own (`knative.annotation`).",
        ]
        let sections: [(String, [UpstreamAnnotations.Key])] = [
            ("KServe and Istio", UpstreamAnnotations.kserve), ("Knative (Knative mode)", UpstreamAnnotations.knative),
            ("Not read on an InferenceService", UpstreamAnnotations.notApplicable),
        ]
        for (title, keys) in sections {
            lines += ["", "## \(title)", "", "| key | kind | upstream | read in | isvc |", "| --- | --- | --- | --- | --- |"]
            for key in keys {
                #expect(Self.warned(key) == (key.warning != nil), "\(key.key)")
                let kind = key.component ? "\(key.kind.rawValue), also in a component" : key.kind.rawValue
                lines.append(
                    "| `\(key.key)` | \(kind) | \(Self.cell(key.upstream)) | `\(Self.cell(key.reader))` | \(Self.cell(Self.treatment(key))) |"
                )
            }
        }
        Golden.check(lines.joined(separator: "\n") + "\n", against: "docs/annotations.md")
    }

    static func treatment(_ key: UpstreamAnnotations.Key) -> String {
        var text: String
        switch key.isvc {
        case .honoured(let reason): text = "honoured: \(reason)"
        case .notModelled(let reason): text = "**warned**: \(reason)"
        case .notApplicable(let reason): text = "not applicable: \(reason)"
        }
        if let gap = key.componentGap { text += "; in `spec.<component>.annotations`: **warned**: \(gap)" }
        return text
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
