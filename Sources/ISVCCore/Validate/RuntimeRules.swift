/// KServe's ServingRuntime validating webhook (`servingruntime_webhook.go`): within a runtime, one
/// priority per auto-selected model format; across runtimes of the same scope (and namespace) that
/// share a protocol, no two auto-selected equal formats with the same priority. A runtime in the
/// input is checked against the built-in ones and the input runtimes before it, as if applied in order.
enum RuntimeRules {
    static func check(_ runtimes: [ServingRuntime], builtIns: [ServingRuntime], diagnostics: Diagnostics) {
        var existing = builtIns
        for runtime in runtimes {
            let scope = runtime.clusterScoped ? "clusterservingruntime" : "servingruntime"
            var priorities: [String: Int?] = [:]
            for f in runtime.formats where f.autoSelect {
                if let known = priorities[f.name] {
                    if let known, let p = f.priority, known != p {
                        diagnostics.report(
                            "different priorities assigned for the model format \(f.name) under the \(scope) \(runtime.name)",
                            at: f.location, rule: RuntimeRule.priority)
                    }
                } else {
                    priorities[f.name] = f.priority
                }
            }
            for other in existing
            where other.clusterScoped == runtime.clusterScoped && other.name != runtime.name
                && (runtime.clusterScoped || other.meta.namespace?.value == runtime.meta.namespace?.value)
                && other.multiModel == runtime.multiModel && !other.disabled
                && other.protocolVersions.contains(where: runtime.protocolVersions.contains)
            {
                for f in runtime.formats where f.autoSelect {
                    guard let p = f.priority,
                        other.formats.contains(where: { o in
                            o.autoSelect && o.priority == p && o.name.lowercased() == f.name.lowercased() && o.version == f.version
                        })
                    else { continue }
                    let message =
                        runtime.clusterScoped
                        ? "same priority assigned for the model format \(f.name) in the clusterservingruntimes \(other.name) and \(runtime.name)"
                        : "same priority assigned for the model format \(f.name) in the servingruntimes \(other.name) and \(runtime.name) in namespace \(runtime.meta.namespace?.value ?? "")"
                    diagnostics.report(message, at: f.location, rule: RuntimeRule.priority)
                }
            }
            existing.append(runtime)
        }
    }
}
