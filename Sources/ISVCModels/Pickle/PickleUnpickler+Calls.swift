/// REDUCE, NEWOBJ and BUILD without calling anything. The callable of a REDUCE is always an allowed global
/// (`PickleAllowList`); a few are interpreted as the data they produce (numpy arrays, dtypes and scalars,
/// sets, bytes, OrderedDict, copyreg's object-creation helpers), every other one is recorded as a
/// `PickleObject` of that name with its arguments, and BUILD stores the state on it.
extension PickleUnpickler {
    static let reconstructors: Set<String> = ["numpy._core.multiarray._reconstruct", "numpy.core.multiarray._reconstruct"]
    static let scalars: Set<String> = ["numpy._core.multiarray.scalar", "numpy.core.multiarray.scalar"]
    static let fromBuffers: Set<String> = ["numpy._core.numeric._frombuffer", "numpy.core.numeric._frombuffer"]
    static let arrayWrapper = "joblib.numpy_pickle.NumpyArrayWrapper"

    /// `callable(*arguments)`, interpreted.
    mutating func reduce(_ callable: Int, arguments argumentsID: Int) throws(ModelError) -> Int {
        guard let name = graph.global(callable) else {
            throw unsupported("REDUCE of \(graph.describe(callable)); only allowed classes can be created")
        }
        guard let arguments = graph.sequence(argumentsID) else {
            throw corrupt("the arguments of \(name) are \(graph.describe(argumentsID)), not a tuple")
        }
        switch name {
        case "copyreg._reconstructor":
            // object.__new__(cls) (with `base.__init__(obj, state)` when state is not None).
            guard arguments.count == 3, let cls = graph.global(arguments[0]) else { throw badArguments(name) }
            return graph.newObject(cls, arguments: graph.isNone(arguments[2]) ? [] : [arguments[2]])
        case "copyreg.__newobj__":
            guard let first = arguments.first, let cls = graph.global(first) else { throw badArguments(name) }
            return graph.newObject(cls, arguments: Array(arguments.dropFirst()))
        case "copyreg.__newobj_ex__":
            guard arguments.count == 3 else { throw badArguments(name) }
            return try newObject(arguments[0], arguments: arguments[1], keywords: arguments[2])
        case "numpy.dtype":
            return try dtype(arguments)
        case _ where Self.reconstructors.contains(name):
            guard arguments.count == 3, graph.global(arguments[0]) == "numpy.ndarray" else {
                throw unsupported("\(name) of something other than numpy.ndarray")
            }
            return graph.add(.pendingArray)
        case _ where Self.scalars.contains(name):
            return try scalar(arguments)
        case _ where Self.fromBuffers.contains(name):
            return try fromBuffer(arguments)
        case "_codecs.encode":
            guard arguments.count == 2, let text = graph.string(arguments[0]), let encoding = graph.string(arguments[1]),
                ["latin1", "latin-1", "iso-8859-1", "iso8859-1"].contains(encoding.lowercased()),
                let bytes = PickleText.latin1(text)
            else { throw badArguments(name) }
            return graph.leaf(.bytes(bytes))
        case "builtins.bytes", "builtins.bytearray":
            return try bytes(name, arguments)
        case "builtins.set", "builtins.frozenset":
            guard arguments.count <= 1 else { throw badArguments(name) }
            guard let first = arguments.first else { return graph.newSet() }
            guard let items = members(first) else { throw badArguments(name) }
            return graph.newSet(items)
        case "collections.OrderedDict":
            guard arguments.isEmpty else { throw badArguments(name) }
            return graph.newDict()
        default:
            let (module, function) = Self.split(name)
            if function.hasPrefix("__pyx_unpickle_") {
                // Cython: __pyx_unpickle_X(cls, checksum, state) == cls.__new__(cls) + __setstate__(state).
                guard arguments.count == 3, let cls = graph.global(arguments[0]) else { throw badArguments(name) }
                return graph.newObject(cls, arguments: [], state: graph.isNone(arguments[2]) ? nil : arguments[2])
            }
            if function == "newObj", module.hasPrefix("sklearn.") {
                // scikit-learn's Cython helper: newObj(cls) == cls.__new__(cls).
                guard arguments.count == 1, let cls = graph.global(arguments[0]) else { throw badArguments(name) }
                return graph.newObject(cls, arguments: [])
            }
            return graph.newObject(name, arguments: arguments)
        }
    }

