import Foundation

/// Applies the ConfigMaps a cluster would use to the built-in defaults. Values are checked as the
/// controllers parse them; a bad value is a positioned error and the default stays.
struct ConfigMapReader {
    let diagnostics: Diagnostics

    static let recognised: Set<String> = Set(UpstreamConfigKeys.knative.keys).union(["inferenceservice-config", "config-domain"])

    func apply(_ document: SourceDocument, to config: inout ClusterConfig) {
        let root = document.root
        let name = root["metadata"]?.located("name")?.value ?? ""
        guard let dataNode = root["data"], let pairs = dataNode.mapping else { return }
        var data: [(key: String, value: String, at: SourceLocation, keyAt: SourceLocation)] = []
        for p in pairs {
            guard let k = p.key.scalar?.text else { continue }
            guard let s = p.value.scalar, s.tag == .str else {
                diagnostics.report(
                    "\(name) data.\(k): ConfigMap data values must be strings (quote the value)",
                    at: p.value.location, rule: ConfigMapRule.valueType)
                continue
            }
            data.append((k, s.text, p.value.location, p.key.location))
        }
        switch name {
        case "inferenceservice-config":
            for entry in data { applyKServe(key: entry.key, json: entry.value, at: entry.at, to: &config) }
            reportMissingKeys(Set(data.map(\.key)), at: dataNode.location)
        case "config-domain":
            applyDomains(data.map { ($0.key, $0.value, $0.at) }, to: &config)
        default:
            for entry in data where !entry.key.hasPrefix("_") {
                applyKnative(name, key: entry.key, value: entry.value, at: entry.at, keyAt: entry.keyAt, to: &config)
            }
        }
    }

    /// A key of one of Knative's ConfigMaps: applied when isvc models it, else a warning that says
    /// whether Knative reads it at all (keys starting with `_`, such as `_example`, are documentation).
    func applyKnative(
        _ name: String, key: String, value: String, at: SourceLocation, keyAt: SourceLocation, to config: inout ClusterConfig
    ) {
        let upstream = UpstreamConfigKeys.knative[name] ?? []
        guard upstream.contains(key) else {
            var message = "\(name): unknown data key \"\(key)\"; Knative does not read it"
            if let guess = Suggestion.closest(to: key, in: upstream) { message += " (did you mean \"\(guess)\"?)" }
            return diagnostics.report(message, at: keyAt, rule: ConfigMapRule.unknownKey)
        }
        let applied: Bool
        switch name {
        case "config-autoscaler": applied = applyAutoscaler(key: key, value: value, at: at, to: &config.autoscaler)
        case "config-deployment": applied = applyDeployment(key: key, value: value, at: at, to: &config)
        case "config-defaults": applied = applyDefaults(key: key, value: value, at: at, to: &config)
        case "config-network": applied = applyNetwork(key: key, value: value, at: at, to: &config)
        case "config-features":
            config.knativeFeatures[key] = value.lowercased()
            applied = UpstreamConfigKeys.honouredFeatures.contains(key)
        default: applied = false
        }
        if !applied {
            diagnostics.report(
                "\(name) data.\(key) is not read by isvc yet: what it changes in Knative's objects is not shown",
                at: keyAt, rule: ConfigMapRule.notRead)
        }
    }

    // MARK: inferenceservice-config

