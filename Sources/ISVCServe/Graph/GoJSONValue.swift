/// A JSON value as Go's `encoding/json` holds an `interface{}` it decoded, and writes it back: the
/// InferenceGraph router re-encodes what it decodes (`mapPredictionsToInstances`, the Ensemble merge),
/// so its output bytes are Go's, not the model's: numbers become float64 in Go's shortest form
/// (`1.0` → `1`, `1e-7`, `1e+21`, `1152921504606846976` → `1152921504606847000`), object keys are
/// sorted by bytes with the last duplicate kept, strings are re-escaped (`<` → `\u003c`, invalid
/// UTF-8 → U+FFFD).
indirect enum GoJSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    /// UTF-8 bytes after unescaping (always valid UTF-8: Go replaces bad bytes with U+FFFD).
    case string([UInt8])
    case array([GoJSONValue])
    /// A Go map: keys unique (the last duplicate won), written sorted.
    case object([[UInt8]: GoJSONValue])

    /// What `json.Unmarshal` reports besides syntax errors, in Go's words.
    struct DecodeError: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    // MARK: Decoding

    /// Decodes one valid JSON text (check it with `GoJSONScanner` first: this does not report syntax).
    /// Numbers out of float64's range are reported as Go reports them, after the rest is decoded.
    static func decode(validJSON bytes: [UInt8]) -> (value: GoJSONValue, error: DecodeError?) {
        var reader = Reader(bytes: bytes)
        let value = reader.value()
        return (value, reader.error)
    }

    /// `json.Unmarshal(body, &map[string]interface{})`: the value is nil for a `null` body; an error is
    /// Go's syntax message or its "cannot unmarshal" one.
    static func decodeObject(_ body: [UInt8]) -> Result<GoJSONValue, DecodeError> {
        if let syntax = GoJSONScanner.firstError(body) { return .failure(DecodeError(message: syntax.message)) }
        let (value, error) = decode(validJSON: body)
        let target = "map[string]interface {}"
        switch value {
        case .object, .null:
            if let error { return .failure(error) }
            return .success(value)
        case .array: return .failure(DecodeError(message: "json: cannot unmarshal array into Go value of type \(target)"))
        case .string: return .failure(DecodeError(message: "json: cannot unmarshal string into Go value of type \(target)"))
        case .number: return .failure(DecodeError(message: "json: cannot unmarshal number into Go value of type \(target)"))
        case .bool: return .failure(DecodeError(message: "json: cannot unmarshal bool into Go value of type \(target)"))
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var error: DecodeError?

        init(bytes: [UInt8]) { self.bytes = bytes }

        private enum Frame {
            case array([GoJSONValue])
            case object([[UInt8]: GoJSONValue], key: [UInt8])
        }

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        /// The next value, without recursion (the scanner allows 10 000 levels).
        mutating func value() -> GoJSONValue {
            var frames: [Frame] = []
            while true {
                skipSpace()
                guard index < bytes.count else { return .null }
                var done: GoJSONValue
                switch bytes[index] {
                case UInt8(ascii: "{"):
                    index += 1
                    skipSpace()
                    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        done = .object([:])
                    } else {
                        frames.append(.object([:], key: key()))
                        continue
                    }
                case UInt8(ascii: "["):
                    index += 1
                    skipSpace()
                    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        done = .array([])
                    } else {
                        frames.append(.array([]))
                        continue
                    }
                case UInt8(ascii: "\""): done = .string(string())
                case UInt8(ascii: "t"): index += 4; done = .bool(true)
                case UInt8(ascii: "f"): index += 5; done = .bool(false)
                case UInt8(ascii: "n"): index += 4; done = .null
                default: done = number()
                }
                // Close every container this value completes.
                while true {
                    guard let frame = frames.popLast() else { return done }
                    skipSpace()
                    let more = index < bytes.count && bytes[index] == UInt8(ascii: ",")
                    index += 1
                    switch frame {
                    case .array(var items):
                        items.append(done)
                        if more {
                            frames.append(.array(items))
                        } else {
                            done = .array(items)
                            continue
                        }
                    case .object(var members, let key):
                        members[key] = done
                        if more {
                            skipSpace()
                            frames.append(.object(members, key: self.key()))
                        } else {
                            done = .object(members)
                            continue
                        }
                    }
                    break
                }
            }
        }

        /// An object key and its colon.
        mutating func key() -> [UInt8] {
            skipSpace()
            let k = string()
            skipSpace()
            index += 1  // ':'
            return k
        }

        mutating func string() -> [UInt8] {
            let start = index + 1
            var end = start
            var escaped = false
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") {
                    escaped = true
                    end += 1
                }
                end += 1
            }
            index = min(end + 1, bytes.count)
            return GoJSONValue.unquote(bytes[start..<min(end, bytes.count)], escaped: escaped)
        }

        mutating func number() -> GoJSONValue {
            let start = index
            while index < bytes.count, Self.numberByte(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            let value = Double(text) ?? 0
            if value.isInfinite, error == nil {
                error = DecodeError(message: "json: cannot unmarshal number \(text) into Go value of type float64")
            }
            return .number(value)
        }

        static func numberByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
        }
    }

    /// The bytes of a JSON string's contents as Go's decoder unquotes them: escapes resolved, a bad
    /// surrogate pair and every invalid UTF-8 byte replaced by U+FFFD (Go's `utf8.DecodeRune` rules).
    static func unquote(_ raw: ArraySlice<UInt8>, escaped: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let c = raw[i]
            if c == UInt8(ascii: "\\"), escaped, i + 1 < raw.endIndex {
                let e = raw[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = hex4(raw, at: i) ?? 0xFFFD
                    i += 4
                    // Go keeps a surrogate only as the first half of a valid pair; else U+FFFD.
                    if (0xD800..<0xE000).contains(scalar) {
                        if scalar < 0xDC00, i + 1 < raw.endIndex, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                            let low = hex4(raw, at: i + 2), (0xDC00..<0xE000).contains(low)
                        {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    }
                    appendUTF8(UInt32(scalar), to: &out)
                default: out.append(e)  // \" \\ \/
                }
                continue
            }
            if c < 0x80 {
                out.append(c)
                i += 1
                continue
            }
            let (scalar, size) = decodeRune(raw, at: i)
            if scalar == 0xFFFD && size == 1 {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            } else {
                out.append(contentsOf: raw[i..<i + size])
            }
            i += size
        }
        return out
    }

    private static func hex4(_ raw: ArraySlice<UInt8>, at i: Int) -> Int? {
        guard i >= raw.startIndex, i + 4 <= raw.endIndex else { return nil }
        var n = 0
        for c in raw[i..<i + 4] {
            guard let d = Int(String(UnicodeScalar(c)), radix: 16) else { return nil }
            n = n * 16 + d
        }
        return n
    }

    /// Go's `utf8.DecodeRune`: (U+FFFD, 1) for anything that is not the shortest encoding of a scalar.
    static func decodeRune<C: RandomAccessCollection<UInt8>>(_ b: C, at i: C.Index) -> (scalar: UInt32, size: Int)
    where C.Index == Int {
        let b0 = b[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        func cont(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> UInt32? {
            guard i + k < b.endIndex, b[i + k] >= low, b[i + k] <= high else { return nil }
            return UInt32(b[i + k] & 0x3F)
        }
        switch b0 {
        case 0xC2...0xDF:
            if let c1 = cont(1) { return (UInt32(b0 & 0x1F) << 6 | c1, 2) }
        case 0xE0...0xEF:
            let (low, high): (UInt8, UInt8) = b0 == 0xE0 ? (0xA0, 0xBF) : b0 == 0xED ? (0x80, 0x9F) : (0x80, 0xBF)
            if let c1 = cont(1, low, high), let c2 = cont(2) { return (UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2, 3) }
        case 0xF0...0xF4:
            let (low, high): (UInt8, UInt8) = b0 == 0xF0 ? (0x90, 0xBF) : b0 == 0xF4 ? (0x80, 0x8F) : (0x80, 0xBF)
            if let c1 = cont(1, low, high), let c2 = cont(2), let c3 = cont(3) {
                return (UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
            }
        default: break
        }
        return (0xFFFD, 1)
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        let s = UnicodeScalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(s).utf8))
    }

    // MARK: Encoding

    /// `json.Marshal` of this value.
    var goJSON: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .number(let d): out += Array(Self.goFloat(d).utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in members.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A string as Go 1.22+ writes it with HTML escaping (json.Marshal's default).
    static func writeString<C: RandomAccessCollection<UInt8>>(_ s: C, into out: inout [UInt8]) where C.Index == Int {
        out.append(UInt8(ascii: "\""))
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c < 0x80 {
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), c]
                case 0x08: out += Array(#"\b"#.utf8)
                case 0x0C: out += Array(#"\f"#.utf8)
                case 0x0A: out += Array(#"\n"#.utf8)
                case 0x0D: out += Array(#"\r"#.utf8)
                case 0x09: out += Array(#"\t"#.utf8)
                case 0x00..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                    out += Array(("\\u00" + GoJSONScanner.hex(c, width: 2)).utf8)
                default: out.append(c)
                }
                i += 1
                continue
            }
            let (scalar, size) = decodeRune(s, at: i)
            if scalar == 0xFFFD && size == 1 {
                out += Array(#"\ufffd"#.utf8)
            } else if scalar == 0x2028 || scalar == 0x2029 {
                out += Array((scalar == 0x2028 ? #"\u2028"# : #"\u2029"#).utf8)
            } else {
                out += s[i..<i + size]
            }
            i += size
        }
        out.append(UInt8(ascii: "\""))
    }

    /// encoding/json's float64: `strconv.FormatFloat(f, 'f', -1, 64)`, or 'e' below 1e-6 and from 1e21
    /// with a one-digit negative exponent unpadded (`1e-7`, but `1e+21`).
    static func goFloat(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        let magnitude = abs(d)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponent = point - 1
            let expDigits = String(abs(exponent))
            let padded = exponent < 0 ? expDigits : (expDigits.count < 2 ? "0" + expDigits : expDigits)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + padded
        }
        return sign + fixed(digits, point)
    }

    /// `strconv.FormatFloat(f, 'f', -1, 64)` (gjson's `String()` of a computed number).
    static func goFloatF(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(abs(d))
        return (d < 0 ? "-" : "") + fixed(digits, point)
    }

    private static func fixed(_ digits: String, _ point: Int) -> String {
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) }
        let cut = digits.index(digits.startIndex, offsetBy: point)
        return digits[..<cut] + "." + digits[cut...]
    }

    /// The shortest digits that read back as `d` (Swift prints them, as Go's strconv picks them) and
    /// the decimal point's position: 0.0123 is ("123", -1), 1500 is ("15", 4).
    static func shortestDigits(_ d: Double) -> (digits: String, point: Int) {
        let text = "\(d)"
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0]
        let intPart = mantissa.split(separator: ".", omittingEmptySubsequences: false)[0]
        var all = String(mantissa.filter { $0 != "." })
        var point = intPart.count + exponent
        while all.hasPrefix("0") && all.count > 1 {
            all.removeFirst()
            point -= 1
        }
        while all.hasSuffix("0") && all.count > 1 { all.removeLast() }
        return (all, point)
    }
}
