import Foundation

/// KServe's `MergeRuntimeContainers`: a strategic merge of the runtime's container with the
/// InferenceService's, except that `args` are concatenated (runtime args, then the isvc's).
enum ContainerMerge {
    /// Lists that strategic merge patches merge by a key instead of replacing.
    static let mergeKeys = [
        "env": "name", "ports": "containerPort", "volumeMounts": "mountPath",
        "volumeDevices": "devicePath", "envFrom": "",
    ]

    static func merge(runtime: [String: Value], isvc: [String: Value]) -> [String: Value] {
        var out = runtime
        for (key, patch) in isvc {
            if key == "args" {
                out["args"] = .array((runtime["args"]?.array ?? []) + (patch.array ?? []))
            } else if let mergeKey = mergeKeys[key], !mergeKey.isEmpty, let base = runtime[key]?.array,
                let items = patch.array
            {
                out[key] = .array(mergeList(base, items, by: mergeKey))
            } else if case .object(let b) = runtime[key] ?? .null, case .object(let p) = patch {
                out[key] = .object(mergeObject(b, p))
            } else {
                out[key] = patch
            }
        }
        return out
    }

    static func mergeObject(_ base: [String: Value], _ patch: [String: Value]) -> [String: Value] {
        var out = base
        for (k, v) in patch {
            if case .object(let b) = base[k] ?? .null, case .object(let p) = v {
                out[k] = .object(mergeObject(b, p))
            } else {
                out[k] = v
            }
        }
        return out
    }

    /// Items with the same merge key are merged in place; new items are appended in patch order.
    static func mergeList(_ base: [Value], _ patch: [Value], by key: String) -> [Value] {
        var out = base
        for item in patch {
            if let k = item[key], let i = out.firstIndex(where: { $0[key] == k }),
                case .object(let b) = out[i], case .object(let p) = item
            {
                out[i] = .object(mergeObject(b, p))
            } else {
                out.append(item)
            }
        }
        return out
    }

    /// Pod-level merge of the runtime's pod fields with the predictor's (KServe strategic-merges
    /// nodeSelector, affinity, tolerations, volumes, imagePullSecrets, ...); the predictor wins.
    static func mergePod(runtime: [String: Value], isvc: [String: Value]) -> [String: Value] {
        var out = runtime
        for (key, patch) in isvc {
            switch (key, runtime[key], patch) {
            case ("volumes", .array(let b)?, .array(let p)), ("imagePullSecrets", .array(let b)?, .array(let p)):
                out[key] = .array(mergeList(b, p, by: "name"))
            case (_, .object(let b)?, .object(let p)):
                out[key] = .object(mergeObject(b, p))
            default:
                out[key] = patch
            }
        }
        return out
    }

    /// KServe's `AddEnvVarToPodSpec`: set the variable if the container has it, else append it.
    static func setEnv(_ container: inout [String: Value], name: String, value: String) {
        var env = container["env"]?.array ?? []
        if let i = env.firstIndex(where: { $0["name"]?.string == name }) {
            env[i]["value"] = .string(value)
        } else {
            env.append(["name": .string(name), "value": .string(value)])
        }
        container["env"] = .array(env)
    }
}

/// KServe's `ReplacePlaceholders`: the container is rendered as a Go template against the isvc's
/// metadata, so `{{.Name}}`, `{{.Namespace}}`, `{{.Labels.key}}`, `{{.Annotations.key}}` expand.
enum RuntimeTemplate {
    static func render(
        _ value: Value, name: String, namespace: String, labels: [String: String],
        annotations: [String: String]
    ) -> Value {
        switch value {
        case .string(let s) where s.contains("{{"):
            return .string(renderString(s, name: name, namespace: namespace, labels: labels, annotations: annotations))
        case .array(let a):
            return .array(a.map { render($0, name: name, namespace: namespace, labels: labels, annotations: annotations) })
        case .object(let o):
            return .object(o.mapValues { render($0, name: name, namespace: namespace, labels: labels, annotations: annotations) })
        default:
            return value
        }
    }

    static func renderString(
        _ s: String, name: String, namespace: String, labels: [String: String],
        annotations: [String: String]
    ) -> String {
        var out = ""
        var rest = Substring(s)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let expr = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if expr == ".Name" {
                out += name
            } else if expr == ".Namespace" {
                out += namespace
            } else if expr.hasPrefix(".Labels.") {
                out += labels[String(expr.dropFirst(8))] ?? ""
            } else if expr.hasPrefix(".Annotations.") {
                out += annotations[String(expr.dropFirst(13))] ?? ""
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}

/// KServe's `UpdateImageTag` for `runtimeVersion`: replace the tag, or add one; digests stay.
enum ImageTag {
    static func replacing(_ image: String, with version: String) -> String {
        if image.contains("@sha256:") { return image }
        let lastSlash = image.lastIndex(of: "/") ?? image.startIndex
        if let colon = image[lastSlash...].lastIndex(of: ":") {
            return String(image[..<colon]) + ":" + version
        }
        return image + ":" + version
    }
}
