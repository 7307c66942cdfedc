import ISVCCore

extension GJSON {
    /// Byte-level helpers over JSON text. They never read out of bounds, whatever the bytes.
    enum Scan {
        static func skipSpace(_ json: [UInt8], _ from: Int) -> Int {
            var i = from
            while i < json.count, json[i] <= 0x20 { i += 1 }
            return i
        }

        /// The index after the string whose opening quote is at `open` (the end of the text if unclosed).
        static func stringEnd(_ json: [UInt8], _ open: Int) -> Int {
            var i = open + 1
            while i < json.count {
                if json[i] == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if json[i] == UInt8(ascii: "\"") { return i + 1 }
                i += 1
            }
            return json.count
        }

        /// The index after the value that starts at `start`.
        static func valueEnd(_ json: [UInt8], _ start: Int) -> Int {
            guard start < json.count else { return json.count }
            switch json[start] {
            case UInt8(ascii: "\""): return stringEnd(json, start)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                var i = start
                while i < json.count {
                    switch json[i] {
                    case UInt8(ascii: "\""):
                        i = stringEnd(json, i)
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { return i + 1 }
                    default: break
                    }
                    i += 1
                }
                return json.count
            default:
                var i = start + 1
                while i < json.count, json[i] > 0x20, json[i] != UInt8(ascii: ","), json[i] != UInt8(ascii: "]"),
                    json[i] != UInt8(ascii: "}")
                {
                    i += 1
                }
                return i
            }
        }

        /// The scalar value whose text is `raw` (a string, number, true, false or null).
        static func scalar(_ raw: ArraySlice<UInt8>) -> Result {
            switch raw.first {
            case UInt8(ascii: "\""): return Result(kind: .string, raw: Array(raw), str: unescape(Array(raw)))
            case UInt8(ascii: "t"): return Result(kind: .true, raw: Array(raw))
            case UInt8(ascii: "f"): return Result(kind: .false, raw: Array(raw))
            case UInt8(ascii: "n"): return Result(kind: .null, raw: Array(raw))
            default: return Result(kind: .number, raw: Array(raw), number: parseFloat(Array(raw)))
            }
        }

        /// A run of lowercase letters from the first byte on (gjson's `tolit`).
        static func word(_ json: ArraySlice<UInt8>) -> [UInt8] {
            var end = json.startIndex + 1
            while end < json.endIndex, json[end] >= UInt8(ascii: "a"), json[end] <= UInt8(ascii: "z") { end += 1 }
            return Array(json[json.startIndex..<min(end, json.endIndex)])
        }

        /// Go's `strconv.ParseFloat(s, 64)` as gjson uses it: 0 when the text is no number, ±Inf out of range.
        static func parseFloat(_ raw: [UInt8]) -> Double {
            Double(String(decoding: raw, as: UTF8.self)) ?? 0
        }

        /// Where the string that starts after an opening quote at `from` closes: the index of the
        /// closing quote (one preceded by an even number of backslashes), or the end.
        private static func closingQuote(_ s: ArraySlice<UInt8>, from: Int) -> Int {
            var i = from
            while i < s.endIndex {
                if s[i] == UInt8(ascii: "\"") {
                    var backslashes = 0
                    var j = i - 1
                    while j >= from, s[j] == UInt8(ascii: "\\") {
                        backslashes += 1
                        j -= 1
                    }
                    if backslashes % 2 == 0 { return i }
                }
                i += 1
            }
            return s.endIndex
        }

        /// gjson's `squash`: a string, or a bracketed group counted from its first byte (which opens it
        /// whatever it is), up to where it closes; all of `s` when it does not close.
        static func squash(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            guard let first = s.first else { return s }
            var depth = first == UInt8(ascii: "\"") ? 0 : 1
            var i = first == UInt8(ascii: "\"") ? s.startIndex : s.startIndex + 1
            while i < s.endIndex {
                switch s[i] {
                case UInt8(ascii: "\""):
                    i = closingQuote(s, from: i + 1)
                    if depth == 0 { return i >= s.endIndex ? s : s[s.startIndex...i] }
                case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                    depth -= 1
                    if depth == 0 { return s[s.startIndex...i] }
                default: break
                }
                i += 1
            }
            return s
        }

        /// gjson's `parseSquash` from the first byte (a literal's text after `!`): the first byte is
        /// skipped as an opener, then brackets are counted, strings skipped, to depth 0 or the end.
        static func bracketed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var depth = 1
            var i = s.startIndex + 1
            while i < s.endIndex {
                switch s[i] {
                case UInt8(ascii: "\""):
                    i = closingQuote(s, from: i + 1)
                case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "("): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ")"):
                    depth -= 1
                    if depth == 0 { return s[s.startIndex...i] }
                default: break
                }
                i += 1
            }
            return s
        }

        /// The contents of the quoted JSON string `raw`, unescaped as gjson does.
        static func unescape(_ raw: [UInt8]) -> [UInt8] {
            guard raw.count >= 2 else { return [] }
            let contents = raw[1..<(raw.last == UInt8(ascii: "\"") ? raw.count - 1 : raw.count)]
            guard contents.contains(UInt8(ascii: "\\")) else { return Array(contents) }
            return unescapeContents(contents)
        }

        /// gjson's `unescape`: stops at a control byte or a bad escape; `\uXXXX` followed by another
        /// `\uXXXX` is taken as a surrogate pair when the first is a surrogate (U+FFFD if not a pair).
        static func unescapeContents(_ s: ArraySlice<UInt8>) -> [UInt8] {
            var out: [UInt8] = []
            var i = s.startIndex
            while i < s.endIndex {
                let c = s[i]
                if c < 0x20 { return out }
                guard c == UInt8(ascii: "\\") else {
                    out.append(c)
                    i += 1
                    continue
                }
                i += 1
                guard i < s.endIndex else { return out }
                switch s[i] {
                case UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "\""): out.append(s[i])
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 5 <= s.endIndex else { return out }
                    var scalar = hex4(s[(i + 1)..<(i + 5)])
                    i += 5
                    if (0xD800..<0xE000).contains(scalar), s.endIndex - i >= 6, s[i] == UInt8(ascii: "\\"),
                        s[i + 1] == UInt8(ascii: "u")
                    {
                        let low = hex4(s[(i + 2)..<(i + 6)])
                        scalar =
                            scalar < 0xDC00 && (0xDC00..<0xE000).contains(low)
                            ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                        i += 6
                    }
                    GoJSONValue.appendUTF8(scalar, to: &out)
                    continue
                default: return out
                }
                i += 1
            }
            return out
        }

        /// Four hex digits as `strconv.ParseUint(s, 16, 64)` reads them: 0 when one is not hex.
        private static func hex4(_ s: ArraySlice<UInt8>) -> UInt32 {
            UInt32(String(decoding: s, as: UTF8.self), radix: 16) ?? 0
        }
    }
}
