/// JSON strings as Go's `encoding/json` reads and writes them.
public enum GoJSON {
    /// A JSON string as `json.Marshal` writes it (see `GoJSONValue.writeString`): `<` as `\u003c`,
    /// a backspace as `\b`, U+2028 as `\u2028`.
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        GoJSONValue.writeString(Array(s.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension GoJSONValue {
    /// The bytes of a JSON string's contents as Go's decoder unquotes them: escapes resolved, a bad
    /// surrogate pair and every invalid UTF-8 byte replaced by U+FFFD (Go's `utf8.DecodeRune` rules).
    public static func unquote(_ raw: ArraySlice<UInt8>, escaped: Bool) -> [UInt8] {
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
    @inlinable
    public static func decodeRune<C: RandomAccessCollection<UInt8>>(_ b: C, at i: C.Index) -> (scalar: UInt32, size: Int)
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

    public static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        let s = UnicodeScalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(s).utf8))
    }

    /// A string as Go 1.22+ writes it with HTML escaping (json.Marshal's default): `\b`, `\f`, `\n`,
    /// `\r`, `\t`; other controls and `<`, `>`, `&` as `\u00XX`; U+2028 and U+2029 as `\u2028`,
    /// `\u2029`; each invalid UTF-8 byte as `\ufffd`; DEL and everything else as it is.
    @inlinable
    public static func writeString<C: RandomAccessCollection<UInt8>>(_ s: C, into out: inout [UInt8]) where C.Index == Int {
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
                    out += Array(#"\u00"#.utf8) + [hexDigit(c >> 4), hexDigit(c & 0xF)]
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

    @usableFromInline
    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
}
