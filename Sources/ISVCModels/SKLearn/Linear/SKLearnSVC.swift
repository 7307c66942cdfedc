/// SVC and NuSVC: libsvm's one-vs-one classifier (svm.cpp `svm_predict_values`). For each pair of
/// classes i < j the decision value is the kernel expansion over the support vectors of i and j
/// plus `_intercept_`; a positive value votes for i, anything else for j; the first class with the
/// most votes wins. `break_ties=True` with 'ovr' uses the argmax of the ovr decision function.
struct SKLearnSVC: Estimator {
    let modelName: String
    let featureCount: Int?
    let support: SKLearnSVMSupport
    let classes: SKLearnClassLabels
    /// Support vectors per class (`_n_support`) and where each class's run starts.
    let supportCounts: [Int]
    let supportStarts: [Int]
    let breakTies: Bool
    /// Platt scaling per pair (`_probA`, `_probB`) when fitted with `probability=True`.
    let platt: (a: [Double], b: [Double])?

    static let classNames = ["SVC", "NuSVC"]

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        classes = try SKLearnClassLabels(state)
        let k = classes.count
        guard k >= 2 else { throw state.inconsistent("classes_", "has \(k) class(es); a classifier needs two or more") }
        let pairs = k * (k - 1) / 2
        support = try SKLearnSVMSupport(state, coefficientRows: k - 1, interceptCount: pairs, flipBinarySigns: k == 2)
        featureCount = try state.featureCount(implied: support.features)

        let counts = try state.integers(state.has("_n_support") ? "_n_support" : "n_support_")
        guard counts.count == k else {
            throw state.inconsistent("_n_support", "has \(counts.count) value(s) for \(k) classes in classes_")
        }
        var starts: [Int] = []
        var total = 0
        for c in counts {
            guard c >= 0, c <= support.vectorCount else { throw state.inconsistent("_n_support", "holds \(c)") }
            starts.append(total)
            total += c
        }
        guard total == support.vectorCount else {
            throw state.inconsistent("_n_support", "adds up to \(total) but support_vectors_ has \(support.vectorCount) rows")
        }
        supportCounts = counts
        supportStarts = starts

