import Yams

/// One YAML document of an input file, as the project's own tree.
public struct SourceDocument: Sendable {
    public var file: String
    /// 0-based index of the document in its file.
    public var index: Int
    public var root: Node
}

/// Reads YAML text into documents. Every problem is a positioned diagnostic; nothing here throws.
///
/// The text is split into documents at `---` lines, as Kubernetes' YAML reader does, and each document
/// is parsed on its own, so a syntax error in one document does not hide the others.
public enum YAMLReader {
    /// Most nodes one document may expand to through aliases; beyond it the document is rejected
    /// (a "billion laughs" alias bomb would otherwise take exponential time and memory).
    public static let maxNodesPerDocument = 1_000_000
    /// Most nodes one file may expand to, all documents together: without it, many documents each just
    /// under the per-document limit add up to gigabytes.
    public static let maxNodesPerFile = 2_000_000
    /// Most nodes one document may have as written. Yams' tree of a document takes about 200 bytes a
    /// node while it is built, so this keeps reading one document near 100 MB; Kubernetes stores an
    /// object of at most 1.5 MiB, fewer nodes than this in any real document.
    public static let maxWrittenNodesPerDocument = 500_000

    public static func read(text: String, file: String, diagnostics: Diagnostics) -> [SourceDocument] {
        var documents: [SourceDocument] = []
        read(text: text, file: file, diagnostics: diagnostics) { documents += $0 }
        return documents
    }

    /// Documents parsed per batch: a file of ten thousand documents is never held as trees all at once.
    static let batchSize = 256

    /// Reads the documents in batches of `batchSize`, in order, handing each batch to `each` before the
    /// next is parsed, so a caller that turns documents into typed values holds only one batch of trees.
    public static func read(text: String, file: String, diagnostics: Diagnostics, each: ([SourceDocument]) -> Void) {
        // A byte order mark is no content; YAML columns do not count it.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let all = splitDocuments(text).filter { hasContent($0.text) }
        if all.isEmpty {
            diagnostics.report(
                "the file holds no YAML document", at: SourceLocation(file: file, line: 1, column: 1),
                rule: YAMLRule.empty)
            return
        }
        let (chunks, refused) = applyBudgets(all, file: file)
        let strict = diagnostics.strict
        var index = 0
        var start = 0
        while start < chunks.count {
            // Documents parse independently: in parallel when there are many, each with its own
            // diagnostics, merged in document order.
            let batch = Array(chunks[start..<min(start + batchSize, chunks.count)])
            let parsed = Parallel.map(batch.count) { i -> (root: Node?, diagnostics: [Diagnostic]) in
                if batch[i].text.isEmpty { return (nil, []) }
                let local = Diagnostics(strict: strict)
                let root = Self.parse(batch[i].text, file: file, lineOffset: batch[i].firstLine - 1, diagnostics: local)
                return (root, local.all)
            }
            var documents: [SourceDocument] = []
            for i in batch.indices {
                if let d = refused[start + i] { diagnostics.append(d) }
                for d in parsed[i].diagnostics { diagnostics.append(d) }
                guard let root = parsed[i].root else { continue }
                if case .scalar(let s) = root.content, s.tag == .null { continue }
                documents.append(SourceDocument(file: file, index: index, root: root))
                index += 1
            }
            start += batch.count
            if !documents.isEmpty { each(documents) }
        }
    }

