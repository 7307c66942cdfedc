/// Reads a model saved as JSON (`Booster.save_model("model.json")`) into an `XGBoostValue`.
///
/// A small strict JSON reader rather than JSONSerialization, for one reason of exactness: XGBoost
/// reads JSON reals as float32 directly, and so does this reader (`Float(text)` rounds the decimal
/// text once), where going through Double could round twice. It also accepts the `NaN` and
/// `Infinity` tokens XGBoost's writer emits for non-finite numbers, and bounds nesting depth.
struct XGBoostJSONReader: XGBoostDocumentReader {
    static let formatName = "JSON"
    let bytes: [UInt8]
    var position = 0
    let file: String

    mutating func document() throws(ModelError) -> XGBoostValue {
        let top = try value(depth: 0)
        skipSpace()
        return top
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func peek() throws(ModelError) -> UInt8 {
        skipSpace()
        guard position < bytes.count else { throw error("unexpected end of file (truncated?)") }
        return bytes[position]
    }

    private mutating func expect(_ literal: String) throws(ModelError) {
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else { throw error("expected '\(literal)'") }
            position += 1
        }
    }

    private mutating func value(depth: Int) throws(ModelError) -> XGBoostValue {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        switch try peek() {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "N"): try expect("NaN"); return .float(.nan)
        case UInt8(ascii: "I"): try expect("Infinity"); return .float(.infinity)
        default: return try number()
        }
    }

    private mutating func object(depth: Int) throws(ModelError) -> XGBoostValue {
        position += 1  // {
        var members: [String: XGBoostValue] = [:]
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try string()
            guard try peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            let member = try value(depth: depth + 1)
            if members[key] == nil { members[key] = member }  // XGBoost keeps the first of duplicates
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(ModelError) -> XGBoostValue {
        position += 1  // [
        var elements: [XGBoostValue] = []
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            switch try peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .packed(elements)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func number() throws(ModelError) -> XGBoostValue {
        let start = position
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "I") {
                try expect("Infinity")
                return .float(-.infinity)
            }
        }
        scan: while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): break
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                isInteger = false
            default: break scan
            }
            position += 1
        }
        guard position > start else { throw error("unexpected character '\(Unicode.Scalar(bytes[start]))'") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let v = Int64(text) { return .integer(v) }
        guard let v = Float(text), isWellFormed(bytes[start..<position]) else {
            throw error("'\(text.prefix(40))' is not a number")
        }
        return .float(v)
    }

    /// JSON's number grammar (Float(text) alone also accepts forms like "1." or ".5" or "0x1p3").
    private func isWellFormed(_ text: ArraySlice<UInt8>) -> Bool {
        var i = text.startIndex
        func digits() -> Int {
            let from = i
            while i < text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[i]) { i += 1 }
            return i - from
        }
        if i < text.endIndex, text[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() > 0 else { return false }
        if i < text.endIndex, text[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < text.endIndex, text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") {
            i += 1
            if i < text.endIndex, text[i] == UInt8(ascii: "+") || text[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == text.endIndex
    }

    private mutating func string() throws(ModelError) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw error("unterminated string (truncated?)") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw error("unterminated string (truncated?)") }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
                default: throw error("invalid escape '\\\(Unicode.Scalar(escaped))'")
                }
            case 0..<0x20:
                throw error("control character in a string")
            default:
                utf8.append(byte)
            }
        }
    }

    /// The UTF-8 bytes of a `\uXXXX` escape (the `\u` already read), joining surrogate pairs.
    private mutating func unicodeEscape() throws(ModelError) -> [UInt8] {
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count,
            bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
        {
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func hex4() throws(ModelError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
            position += 1
        }
        return code
    }
}
