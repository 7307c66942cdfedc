import Foundation

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
            return diagnostics.report("\(what): \"\(key)\" must be a string", at: at, rule: ConfigMapRule.valueType)
        }
        set(v)
    }

    func bool(_ key: String, _ set: (Bool) -> Void) {
        seen.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return }
        if let b = raw as? Bool { return set(b) }
        if let s = raw as? String, let b = Bool(s) { return set(b) }
        diagnostics.report("\(what): \"\(key)\" must be true or false", at: at, rule: ConfigMapRule.valueType)
    }

    func integer(_ key: String, _ set: (Int) -> Void) {
        seen.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return }
        guard !(raw is Bool), let v = raw as? Int else {
            return diagnostics.report("\(what): \"\(key)\" must be an integer", at: at, rule: ConfigMapRule.valueType)
        }
        set(v)
    }

    func stringList(_ key: String, _ set: ([String]) -> Void) {
        seen.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return }
        guard let v = raw as? [Any], v.allSatisfy({ $0 is String }) else {
            return diagnostics.report("\(what): \"\(key)\" must be a list of strings", at: at, rule: ConfigMapRule.valueType)
        }
        set(v.map { $0 as! String })
    }

    func ignore(_ keys: [String]) {
        seen.formUnion(keys)
    }

    /// Fields upstream reads that isvc does not model: each one present is a `configmap.not-read` warning.
    func notRead(_ keys: [String], because reason: String = "what it changes in KServe's objects is not shown") {
        for key in keys where object[key] != nil && !(object[key] is NSNull) {
            diagnostics.report("\(what).\(key) is not read by isvc yet: \(reason)", at: at, rule: ConfigMapRule.notRead)
        }
        seen.formUnion(keys)
    }

    func warnUnknown() {
        for key in object.keys.sorted() where !seen.contains(key) {
            var message = "\(what): unknown field \"\(key)\""
            if let guess = Suggestion.closest(to: key, in: seen) { message += " (did you mean \"\(guess)\"?)" }
            diagnostics.report(message, at: at, rule: ConfigMapRule.unknownField)
        }
    }
}
