import ISVCCore

/// A `requires` tree of Envoy's `jwt_authn` rules: a named provider, `allow_missing`,
/// `allow_missing_or_failed`, `requires_any` and `requires_all`.
indirect enum JWTRequirement: Sendable, Equatable {
    case provider(String)
    case allowMissing
    case allowMissingOrFailed
    case any([JWTRequirement])
    case all([JWTRequirement])

    init(_ r: Envoy.JWTRequirement) {
        switch r {
        case .providerName(let name): self = .provider(name)
        case .allowMissing: self = .allowMissing
        case .allowMissingOrFailed: self = .allowMissingOrFailed
        case .requiresAny(let list): self = .any(list.map(JWTRequirement.init))
        case .requiresAll(let list): self = .all(list.map(JWTRequirement.init))
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
