import ISVCCore

extension GJSON {
    /// An array query `#(path op value)` (or the older `#[...]`), as gjson parses and tests it.
    struct Query {
        /// The path tested in each element (empty: the element itself).
        var path: [UInt8] = []
        /// `=` (`==` is read as `=`), `!=`, `<`, `<=`, `>`, `>=`, `%`, `!%`, or empty (existence).
        var op: [UInt8] = []
        /// The right side, unquoted when it was a JSON string.
        var value: [UInt8] = []
        /// `#(...)#`: every match, not the first.
        var all = false
        /// The index after the closing bracket.
        var end = 0

        init() {}

        /// Parses the query at the start of `text` (which begins `#(` or `#[`); nil when unbalanced.
        init?(_ text: [UInt8]) {
            guard text.count >= 2, text[0] == UInt8(ascii: "#"), text[1] == UInt8(ascii: "(") || text[1] == UInt8(ascii: "[") else {
                return nil
            }
            var i = 2
            var opStart = 0
            var depth = 1
            var escapedInString = false
            while i < text.count {
                let c = text[i]
                if depth == 1, opStart == 0, Array("!=<>%".utf8).contains(c) {
                    opStart = i
                    i += 1
                    continue
                }
                if c == UInt8(ascii: "\\") {
                    i += 1
                } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") {
                    depth += 1
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: ")") {
                    depth -= 1
                    if depth == 0 { break }
                } else if c == UInt8(ascii: "\"") {
                    i += 1
                    while i < text.count {
                        if text[i] == UInt8(ascii: "\\") {
                            escapedInString = true
                            i += 1
                        } else if text[i] == UInt8(ascii: "\"") {
                            break
                        }
                        i += 1
                    }
                }
                i += 1
            }
            guard depth == 0 else { return nil }
            let close = min(i, text.count)
            if opStart > 0 {
                path = Self.trim(text[2..<opStart])
                var rhs = Self.trim(text[opStart..<close])
                var size = 0
                let two = rhs.count >= 2 ? String(decoding: rhs.prefix(2), as: UTF8.self) : ""
                if rhs.count == 1 {
                    size = 1
                } else if ["!=", "!%", "<=", ">="].contains(two) {
                    size = 2
                } else if two == "==" {
                    rhs.removeFirst()
                    size = 1
                } else if let first = rhs.first, Array("<>=%".utf8).contains(first) {
                    size = 1
                }
                op = Array(rhs.prefix(size))
                value = Self.trim(rhs.dropFirst(size)[...])
            } else {
                path = Self.trim(text[2..<close])
            }
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                let inner = value[1..<(value.count - 1)]
                value = escapedInString ? Scan.unescapeContents(inner) : Array(inner)
            }
            end = close + 1
        }

        /// Drops bytes up to and including space from both ends.
        static func trim(_ s: ArraySlice<UInt8>) -> [UInt8] {
            var t = s
            while let first = t.first, first <= 0x20 { t.removeFirst() }
            while let last = t.last, last <= 0x20 { t.removeLast() }
            return Array(t)
        }

        /// gjson's `queryMatches`: strings compare as bytes, numbers as float64, booleans only by the
        /// rules below; null, objects and arrays never compare; `~` first turns the value into a boolean.
        func matches(_ found: Result) -> Bool {
            var rhs = value
            var value = found
            if rhs.first == UInt8(ascii: "~") {
                let ish: Bool?
                switch String(decoding: rhs.dropFirst(), as: UTF8.self) {
                case "*": ish = value.exists
                case "null": ish = value.kind == .null
                case "true": ish = Self.truthy(value)
                case "false": ish = Self.falsy(value)
                default: ish = nil
                }
                if let ish {
                    rhs = Array("true".utf8)
                    value = Result(kind: ish ? .true : .false)
                } else {
                    rhs = []
                    value = Result()
                }
            }
            guard value.exists else { return false }
            if op.isEmpty { return true }
            let op = String(decoding: self.op, as: UTF8.self)
            let text = String(decoding: rhs, as: UTF8.self)
            switch value.kind {
            case .string:
                let s = value.str
                switch op {
                case "=": return s == rhs
                case "!=": return s != rhs
                case "<": return s.lexicographicallyPrecedes(rhs)
                case "<=": return !rhs.lexicographicallyPrecedes(s)
                case ">": return rhs.lexicographicallyPrecedes(s)
                case ">=": return !s.lexicographicallyPrecedes(rhs)
                case "%": return Wildcard.matches(s, rhs)
                case "!%": return !Wildcard.matches(s, rhs)
                default: return false
                }
            case .number:
                let n = Scan.parseFloat(rhs)
                switch op {
                case "=": return value.number == n
                case "!=": return value.number != n
                case "<": return value.number < n
                case "<=": return value.number <= n
                case ">": return value.number > n
                case ">=": return value.number >= n
                default: return false
                }
            case .true:
                switch op {
                case "=": return text == "true"
                case "!=": return text != "true"
                case ">": return text == "false"
                case ">=": return true
                default: return false
                }
            case .false:
                switch op {
                case "=": return text == "false"
                case "!=": return text != "false"
                case "<": return text == "true"
                case "<=": return true
                default: return false
                }
            case .null, .json:
                return false
            }
        }

        /// `strconv.ParseBool` of the lowercased string.
        private static func parseBool(_ s: [UInt8]) -> Bool? {
            switch String(decoding: s, as: UTF8.self).lowercased() {
            case "1", "t", "true": return true
            case "0", "f", "false": return false
            default: return nil
            }
        }

        static func truthy(_ r: Result) -> Bool {
            switch r.kind {
            case .true: return true
            case .string: return parseBool(r.str) ?? false
            case .number: return r.number != 0
            default: return false
            }
        }

        static func falsy(_ r: Result) -> Bool {
            switch r.kind {
            case .null, .false: return true
            case .string: return parseBool(r.str).map { !$0 } ?? false
            case .number: return r.number == 0
            default: return false
            }
        }
    }

    /// tidwall/match: `*` matches any run of characters, `?` one character, `\c` the character c;
    /// characters are UTF-8 runes decoded as Go does (each invalid byte is one U+FFFD).
    enum Wildcard {
        private enum Token: Equatable {
            case star, any, rune(UInt32)
            /// A backslash at the end of the pattern: matches nothing.
            case never
        }

        static func matches(_ string: [UInt8], _ pattern: [UInt8]) -> Bool {
            if pattern == [UInt8(ascii: "*")] { return true }
            let text = runes(string)
            var tokens: [Token] = []
            var i = 0
            let pat = runes(pattern)
            while i < pat.count {
                switch pat[i] {
                case UInt32(UInt8(ascii: "*")): tokens.append(.star)
                case UInt32(UInt8(ascii: "?")): tokens.append(.any)
                case UInt32(UInt8(ascii: "\\")):
                    i += 1
                    tokens.append(i < pat.count ? .rune(pat[i]) : .never)
                default: tokens.append(.rune(pat[i]))
                }
                i += 1
            }
            // Greedy match with one backtracking point, the last star.
            var s = 0
            var p = 0
            var starP = -1
            var starS = 0
            while s < text.count {
                if p < tokens.count, tokens[p] == .any || tokens[p] == .rune(text[s]) {
                    s += 1
                    p += 1
                } else if p < tokens.count, tokens[p] == .star {
                    starP = p
                    starS = s
                    p += 1
                } else if starP >= 0 {
                    p = starP + 1
                    starS += 1
                    s = starS
                } else {
                    return false
                }
            }
            while p < tokens.count, tokens[p] == .star { p += 1 }
            return p == tokens.count
        }

        static func runes(_ bytes: [UInt8]) -> [UInt32] {
            var out: [UInt32] = []
            var i = 0
            while i < bytes.count {
                let (scalar, size) = GoJSONValue.decodeRune(bytes, at: i)
                out.append(scalar)
                i += size
            }
            return out
        }
    }
}
