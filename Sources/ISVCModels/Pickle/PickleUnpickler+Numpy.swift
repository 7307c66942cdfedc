/// numpy's pickled forms, interpreted as data: `numpy.dtype(spec, align, copy)` + BUILD state,
/// `_reconstruct(ndarray, (0,), b"b")` + BUILD `(version, shape, dtype, is_fortran, data)`,
/// `_frombuffer(buffer, dtype, shape, order)` (protocol 5) and `scalar(dtype, bytes)`.
extension PickleUnpickler {
    /// More elements than this in an array of zero-sized items is treated as corrupt (nothing bounds it).
    static let maxEmptyItems = 1 << 20

    mutating func dtype(_ arguments: [Int]) throws(ModelError) -> Int {
        guard let first = arguments.first, let spec = graph.string(first) else { throw badArguments("numpy.dtype") }
        guard let dtype = PickleDType(spec: spec) else {
            throw unsupported("numpy dtype '\(spec.prefix(40))' is not supported")
        }
        return graph.add(.dtype(dtype))
    }

    /// numpy's `dtype.__setstate__`: (version, byteorder, subarray, names, fields, elsize, alignment, flags...).
    mutating func applyDTypeState(_ stateID: Int, to dtype: inout PickleDType) throws(ModelError) {
        guard let state = graph.sequence(stateID), state.count >= 6 else {
            throw corrupt("a numpy dtype state must be a tuple of 6 or more items, got \(graph.describe(stateID))")
        }
        let order = graph.string(state[1])
        let elementSize = graph.int(state[5])
        var fields: [PickleDType.Field]? = nil
        if !graph.isNone(state[3]) {
            guard let names = graph.sequence(state[3]) else { throw corrupt("numpy dtype names are not a tuple") }
            var parsed: [PickleDType.Field] = []
            for nameID in names {
                guard let name = graph.string(nameID), let entry = graph.dictValue(state[4], key: name),
                    let description = graph.sequence(entry), description.count >= 2,
                    case .dtype(let fieldType) = graph[description[0]],
                    let offset = graph.int(description[1]), offset >= 0, offset <= Int64(Int32.max)
                else {
                    throw corrupt("numpy structured dtype field \(graph.string(nameID).map { "'\($0)'" } ?? "") is malformed")
                }
                guard fieldType.nesting < PickleDType.maxNesting else {
                    throw unsupported("numpy structured dtypes nested more than \(PickleDType.maxNesting) levels")
                }
                parsed.append(PickleDType.Field(name: name, dtype: fieldType, offset: Int(offset)))
            }
            fields = parsed
        }
        dtype.apply(byteOrder: order, elementSize: elementSize, fields: fields, hasSubarray: !graph.isNone(state[2]))
    }

    /// `scalar(dtype, bytes)`: a numpy scalar (`numpy.float64(0.25)`) as a plain number.
    mutating func scalar(_ arguments: [Int]) throws(ModelError) -> Int {
        guard arguments.count == 2, case .dtype(let dtype) = graph[arguments[0]] else {
            throw badArguments("numpy scalar")
        }
        if dtype.kind == "O" { return arguments[1] }
        guard let raw = graph.rawBytes(arguments[1]), raw.count >= dtype.itemSize else {
            throw corrupt("a numpy \(dtype.str) scalar needs \(dtype.itemSize) bytes")
        }
        let bytes = raw.prefix(dtype.itemSize)
        guard dtype.fields == nil, PickleArrayDecoder.canDecode(dtype) else {
            let kept = PickleObject(className: "numpy.scalar", arguments: [.string(dtype.str), .bytes(Array(bytes))], state: nil)
            return graph.leaf(.object(kept))
        }
        let array = try PickleArrayDecoder.decode(bytes, shape: [], dtype: dtype, fortran: false, file: file)
        switch array.elements {
        case .float(let v): return graph.leaf(.float(v.first ?? .nan))
        case .int(let v): return graph.leaf(.int(v.first ?? 0))
        case .bool(let v): return graph.leaf(.bool(v.first ?? false))
        case .string(let v): return graph.leaf(.string(v.first ?? ""))
        default: return graph.leaf(.array(array))
        }
    }

    /// `_frombuffer(buffer, dtype, shape, order)`: numpy's protocol 5 array form (buffer in band).
    mutating func fromBuffer(_ arguments: [Int]) throws(ModelError) -> Int {
        guard arguments.count == 4, case .dtype(let dtype) = graph[arguments[1]], let raw = graph.rawBytes(arguments[0]),
            let order = graph.string(arguments[3])
        else { throw badArguments("numpy _frombuffer") }
        let shape = try self.shape(arguments[2])
        return graph.add(try array(raw[...], shape: shape, dtype: dtype, fortran: order == "F"))
    }

