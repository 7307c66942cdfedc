/// The API server's defaults for a Deployment as it stores one (`pkg/apis/apps/v1/defaults.go`,
/// `pkg/apis/core/v1/defaults.go`): the rollout fields, the pod template's scheduling fields, each
/// container's termination message, pull policy and probe timings, volume modes, and quantities in
/// canonical form.
enum KubernetesDefaults {
    static func deployment(_ body: Value) -> Value {
        var d = body
        var spec = d["spec"] ?? [:]
        if spec["replicas"] == nil { spec["replicas"] = 1 }
        var strategy = spec["strategy"] ?? [:]
        if strategy["type"] == nil { strategy["type"] = "RollingUpdate" }
        if strategy["type"]?.string == "RollingUpdate" {
            var update = strategy["rollingUpdate"] ?? [:]
            if update["maxUnavailable"] == nil { update["maxUnavailable"] = "25%" }
            if update["maxSurge"] == nil { update["maxSurge"] = "25%" }
            strategy["rollingUpdate"] = update
        }
        spec["strategy"] = strategy
        if spec["revisionHistoryLimit"] == nil { spec["revisionHistoryLimit"] = 10 }
        if spec["progressDeadlineSeconds"] == nil { spec["progressDeadlineSeconds"] = 600 }
        if let pod = spec[path: ["template", "spec"]]?.object {
            spec[path: ["template", "spec"]] = .object(Quantities.normalizingContainers(podSpec(pod)))
        }
        d["spec"] = spec
        return d
    }

    static func podSpec(_ pod: [String: Value]) -> [String: Value] {
        var p = pod
        for key in ["containers", "initContainers"] {
            guard let list = p[key]?.array else { continue }
            p[key] = .array(list.map(container))
        }
        for (k, v) in [
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
            "securityContext": [:], "schedulerName": "default-scheduler",
        ] as [String: Value] where p[k] == nil {
            p[k] = v
        }
        if let volumes = p["volumes"]?.array { p["volumes"] = .array(volumes.map(volume)) }
        // The v1 conversion writes the deprecated `serviceAccount` beside `serviceAccountName`.
        if let account = p["serviceAccountName"], p["serviceAccount"] == nil { p["serviceAccount"] = account }
        return p
    }

    static func container(_ c: Value) -> Value {
        guard case .object(var ct) = c else { return c }
        if ct["terminationMessagePath"] == nil { ct["terminationMessagePath"] = "/dev/termination-log" }
        if ct["terminationMessagePolicy"] == nil { ct["terminationMessagePolicy"] = "File" }
        if ct["imagePullPolicy"] == nil { ct["imagePullPolicy"] = .string(pullPolicy(ct["image"]?.string ?? "")) }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            if let p = ct[probe], case .object = p { ct[probe] = self.probe(p) }
        }
        if let ports = ct["ports"]?.array {
            ct["ports"] = .array(
                ports.map { port in
                    var q = port
                    if q["protocol"] == nil { q["protocol"] = "TCP" }
                    return q
                })
        }
        return .object(ct)
    }

    /// `SetDefaults_Container`: Always for an untagged image or tag `latest`, else IfNotPresent.
    static func pullPolicy(_ image: String) -> String {
        let name = image.split(separator: "@").first.map(String.init) ?? image
        let last = name.split(separator: "/").last.map(String.init) ?? name
        guard let colon = last.lastIndex(of: ":") else { return "Always" }
        return last[last.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    static func probe(_ p: Value) -> Value {
        var q = p
        for (key, value) in [("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)]
        where q[key] == nil {
            q[key] = .int(value)
        }
        if var get = q["httpGet"], case .object = get {
            if get["scheme"] == nil { get["scheme"] = "HTTP" }
            q["httpGet"] = get
        }
        return q
    }

    static func volume(_ v: Value) -> Value {
        var w = v
        for source in ["secret", "configMap", "downwardAPI", "projected"] {
            if var s = w[source], case .object = s, s["defaultMode"] == nil {
                s["defaultMode"] = 420
                w[source] = s
            }
        }
        return w
    }
}
