/// A port of Go 1.19's `text/template/exec.go` for the supported subset, with
/// `missingkey=error`. It tracks Go's `state.node` (the node errors are reported at) exactly,
/// setting it where Go's `s.at` does.
final class GoTemplateExecutor {
    typealias Error = GoTextTemplate.Error

    let template: GoTextTemplate
    let functions: [String: GoTextTemplate.Function]
    var output: [UInt8] = []
    var node: GoTemplateErrorNode?
    /// The offset of the `{{` of the action being executed.
    var delim = 0

    init(template: GoTextTemplate, functions: [String: GoTextTemplate.Function]) {
        self.template = template
        self.functions = functions
        output.reserveCapacity(template.source.count)
    }

    func at(_ node: GoTemplateErrorNode) { self.node = node }

    /// Go's `state.errorf`: `template: NAME:LINE:COL: executing "NAME" at <NODE>: message`.
    func errorf(_ message: String, kind: Error.Kind = .execution) -> Error {
        let name = template.name
        guard let node else {
            return Error(kind: kind, message: "template: \(name): \(message)", offset: delim, nodeOffset: delim)
        }
        let (line, column) = location(node.pos)
        return Error(
            kind: kind,
            message:
                "template: \(name):\(line):\(column): executing \(GoFormat.quote(name)) at <\(node.description)>: \(message)",
            offset: delim, nodeOffset: node.pos)
    }

    /// Go's `Tree.ErrorContext` line and column: 1-based line, 0-based byte column.
    func location(_ pos: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(pos, template.source.count) where template.source[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, pos - lineStart)
    }

    func walk(_ nodes: [GoTemplateNode], dot: GoValue) throws(Error) {
        for node in nodes {
            switch node {
            case .text(let range): output.append(contentsOf: template.source[range])
            case .action(let action):
                delim = action.delim
                at(.action(action))
                let value = try evalPipeline(dot, action.pipe)
                try printValue(action, value)
            case .if(let branch):
                delim = branch.delim
                if try evalPipeline(dot, branch.pipe).truth {
                    try walk(branch.list, dot: dot)
                } else if let elseList = branch.elseList {
                    try walk(elseList, dot: dot)
                }
            }
        }
    }

    /// Go's `printValue`: pointers are dereferenced; an invalid value prints `<no value>`.
    func printValue(_ action: GoTemplateAction, _ value: GoValue) throws(Error) {
        at(.action(action))
        var value = value
        if case .pointer = value { value = value.indirect }
        if case .untypedNil = value {
            output.append(contentsOf: "<no value>".utf8)
            return
        }
        do {
            output.append(contentsOf: try GoFormat.print(value).utf8)
        } catch {
            throw errorf(error.message, kind: .unsupported)
        }
    }

    func evalPipeline(_ dot: GoValue, _ pipe: GoTemplatePipe) throws(Error) -> GoValue {
        at(.pipe(pipe))
        var value = GoValue.untypedNil
        for command in pipe.commands { value = try evalCommand(dot, command) }
        return value
    }

    func evalCommand(_ dot: GoValue, _ command: GoTemplateCommand) throws(Error) -> GoValue {
        let first = command.args[0]
        let hasArgs = command.args.count > 1
        switch first {
        case .field(_, let names): return try evalFieldNode(dot, first, names, hasArgs: hasArgs)
        case .chain(_, let node, let names): return try evalChainNode(dot, first, node, names, hasArgs: hasArgs)
        case .identifier(_, let name):
            return try evalFunction(dot, first, name, call: .command(command), args: Array(command.args.dropFirst()))
        case .pipe(let pipe):
            try notAFunction(command.args)
            return try evalPipeline(dot, pipe)
        default: break
        }
        at(.arg(first))
        try notAFunction(command.args)
        switch first {
        case .bool(_, let value): return .bool(value)
        case .number(_, let value, _): return .int(value)
        case .string(_, _, let value): return .string(value)
        case .dot: return dot
        default: throw errorf("nil is not a command")
        }
    }

    func notAFunction(_ args: [GoTemplateArg]) throws(Error) {
        if args.count > 1 { throw errorf("can't give argument to non-function \(args[0].description)") }
    }

    /// Go's `evalArg` for a parameter of type `reflect.Value` or `any` (the builtins', and what a
    /// caller's function receives).
    func evalArg(_ dot: GoValue, _ arg: GoTemplateArg) throws(Error) -> GoValue {
        at(.arg(arg))
        switch arg {
        case .dot: return dot
        case .nil: return .untypedNil
        case .field(_, let names): return try evalFieldNode(dot, arg, names, hasArgs: false)
        case .chain(_, let node, let names): return try evalChainNode(dot, arg, node, names, hasArgs: false)
        case .pipe(let pipe): return try evalPipeline(dot, pipe)
        case .identifier(_, let name): return try evalFunction(dot, arg, name, call: .arg(arg), args: [])
        case .bool(_, let value): return .bool(value)
        case .number(_, let value, _): return .int(value)
        case .string(_, _, let value): return .string(value)
        }
    }

    func evalFieldNode(
        _ dot: GoValue, _ field: GoTemplateArg, _ names: [String], hasArgs: Bool
    ) throws(Error)
        -> GoValue
    {
        at(.arg(field))
        return try evalFieldChain(dot, names, hasArgs: hasArgs)
    }

    func evalChainNode(
        _ dot: GoValue, _ chain: GoTemplateArg, _ node: GoTemplateArg, _ names: [String], hasArgs: Bool
    ) throws(Error) -> GoValue {
        at(.arg(chain))
        let receiver = try evalArg(dot, node)
        return try evalFieldChain(receiver, names, hasArgs: hasArgs)
    }

    func evalFieldChain(_ receiver: GoValue, _ names: [String], hasArgs: Bool) throws(Error) -> GoValue {
        var receiver = receiver
        for i in names.indices {
            receiver = try evalField(names[i], hasArgs: hasArgs && i == names.count - 1, receiver)
        }
        return receiver
    }
}
