import Foundation
import ISVCCore

/// Envoy's `StringMatcher` (`exact`, `prefix`, `suffix`, `contains`, `safe_regex`, with `ignore_case`),
/// for routes' header and query conditions and for RBAC, compiled from the typed config once.
struct StringMatcher: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case exact(String), prefix(String), suffix(String), contains(String), regex(String)
        /// The regex istiod writes for a VirtualService host on `:authority`, `^<host>(?::\d{1,5})?$`,
        /// matched without the regex engine: it is tested on every request (bench/RESULTS.md).
        case hostWithOptionalPort(String)
    }
    let kind: Kind
    let ignoreCase: Bool

    init(_ m: Envoy.StringMatcher) {
        ignoreCase = m.ignoreCase
        switch m.pattern {
        case .exact(let s): kind = .exact(s)
        case .prefix(let s): kind = .prefix(s)
        case .suffix(let s): kind = .suffix(s)
        case .contains(let s): kind = .contains(s)
        case .safeRegex(let s): kind = Self.hostPattern(s).map(Kind.hostWithOptionalPort) ?? .regex(s)
        }
    }

    func matches(_ value: String) -> Bool {
        let fold: (String) -> String = { ignoreCase ? $0.lowercased() : $0 }
        switch kind {
        case .exact(let s): return ignoreCase ? fold(value) == fold(s) : value == s
        case .prefix(let s): return fold(value).hasPrefix(fold(s))
        case .suffix(let s): return fold(value).hasSuffix(fold(s))
        case .contains(let s): return fold(value).contains(fold(s))
        case .regex(let r): return Self.fullMatch(r, value)
        case .hostWithOptionalPort(let host): return Self.matches(host: host, optionalPort: value)
        }
    }
    /// The host of a pattern `^<host>(?::\d{1,5})?$` whose host is letters, digits, `-` and escaped
    /// dots only; nil for any other pattern (those go to the regex engine).
    static func hostPattern(_ pattern: String) -> String? {
        let tail = "(?::\\d{1,5})?$"
        guard pattern.hasPrefix("^"), pattern.hasSuffix(tail) else { return nil }
        var host = ""
        var escaped = false
        for c in pattern.dropFirst().dropLast(tail.count) {
            if escaped {
                guard c == "." else { return nil }
                host.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c.isASCII, c.isLetter || c.isNumber || c == "-" {
                host.append(c)
            } else {
                return nil
            }
        }
        return escaped || host.isEmpty ? nil : host
    }

    /// `value` is `host`, or `host:` and one to five ASCII digits (case matters, as in the regex).
    static func matches(host: String, optionalPort value: String) -> Bool {
        guard value.utf8.starts(with: host.utf8) else { return false }
        let rest = value.utf8.dropFirst(host.utf8.count)
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: ":"), (2...6).contains(rest.count) else { return false }
        return rest.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// RE2 full match, approximated with NSRegularExpression anchored at both ends; a pattern that
    /// does not compile matches nothing. Patterns are compiled once per process, not per request.
    static func fullMatch(_ pattern: String, _ text: String) -> Bool {
        guard let regex = regexes.compiled(pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static let regexes = RegexCache()
}
