import Foundation

/// Kubernetes resource quantities in canonical form, as the API server stores them: `1000m` is `1`,
/// `1024Mi` is `1Gi`, `0.5` is `500m`. Used so that equal amounts never show up as changes.
public enum Quantities {
    static let binary: [(String, Int)] = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)]
    static let decimal: [(String, Int)] = [
        ("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12),
        ("P", 15), ("E", 18),
    ]

    /// The canonical text of a quantity, or nil when the text is not one.
    /// A quantity's number and its suffix (`100Mi` is `100` and `Mi`).
    static func split(_ text: String) -> (number: String, suffix: String) {
        var number = text
        var suffix = ""
        while let last = number.last, last.isLetter { suffix.insert(last, at: suffix.startIndex); number.removeLast() }
        return (number, suffix)
    }

    public static func canonical(_ text: String) -> String? {
        let (number, suffix) = split(text)
        // Fast path: a whole number that cannot move to a larger unit is already canonical ("1", "100m", "2Gi").
        if let n = Int(number), n > 0, number.first != "+", number.first != "0" {
            if binary.contains(where: { $0.0 == suffix }) {
                if n % 1024 != 0 || suffix == "Ei" { return text }
            } else if decimal.contains(where: { $0.0 == suffix }) {
                if n % 1000 != 0 || suffix == "E" { return text }
            }
        }
        guard !number.isEmpty, let value = Decimal(string: number), "0123456789+-.".contains(number.first!) else { return nil }
        if let b = binary.first(where: { $0.0 == suffix }) {
            // Express in the largest binary unit with an integer amount.
            let amount = value * pow2(b.1)
            for (name, exp) in ([("", 0)] + binary).reversed() {
                let unit = pow2(exp)
                var q = amount / unit
                var r = Decimal()
                NSDecimalRound(&r, &q, 0, .plain)
                if r == q { return format(r) + name }
            }
            return text
        }
        guard let d = decimal.first(where: { $0.0 == suffix }) else { return nil }
        let amount = value * pow10(d.1)
        for (name, exp) in decimal.reversed() where exp <= 18 {
            var q = amount / pow10(exp)
            var r = Decimal()
            NSDecimalRound(&r, &q, 0, .plain)
            if r == q { return format(r) + name }
        }
        return text
    }

    /// The amount a quantity stands for (`1Gi` is 1073741824, `100m` is 0.1), or nil when the text is
    /// not a quantity.
    public static func amount(_ text: String) -> Decimal? {
        guard canonical(text) != nil else { return nil }
        let (number, suffix) = split(text)
        guard let value = Decimal(string: number) else { return nil }
        if let b = binary.first(where: { $0.0 == suffix }) { return value * pow2(b.1) }
        if let d = decimal.first(where: { $0.0 == suffix }) { return value * pow10(d.1) }
        return nil
    }

    static func pow2(_ e: Int) -> Decimal {
        var d = Decimal(1)
        for _ in 0..<e { d *= 2 }
        return d
    }

    static func pow10(_ e: Int) -> Decimal {
        var d = Decimal(1)
        if e >= 0 { for _ in 0..<e { d *= 10 } } else { for _ in 0..<(-e) { d /= 10 } }
        return d
    }

    static func format(_ d: Decimal) -> String {
        "\(d)"
    }

    /// A pod spec with its containers' resource amounts in canonical form (only the containers are
    /// walked: the cheap form of `normalized` for objects the compiler builds).
    public static func normalizingContainers(_ podSpec: [String: Value]) -> [String: Value] {
        var spec = podSpec
        for key in ["containers", "initContainers"] {
            guard let list = spec[key]?.array else { continue }
            spec[key] = .array(
                list.map { c in
                    guard let resources = c["resources"] else { return c }
                    var copy = c
                    copy["resources"] = normalized(resources)
                    return copy
                })
        }
        return spec
    }

    /// A value with every `resources.requests`/`resources.limits` amount in canonical form.
    public static func normalized(_ v: Value) -> Value {
        switch v {
        case .object(let o):
            var out: [String: Value] = [:]
            for (k, child) in o {
                if k == "requests" || k == "limits", case .object(let amounts) = child {
                    out[k] = .object(
                        amounts.mapValues { amount in
                            switch amount {
                            case .string(let s): return .string(canonical(s) ?? s)
                            case .int(let i): return .string(String(i))
                            case .double(let d): return .string(canonical(String(d)) ?? String(d))
                            default: return amount
                            }
                        })
                } else {
                    out[k] = normalized(child)
                }
            }
            return .object(out)
        case .array(let a):
            return .array(a.map(normalized))
        default:
            return v
        }
    }
}
