import Foundation

/// Applies the ConfigMaps a cluster would use to the built-in defaults. Values are checked as the
/// controllers parse them; a bad value is a positioned error and the default stays.
struct ConfigMapReader {
    let diagnostics: Diagnostics

    static let recognised: Set<String> = ["inferenceservice-config", "config-domain", "config-autoscaler",
                                          "config-deployment", "config-defaults", "config-features"]

    func apply(_ document: SourceDocument, to config: inout ClusterConfig) {
        let root = document.root
        let name = root["metadata"]?.located("name")?.value ?? ""
        guard let dataNode = root["data"], let pairs = dataNode.mapping else { return }
        var data: [(key: String, value: String, at: SourceLocation, keyAt: SourceLocation)] = []
        for p in pairs {
            guard let k = p.key.scalar?.text else { continue }
            guard let s = p.value.scalar, s.tag == .str else {
                diagnostics.error("\(name) data.\(k): ConfigMap data values must be strings (quote the value)",
                                  at: p.value.location, rule: "configmap.type")
                continue
            }
            data.append((k, s.text, p.value.location, p.key.location))
        }
        switch name {
        case "inferenceservice-config":
            for entry in data { applyKServe(key: entry.key, json: entry.value, at: entry.at, to: &config) }
        case "config-domain":
            applyDomains(data.map { ($0.key, $0.value, $0.at) }, to: &config)
        case "config-autoscaler":
            for entry in data { applyAutoscaler(key: entry.key, value: entry.value, at: entry.at, to: &config.autoscaler) }
        case "config-deployment":
            for entry in data { applyDeployment(key: entry.key, value: entry.value, at: entry.at, to: &config) }
        case "config-defaults":
            for entry in data { applyDefaults(key: entry.key, value: entry.value, at: entry.at, to: &config) }
        case "config-features":
            for entry in data where !entry.key.hasPrefix("_") {
                config.knativeFeatures[entry.key] = entry.value.lowercased()
            }
        default:
            break
        }
    }

    // MARK: inferenceservice-config

    func applyKServe(key: String, json: String, at: SourceLocation, to config: inout ClusterConfig) {
        let known = ["ingress", "deploy", "storageInitializer", "inferenceService", "agent", "logger", "batcher",
                     "router", "explainers", "credentials", "security", "metricsAggregator", "localModel",
                     "autoscaler", "service", "multiclusterConfig", "opentelemetryCollector", "otelCollector",
                     "_example", "modelcar", "inferenceServiceHost"]
        guard let object = parseJSON(json, what: "inferenceservice-config data.\(key)", at: at) else { return }
        let field = JSONFields(object: object, what: "inferenceservice-config data.\(key)", at: at, diagnostics: diagnostics)
        switch key {
        case "ingress":
            field.string("ingressGateway") { config.ingressGateway = $0 }
            field.string("kserveIngressGateway") { config.kserveIngressGateway = $0 }
            field.string("localGateway") { config.localGateway = $0 }
            field.string("localGatewayService") { config.localGatewayService = $0 }
            field.string("knativeLocalGatewayService") { config.knativeLocalGatewayService = $0.isEmpty ? nil : $0 }
            field.string("ingressDomain") { config.ingressDomain = $0 }
            field.string("ingressClassName") { config.ingressClassName = $0 }
            field.string("domainTemplate") { config.domainTemplate = $0 }
            field.string("urlScheme") { config.urlScheme = $0 }
            field.string("pathTemplate") { config.pathTemplate = $0.isEmpty ? nil : $0 }
            field.bool("disableIstioVirtualHost") { config.disableIstioVirtualHost = $0 }
            field.bool("disableIngressCreation") { config.disableIngressCreation = $0 }
            field.bool("enableGatewayApi") { config.enableGatewayApi = $0 }
            field.stringList("additionalIngressDomains") { config.additionalIngressDomains = $0 }
            field.ignore(["ingressService", "disableHTTPRouteTimeout", "enableLLMInferenceServiceTLS"])
            field.warnUnknown()
            if object["ingressGateway"] as? String == nil || (object["ingressGateway"] as? String)?.isEmpty == true {
                diagnostics.error("invalid ingress config - ingressGateway is required", at: at, rule: "configmap.ingress")
            }
            if config.enableGatewayApi, (object["kserveIngressGateway"] as? String)?.isEmpty ?? true {
                diagnostics.error("invalid ingress config - kserveIngressGateway is required", at: at, rule: "configmap.ingress")
            }
            if config.pathTemplate != nil, object["ingressDomain"] == nil {
                diagnostics.error("invalid ingress config - ingressDomain is required if pathTemplate is given",
                                  at: at, rule: "configmap.ingress")
            }
        case "deploy":
            field.string("defaultDeploymentMode") { mode in
                switch mode {
                case "Serverless", "Knative": config.defaultDeploymentMode = "Knative"
                case "RawDeployment", "Standard": config.defaultDeploymentMode = "Standard"
                case "ModelMesh": config.defaultDeploymentMode = "ModelMesh"
                default:
                    diagnostics.error("invalid deployment mode \"\(mode)\" in inferenceservice-config data.deploy: supported modes are Knative (Serverless), Standard (RawDeployment), ModelMesh",
                                      at: at, rule: "configmap.deploy")
                }
            }
            field.ignore(["deploymentRolloutStrategy"])
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
            field.ignore(["enableModelcar", "cpuModelcar", "memoryModelcar", "uidModelcar", "enableOciImageSource",
                          "storageSpecSecretName", "enableDirectPvcVolumeMount"])
            field.warnUnknown()
        case "inferenceService":
            if let resource = object["resource"] as? [String: Any] {
                var res = config.defaultResources
                for (k, path) in [("cpuLimit", ["limits", "cpu"]), ("memoryLimit", ["limits", "memory"]),
                                  ("cpuRequest", ["requests", "cpu"]), ("memoryRequest", ["requests", "memory"])] {
                    if let v = resource[k] as? String { res[path: path] = .string(v) }
                }
                config.defaultResources = res
            }
            field.stringList("serviceAnnotationDisallowedList") { config.serviceAnnotationDisallowedList = $0 }
            field.stringList("serviceLabelDisallowedList") { config.serviceLabelDisallowedList = $0 }
            field.ignore(["resource"])
            field.warnUnknown()
        case "agent":
            field.string("image") { config.agentImage = $0 }
        case "logger":
            field.string("defaultUrl") { config.loggerDefaultURL = $0 }
        case "batcher":
            field.string("maxBatchSize") { config.batcherMaxBatchSize = $0 }
            field.string("maxLatency") { config.batcherMaxLatency = $0 }
        case "security":
            field.bool("autoMountServiceAccountToken") { config.autoMountServiceAccountToken = $0 }
        default:
            if !known.contains(key) {
                var message = "inferenceservice-config: unknown data key \"\(key)\""
                if let guess = Suggestion.closest(to: key, in: known) { message += " (did you mean \"\(guess)\"?)" }
                diagnostics.warning(message, at: at, rule: "configmap.unknown-key")
            }
        }
    }

