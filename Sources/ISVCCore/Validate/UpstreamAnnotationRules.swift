/// The annotations and labels an upstream controller reads on an InferenceService that isvc does not
/// model (`UpstreamAnnotations`), each warned at its position: in `metadata`, and in
/// `spec.<component>.annotations` for the keys read from the pods or revisions KServe builds from the
/// component's merged metadata. Keys no controller reads pass through unwarned, as upstream passes them.
struct UpstreamAnnotationRules {
    let diagnostics: Diagnostics
    let mode: DeploymentMode

    func check(_ isvc: InferenceService) {
        let meta = isvc.meta
        check(meta.annotations, kind: .annotation, inComponent: false) { meta.annotationLocations[$0] ?? meta.location }
        check(meta.labels, kind: .label, inComponent: false) { meta.labelLocations[$0] ?? meta.location }
        let components =
            [isvc.predictor.ext] + [isvc.transformer?.ext, isvc.explainer?.ext].compactMap { $0 }
            + isvc.canaries.map(\.predictor.ext)
        for ext in components {
            check(ext.annotations, kind: .annotation, inComponent: true) { ext.annotationLocations[$0] ?? isvc.location }
        }
    }

    func check(
        _ values: [String: String], kind: UpstreamAnnotations.Kind, inComponent: Bool, at location: (String) -> SourceLocation
    ) {
        guard !values.isEmpty else { return }
        for key in UpstreamAnnotations.notModelled where key.kind == kind && key.modes.contains(mode) {
            guard let reason = inComponent ? key.componentWarning : key.warning, let value = values[key.key], key.acts(value) else {
                continue
            }
            diagnostics.report(
                "\(kind.rawValue) \(key.key) is read by \(key.owner) but not by isvc yet: \(reason)",
                at: location(key.key), rule: ISVCRule.annotationNotRead)
        }
    }
}

extension UpstreamAnnotations.Key {
    /// The project whose controller reads the key.
    var owner: String {
        if reader.hasPrefix("knative") { return "Knative" }
        if reader.hasPrefix("istio") { return "Istio" }
        return "KServe"
    }
}
