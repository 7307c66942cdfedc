/// What Knative's admission webhook adds to a Knative Service's revision template when it is stored
/// (`RevisionSpec.SetDefaults`): these fields appear in the ksvc, Configuration and Revision.
enum KnativeDefaults {
    static func revisionSpec(_ c: ResolvedComponent, config: ClusterConfig, annotations: [String: String]) -> [String: Value] {
        var spec = c.podSpec
        StorageInitializer(config: config).injectMultiple(
            c.storageUris, into: &spec,
            readOnly: annotations[Keys.storageReadonly] != "false")
        spec["timeoutSeconds"] = .int(
            c.ext.timeout.map { $0.value == 0 ? config.revisionTimeoutSeconds : $0.value }
                ?? config.revisionTimeoutSeconds)
        if let t = c.ext.timeout, t.value != 0 { spec["responseStartTimeoutSeconds"] = .int(t.value) }
        spec["containerConcurrency"] = .int(c.ext.containerConcurrency?.value ?? 0)
        applyPodDefaults(&spec)
        return spec
    }

    /// The webhook's defaults on the pod spec and its containers (names, resources, the serving
    /// container's readiness probe), for any Knative Service's template.
    static func applyPodDefaults(_ spec: inout [String: Value]) {
        if spec["containerConcurrency"] == nil { spec["containerConcurrency"] = 0 }
        if spec["enableServiceLinks"] == nil { spec["enableServiceLinks"] = false }
        // false booleans are omitted when Kubernetes serializes a PodSpec.
        for flag in ["hostIPC", "hostNetwork", "hostPID"] where spec[flag] == .bool(false) { spec[flag] = nil }
        var containers = spec["containers"]?.array ?? []
        let serving = servingContainerIndex(containers)
        for i in containers.indices {
            guard case .object(var ct) = containers[i] else { continue }
            if ct["name"]?.string?.isEmpty ?? true {
                ct["name"] = .string(containers.count == 1 ? "user-container" : "user-container-\(i)")
            }
            if ct["resources"] == nil { ct["resources"] = .object([:]) }
            if i == serving, ct["readinessProbe"] == nil {
                ct["readinessProbe"] = ["successThreshold": 1, "tcpSocket": ["port": 0]]
            }
            containers[i] = .object(ct)
        }
        spec["containers"] = .array(containers)
    }

    /// The serving container: the only one, or the one that declares ports.
    static func servingContainerIndex(_ containers: [Value]) -> Int {
        if containers.count == 1 { return 0 }
        return containers.firstIndex { !($0["ports"]?.array?.isEmpty ?? true) } ?? 0
    }

    /// The user port: the serving container's first containerPort, else 8080.
    static func userPort(_ containers: [Value]) -> Int {
        let i = servingContainerIndex(containers)
        guard containers.indices.contains(i) else { return 8080 }
        return containers[i]["ports"]?.array?.first?["containerPort"]?.int ?? 8080
    }

    /// True when the serving container's first port is named h2c (HTTP/2 revisions).
    static func isH2C(_ containers: [Value]) -> Bool {
        let i = servingContainerIndex(containers)
        guard containers.indices.contains(i) else { return false }
        return containers[i]["ports"]?.array?.first?["name"]?.string == "h2c"
    }
}
