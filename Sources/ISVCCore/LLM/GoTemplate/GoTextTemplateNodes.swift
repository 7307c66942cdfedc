/// The parse tree of the supported subset of `text/template/parse` (node.go). Positions are byte
/// offsets of the source, as Go's `Pos`.
enum GoTemplateNode: Sendable {
    /// Text to copy, as a byte range of the source.
    case text(Range<Int>)
    case action(GoTemplateAction)
    case `if`(GoTemplateIf)
}

/// `{{pipeline}}`: `pos` is Go's (the first token's), `delim` the offset of its `{{`.
struct GoTemplateAction: Sendable {
    var pos: Int
    var delim: Int
    var pipe: GoTemplatePipe

    var description: String { "{{" + pipe.description + "}}" }
}

/// `{{if pipeline}} list {{else}} elseList {{end}}`; an `else if` is an `if` alone in `elseList`.
struct GoTemplateIf: Sendable {
    var delim: Int
    var pipe: GoTemplatePipe
    var list: [GoTemplateNode]
    var elseList: [GoTemplateNode]?
}

/// A pipeline: one command, since isvc refuses `|` and declarations.
struct GoTemplatePipe: Sendable {
    var pos: Int
    var commands: [GoTemplateCommand]

    var description: String { commands.map(\.description).joined(separator: " | ") }
}

struct GoTemplateCommand: Sendable {
    var pos: Int
    var args: [GoTemplateArg]

    var description: String {
        args.map {
            if case .pipe(let pipe) = $0 { return "(" + pipe.description + ")" }
            return $0.description
        }.joined(separator: " ")
    }
}

/// An operand of a command.
indirect enum GoTemplateArg: Sendable {
    /// `.A.B.C`: Go's position of a multi-field chain is that of its second field.
    case field(pos: Int, names: [String])
    /// `(pipeline).A.B` or `function.A`: a term followed by fields.
    case chain(pos: Int, node: GoTemplateArg, names: [String])
    case identifier(pos: Int, name: String)
    case dot(pos: Int)
    case `nil`(pos: Int)
    case bool(pos: Int, value: Bool)
    case number(pos: Int, value: Int64, text: String)
    case string(pos: Int, quoted: String, value: String)
    case pipe(GoTemplatePipe)

    var pos: Int {
        switch self {
        case .field(let pos, _), .chain(let pos, _, _), .identifier(let pos, _), .dot(let pos), .nil(let pos),
            .bool(let pos, _), .number(let pos, _, _), .string(let pos, _, _):
            pos
        case .pipe(let pipe): pipe.pos
        }
    }

    /// Go's `Node.String()`, as error messages quote it.
    var description: String {
        switch self {
        case .field(_, let names): names.map { "." + $0 }.joined()
        case .chain(_, let node, let names):
            (node.isPipe ? "(" + node.description + ")" : node.description) + names.map { "." + $0 }.joined()
        case .identifier(_, let name): name
        case .dot: "."
        case .nil: "nil"
        case .bool(_, let value): value ? "true" : "false"
        case .number(_, _, let text): text
        case .string(_, let quoted, _): quoted
        case .pipe(let pipe): pipe.description
        }
    }

    var isPipe: Bool {
        if case .pipe = self { return true }
        return false
    }
}

/// The node an execution error is reported at (Go's `state.node`).
enum GoTemplateErrorNode: Sendable {
    case action(GoTemplateAction)
    case pipe(GoTemplatePipe)
    case command(GoTemplateCommand)
    case arg(GoTemplateArg)

    var pos: Int {
        switch self {
        case .action(let a): a.pos
        case .pipe(let p): p.pos
        case .command(let c): c.pos
        case .arg(let a): a.pos
        }
    }

    var description: String {
        switch self {
        case .action(let a): a.description
        case .pipe(let p): p.description
        case .command(let c): c.description
        case .arg(let a): a.description
        }
    }
}
