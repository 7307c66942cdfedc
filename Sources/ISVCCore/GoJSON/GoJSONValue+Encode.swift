extension GoJSONValue {
    /// `json.Marshal` of this value.
    public var goJSON: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// Appends `json.Marshal` of this value, without recursion (Go decodes 10 000 levels).
    public func write(into out: inout [UInt8]) {
        /// A container being written and the index of its next item.
        enum Open {
            case array([GoJSONValue], next: Int)
            case object([[UInt8]: GoJSONValue], keys: [[UInt8]], next: Int)
        }
        var open: [Open] = []
        var value: GoJSONValue? = self
        while true {
            switch value {
            case nil: break
            case .null: out += Array("null".utf8)
            case .bool(let b): out += Array((b ? "true" : "false").utf8)
            case .number(let d): out += Array(Self.goFloat(d).utf8)
            case .string(let s): Self.writeString(s, into: &out)
            case .array(let items):
                out.append(UInt8(ascii: "["))
                open.append(.array(items, next: 0))
            case .object(let members):
                out.append(UInt8(ascii: "{"))
                open.append(.object(members, keys: members.keys.sorted { $0.lexicographicallyPrecedes($1) }, next: 0))
            }
            value = nil
            guard let innermost = open.popLast() else { return }
            switch innermost {
            case .array(let items, let i):
                guard i < items.count else {
                    out.append(UInt8(ascii: "]"))
                    continue
                }
                if i > 0 { out.append(UInt8(ascii: ",")) }
                open.append(.array(items, next: i + 1))
                value = items[i]
            case .object(let members, let keys, let i):
                guard i < keys.count else {
                    out.append(UInt8(ascii: "}"))
                    continue
                }
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(keys[i], into: &out)
                out.append(UInt8(ascii: ":"))
                open.append(.object(members, keys: keys, next: i + 1))
                value = members[keys[i]]
            }
        }
    }

    /// encoding/json's float64: `strconv.FormatFloat(f, 'f', -1, 64)`, or 'e' below 1e-6 and from 1e21
    /// with a one-digit negative exponent unpadded (`1e-7`, but `1e+21`).
    public static func goFloat(_ d: Double) -> String {
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
    public static func goFloatF(_ d: Double) -> String {
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
