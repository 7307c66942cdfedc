/// A port of Go 1.19's `text/template/parse/lex.go` (default delimiters, no comment items),
/// over UTF-8 bytes so positions are Go's byte offsets.
enum GoTemplateItemType: Int, Sendable {
    case error, bool, char, charConstant, comment, complex, assign, declare, eof, field, identifier
    case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text
    case variable
    case keyword  // Keywords follow.
    case block, `break`, `continue`, dot, define, `else`, end, `if`, `nil`, range, template, with

    var isKeyword: Bool { rawValue > GoTemplateItemType.keyword.rawValue }

    static let keywords: [String: GoTemplateItemType] = [
        ".": .dot, "block": .block, "break": .break, "continue": .continue, "define": .define, "else": .else,
        "end": .end, "if": .if, "range": .range, "nil": .nil, "template": .template, "with": .with,
    ]
}

struct GoTemplateItem: Sendable {
    var type: GoTemplateItemType
    var pos: Int
    var val: String
    var line: Int

    /// Go's `item.String()`, used in "unexpected …" messages.
    var description: String {
        switch type {
        case .eof: return "EOF"
        case .error: return val
        case _ where type.isKeyword: return "<\(val)>"
        case _ where val.unicodeScalars.count > 10:
            return GoFormat.quote(String(String.UnicodeScalarView(val.unicodeScalars.prefix(10)))) + "..."
        default: return GoFormat.quote(val)
        }
    }
}

struct GoTemplateLexer {
    enum State { case text, leftDelim, comment, rightDelim, insideAction, space, identifier, field, number, quote, rawQuote }

    let input: [UInt8]
    let breakOK: Bool
    let continueOK: Bool
    var pos = 0
    var start = 0
    var atEOF = false
    var parenDepth = 0
    var line = 1
    var startLine = 1
    var items: [GoTemplateItem] = []
    static let eof: UInt32 = 0xFFFF_FFFF

    init(input: [UInt8], breakOK: Bool, continueOK: Bool) {
        self.input = input
        self.breakOK = breakOK
        self.continueOK = continueOK
    }

    /// Lexes the whole input; the items end with an EOF or an error item.
    mutating func run() -> [GoTemplateItem] {
        var state: State? = .text
        while let current = state { state = step(current) }
        return items
    }

    private mutating func step(_ state: State) -> State? {
        switch state {
        case .text: lexText()
        case .leftDelim: lexLeftDelim()
        case .comment: lexComment()
        case .rightDelim: lexRightDelim()
        case .insideAction: lexInsideAction()
        case .space: lexSpace()
        case .identifier: lexIdentifier()
        case .field: lexField()
        case .number: lexNumber()
        case .quote: lexQuote()
        case .rawQuote: lexRawQuote()
        }
    }

    // MARK: Scanning primitives

    mutating func next() -> UInt32 {
        guard pos < input.count else {
            atEOF = true
            return Self.eof
        }
        let rune = GoUTF8.decode(input, at: pos)
        pos += GoUTF8.width(input[pos])
        if rune == 0x0A { line += 1 }
        return rune
    }

    mutating func peek() -> UInt32 {
        let r = next()
        backup()
        return r
    }

    mutating func backup() {
        guard !atEOF, pos > 0 else { return }
        var p = pos - 1
        while p > 0, input[p] & 0xC0 == 0x80 { p -= 1 }
        if input[p] == 0x0A { line -= 1 }
        pos = p
    }

    mutating func emit(_ type: GoTemplateItemType) {
        items.append(GoTemplateItem(type: type, pos: start, val: text(start, pos), line: startLine))
        start = pos
        startLine = line
    }

    private mutating func ignore() {
        line += countNewlines(start, pos)
        start = pos
        startLine = line
    }

    mutating func accept(_ valid: StaticString) -> Bool {
        if Self.contains(valid, next()) { return true }
        backup()
        return false
    }

    mutating func acceptRun(_ valid: StaticString) {
        while Self.contains(valid, next()) {}
        backup()
    }

    static func contains(_ set: StaticString, _ rune: UInt32) -> Bool {
        guard rune < 0x80 else { return false }
        return set.withUTF8Buffer { $0.contains(UInt8(rune)) }
    }

    mutating func errorf(_ message: String) -> State? {
        items.append(GoTemplateItem(type: .error, pos: start, val: message, line: startLine))
        return nil
    }

