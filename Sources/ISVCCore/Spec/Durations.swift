import Foundation

public enum Durations {
    /// What Go's `time.ParseDuration` makes of a text: Knative and Istio read durations with it into a
    /// `time.Duration`, an int64 count of nanoseconds.
    public enum Parsed: Equatable, Sendable {
        case nanoseconds(Int64)
        /// Not a Go duration (no unit, an unknown unit, no digits): `time: invalid duration`.
        case invalid
        /// A Go duration, but longer than the 2562047h47m16.854775807s an int64 of nanoseconds holds;
        /// Go's parser rejects it as an invalid duration too.
        case tooLong
    }

    /// The longest `time.Duration`, as Go prints it.
    public static let maxGoDuration = "2562047h47m16.854775807s"

    /// Parses a duration exactly as Go's `time.ParseDuration` does: an optional sign, then one or more
    /// decimal numbers (with an optional fraction) each followed by a unit (`ns`, `us`, `µs`, `ms`, `s`,
    /// `m`, `h`); `0` alone is allowed. Every step is checked arithmetic, so no input traps.
    public static func parse(_ text: String) -> Parsed {
        var s = Substring(text).utf8[...]
        var negative = false
        if let c = s.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            s = s.dropFirst()
        }
        if s.elementsEqual("0".utf8) { return .nanoseconds(0) }
        if s.isEmpty { return .invalid }
        let limit: UInt64 = 1 << 63
        var total: UInt64 = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        while let first = s.first {
            guard first == UInt8(ascii: ".") || isDigit(first) else { return .invalid }
            // The integer part; Go reports overflow past 1<<63 as an invalid duration.
            var whole: UInt64 = 0
            var wholeDigits = 0
            var overflow = false
            while let c = s.first, isDigit(c) {
                if !overflow {
                    let (times10, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(UInt64(c - 48))
                    if o1 || o2 || sum > limit { overflow = true } else { whole = sum }
                }
                wholeDigits += 1
                s = s.dropFirst()
            }
            // The fraction: digits past what fits are ignored, as Go's leadingFraction does.
            var fraction: UInt64 = 0
            var scale = 1.0
            var fractionDigits = 0
            if s.first == UInt8(ascii: ".") {
                s = s.dropFirst()
                var full = false
                while let c = s.first, isDigit(c) {
                    if !full {
                        let (times10, o1) = fraction.multipliedReportingOverflow(by: 10)
                        let (sum, o2) = times10.addingReportingOverflow(UInt64(c - 48))
                        if o1 || o2 || sum > limit { full = true } else { fraction = sum; scale *= 10 }
                    }
                    fractionDigits += 1
                    s = s.dropFirst()
                }
            }
            if wholeDigits == 0 && fractionDigits == 0 { return .invalid }
            // The unit: everything up to the next digit or dot.
            let unitText = s.prefix { $0 != UInt8(ascii: ".") && !isDigit($0) }
            s = s.dropFirst(unitText.count)
            let unit: UInt64
            switch String(decoding: unitText, as: UTF8.self) {
            case "ns": unit = 1
            case "us", "\u{00B5}s", "\u{03BC}s": unit = 1_000
            case "ms": unit = 1_000_000
            case "s": unit = 1_000_000_000
            case "m": unit = 60_000_000_000
            case "h": unit = 3_600_000_000_000
            default: return .invalid
            }
            if overflow { return .tooLong }
            let (scaled, o) = whole.multipliedReportingOverflow(by: unit)
            if o || scaled > limit { return .tooLong }
            var value = scaled
            if fraction > 0 {
                let extra = Double(fraction) * (Double(unit) / scale)
                guard extra.isFinite, extra < Double(limit) else { return .tooLong }
                let (sum, o) = value.addingReportingOverflow(UInt64(extra))
                if o || sum > limit { return .tooLong }
                value = sum
            }
            let (sum, o2) = total.addingReportingOverflow(value)
            if o2 || sum > limit { return .tooLong }
            total = sum
        }
        if negative { return .nanoseconds(total == limit ? Int64.min : -Int64(total)) }
        if total > UInt64(Int64.max) { return .tooLong }
        return .nanoseconds(Int64(total))
    }

    /// Whole seconds (truncated toward zero) in a Go duration such as `60s`, `1m30s`, `2h`; nil when the
    /// text is not a Go duration or is longer than one holds.
    public static func seconds(_ text: String) -> Int? {
        guard case .nanoseconds(let n) = parse(text) else { return nil }
        return Int(n / 1_000_000_000)
    }

    /// A Go duration (`100ms`, `1m30s`, `2s`, as Istio's API takes them) in protobuf's JSON form,
    /// which Envoy's config requires: seconds with 0, 3, 6 or 9 fractional digits (`0.100s`, `90s`).
    /// Nil when the text is not a duration, is negative or too long.
    public static func protobuf(_ text: String) -> String? {
        guard case .nanoseconds(let nanos) = parse(text), nanos >= 0, !text.hasPrefix("-") else { return nil }
        let whole = nanos / 1_000_000_000, fraction = nanos % 1_000_000_000
        if fraction == 0 { return "\(whole)s" }
        var digits = String(format: "%09lld", fraction)
        if digits.hasSuffix("000000") {
            digits = String(digits.prefix(3))
        } else if digits.hasSuffix("000") {
            digits = String(digits.prefix(6))
        }
        return "\(whole).\(digits)s"
    }
}
