import Foundation

/// Checks a document against its CRD schema the way `kubectl apply --validate=strict` would, but with
/// the position of every problem: wrong types, values outside an enum or pattern, missing required
/// fields are errors; unknown fields are warnings (errors with `--strict`) with a suggestion.
public struct SchemaChecker {
    let diagnostics: Diagnostics
    let kind: String
    /// Compiled patterns and their results, shared by the checkers of one run.
    let patterns: SchemaPatterns

    public init(kind: String, diagnostics: Diagnostics, patterns: SchemaPatterns = SchemaPatterns()) {
        self.kind = kind
        self.diagnostics = diagnostics
        self.patterns = patterns
    }

    public func check(_ node: Node, against schema: Schema) {
        check(node, schema, path: "")
    }

    func check(_ node: Node, _ schema: Schema, path: String) {
        if case .scalar(let s) = node.content, s.tag == .null { return }  // the API server drops nulls
        if let types = schema.types, !matches(node, types) {
            diagnostics.report(
                "\(name(path)): expected \(describe(types)), got \(describe(node))",
                at: node.location, rule: SchemaRule.valueType)
            return
        }
        switch node.content {
        case .mapping(let pairs):
            for pair in pairs {
                let key = pair.key.scalar?.text ?? ""
                if pair.key.scalar == nil || pair.key.scalar?.tag != .str {
                    if pair.key.scalar?.tag != .null, pair.key.scalar != nil, schema.properties[key] != nil {
                        // A key like `on` or `1` resolves to a non-string in YAML 1.1 but still names the field.
                    } else if pair.key.scalar == nil {
                        diagnostics.report(
                            "\(name(path)): a mapping key must be a string", at: pair.key.location,
                            rule: SchemaRule.valueType)
                        continue
                    }
                }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if let child = schema.properties[key] {
                    check(pair.value, child, path: childPath)
                } else {
                    switch schema.additionalProperties {
                    case .schema(let s):
                        check(pair.value, s, path: childPath)
                    case .allowed:
                        break
                    case .forbidden:
                        var message = "\(name(childPath)): unknown field \"\(key)\""
                        if let guess = Suggestion.closest(to: key, in: schema.properties.keys) {
                            message += " (did you mean \"\(guess)\"?)"
                        }
                        diagnostics.report(message, at: pair.key.location, rule: SchemaRule.unknownField)
                    }
                }
            }
            for field in schema.required where node[field] == nil {
                let where_ = path.isEmpty ? "" : " in \(path)"
                var hint = ""
                if path.hasPrefix("spec.canary["), path.hasSuffix(".model"), field == "name" {
                    // Upstream CRD quirk: the canary's model keeps corev1.Container's required name.
                    hint = "; KServe's CRD requires it in a canary's model (write name: kserve-container)"
                }
                diagnostics.report(
                    "\(name(path.isEmpty ? field : "\(path).\(field)")): required field \"\(field)\" is missing\(where_)\(hint)",
                    at: node.location, rule: SchemaRule.required)
            }
        case .sequence(let items):
            if let itemSchema = schema.items {
                for (i, item) in items.enumerated() {
                    check(item, itemSchema, path: "\(path)[\(i)]")
                }
            }
        case .scalar(let s):
            checkScalar(s, node, schema, path: path)
        }
    }

    func checkScalar(_ s: Scalar, _ node: Node, _ schema: Schema, path: String) {
        if let values = schema.enumValues, !values.contains(s.text) {
            diagnostics.report(
                "\(name(path)): Unsupported value: \"\(s.text)\": supported values: \(values.map { "\"\($0)\"" }.joined(separator: ", "))",
                at: node.location, rule: SchemaRule.enumValue)
        }
        if s.tag == .str, let pattern = schema.pattern, !patterns.matches(s.text, pattern) {
            diagnostics.report(
                "\(name(path)): \"\(s.text)\" does not match the pattern \(pattern)",
                at: node.location, rule: SchemaRule.pattern)
        }
        if s.tag == .int, Value.integer(s.text) == nil, let types = schema.types, !types.contains("number") {
            // Past int64, Kubernetes' JSON reader keeps the number as a float64, which an integer field refuses.
            diagnostics.report(
                "\(name(path)): \(s.text) is outside the 64-bit integer range (-9223372036854775808 to 9223372036854775807); Kubernetes reads it as a floating-point number, and the field must be an integer",
                at: node.location, rule: SchemaRule.valueType)
        }
        if s.tag == .int || s.tag == .float, let v = Double(s.text) {
            if let min = schema.minimum, v < min {
                diagnostics.report(
                    "\(name(path)): \(s.text) is less than the minimum \(Int(min))", at: node.location, rule: SchemaRule.range)
            }
            if let max = schema.maximum, v > max {
                diagnostics.report(
                    "\(name(path)): \(s.text) is greater than the maximum \(Int(max))", at: node.location, rule: SchemaRule.range)
            }
        }
    }

    func matches(_ node: Node, _ types: Set<String>) -> Bool {
        switch node.content {
        case .mapping: return types.contains("object")
        case .sequence: return types.contains("array")
        case .scalar(let s):
            switch s.tag {
            case .str: return types.contains("string")
            case .int: return types.contains("integer") || types.contains("number")
            case .float: return types.contains("number")
            case .bool: return types.contains("boolean")
            case .null: return true
            }
        }
    }

    func name(_ path: String) -> String {
        path.isEmpty ? kind : path
    }

    func describe(_ types: Set<String>) -> String {
        let order = ["object", "array", "string", "integer", "number", "boolean"]
        let names = order.filter { types.contains($0) }.map { t in
            t == "object" ? "a mapping" : t == "array" ? "a list" : "\(t == "integer" ? "an" : "a") \(t)"
        }
        return names.joined(separator: " or ")
    }

    func describe(_ node: Node) -> String {
        switch node.content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s):
            let shown = s.text.count > 40 ? String(s.text.prefix(40)) + "…" : s.text
            switch s.tag {
            case .str: return "the string \"\(shown)\""
            case .int: return "the integer \(shown)"
            case .float: return "the number \(shown)"
            case .bool:
                return
                    "the boolean \(shown)\(s.text == "true" || s.text == "false" ? "" : " (YAML 1.1 reads it as a boolean; quote it for a string)")"
            case .null: return "null"
            }
        }
    }
}

/// The schemas' patterns compiled once, and their results per text (the same quantities, "100m",
/// "1Gi", come up again and again): one per run, shared by the checkers of its parallel jobs.
public final class SchemaPatterns: Sendable {
    private struct Cache {
        var regexes: [String: NSRegularExpression] = [:]
        var results: [String: Bool] = [:]
    }
    private let cache = Locked(Cache())
    /// Results kept at most, so a file of distinct values does not grow the cache without end.
    static let maxResults = 10_000

    public init() {}

    /// Whether `text` matches `pattern` (an invalid pattern matches everything).
    public func matches(_ text: String, _ pattern: String) -> Bool {
        let key = pattern + "\u{0}" + text
        let (known, cached) = cache.withLock { ($0.results[key], $0.regexes[pattern]) }
        if let known { return known }
        let regex: NSRegularExpression
        if let cached {
            regex = cached
        } else {
            guard let compiled = try? NSRegularExpression(pattern: pattern) else { return true }
            cache.withLock { $0.regexes[pattern] = compiled }
            regex = compiled
        }
        let matched = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        cache.withLock { if $0.results.count < Self.maxResults { $0.results[key] = matched } }
        return matched
    }
}
