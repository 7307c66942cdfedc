/// JSON syntax as Go's `encoding/json` checks it before decoding (RFC 8259: no trailing commas, no
/// comments, no single quotes, nothing after the value), with Go's messages. KServe and Knative read
/// their ConfigMaps' JSON values with it; Foundation's `JSONSerialization` accepts more (a trailing
/// comma), which would let a ConfigMap pass here that stops KServe's controller in a cluster.
public enum GoJSONSyntax {
    public struct Error: Swift.Error, Equatable {
        /// Byte offset of the offending character (the end of the text for unexpected end of input).
        public var offset: Int
        public var message: String
        /// 1-based line and column of `offset` in the text.
        public var line: Int
        public var column: Int
    }

    /// Go's nesting limit (`maxNestingDepth` in encoding/json's scanner).
    static let maxDepth = 10_000

    /// The first syntax error in `text`, or nil when it is one JSON value.
    public static func firstError(in text: String) -> Error? {
        var scanner = Scanner(bytes: Array(text.utf8))
        do {
            scanner.skipSpace()
            try scanner.value(depth: 0, context: "beginning of value")
            scanner.skipSpace()
            if scanner.index < scanner.bytes.count { throw scanner.invalid("after top-level value") }
            return nil
        } catch let failure as Failure {
            return scanner.error(failure)
        } catch {
            return nil
        }
    }

    private struct Failure: Swift.Error {
        var offset: Int
        var message: String
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { index += 1 }
        }

        /// Go quotes the character as a Go rune literal: 'x', '\n', '\x00'.
        func quoted(_ c: UInt8) -> String {
            switch c {
            case 0x0A: return #"'\n'"#
            case 0x0D: return #"'\r'"#
            case 0x09: return #"'\t'"#
            case 0x27: return #"'\''"#
            case 0x5C: return #"'\\'"#
            case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(c)))'"
            default: return String(format: #"'\x%02x'"#, c)
            }
        }

        func invalid(_ context: String) -> Failure {
            guard let c = current else { return Failure(offset: index, message: "unexpected end of JSON input") }
            return Failure(offset: index, message: "invalid character \(quoted(c)) \(context)")
        }

        mutating func value(depth: Int, context: String) throws {
            guard let c = current else { throw invalid(context) }
            switch c {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: throw invalid("looking for \(context)")
            }
        }

        mutating func object(depth: Int) throws {
            if depth > GoJSONSyntax.maxDepth { throw Failure(offset: index, message: "exceeded max depth") }
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                guard current == UInt8(ascii: "\"") else { throw invalid("looking for beginning of object key string") }
                try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw invalid("after object key") }
                index += 1
                skipSpace()
                try value(depth: depth, context: "beginning of value")
                skipSpace()
                if current == UInt8(ascii: "}") { index += 1; return }
                guard current == UInt8(ascii: ",") else { throw invalid("after object key:value pair") }
                index += 1
                skipSpace()
            }
        }

        mutating func array(depth: Int) throws {
            if depth > GoJSONSyntax.maxDepth { throw Failure(offset: index, message: "exceeded max depth") }
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                try value(depth: depth, context: "beginning of value")
                skipSpace()
                if current == UInt8(ascii: "]") { index += 1; return }
                guard current == UInt8(ascii: ",") else { throw invalid("after array element") }
                index += 1
                skipSpace()
            }
        }

        mutating func string() throws {
            index += 1
            while let c = current {
                switch c {
                case UInt8(ascii: "\""): index += 1; return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let e = current else { throw invalid("in string literal") }
                    if e == UInt8(ascii: "u") {
                        index += 1
                        for _ in 0..<4 {
                            guard let h = current, isHex(h) else { throw invalid("in \\u hexadecimal character escape") }
                            index += 1
                        }
                    } else if Array(#""\/bfnrt"#.utf8).contains(e) {
                        index += 1
                    } else {
                        throw invalid("in string escape code")
                    }
                case 0x00..<0x20: throw invalid("in string literal")
                default: index += 1
                }
            }
            throw invalid("in string literal")
        }

        func isHex(_ c: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(c)
        }

        func isDigit(_ c: UInt8?) -> Bool { c.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false }

        mutating func number() throws {
            if current == UInt8(ascii: "-") {
                index += 1
                guard isDigit(current) else { throw invalid("in numeric literal") }
            }
            if current == UInt8(ascii: "0") { index += 1 } else { while isDigit(current) { index += 1 } }
            if current == UInt8(ascii: ".") {
                index += 1
                guard isDigit(current) else { throw invalid("after decimal point in numeric literal") }
                while isDigit(current) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard isDigit(current) else { throw invalid("in exponent of numeric literal") }
                while isDigit(current) { index += 1 }
            }
        }

        mutating func literal(_ word: String) throws {
            for (k, expected) in word.utf8.enumerated() {
                guard current == expected else {
                    throw invalid("in literal \(word) (expecting \(quoted(Array(word.utf8)[k])))")
                }
                index += 1
            }
        }

        func error(_ failure: Failure) -> GoJSONSyntax.Error {
            var line = 1, lineStart = 0
            for i in 0..<min(failure.offset, bytes.count) where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            let column = String(decoding: bytes[lineStart..<min(failure.offset, bytes.count)], as: UTF8.self).unicodeScalars.count + 1
            return GoJSONSyntax.Error(offset: failure.offset, message: failure.message, line: line, column: column)
        }
    }
}
