/// Go 1.19's builtins `not`, `eq`, `ne`, `len`, `index` and `print` (funcs.go) on `GoValue`s;
/// `and` and `or` short-circuit in the executor.
enum GoBuiltins {
    /// A builtin's error: Go's text (wrapped as `error calling NAME: …`), or something isvc refuses.
    struct Failure: Error {
        var message: String
        var unsupported = false
    }

    static func call(_ name: String, _ args: [GoValue]) throws(Failure) -> GoValue {
        switch name {
        case "not": return .bool(!args[0].truth)
        case "eq": return .bool(try eq(args[0], args.dropFirst()))
        case "ne": return .bool(!(try eq(args[0], args[1...])))
        case "len": return .int(try length(args[0]))
        case "index": return try index(args[0], args.dropFirst())
        case "print": return .string(try sprint(args))
        default: throw Failure(message: "\(name) is not a builtin isvc implements", unsupported: true)
        }
    }

    /// Go's comparison classes (`basicKind`); nil for the other kinds.
    private enum Kind { case bool, int, string }

    private static func basicKind(_ value: GoValue) -> Kind? {
        switch value {
        case .bool: .bool
        case .int: .int
        case .string: .string
        default: nil
        }
    }

    /// Go's `reflect.Kind` of the non-basic values, for `canCompare`.
    private static func reflectKind(_ value: GoValue) -> String {
        switch value {
        case .untypedNil: "invalid"
        case .pointer, .nilPointer: "ptr"
        case .structure: "struct"
        case .map: "map"
        case .slice: "slice"
        default: value.typeName
        }
    }

    static func eq(_ first: GoValue, _ others: ArraySlice<GoValue>) throws(Failure) -> Bool {
        if others.isEmpty { throw Failure(message: "missing argument for comparison") }
        let k1 = basicKind(first)
        for other in others {
            let k2 = basicKind(other)
            var truth = false
            if k1 != k2 {
                if case .untypedNil = first {
                } else if case .untypedNil = other {
                } else {
                    throw Failure(message: "incompatible types for comparison")
                }
            } else if k1 != nil {
                truth = basicEqual(first, other)
            } else {
                let kinds = (reflectKind(first), reflectKind(other))
                guard kinds.0 == kinds.1 || kinds.0 == "invalid" || kinds.1 == "invalid" else {
                    throw Failure(message: "isvc does not compare \(first.typeName) with \(other.typeName)", unsupported: true)
                }
                guard first.isNil || other.isNil else {
                    throw Failure(message: "isvc does not compare values of type \(first.typeName) with eq", unsupported: true)
                }
                truth = first.isNil == other.isNil
            }
            if truth { return true }
        }
        return false
    }

    private static func basicEqual(_ a: GoValue, _ b: GoValue) -> Bool {
        switch (a, b) {
        case (.bool(let x, _), .bool(let y, _)): x == y
        case (.int(let x, _), .int(let y, _)): x == y
        case (.string(let x, _), .string(let y, _)): x == y
        default: false
        }
    }

    static func length(_ item: GoValue) throws(Failure) -> Int64 {
        let value = item.indirect
        switch value {
        case .nilPointer: throw Failure(message: "len of nil pointer")
        case .map(let entries, _): return Int64(entries?.count ?? 0)
        case .slice(let items, _): return Int64(items?.count ?? 0)
        case .string(let s, _): return Int64(s.utf8.count)
        case .untypedNil: throw Failure(message: "reflect: call of reflect.Value.Type on zero Value")
        default: throw Failure(message: "len of type \(value.typeName)")
        }
    }

    static func index(_ item: GoValue, _ indexes: ArraySlice<GoValue>) throws(Failure) -> GoValue {
        if case .untypedNil = item { throw Failure(message: "index of untyped nil") }
        var item = item
        for index in indexes {
            let value = item.indirect
            switch value {
            case .nilPointer: throw Failure(message: "index of nil pointer")
            case .slice(let items, _):
                let items = items ?? []
                let x = try indexArg(index, count: items.count)
                guard x < items.count else { throw Failure(message: "reflect: slice index out of range") }
                item = items[x]
            case .string(let s, _):
                let bytes = Array(s.utf8)
                let x = try indexArg(index, count: bytes.count)
                guard x < bytes.count else { throw Failure(message: "reflect: string index out of range") }
                item = .int(Int64(bytes[x]), type: "uint8")
            case .map(let entries, let element):
                item = entries?[try mapKey(index)] ?? element
            default: throw Failure(message: "can't index item of type \(value.typeName)")
            }
        }
        return item
    }

    private static func indexArg(_ index: GoValue, count: Int) throws(Failure) -> Int {
        switch index {
        case .int(let x, _):
            if x < 0 || x > count { throw Failure(message: "index out of range: \(x)") }
            return Int(x)
        case .untypedNil: throw Failure(message: "cannot index slice/array with nil")
        default: throw Failure(message: "cannot index slice/array with type \(index.typeName)")
        }
    }

    /// Go's `prepareArg` for a `string` map key.
    private static func mapKey(_ index: GoValue) throws(Failure) -> String {
        switch index {
        case .string(let key, "string"): return key
        case .untypedNil: throw Failure(message: "value is nil; should be of type string")
        default: throw Failure(message: "value has type \(index.typeName); should be string")
        }
    }

    /// Go's `fmt.Sprint`: operands printed with `%v`, a space between two that are not strings.
    static func sprint(_ args: [GoValue]) throws(Failure) -> String {
        var out = ""
        var previousIsString = false
        for (i, arg) in args.enumerated() {
            var isString = false
            if case .string = arg { isString = true }
            if i > 0 && !isString && !previousIsString { out += " " }
            do {
                out += try GoFormat.print(arg)
            } catch {
                throw Failure(message: error.message, unsupported: true)
            }
            previousIsString = isString
        }
        return out
    }
}
