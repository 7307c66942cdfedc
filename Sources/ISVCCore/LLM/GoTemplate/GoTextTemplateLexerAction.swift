/// The inside of an action, for `GoTemplateLexer` (lex.go's lexInsideAction and what it calls).
extension GoTemplateLexer {
    mutating func lexInsideAction() -> State? {
        if atRightDelim() {
            return parenDepth == 0 ? .rightDelim : errorf("unclosed left paren")
        }
        let r = next()
        switch r {
        case Self.eof: return errorf("unclosed action")
        case _ where Self.isSpace(r):
            backup()
            return .space
        case 0x3D: emit(.assign)  // =
        case 0x3A:  // :
            if next() != 0x3D { return errorf("expected :=") }
            emit(.declare)
        case 0x7C: emit(.pipe)
        case 0x22: return .quote
        case 0x60: return .rawQuote
        case 0x24: return lexVariable()
        case 0x27: return lexChar()
        case 0x2E:  // .
            if pos < input.count, input[pos] < UInt8(ascii: "0") || input[pos] > UInt8(ascii: "9") { return .field }
            backup()
            return .number
        case 0x2B, 0x2D, 0x30...0x39:
            backup()
            return .number
        case _ where GoUTF8.isAlphaNumeric(r):
            backup()
            return .identifier
        case 0x28:
            emit(.leftParen)
            parenDepth += 1
        case 0x29:
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return errorf("unexpected right paren \(GoFormat.unicodeRune(r))") }
        case 0x20...0x7E: emit(.char)
        default: return errorf("unrecognized character in action: \(GoFormat.unicodeRune(r))")
        }
        return .insideAction
    }

    mutating func lexSpace() -> State? {
        var numSpaces = 0
        while Self.isSpace(peek()) {
            _ = next()
            numSpaces += 1
        }
        if hasRightTrimMarker(pos - 1) && hasPrefix("}}", at: pos + 1) {
            backup()
            if numSpaces == 1 { return .rightDelim }
        }
        emit(.space)
        return .insideAction
    }

    mutating func lexIdentifier() -> State? {
        while true {
            let r = next()
            if GoUTF8.isAlphaNumeric(r) { continue }
            backup()
            let word = text(start, pos)
            if !atTerminator() { return errorf("bad character \(GoFormat.unicodeRune(r))") }
            if let keyword = GoTemplateItemType.keywords[word] {
                let asIdentifier = (keyword == .break && !breakOK) || (keyword == .continue && !continueOK)
                emit(asIdentifier ? .identifier : keyword)
            } else if word.hasPrefix(".") {
                emit(.field)
            } else if word == "true" || word == "false" {
                emit(.bool)
            } else {
                emit(.identifier)
            }
            return .insideAction
        }
    }

    mutating func lexField() -> State? {
        lexFieldOrVariable(.field)
    }

    private mutating func lexVariable() -> State? {
        if atTerminator() {
            emit(.variable)
            return .insideAction
        }
        return lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ type: GoTemplateItemType) -> State? {
        if atTerminator() {
            emit(type == .variable ? .variable : .dot)
            return .insideAction
        }
        var r: UInt32
        repeat { r = next() } while GoUTF8.isAlphaNumeric(r)
        backup()
        if !atTerminator() { return errorf("bad character \(GoFormat.unicodeRune(r))") }
        emit(type)
        return .insideAction
    }

    private mutating func lexChar() -> State? {
        while true {
            switch next() {
            case 0x5C:  // backslash
                let r = next()
                if r != Self.eof && r != 0x0A { continue }
                return errorf("unterminated character constant")
            case Self.eof, 0x0A: return errorf("unterminated character constant")
            case 0x27:
                emit(.charConstant)
                return .insideAction
            default: continue
            }
        }
    }

    mutating func lexNumber() -> State? {
        if !scanNumber() { return errorf("bad number syntax: \(GoFormat.quote(text(start, pos)))") }
        let sign = peek()
        if sign == 0x2B || sign == 0x2D {
            if !scanNumber() || input[pos - 1] != UInt8(ascii: "i") {
                return errorf("bad number syntax: \(GoFormat.quote(text(start, pos)))")
            }
            emit(.complex)
        } else {
            emit(.number)
        }
        return .insideAction
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits: StaticString = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.utf8CodeUnitCount == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.utf8CodeUnitCount == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if GoUTF8.isAlphaNumeric(peek()) {
            _ = next()
            return false
        }
        return true
    }

    mutating func lexQuote() -> State? {
        while true {
            switch next() {
            case 0x5C:
                let r = next()
                if r != Self.eof && r != 0x0A { continue }
                return errorf("unterminated quoted string")
            case Self.eof, 0x0A: return errorf("unterminated quoted string")
            case 0x22:
                emit(.string)
                return .insideAction
            default: continue
            }
        }
    }

    mutating func lexRawQuote() -> State? {
        while true {
            switch next() {
            case Self.eof: return errorf("unterminated raw quoted string")
            case 0x60:
                emit(.rawString)
                return .insideAction
            default: continue
            }
        }
    }
}
