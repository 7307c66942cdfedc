import ISVCCore

/// One entry of an Envoy route's `request_headers_to_add` or `response_headers_to_add`, read once.
struct HeaderOperation: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        /// APPEND_IF_EXISTS_OR_ADD: Envoy's default.
        case append
        /// OVERWRITE_IF_EXISTS_OR_ADD.
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

    /// nil for an entry with an empty value (Envoy drops those unless `keep_empty_value`).
    init?(_ o: Envoy.HeaderValueOption) {
        guard !o.headerValue.isEmpty || o.keepEmptyValue else { return nil }
        name = o.key
        value = o.headerValue
        // Unset: Envoy's default, APPEND_IF_EXISTS_OR_ADD.
        switch o.appendAction ?? .appendIfExistsOrAdd {
        case .appendIfExistsOrAdd: action = .append
        case .overwriteIfExistsOrAdd: action = .overwriteOrAdd
        case .addIfAbsent: action = .addIfAbsent
        case .overwriteIfExists: action = .overwriteIfExists
        }
    }

    static func list(_ options: [Envoy.HeaderValueOption]) -> [HeaderOperation] { options.compactMap(HeaderOperation.init) }

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
