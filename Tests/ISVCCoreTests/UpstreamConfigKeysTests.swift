import Testing

@testable import ISVCCore

/// Every ConfigMap key the upstream controllers read is either applied or warned about
/// (`configmap.not-read`), and a key nobody reads is `configmap.unknown-key`: nothing is passed over.
@Suite("ConfigMap keys against upstream")
struct UpstreamConfigKeysTests {
    static func diagnostics(_ configMap: String, _ key: String, _ value: String) -> [Diagnostic] {
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(configMap)
              namespace: knative-serving
            data:
              \(key): '\(value)'
            """
        let d = Diagnostics()
        _ = InputLoader.load([.init(path: "cm.yaml", text: yaml)], defaultNamespace: "default", diagnostics: d)
        return d.all
    }

    static let knativeKeys: [(String, String)] = UpstreamConfigKeys.knative.keys.sorted().flatMap { name in
        UpstreamConfigKeys.knative[name]!.sorted().map { (name, $0) }
    }

    @Test("a key Knative reads is applied or warned as not read, never unknown", arguments: knativeKeys)
    func knative(_ configMap: String, _ key: String) {
        let found = Self.diagnostics(configMap, key, "1")
        #expect(!found.contains { $0.rule == ConfigMapRule.unknownKey.id }, "\(found.map(\.formatted))")
        let notRead = found.filter { $0.rule == ConfigMapRule.notRead.id }
        #expect(notRead.count <= 1)
        if let warning = notRead.first { #expect(warning.message.contains("data.\(key) ")) }
    }

    @Test("a key Knative does not read is unknown, with the closest key it reads")
    func unknownKnative() {
        let found = Self.diagnostics("config-autoscaler", "stable-windows", "60s")
        #expect(found.map(\.rule) == [ConfigMapRule.unknownKey.id])
        #expect(found.first?.message.contains("did you mean \"stable-window\"?") == true)
        #expect(Self.diagnostics("config-network", "_example", "docs").isEmpty)
    }

    @Test(
        "the keys isvc applies take no warning; those it does not model are said",
        arguments: [
            ("config-autoscaler", "stable-window", "60s", false), ("config-deployment", "progressDeadline", "120s", false),
            ("config-defaults", "revision-timeout-seconds", "600", false),
            ("config-features", "kubernetes.podspec-init-containers", "enabled", false),
            ("config-features", "kubernetes.podspec-affinity", "enabled", true),
            ("config-network", "domain-template", "{{.Name}}.{{.Namespace}}.{{.Domain}}", false),
            ("config-network", "tag-template", "{{.Name}}-{{.Tag}}", false), ("config-network", "http-protocol", "Redirected", true),
            ("config-gc", "max-non-active-revisions", "5", true),
        ])
    func applied(_ configMap: String, _ key: String, _ value: String, _ warned: Bool) {
        let found = Self.diagnostics(configMap, key, value)
        #expect(found.contains { $0.rule == ConfigMapRule.notRead.id } == warned, "\(found.map(\.formatted))")
        #expect(found.allSatisfy { $0.rule == ConfigMapRule.notRead.id }, "\(found.map(\.formatted))")
    }

    @Test("inferenceservice-config: each key KServe reads is known; others are unknown", arguments: UpstreamConfigKeys.kserve.sorted())
    func kserve(_ key: String) {
        let found = Self.diagnostics("inferenceservice-config", key, "{}")
        #expect(!found.contains { $0.rule == ConfigMapRule.unknownKey.id }, "\(found.map(\.formatted))")
    }

    @Test("inferenceservice-config keys KServe does not read are unknown")
    func unknownKServe() {
        for key in ["multiclusterConfig", "modelcar", "inferenceServiceHost"] {
            let rules = Self.diagnostics("inferenceservice-config", key, "{}").map(\.rule).filter { $0 != ConfigMapRule.missingKey.id }
            #expect(rules == [ConfigMapRule.unknownKey.id], "\(key)")
        }
    }

    /// docs/configmap-keys.md: each key the upstream controllers read and what isvc does with it, from
    /// what the reader does with a sample value (a warning says "not modelled").
    @Test("docs/configmap-keys.md is what isvc does with each key upstream reads")
    func documentation() {
        var lines = [
            "# ConfigMap keys",
            "",
            "Each data key the upstream controllers read (sources in `Sources/ISVCCore/Spec/UpstreamConfigKeys.swift`)",
            "and what `isvc` does with it: **applied** (it changes the output as upstream does), or **warned**",
            "(`configmap.not-read`: isvc does not model it yet, and says so at the key). A key upstream does not",
            "read is `configmap.unknown-key`. Written by `UpstreamConfigKeysTests` (`UPDATE_GOLDEN=1 swift test`).",
            "",
        ]
        lines += ["## inferenceservice-config", "", "| key | isvc |", "| --- | --- |"]
        for key in UpstreamConfigKeys.kserve.sorted() {
            let warned = Self.diagnostics("inferenceservice-config", key, "{}").contains { $0.rule == ConfigMapRule.notRead.id }
            lines.append("| `\(key)` | \(warned ? "warned" : "applied (its fields: unknown ones are warned)") |")
        }
        for name in UpstreamConfigKeys.knative.keys.sorted() {
            lines += ["", "## \(name)", "", "| key | isvc |", "| --- | --- |"]
            for key in UpstreamConfigKeys.knative[name]!.sorted() {
                let warned = Self.diagnostics(name, key, "1").contains { $0.rule == ConfigMapRule.notRead.id }
                lines.append("| `\(key)` | \(warned ? "warned" : "applied") |")
            }
        }
        lines += ["", "## config-domain", "", "Every key is a domain; all are applied (`_example` is skipped, as Knative skips it)."]
        Golden.check(lines.joined(separator: "\n") + "\n", against: "docs/configmap-keys.md")
    }
}