        let shape = state.optionalString("decision_function_shape") ?? "ovr"
        breakTies = try state.bool("break_ties", default: false)
        if breakTies && shape == "ovo" {
            throw ModelError.unsupported("\(modelName): break_ties must be False when decision_function_shape is 'ovo'")
        }
        platt = try Self.plattScaling(state, pairs: pairs)
    }

    /// `predict_proba` exists when the model was fitted with `probability=True` (a bool: 1.9's
    /// default is the string 'deprecated') and libsvm stored one (A, B) per pair.
    private static func plattScaling(_ state: SKLearnFittedState, pairs: Int) throws(ModelError) -> (a: [Double], b: [Double])? {
        guard case .bool(true)? = state.object["probability"] else { return nil }
        guard state.has("_probA"), state.has("_probB") else { return nil }
        let a = try state.vector("_probA")
        let b = try state.vector("_probB")
        if a.isEmpty || b.isEmpty { return nil }
        guard a.count == pairs else {
            throw state.inconsistent("_probA", "has \(a.count) value(s), expected \(pairs) (one per pair of classes)")
        }
        guard b.count == pairs else {
            throw state.inconsistent("_probB", "has \(b.count) value(s), expected \(pairs) (one per pair of classes)")
        }
        return (a, b)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try SKLearnLinearInput.validate(x, for: self)
        let k = classes.count
        let pairs = k * (k - 1) / 2
        var indices = [Int](repeating: 0, count: x.rows)
        var votes = [Int](repeating: 0, count: k)
        var ovr = [Double](repeating: 0, count: k)
        // A block of rows at a time: the decision values of the whole request are never held.
        forEachDecisionBlock(x) { rows, decisions in
            for r in rows {
                let base = (r - rows.lowerBound) * pairs
                if breakTies && k > 2 {
                    indices[r] = Self.ovrArgmax(decisions, base: base, classes: k, votes: &ovr)
                    continue
                }
                for c in 0..<k { votes[c] = 0 }
                var p = 0
                for i in 0..<k {
                    for j in (i + 1)..<k {
                        if decisions[base + p] > 0 { votes[i] += 1 } else { votes[j] += 1 }
                        p += 1
                    }
                }
                var best = 0
                for c in 1..<k where votes[c] > votes[best] { best = c }
                indices[r] = best
            }
        }
        return classes.prediction(indices: indices)
    }

    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? {
        guard let platt else { return nil }
        try SKLearnLinearInput.validate(x, for: self)
        let k = classes.count
        let pairs = k * (k - 1) / 2
        let decisions = decisionValues(x)
        var out = [Double](repeating: 0, count: x.rows * k)
        var coupling = SKLearnSVCProbability(classes: k)
        for r in 0..<x.rows {
            coupling.estimate(decisions: decisions, offset: r * pairs, a: platt.a, b: platt.b, into: &out, at: r * k)
        }
        return Prediction(shape: [x.rows, k], values: .float64(out))
    }

    /// libsvm's one-vs-one decision values, row-major [rows, pairs], pairs ordered (0,1), (0,2), ...
    func decisionValues(_ x: Matrix) -> [Double] {
        let pairs = classes.count * (classes.count - 1) / 2
        var out = [Double](repeating: 0, count: x.rows * pairs)
        forEachDecisionBlock(x) { rows, decisions in
            for i in 0..<decisions.count { out[rows.lowerBound * pairs + i] = decisions[i] }
        }
        return out
    }

    /// The decision values of a block of rows at a time, row-major [rows in the block, pairs].
    func forEachDecisionBlock(_ x: Matrix, _ body: (_ rows: Range<Int>, _ decisions: UnsafeBufferPointer<Double>) -> Void) {
        let k = classes.count
        let pairs = k * (k - 1) / 2
        let n = support.vectorCount
        var out = [Double](repeating: 0, count: min(x.rows, SKLearnSVMSupport.blockRows) * pairs)
        support.coefficients.withUnsafeBufferPointer { coef in
            support.forEachKernelBlock(x) { rows, kv in
                for r in rows {
                    let kb = (r - rows.lowerBound) * n
                    var p = 0
                    for i in 0..<k {
                        for j in (i + 1)..<k {
                            var sum = 0.0
                            // Class i's vectors weigh with row j-1, class j's with row i (libsvm's layout).
                            let si = supportStarts[i], sj = supportStarts[j]
                            let rowI = (j - 1) * n, rowJ = i * n
                            for t in 0..<supportCounts[i] { sum += coef[rowI + si + t] * kv[kb + si + t] }
                            for t in 0..<supportCounts[j] { sum += coef[rowJ + sj + t] * kv[kb + sj + t] }
                            out[(r - rows.lowerBound) * pairs + p] = sum + support.intercepts[p]
                            p += 1
                        }
                    }
                }
                out.withUnsafeBufferPointer { body(rows, UnsafeBufferPointer(rebasing: $0[0..<(rows.count * pairs)])) }
            }
        }
    }

    /// sklearn.utils.multiclass._ovr_decision_function(dec < 0, -dec, k), then numpy's argmax.
    static func ovrArgmax(_ decisions: UnsafeBufferPointer<Double>, base: Int, classes k: Int, votes: inout [Double]) -> Int {
        var confidences = [Double](repeating: 0, count: k)
        for c in 0..<k { votes[c] = 0 }
        var p = 0
        for i in 0..<k {
            for j in (i + 1)..<k {
                let d = decisions[base + p]
                confidences[i] -= -d
                confidences[j] += -d
                if d < 0 { votes[j] += 1 } else { votes[i] += 1 }
                p += 1
            }
        }
        var best = 0
        var bestValue = -Double.infinity
        for c in 0..<k {
            let value = votes[c] + confidences[c] / (3 * (abs(confidences[c]) + 1))
            if c == 0 || value > bestValue { best = c; bestValue = value }
        }
        return best
    }
}
