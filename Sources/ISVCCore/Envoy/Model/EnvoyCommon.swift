import Foundation

/// The ingress gateway's Envoy v3 configuration as types: exactly the fields isvc emits, built by
/// `EnvoyBootstrap` and read by `isvc serve`'s gateway; it becomes a `Value` only when written out
/// (`value`), and a `Value` someone wrote becomes one only through `init(decoding:)`, which refuses
/// what the model does not hold.
public enum Envoy {}

extension Envoy {
    /// A protobuf duration as the config writes it (`"10s"`, `"0.250s"`). The text is kept as
    /// written (istiod passes an Istio duration it cannot convert through unchanged).
    public struct Duration: Sendable, Equatable, Hashable, ExpressibleByStringLiteral {
        public var text: String

        public init(_ text: String) { self.text = text }
        public init(stringLiteral text: String) { self.text = text }

        /// Seconds (`s`, also `ms`, `us`, `ns`, `m`, `h` as Istio inputs may pass through); nil when not a duration.
        public var seconds: Double? {
            let s = text.trimmingCharacters(in: .whitespaces)
            guard !s.isEmpty else { return nil }
            for (suffix, scale) in [("ms", 0.001), ("us", 0.000_001), ("ns", 0.000_000_001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
            where s.hasSuffix(suffix) {
                guard let n = Double(s.dropLast(suffix.count)), n.isFinite, n >= 0 else { return nil }
                return n * scale
            }
            return nil
        }

        var value: Value { .string(text) }
    }

    /// `socket_address`: an address and a port.
    public struct SocketAddress: Sendable, Equatable {
        public var address: String
        public var portValue: Int

        public init(address: String, portValue: Int) {
            self.address = address
            self.portValue = portValue
        }

        /// `{socket_address: {...}}`, as an `address` field holds it.
        var value: Value { ["socket_address": ["address": .string(address), "port_value": .int(portValue)]] }

        init(address r: EnvoyReader) throws {
            self = try r.object("socket_address") { s in
                SocketAddress(address: try s.string("address"), portValue: try s.int("port_value"))
            }
        }
    }

    /// `envoy.type.v3.FractionalPercent`.
    public struct FractionalPercent: Sendable, Equatable {
        public enum Denominator: String, Sendable {
            case hundred = "HUNDRED", tenThousand = "TEN_THOUSAND", million = "MILLION"
            var scale: Double {
                switch self {
                case .hundred: 100
                case .tenThousand: 10_000
                case .million: 1_000_000
                }
            }
        }

        public var numerator: Int
        public var denominator: Denominator

        public init(numerator: Int, denominator: Denominator) {
            self.numerator = numerator
            self.denominator = denominator
        }

        /// As a probability in 0...1.
        public var fraction: Double { min(1, max(0, Double(numerator) / denominator.scale)) }

        var value: Value { ["numerator": .int(numerator), "denominator": .string(denominator.rawValue)] }

        init(_ r: EnvoyReader) throws {
            numerator = try r.int("numerator")
            // Envoy's default denominator is HUNDRED; isvc always writes it.
            denominator = try r.enumeration(ifPresent: "denominator", Denominator.self) ?? .hundred
        }
    }

    /// `envoy.type.matcher.v3.StringMatcher`.
    public struct StringMatcher: Sendable, Equatable {
        public enum Pattern: Sendable, Equatable {
            case exact(String), prefix(String), suffix(String), contains(String)
            /// `safe_regex` (RE2, matched against the whole value).
            case safeRegex(String)
        }

        public var pattern: Pattern
        public var ignoreCase: Bool

        public init(_ pattern: Pattern, ignoreCase: Bool = false) {
            self.pattern = pattern
            self.ignoreCase = ignoreCase
        }

        public static func exact(_ s: String) -> StringMatcher { StringMatcher(.exact(s)) }
        public static func prefix(_ s: String) -> StringMatcher { StringMatcher(.prefix(s)) }
        public static func suffix(_ s: String) -> StringMatcher { StringMatcher(.suffix(s)) }
        public static func safeRegex(_ s: String) -> StringMatcher { StringMatcher(.safeRegex(s)) }

        var value: Value {
            var o: [String: Value]
            switch pattern {
            case .exact(let s): o = ["exact": .string(s)]
            case .prefix(let s): o = ["prefix": .string(s)]
            case .suffix(let s): o = ["suffix": .string(s)]
            case .contains(let s): o = ["contains": .string(s)]
            case .safeRegex(let s): o = ["safe_regex": ["regex": .string(s)]]
            }
            if ignoreCase { o["ignore_case"] = true }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            switch try r.oneOf(["exact", "prefix", "suffix", "contains", "safe_regex"]) {
            case "exact": pattern = .exact(try r.string("exact"))
            case "prefix": pattern = .prefix(try r.string("prefix"))
            case "suffix": pattern = .suffix(try r.string("suffix"))
            case "contains": pattern = .contains(try r.string("contains"))
            default: pattern = .safeRegex(try r.object("safe_regex") { try $0.string("regex") })
            }
            ignoreCase = try r.bool(ifPresent: "ignore_case") ?? false
        }
    }

    /// `config.route.v3.HeaderMatcher` (routes and RBAC): a string match or presence, maybe inverted.
    public struct HeaderMatcher: Sendable, Equatable {
        public enum Test: Sendable, Equatable {
            case stringMatch(StringMatcher)
            case present(Bool)
        }

        public var name: String
        public var test: Test
        public var invertMatch: Bool
        /// A missing header counts as present and empty for a string match.
        public var treatMissingHeaderAsEmpty: Bool

        public init(name: String, _ test: Test, invertMatch: Bool = false, treatMissingHeaderAsEmpty: Bool = false) {
            self.name = name
            self.test = test
            self.invertMatch = invertMatch
            self.treatMissingHeaderAsEmpty = treatMissingHeaderAsEmpty
        }

        var value: Value {
            var o: [String: Value] = ["name": .string(name)]
            switch test {
            case .stringMatch(let m): o["string_match"] = m.value
            case .present(let p): o["present_match"] = .bool(p)
            }
            if invertMatch { o["invert_match"] = true }
            if treatMissingHeaderAsEmpty { o["treat_missing_header_as_empty"] = true }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            switch try r.oneOf(["string_match", "present_match"]) {
            case "string_match": test = .stringMatch(try r.object("string_match", StringMatcher.init))
            default: test = .present(try r.bool("present_match"))
            }
            invertMatch = try r.bool(ifPresent: "invert_match") ?? false
            treatMissingHeaderAsEmpty = try r.bool(ifPresent: "treat_missing_header_as_empty") ?? false
        }
    }

    /// `config.route.v3.QueryParameterMatcher`; with neither test, Envoy matches when the parameter is present.
    public struct QueryParameterMatcher: Sendable, Equatable {
        public var name: String
        public var test: HeaderMatcher.Test?

        public init(name: String, _ test: HeaderMatcher.Test?) {
            self.name = name
            self.test = test
        }

        var value: Value {
            var o: [String: Value] = ["name": .string(name)]
            switch test {
            case .stringMatch(let m)?: o["string_match"] = m.value
            case .present(let p)?: o["present_match"] = .bool(p)
            case nil: break
            }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            name = try r.string("name")
            if r.has("string_match") || r.has("present_match") {
                switch try r.oneOf(["string_match", "present_match"]) {
                case "string_match": test = .stringMatch(try r.object("string_match", StringMatcher.init))
                default: test = .present(try r.bool("present_match"))
                }
            } else {
                test = nil
            }
        }
    }

    /// `config.core.v3.HeaderValueOption`: a header to add, and how.
    public struct HeaderValueOption: Sendable, Equatable {
        public enum AppendAction: String, Sendable {
            case appendIfExistsOrAdd = "APPEND_IF_EXISTS_OR_ADD", addIfAbsent = "ADD_IF_ABSENT"
            case overwriteIfExistsOrAdd = "OVERWRITE_IF_EXISTS_OR_ADD", overwriteIfExists = "OVERWRITE_IF_EXISTS"
        }

        public var key: String
        public var headerValue: String
        /// Unset: Envoy's default, APPEND_IF_EXISTS_OR_ADD.
        public var appendAction: AppendAction?
        /// An empty value is added only with this set (Envoy skips it otherwise).
        public var keepEmptyValue: Bool

        public init(key: String, headerValue: String, appendAction: AppendAction? = nil, keepEmptyValue: Bool = false) {
            self.key = key
            self.headerValue = headerValue
            self.appendAction = appendAction
            self.keepEmptyValue = keepEmptyValue
        }

        var value: Value {
            var o: [String: Value] = ["header": ["key": .string(key), "value": .string(headerValue)]]
            if let appendAction { o["append_action"] = .string(appendAction.rawValue) }
            if keepEmptyValue { o["keep_empty_value"] = true }
            return .object(o)
        }

        init(_ r: EnvoyReader) throws {
            (key, headerValue) = try r.object("header") { h in (try h.string("key"), try h.string(ifPresent: "value") ?? "") }
            appendAction = try r.enumeration(ifPresent: "append_action", AppendAction.self)
            keepEmptyValue = try r.bool(ifPresent: "keep_empty_value") ?? false
        }
    }
}
