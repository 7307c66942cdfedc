import Foundation
import ISVCCore

/// JSON values as Go's `encoding/json` writes an `interface{}` it decoded: numbers as float64 in Go's
/// shortest form (`1`, `6.8`, `1e-07`, `1e+21`), object keys sorted, strings with Go's escapes. The
/// agent's batcher re-encodes instances and predictions this way.
enum GoJSONValue {
    static func encode(_ value: Any) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    static func write(_ value: Any, into out: inout String) {
        switch value {
        case is NSNull: out += "null"
        // JSONSerialization gives Bool for true and false (not an NSNumber that is also a Bool).
        case let b as Bool: out += b ? "true" : "false"
        case let n as NSNumber: out += number(n.doubleValue)
        case let s as String: out += GoJSON.quote(s)
        case let a as [Any]:
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                write(v, into: &out)
            }
            out += "]"
        case let o as [String: Any]:
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += GoJSON.quote(k) + ":"
                write(o[k]!, into: &out)
            }
            out += "}"
        default: out += "null"
        }
    }

    /// `strconv.FormatFloat(f, 'f' or 'e', -1, 64)` as encoding/json chooses ('e' below 1e-6 and from
    /// 1e21): an integral value below 1e21 with every digit; otherwise the shortest form, which Swift
    /// writes as Go does (`6.8`, `1e-07`, `1e+21`).
    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e21 { return String(format: "%.0f", d) }
        return "\(d)"
    }
}
