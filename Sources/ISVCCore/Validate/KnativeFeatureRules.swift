/// Knative's PodSpec feature gates (`config-features`, `pkg/apis/serving/k8s_validation.go`): init
/// containers and PersistentVolumeClaim volumes in a Knative Service are rejected unless the cluster
/// enables them. KServe puts them there for `storageUris` (and a user may write them in a component).
struct KnativeFeatureRules {
    let diagnostics: Diagnostics
    let features: [String: String]

    func enabled(_ flag: String) -> Bool {
        let v = features[flag] ?? "disabled"
        return v == "enabled" || v == "allowed"
    }

    func check(_ c: ResolvedComponent) {
        let pvcURIs = c.storageUris.filter { $0.uri.value.hasPrefix("pvc://") }
        let downloads = c.storageUris.count - pvcURIs.count
        let userInit = !(c.podSpec["initContainers"]?.array?.isEmpty ?? true)
        let at = c.storageUris.first?.uri.location ?? c.location
        if (downloads > 0 || userInit) && !enabled("kubernetes.podspec-init-containers") {
            diagnostics.report(
                "Knative rejects the \(c.kind.rawValue)'s Knative Service: it has an init container\(downloads > 0 ? " (KServe's storage-initializer for storageUris)" : ""), and init containers are disabled; set kubernetes.podspec-init-containers: enabled in Knative's config-features ConfigMap (and pass it to isvc)",
                at: at, rule: KnativeRule.feature)
        }
        let userPVC = c.podSpec["volumes"]?.array?.contains { $0["persistentVolumeClaim"] != nil } ?? false
        if (!pvcURIs.isEmpty || userPVC) && !enabled("kubernetes.podspec-persistent-volume-claim") {
            diagnostics.report(
                "Knative rejects the \(c.kind.rawValue)'s Knative Service: it mounts a PersistentVolumeClaim, and PVC volumes are disabled; set kubernetes.podspec-persistent-volume-claim: enabled in Knative's config-features ConfigMap",
                at: pvcURIs.first?.uri.location ?? at, rule: KnativeRule.feature)
        }
    }
}
