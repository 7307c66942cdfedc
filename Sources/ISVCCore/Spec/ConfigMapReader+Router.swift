/// inferenceservice-config's `router` key, as KServe's InferenceGraph controller reads it
/// (`getRouterConfigs`): the router's image, pull policy and secrets, its four resource quantities
/// (each must parse, or the controller fails every InferenceGraph), and `headers.propagate`.
extension ConfigMapReader {
    func applyRouter(_ field: JSONFields, at: SourceLocation, to config: inout ClusterConfig) {
        var router = RouterConfig()
        // Unlike the agent's keys, a missing field is empty here: the controller unmarshals into an empty struct.
        router.image = ""
        router.imagePullPolicy = ""
        field.string("image") { router.image = $0 }
        field.string("imagePullPolicy") { router.imagePullPolicy = $0 }
        field.stringList("imagePullSecrets") { router.imagePullSecrets = $0 }
        var quantities: [String: String] = [:]
        for name in ["memoryRequest", "memoryLimit", "cpuRequest", "cpuLimit"] {
            field.string(name) { quantities[name] = $0 }
            let text = quantities[name] ?? ""
            if Quantities.canonical(text) == nil, router.invalid == nil {
                router.invalid =
                    "failed to parse resource configuration for router: "
                    + (text.isEmpty ? "\(name) is missing" : "\(name) \"\(text)\" is not a quantity")
                diagnostics.report(
                    "inferenceservice-config data.router: \(router.invalid!) (KServe's InferenceGraph controller then fails every InferenceGraph)",
                    at: at, rule: ConfigMapRule.agent)
            }
        }
        router.cpuRequest = Quantities.canonical(quantities["cpuRequest"] ?? "") ?? ""
        router.cpuLimit = Quantities.canonical(quantities["cpuLimit"] ?? "") ?? ""
        router.memoryRequest = Quantities.canonical(quantities["memoryRequest"] ?? "") ?? ""
        router.memoryLimit = Quantities.canonical(quantities["memoryLimit"] ?? "") ?? ""
        field.seen.insert("headers")
        if let headers = field.object["headers"] {
            if let map = headers as? [String: Any], map.values.allSatisfy({ ($0 as? [Any])?.allSatisfy { $0 is String } ?? false }) {
                router.propagateHeaders = (map["propagate"] as? [Any])?.compactMap { $0 as? String }
                for key in map.keys.sorted() where key != "propagate" {
                    diagnostics.report(
                        "inferenceservice-config data.router.headers.\(key) is not read: KServe's InferenceGraph controller reads only headers.propagate",
                        at: at, rule: ConfigMapRule.unknownField)
                }
            } else {
                diagnostics.report(
                    "inferenceservice-config data.router: \"headers\" must map operation names to lists of header names (e.g. {\"propagate\": [\"Authorization\"]})",
                    at: at, rule: ConfigMapRule.valueType)
            }
        }
        field.warnUnknown()
        config.router = router
    }
}
