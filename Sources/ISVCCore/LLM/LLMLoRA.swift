/// LoRA adapters of an LLMInferenceService (`workload_lora.go`, `ValidateLoRAAdapters`): each adapter
/// is mounted under /mnt/lora (downloaded with the model for `hf://` and `s3://`, a PVC mount for
/// `pvc://`), vLLM gets `--enable-lora` and `--lora-modules` (under its name and its publisher
/// name), and model-routing matches are repeated for each adapter.
struct LLMLoRA {
    struct Adapter: Sendable, Equatable {
        var name: String
        var uri: String
        var scheme: String
        var mountPath: String
    }

    static let mountRoot = "/mnt/lora"
    static let docs = "https://github.com/kserve/kserve/blob/master/docs/samples/llmisvc/lora-adapters/README.md"

    /// `sanitizeLoRAPathSegment`: anything but letters, digits, `.`, `_` and `-` becomes `-`.
    static func pathSegment(_ s: String) -> String {
        let out = String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "-" })
        return out.isEmpty || out == "." || out == ".." ? "adapter" : out
    }

    /// `enumerateLoRAAdapters`: the adapters sorted by name, or the controller's error.
    static func adapters(_ spec: Value) -> Result<[Adapter], LLMConfigCombiner.Failure> {
        let listed = spec[path: ["model", "lora", "adapters"]]?.array ?? []
        let disabled = spec[path: ["storageInitializer", "enabled"]] == .bool(false)
        let sorted = listed.sorted { ($0["name"]?.string ?? "").utf8.lexicographicallyPrecedes(($1["name"]?.string ?? "").utf8) }
        var out: [Adapter] = []
        for adapter in sorted {
            let name = adapter["name"]?.string ?? ""
            let uri = adapter["uri"]?.string ?? ""
            func fail(_ message: String) -> Result<[Adapter], LLMConfigCombiner.Failure> {
                .failure(
                    .init(
                        message: "failed to enumerate LoRA adapters: LoRA adapter \"\(name)\": \(message)", path: ["model", "lora"],
                        rule: .lora))
            }
            guard let scheme = LLMModelStorage.scheme(uri) else { return fail("invalid URI \"\(uri)\"") }
            switch scheme {
            case "hf", "s3":
                if disabled {
                    return fail("hf:// and s3:// require the storage initializer — set storageInitializer.enabled to true (see \(docs))")
                }
            case "pvc":
                if disabled {
                    return fail("pvc:// requires a mounted volume — do not set storageInitializer.enabled to false (see \(docs))")
                }
            case "oci": return fail("oci:// is not supported for LoRA adapters; use hf://, s3://, or pvc:// instead (see \(docs))")
            default: return fail("unsupported URI scheme \"\(scheme)://\"; supported schemes are hf://, s3://, pvc:// (see \(docs))")
            }
            out.append(Adapter(name: name, uri: uri, scheme: scheme, mountPath: "\(mountRoot)/\(pathSegment(name))"))
        }
        return .success(out)
    }

    /// `attachLoRAAdapters`: PVC adapters mounted, and vLLM's LoRA flags before the container's own
    /// args, unless the workload already passes `--lora-modules`.
    static func attach(_ adapters: [Adapter], to pod: inout Value, namespace: String, limits: Value?) {
        guard !adapters.isEmpty, pod["containers"]?.array?.contains(where: { $0["name"]?.string == "main" }) == true else { return }
        var modules: [String] = []
        for a in adapters {
            if a.scheme == "pvc" {
                LLMModelStorage.mountClaim(a.uri, at: a.mountPath, volume: ChildName.make("lora-pvc-", a.name), container: "main", in: &pod)
            }
            for module in [a.name, "publishers/\(namespace)/models/\(a.name)"] {
                // Go's json.Marshal of {Name, Path}: the field order is the keys' sorted order too.
                modules.append(JSONWriter.compact(["name": .string(module), "path": .string(a.mountPath)]))
            }
        }
        guard var containers = pod["containers"]?.array, let main = containers.firstIndex(where: { $0["name"]?.string == "main" })
        else { return }
        let container = containers[main]
        let env = container["env"]?.array ?? []
        let userSupplied =
            env.contains { $0["name"]?.string == "VLLM_ADDITIONAL_ARGS" && ($0["value"]?.string ?? "").contains("--lora-modules") }
            || ((container["command"]?.array ?? []) + (container["args"]?.array ?? [])).compactMap(\.string).joined(separator: " ")
                .contains("--lora-modules")
        guard !userSupplied else { return }
        var argv: [Value] = ["--enable-lora"]
        for (key, flag) in [("maxRank", "--max-lora-rank"), ("maxAdapters", "--max-loras"), ("maxCpuAdapters", "--max-cpu-loras")] {
            if let n = limits?[key]?.int { argv.append(.string("\(flag)=\(n)")) }
        }
        argv.append("--lora-modules")
        argv += modules.map { .string("'\($0)'") }
        containers[main]["args"] = .array(argv + (container["args"]?.array ?? []))
        pod["containers"] = .array(containers)
    }

    /// `expandLoRAAdapterMatches`: each match on the model header, repeated per adapter (by name).
    static func expandMatches(_ rules: [Value], adapters: [Adapter], namespace: String, header: String) -> [Value] {
        guard !header.isEmpty, !adapters.isEmpty else { return rules }
        return rules.map { rule in
            var r = rule
            var extra: [Value] = []
            for match in rule["matches"]?.array ?? []
            where (match["headers"]?.array ?? []).contains(where: { $0["name"]?.string == header }) {
                for a in adapters {
                    var m = match
                    m["headers"] = .array(
                        (match["headers"]?.array ?? []).map { h in
                            var h2 = h
                            if h["name"]?.string == header { h2["value"] = .string("publishers/\(namespace)/models/\(a.name)") }
                            return h2
                        })
                    extra.append(m)
                }
            }
            if !extra.isEmpty { r["matches"] = .array((rule["matches"]?.array ?? []) + extra) }
            return r
        }
    }
}
