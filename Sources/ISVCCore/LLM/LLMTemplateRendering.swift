/// KServe's `ReplaceVariables` (`config_merge.go`): the merged config, as JSON text, executed as a Go
/// template (`missingkey=error`) over the LLMInferenceService as the user wrote it (model.name
/// defaulted) and the controller's `GlobalConfig`, with its functions `ChildName`,
/// `kvTransferConfig` and `shutdownTimeout`; then read back as JSON.
struct LLMTemplateRendering {
    let service: LLMInferenceService
    let config: ClusterConfig

    typealias Failure = LLMConfigCombiner.Failure

    func render(_ spec: Value) throws(Failure) -> Value {
        var meta: Value = ["name": .string(service.name), "namespace": .string(service.namespace)]
        if !service.meta.labels.isEmpty { meta["labels"] = Value(service.meta.labels) }
        if !service.meta.annotations.isEmpty { meta["annotations"] = Value(service.meta.annotations) }
        let text = JSONWriter.compact(["metadata": meta, "spec": spec])
        let rendered: String
        do {
            let template = try GoTextTemplate(name: "config", text: text, functions: Set(Self.functionNames))
            rendered = try template.execute(data: data(poolName: poolName(spec)), functions: functions())
        } catch {
            let prefix = error.kind == .parse ? "failed to parse template config" : "failed to merge config"
            throw Failure(message: "\(prefix): \(error.message)", path: [], rule: .template, at: written(text, offset: error.offset))
        }
        let bytes = Array(rendered.utf8)
        if let syntax = GoJSONScanner.firstError(bytes) {
            throw Failure(message: "failed to unmarshal config from template: \(syntax)", path: [], rule: .template)
        }
        return Self.value(GoJSONValue.decode(validJSON: bytes).value)["spec"] ?? spec
    }

    /// Where the user wrote the action that failed (a preset's actions have no place in the input).
    func written(_ text: String, offset: Int) -> SourceLocation? {
        let bytes = Array(text.utf8)
        guard offset >= 0, offset < bytes.count else { return nil }
        let rest = bytes[offset...]
        guard let close = rest.firstRange(of: Array("}}".utf8)) else { return nil }
        let action = String(decoding: bytes[offset..<close.upperBound], as: UTF8.self)
        func find(_ node: Node) -> SourceLocation? {
            switch node.content {
            case .scalar(let s): return s.text.contains(action) ? node.location : nil
            case .sequence(let items): return items.lazy.compactMap(find).first
            case .mapping(let pairs): return pairs.lazy.compactMap { find($0.value) }.first
            }
        }
        return service.specNode.flatMap(find)
    }

    /// `SchedulerSpec.InferencePoolName` of the merged config: the referenced pool, else the default.
    func poolName(_ spec: Value) -> String {
        if let ref = spec[path: ["router", "scheduler", "pool", "ref", "name"]]?.string, !ref.isEmpty { return ref }
        return ChildName.make(service.name, "-inference-pool")
    }

    static let functionNames = ["ChildName", "kvTransferConfig", "shutdownTimeout"]

    func functions() -> [String: GoTextTemplate.Function] {
        [
            "ChildName": { args in
                guard args.count == 2 else {
                    throw GoTextTemplate.ArgumentError("wrong number of args for ChildName: want 2 got \(args.count)")
                }
                guard case .string(let parent, _) = args[0].indirect, case .string(let suffix, _) = args[1].indirect else {
                    throw GoTextTemplate.ArgumentError("ChildName takes two strings")
                }
                return .string(ChildName.make(parent, suffix))
            },
            // KV-cache offloading is refused before rendering (rule llm.unsupported), so the spec is nil.
            "kvTransferConfig": { _ in .string("") },
            "shutdownTimeout": { args in
                guard args.count == 2, case .int(let preStop, _) = args[1] else {
                    throw GoTextTemplate.ArgumentError("wrong number of args for shutdownTimeout: want 2 got \(args.count)")
                }
                var tgps: Int64 = 60
                if case .pointer(let target) = args[0], case .opaque(let pod) = target,
                    let spec = pod.payload as? Value, let seconds = spec["terminationGracePeriodSeconds"]?.int
                {
                    tgps = Int64(seconds)
                }
                return .int(max(0, tgps - preStop - min(5, tgps)), type: "int64")
            },
        ]
    }
}
