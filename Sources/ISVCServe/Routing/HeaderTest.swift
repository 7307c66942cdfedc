import ISVCCore

/// An Envoy header matcher's test (in routes and RBAC) or a query parameter matcher's: presence or a
/// string match, compiled from the typed config once.
enum HeaderTest: Sendable, Equatable {
    case present(Bool)
    case string(StringMatcher)

    init(_ test: Envoy.HeaderMatcher.Test) {
        switch test {
        case .present(let p): self = .present(p)
        case .stringMatch(let m): self = .string(StringMatcher(m))
        }
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
        }
    }
}
