import ISVCCore

/// The part of tidwall/gjson (v1.18, the version KServe's router is built with) that InferenceGraph
/// conditions use: the router evaluates a step's `condition` with `gjson.GetBytes(json, condition)
/// .Exists()` after `gjson.ValidBytes(json)`.
///
/// Supported, with gjson's semantics on valid JSON: dotted keys and `|`, `\` escapes, `*`/`?`
/// wildcards in keys, array indexes, `#` (length), `#.path` (map), queries `#(...)` and `#(...)#`
/// with `==` `=` `!=` `<` `<=` `>` `>=` `%` `!%` and the `~true` `~false` `~null` `~*` conversions,
/// nested queries, multipaths `[a,b]` and `{a,"k":b}`, the `@this` and `@valid` modifiers, and the
/// `!true` `!false` `!null` `!nan` `!inf` and `!{...}` `![...]` literals.
///
/// Not supported (the result does not exist): the other modifiers (`@reverse`, `@keys`, `@values`,
/// `@flatten`, `@join`, `@ugly`, `@pretty`, `@tostr`, `@fromstr`, `@group`, `@dig`), JSON Lines
/// paths (`..`), and paths into a top-level scalar document. `get` answers nothing for invalid
/// JSON, where gjson would return what its scan happened to reach: the router never asks then.
public enum GJSON {
    public struct Result: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case null, `false`, number, string, `true`, json }
        public var kind: Kind = .null
        /// The value's JSON text as found (for an object or array reached through `@this`, up to the
        /// end of the document, as gjson's `Parse` keeps it).
        public var raw: [UInt8] = []
        /// A string's contents, unescaped as gjson does.
        var str: [UInt8] = []
        public var number: Double = 0

        /// gjson's `Exists()`: a null found in the document exists; a missing value does not.
        public var exists: Bool { kind != .null || !raw.isEmpty }

        /// gjson's `String()`.
        public var string: String { String(decoding: stringBytes, as: UTF8.self) }

        var stringBytes: [UInt8] {
            switch kind {
            case .null: return []
            case .false: return Array("false".utf8)
            case .true: return Array("true".utf8)
            case .string: return str
            case .json: return raw
            case .number:
                let digits = raw.first == UInt8(ascii: "-") ? raw.dropFirst() : raw[...]
                if !raw.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return raw }
                return Array(GoJSONValue.goFloatF(number).utf8)
            }
        }
    }

    /// `gjson.GetBytes(json, path)` for valid JSON; a result that does not exist for invalid JSON.
    public static func get(_ json: [UInt8], _ path: String) -> Result {
        guard isValid(json) else { return Result() }
        return eval(json, Array(path.utf8))
    }

    /// `gjson.ValidBytes`: Go's JSON syntax without a nesting limit.
    public static func isValid(_ json: [UInt8]) -> Bool { GoJSONScanner.isValid(json, maxDepth: nil) }

    /// The modifiers gjson knows: a path component naming one is piped (`a.@this`), whether or not it
    /// is supported here.
    static let modifierNames: Set<[UInt8]> = Set(
        ["pretty", "ugly", "reverse", "this", "flatten", "join", "valid", "keys", "values", "tostr", "fromstr", "group", "dig"]
            .map { Array($0.utf8) })

    // MARK: Get

    static func eval(_ json: [UInt8], _ path: [UInt8]) -> Result {
        var path = path
        if path.count > 1 {
            if path[0] == UInt8(ascii: "@"), let result = modifier(json, path) { return result }
            if path[0] == UInt8(ascii: "!"), let result = literal(path) { return result }
            if path[0] == UInt8(ascii: "[") || path[0] == UInt8(ascii: "{") {
                // gjson goes on with what follows the selectors, or with an empty path when they do not parse.
                guard let (selectors, rest) = Paths.selectors(path) else { return eval(json, []) }
                if rest.isEmpty || rest.first == UInt8(ascii: "|") || rest.first == UInt8(ascii: ".") {
                    return multipath(json, kind: path[0], selectors, rest)
                }
                path = Array(rest)
            }
        }
        if path.starts(with: Array("..".utf8)) { return Result() }
        var context = Context()
        let start = Scan.skipSpace(json, 0)
        if start < json.count {
            if json[start] == UInt8(ascii: "{") {
                _ = Paths.object(&context, json, start, path)
            } else if json[start] == UInt8(ascii: "[") {
                _ = Paths.array(&context, json, start, path)
            }
        }
        if let pipe = context.pipe { return eval(context.value.raw, pipe) }
        return context.value
    }

    /// What a path walk leaves behind: the value found, and the rest of the path after a pipe, which
    /// is applied to that value once the walk is done.
    struct Context {
        var value = Result()
        var pipe: [UInt8]?
    }

    /// After a modifier or a literal: the rest of the path applies to its JSON, or it is parsed.
    private static func continued(_ json: [UInt8], _ rest: ArraySlice<UInt8>) -> Result {
        if let first = rest.first, first == UInt8(ascii: "|") || first == UInt8(ascii: ".") {
            return eval(json, Array(rest.dropFirst()))
        }
        return parse(json)
    }

    /// `@name`, `@name:arg`, `@name.rest`; nil when `name` is no modifier (then it is a key).
    static func modifier(_ json: [UInt8], _ path: [UInt8]) -> Result? {
        var name = path[1...]
        var rest: ArraySlice<UInt8> = []
        var hasArgs = false
        for i in 1..<path.count {
            let c = path[i]
            if c == UInt8(ascii: ":") {
                rest = path[(i + 1)...]
                name = path[1..<i]
                hasArgs = !rest.isEmpty
                break
            }
            if c == UInt8(ascii: "|") || c == UInt8(ascii: ".") {
                rest = path[i...]
                name = path[1..<i]
                break
            }
        }
        guard modifierNames.contains(Array(name)) else { return nil }
        if hasArgs {
            // The argument is skipped: a JSON value, or characters up to a pipe.
            var parsed = false
            if let first = rest.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") {
                if parse(Array(rest)).exists {
                    rest = rest.dropFirst(Scan.squash(rest).count)
                    parsed = true
                }
            }
            if !parsed {
                var i = rest.startIndex
                while i < rest.endIndex, rest[i] != UInt8(ascii: "|") {
                    switch rest[i] {
                    case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "("):
                        i += Scan.squash(rest[i...]).count - 1
                    default: break
                    }
                    i += 1
                }
                rest = rest[min(i, rest.endIndex)...]
            }
        }
        switch String(decoding: name, as: UTF8.self) {
        case "this": return continued(json, rest)
        case "valid": return continued(isValid(json) ? json : [], rest)
        default: return Result()
        }
    }

    /// `!true`, `!null`, `!{"a":1}`...; nil when it is no literal (then it is a key).
    static func literal(_ path: [UInt8]) -> Result? {
        let name = path[1...]
        switch name.first ?? 0 {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "+"), UInt8(ascii: "-"), 0x30...0x39:
            let value = Scan.bracketed(name)
            return continued(Array(value), name.dropFirst(value.count))
        default:
            var word = name
            var rest: ArraySlice<UInt8> = []
            if let i = path.dropFirst().firstIndex(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ".") }) {
                word = path[1..<i]
                rest = path[i...]
            }
            guard ["true", "false", "null", "nan", "inf"].contains(String(decoding: word, as: UTF8.self).lowercased()) else {
                return nil
            }
            return continued(Array(word), rest)
        }
    }

    /// `[p1,p2]` builds an array of the values that exist, `{p1,"name":p2}` an object; the rest of
    /// the path (after `.` or `|`) applies to it.
    static func multipath(_ json: [UInt8], kind: UInt8, _ selectors: [Paths.Selector], _ rest: ArraySlice<UInt8>) -> Result {
        var out: [UInt8] = [kind]
        var count = 0
        for selector in selectors {
            let result = eval(json, Array(selector.path))
            guard result.exists else { continue }
            if count > 0 { out.append(UInt8(ascii: ",")) }
            if kind == UInt8(ascii: "{") {
                if let name = selector.name, !name.isEmpty {
                    if name.first == UInt8(ascii: "\""), isValid(Array(name)) {
                        out += name
                    } else {
                        GoJSONValue.writeString(Array(name), into: &out)
                    }
                } else {
                    let last = Paths.nameOfLast(selector.path)
                    GoJSONValue.writeString(Paths.isSimpleName(last) ? Array(last) : [UInt8(ascii: "_")], into: &out)
                }
                out.append(UInt8(ascii: ":"))
            }
            if result.raw.isEmpty {
                let text = result.stringBytes
                out += text.isEmpty ? Array("null".utf8) : text
            } else {
                out += result.raw
            }
            count += 1
        }
        out.append(kind + 2)  // ']' or '}'
        if rest.isEmpty { return Result(kind: .json, raw: out) }
        return eval(out, Array(rest.dropFirst()))
    }

    /// gjson's `Parse`: the first value of `json`; an object or array keeps everything to the end.
    static func parse(_ json: [UInt8]) -> Result {
        var i = 0
        while i < json.count {
            let c = json[i]
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { return Result(kind: .json, raw: Array(json[i...])) }
            if c <= 0x20 {
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "+"), UInt8(ascii: "-"), 0x30...0x39, UInt8(ascii: "i"), UInt8(ascii: "I"), UInt8(ascii: "N"):
                return number(json[i...])
            case UInt8(ascii: "n"):
                if i + 1 < json.count, json[i + 1] != UInt8(ascii: "u") { return number(json[i...]) }
                return Result(kind: .null, raw: Scan.word(json[i...]))
            case UInt8(ascii: "t"): return Result(kind: .true, raw: Scan.word(json[i...]))
            case UInt8(ascii: "f"): return Result(kind: .false, raw: Scan.word(json[i...]))
            case UInt8(ascii: "\""):
                let end = Scan.stringEnd(json, i)
                let raw = Array(json[i..<end])
                return Result(kind: .string, raw: raw, str: Scan.unescape(raw))
            default: return Result()
            }
        }
        return Result()
    }

    /// A number as gjson's `Parse` reads it: up to a space, comma or closing bracket.
    private static func number(_ json: ArraySlice<UInt8>) -> Result {
        var end = json.startIndex + 1
        while end < json.endIndex {
            let c = json[end]
            if c <= 0x20 || c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { break }
            end += 1
        }
        let raw = Array(json[json.startIndex..<end])
        return Result(kind: .number, raw: raw, number: Scan.parseFloat(raw))
    }
}
