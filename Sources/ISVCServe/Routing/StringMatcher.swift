import Foundation
import ISVCCore

/// Envoy's `StringMatcher` (`exact`, `prefix`, `suffix`, `contains`, `safe_regex`, with `ignore_case`),
/// for routes' header and query conditions and for RBAC. A matcher isvc cannot read matches nothing.
struct StringMatcher: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case exact(String), prefix(String), suffix(String), contains(String), regex(String), unknown }
    let kind: Kind
    let ignoreCase: Bool

    init(_ v: Value) {
        ignoreCase = v["ignore_case"] == .bool(true)
        if let s = v["exact"]?.string { kind = .exact(s) }
        else if let s = v["prefix"]?.string { kind = .prefix(s) }
        else if let s = v["suffix"]?.string { kind = .suffix(s) }
        else if let s = v["contains"]?.string { kind = .contains(s) }
        else if let s = v[path: ["safe_regex", "regex"]]?.string { kind = .regex(s) }
        else { kind = .unknown }
    }

    func matches(_ value: String) -> Bool {
        let fold: (String) -> String = { ignoreCase ? $0.lowercased() : $0 }
        switch kind {
        case .exact(let s): return ignoreCase ? fold(value) == fold(s) : value == s
        case .prefix(let s): return fold(value).hasPrefix(fold(s))
        case .suffix(let s): return fold(value).hasSuffix(fold(s))
        case .contains(let s): return fold(value).contains(fold(s))
        case .regex(let r): return Self.fullMatch(r, value)
        case .unknown: return false
        }
    }

    /// RE2 full match, approximated with NSRegularExpression anchored at both ends; a pattern that
    /// does not compile matches nothing. Patterns are compiled once (compiling one took most of a
    /// request's time).
    static func fullMatch(_ pattern: String, _ text: String) -> Bool {
        guard let regex = regexes.compiled(pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static let regexes = RegexCache()
}
