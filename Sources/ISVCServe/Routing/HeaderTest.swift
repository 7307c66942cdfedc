import ISVCCore

/// An Envoy header matcher (in routes and RBAC) or query parameter matcher, read once:
/// `present_match`, `string_match` or the older `exact_match`, `prefix_match`, `suffix_match`,
/// `safe_regex_match`.
enum HeaderTest: Sendable, Equatable {
    case present(Bool)
    case string(StringMatcher)
    /// A condition isvc cannot read matches nothing.
    case unknown

    init(_ v: Value) {
        if case .bool(let present)? = v["present_match"] { self = .present(present) }
        else if let sm = v["string_match"] { self = .string(StringMatcher(sm)) }
        else if let e = v["exact_match"]?.string { self = .string(StringMatcher(["exact": .string(e)])) }
        else if let p = v["prefix_match"]?.string { self = .string(StringMatcher(["prefix": .string(p)])) }
        else if let s = v["suffix_match"]?.string { self = .string(StringMatcher(["suffix": .string(s)])) }
        else if let r = v[path: ["safe_regex_match", "regex"]]?.string { self = .string(StringMatcher(["safe_regex": ["regex": .string(r)]])) }
        else { self = .unknown }
    }

    /// Envoy's rule: a missing header fails a value test whatever `invert_match` says, and a presence
    /// test sees it absent (then inverts); with `treat_missing_header_as_empty` it is present and empty.
    func holds(for value: String?, invert: Bool, missingAsEmpty: Bool = false) -> Bool {
        let value = value ?? (missingAsEmpty ? "" : nil)
        switch self {
        case .present(let wanted): return ((value != nil) == wanted) != invert
        case .string(let matcher):
            guard let value else { return false }
            return matcher.matches(value) != invert
        case .unknown: return false
        }
    }
}
