/// Resolves the type of a plain (unquoted) scalar the way go-yaml v2 does, which is what
/// `kubectl` and the Kubernetes API machinery use: YAML 1.1 booleans (`yes`, `on`, ...),
/// `~`/`null`, integers in decimal, hex, octal and binary, floats including `.inf` and `.nan`.
/// Written by hand because Yams' resolver runs several regular expressions per scalar.
enum ScalarResolver {
    static func resolve(_ s: String) -> Scalar.Tag {
        if s.isEmpty { return .null }
        switch s {
        case "~", "null", "Null", "NULL":
            return .null
        case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
            "true", "True", "TRUE", "false", "False", "FALSE",
            "on", "On", "ON", "off", "Off", "OFF":
            return .bool
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
            ".nan", ".NaN", ".NAN":
            return .float
        default:
            break
        }
        let bytes = Array(s.utf8)
        guard let first = bytes.first else { return .str }
        let isDigit = { (c: UInt8) in c >= 48 && c <= 57 }
        // Fast exit: numbers start with a sign, a digit or a dot.
        guard isDigit(first) || first == 43 || first == 45 || first == 46 else { return .str }
        if isInteger(bytes) { return .int }
        if isFloat(bytes) { return .float }
        return .str
    }

    static func isInteger(_ b: [UInt8]) -> Bool {
        var i = 0
        if b[i] == 43 || b[i] == 45 { i += 1 }
        guard i < b.count else { return false }
        let rest = b[i...]
        func all(_ slice: ArraySlice<UInt8>, _ ok: (UInt8) -> Bool) -> Bool {
            !slice.isEmpty && slice.allSatisfy { ok($0) || $0 == 95 }
        }
        if rest.starts(with: [48, 98]) { return all(rest.dropFirst(2)) { $0 == 48 || $0 == 49 } }  // 0b
        if rest.starts(with: [48, 120]) {  // 0x
            return all(rest.dropFirst(2)) { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
        }
        if rest.first == 48 && rest.count > 1 { return all(rest.dropFirst()) { $0 >= 48 && $0 <= 55 } }  // octal
        return all(rest) { $0 >= 48 && $0 <= 57 } && rest.first != 95
    }

    static func isFloat(_ b: [UInt8]) -> Bool {
        // [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?  (YAML 1.1), plus the 1.2 forms 1e3 and 1.
        var i = 0
        if b[i] == 43 || b[i] == 45 { i += 1 }
        var digits = 0, dots = 0
        while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == 95 || b[i] == 46 {
            if b[i] == 46 { dots += 1 } else if b[i] != 95 { digits += 1 }
            i += 1
        }
        guard digits > 0, dots <= 1 else { return false }
        if i == b.count { return dots == 1 }
        guard b[i] == 101 || b[i] == 69 else { return false }
        i += 1
        if i < b.count, b[i] == 43 || b[i] == 45 { i += 1 }
        let expStart = i
        while i < b.count, b[i] >= 48 && b[i] <= 57 { i += 1 }
        return i == b.count && i > expStart
    }
}
