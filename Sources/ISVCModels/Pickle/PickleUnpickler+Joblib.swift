/// joblib's array layout (joblib/numpy_pickle.py, `NumpyArrayWrapper.write_array` / `read_array`): joblib
/// pickles a `NumpyArrayWrapper(subclass, shape, order, dtype, allow_mmap, numpy_array_alignment_bytes)`
/// in place of each array and writes the array right after the wrapper's BUILD:
/// - object dtype: a complete nested pickle (own PROTO, memo and STOP) of the array;
/// - otherwise (joblib >= 1.2, when the state has `numpy_array_alignment_bytes`): one byte N, then N
///   padding bytes, then count × itemsize raw bytes in `order` ("C" or "F").
/// joblib's unpickler then replaces the wrapper on the stack (not in the memo) by the array.
extension PickleUnpickler {
    mutating func joblibArray(wrapperState stateID: Int) throws(ModelError) -> Int {
        guard graph.dictEntries(stateID) != nil else {
            throw corrupt("the NumpyArrayWrapper state is \(graph.describe(stateID)), not a dict")
        }
        guard let dtypeID = graph.dictValue(stateID, key: "dtype"), case .dtype(let dtype) = graph[dtypeID] else {
            throw corrupt("the NumpyArrayWrapper has no numpy dtype")
        }
        guard let shapeID = graph.dictValue(stateID, key: "shape") else { throw corrupt("the NumpyArrayWrapper has no shape") }
        let shape = try self.shape(shapeID)
        let order = graph.dictValue(stateID, key: "order").flatMap { graph.string($0) } ?? "C"
        guard order == "C" || order == "F" else { throw corrupt("the NumpyArrayWrapper order is '\(order.prefix(10))'") }
        if let subclass = graph.dictValue(stateID, key: "subclass"), let name = graph.global(subclass), name != "numpy.ndarray" {
            throw unsupported("joblib array of class \(name)")
        }

        if dtype.hasObject {
            return try nestedPickle()
        }
        input.contextStart = input.position
        if let alignment = graph.dictValue(stateID, key: "numpy_array_alignment_bytes"), !graph.isNone(alignment) {
            input.context = "the NumpyArrayWrapper padding"
            let padding = Int(try input.byte())
            try input.skip(padding)
        }
        input.context = "the NumpyArrayWrapper array data (shape \(shape), dtype \(dtype.str))"
        let length = try byteCount(shape: shape, dtype: dtype)
        let raw = try input.read(length)
        input.context = opcodeName
        input.contextStart = opcodeStart
        return graph.add(try array(raw, shape: shape, dtype: dtype, fortran: order == "F"))
    }

    /// The nested pickle of an object array, read with a fresh stack and memo like joblib's inner Unpickler
    /// (which does not treat NumpyArrayWrapper specially, so this never nests further).
    private mutating func nestedPickle() throws(ModelError) -> Int {
        let saved = (stack, marks, memo, protocolVersion, opcodeStart, opcodeName)
        stack = []
        marks = []
        memo = [:]
        protocolVersion = 0
        joblibArrays = false
        defer {
            (stack, marks, memo, protocolVersion, opcodeStart, opcodeName) = saved
            joblibArrays = true
        }
        return try load()
    }
}
