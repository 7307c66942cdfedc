/// Writes values as indented JSON (two spaces, `"key": value`), keys in the same fixed order as YAML.
public enum JSONWriter {
    public static func write(_ value: Value, indent: Int = 0, topLevel: Bool = true) -> String {
        var out = ""
        write(value, indent: indent, topLevel: topLevel, into: &out)
        return out
    }

    static func write(_ value: Value, indent: Int, topLevel: Bool, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? String(d) : "null"
        case .string(let s): quote(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "[\n"
            for (n, item) in a.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                write(item, indent: indent + 2, topLevel: false, into: &out)
                out += n == a.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{\n"
            let keys = KeyOrder.keys(of: o, topLevel: topLevel)
            for (n, key) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                quote(key, into: &out)
                out += ": "
                write(o[key]!, indent: indent + 2, topLevel: false, into: &out)
                out += n == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += "\\u" + String(u.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    /// Compact JSON (no spaces), keys sorted: used inside annotations and for hashing.
    public static func compact(_ value: Value) -> String {
        var out = ""
        compact(value, into: &out)
        return out
    }

    static func compact(_ value: Value, into out: inout String) {
        switch value {
        case .array(let a):
            out += "["
            for (n, item) in a.enumerated() {
                if n > 0 { out += "," }
                compact(item, into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (n, key) in o.keys.sorted().enumerated() {
                if n > 0 { out += "," }
                quote(key, into: &out)
                out += ":"
                compact(o[key]!, into: &out)
            }
            out += "}"
        default:
            write(value, indent: 0, topLevel: false, into: &out)
        }
    }
}
