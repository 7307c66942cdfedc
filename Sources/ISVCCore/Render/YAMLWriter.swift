/// Writes values as block YAML the way `kubectl get -o yaml` lays it out: two-space indentation,
/// sequences not indented under their key, strings quoted only when a YAML reader would otherwise
/// read them as something else.
public enum YAMLWriter {
    public static func document(_ value: Value) -> String {
        var out = ""
        out.reserveCapacity(4096)
        write(value, indent: 0, topLevel: true, into: &out)
        return out
    }

    static func write(_ value: Value, indent: Int, topLevel: Bool = false, into out: inout String) {
        switch value {
        case .object(let o) where !o.isEmpty:
            for key in KeyOrder.keys(of: o, topLevel: topLevel) {
                let v = o[key]!
                pad(indent, &out)
                out += scalarText(key)
                out += ":"
                writeChild(v, indent: indent, inSequence: false, into: &out)
            }
        case .array(let a) where !a.isEmpty:
            for item in a {
                pad(indent, &out)
                out += "-"
                writeSequenceItem(item, indent: indent, into: &out)
            }
        default:
            pad(indent, &out)
            out += inline(value)
            out += "\n"
        }
    }

    /// After `key:`: a scalar or empty collection stays on the line; a collection goes below.
    static func writeChild(_ v: Value, indent: Int, inSequence: Bool, into out: inout String) {
        switch v {
        case .object(let o) where !o.isEmpty:
            out += "\n"
            write(v, indent: indent + 2, into: &out)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            write(v, indent: indent, into: &out)   // kubectl style: "- " at the key's own indentation
        default:
            out += " "
            out += inline(v)
            out += "\n"
        }
    }

    /// After `-`: a mapping starts on the same line, nested sequences too.
    static func writeSequenceItem(_ item: Value, indent: Int, into out: inout String) {
        switch item {
        case .object(let o) where !o.isEmpty:
            var first = true
            for key in KeyOrder.keys(of: o, topLevel: false) {
                if first { out += " "; first = false } else { pad(indent + 2, &out) }
                out += scalarText(key)
                out += ":"
                writeChild(o[key]!, indent: indent + 2, inSequence: true, into: &out)
            }
        case .array(let a) where !a.isEmpty:
            var first = true
            for inner in a {
                if first { out += " -"; first = false } else { pad(indent + 2, &out); out += "-" }
                writeSequenceItem(inner, indent: indent + 2, into: &out)
            }
        default:
            out += " "
            out += inline(item)
            out += "\n"
        }
    }

    static func inline(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatDouble(d)
        case .string(let s): return scalarText(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
        return String(d)
    }

    static func pad(_ n: Int, _ out: inout String) {
        if n > 0 { out += String(repeating: " ", count: n) }
    }

    /// A string as a YAML scalar, styled as go-yaml v2 (kubectl) styles it: double-quoted when a YAML
    /// reader would otherwise take it for a number, boolean or null; plain when that is safe; else
    /// single-quoted; double-quoted with escapes when it has control characters or line breaks.
    public static func scalarText(_ s: String) -> String {
        let hasControl = s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0xFEFF }
        if !hasControl && !looksLikeNonString(s) {
            if isPlainSafe(s) { return s }
            return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
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
           body.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 58 || $0 == 95 || $0 == 46 }) { return true }
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
