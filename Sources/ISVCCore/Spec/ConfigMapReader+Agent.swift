/// inferenceservice-config's `agent`, `logger` and `batcher` keys, as KServe's pod webhook reads them
/// (`getAgentConfigs`, `getLoggerConfigs`, `getBatcherConfigs`): each one's four resource quantities
/// must parse, or the webhook fails every pod it mutates.
extension ConfigMapReader {
    func applyAgent(_ key: String, _ field: JSONFields, at: SourceLocation, to config: inout ClusterConfig) {
        checkResources(key, field, at: at)
        switch key {
        case "agent":
            field.string("image") { config.agent.image = $0 }
            field.string("cpuRequest") { config.agent.cpuRequest = Quantities.canonical($0) ?? $0 }
            field.string("cpuLimit") { config.agent.cpuLimit = Quantities.canonical($0) ?? $0 }
            field.string("memoryRequest") { config.agent.memoryRequest = Quantities.canonical($0) ?? $0 }
            field.string("memoryLimit") { config.agent.memoryLimit = Quantities.canonical($0) ?? $0 }
        case "logger":
            field.string("defaultUrl") { config.logger.defaultURL = $0 }
            field.string("caBundle") { config.logger.caBundle = $0 }
            field.string("caCertFile") { config.logger.caCertFile = $0 }
            field.bool("tlsSkipVerify") { config.logger.tlsSkipVerify = $0 }
            field.string("marshallerUrl") { config.logger.marshallerURL = $0 }
            field.integer("batchSize") { config.logger.batchSize = $0 }
            field.string("batchInterval") { config.logger.batchInterval = $0 }
            if let storage = field.object["storage"] as? [String: Any] {
                config.logger.storage = LoggerSpec.Storage(
                    path: storage["path"] as? String, parameters: storage["parameters"] as? [String: String],
                    key: storage["key"] as? String, serviceAccountName: storage["serviceAccountName"] as? String)
            }
            // KServe reads the logger's image and resources but injects the agent's: as upstream, no effect.
            field.ignore(["image", "storage"])
        default:
            // getBatcherConfigs reads these, but the webhook passes the batcher's size and latency from
            // the InferenceService only: a value changed here does nothing, in a cluster as here.
            for (name, upstream) in [("maxBatchSize", "32"), ("maxLatency", "5000")] {
                if let value = field.object[name] as? String, value != upstream {
                    diagnostics.report(
                        "inferenceservice-config data.batcher.\(name) \"\(value)\" has no effect: KServe's pod webhook passes "
                            + "the batcher's settings from the InferenceService only (spec.predictor.batcher), and the agent's "
                            + "default is \(upstream)",
                        at: field.at, rule: ConfigMapRule.noEffect)
                }
            }
            field.ignore(["image", "maxBatchSize", "maxLatency"])
        }
        field.ignore(["cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"])
        field.warnUnknown()
    }

    /// The webhook's resource check: each of the four quantities must parse; a missing one is an
    /// empty string, which does not.
    func checkResources(_ key: String, _ field: JSONFields, at: SourceLocation) {
        for name in ["memoryRequest", "memoryLimit", "cpuRequest", "cpuLimit"] {
            let text = field.object[name] as? String ?? ""
            if Quantities.canonical(text) == nil {
                diagnostics.report(
                    "inferenceservice-config data.\(key): failed to parse resource configuration for \"\(key)\": "
                        + (text.isEmpty ? "\(name) is missing" : "\(name) \"\(text)\" is not a quantity")
                        + " (KServe's pod webhook then fails every pod it mutates)",
                    at: at, rule: ConfigMapRule.agent)
                return
            }
        }
    }
}