    /// Node budgets first, from the parser's events alone, in document order: a document over one is
    /// refused before Yams builds (and hashes) anything of it. Refused documents stay as empty chunks,
    /// so their diagnostics (by chunk index) keep their place among the others'.
    static func applyBudgets(_ all: [Chunk], file: String) -> (chunks: [Chunk], refused: [Int: Diagnostic]) {
        var accepted: [Chunk] = []
        var refused: [Int: Diagnostic] = [:]
        var fileLeft = maxNodesPerFile
        for chunk in all {
            let budget = min(maxNodesPerDocument, fileLeft)
            let verdict = YAMLBudget.scan(chunk.text, budget: budget, maxWritten: maxWrittenNodesPerDocument)
            func at(_ line: Int, _ column: Int) -> SourceLocation {
                SourceLocation(file: file, line: line + chunk.firstLine - 1, column: column)
            }
            let message: String
            let where_: SourceLocation
            var rule = YAMLRule.aliasBomb
            switch verdict {
            case .within(let nodes):
                fileLeft -= min(nodes, fileLeft)
                accepted.append(chunk)
                continue
            case .tooManyNodes(let line, let column):
                message =
                    "the document has more than \(maxWrittenNodesPerDocument) nodes, the most isvc reads in one document; it is not read"
                where_ = at(line, column)
                rule = YAMLRule.tooManyNodes
            case .overBudget(let line, let column, _) where budget == maxNodesPerDocument:
                // Only aliases take a document over this budget: its nodes as written are within it.
                message =
                    "the document expands to more than \(maxNodesPerDocument) nodes through aliases; "
                    + "this looks like an alias bomb and is not read"
                where_ = at(line, column)
            case .overBudget(let line, let column, let throughAliases):
                message =
                    "the file's documents together "
                    + (throughAliases ? "expand through aliases to" : "have")
                    + " more than \(maxNodesPerFile) nodes, the most isvc reads in one file; this document and the ones after it are not read"
                where_ = at(line, column)
                if !throughAliases { rule = YAMLRule.tooManyNodes }
                fileLeft = -1
            case .hugeKey(let line, let column):
                message =
                    "a mapping key expands to more than \(YAMLBudget.maxKeyNodes) nodes through aliases; "
                    + "Kubernetes' keys are strings, and this looks like an alias bomb: the document is not read"
                where_ = at(line, column)
            }
            // Refused documents keep their place among the others' diagnostics.
            refused[accepted.count] = Diagnostic(rule, message, at: where_)
            accepted.append(Chunk(text: "", firstLine: chunk.firstLine))
            if fileLeft < 0 { break }
        }
        return (accepted, refused)
    }

    struct Chunk {
        var text: Substring
        var firstLine: Int
    }

    /// Splits at lines that start with `---` followed by the end of the line, a space or a tab. Directive
    /// lines (`%YAML`, `%TAG`) at the start of the file or after a `...` belong to the document the next
    /// `---` starts, so they begin its chunk instead of standing alone. Lines end at LF; a CR before
    /// it is part of the line break, as YAML has it.
    static func splitDocuments(_ text: String) -> [Chunk] {
        var chunks: [Chunk] = []
        let utf8 = text.utf8
        var chunkStart = utf8.startIndex
        var chunkLine = 1
        var line = 1
        var lineStart = utf8.startIndex
        var i = utf8.startIndex
        // Outside a document: at the start of the file, or after a `...` line with nothing since.
        var betweenDocuments = true
        // The current chunk holds only directives (with comments and blank lines) so far.
        var directivesOnly = false
        var chunkHasContent = false
        func starts(with marker: String, at start: String.UTF8View.Index) -> Bool {
            var j = start
            for expected in marker.utf8 {
                guard j < utf8.endIndex, utf8[j] == expected else { return false }
                j = utf8.index(after: j)
            }
            guard j < utf8.endIndex else { return true }
            let c = utf8[j]
            return c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
        }
        func cut() {
            chunks.append(Chunk(text: Substring(text.utf8[chunkStart..<lineStart]), firstLine: chunkLine))
            chunkStart = lineStart
            chunkLine = line
            chunkHasContent = false
        }
        while true {
            let first: UInt8? = lineStart < utf8.endIndex ? utf8[lineStart] : nil
            if starts(with: "---", at: lineStart) {
                // A separator ends the previous chunk, unless that chunk is this document's directives.
                if lineStart != utf8.startIndex, !directivesOnly { cut() }
                directivesOnly = false
                betweenDocuments = false
                chunkHasContent = true
            } else if first == UInt8(ascii: "%"), betweenDocuments {
                if !directivesOnly {
                    if chunkHasContent { cut() }
                    directivesOnly = true
                }
            } else if starts(with: "...", at: lineStart) {
                betweenDocuments = true
            } else if let first, first != UInt8(ascii: "#"), first != UInt8(ascii: "\n"), first != UInt8(ascii: "\r"),
                !isBlank(from: lineStart)
            {
                betweenDocuments = false
                chunkHasContent = true
                directivesOnly = false
            }
            guard let nl = utf8[i...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            i = utf8.index(after: nl)
            line += 1
            lineStart = i
            if i == utf8.endIndex { break }
        }
        chunks.append(Chunk(text: Substring(text.utf8[chunkStart..<utf8.endIndex]), firstLine: chunkLine))
        return chunks

        /// True when the line from `start` holds only spaces and tabs, or a comment after them.
        func isBlank(from start: String.UTF8View.Index) -> Bool {
            var j = start
            while j < utf8.endIndex {
                let c = utf8[j]
                if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "#") { return true }
                if c != UInt8(ascii: " ") && c != UInt8(ascii: "\t") { return false }
                j = utf8.index(after: j)
            }
            return true
        }
    }

