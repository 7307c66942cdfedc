import Foundation
import ISVCCore

/// JSON text read into `Value` (JWT headers and payloads, JWKS documents). Integers stay integers;
/// anything else numeric is a Double.
struct JSONValue: Decodable {
    let value: Value

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            value = .null
        } else if let b = try? c.decode(Bool.self) {
            value = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            value = .int(i)
        } else if let d = try? c.decode(Double.self) {
            value = .double(d)
        } else if let s = try? c.decode(String.self) {
            value = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            value = .array(a.map(\.value))
        } else {
            value = .object(try c.decode([String: JSONValue].self).mapValues(\.value))
        }
    }

    /// Parses JSON text; nil when it is not JSON.
    static func parse(_ bytes: [UInt8]) -> Value? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)).value
    }
}

/// Base64url (RFC 4648 §5) without padding, as JWTs carry it; a trailing `=` padding is tolerated.
enum Base64URL {
    static func decode(_ text: Substring) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.hasSuffix("=") { s.removeLast() }
        guard s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else { return nil }
        if s.count % 4 == 1 { return nil }
        s += String(repeating: "=", count: (4 - s.count % 4) % 4)
        return Data(base64Encoded: s).map { [UInt8]($0) }
    }
}
