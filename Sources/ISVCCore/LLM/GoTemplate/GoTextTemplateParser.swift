/// A port of Go 1.19's `text/template/parse/parse.go` for the supported subset: same lookahead,
/// same checks in the same order, so the same template yields the same first error (and line).
struct GoTemplateParser {
    typealias Error = GoTextTemplate.Error
    typealias Item = GoTemplateItem

    /// What `textOrAction` found: a node, or an `{{end}}`/`{{else}}` closing a list.
    enum Parsed {
        case node(GoTemplateNode)
        case end
        /// `{{else}}`, or `{{else if …` with the `if` left pending; `delim` is the offset of its `{{`.
        case `else`(delim: Int)

        var description: String {
            switch self {
            case .node: "node"
            case .end: "{{end}}"
            case .else: "{{else}}"
            }
        }
    }

    /// Builtins isvc implements; the other Go builtins are refused.
    static let builtins: Set<String> = ["and", "or", "not", "eq", "ne", "len", "index", "print"]
    static let unsupportedBuiltins: Set<String> = [
        "call", "html", "js", "slice", "printf", "println", "urlquery", "ge", "gt", "le", "lt",
    ]

    let name: String
    let source: [UInt8]
    let items: [Item]
    let functions: Set<String>
    var index = 0
    var token: [Item] = Array(repeating: Item(type: .eof, pos: 0, val: "", line: 0), count: 3)
    var peekCount = 0
    var actionLine = 0
    var actionStart: Int?
    var openControls: [Int] = []

    init(name: String, source: [UInt8], items: [Item], functions: Set<String>) {
        self.name = name
        self.source = source
        self.items = items
        self.functions = functions
    }

    // MARK: Token stream (Tree.next, backup, peek, …)

    private mutating func lexItem() -> Item {
        guard index < items.count else { return Item(type: .error, pos: 0, val: "", line: 0) }
        defer { index += 1 }
        return items[index]
    }

    mutating func next() -> Item {
        if peekCount > 0 { peekCount -= 1 } else { token[0] = lexItem() }
        return token[peekCount]
    }

    mutating func backup() { peekCount += 1 }

    mutating func backup2(_ t1: Item) {
        token[1] = t1
        peekCount = 2
    }

    mutating func peek() -> Item {
        if peekCount > 0 { return token[peekCount - 1] }
        peekCount = 1
        token[0] = lexItem()
        return token[0]
    }

    mutating func nextNonSpace() -> Item {
        var item = next()
        while item.type == .space { item = next() }
        return item
    }

    mutating func peekNonSpace() -> Item {
        let item = nextNonSpace()
        backup()
        return item
    }

    // MARK: Errors

    /// Go's `Tree.errorf`: `template: NAME:LINE: message`, LINE that of the last token read.
    func errorf(_ message: String, kind: Error.Kind = .parse) -> Error {
        let current = token[0]
        return Error(
            kind: kind, message: "template: \(name):\(current.line): \(message)",
            offset: actionStart ?? openControls.last ?? current.pos, nodeOffset: current.pos)
    }

    func unsupported(_ what: String) -> Error {
        errorf("\(what) is not supported by isvc", kind: .unsupported)
    }

    func unexpected(_ item: Item, _ context: String) -> Error {
        guard item.type == .error else { return errorf("unexpected \(item.description) in \(context)") }
        var extra = ""
        if actionLine != 0 && actionLine != item.line {
            extra = " in action started at \(name):\(actionLine)"
            if item.val.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
        }
        return errorf(item.description + extra)
    }

    mutating func expect(_ type: GoTemplateItemType, _ context: String) throws(Error) -> Item {
        let item = nextNonSpace()
        if item.type != type { throw unexpected(item, context) }
        return item
    }

    // MARK: Lists and actions

    /// Tree.parse: the top-level list, to EOF.
    mutating func parse() throws(Error) -> [GoTemplateNode] {
        var root: [GoTemplateNode] = []
        while peek().type != .eof {
            if peek().type == .leftDelim {
                let delim = next()
                if nextNonSpace().type == .define {
                    actionStart = delim.pos
                    throw unsupported("{{define}}")
                }
                backup2(delim)
            }
            switch try textOrAction() {
            case .node(let node): root.append(node)
            case let other: throw errorf("unexpected \(other.description)")
            }
        }
        return root
    }

    /// Tree.itemList: nodes up to an `{{end}}` or `{{else}}`, returned separately.
    mutating func itemList() throws(Error) -> ([GoTemplateNode], Parsed) {
        var list: [GoTemplateNode] = []
        while peekNonSpace().type != .eof {
            let parsed = try textOrAction()
            guard case .node(let node) = parsed else { return (list, parsed) }
            list.append(node)
        }
        throw errorf("unexpected EOF")
    }

    mutating func textOrAction() throws(Error) -> Parsed {
        let item = nextNonSpace()
        switch item.type {
        case .text: return .node(.text(item.pos..<item.pos + item.val.utf8.count))
        case .leftDelim:
            actionLine = item.line
            actionStart = item.pos
            defer {
                actionLine = 0
                actionStart = nil
            }
            return try action(delim: item.pos)
        default: throw unexpected(item, "input")
        }
    }

    mutating func action(delim: Int) throws(Error) -> Parsed {
        let item = nextNonSpace()
        switch item.type {
        case .block, .range, .template, .with: throw unsupported("{{\(item.val)}}")
        case .break, .continue:
            let close = nextNonSpace()
            if close.type != .rightDelim { throw unexpected(close, "{{\(item.val)}}") }
            throw errorf("{{\(item.val)}} outside {{range}}")
        case .else:
            if peekNonSpace().type == .if { return .else(delim: delim) }
            _ = try expect(.rightDelim, "else")
            return .else(delim: delim)
        case .end:
            _ = try expect(.rightDelim, "end")
            return .end
        case .if: return .node(.if(try ifControl(delim: delim)))
        default: break
        }
        backup()
        let first = peek()
        return .node(.action(GoTemplateAction(pos: first.pos, delim: delim, pipe: try pipeline("command", end: .rightDelim))))
    }

    /// Tree.parseControl for `if`, with Go's `else if` rewriting.
    mutating func ifControl(delim: Int) throws(Error) -> GoTemplateIf {
        openControls.append(delim)
        defer { openControls.removeLast() }
        let pipe = try pipeline("if", end: .rightDelim)
        let (list, next) = try itemList()
        var elseList: [GoTemplateNode]?
        if case .else(let elseDelim) = next {
            if peek().type == .if {
                _ = self.next()
                elseList = [.if(try ifControl(delim: elseDelim))]
            } else {
                let (list, end) = try itemList()
                guard case .end = end else { throw errorf("expected end; found \(end.description)") }
                elseList = list
            }
        }
        return GoTemplateIf(delim: delim, pipe: pipe, list: list, elseList: elseList)
    }
}