    func parseJSON(_ text: String, what: String, at: SourceLocation) -> [String: Any]? {
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? [String: Any] else {
                diagnostics.error("\(what): expected a JSON object", at: at, rule: "configmap.json")
                return nil
            }
            return object
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error.localizedDescription)"
            diagnostics.error("\(what): invalid JSON: \(reason)", at: at, rule: "configmap.json")
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
                    diagnostics.error("config-domain data.\(key): expected an empty value or \"selector:\" with labels",
                                      at: at, rule: "configmap.domain")
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

    func applyAutoscaler(key: String, value: String, at: SourceLocation, to a: inout AutoscalerConfig) {
        func number(_ set: (Double) -> Void) {
            guard let v = Double(value) else {
                return diagnostics.error("config-autoscaler data.\(key): \"\(value)\" is not a number", at: at, rule: "configmap.autoscaler")
            }
            set(v)
        }
        func integer(_ set: (Int) -> Void) {
            guard let v = Int(value) else {
                return diagnostics.error("config-autoscaler data.\(key): \"\(value)\" is not an integer", at: at, rule: "configmap.autoscaler")
            }
            set(v)
        }
        func duration(_ set: (Int) -> Void) {
            guard let v = Durations.seconds(value) else {
                return diagnostics.error("config-autoscaler data.\(key): \"\(value)\" is not a duration such as 60s or 1m",
                                         at: at, rule: "configmap.autoscaler")
            }
            set(v)
        }
        func boolean(_ set: (Bool) -> Void) {
            guard let v = Bool(value.lowercased()) else {
                return diagnostics.error("config-autoscaler data.\(key): \"\(value)\" is not true or false", at: at, rule: "configmap.autoscaler")
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
        case "panic-window-percentage": number { a.panicWindowPercentage = $0 }
        case "panic-threshold-percentage": number { a.panicThresholdPercentage = $0 }
        case "max-scale-up-rate": number { a.maxScaleUpRate = $0 }
        case "max-scale-down-rate": number { a.maxScaleDownRate = $0 }
        case "scale-to-zero-grace-period": duration { a.scaleToZeroGracePeriodSeconds = $0 }
        case "scale-to-zero-pod-retention-period": duration { a.scaleToZeroPodRetentionPeriodSeconds = $0 }
        case "min-scale": integer { a.minScale = $0 }
        case "max-scale": integer { a.maxScale = $0 }
        case "pod-autoscaler-class": a.podAutoscalerClass = value
        default: break
        }
    }

    func applyDeployment(key: String, value: String, at: SourceLocation, to config: inout ClusterConfig) {
        switch key {
        case "queue-sidecar-image", "queueSidecarImage":
            config.queueSidecarImage = value
        case "progress-deadline":
            if let s = Durations.seconds(value) { config.progressDeadlineSeconds = s } else {
                diagnostics.error("config-deployment data.progress-deadline: \"\(value)\" is not a duration", at: at, rule: "configmap.deployment")
            }
        case "queue-sidecar-cpu-request": config.queueSidecarResources[path: ["requests", "cpu"]] = .string(value)
        case "queue-sidecar-cpu-limit": config.queueSidecarResources[path: ["limits", "cpu"]] = .string(value)
        case "queue-sidecar-memory-request": config.queueSidecarResources[path: ["requests", "memory"]] = .string(value)
        case "queue-sidecar-memory-limit": config.queueSidecarResources[path: ["limits", "memory"]] = .string(value)
        default: break
        }
    }

    func applyDefaults(key: String, value: String, at: SourceLocation, to config: inout ClusterConfig) {
        switch key {
        case "revision-timeout-seconds": if let v = Int(value) { config.revisionTimeoutSeconds = v }
        case "max-revision-timeout-seconds": if let v = Int(value) { config.maxRevisionTimeoutSeconds = v }
        case "container-concurrency-max-limit": if let v = Int(value) { config.containerConcurrencyMaxLimit = v }
        default: break
        }
    }
}

/// Field access on a decoded JSON object, with type errors and unknown-field warnings.
final class JSONFields {
    let object: [String: Any]
    let what: String
    let at: SourceLocation
    let diagnostics: Diagnostics
    var seen: Set<String> = []

