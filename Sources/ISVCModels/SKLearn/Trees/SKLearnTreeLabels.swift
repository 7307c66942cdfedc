/// `classes_` of a fitted tree classifier; `owner` names the estimator in messages.
extension SKLearnClassLabels {
    static func decode(_ estimator: PickleObject, owner: String) throws(ModelError) -> SKLearnClassLabels {
        guard let value = estimator["classes_"] else {
            throw SKLearnTreeError.unsupported(owner, "the pickle has no 'classes_' (not a fitted classifier?)")
        }
        guard case .array(let array) = value else {
            throw SKLearnTreeError.unsupported(owner, "classes_ is \(value.kindName); multi-output classifiers are not supported")
        }
        return try SKLearnClassLabels(array) { SKLearnTreeError.corrupt(owner, "classes_ \($0)") }
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
