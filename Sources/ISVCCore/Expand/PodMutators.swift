/// Two of KServe's pod webhook mutators (`pkg/webhook/admission/pod/mutator.go` runs, in order, the
/// GKE accelerator selector, the storage initializer, its Istio CNI security context, the agent and the
/// metrics aggregator). In a cluster they mutate the Pods; isvc shows them in the pod template.
enum PodMutators {
    /// `InjectGKEAcceleratorSelector`: when a container (the init containers aside) has an
    /// `nvidia.com/gpu` limit, the `serving.kserve.io/gke-accelerator` annotation's value becomes the
    /// nodeSelector `cloud.google.com/gke-accelerator`, over any value already there.
    static func gkeAccelerator(_ spec: inout [String: Value], annotations: [String: String]) {
        guard let accelerator = annotations[Keys.gkeAccelerator] else { return }
        let gpu = (spec["containers"]?.array ?? []).contains { $0[path: ["resources", "limits", "nvidia.com/gpu"]] != nil }
        guard gpu else { return }
        var selector = spec["nodeSelector"]?.object ?? [:]
        selector["cloud.google.com/gke-accelerator"] = .string(accelerator)
        spec["nodeSelector"] = .object(selector)
    }

    /// `SetIstioCniSecurityContext`, its override: `serving.kserve.io/storage-initializer-uid`, when it
    /// parses as a base-10 int64 (`strconv.ParseInt`), is the storage-initializer's runAsUser. (Without
    /// it KServe looks for Istio's sidecar, which isvc does not show, so it changes nothing here.)
    static func storageInitializerUID(_ spec: inout [String: Value], annotations: [String: String]) {
        guard let text = annotations[Keys.storageInitializerUID], let uid = Int64(text),
            var initContainers = spec["initContainers"]?.array,
            let i = initContainers.lastIndex(where: { $0["name"]?.string == "storage-initializer" })
        else { return }
        var context = initContainers[i]["securityContext"]?.object ?? [:]
        context["runAsUser"] = .int(Int(uid))
        initContainers[i]["securityContext"] = .object(context)
        spec["initContainers"] = .array(initContainers)
    }
}