    /// NEWOBJ / NEWOBJ_EX / OBJ / INST: `cls.__new__(cls, *arguments, **keywords)`. Keyword arguments, when
    /// there are any, are kept as a final dict argument.
    mutating func newObject(_ cls: Int, arguments argumentsID: Int, keywords: Int?) throws(ModelError) -> Int {
        guard let name = graph.global(cls) else {
            throw unsupported("\(opcodeName) of \(graph.describe(cls)); only allowed classes can be created")
        }
        guard var arguments = graph.sequence(argumentsID) else {
            throw corrupt("the arguments of \(name) are \(graph.describe(argumentsID)), not a tuple")
        }
        if let keywords {
            guard let entries = graph.dictEntries(keywords) else { throw badArguments(name) }
            if !entries.isEmpty { arguments.append(keywords) }
        }
        switch name {
        case "collections.OrderedDict" where arguments.isEmpty: return graph.newDict()
        case "builtins.set", "builtins.frozenset": return graph.newSet()
        default: return graph.newObject(name, arguments: arguments)
        }
    }

    /// BUILD: `obj.__setstate__(state)` for numpy dtypes and arrays (decoded), joblib's array wrapper (the
    /// array follows in the stream), and plain state recording for every other object.
    mutating func build(_ state: Int) throws(ModelError) {
        let target = try top()
        switch graph[target] {
        case .dtype(var dtype):
            try applyDTypeState(state, to: &dtype)
            graph[target] = .dtype(dtype)
        case .pendingArray, .objectArray, .leaf(.array):
            graph[target] = try arrayFromState(state)
        case .object(let index):
            if !graph.isNone(state) { graph.objects[index].state = state }
            if joblibArrays, graph.objects[index].className == Self.arrayWrapper {
                _ = try pop()
                push(try joblibArray(wrapperState: state))
            }
        default:
            guard graph.isNone(state) else { throw corrupt("BUILD on \(graph.describe(target))") }
        }
    }

    func badArguments(_ name: String) -> ModelError {
        corrupt("unexpected arguments for \(name)")
    }

    /// The elements of a list, tuple or set node.
    func members(_ id: Int) -> [Int]? {
        if case .set(let index) = graph[id] { return graph.lists[index] }
        return graph.sequence(id)
    }

    static func split(_ name: String) -> (module: Substring, name: Substring) {
        guard let dot = name.lastIndex(of: ".") else { return ("", Substring(name)) }
        return (name[..<dot], name[name.index(after: dot)...])
    }

    /// `bytes()`, `bytes(b)`, `bytearray(b)`, `bytearray(str, "latin-1")` (protocol 2 bytearrays).
    private mutating func bytes(_ name: String, _ arguments: [Int]) throws(ModelError) -> Int {
        switch arguments.count {
        case 0: return graph.leaf(.bytes([]))
        case 1:
            guard case .leaf(.bytes(let b)) = graph[arguments[0]] else { throw badArguments(name) }
            return graph.leaf(.bytes(b))
        case 2:
            guard let text = graph.string(arguments[0]), let encoding = graph.string(arguments[1]) else { throw badArguments(name) }
            switch encoding.lowercased() {
            case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
                guard let bytes = PickleText.latin1(text) else { throw badArguments(name) }
                return graph.leaf(.bytes(bytes))
            case "utf8", "utf-8": return graph.leaf(.bytes(Array(text.utf8)))
            default: throw badArguments(name)
            }
        default: throw badArguments(name)
        }
    }
}