    func applyKServe(key: String, json: String, at: SourceLocation, to config: inout ClusterConfig) {
        let known = UpstreamConfigKeys.kserve
        guard let object = parseJSON(json, what: "inferenceservice-config data.\(key)", at: at) else { return }
        let field = JSONFields(object: object, what: "inferenceservice-config data.\(key)", at: at, diagnostics: diagnostics)
        switch key {
        case "ingress":
            applyIngress(field, object, at: at, to: &config)
        case "deploy":
            field.string("defaultDeploymentMode") { mode in
                switch mode {
                case "Serverless", "Knative": config.defaultDeploymentMode = "Knative"
                case "RawDeployment", "Standard": config.defaultDeploymentMode = "Standard"
                case "ModelMesh": config.defaultDeploymentMode = "ModelMesh"
                default:
                    diagnostics.report(
                        "invalid deployment mode \"\(mode)\" in inferenceservice-config data.deploy: supported modes are Knative (Serverless), Standard (RawDeployment), ModelMesh",
                        at: at, rule: ConfigMapRule.deploy)
                }
            }
            field.notRead(["deploymentRolloutStrategy"])
            field.warnUnknown()
        case "storageInitializer":
            field.string("image") { config.storageInitializerImage = $0 }
            var res = config.storageInitializerResources
            field.string("cpuRequest") { res[path: ["requests", "cpu"]] = .string($0) }
            field.string("cpuLimit") { res[path: ["limits", "cpu"]] = .string($0) }
            field.string("memoryRequest") { res[path: ["requests", "memory"]] = .string($0) }
            field.string("memoryLimit") { res[path: ["limits", "memory"]] = .string($0) }
            config.storageInitializerResources = res
            field.string("caBundleConfigMapName") { config.caBundleConfigMapName = $0 }
            field.string("caBundleVolumeMountPath") { config.caBundleVolumeMountPath = $0 }
            field.notRead([
                "enableModelcar", "cpuModelcar", "memoryModelcar", "uidModelcar", "enableOciImageSource",
                "storageSpecSecretName", "enableDirectPvcVolumeMount",
            ])
            field.warnUnknown()
        case "inferenceService":
            if let resource = object["resource"] as? [String: Any] {
                var res = config.defaultResources
                for (k, path) in [
                    ("cpuLimit", ["limits", "cpu"]), ("memoryLimit", ["limits", "memory"]),
                    ("cpuRequest", ["requests", "cpu"]), ("memoryRequest", ["requests", "memory"]),
                ] {
                    if let v = resource[k] as? String { res[path: path] = .string(v) }
                }
                config.defaultResources = res
            }
            field.stringList("serviceAnnotationDisallowedList") { config.serviceAnnotationDisallowedList = $0 }
            field.stringList("serviceLabelDisallowedList") { config.serviceLabelDisallowedList = $0 }
            field.ignore(["resource"])
            field.warnUnknown()
        case "agent", "logger", "batcher":
            applyAgent(key, field, at: at, to: &config)
        case "router":
            applyRouter(field, at: at, to: &config)
        case "security":
            field.bool("autoMountServiceAccountToken") { config.autoMountServiceAccountToken = $0 }
            field.warnUnknown()
        case "metricsAggregator":
            field.string("enableMetricAggregation") { config.enableMetricAggregation = $0 }
            field.string("enablePrometheusScraping") { config.enablePrometheusScraping = $0 }
            field.warnUnknown()
        case "_example":
            break
        default:
            if known.contains(key) {
                // A key KServe reads that changes what isvc would emit, which isvc does not model yet.
                diagnostics.report(
                    "inferenceservice-config data.\(key) is not read by isvc yet: what it changes in KServe's objects is not shown",
                    at: at, rule: ConfigMapRule.notRead)
            } else {
                var message = "inferenceservice-config: unknown data key \"\(key)\""
                if let guess = Suggestion.closest(to: key, in: known) { message += " (did you mean \"\(guess)\"?)" }
                diagnostics.report(message, at: at, rule: ConfigMapRule.unknownKey)
            }
        }
    }

