import Foundation

/// Which inbound headers KServe's router copies onto every step call: those whose canonical name
/// (Go's `textproto.CanonicalMIMEHeaderKey`, as Go's server stores them) matches any pattern of
/// `PROPAGATE_HEADERS` (comma-separated Go regular expressions, unanchored `MatchString`). A
/// pattern Go cannot compile is skipped (the router logs it and goes on).
///
/// Go's RE2 syntax is run with ICU (`NSRegularExpression`); the RE2 features missing from ICU
/// (`(?P<name>`) are translated, and ICU features RE2 rejects (look-around, back-references,
/// possessive and atomic groups, `\Z`, `\G`, other letter escapes) make the pattern invalid, as in Go.
public struct HeaderPropagation: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe.
    private let compiled: [NSRegularExpression]
    /// The patterns skipped because Go's `regexp.Compile` rejects them (to be logged).
    public let invalidPatterns: [String]

    public init(patterns: [String]) {
        var compiled: [NSRegularExpression] = []
        var invalid: [String] = []
        for pattern in patterns {
            // ICU refuses an empty pattern, which RE2 compiles to match everything.
            if let icu = Self.icuPattern(pattern), let regex = try? NSRegularExpression(pattern: icu.isEmpty ? "(?:)" : icu) {
                compiled.append(regex)
            } else {
                invalid.append(pattern)
            }
        }
        self.compiled = compiled
        self.invalidPatterns = invalid
    }

    /// The patterns of `PROPAGATE_HEADERS`: none when the variable is unset; else `strings.Split(v, ",")`,
    /// so an empty value is one empty pattern, which matches every header.
    public static func patterns(environmentValue: String?) -> [String] {
        guard let value = environmentValue else { return [] }
        return value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    public var isEmpty: Bool { compiled.isEmpty }

    /// The headers a step call carries from the inbound request, canonical names, every value of a
    /// matched name in order. Go's server keeps `Host` out of the header map and its client writes its
    /// own `Content-Length`, `Transfer-Encoding` and `Trailer`, so those never travel.
    public func propagated(_ inbound: [(name: String, value: String)]) -> [(name: String, value: String)] {
        guard !compiled.isEmpty else { return [] }
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in inbound {
            let key = Self.canonical(name)
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(value)
        }
        let never: Set<String> = ["Host", "Content-Length", "Transfer-Encoding", "Trailer"]
        var out: [(name: String, value: String)] = []
        for key in order where !never.contains(key) && matches(key) {
            for value in values[key] ?? [] { out.append((key, value)) }
        }
        return out
    }

    func matches(_ name: String) -> Bool {
        let range = NSRange(name.startIndex..., in: name)
        return compiled.contains { $0.firstMatch(in: name, range: range) != nil }
    }

    /// Go's `textproto.CanonicalMIMEHeaderKey`: `x-request-id` → `X-Request-Id`; a name with a byte
    /// that is not a token character is left as it is.
    /// The punctuation RFC 7230 allows in a token (a header name).
    static let tokenPunctuation = Set("!#$%&'*+-.^_`|~".utf8)

    public static func canonical(_ name: String) -> String {
        let bytes = Array(name.utf8)
        guard
            bytes.allSatisfy({ c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || tokenPunctuation.contains(c)
            })
        else { return name }
        var upper = true
        var out: [UInt8] = []
        for c in bytes {
            if upper, c >= 0x61, c <= 0x7A {
                out.append(c - 0x20)
            } else if !upper, c >= 0x41, c <= 0x5A {
                out.append(c + 0x20)
            } else {
                out.append(c)
            }
            upper = c == UInt8(ascii: "-")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The pattern for ICU, or nil when Go's RE2 would not compile it (as far as ICU could accept it).
    static func icuPattern(_ pattern: String) -> String? {
        let chars = Array(pattern.unicodeScalars)
        var out = ""
        var i = 0
        var inClass = false
        // 1 just after a repetition operator (a lazy `?` may follow), 2 after that `?`: RE2 refuses a
        // further operator (`a**`, `a*+`, `a+?+`), where ICU reads possessive quantifiers.
        var repetition = 0
        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "\\" {
                guard let e = next else { return nil }
                // RE2's escapes: punctuation, octal from \0, and these letters; no back-references.
                if e.properties.isAlphabetic || ("1"..."9").contains(e) {
                    guard "afnrtvdDsSwWbBAzpPQEx".unicodeScalars.contains(e) else { return nil }
                    if inClass, "bBAzQE".unicodeScalars.contains(e) { return nil }
                }
                out.unicodeScalars.append(c)
                out.unicodeScalars.append(e)
                i += 2
                repetition = 0
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            if "*+?".unicodeScalars.contains(c) {
                if repetition == 2 || (repetition == 1 && c != "?") { return nil }
                repetition = repetition == 1 ? 2 : 1
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            repetition = 0
            if c == "[" {
                inClass = true
                out.unicodeScalars.append(c)
                i += 1
                // A leading ] (or ^]) is a literal in both.
                if i < chars.count, chars[i] == "^" {
                    out.unicodeScalars.append("^")
                    i += 1
                }
                if i < chars.count, chars[i] == "]" {
                    out.unicodeScalars.append("]")
                    i += 1
                }
                continue
            }
            if c == "(", next == "?" {
                let rest = String(String.UnicodeScalarView(chars[(i + 2)...]))
                if rest.hasPrefix("P<") {
                    out += "(?<"
                    i += 4
                    continue
                }
                for refused in ["=", "!", "<=", "<!", ">", "#", "|"] where rest.hasPrefix(refused) { return nil }
            }
            out.unicodeScalars.append(c)
            i += 1
        }
        return out
    }
}
