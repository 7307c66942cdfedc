/// The identity of a Kubernetes object, as the API server keys it: API version, kind, namespace and
/// name. The plan, the renderers, `isvc diff`, the previous-state reader and `isvc serve` name
/// objects by it, so that they agree on what "the same object" is.
public struct ObjectRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The identity of an object's body (a missing field reads as empty).
    public init(_ body: Value) {
        self.init(
            apiVersion: body["apiVersion"]?.string ?? "", kind: body["kind"]?.string ?? "",
            namespace: body[path: ["metadata", "namespace"]]?.string ?? "", name: body[path: ["metadata", "name"]]?.string ?? "")
    }

    /// The API group (empty for the core group).
    public var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// `Kind namespace/name`, as the creator comments and `isvc diff` name an object.
    public var description: String { "\(kind) \(namespace)/\(name)" }

    /// The UID a cluster would assign, made deterministic: UUIDv5 of `apiVersion/kind/namespace/name`.
    public var uid: String { UUIDv5.make(name: "\(apiVersion)/\(kind)/\(namespace)/\(name)") }

    public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
        (a.apiVersion, a.kind, a.namespace, a.name) < (b.apiVersion, b.kind, b.namespace, b.name)
    }
}