    func text(_ from: Int, _ to: Int) -> String {
        String(decoding: input[from..<to], as: UTF8.self)
    }

    private func countNewlines(_ from: Int, _ to: Int) -> Int {
        var n = 0
        for i in from..<to where input[i] == 0x0A { n += 1 }
        return n
    }

    func hasPrefix(_ prefix: StaticString, at offset: Int) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard offset >= 0, offset + count <= input.count else { return false }
        return prefix.withUTF8Buffer { bytes in
            for i in 0..<count where input[offset + i] != bytes[i] { return false }
            return true
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    static func isSpace(_ r: UInt32) -> Bool { r == 0x20 || r == 0x09 || r == 0x0D || r == 0x0A }

    private func hasLeftTrimMarker(_ at: Int) -> Bool {
        at + 1 < input.count && input[at] == UInt8(ascii: "-") && Self.isSpace(input[at + 1])
    }

    func hasRightTrimMarker(_ at: Int) -> Bool {
        at >= 0 && at + 1 < input.count && Self.isSpace(input[at]) && input[at + 1] == UInt8(ascii: "-")
    }

    /// Whether the input at `pos` is a right delimiter, possibly preceded by a trim marker.
    func atRightDelim() -> Bool { atTrimmedRightDelim() || hasPrefix("}}", at: pos) }

    /// Whether the input at `pos` is a right delimiter preceded by a trim marker.
    func atTrimmedRightDelim() -> Bool { hasRightTrimMarker(pos) && hasPrefix("}}", at: pos + 2) }

    mutating func atTerminator() -> Bool {
        let r = peek()
        if Self.isSpace(r) { return true }
        switch r {
        case Self.eof, 0x2E, 0x2C, 0x7C, 0x3A, 0x29, 0x28: return true  // . , | : ) (
        default: return hasPrefix("}}", at: pos)
        }
    }
}

extension GoTemplateLexer {
    private mutating func lexText() -> State? {
        if let x = findLeftDelim(from: pos) {
            pos = x
            var trimLength = 0
            if hasLeftTrimMarker(pos + 2) {
                var p = pos
                while p > start, Self.isSpace(input[p - 1]) { p -= 1 }
                trimLength = pos - p
            }
            pos -= trimLength
            if pos > start {
                line += countNewlines(start, pos)
                emit(.text)
            }
            pos += trimLength
            ignore()
            return .leftDelim
        }
        pos = input.count
        if pos > start {
            line += countNewlines(start, pos)
            emit(.text)
        }
        emit(.eof)
        return nil
    }

    private func findLeftDelim(from: Int) -> Int? {
        var i = from
        while i + 1 < input.count {
            if input[i] == UInt8(ascii: "{") && input[i + 1] == UInt8(ascii: "{") { return i }
            i += 1
        }
        return nil
    }

    private mutating func lexLeftDelim() -> State? {
        pos += 2
        let trimSpace = hasLeftTrimMarker(pos)
        let afterMarker = trimSpace ? 2 : 0
        if hasPrefix("/*", at: pos + afterMarker) {
            pos += afterMarker
            ignore()
            return .comment
        }
        emit(.leftDelim)
        pos += afterMarker
        ignore()
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State? {
        pos += 2
        var i = pos
        while i + 1 < input.count, !(input[i] == UInt8(ascii: "*") && input[i + 1] == UInt8(ascii: "/")) { i += 1 }
        guard i + 1 < input.count else { return errorf("unclosed comment") }
        pos = i + 2
        let trimSpace = atTrimmedRightDelim()
        guard atRightDelim() else { return errorf("comment ends before closing delimiter") }
        if trimSpace { pos += 2 }
        pos += 2
        if trimSpace { skipLeadingSpaces() }
        ignore()
        return .text
    }

    private mutating func skipLeadingSpaces() {
        while pos < input.count, Self.isSpace(input[pos]) { pos += 1 }
    }

    private mutating func lexRightDelim() -> State? {
        let trimSpace = hasRightTrimMarker(pos)
        if trimSpace {
            pos += 2
            ignore()
        }
        pos += 2
        emit(.rightDelim)
        if trimSpace {
            skipLeadingSpaces()
            ignore()
        }
        return .text
    }
}
