/// Why an Envoy config written as a `Value` (YAML or JSON someone wrote) cannot be read into the typed
/// model: the field, as a path from the bootstrap (`static_resources.listeners[0].name`), and what is
/// wrong with it. The model holds exactly what isvc emits and serve follows, so a field it does not
/// know is refused rather than ignored.
public struct EnvoyDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "Envoy config \(path.isEmpty ? "(top level)" : path): \(reason)" }
}

/// One object of an Envoy config being decoded. Every field read is marked; `finish` refuses the
/// fields nobody read, naming them.
final class EnvoyReader {
    let path: String
    let fields: [String: Value]
    private var seen: Set<String> = []

    init(_ value: Value, path: String) throws {
        guard case .object(let o) = value else { throw EnvoyDecodingError(path: path, reason: "expected an object") }
        self.path = path
        fields = o
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ reason: String) -> EnvoyDecodingError { EnvoyDecodingError(path: at(key), reason: reason) }

    func has(_ key: String) -> Bool { fields[key] != nil }

    func raw(_ key: String) -> Value? {
        seen.insert(key)
        return fields[key]
    }

    func required(_ key: String) throws -> Value {
        guard let v = raw(key) else { throw error(key, "required field missing") }
        return v
    }

    /// The one field of a oneof that is set (`exact`, `prefix`, ...).
    func oneOf(_ keys: [String]) throws -> String {
        let present = keys.filter(has)
        if present.isEmpty, let unknown = fields.keys.filter({ !seen.contains($0) }).sorted().first {
            // Most likely what was meant instead: name it.
            throw error(unknown, "isvc does not represent this field; one of \(keys.joined(separator: ", ")) is needed here")
        }
        guard present.count == 1 else {
            let what = present.isEmpty ? "none of" : "more than one of"
            throw EnvoyDecodingError(path: path, reason: "\(what) \(keys.joined(separator: ", ")) is set; exactly one is needed")
        }
        return present[0]
    }

    func string(_ key: String) throws -> String {
        guard case .string(let s) = try required(key) else { throw error(key, "expected a string") }
        return s
    }

    func string(ifPresent key: String) throws -> String? {
        guard has(key) else { return nil }
        return try string(key)
    }

    func int(_ key: String) throws -> Int {
        guard case .int(let i) = try required(key) else { throw error(key, "expected an integer") }
        return i
    }

    func int(ifPresent key: String) throws -> Int? {
        guard has(key) else { return nil }
        return try int(key)
    }

    func bool(_ key: String) throws -> Bool {
        guard case .bool(let b) = try required(key) else { throw error(key, "expected true or false") }
        return b
    }

    func bool(ifPresent key: String) throws -> Bool? {
        guard has(key) else { return nil }
        return try bool(key)
    }

    func duration(_ key: String) throws -> Envoy.Duration {
        let text = try string(key)
        guard Envoy.Duration(text).seconds != nil else { throw error(key, "\"\(text)\" is not a duration (like \"1.5s\")") }
        return Envoy.Duration(text)
    }

    func duration(ifPresent key: String) throws -> Envoy.Duration? {
        guard has(key) else { return nil }
        return try duration(key)
    }

    /// A string field that must be one of an enum's raw values.
    func enumeration<E: RawRepresentable>(_ key: String, _ type: E.Type) throws -> E where E.RawValue == String {
        let text = try string(key)
        guard let e = E(rawValue: text) else { throw error(key, "\"\(text)\" is not a value isvc represents") }
        return e
    }

    func enumeration<E: RawRepresentable>(ifPresent key: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard has(key) else { return nil }
        return try enumeration(key, type)
    }

    func array(_ key: String) throws -> [Value] {
        guard let v = raw(key) else { return [] }
        guard case .array(let a) = v else { throw error(key, "expected a list") }
        return a
    }

    func strings(_ key: String) throws -> [String] {
        var out: [String] = []
        for (i, v) in try array(key).enumerated() {
            guard case .string(let s) = v else { throw error("\(key)[\(i)]", "expected a string") }
            out.append(s)
        }
        return out
    }

    func ints(_ key: String) throws -> [Int] {
        var out: [Int] = []
        for (i, v) in try array(key).enumerated() {
            guard case .int(let n) = v else { throw error("\(key)[\(i)]", "expected an integer") }
            out.append(n)
        }
        return out
    }

    /// A nested object, read by `make` and then finished (its unread fields refused).
    func object<T>(_ key: String, _ make: (EnvoyReader) throws -> T) throws -> T {
        try Self.read(try required(key), path: at(key), make)
    }

    func object<T>(ifPresent key: String, _ make: (EnvoyReader) throws -> T) throws -> T? {
        guard has(key) else { return nil }
        return try object(key, make)
    }

    /// A list of objects (absent: empty).
    func objects<T>(_ key: String, _ make: (EnvoyReader) throws -> T) throws -> [T] {
        var out: [T] = []
        for (i, v) in try array(key).enumerated() { out.append(try Self.read(v, path: at("\(key)[\(i)]"), make)) }
        return out
    }

    /// An object whose keys are names (`providers`, `policies`), each value read by `make`.
    func map<T>(_ key: String, _ make: (EnvoyReader) throws -> T) throws -> [String: T] {
        guard let v = raw(key) else { return [:] }
        guard case .object(let o) = v else { throw error(key, "expected an object") }
        var out: [String: T] = [:]
        for name in o.keys.sorted() { out[name] = try Self.read(o[name]!, path: at("\(key).\(name)"), make) }
        return out
    }

    /// Checks a `typed_config`'s `@type`.
    func typeURL(_ expected: String) throws {
        let url = try string("@type")
        guard url == expected else { throw error("@type", "\"\(url)\" where \"\(expected)\" is expected") }
    }

    /// Refuses every field that was not read.
    func finish() throws {
        if let unknown = fields.keys.filter({ !seen.contains($0) }).sorted().first {
            throw error(unknown, "isvc does not represent this field")
        }
    }

    static func read<T>(_ value: Value, path: String, _ make: (EnvoyReader) throws -> T) throws -> T {
        let reader = try EnvoyReader(value, path: path)
        let out = try make(reader)
        try reader.finish()
        return out
    }
}