    /// `ndarray.__setstate__((version, shape, dtype, is_fortran, data))` (version is absent in old pickles).
    mutating func arrayFromState(_ stateID: Int) throws(ModelError) -> PickleGraph.Node {
        guard var state = graph.sequence(stateID), state.count == 4 || state.count == 5 else {
            throw corrupt("a numpy array state must be a tuple of 4 or 5 items, got \(graph.describe(stateID))")
        }
        if state.count == 5 { state.removeFirst() }
        guard case .dtype(let dtype) = graph[state[1]], let fortranFlag = graph.int(state[2]) else {
            throw corrupt("a numpy array state has no dtype")
        }
        let shape = try self.shape(state[0])
        let fortran = fortranFlag != 0
        if dtype.hasObject {
            guard dtype.kind == "O", let items = graph.sequence(state[3]) else {
                throw unsupported("numpy arrays of dtype \(dtype.str) with Python objects inside fields")
            }
            return try objectArray(items, shape: shape, dtype: dtype)
        }
        guard let raw = graph.rawBytes(state[3]) else {
            throw corrupt("the data of a numpy array is \(graph.describe(state[3])), not bytes")
        }
        return try array(raw[...], shape: shape, dtype: dtype, fortran: fortran)
    }

    /// An object array's elements. numpy lists them in C order even for a Fortran array (`_getlist_pkl`
    /// walks the array with a C-order iterator), so no reordering.
    func objectArray(_ items: [Int], shape: [Int], dtype: PickleDType) throws(ModelError) -> PickleGraph.Node {
        guard PickleArrayDecoder.count(of: shape) == items.count else {
            throw corrupt("a numpy object array of shape \(shape) has \(items.count) elements")
        }
        return .objectArray(shape: shape, dtype: dtype.str, items: items)
    }

    /// A numpy shape: a tuple of non-negative ints whose product fits.
    func shape(_ id: Int) throws(ModelError) -> [Int] {
        if let single = graph.int(id), single >= 0, single <= Int64(Int.max) { return [Int(single)] }
        guard let items = graph.sequence(id) else { throw corrupt("a numpy shape is \(graph.describe(id)), not a tuple") }
        var shape: [Int] = []
        for item in items {
            guard let dimension = graph.int(item), dimension >= 0, dimension <= Int64(Int.max) else {
                throw corrupt("a numpy shape has a dimension that is not a non-negative int")
            }
            shape.append(Int(dimension))
        }
        guard PickleArrayDecoder.count(of: shape) != nil else { throw corrupt("the numpy shape \(shape) is too large") }
        return shape
    }

    /// The byte length of an array, validated.
    func byteCount(shape: [Int], dtype: PickleDType) throws(ModelError) -> Int {
        let count = PickleArrayDecoder.count(of: shape) ?? 0
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw corrupt("the numpy array of shape \(shape) and dtype \(dtype.str) is too large") }
        if dtype.itemSize == 0, count > Self.maxEmptyItems {
            throw corrupt("a numpy array of \(count) zero-sized elements")
        }
        // Fields may overlap; never decode more values than the bytes could hold without overlap.
        if let fields = dtype.fields,
            count.multipliedReportingOverflow(by: fields.count).partialValue > max(bytes, Self.maxEmptyItems)
                || count.multipliedReportingOverflow(by: fields.count).overflow
        {
            throw corrupt("a structured numpy array of \(count) elements with \(fields.count) overlapping fields")
        }
        return bytes
    }

    /// A decoded array from its raw bytes; dtypes isvc does not decode (complex, datetime, sub-arrays,
    /// nested structures) are kept as a `numpy.ndarray` object holding shape, dtype and bytes.
    func array(_ raw: ArraySlice<UInt8>, shape: [Int], dtype: PickleDType, fortran: Bool) throws(ModelError) -> PickleGraph.Node {
        let expected = try byteCount(shape: shape, dtype: dtype)
        guard raw.count == expected else {
            throw corrupt("a numpy array of shape \(shape) and dtype \(dtype.str) needs \(expected) bytes, the pickle has \(raw.count)")
        }
        guard PickleArrayDecoder.canDecode(dtype) else {
            let kept = PickleObject(
                className: "numpy.ndarray",
                arguments: [
                    .tuple(shape.map { .int(Int64($0)) }), .string(dtype.str), .bool(fortran), .bytes(Array(raw)),
                ], state: nil)
            return .leaf(.object(kept))
        }
        return .leaf(.array(try PickleArrayDecoder.decode(raw, shape: shape, dtype: dtype, fortran: fortran, file: file)))
    }
}
