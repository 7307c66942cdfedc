/// A partial inferenceservice-config: KServe reads every key from the one ConfigMap in the cluster,
/// so a key missing there is not "the default" but an empty JSON object, which its readers treat as
/// below (`configmap.go`, the pod webhook's `mutator.go`, the InferenceGraph controller). isvc keeps
/// the quick-start value of each missing key, so that a ConfigMap written to override one key works;
/// one warning says which keys are missing, what a cluster would do, and what isvc keeps.
extension ConfigMapReader {
    static let missingKeyEffects: [(key: String, upstream: String, kept: String)] = [
        (
            "storageInitializer", "the pod webhook fails every InferenceService pod (its resource quantities are empty)",
            "KServe's storage initializer image and resources"
        ),
        (
            "agent", "the pod webhook fails every InferenceService pod (the agent's resource quantities are empty)",
            "the agent image and resources"
        ),
        ("logger", "the pod webhook fails every InferenceService pod (the logger's resource quantities are empty)", "the logger defaults"),
        (
            "batcher", "the pod webhook fails every InferenceService pod (the batcher's resource quantities are empty)",
            "the batcher defaults"
        ),
        ("ingress", "the controller reads no gateways, domain or URL scheme", "knative-serving's gateways, example.com and http"),
        ("deploy", "the default deployment mode is empty, which the controller runs as Knative", "Knative"),
        ("inferenceService", "model containers get no default resources", "KServe's default requests and limits"),
        (
            "security", "autoMountServiceAccountToken is false, so each component without its own gets automountServiceAccountToken: false",
            "true"
        ),
        (
            "router", "the InferenceGraph controller fails every InferenceGraph (the router's resource quantities are empty)",
            "the router image and resources"
        ),
    ]

    func reportMissingKeys(_ present: Set<String>, at: SourceLocation) {
        let missing = Self.missingKeyEffects.filter { !present.contains($0.key) }
        guard !missing.isEmpty else { return }
        diagnostics.report(
            "inferenceservice-config has no \(missing.map(\.key).joined(separator: ", ")): a cluster reads only this ConfigMap, "
                + "so it would run without them; isvc keeps its quick-start values",
            at: at, rule: ConfigMapRule.missingKey,
            notes: missing.map { Note("\($0.key): in a cluster \($0.upstream); isvc keeps \($0.kept)", at: at) })
    }
}
