/// Turns the finished node graph into the `PickleValue` tree. Runs once, after STOP, so every APPEND and
/// BUILD has happened. A node reached twice (a shared reference) is converted once and reused; a node
/// that contains itself, or nesting deeper than `maxDepth`, is a `ModelError` (recursion is bounded).
struct PickleConverter {
    static let maxDepth = 200

    private let graph: PickleGraph
    private let file: String
    private var cache: [PickleValue?]
    private var inProgress: [Bool]

    init(graph: PickleGraph, file: String) {
        self.graph = graph
        self.file = file
        cache = Array(repeating: nil, count: graph.count)
        inProgress = Array(repeating: false, count: graph.count)
    }

    mutating func value(_ id: Int, depth: Int = 0) throws(ModelError) -> PickleValue {
        if case .leaf(let value) = graph[id] { return value }
        if let cached = cache[id] { return cached }
        guard depth < Self.maxDepth else {
            throw ModelError.corrupt(file: file, reason: "values are nested more than \(Self.maxDepth) levels deep")
        }
        guard !inProgress[id] else {
            throw ModelError.corrupt(
                file: file, reason: "\(graph.describe(id)) contains itself (a reference cycle), which isvc does not load")
        }
        inProgress[id] = true
        defer { inProgress[id] = false }
        let result: PickleValue
        switch graph[id] {
        case .leaf(let value): result = value
        case .tuple(let items): result = .tuple(try values(items, depth))
        case .list(let index): result = .list(try values(graph.lists[index], depth))
        case .set(let index): result = .set(try values(graph.lists[index], depth))
        case .dict(let index): result = .dict(try entries(graph.dicts[index], depth))
        case .object(let index): result = .object(try object(graph.objects[index], depth))
        case .dtype(let dtype):
            result = .object(PickleObject(className: "numpy.dtype", arguments: [.string(dtype.str)], state: nil))
        case .pendingArray:
            // `_reconstruct` without its BUILD: numpy's placeholder, an empty int8 array.
            result = .array(NDArray(shape: [0], dtype: "|i1", elements: .int([])))
        case .objectArray(let shape, let dtype, let items):
            result = .array(NDArray(shape: shape, dtype: dtype, elements: .object(try values(items, depth))))
        }
        cache[id] = result
        return result
    }

    private mutating func values(_ ids: [Int], _ depth: Int) throws(ModelError) -> [PickleValue] {
        var out: [PickleValue] = []
        out.reserveCapacity(ids.count)
        for id in ids { out.append(try value(id, depth: depth + 1)) }
        return out
    }

    private mutating func entries(
        _ pairs: [(key: Int, value: Int)], _ depth: Int
    ) throws(ModelError) -> [(key: PickleValue, value: PickleValue)] {
        var out: [(key: PickleValue, value: PickleValue)] = []
        out.reserveCapacity(pairs.count)
        for pair in pairs { out.append((try value(pair.key, depth: depth + 1), try value(pair.value, depth: depth + 1))) }
        return out
    }

    /// An instance: its arguments and BUILD state. Items set on a dict subclass (`Bunch`) join the state
    /// dict after BUILD's entries; items appended to a list subclass become the state when BUILD gave
    /// none, and an extra final argument otherwise.
    private mutating func object(_ node: PickleGraph.Object, _ depth: Int) throws(ModelError) -> PickleObject {
        let arguments = try values(node.arguments, depth)
        var state = try node.state.map { id throws(ModelError) in try value(id, depth: depth + 1) }
        var extra: [PickleValue] = []
        if !node.dictItems.isEmpty {
            let items = try entries(node.dictItems, depth)
            switch state {
            case nil: state = .dict(items)
            case .dict(let existing)?: state = .dict(existing + items)
            case let other?: state = .tuple([other, .dict(items)])
            }
        }
        if !node.listItems.isEmpty {
            let items = try values(node.listItems, depth)
            if state == nil { state = .list(items) } else { extra.append(.list(items)) }
        }
        return PickleObject(className: node.className, arguments: arguments + extra, state: state)
    }
}
