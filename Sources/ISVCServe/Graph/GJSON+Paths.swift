extension GJSON {
    /// Walking objects and arrays along a path, as gjson splits and applies its components.
    enum Paths {
        // MARK: Objects

        /// One component for an object: the key pattern (escapes removed) and what follows it.
        struct ObjectComponent {
            var part: [UInt8] = []
            var wild = false
            /// `.rest` continues into the value; `|rest` (or `.@modifier`, `.[`, `.{`) applies to it.
            var rest: [UInt8]?
            var pipe: [UInt8]?

            init(_ path: [UInt8]) {
                var i = 0
                while i < path.count {
                    let c = path[i]
                    if c == UInt8(ascii: "|") || c == UInt8(ascii: ".") {
                        part = Array(path[..<i])
                        split(path, at: i)
                        return
                    }
                    if c == UInt8(ascii: "*") || c == UInt8(ascii: "?") { wild = true }
                    if c == UInt8(ascii: "\\") {
                        // Escapes: from here on, a backslash makes the next byte literal.
                        var escaped = Array(path[..<i])
                        i += 1
                        if i < path.count {
                            escaped.append(path[i])
                            i += 1
                        }
                        while i < path.count {
                            let e = path[i]
                            if e == UInt8(ascii: "\\") {
                                i += 1
                                if i < path.count { escaped.append(path[i]) }
                                i += 1
                                continue
                            }
                            if e == UInt8(ascii: "|") || e == UInt8(ascii: ".") {
                                part = escaped
                                split(path, at: i)
                                return
                            }
                            if e == UInt8(ascii: "*") || e == UInt8(ascii: "?") { wild = true }
                            escaped.append(e)
                            i += 1
                        }
                        part = escaped
                        return
                    }
                    i += 1
                }
                part = path
            }

            private mutating func split(_ path: [UInt8], at i: Int) {
                let after = Array(path[(i + 1)...])
                if path[i] == UInt8(ascii: "|") || (!after.isEmpty && Paths.isPipeLike(after)) {
                    pipe = after
                } else {
                    rest = after
                }
            }
        }

        /// gjson's `isDotPiperChar`: after a dot, a known modifier or a multipath acts as a pipe.
        static func isPipeLike(_ s: [UInt8]) -> Bool {
            guard let first = s.first else { return false }
            if first == UInt8(ascii: "@") {
                let name = s.dropFirst().prefix { $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "|") && $0 != UInt8(ascii: ":") }
                return GJSON.modifierNames.contains(Array(name))
            }
            return first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
        }

        /// Looks `path` up in the object that opens at `open`. Returns true on a hit (the value is in
        /// `context`); a key that matches but whose value does not lead to a hit lets the search go on
        /// with the next keys, as gjson's scan does (duplicate keys, wildcards).
        static func object(_ context: inout Context, _ json: [UInt8], _ open: Int, _ path: [UInt8]) -> Bool {
            let component = ObjectComponent(path)
            if let pipe = component.pipe { context.pipe = pipe }
            var i = open + 1
            while true {
                i = Scan.skipSpace(json, i)
                guard i < json.count, json[i] == UInt8(ascii: "\"") else { return false }
                let keyEnd = Scan.stringEnd(json, i)
                let key = Scan.unescape(Array(json[i..<keyEnd]))
                i = Scan.skipSpace(json, keyEnd)
                if i < json.count, json[i] == UInt8(ascii: ":") { i += 1 }
                i = Scan.skipSpace(json, i)
                guard i < json.count else { return false }
                let end = Scan.valueEnd(json, i)
                let matched = component.wild ? Wildcard.matches(key, component.part) : key == component.part
                if matched {
                    if let rest = component.rest {
                        if json[i] == UInt8(ascii: "{"), object(&context, json, i, rest) { return true }
                        if json[i] == UInt8(ascii: "["), array(&context, json, i, rest) { return true }
                    } else {
                        let raw = json[i..<end]
                        let opener = json[i] == UInt8(ascii: "{") || json[i] == UInt8(ascii: "[")
                        context.value = opener ? Result(kind: .json, raw: Array(raw)) : Scan.scalar(raw)
                        return true
                    }
                }
                i = Scan.skipSpace(json, end)
                if i < json.count, json[i] == UInt8(ascii: ",") { i += 1 }
            }
        }

        // MARK: Arrays

        /// One component for an array: an index, `#`, `#.path`, or a query, and what follows it.
        struct ArrayComponent {
            var part: [UInt8] = []
            var rest: [UInt8]?
            var pipe: [UInt8]?
            /// The component holds a `#`.
            var hash = false
            /// `#.key`: map `key` (the whole rest of the path) over the elements.
            var mapKey: [UInt8]?
            var query: Query?

            init(_ path: [UInt8]) {
                var i = 0
                scan: while i < path.count {
                    let c = path[i]
                    if c == UInt8(ascii: "|") || c == UInt8(ascii: ".") {
                        part = Array(path[..<i])
                        let after = Array(path[(i + 1)...])
                        if c == UInt8(ascii: "|") || (!hash && !after.isEmpty && Paths.isPipeLike(after)) {
                            pipe = after
                        } else {
                            rest = after
                        }
                        return
                    }
                    if c == UInt8(ascii: "#") {
                        hash = true
                        if i == 0, path.count > 1 {
                            if path[1] == UInt8(ascii: ".") {
                                mapKey = Array(path[2...])
                            } else if path[1] == UInt8(ascii: "(") || path[1] == UInt8(ascii: "[") {
                                guard let parsed = Query(path) else {
                                    query = Query()
                                    break scan
                                }
                                query = parsed
                                i = parsed.end - 1
                                if i + 1 < path.count, path[i + 1] == UInt8(ascii: "#") { query?.all = true }
                            }
                        }
                    }
                    i += 1
                }
                part = path
                rest = nil
            }
        }

        static func array(_ context: inout Context, _ json: [UInt8], _ open: Int, _ path: [UInt8]) -> Bool {
            var component = ArrayComponent(path)
            let index = component.hash ? nil : parseUint(component.part)
            if let pipe = component.pipe { context.pipe = pipe }
            var elements: [Range<Int>] = []
            var matches: [[UInt8]] = []
            var i = Scan.skipSpace(json, open + 1)
            while i < json.count, json[i] != UInt8(ascii: "]") {
                let end = Scan.valueEnd(json, i)
                let raw = json[i..<end]
                let opener = json[i] == UInt8(ascii: "{") || json[i] == UInt8(ascii: "[")
                let element = opener ? Result(kind: .json, raw: Array(raw)) : Scan.scalar(raw)
                if let query = component.query {
                    // The element's value under the query's path, tested; then the rest of the path.
                    let tested: Result
                    if opener {
                        tested = GJSON.eval(element.raw, query.path)
                    } else {
                        tested = query.path.isEmpty ? element : Result()
                    }
                    if (opener || query.path.isEmpty) && query.matches(tested) {
                        var found = element
                        if let rest = component.rest {
                            var restPath = rest
                            if let (left, right) = splitPossiblePipe(rest) {
                                restPath = left
                                component.rest = left
                                context.pipe = right
                            }
                            found = GJSON.eval(element.raw, restPath)
                        }
                        if !query.all {
                            context.value = found
                            return true
                        }
                        let text = found.raw.isEmpty ? found.stringBytes : found.raw
                        if !text.isEmpty { matches.append(text) }
                    }
                } else if let index, index == elements.count {
                    if let rest = component.rest {
                        if json[i] == UInt8(ascii: "{"), object(&context, json, i, rest) { return true }
                        if json[i] == UInt8(ascii: "["), array(&context, json, i, rest) { return true }
                    } else {
                        context.value = element
                        return true
                    }
                }
                elements.append(i..<end)
                i = Scan.skipSpace(json, end)
                if i < json.count, json[i] == UInt8(ascii: ",") { i = Scan.skipSpace(json, i + 1) }
            }
            if component.hash && component.part == [UInt8(ascii: "#")] {
                if var key = component.mapKey {
                    if let (left, right) = splitPossiblePipe(key) {
                        key = left
                        context.pipe = right
                    }
                    var out: [UInt8] = [UInt8(ascii: "[")]
                    var count = 0
                    for element in elements {
                        let found = GJSON.eval(Array(json[element]), key)
                        guard found.exists else { continue }
                        if count > 0 { out.append(UInt8(ascii: ",")) }
                        out += found.raw.isEmpty ? found.stringBytes : found.raw
                        count += 1
                    }
                    context.value = Result(kind: .json, raw: out + [UInt8(ascii: "]")])
                    return true
                }
                context.value = Result(kind: .number, raw: Array(String(elements.count).utf8), number: Double(elements.count))
                return true
            }
            if !context.value.exists, component.query?.all == true {
                var out: [UInt8] = [UInt8(ascii: "[")]
                for (k, match) in matches.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    out += match
                }
                context.value = Result(kind: .json, raw: out + [UInt8(ascii: "]")])
            }
            return false
        }

        /// gjson's `parseUint`: decimal digits only.
        static func parseUint(_ s: [UInt8]) -> Int? {
            guard !s.isEmpty, s.count < 19, s.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(String(decoding: s, as: UTF8.self))
        }

        /// gjson's `splitPossiblePipe`: the first `|` outside a query's brackets splits the path.
        static func splitPossiblePipe(_ path: [UInt8]) -> ([UInt8], [UInt8])? {
            guard path.contains(UInt8(ascii: "|")) else { return nil }
            if path.first == UInt8(ascii: "{") {
                let squashed = Scan.squash(path[1...])
                guard squashed.count < path.count - 1 else { return nil }
                let left = Array(path[...squashed.count])
                let remain = path[(squashed.count + 1)...]
                guard remain.first == UInt8(ascii: "|") else { return nil }
                return (left, Array(remain.dropFirst()))
            }
            var i = 0
            while i < path.count {
                let c = path[i]
                if c == UInt8(ascii: "\\") {
                    i += 1
                } else if c == UInt8(ascii: ".") {
                    if i == path.count - 1 { return nil }
                    if path[i + 1] == UInt8(ascii: "#") {
                        i += 2
                        if i == path.count { return nil }
                        if path[i] == UInt8(ascii: "[") || path[i] == UInt8(ascii: "(") {
                            let open = path[i]
                            let close = open == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
                            i += 1
                            var depth = 1
                            while i < path.count {
                                if path[i] == UInt8(ascii: "\\") {
                                    i += 1
                                } else if path[i] == open {
                                    depth += 1
                                } else if path[i] == close {
                                    depth -= 1
                                    if depth == 0 { break }
                                } else if path[i] == UInt8(ascii: "\"") {
                                    i += 1
                                    while i < path.count, path[i] != UInt8(ascii: "\"") {
                                        if path[i] == UInt8(ascii: "\\") { i += 1 }
                                        i += 1
                                    }
                                }
                                i += 1
                            }
                        }
                    }
                } else if c == UInt8(ascii: "|") {
                    return (Array(path[..<i]), Array(path[(i + 1)...]))
                }
                i += 1
            }
            return nil
        }

        // MARK: Multipaths

        struct Selector {
            var name: ArraySlice<UInt8>?
            var path: ArraySlice<UInt8>
        }

        /// gjson's `parseSubSelectors` for a path opening with `[` or `{`: the comma-separated selectors
        /// (each `path` or `name:path`) and what follows the closing bracket.
        static func selectors(_ path: [UInt8]) -> ([Selector], ArraySlice<UInt8>)? {
            var selectors: [Selector] = []
            var modifier = 0
            var depth = 1
            var colon = 0
            var start = 1
            var i = 1
            func push() {
                if colon == 0 {
                    selectors.append(Selector(name: nil, path: path[start..<i]))
                } else {
                    selectors.append(Selector(name: path[start..<colon], path: path[(colon + 1)..<i]))
                }
                colon = 0
                modifier = 0
                start = i + 1
            }
            while i < path.count {
                switch path[i] {
                case UInt8(ascii: "\\"): i += 1
                case UInt8(ascii: "@"):
                    if modifier == 0, path[i - 1] == UInt8(ascii: ".") || path[i - 1] == UInt8(ascii: "|") { modifier = i }
                case UInt8(ascii: ":"):
                    if modifier == 0, colon == 0, depth == 1 { colon = i }
                case UInt8(ascii: ","):
                    if depth == 1 { push() }
                case UInt8(ascii: "\""):
                    i += 1
                    while i < path.count, path[i] != UInt8(ascii: "\"") {
                        if path[i] == UInt8(ascii: "\\") { i += 1 }
                        i += 1
                    }
                case UInt8(ascii: "["), UInt8(ascii: "("), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 {
                        push()
                        return (selectors, path[min(i + 1, path.count)...])
                    }
                default: break
                }
                i += 1
            }
            return nil
        }

        /// The last component of a selector's path, which names its value in an object multipath.
        static func nameOfLast(_ path: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var i = path.endIndex - 1
            while i >= path.startIndex {
                if path[i] == UInt8(ascii: "|") || path[i] == UInt8(ascii: ".") {
                    if i > path.startIndex, path[i - 1] == UInt8(ascii: "\\") {
                        i -= 1
                        continue
                    }
                    return path[(i + 1)...]
                }
                i -= 1
            }
            return path
        }

        static func isSimpleName(_ component: ArraySlice<UInt8>) -> Bool {
            !component.contains { $0 < 0x20 || Array("[]{}()#|!".utf8).contains($0) }
        }
    }
}