    /// True when the chunk has anything besides blank lines, comments, directives and document markers.
    /// Lines are split at every line break ("\r\n" is one Character in Swift, so splitting on "\n" alone
    /// would keep a CRLF file in one piece and miss its content after a first comment line).
    static func hasContent(_ text: Substring) -> Bool {
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
            if line.hasPrefix("---") { line = line.dropFirst(3).drop { $0 == " " || $0 == "\t" } }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("%") || line == "..." { continue }
            if line.hasPrefix("..."), line.dropFirst(3).allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            return true
        }
        return false
    }

    static func parse(_ text: Substring, file: String, lineOffset: Int, diagnostics: Diagnostics) -> Node? {
        let source = String(text)
        func location(_ mark: Mark?) -> SourceLocation {
            SourceLocation(file: file, line: (mark?.line ?? 1) + lineOffset, column: mark?.column ?? 1)
        }
        do {
            // The basic resolver has no regular expressions: Yams hashes every mapping key (to find
            // duplicates), which resolves its tag; scalar types are resolved by ScalarResolver instead.
            let parser = try Parser(yaml: source, resolver: .basic)
            guard let root = try parser.singleRoot() else { return nil }
            var converter = Converter(file: file, lineOffset: lineOffset, budget: maxNodesPerDocument)
            guard let node = converter.convert(root) else {
                diagnostics.report(
                    "the document expands to more than \(maxNodesPerDocument) nodes through aliases; "
                        + "this looks like an alias bomb and is not read",
                    at: location(root.mark), rule: YAMLRule.aliasBomb)
                return nil
            }
            return node
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                let .composer(context, problem, mark, _):
                var message = "YAML syntax error: \(problem)"
                if let context {
                    message += " (\(context.text) at line \(context.mark.line + lineOffset), column \(context.mark.column))"
                }
                diagnostics.report(message, at: location(mark), rule: YAMLRule.syntax)
            case let .duplicatedKeysInMapping(duplicates, context):
                let key = duplicates.first ?? ""
                let first = location(context.mark)
                let second =
                    findDuplicate(key: key, after: context.mark, in: source)
                    .map { SourceLocation(file: file, line: $0.line + lineOffset, column: $0.column) } ?? first
                diagnostics.report(
                    "duplicate key \"\(key)\" in a mapping", at: second, rule: YAMLRule.duplicateKey,
                    notes: [Note("\"\(key)\" is first defined here", at: first)])
            case let .reader(problem, offset, value, _):
                let character = value >= 0 ? String(format: " (U+%04X)", value) : ""
                diagnostics.report(
                    "the file cannot be read as YAML text: \(problem)\(character)",
                    at: offset.map { Self.location(ofByte: $0, in: source, file: file, lineOffset: lineOffset) } ?? location(nil),
                    rule: YAMLRule.encoding)
            default:
                diagnostics.report("YAML error: \(error)", at: location(nil), rule: YAMLRule.syntax)
            }
            return nil
        } catch {
            diagnostics.report("YAML error: \(error)", at: location(nil), rule: YAMLRule.syntax)
            return nil
        }
    }

    /// Yams reports a duplicate key at its first occurrence; users need the second. In a block mapping
    /// the sibling keys share the first key's column, so look for the next line that starts there with
    /// the same key.
    static func findDuplicate(key: String, after mark: Mark, in source: String) -> (line: Int, column: Int)? {
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let indent = mark.column - 1
        let candidates = [key + ":", "\"\(key)\":", "'\(key)':"]
        for n in mark.line..<lines.count {
            let line = lines[n]
            let body = line.drop { $0 == " " }
            let column = line.count - body.count
            if body.isEmpty || body.hasPrefix("#") { continue }
            if column < indent { break }
            if column == indent, candidates.contains(where: { body.hasPrefix($0) }) {
                return (n + 1, column + 1)
            }
            // A key inside a flow mapping or after a "- " on the same line: search the line itself.
            if column < indent, let range = line.range(of: key + ":") {
                return (n + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1)
            }
        }
        return nil
    }

    /// The line and column of the byte at `offset` in `source` (libyaml's reader counts bytes).
    static func location(ofByte offset: Int, in source: String, file: String, lineOffset: Int) -> SourceLocation {
        let utf8 = source.utf8
        let end = utf8.index(utf8.startIndex, offsetBy: min(max(offset, 0), utf8.count))
        var line = 1
        var lineStart = utf8.startIndex
        var i = utf8.startIndex
        while i < end {
            if utf8[i] == UInt8(ascii: "\n") { line += 1; lineStart = utf8.index(after: i) }
            i = utf8.index(after: i)
        }
        let column = source.unicodeScalars[lineStart..<end].count + 1
        return SourceLocation(file: file, line: line + lineOffset, column: column)
    }

    /// Converts Yams nodes into the project's tree, expanding `<<` merge keys, within a node budget.
    struct Converter {
        let file: String
        let lineOffset: Int
        var budget: Int

        /// Collections with an anchor, converted once: an alias resolves to the anchored node itself
        /// (same position), so every use converts alike. Without it, a chain of merge keys converted
        /// each level again inside the next (cubic in the chain's length).
        var converted: [String: (node: Node, cost: Int)] = [:]

        mutating func convert(_ node: Yams.Node, isKey: Bool = false) -> Node? {
            var memoKey: String?
            if let anchor = node.anchor, let mark = node.mark, node.scalar == nil {
                let key = "\(anchor.rawValue)@\(mark.line):\(mark.column)"
                if let known = converted[key] {
                    budget -= known.cost
                    return budget < 0 ? nil : known.node
                }
                memoKey = key
            }
            let before = budget
            guard let result = convertOnce(node, isKey: isKey) else { return nil }
            if let memoKey { converted[memoKey] = (result, before - budget) }
            return result
        }

        mutating func convertOnce(_ node: Yams.Node, isKey: Bool) -> Node? {
            budget -= 1
            if budget < 0 { return nil }
            let loc = SourceLocation(file: file, line: (node.mark?.line ?? 1) + lineOffset, column: node.mark?.column ?? 1)
            switch node {
            case .scalar(let s):
                return Node(.scalar(scalar(s, isKey: isKey)), at: loc)
            case .sequence(let seq):
                var items: [Node] = []
                items.reserveCapacity(seq.count)
                for item in seq {
                    guard let converted = convert(item) else { return nil }
                    items.append(converted)
                }
                return Node(.sequence(items), at: loc)
            case .mapping(let map):
                var pairs: [Pair] = []
                var merged: [Pair] = []
                pairs.reserveCapacity(map.count)
                for (k, v) in map {
                    if case .scalar(let ks) = k, ks.string == "<<", ks.style == .plain {
                        // Merge key: the values' pairs apply where the mapping has no key of its own.
                        let sources: [Yams.Node]
                        if case .sequence(let seq) = v { sources = Array(seq) } else { sources = [v] }
                        for source in sources {
                            guard let m = convert(source) else { return nil }
                            merged.append(contentsOf: m.mapping ?? [])
                        }
                        continue
                    }
                    guard let key = convert(k, isKey: true), let value = convert(v) else { return nil }
                    pairs.append(Pair(key: key, value: value))
                }
                if !merged.isEmpty {
                    // A set of the keys so far keeps merging linear (a scan per merged key was quadratic in
                    // mappings with tens of thousands of keys). The first merged source wins a key, as before.
                    var seen = Set(pairs.map { $0.key.scalar?.text })
                    for pair in merged where seen.insert(pair.key.scalar?.text).inserted {
                        pairs.append(pair)
                    }
                }
                return Node(.mapping(pairs), at: loc)
            case .alias:
                return Node(.scalar(Scalar(text: "", tag: .null, plain: true)), at: loc)
            }
        }

        func scalar(_ s: Yams.Node.Scalar, isKey: Bool) -> Scalar {
            let plain = s.style == .plain || s.style == .any
            var explicit = s.tag.description
            // A key's tag was resolved (to str, by the basic resolver) when Yams hashed it.
            if isKey, plain, explicit == "tag:yaml.org,2002:str" { explicit = "" }
            let tag: Scalar.Tag
            switch explicit {
            case "":
                tag = plain ? ScalarResolver.resolve(s.string) : .str
            case "tag:yaml.org,2002:int": tag = .int
            case "tag:yaml.org,2002:float": tag = .float
            case "tag:yaml.org,2002:bool": tag = .bool
            case "tag:yaml.org,2002:null": tag = .null
            default: tag = .str
            }
            return Scalar(text: s.string, tag: tag, plain: plain && explicit == "")
        }
    }
}
