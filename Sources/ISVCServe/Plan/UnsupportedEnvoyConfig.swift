/// A part of a (typed) Envoy config that `isvc serve`'s gateway cannot run as Envoy would: serve
/// refuses the config, naming the field, instead of running something else.
public struct UnsupportedEnvoyConfig: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field, as a path from the bootstrap (`static_resources.clusters[2].lb_policy`).
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "isvc serve cannot run the Envoy config's \(path): \(reason)" }
}
