/// A classifier's `classes_`, kept with its numpy dtype so `predict` returns labels as
/// scikit-learn does (`classes_.take(indices)`): integers as INT64, strings as BYTES, floats as FP64.
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

    /// Decodes `estimator.classes_` (a 1-d array); `owner` names the estimator in messages.
    static func decode(_ estimator: PickleObject, owner: String) throws(ModelError) -> SKLearnClassLabels {
        guard let value = estimator["classes_"] else {
            throw SKLearnTreeError.unsupported(owner, "the pickle has no 'classes_' (not a fitted classifier?)")
        }
        guard case .array(let array) = value else {
            throw SKLearnTreeError.unsupported(owner, "classes_ is \(value.kindName); multi-output classifiers are not supported")
        }
        guard array.shape.count == 1 else {
            throw SKLearnTreeError.unsupported(owner, "classes_ has shape \(array.shape), expected one dimension")
        }
        let labels: SKLearnClassLabels
        switch array.elements {
        case .int(let v): labels = .int64(v)
        case .float(let v): labels = .float64(v)
        case .string(let v): labels = .string(v)
        case .bool(let v): labels = .bool(v)
        case .object(let items):
            var strings: [String] = []
            for item in items {
                guard let s = item.stringValue else {
                    throw SKLearnTreeError.unsupported(owner, "classes_ holds \(item.kindName); only str labels are supported in an object array")
                }
                strings.append(s)
            }
            labels = .string(strings)
        case .structured:
            throw SKLearnTreeError.unsupported(owner, "classes_ has a structured dtype \(array.dtype)")
        }
        guard labels.count >= 1, labels.count == array.count else {
            throw SKLearnTreeError.corrupt(owner, "classes_ has \(labels.count) labels for shape \(array.shape)")
        }
        return labels
    }

    /// The labels at `indices` (each below `count`), as a [N] prediction.
    func prediction(_ indices: [Int]) -> Prediction {
        let values: Prediction.Values = switch self {
        case .int64(let v): .int64(indices.map { v[$0] })
        case .float64(let v): .float64(indices.map { v[$0] })
        case .string(let v): .string(indices.map { v[$0] })
        case .bool(let v): .bool(indices.map { v[$0] })
        }
        return Prediction(shape: [indices.count], values: values)
    }
}

/// numpy's `argmax` over one row: the first maximum wins, and a NaN counts as the maximum.
@inline(__always)
func sklearnArgmax(_ row: UnsafeBufferPointer<Double>, start: Int, count: Int) -> Int {
    var best = 0
    var bestValue = row[start]
    if bestValue.isNaN { return 0 }
    for k in 1..<max(count, 1) {
        let v = row[start &+ k]
        if v.isNaN { return k }
        if v > bestValue {
            best = k
            bestValue = v
        }
    }
    return best
}
