/// UTF-8 decoding and Go's character classes (`unicode.IsLetter`, `unicode.IsDigit`, `strconv.IsPrint`).
enum GoUTF8 {
    /// The byte width of the rune of valid UTF-8 starting with `byte`.
    static func width(_ byte: UInt8) -> Int {
        switch byte {
        case 0..<0x80: 1
        case 0xC0..<0xE0: 2
        case 0xE0..<0xF0: 3
        default: 4
        }
    }

    /// Decodes the rune at `offset` of valid UTF-8.
    static func decode(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        let b0 = UInt32(bytes[offset])
        let width = width(bytes[offset])
        if width == 1 { return b0 }
        var rune = b0 & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
        for i in 1..<width where offset + i < bytes.count {
            rune = rune << 6 | UInt32(bytes[offset + i] & 0x3F)
        }
        return rune
    }

    /// Go's lexer `isAlphaNumeric`: `_`, a Unicode letter or a decimal digit.
    static func isAlphaNumeric(_ rune: UInt32) -> Bool {
        if rune < 0x80 {
            return rune == 0x5F || (rune >= 0x30 && rune <= 0x39) || ((rune | 0x20) >= 0x61 && (rune | 0x20) <= 0x7A)
        }
        guard let scalar = Unicode.Scalar(rune) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// Go's `token.IsExported`: the name starts with an upper-case letter.
    static func isExported(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        if first.isASCII { return first.value >= 0x41 && first.value <= 0x5A }
        return first.properties.generalCategory == .uppercaseLetter
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ rune: UInt32) -> Bool {
        if rune < 0x80 { return rune >= 0x20 && rune < 0x7F }
        guard let scalar = Unicode.Scalar(rune) else { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return false
        default: return true
        }
    }
}

/// The bits of Go's `fmt` and `strconv` the template messages and output use.
enum GoFormat {
    /// Go's `strconv.Quote` (what `%q` prints).
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            let r = scalar.value
            switch r {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case _ where GoUTF8.isPrint(r): out.unicodeScalars.append(scalar)
            case 0x07: out += "\\a"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x0B: out += "\\v"
            case 0..<0x20, 0x7F: out += "\\x" + hex(r, width: 2)
            case 0..<0x10000: out += "\\u" + hex(r, width: 4)
            default: out += "\\U" + hex(r, width: 8)
            }
        }
        return out + "\""
    }

    /// Go's `%#U`: `U+0023 '#'`.
    static func unicodeRune(_ rune: UInt32) -> String {
        let code = "U+" + hex(rune, width: 4).uppercased()
        guard GoUTF8.isPrint(rune), let scalar = Unicode.Scalar(rune) else { return code }
        return code + " '" + String(Character(scalar)) + "'"
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A value Go's fmt would print in a way isvc does not reproduce (a memory address).
    struct Unprintable: Error {
        var message: String
    }

    /// Go's `fmt` `%v` of `value` at nesting `depth` (0 for an operand of `Fprint`/`Sprint`).
    static func print(_ value: GoValue, depth: Int = 0) throws(Unprintable) -> String {
        switch value {
        case .untypedNil, .nilPointer: return "<nil>"
        case .bool(let b, _): return b ? "true" : "false"
        case .int(let i, _): return String(i)
        case .string(let s, _): return s
        case .structure(let s):
            var parts: [String] = []
            for field in s.fields { parts.append(try print(field.value, depth: depth + 1)) }
            return "{" + parts.joined(separator: " ") + "}"
        case .map(let entries, _):
            let keys = (entries ?? [:]).keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            var parts: [String] = []
            for key in keys {
                guard let entry = entries?[key] else { continue }
                parts.append(key + ":" + (try print(entry, depth: depth + 1)))
            }
            return "map[" + parts.joined(separator: " ") + "]"
        case .slice(let items, _):
            var parts: [String] = []
            for item in items ?? [] { parts.append(try print(item, depth: depth + 1)) }
            return "[" + parts.joined(separator: " ") + "]"
        case .pointer(let target):
            if depth == 0 {
                switch target {
                case .structure, .map, .slice: return "&" + (try print(target, depth: depth + 1))
                default: break
                }
            }
            throw Unprintable(
                message: "Go prints a non-nil \(value.typeName) here as a memory address, which isvc does not reproduce")
        case .opaque(let o):
            guard let description = o.description else {
                throw Unprintable(message: "isvc does not know how Go prints a value of type \(o.type)")
            }
            return description
        }
    }
}
