import Crypto
import Foundation

/// The systems that create objects in a cluster; `--emit` selects objects by these.
public enum Layer: String, Sendable, CaseIterable {
    /// Objects the KServe controller writes itself.
    case kserve
    /// Objects of the `*.knative.dev` API groups.
    case knative
    /// Objects of the `*.istio.io` API groups.
    case istio
    /// Built-in Kubernetes objects (core, apps).
    case kubernetes
}

/// One generated object, with where it came from.
public struct PlanObject: Sendable {
    /// The controller that creates it, as its comment names it.
    public var createdBy: Creator
    /// What it is created from (the InferenceService, or the object a controller derives it from).
    public var origin: ObjectRef
    /// Extra note for the comment (for instance a pod webhook's mutation).
    public var note: String?
    public var body: Value

    public init(createdBy: Creator, origin: ObjectRef, note: String? = nil, body: Value) {
        self.createdBy = createdBy
        self.origin = origin
        self.note = note
        self.body = body
    }

    /// Made from `origin`'s body.
    public init(createdBy: Creator, from origin: Value, note: String? = nil, body: Value) {
        self.init(createdBy: createdBy, origin: ObjectRef(origin), note: note, body: body)
    }

    /// Its identity, unique in a plan.
    public var ref: ObjectRef { ObjectRef(body) }
    public var apiVersion: String { body["apiVersion"]?.string ?? "" }
    public var kind: String { body["kind"]?.string ?? "" }
    public var name: String { body[path: ["metadata", "name"]]?.string ?? "" }
    public var namespace: String { body[path: ["metadata", "namespace"]]?.string ?? "" }

    public var layers: Set<Layer> {
        var l: Set<Layer> = []
        if createdBy == .kserve { l.insert(.kserve) }
        let group = ref.group
        if group.hasSuffix("knative.dev") { l.insert(.knative) }
        if group.hasSuffix("istio.io") { l.insert(.istio) }
        if group.isEmpty || group == "apps" || group.hasSuffix(".k8s.io") && !group.hasPrefix("gateway") { l.insert(.kubernetes) }
        return l
    }

    /// The comment written above the object.
    public var comment: String {
        "# created by \(createdBy.rawValue) from \(origin)" + (note.map { "; \($0)" } ?? "")
    }
}

/// The controllers that create objects, as the creator comments name them.
public enum Creator: String, Sendable {
    case kserve = "kserve-controller"
    case knative = "knative-serving"
    case netIstio = "net-istio"
}

/// Stage 4's result: the whole resource graph, in a fixed order.
public struct Plan: Sendable {
    public var objects: [PlanObject] = []

    public func selecting(_ layers: Set<Layer>) -> Plan {
        Plan(objects: objects.filter { !$0.layers.isDisjoint(with: layers) })
    }
}

/// Object metadata as controllers write it.
enum Meta {
    /// The UID a cluster would assign, made deterministic: UUIDv5 of `apiVersion/kind/namespace/name`.
    static func uid(apiVersion: String, kind: String, namespace: String, name: String) -> String {
        ObjectRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name).uid
    }

    static func ownerReference(apiVersion: String, kind: String, namespace: String, name: String) -> Value {
        [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name),
            "uid": .string(uid(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)),
            "controller": true, "blockOwnerDeletion": true,
        ]
    }

    static func object(
        apiVersion: String, kind: String, name: String, namespace: String,
        labels: [String: String], annotations: [String: String], owner: Value?,
        spec: Value?, extra: [String: Value] = [:]
    ) -> Value {
        var meta: [String: Value] = [
            "name": .string(name), "namespace": .string(namespace),
            "uid": .string(uid(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)),
        ]
        if !labels.isEmpty { meta["labels"] = Value(labels) }
        if !annotations.isEmpty { meta["annotations"] = Value(annotations) }
        if let owner { meta["ownerReferences"] = [owner] }
        var body: [String: Value] = ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": .object(meta)]
        if let spec { body["spec"] = spec }
        for (k, v) in extra { body[k] = v }
        return .object(body)
    }
}

/// RFC 4122 name-based UUIDs (version 5, SHA-1) in a namespace of this project's own.
enum UUIDv5 {
    /// The namespace UUID: UUIDv5 of "isvc.kserve.local" in the RFC's DNS namespace.
    static let namespace: [UInt8] = {
        let dns: [UInt8] = [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        return bytes(namespace: dns, name: "isvc.kserve.local")
    }()

    static func make(name: String) -> String {
        format(bytes(namespace: namespace, name: name))
    }

    static func bytes(namespace: [UInt8], name: String) -> [UInt8] {
        var hasher = Insecure.SHA1()
        hasher.update(data: namespace)
        hasher.update(data: Array(name.utf8))
        var b = Array(hasher.finalize().prefix(16))
        b[6] = (b[6] & 0x0F) | 0x50
        b[8] = (b[8] & 0x3F) | 0x80
        return b
    }

    static func format(_ b: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `kmeta.ChildName`: `parent + suffix`, shortened with an MD5 of the parent when over 63 characters.
enum ChildName {
    static func make(_ parent: String, _ suffix: String) -> String {
        let n = parent + suffix
        if n.count <= 63 { return n }
        func md5(_ s: String) -> String {
            Hex.string(Insecure.MD5.hash(data: Array(s.utf8)))
        }
        if suffix.count < 31 {
            return String(parent.prefix(63 - 32 - suffix.count)) + md5(parent) + suffix
        }
        var r = String(parent.prefix(31)) + md5(parent + suffix)
        r += suffix.prefix(63 - r.count)
        while let last = r.last, !(last.isLetter || last.isNumber) { r.removeLast() }
        return r
    }
}

enum Hex {
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