    init(object: [String: Any], what: String, at: SourceLocation, diagnostics: Diagnostics) {
        self.object = object
        self.what = what
        self.at = at
        self.diagnostics = diagnostics
    }

    func string(_ key: String, _ set: (String) -> Void) {
        seen.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return }
        guard let v = raw as? String else {
            return diagnostics.error("\(what): \"\(key)\" must be a string", at: at, rule: "configmap.type")
        }
        set(v)
    }

    func bool(_ key: String, _ set: (Bool) -> Void) {
        seen.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return }
        if let b = raw as? Bool { return set(b) }
        if let s = raw as? String, let b = Bool(s) { return set(b) }
        diagnostics.error("\(what): \"\(key)\" must be true or false", at: at, rule: "configmap.type")
    }

    func stringList(_ key: String, _ set: ([String]) -> Void) {
        seen.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return }
        guard let v = raw as? [Any], v.allSatisfy({ $0 is String }) else {
            return diagnostics.error("\(what): \"\(key)\" must be a list of strings", at: at, rule: "configmap.type")
        }
        set(v.map { $0 as! String })
    }

    func ignore(_ keys: [String]) {
        seen.formUnion(keys)
    }

    func warnUnknown() {
        for key in object.keys.sorted() where !seen.contains(key) {
            var message = "\(what): unknown field \"\(key)\""
            if let guess = Suggestion.closest(to: key, in: seen) { message += " (did you mean \"\(guess)\"?)" }
            diagnostics.warning(message, at: at, rule: "configmap.unknown-field")
        }
    }
}

public enum Durations {
    /// Seconds in a Go duration string such as `60s`, `1m30s`, `2h` (whole seconds only).
    public static func seconds(_ text: String) -> Int? {
        if let plain = Int(text) { return plain }
        var total = 0.0
        var number = ""
        var i = text.startIndex
        guard !text.isEmpty else { return nil }
        while i < text.endIndex {
            let c = text[i]
            if c.isNumber || c == "." {
                number.append(c)
                i = text.index(after: i)
                continue
            }
            var unit = String(c)
            let next = text.index(after: i)
            if c == "m", next < text.endIndex, text[next] == "s" { unit = "ms"; i = next }
            guard let n = Double(number) else { return nil }
            switch unit {
            case "h": total += n * 3600
            case "m": total += n * 60
            case "s": total += n
            case "ms": total += n / 1000
            default: return nil
            }
            number = ""
            i = text.index(after: i)
        }
        guard number.isEmpty else { return nil }
        return Int(total)
    }

    /// A Go duration (`100ms`, `1m30s`, `2s`, as Istio's API takes them) in protobuf's JSON form,
    /// which Envoy's config requires: seconds with 0, 3, 6 or 9 fractional digits (`0.100s`, `90s`).
    /// Nil when the text is not a duration.
    public static func protobuf(_ text: String) -> String? {
        let units: [(String, Int64)] = [("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
                                        ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        var rest = Substring(text)
        var nanos: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Decimal(string: String(number)) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            let scaled = NSDecimalNumber(decimal: value * Decimal(unit.1)).int64Value
            nanos += scaled
        }
        let whole = nanos / 1_000_000_000, fraction = nanos % 1_000_000_000
        if fraction == 0 { return "\(whole)s" }
        var digits = String(format: "%09lld", fraction)
        if digits.hasSuffix("000000") { digits = String(digits.prefix(3)) } else if digits.hasSuffix("000") { digits = String(digits.prefix(6)) }
        return "\(whole).\(digits)s"
    }
}
