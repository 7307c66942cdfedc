/// The unpickler's working memory: every value the stream creates is a node with an id, and the stack
/// and memo hold ids. Pickles mutate values after creating them (APPENDS to a memoized list, BUILD on
/// a memoized object), so mutable containers live in side tables that are edited in place, and the
/// value tree (`PickleValue`) is made only once the stream has ended (see `PickleConverter`).
struct PickleGraph {
    /// A value in the stream. Containers refer to their elements by node id.
    enum Node {
        /// A finished value without children: None, bool, numbers, str, bytes, a global, a decoded array.
        case leaf(PickleValue)
        case tuple([Int])
        /// Index into `lists`.
        case list(Int)
        /// Index into `lists` (set and frozenset).
        case set(Int)
        /// Index into `dicts`.
        case dict(Int)
        /// Index into `objects`.
        case object(Int)
        /// A `numpy.dtype`, completed by its BUILD state.
        case dtype(PickleDType)
        /// `numpy...multiarray._reconstruct(...)` before the BUILD that gives the array its contents.
        case pendingArray
        /// A numpy array of dtype object: its elements are nodes.
        case objectArray(shape: [Int], dtype: String, items: [Int])
    }

    /// An instance of an allowed class; nothing of the class ran.
    struct Object {
        var className: String
        var arguments: [Int]
        /// The BUILD state node, if any.
        var state: Int?
        /// SETITEM(S) on the instance (dict subclasses such as `sklearn.utils._bunch.Bunch`).
        var dictItems: [(key: Int, value: Int)] = []
        /// APPEND(S) on the instance (list subclasses).
        var listItems: [Int] = []
    }

    private(set) var nodes: [Node] = []
    var lists: [[Int]] = []
    var dicts: [[(key: Int, value: Int)]] = []
    var objects: [Object] = []

    subscript(id: Int) -> Node {
        get { nodes[id] }
        set { nodes[id] = newValue }
    }

    var count: Int { nodes.count }

    mutating func add(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    mutating func leaf(_ value: PickleValue) -> Int { add(.leaf(value)) }

    mutating func newList(_ items: [Int] = []) -> Int {
        lists.append(items)
        return add(.list(lists.count - 1))
    }

    mutating func newSet(_ items: [Int] = []) -> Int {
        lists.append(items)
        return add(.set(lists.count - 1))
    }

    mutating func newDict(_ items: [(key: Int, value: Int)] = []) -> Int {
        dicts.append(items)
        return add(.dict(dicts.count - 1))
    }

    mutating func newObject(_ className: String, arguments: [Int], state: Int? = nil) -> Int {
        objects.append(Object(className: className, arguments: arguments, state: state))
        return add(.object(objects.count - 1))
    }

    /// The value of a leaf node, nil for containers.
    func leafValue(_ id: Int) -> PickleValue? {
        if case .leaf(let value) = nodes[id] { return value }
        return nil
    }

    /// The elements of a tuple or list node.
    func sequence(_ id: Int) -> [Int]? {
        switch nodes[id] {
        case .tuple(let items): items
        case .list(let index): lists[index]
        default: nil
        }
    }

    /// Entries of a dict node.
    func dictEntries(_ id: Int) -> [(key: Int, value: Int)]? {
        if case .dict(let index) = nodes[id] { return dicts[index] }
        return nil
    }

    /// A dict node's value for a string key.
    func dictValue(_ id: Int, key: String) -> Int? {
        guard let entries = dictEntries(id) else { return nil }
        for entry in entries.reversed() {
            if case .leaf(.string(let k)) = nodes[entry.key], k == key { return entry.value }
        }
        return nil
    }

    func string(_ id: Int) -> String? {
        if case .leaf(.string(let s)) = nodes[id] { return s }
        return nil
    }

    func int(_ id: Int) -> Int64? {
        switch nodes[id] {
        case .leaf(.int(let i)): i
        case .leaf(.bool(let b)): b ? 1 : 0
        default: nil
        }
    }

    func global(_ id: Int) -> String? {
        if case .leaf(.global(let name)) = nodes[id] { return name }
        return nil
    }

    func isNone(_ id: Int) -> Bool {
        if case .leaf(.none) = nodes[id] { return true }
        return false
    }

    /// Bytes of a bytes node, or of a str holding bytes as latin-1 (Python 2 pickles, `_codecs.encode`).
    func rawBytes(_ id: Int) -> [UInt8]? {
        switch nodes[id] {
        case .leaf(.bytes(let b)): return b
        case .leaf(.string(let s)): return PickleText.latin1(s)
        default: return nil
        }
    }

    /// A short description of a node for error messages.
    func describe(_ id: Int) -> String {
        switch nodes[id] {
        case .leaf(let value): value.kindName
        case .tuple: "a tuple"
        case .list: "a list"
        case .set: "a set"
        case .dict: "a dict"
        case .object(let index): "an instance of \(objects[index].className)"
        case .dtype: "a numpy dtype"
        case .pendingArray, .objectArray: "a numpy array"
        }
    }
}
