import ISVCCore

/// A `requires` tree of Envoy's `jwt_authn` rules: a named provider, `allow_missing`,
/// `allow_missing_or_failed`, `requires_any` and `requires_all`.
indirect enum JWTRequirement: Sendable, Equatable {
    case provider(String)
    case allowMissing
    case allowMissingOrFailed
    case any([JWTRequirement])
    case all([JWTRequirement])

    /// Reads a `requires` value; nil for one isvc does not know (treated as no requirement by nobody:
    /// the caller fails closed).
    init?(_ v: Value) {
        if let name = v["provider_name"]?.string { self = .provider(name) }
        else if v["allow_missing"] != nil { self = .allowMissing }
        else if v["allow_missing_or_failed"] != nil { self = .allowMissingOrFailed }
        else if let list = v[path: ["requires_any", "requirements"]]?.array {
            let parsed = list.compactMap(JWTRequirement.init)
            guard parsed.count == list.count else { return nil }
            self = .any(parsed)
        } else if let list = v[path: ["requires_all", "requirements"]]?.array {
            let parsed = list.compactMap(JWTRequirement.init)
            guard parsed.count == list.count else { return nil }
            self = .all(parsed)
        } else {
            return nil
        }
    }

    /// Evaluates the tree with `verify` answering one leaf. `requires_any` passes when one child
    /// passes; otherwise it fails with the last child failure that is not an absent token (else
    /// "missing"), as Envoy aggregates it. `requires_all` fails with its first failing child.
    func evaluate(_ verify: (JWTRequirement) async -> JWTFailure?) async -> JWTFailure? {
        switch self {
        case .any(let children):
            var final: JWTFailure = .missing
            for child in children {
                guard let failure = await child.evaluate(verify) else { return nil }
                if !failure.isAbsence { final = failure }
            }
            return final
        case .all(let children):
            for child in children {
                if let failure = await child.evaluate(verify) { return failure }
            }
            return nil
        default:
            return await verify(self)
        }
    }
}