    func parseJSON(_ text: String, what: String, at: SourceLocation) -> [String: Any]? {
        let bytes = Array(text.utf8)
        if let error = GoJSONScanner.firstError(bytes) {
            let (line, column) = error.position(in: bytes)
            diagnostics.report(
                "\(what): invalid JSON: \(error.message) (line \(line), column \(column) of the value)",
                at: at, rule: ConfigMapRule.json)
            return nil
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? [String: Any]
            else {
                diagnostics.report("\(what): expected a JSON object", at: at, rule: ConfigMapRule.json)
                return nil
            }
            return object
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error.localizedDescription)"
            diagnostics.report("\(what): invalid JSON: \(reason)", at: at, rule: ConfigMapRule.json)
            return nil
        }
    }

    // MARK: Knative

    func applyDomains(_ entries: [(String, String, SourceLocation)], to config: inout ClusterConfig) {
        var domains: [(domain: String, selector: [String: String])] = []
        for (key, value, at) in entries where !key.hasPrefix("_") {
            var selector: [String: String] = [:]
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty {
                let inner = Diagnostics()
                let docs = YAMLReader.read(text: trimmed, file: at.file, diagnostics: inner)
                if inner.hasErrors || docs.first?.root["selector"]?.mapping == nil {
                    diagnostics.report(
                        "config-domain data.\(key): expected an empty value or \"selector:\" with labels",
                        at: at, rule: ConfigMapRule.domain)
                    continue
                }
                selector = docs[0].root.stringMap("selector")
            }
            domains.append((key, selector))
        }
        // Knative: without a selector-less entry the default domain is the cluster domain.
        if !domains.contains(where: { $0.selector.isEmpty }) {
            domains.append(("svc.cluster.local", [:]))
        }
        config.domains = domains
    }

    @discardableResult
    func applyAutoscaler(key: String, value: String, at: SourceLocation, to a: inout AutoscalerConfig) -> Bool {
        func number(_ set: (Double) -> Void) {
            guard let v = Double(value) else {
                return diagnostics.report(
                    "config-autoscaler data.\(key): \"\(value)\" is not a number", at: at, rule: ConfigMapRule.autoscaler)
            }
            set(v)
        }
        func integer(_ set: (Int) -> Void) {
            guard let v = Int(value) else {
                return diagnostics.report(
                    "config-autoscaler data.\(key): \"\(value)\" is not an integer", at: at, rule: ConfigMapRule.autoscaler)
            }
            // Knative reads these with cm.AsInt32.
            guard Int32(exactly: v) != nil else {
                return diagnostics.report(
                    "config-autoscaler data.\(key): \(value) is out of range: Knative reads it as an int32 (at most 2147483647)",
                    at: at, rule: ConfigMapRule.autoscaler)
            }
            set(v)
        }
        /// A Go duration with Knative's bounds for the key (`validate` in `pkg/autoscaler/config/config.go`).
        func duration(_ set: (Int) -> Void) {
            let n: Int64
            switch Durations.parse(value) {
            case .nanoseconds(let v): n = v
            case .invalid:
                return diagnostics.report(
                    "config-autoscaler data.\(key): \"\(value)\" is not a duration such as 60s or 1m",
                    at: at, rule: ConfigMapRule.autoscaler)
            case .tooLong:
                return diagnostics.report(
                    "config-autoscaler data.\(key): \"\(value)\" is longer than the \(Durations.maxGoDuration) a Go time.Duration holds",
                    at: at, rule: ConfigMapRule.autoscaler)
            }
            if let problem = Self.autoscalerDurationProblem(key: key, value: value, nanoseconds: n) {
                return diagnostics.report("config-autoscaler data.\(key): \(problem)", at: at, rule: ConfigMapRule.autoscaler)
            }
            set(Int(n / 1_000_000_000))
        }
        func boolean(_ set: (Bool) -> Void) {
            guard let v = Bool(value.lowercased()) else {
                return diagnostics.report(
                    "config-autoscaler data.\(key): \"\(value)\" is not true or false", at: at, rule: ConfigMapRule.autoscaler)
            }
            set(v)
        }
        switch key {
        case "initial-scale": integer { a.initialScale = $0 }
        case "allow-zero-initial-scale": boolean { a.allowZeroInitialScale = $0 }
        case "enable-scale-to-zero": boolean { a.enableScaleToZero = $0 }
        case "container-concurrency-target-percentage":
            number { a.containerConcurrencyTargetPercentage = $0 <= 1 ? $0 * 100 : $0 }
        case "container-concurrency-target-default": number { a.containerConcurrencyTargetDefault = $0 }
        case "requests-per-second-target-default": number { a.requestsPerSecondTargetDefault = $0 }
        case "target-burst-capacity": number { a.targetBurstCapacity = $0 }
        case "stable-window": duration { a.stableWindowSeconds = $0 }
        case "panic-window-percentage":
            number { v in
                // Knative's range check; NaN passes its comparisons, but no panic window comes of it.
                guard v >= 1, v <= 100 else {
                    return diagnostics.report(
                        "config-autoscaler data.panic-window-percentage: panic-window-percentage = \(value), must be in [1, 100] interval",
                        at: at, rule: ConfigMapRule.autoscaler)
                }
                a.panicWindowPercentage = v
            }
        case "panic-threshold-percentage": number { a.panicThresholdPercentage = $0 }
        case "max-scale-up-rate": number { a.maxScaleUpRate = $0 }
        case "max-scale-down-rate": number { a.maxScaleDownRate = $0 }
        case "scale-to-zero-grace-period": duration { a.scaleToZeroGracePeriodSeconds = $0 }
        case "scale-to-zero-pod-retention-period": duration { a.scaleToZeroPodRetentionPeriodSeconds = $0 }
        case "min-scale": integer { a.minScale = $0 }
        case "max-scale": integer { a.maxScale = $0 }
        case "pod-autoscaler-class": a.podAutoscalerClass = value
        default: return false
        }
        return true
    }

    /// Knative's bounds on a config-autoscaler duration (`validate` in `pkg/autoscaler/config/config.go`),
    /// in Knative's words; nil when the value is within them.
    static func autoscalerDurationProblem(key: String, value: String, nanoseconds n: Int64) -> String? {
        let second: Int64 = 1_000_000_000
        switch key {
        case "stable-window":
            if n < 6 * second || n > 3600 * second { return "stable-window = \(value), must be in [6s; 1h0m0s] range" }
            if n % second != 0 { return "stable-window = \(value), must be specified with at most second precision" }
        case "scale-to-zero-grace-period":
            if n <= 0 { return "scale-to-zero-grace-period must be positive, was: \(value)" }
        case "scale-to-zero-pod-retention-period":
            if n < 0 { return "scale-to-zero-pod-retention-period cannot be negative, was: \(value)" }
        default: break
        }
        return nil
    }

    /// Knative's older camelCase spellings of config-deployment keys, read like the kebab-case ones.
    static let legacyDeploymentKeys = [
        "progressDeadline": "progress-deadline", "queueSidecarCPURequest": "queue-sidecar-cpu-request",
        "queueSidecarCPULimit": "queue-sidecar-cpu-limit", "queueSidecarMemoryRequest": "queue-sidecar-memory-request",
        "queueSidecarMemoryLimit": "queue-sidecar-memory-limit",
    ]

    func applyDeployment(key: String, value: String, at: SourceLocation, to config: inout ClusterConfig) -> Bool {
        let key = Self.legacyDeploymentKeys[key] ?? key
        switch key {
        case "queue-sidecar-image", "queueSidecarImage":
            config.queueSidecarImage = value
        case "progress-deadline":
            // Knative: a positive Go duration in whole seconds; the Deployment holds it in an int32.
            let second: Int64 = 1_000_000_000
            switch Durations.parse(value) {
            case .invalid:
                diagnostics.report(
                    "config-deployment data.progress-deadline: \"\(value)\" is not a duration", at: at, rule: ConfigMapRule.deployment)
            case .tooLong:
                diagnostics.report(
                    "config-deployment data.progress-deadline: \"\(value)\" is longer than the \(Durations.maxGoDuration) a Go time.Duration holds",
                    at: at, rule: ConfigMapRule.deployment)
            case .nanoseconds(let n) where n <= 0:
                diagnostics.report(
                    "config-deployment data.progress-deadline: progress-deadline cannot be a non-positive duration, was \(value)",
                    at: at, rule: ConfigMapRule.deployment)
            case .nanoseconds(let n) where n % second != 0:
                diagnostics.report(
                    "config-deployment data.progress-deadline: progress-deadline must be rounded to a whole second, was: \(value)",
                    at: at, rule: ConfigMapRule.deployment)
            case .nanoseconds(let n) where n / second > Int64(Int32.max):
                diagnostics.report(
                    "config-deployment data.progress-deadline: \"\(value)\" is longer than 596523h14m7s: Knative copies it to each Deployment's progressDeadlineSeconds, which Kubernetes holds in an int32 (at most 2147483647)",
                    at: at, rule: ConfigMapRule.deployment)
            case .nanoseconds(let n):
                config.progressDeadlineSeconds = Int(n / second)
            }
        case "queue-sidecar-cpu-request": config.queueSidecarResources[path: ["requests", "cpu"]] = .string(value)
        case "queue-sidecar-cpu-limit": config.queueSidecarResources[path: ["limits", "cpu"]] = .string(value)
        case "queue-sidecar-memory-request": config.queueSidecarResources[path: ["requests", "memory"]] = .string(value)
        case "queue-sidecar-memory-limit": config.queueSidecarResources[path: ["limits", "memory"]] = .string(value)
        default: return false
        }
        return true
    }

    func applyDefaults(key: String, value: String, at: SourceLocation, to config: inout ClusterConfig) -> Bool {
        switch key {
        case "revision-timeout-seconds": if let v = Int(value) { config.revisionTimeoutSeconds = v }
        case "max-revision-timeout-seconds": if let v = Int(value) { config.maxRevisionTimeoutSeconds = v }
        case "container-concurrency-max-limit": if let v = Int(value) { config.containerConcurrencyMaxLimit = v }
        default: return false
        }
        return true
    }
}
