/// Writes values as block YAML the way `kubectl get -o yaml` lays it out: two-space indentation,
/// sequences not indented under their key, strings quoted only when a YAML reader would otherwise
/// read them as something else. Writes UTF-8 bytes, as output is large (tens of MB for thousands
/// of InferenceServices).
public enum YAMLWriter {
    public static func document(_ value: Value) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(8192)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Every mapping's keys sorted, the top level's too, as `sigs.k8s.io/yaml` writes a map.
    public static func sortedDocument(_ value: Value) -> String {
        var out: [UInt8] = []
        write(value, indent: 0, topLevel: false, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func write(_ value: Value, into out: inout [UInt8]) {
        write(value, indent: 0, topLevel: true, into: &out)
    }

    static func write(_ value: Value, indent: Int, topLevel: Bool = false, into out: inout [UInt8]) {
        switch value {
        case .object(let o) where !o.isEmpty:
            for (key, child) in KeyOrder.entries(of: o, topLevel: topLevel) {
                pad(indent, &out)
                appendScalar(key, &out)
                out.append(UInt8(ascii: ":"))
                writeChild(child, indent: indent, into: &out)
            }
        case .array(let a) where !a.isEmpty:
            for item in a {
                pad(indent, &out)
                out.append(UInt8(ascii: "-"))
                writeSequenceItem(item, indent: indent, into: &out)
            }
        default:
            pad(indent, &out)
            appendInline(value, &out)
            out.append(10)
        }
    }

    /// After `key:`: a scalar or empty collection stays on the line; a collection goes below.
    static func writeChild(_ v: Value, indent: Int, into out: inout [UInt8]) {
        switch v {
        case .object(let o) where !o.isEmpty:
            out.append(10)
            write(v, indent: indent + 2, into: &out)
        case .array(let a) where !a.isEmpty:
            out.append(10)
            write(v, indent: indent, into: &out)  // kubectl style: "- " at the key's own indentation
        default:
            out.append(UInt8(ascii: " "))
            appendInline(v, &out)
            out.append(10)
        }
    }

    /// After `-`: a mapping starts on the same line, nested sequences too.
    static func writeSequenceItem(_ item: Value, indent: Int, into out: inout [UInt8]) {
        switch item {
        case .object(let o) where !o.isEmpty:
            var first = true
            for (key, child) in KeyOrder.entries(of: o, topLevel: false) {
                if first { out.append(UInt8(ascii: " ")); first = false } else { pad(indent + 2, &out) }
                appendScalar(key, &out)
                out.append(UInt8(ascii: ":"))
                writeChild(child, indent: indent + 2, into: &out)
            }
        case .array(let a) where !a.isEmpty:
            var first = true
            for inner in a {
                if first { out.append(UInt8(ascii: " ")); first = false } else { pad(indent + 2, &out) }
                out.append(UInt8(ascii: "-"))
                writeSequenceItem(inner, indent: indent + 2, into: &out)
            }
        default:
            out.append(UInt8(ascii: " "))
            appendInline(item, &out)
            out.append(10)
        }
    }

    static func appendInline(_ v: Value, _ out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: formatDouble(d).utf8)
        case .string(let s): appendScalar(s, &out)
        case .array: out.append(contentsOf: "[]".utf8)
        case .object: out.append(contentsOf: "{}".utf8)
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
        return String(d)
    }

    static func pad(_ n: Int, _ out: inout [UInt8]) {
        for _ in 0..<n { out.append(32) }
    }

    static func appendScalar(_ s: String, _ out: inout [UInt8]) {
        if isSimplePlain(s) {
            out.append(contentsOf: s.utf8)
        } else {
            out.append(contentsOf: scalarText(s).utf8)
        }
    }

    /// The common case, decided in one pass over the bytes: a word of ASCII letters, digits and
    /// `/._-:=@+,` with no `:` at its end, that no YAML reader would take for a number, boolean or null.
    static func isSimplePlain(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { b -> Bool in
            guard let first = b.first, let last = b.last, last != 58 else { return false }
            let firstIsLetter = (first >= 97 && first <= 122) || (first >= 65 && first <= 90)
            let firstIsDigit = first >= 48 && first <= 57
            if first == 45 {  // "-": fine as in --flag=value, but not "-", "- x" or a "---" marker
                if b.count < 2 || (b.count >= 3 && b[1] == 45 && b[2] == 45) { return false }
            } else if !firstIsLetter && !firstIsDigit {
                return false
            }
            for c in b {
                let ok =
                    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
                    || c == 47 || c == 46 || c == 95 || c == 45 || c == 58 || c == 61 || c == 64 || c == 43 || c == 44
                if !ok { return false }
            }
            if firstIsDigit || first == 45 || (b.count <= 5 && "yYnNtTfFoO".utf8.contains(first)) {
                return !looksLikeNonString(s)
            }
            return true
        } ?? false
    }

    /// A string as a YAML scalar, styled as go-yaml v2 (kubectl) styles it: double-quoted when a YAML
    /// reader would otherwise take it for a number, boolean or null; plain when that is safe; else
    /// single-quoted; double-quoted with escapes when it has control characters or line breaks.
    public static func scalarText(_ s: String) -> String {
        let hasControl = s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0xFEFF }
        if !hasControl && !looksLikeNonString(s) {
            if isPlainSafe(s) { return s }
            var quoted = "'"
            quoted.reserveCapacity(s.utf8.count + 2)
            for ch in s.unicodeScalars {
                if ch == "'" { quoted += "''" } else { quoted.unicodeScalars.append(ch) }
            }
            return quoted + "'"
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0xFEFF {
                    out += "\\x" + String(u.value, radix: 16, uppercase: true).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// True when a YAML 1.1 or 1.2 reader would resolve the plain scalar to something other than a string.
    static func looksLikeNonString(_ s: String) -> Bool {
        if ScalarResolver.resolve(s) != .str { return true }
        let u = Array(s.utf8)
        var i = 0
        if i < u.count, u[i] == 43 || u[i] == 45 { i += 1 }
        let body = u[i...]
        // 0o17 (YAML 1.2 octal)
        if body.count > 2, body.starts(with: [48, 111]), body.dropFirst(2).allSatisfy({ $0 >= 48 && $0 <= 55 }) { return true }
        // 1:20 or 1:20:30.5 (YAML 1.1 base 60)
        if let first = body.first, first >= 48 && first <= 57, body.contains(58),
            body.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 58 || $0 == 95 || $0 == 46 })
        {
            return true
        }
        return false
    }

    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if first == "-" {
            let rest = s.unicodeScalars.dropFirst()
            if rest.isEmpty || rest.first == " " || s.hasPrefix("---") { return false }
        }
        if s.hasPrefix("...") { return false }
        var previous: Unicode.Scalar = " "
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F || u.value == 0xFEFF || u.value == 0x85 || u == "\u{2028}" || u == "\u{2029}" {
                return false
            }
            if u == "#" && previous == " " { return false }
            if previous == ":" && u == " " { return false }
            previous = u
        }
        return true
    }
}

extension String {
    func leftPadded(to n: Int, with c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
