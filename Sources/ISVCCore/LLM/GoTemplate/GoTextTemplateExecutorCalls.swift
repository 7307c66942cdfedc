/// Field lookup and function calls (exec.go's evalField, evalFunction, evalCall).
extension GoTemplateExecutor {
    /// Go's `evalField` with `missingkey=error`, for a receiver without methods.
    func evalField(_ name: String, hasArgs: Bool, _ receiver: GoValue) throws(Error) -> GoValue {
        if case .untypedNil = receiver { throw errorf("nil data; no entry for key \(GoFormat.quote(name))") }
        var type: String { receiver.typeName }
        switch receiver.indirect {
        case .structure(let shape):
            guard let path = shape.fieldPath(name) else { break }
            if !GoUTF8.isExported(name) {
                throw errorf("\(name) is an unexported field of struct type \(type)")
            }
            let field = try fieldByIndex(shape, path)
            if hasArgs { throw errorf("\(name) has arguments but cannot be invoked as function") }
            return field
        case .map(let entries, _):
            if hasArgs { throw errorf("\(name) is not a method but has arguments") }
            guard let value = entries?[name] else { throw errorf("map has no entry for key \(GoFormat.quote(name))") }
            return value
        case .nilPointer(let zero):
            if case .structure(let shape) = zero, shape.fieldPath(name) == nil { break }
            throw errorf("nil pointer evaluating \(type).\(name)")
        case .opaque(let opaque):
            throw errorf(
                "can't evaluate field \(name) in type \(type): isvc does not model the fields of \(opaque.type)",
                kind: .unsupported)
        default: break
        }
        throw errorf("can't evaluate field \(name) in type \(type)")
    }

    /// `reflect.Value.FieldByIndexErr`: walks the path, through embedded pointers.
    func fieldByIndex(_ shape: GoTemplateStruct, _ path: [Int]) throws(Error) -> GoValue {
        var current = GoValue.structure(shape)
        for (step, index) in path.enumerated() {
            if step > 0 {
                switch current {
                case .pointer(let target): current = target
                case .nilPointer(let zero):
                    let typeName = GoValue.bareName(zero.typeName)
                    throw errorf("reflect: indirection through nil pointer to embedded struct field \(typeName)")
                default: break
                }
            }
            guard case .structure(let inner) = current, inner.fields.indices.contains(index) else {
                throw errorf("internal error: bad field path")
            }
            current = inner.fields[index].value
        }
        return current
    }

    /// Go's `evalFunction` + `evalCall`: `call` is the node a failing call is reported at.
    func evalFunction(
        _ dot: GoValue, _ identifier: GoTemplateArg, _ name: String, call: GoTemplateErrorNode, args: [GoTemplateArg]
    ) throws(Error) -> GoValue {
        at(.arg(identifier))
        if let function = functions[name] {
            let values = try evalArgs(dot, args)
            return try callUser(function, name, call: call, identifier: identifier, args: args, values)
        }
        guard GoTemplateParser.builtins.contains(name) else { throw errorf("\(GoFormat.quote(name)) is not a defined function") }
        try checkArity(name, args.count)
        if name == "and" || name == "or" {
            var value = GoValue.untypedNil
            for arg in args {
                value = try evalArg(dot, arg)
                if value.truth == (name == "or") { return value }
            }
            return value
        }
        let values = try evalArgs(dot, args)
        do {
            return try GoBuiltins.call(name, values)
        } catch {
            at(call)
            if error.unsupported { throw errorf(error.message, kind: .unsupported) }
            throw errorf("error calling \(name): \(error.message)")
        }
    }

    func evalArgs(_ dot: GoValue, _ args: [GoTemplateArg]) throws(Error) -> [GoValue] {
        var values: [GoValue] = []
        values.reserveCapacity(args.count)
        for arg in args { values.append(try evalArg(dot, arg)) }
        return values
    }

    /// The builtins' signatures: `and`, `or`, `index`, `eq` take 1 or more, `print` any number.
    func checkArity(_ name: String, _ count: Int) throws(Error) {
        let (fixed, variadic): (Int, Bool) =
            switch name {
            case "and", "or", "index", "eq": (1, true)
            case "print": (0, true)
            case "ne": (2, false)
            default: (1, false)
            }
        if variadic && count < fixed {
            throw errorf("wrong number of args for \(name): want at least \(fixed) got \(count)")
        }
        if !variadic && count != fixed { throw errorf("wrong number of args for \(name): want \(fixed) got \(count)") }
    }

    func callUser(
        _ function: GoTextTemplate.Function, _ name: String, call: GoTemplateErrorNode, identifier: GoTemplateArg,
        args: [GoTemplateArg], _ values: [GoValue]
    ) throws(Error) -> GoValue {
        do {
            return try function(values)
        } catch let error as GoTextTemplate.ArgumentError {
            if let index = error.argument, args.indices.contains(index) {
                at(.arg(args[index]))
            } else {
                at(.arg(identifier))
            }
            throw errorf(error.message)
        } catch let error as GoTextTemplate.FunctionError {
            at(call)
            throw errorf("error calling \(name): \(error.message)")
        } catch {
            at(call)
            throw errorf("error calling \(name): \(error)")
        }
    }
}
