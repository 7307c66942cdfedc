import ISVCCore

/// One entry of an Envoy route's `request_headers_to_add` or `response_headers_to_add`, read once.
struct HeaderOperation: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        /// APPEND_IF_EXISTS_OR_ADD: Envoy's default (and the legacy `append: true`).
        case append
        /// OVERWRITE_IF_EXISTS_OR_ADD (the legacy `append: false`).
        case overwriteOrAdd
        /// ADD_IF_ABSENT.
        case addIfAbsent
        /// OVERWRITE_IF_EXISTS.
        case overwriteIfExists
    }

    var name: String
    var value: String
    var action: Action

    init(name: String, value: String, action: Action) {
        self.name = name
        self.value = value
        self.action = action
    }

    /// nil for an entry without a key, or with an empty value (Envoy drops those unless `keep_empty_value`).
    init?(_ v: Value) {
        guard let name = v[path: ["header", "key"]]?.string, let value = v[path: ["header", "value"]]?.string,
              !value.isEmpty || v["keep_empty_value"] == .bool(true) else { return nil }
        self.name = name
        self.value = value
        switch v["append_action"]?.string {
        case "OVERWRITE_IF_EXISTS_OR_ADD": action = .overwriteOrAdd
        case "ADD_IF_ABSENT": action = .addIfAbsent
        case "OVERWRITE_IF_EXISTS": action = .overwriteIfExists
        case "APPEND_IF_EXISTS_OR_ADD": action = .append
        default: action = v["append"] == .bool(false) ? .overwriteOrAdd : .append
        }
    }

    static func list(_ v: Value?) -> [HeaderOperation] { (v?.array ?? []).compactMap(HeaderOperation.init) }

    /// Removals first, then additions in order, as Envoy applies a route's header operations.
    static func apply(_ operations: [HeaderOperation], removing remove: [String], to headers: inout [(name: String, value: String)]) {
        for name in remove { headers.removeAll { GatewayRouter.sameName($0.name, name) } }
        for op in operations {
            switch op.action {
            case .append:
                headers.append((op.name, op.value))
            case .overwriteOrAdd:
                headers.removeAll { GatewayRouter.sameName($0.name, op.name) }
                headers.append((op.name, op.value))
            case .addIfAbsent:
                if !headers.contains(where: { GatewayRouter.sameName($0.name, op.name) }) { headers.append((op.name, op.value)) }
            case .overwriteIfExists:
                guard headers.contains(where: { GatewayRouter.sameName($0.name, op.name) }) else { continue }
                headers.removeAll { GatewayRouter.sameName($0.name, op.name) }
                headers.append((op.name, op.value))
            }
        }
    }
}
