/// JSON syntax as Go's `encoding/json` scanner checks it (`json.Valid`, and `json.Unmarshal` before
/// decoding: RFC 8259, so no trailing commas, comments or single quotes), with Go's error messages.
/// KServe reads its ConfigMaps' JSON values this way (Foundation's `JSONSerialization` accepts more,
/// such as a trailing comma); the InferenceGraph router answers an Ensemble step whose body is not
/// JSON with the scanner's message as the error's cause (`invalid character 'N' looking for
/// beginning of value`), and sets `Content-Type: application/json` only on bodies `json.Valid` accepts.
///
/// It is a byte-at-a-time state machine like Go's, without recursion, so a deeply nested body cannot
/// exhaust the stack; the end of input is checked as Go does (one more space is fed, so `-` ends as
/// `invalid character ' ' in numeric literal`). tidwall/gjson's `Valid` accepts the same texts except
/// that it has no nesting limit: pass `maxDepth: nil` for it.
public enum GoJSONScanner {
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var message: String
        /// Bytes read when the error was found (Go's `SyntaxError.Offset`).
        public var offset: Int
        /// Index of the byte the error is about; the length of the text when the input ended first.
        public var index: Int
        public var description: String { message }

        /// 1-based line and column of the byte the error is about, in the text that was checked
        /// (columns count Unicode scalars, so a column is where an editor shows the character).
        public func position(in bytes: [UInt8]) -> (line: Int, column: Int) {
            let end = min(index, bytes.count)
            var line = 1
            var lineStart = 0
            for i in 0..<end where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return (line, String(decoding: bytes[lineStart..<end], as: UTF8.self).unicodeScalars.count + 1)
        }
    }

    /// Go's `maxNestingDepth`.
    public static let goMaxDepth = 10_000

    /// The first syntax error, or nil when `bytes` hold exactly one JSON value (with optional spaces).
    public static func firstError(_ bytes: [UInt8], maxDepth: Int? = goMaxDepth) -> SyntaxError? {
        var machine = Machine(maxDepth: maxDepth)
        for (i, c) in bytes.enumerated() where !machine.step(c) {
            return SyntaxError(message: machine.error ?? "", offset: i + 1, index: i)
        }
        if machine.endTop { return nil }
        // Go's eof(): one more space may finish a number or fail a literal.
        if !machine.step(0x20) { return SyntaxError(message: machine.error ?? "", offset: bytes.count, index: bytes.count) }
        if machine.endTop { return nil }
        return SyntaxError(message: "unexpected end of JSON input", offset: bytes.count, index: bytes.count)
    }

    public static func isValid(_ bytes: [UInt8], maxDepth: Int? = goMaxDepth) -> Bool {
        firstError(bytes, maxDepth: maxDepth) == nil
    }

    /// Go's `quoteChar`: the byte as a rune in single quotes, escaped as `strconv.Quote` does (a byte
    /// above 0x7F is the Latin-1 rune of that value: 0xC3 is 'Ã').
    static func quoteChar(_ c: UInt8) -> String {
        switch c {
        case 0x27: return #"'\''"#
        case 0x22: return #"'"'"#
        case 0x5C: return #"'\\'"#
        case 0x07: return #"'\a'"#
        case 0x08: return #"'\b'"#
        case 0x0C: return #"'\f'"#
        case 0x0A: return #"'\n'"#
        case 0x0D: return #"'\r'"#
        case 0x09: return #"'\t'"#
        case 0x0B: return #"'\v'"#
        case 0x20..<0x7F: return "'" + String(UnicodeScalar(c)) + "'"
        case 0x00..<0x20, 0x7F: return "'\\x" + hex(c, width: 2) + "'"
        // C1 controls, no-break space and soft hyphen are not printable for strconv.
        case 0x80..<0xA0, 0xA0, 0xAD: return "'\\u" + hex(c, width: 4) + "'"
        default: return "'" + String(UnicodeScalar(c)) + "'"
        }
    }

    static func hex(_ value: UInt8, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private enum State {
        case beginValue, beginValueOrEmpty, beginStringOrEmpty, beginString, endValue, endTop
        case inString, inStringEsc, inStringEscU(Int)
        case neg, one, zero, dot, dot0, exp, expSign, exp0
        case literal(word: StaticString, next: Int)
    }

    private enum Container { case objectKey, objectValue, arrayValue }

    private struct Machine {
        let maxDepth: Int?
        var state = State.beginValue
        var stack: [Container] = []
        var endTop = false
        var error: String?

        init(maxDepth: Int?) { self.maxDepth = maxDepth }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }

        mutating func fail(_ c: UInt8, _ context: String) -> Bool {
            error = "invalid character " + GoJSONScanner.quoteChar(c) + " " + context
            return false
        }

        mutating func push(_ c: UInt8, _ container: Container, then next: State) -> Bool {
            stack.append(container)
            if let maxDepth, stack.count > maxDepth { return fail(c, "exceeded max depth") }
            state = next
            return true
        }

        /// Feeds one byte; false on a syntax error (then `error` holds Go's message).
        mutating func step(_ c: UInt8) -> Bool {
            switch state {
            case .beginValueOrEmpty:
                if Self.isSpace(c) { return true }
                if c == UInt8(ascii: "]") { return endValue(c) }
                return beginValue(c)
            case .beginValue:
                return beginValue(c)
            case .beginStringOrEmpty:
                if Self.isSpace(c) { return true }
                if c == UInt8(ascii: "}") {
                    stack[stack.count - 1] = .objectValue
                    return endValue(c)
                }
                return beginString(c)
            case .beginString:
                return beginString(c)
            case .endValue:
                return endValue(c)
            case .endTop:
                return Self.isSpace(c) ? true : fail(c, "after top-level value")
            case .inString:
                if c == UInt8(ascii: "\"") {
                    state = .endValue
                } else if c == UInt8(ascii: "\\") {
                    state = .inStringEsc
                } else if c < 0x20 {
                    return fail(c, "in string literal")
                }
                return true
            case .inStringEsc:
                switch c {
                case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"),
                    UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "\""):
                    state = .inString
                    return true
                case UInt8(ascii: "u"):
                    state = .inStringEscU(0)
                    return true
                default: return fail(c, "in string escape code")
                }
            case .inStringEscU(let n):
                guard Self.isHex(c) else { return fail(c, "in \\u hexadecimal character escape") }
                state = n == 3 ? .inString : .inStringEscU(n + 1)
                return true
            case .neg:
                if c == UInt8(ascii: "0") {
                    state = .zero
                } else if c >= 0x31 && c <= 0x39 {
                    state = .one
                } else {
                    return fail(c, "in numeric literal")
                }
                return true
            case .one:
                if Self.isDigit(c) { return true }
                return zero(c)
            case .zero:
                return zero(c)
            case .dot:
                guard Self.isDigit(c) else { return fail(c, "after decimal point in numeric literal") }
                state = .dot0
                return true
            case .dot0:
                if Self.isDigit(c) { return true }
                if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    state = .exp
                    return true
                }
                return endValue(c)
            case .exp:
                if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    state = .expSign
                    return true
                }
                return expSign(c)
            case .expSign:
                return expSign(c)
            case .exp0:
                if Self.isDigit(c) { return true }
                return endValue(c)
            case .literal(let word, let next):
                let expected = word.withUTF8Buffer { $0[next] }
                guard c == expected else {
                    return fail(c, "in literal \(word) (expecting \(GoJSONScanner.quoteChar(expected)))")
                }
                state = next + 1 == word.utf8CodeUnitCount ? .endValue : .literal(word: word, next: next + 1)
                return true
            }
        }

        mutating func beginValue(_ c: UInt8) -> Bool {
            if Self.isSpace(c) { return true }
            switch c {
            case UInt8(ascii: "{"): return push(c, .objectKey, then: .beginStringOrEmpty)
            case UInt8(ascii: "["): return push(c, .arrayValue, then: .beginValueOrEmpty)
            case UInt8(ascii: "\""): state = .inString
            case UInt8(ascii: "-"): state = .neg
            case UInt8(ascii: "0"): state = .zero
            case UInt8(ascii: "t"): state = .literal(word: "true", next: 1)
            case UInt8(ascii: "f"): state = .literal(word: "false", next: 1)
            case UInt8(ascii: "n"): state = .literal(word: "null", next: 1)
            case 0x31...0x39: state = .one
            default: return fail(c, "looking for beginning of value")
            }
            return true
        }

        mutating func beginString(_ c: UInt8) -> Bool {
            if Self.isSpace(c) { return true }
            guard c == UInt8(ascii: "\"") else { return fail(c, "looking for beginning of object key string") }
            state = .inString
            return true
        }

        mutating func zero(_ c: UInt8) -> Bool {
            if c == UInt8(ascii: ".") {
                state = .dot
                return true
            }
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                state = .exp
                return true
            }
            return endValue(c)
        }

        mutating func expSign(_ c: UInt8) -> Bool {
            guard Self.isDigit(c) else { return fail(c, "in exponent of numeric literal") }
            state = .exp0
            return true
        }

        mutating func endValue(_ c: UInt8) -> Bool {
            guard let top = stack.last else {
                endTop = true
                state = .endTop
                return Self.isSpace(c) ? true : fail(c, "after top-level value")
            }
            if Self.isSpace(c) {
                state = .endValue
                return true
            }
            switch top {
            case .objectKey:
                guard c == UInt8(ascii: ":") else { return fail(c, "after object key") }
                stack[stack.count - 1] = .objectValue
                state = .beginValue
            case .objectValue:
                if c == UInt8(ascii: ",") {
                    stack[stack.count - 1] = .objectKey
                    state = .beginString
                } else if c == UInt8(ascii: "}") {
                    stack.removeLast()
                    state = .endValue
                    if stack.isEmpty { endTop = true; state = .endTop }
                } else {
                    return fail(c, "after object key:value pair")
                }
            case .arrayValue:
                if c == UInt8(ascii: ",") {
                    state = .beginValue
                } else if c == UInt8(ascii: "]") {
                    stack.removeLast()
                    state = .endValue
                    if stack.isEmpty { endTop = true; state = .endTop }
                } else {
                    return fail(c, "after array element")
                }
            }
            return true
        }
    }
}
