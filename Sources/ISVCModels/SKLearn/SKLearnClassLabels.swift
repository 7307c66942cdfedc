/// A classifier's `classes_`, kept with its numpy dtype so `predict` answers with the element type
/// scikit-learn does (`classes_.take(indices)`): integers as INT64, strings (numpy `U`, or `object`
/// of str) as BYTES, floats as FP64, bools as BOOL. Shared by every classifier family.
enum SKLearnClassLabels: Sendable {
    case int64([Int64])
    case float64([Double])
    case string([String])
    case bool([Bool])

    var count: Int {
        switch self {
        case .int64(let v): v.count
        case .float64(let v): v.count
        case .string(let v): v.count
        case .bool(let v): v.count
        }
    }

    /// Labels from a 1-d array; `problem` turns a description of what is wrong into the caller's error.
    init(_ array: NDArray, problem: (String) -> ModelError) throws(ModelError) {
        guard array.shape.count == 1 else { throw problem("has shape \(array.shape), expected one dimension") }
        switch array.elements {
        case .int(let v): self = .int64(v)
        case .float(let v): self = .float64(v)
        case .bool(let v): self = .bool(v)
        case .string(let v): self = .string(v)
        case .object(let items): self = try Self.fromObjects(items, problem: problem)
        case .structured: throw problem("has a structured dtype \(array.dtype), expected labels")
        }
        guard count >= 1, count == array.count else { throw problem("holds \(count) labels for shape \(array.shape)") }
    }

    /// An `object` array: all str, all int or all float (numpy keeps Python objects as given).
    private static func fromObjects(_ items: [PickleValue], problem: (String) -> ModelError) throws(ModelError) -> SKLearnClassLabels {
        var strings: [String] = [], ints: [Int64] = [], floats: [Double] = []
        for item in items {
            switch item {
            case .string(let s): strings.append(s)
            case .bytes(let b): strings.append(String(decoding: b, as: UTF8.self))
            case .int(let i): ints.append(i)
            case .float(let d): floats.append(d)
            default: throw problem("holds a label of \(item.kindName), which is not supported")
            }
        }
        if strings.count == items.count { return .string(strings) }
        if ints.count == items.count { return .int64(ints) }
        if floats.count == items.count { return .float64(floats) }
        throw problem("holds labels of mixed types, which are not supported")
    }

    /// `classes_.take(indices)` as a [N] prediction; every index must be in 0..<count.
    func prediction(indices: [Int]) -> Prediction {
        let values: Prediction.Values =
            switch self {
            case .int64(let v): .int64(indices.map { v[$0] })
            case .float64(let v): .float64(indices.map { v[$0] })
            case .string(let v): .string(indices.map { v[$0] })
            case .bool(let v): .bool(indices.map { v[$0] })
            }
        return Prediction(shape: [indices.count], values: values)
    }
}
