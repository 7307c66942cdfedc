import CYaml

/// A pass over one document's parser events (libyaml, which Yams is built on) before Yams composes it,
/// so hostile input is refused in time and memory proportional to its text: Yams builds a tree of every
/// node and hashes every mapping key (an alias of a large collection used as a key takes exponential
/// time there), and the tree of a document with millions of nodes takes gigabytes.
///
/// It counts each document's nodes twice: as written, and expanded through aliases (as isvc's tree
/// expands them). Nothing here reports syntax errors: on one it stops, and Yams reports it as before.
struct YAMLBudget {
    enum Verdict: Equatable {
        /// Within the limits: the document's node count with aliases expanded.
        case within(nodes: Int)
        /// More nodes as written than one document may have.
        case tooManyNodes(line: Int, column: Int)
        /// More nodes with aliases expanded than the budget (what the document, or the file, has left);
        /// `throughAliases` when aliases made it so (the nodes as written are within it).
        case overBudget(line: Int, column: Int, throughAliases: Bool)
        /// A mapping key that expands to more than `maxKeyNodes` nodes.
        case hugeKey(line: Int, column: Int)
    }

    /// Most nodes a mapping key may expand to. Kubernetes' keys are strings; a collection key is a
    /// schema error later, and up to here it costs nothing to hash.
    static let maxKeyNodes = 10_000

    /// A collection being scanned.
    private struct Frame {
        /// Nodes in this collection so far, with aliases expanded (itself included).
        var expanded = 1
        var isMapping: Bool
        var anchor: String?
        /// In a mapping: the next child is a key.
        var expectKey = true
        var line: Int
        var column: Int
    }

    /// An anchor's name.
    private static func name(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    /// Scans `text` (one document, possibly with directives) with `budget` expanded nodes available.
    static func scan(_ text: Substring, budget: Int, maxWritten: Int) -> Verdict {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return .within(nodes: 0) }
        defer { yaml_parser_delete(&parser) }
        let utf8 = Array(text.utf8)
        if utf8.isEmpty { return .within(nodes: 0) }
        return utf8.withUnsafeBufferPointer { buffer -> Verdict in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var stack: [Frame] = []
            var anchors: [String: Int] = [:]
            var written = 0
            // Nodes of the document so far with aliases expanded: each node adds itself once.
            var expanded = 0
            var rootLine = 1, rootColumn = 1
            var event = yaml_event_t()

            /// A finished node of `size` expanded nodes goes into its parent's count.
            func finish(_ size: Int, line: Int, column: Int) -> Verdict? {
                guard var parent = stack.popLast() else { return nil }
                if parent.isMapping {
                    if parent.expectKey, size > maxKeyNodes { return .hugeKey(line: line, column: column) }
                    parent.expectKey.toggle()
                }
                parent.expanded = parent.expanded.saturatingAdding(size)
                stack.append(parent)
                return nil
            }

            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return .within(nodes: expanded) }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return .within(nodes: expanded)
                case YAML_SCALAR_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT, YAML_ALIAS_EVENT:
                    if stack.isEmpty { rootLine = line; rootColumn = column }
                    var size = 1
                    if event.type == YAML_ALIAS_EVENT {
                        // An undefined alias is Yams' error to report; count it as one node.
                        size = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                    } else {
                        written += 1
                        if written > maxWritten { return .tooManyNodes(line: rootLine, column: rootColumn) }
                    }
                    expanded = expanded.saturatingAdding(size)
                    if expanded > budget { return .overBudget(line: rootLine, column: rootColumn, throughAliases: written <= budget) }
                    switch event.type {
                    case YAML_SCALAR_EVENT:
                        if let a = name(event.data.scalar.anchor) { anchors[a] = 1 }
                        if let v = finish(1, line: line, column: column) { return v }
                    case YAML_ALIAS_EVENT:
                        if let v = finish(size, line: line, column: column) { return v }
                    case YAML_SEQUENCE_START_EVENT:
                        stack.append(Frame(isMapping: false, anchor: name(event.data.sequence_start.anchor), line: line, column: column))
                    default:
                        stack.append(Frame(isMapping: true, anchor: name(event.data.mapping_start.anchor), line: line, column: column))
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let done = stack.popLast() else { return .within(nodes: expanded) }
                    if let a = done.anchor { anchors[a] = done.expanded }
                    if let v = finish(done.expanded, line: done.line, column: done.column) { return v }
                default:
                    break
                }
            }
        }
    }
}
