extension Envoy {
    /// `envoy.filters.http.rbac`'s config: an action and named policies (a policy matches when one of
    /// its permissions and one of its principals match).
    public struct RBAC: Sendable, Equatable {
        static let typeURL = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"

        public enum Action: String, Sendable { case allow = "ALLOW", deny = "DENY", log = "LOG" }

        public struct Policy: Sendable, Equatable {
            public var permissions: [Permission]
            public var principals: [Principal]
            public init(permissions: [Permission], principals: [Principal]) {
                self.permissions = permissions
                self.principals = principals
            }
        }

        /// Unset: Envoy's default, ALLOW.
        public var action: Action?
        public var policies: [String: Policy]

        public init(action: Action?, policies: [String: Policy]) {
            self.action = action
            self.policies = policies
        }

        var value: Value {
            var rules: [String: Value] = [
                "policies": .object(
                    policies.mapValues { p in
                        ["permissions": .array(p.permissions.map(\.value)), "principals": .array(p.principals.map(\.value))]
                    })
            ]
            if let action { rules["action"] = .string(action.rawValue) }
            return ["@type": .string(Self.typeURL), "rules": .object(rules)]
        }

        init(_ r: EnvoyReader) throws {
            try r.typeURL(Self.typeURL)
            (action, policies) = try r.object("rules") { rules in
                (
                    try rules.enumeration(ifPresent: "action", Action.self),
                    try rules.map("policies") { p in
                        Policy(
                            permissions: try p.objects("permissions", Permission.init),
                            principals: try p.objects("principals", Principal.init))
                    }
                )
            }
        }
    }

    /// An RBAC permission: what the request is.
    public indirect enum Permission: Sendable, Equatable {
        case any
        case andRules([Permission])
        case orRules([Permission])
        case notRule(Permission)
        case header(HeaderMatcher)
        case urlPath(StringMatcher)

        var value: Value {
            switch self {
            case .any: ["any": true]
            case .andRules(let l): ["and_rules": ["rules": .array(l.map(\.value))]]
            case .orRules(let l): ["or_rules": ["rules": .array(l.map(\.value))]]
            case .notRule(let p): ["not_rule": p.value]
            case .header(let h): ["header": h.value]
            case .urlPath(let m): ["url_path": ["path": m.value]]
            }
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["any", "and_rules", "or_rules", "not_rule", "header", "url_path"]) {
            case "any":
                guard try r.bool("any") else { throw r.error("any", "false matches nothing; isvc represents only true") }
                self = .any
            case "and_rules": self = .andRules(try r.object("and_rules") { try $0.objects("rules", Permission.init) })
            case "or_rules": self = .orRules(try r.object("or_rules") { try $0.objects("rules", Permission.init) })
            case "not_rule": self = .notRule(try r.object("not_rule", Permission.init))
            case "header": self = .header(try r.object("header", HeaderMatcher.init))
            default: self = .urlPath(try r.object("url_path") { try $0.object("path", StringMatcher.init) })
            }
        }
    }

    /// An RBAC principal: who sends the request (here, the verified JWT payloads in dynamic metadata).
    public indirect enum Principal: Sendable, Equatable {
        case any
        case andIds([Principal])
        case orIds([Principal])
        case notId(Principal)
        case header(HeaderMatcher)
        case urlPath(StringMatcher)
        case metadata(MetadataMatcher)

        var value: Value {
            switch self {
            case .any: ["any": true]
            case .andIds(let l): ["and_ids": ["ids": .array(l.map(\.value))]]
            case .orIds(let l): ["or_ids": ["ids": .array(l.map(\.value))]]
            case .notId(let p): ["not_id": p.value]
            case .header(let h): ["header": h.value]
            case .urlPath(let m): ["url_path": ["path": m.value]]
            case .metadata(let m): ["metadata": m.rendered]
            }
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["any", "and_ids", "or_ids", "not_id", "header", "url_path", "metadata"]) {
            case "any":
                guard try r.bool("any") else { throw r.error("any", "false matches nothing; isvc represents only true") }
                self = .any
            case "and_ids": self = .andIds(try r.object("and_ids") { try $0.objects("ids", Principal.init) })
            case "or_ids": self = .orIds(try r.object("or_ids") { try $0.objects("ids", Principal.init) })
            case "not_id": self = .notId(try r.object("not_id", Principal.init))
            case "header": self = .header(try r.object("header", HeaderMatcher.init))
            case "url_path": self = .urlPath(try r.object("url_path") { try $0.object("path", StringMatcher.init) })
            default: self = .metadata(try r.object("metadata", MetadataMatcher.init))
            }
        }
    }

    /// `type.matcher.v3.MetadataMatcher`: a value at a path of a filter's dynamic metadata.
    public struct MetadataMatcher: Sendable, Equatable {
        public var filter: String
        public var path: [String]
        public var value: ValueMatcher
        public var invert: Bool

        public init(filter: String, path: [String], value: ValueMatcher, invert: Bool = false) {
            self.filter = filter
            self.path = path
            self.value = value
            self.invert = invert
        }

        var rendered: Value {
            var o: [String: Value] = ["filter": .string(filter), "path": .array(path.map { ["key": .string($0)] }), "value": value.value]
            if invert { o["invert"] = true }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            filter = try r.string("filter")
            path = try r.objects("path") { try $0.string("key") }
            value = try r.object("value", ValueMatcher.init)
            invert = try r.bool(ifPresent: "invert") ?? false
        }
    }

    /// `type.matcher.v3.ValueMatcher` (the kinds isvc writes and reads).
    public indirect enum ValueMatcher: Sendable, Equatable {
        case stringMatch(StringMatcher)
        case presentMatch(Bool)
        case boolMatch(Bool)
        /// `list_match.one_of`: some element of a list matches.
        case listOneOf(ValueMatcher)

        var value: Value {
            switch self {
            case .stringMatch(let m): ["string_match": m.value]
            case .presentMatch(let b): ["present_match": .bool(b)]
            case .boolMatch(let b): ["bool_match": .bool(b)]
            case .listOneOf(let m): ["list_match": ["one_of": m.value]]
            }
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["string_match", "present_match", "bool_match", "list_match"]) {
            case "string_match": self = .stringMatch(try r.object("string_match", StringMatcher.init))
            case "present_match": self = .presentMatch(try r.bool("present_match"))
            case "bool_match": self = .boolMatch(try r.bool("bool_match"))
            default: self = .listOneOf(try r.object("list_match") { try $0.object("one_of", ValueMatcher.init) })
            }
        }
    }
}
