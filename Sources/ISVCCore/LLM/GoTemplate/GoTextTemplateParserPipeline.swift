/// Pipelines, commands and operands (parse.go's pipeline, command, operand, term).
extension GoTemplateParser {
    mutating func pipeline(_ context: String, end: GoTemplateItemType) throws(Error) -> GoTemplatePipe {
        let first = peekNonSpace()
        var pipe = GoTemplatePipe(pos: first.pos, commands: [])
        if first.type == .variable { throw unsupported("the variable \(first.val)") }
        while true {
            let item = nextNonSpace()
            switch item.type {
            case _ where item.type == end:
                if pipe.commands.isEmpty { throw errorf("missing value for \(context)") }
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nil, .rawString, .string, .variable,
                .leftParen:
                backup()
                pipe.commands.append(try command())
            default: throw unexpected(item, context)
            }
        }
    }

    mutating func command() throws(Error) -> GoTemplateCommand {
        var command = GoTemplateCommand(pos: peekNonSpace().pos, args: [])
        while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.args.append(operand) }
            let item = next()
            switch item.type {
            case .space: continue
            case .rightDelim, .rightParen: backup()
            case .pipe: throw unsupported("the pipeline operator |")
            default: throw unexpected(item, "operand")
            }
            break
        }
        if command.args.isEmpty { throw errorf("empty command") }
        return command
    }

    /// A term possibly followed by field accesses.
    mutating func operand() throws(Error) -> GoTemplateArg? {
        guard let node = try term() else { return nil }
        guard peek().type == .field else { return node }
        let chainPos = peek().pos
        var names: [String] = []
        while peek().type == .field { names.append(String(next().val.dropFirst())) }
        switch node {
        case .field(_, let first): return .field(pos: chainPos, names: first + names)
        case .bool, .string, .number, .nil, .dot: throw errorf("unexpected . after term \(GoFormat.quote(node.description))")
        default: return .chain(pos: chainPos, node: node, names: names)
        }
    }

    mutating func term() throws(Error) -> GoTemplateArg? {
        let item = nextNonSpace()
        switch item.type {
        case .identifier:
            if !functions.contains(item.val) && !Self.builtins.contains(item.val) {
                if Self.unsupportedBuiltins.contains(item.val) { throw unsupported("the function \(item.val)") }
                throw errorf("function \(GoFormat.quote(item.val)) not defined")
            }
            return .identifier(pos: item.pos, name: item.val)
        case .dot: return .dot(pos: item.pos)
        case .nil: return .nil(pos: item.pos)
        case .variable: throw unsupported("the variable \(item.val)")
        case .field: return .field(pos: item.pos, names: [String(item.val.dropFirst())])
        case .bool: return .bool(pos: item.pos, value: item.val == "true")
        case .charConstant, .complex: throw unsupported("the number \(item.val)")
        case .number: return .number(pos: item.pos, value: try integer(item.val), text: item.val)
        case .leftParen: return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            guard let bytes = GoUnquote.unquote(Array(item.val.utf8)) else { throw errorf("invalid syntax") }
            guard let value = String(validating: bytes, as: UTF8.self) else {
                throw unsupported("a string literal that is not valid UTF-8")
            }
            return .string(pos: item.pos, quoted: item.val, value: value)
        default:
            backup()
            return nil
        }
    }

    /// A decimal integer literal that fits Go's `int`; Go's parse error for a number without
    /// digits or one too large for any integer type; isvc refuses the other number syntaxes
    /// (floats, hex, octal, `_`, …).
    func integer(_ text: String) throws(Error) -> Int64 {
        let digits = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let isDecimal = !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        guard isDecimal, digits == "0" || !digits.hasPrefix("0") else {
            if !text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) {
                throw errorf("illegal number syntax: \(GoFormat.quote(text))")
            }
            throw unsupported("the number \(text)")
        }
        if let value = Int64(text) { return value }
        if !text.hasPrefix("-") && !text.hasPrefix("+") && UInt64(text) != nil { throw unsupported("the number \(text)") }
        throw errorf("integer overflow: \(GoFormat.quote(text))")
    }
}

/// Go's `strconv.Unquote` for the string literals the lexer accepts (`"…"` and `` `…` ``).
enum GoUnquote {
    static func unquote(_ s: [UInt8]) -> [UInt8]? {
        guard s.count >= 2, let quote = s.first, s.last == quote else { return nil }
        if quote == UInt8(ascii: "`") { return s[1..<s.count - 1].filter { $0 != 0x0D } }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 1
        let end = s.count - 1
        while i < end {
            let c = s[i]
            if c == quote { return nil }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < end, let next = escape(s, at: i + 1, into: &out) else { return nil }
            i = next
        }
        return out
    }

    /// Decodes the escape whose letter is at `at`, appending its bytes; the offset after it.
    private static func escape(_ s: [UInt8], at: Int, into out: inout [UInt8]) -> Int? {
        let simple: [UInt8: UInt8] = [
            0x61: 0x07, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09, 0x76: 0x0B, 0x5C: 0x5C, 0x22: 0x22,
        ]
        let c = s[at]
        if let byte = simple[c] {
            out.append(byte)
            return at + 1
        }
        switch c {
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = c == UInt8(ascii: "x") ? 2 : c == UInt8(ascii: "u") ? 4 : 8
            guard let value = number(s, from: at + 1, count: n, radix: 16) else { return nil }
            if c == UInt8(ascii: "x") {
                out.append(UInt8(value))
            } else {
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            return at + 1 + n
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            guard let value = number(s, from: at, count: 3, radix: 8), value <= 255 else { return nil }
            out.append(UInt8(value))
            return at + 3
        default: return nil
        }
    }

    private static func number(_ s: [UInt8], from: Int, count: Int, radix: UInt32) -> UInt32? {
        guard from + count <= s.count else { return nil }
        var value: UInt32 = 0
        for byte in s[from..<from + count] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue, UInt32(digit) < radix else { return nil }
            value = value * radix + UInt32(digit)
        }
        return value
    }
}
