/// Re-encodes a JSON model as UBJSON in styles other than XGBoost's own writer, to check the
/// reader follows the UBJSON spec: counted objects, terminated arrays, typed arrays, small
/// integer markers, float64 reals and no-op markers. Integers and reals are told apart by how
/// the JSON writes them, as XGBoost does.
struct XGBoostUBJSONTestEncoder {
    struct Style {
        /// Objects and untyped arrays carry a `#` count instead of a terminator.
        var counted: Bool
        /// Arrays of one numeric kind are written as `[$d#…` / `[$l#…` typed arrays.
        var typedArrays: Bool
        /// Reals are written as float64 (`D`) rather than float32 (`d`).
        var doubles: Bool
        /// Lengths and integers use the smallest marker (`i`, `U`, `I`, `l`) instead of `L`.
        var smallIntegers: Bool
        /// `N` no-op markers between object members.
        var noOps: Bool
    }

    indirect enum Node {
        case null, bool(Bool), integer(Int64), real(String), string(String)
        case array([Node]), object([(String, Node)])
    }

    let style: Style

    static func encode(json: [UInt8], style: Style) throws -> [UInt8] {
        var parser = Parser(bytes: json)
        return XGBoostUBJSONTestEncoder(style: style).encode(try parser.value())
    }

    func encode(_ node: Node) -> [UInt8] {
        switch node {
        case .null: return [UInt8(ascii: "Z")]
        case .bool(let b): return [UInt8(ascii: b ? "T" : "F")]
        case .integer(let v): return integer(v)
        case .real(let text): return real(text)
        case .string(let s): return [UInt8(ascii: "S")] + length(s.utf8.count) + Array(s.utf8)
        case .array(let elements):
            if style.typedArrays, !elements.isEmpty, elements.allSatisfy({ if case .real = $0 { true } else { false } }) {
                var out: [UInt8] = Array("[$d#".utf8) + length(elements.count)
                for case .real(let text) in elements { out += be((Float(text) ?? .nan).bitPattern) }
                return out
            }
            if style.typedArrays, !elements.isEmpty, elements.allSatisfy({ if case .integer = $0 { true } else { false } }) {
                var out: [UInt8] = Array("[$l#".utf8) + length(elements.count)
                for case .integer(let v) in elements { out += be(UInt32(truncatingIfNeeded: v)) }
                return out
            }
            var out: [UInt8] = [UInt8(ascii: "[")]
            if style.counted { out += [UInt8(ascii: "#")] + length(elements.count) }
            for element in elements { out += encode(element) }
            if !style.counted { out.append(UInt8(ascii: "]")) }
            return out
        case .object(let members):
            var out: [UInt8] = [UInt8(ascii: "{")]
            if style.counted { out += [UInt8(ascii: "#")] + length(members.count) }
            for (key, value) in members {
                if style.noOps && !style.counted { out.append(UInt8(ascii: "N")) }
                out += length(key.utf8.count) + Array(key.utf8) + encode(value)
            }
            if !style.counted { out.append(UInt8(ascii: "}")) }
            return out
        }
    }

    private func length(_ n: Int) -> [UInt8] { integer(Int64(n)) }

    private func integer(_ v: Int64) -> [UInt8] {
        guard style.smallIntegers else { return [UInt8(ascii: "L")] + be(UInt64(bitPattern: v)) }
        switch v {
        case -128...127: return [UInt8(ascii: "i"), UInt8(bitPattern: Int8(v))]
        case 128...255: return [UInt8(ascii: "U"), UInt8(v)]
        case -32768...32767: return [UInt8(ascii: "I")] + be(UInt16(bitPattern: Int16(v)))
        case -2147483648...2147483647: return [UInt8(ascii: "l")] + be(UInt32(bitPattern: Int32(v)))
        default: return [UInt8(ascii: "L")] + be(UInt64(bitPattern: v))
        }
    }

    private func real(_ text: String) -> [UInt8] {
        style.doubles
            ? [UInt8(ascii: "D")] + be((Double(text) ?? .nan).bitPattern)
            : [UInt8(ascii: "d")] + be((Float(text) ?? .nan).bitPattern)
    }

    private func be<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }
    }

    /// A minimal JSON parser for XGBoost's own (compact, ASCII) JSON output.
    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func value() throws -> Node {
            guard i < bytes.count else { throw FixtureError("JSON ends early") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var members: [(String, Node)] = []
                while bytes[i] != UInt8(ascii: "}") {
                    if bytes[i] == UInt8(ascii: ",") { i += 1 }
                    guard case .string(let key) = try value() else { throw FixtureError("key") }
                    i += 1  // :
                    members.append((key, try value()))
                }
                i += 1
                return .object(members)
            case UInt8(ascii: "["):
                i += 1
                var elements: [Node] = []
                while bytes[i] != UInt8(ascii: "]") {
                    if bytes[i] == UInt8(ascii: ",") { i += 1 }
                    elements.append(try value())
                }
                i += 1
                return .array(elements)
            case UInt8(ascii: "\""):
                let start = i + 1
                i = start
                while bytes[i] != UInt8(ascii: "\"") { i += 1 }
                i += 1
                return .string(String(decoding: bytes[start..<(i - 1)], as: UTF8.self))
            case UInt8(ascii: "t"): i += 4; return .bool(true)
            case UInt8(ascii: "f"): i += 5; return .bool(false)
            case UInt8(ascii: "n"): i += 4; return .null
            default:
                let start = i
                while i < bytes.count, "0123456789+-.eE".utf8.contains(bytes[i]) { i += 1 }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                if let v = Int64(text) { return .integer(v) }
                return .real(text)
            }
        }
    }
}
