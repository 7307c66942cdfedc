import Foundation

/// LogisticRegression (binary and multinomial) and LinearSVC: LinearClassifierMixin's `predict`
/// (`classes_[scores > 0]` for one column of scores, `classes_[argmax]` otherwise) and, for
/// LogisticRegression, `predict_proba`.
struct SKLearnLinearClassifier: Estimator {
    /// How `predict_proba` turns decision values into probabilities.
    enum ProbabilityRule: Sendable, Equatable {
        /// scikit-learn 1.9 binary, and one-vs-rest binary: `[1 - expit(d), expit(d)]`.
        case binaryLogistic
        /// One-vs-rest multiclass (`multi_class='ovr'`, or liblinear in older versions):
        /// `expit(d)` normalized over the classes (all-zero rows become uniform).
        case oneVsRestNormalized
        /// Multinomial: softmax over the classes.
        case softmax
        /// Older multinomial binary models (`multi_class='multinomial'`): softmax of `[-d, d]`.
        case binarySoftmax
    }

    let modelName: String
    let featureCount: Int?
    let function: SKLearnLinearFunction
    let classes: SKLearnClassLabels
    /// nil for classifiers without `predict_proba` (LinearSVC).
    let probabilityRule: ProbabilityRule?

    static let probabilisticClassNames = ["LogisticRegression", "LogisticRegressionCV"]
    static let classNames = probabilisticClassNames + ["LinearSVC"]

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        function = try SKLearnLinearFunction(state)
        classes = try SKLearnClassLabels(state)
        featureCount = try state.featureCount(implied: function.features)
        let k = classes.count
        guard k >= 2 else { throw state.inconsistent("classes_", "has \(k) class(es); a classifier needs two or more") }
        let expectedRows = k == 2 ? 1 : k
        guard function.outputs == expectedRows, !function.coefficientsWereVector else {
            throw state.inconsistent("coef_", "has \(function.outputs) row(s) for \(k) classes in classes_ (expected \(expectedRows))")
        }
        if Self.probabilisticClassNames.contains(modelName) {
            probabilityRule = try Self.probabilityRule(state, classCount: k)
        } else {
            probabilityRule = nil
        }
    }

    /// scikit-learn 1.9 has no `multi_class`: binary is logistic, multiclass softmax. Pickles from
    /// older versions keep `multi_class`, which those versions honoured ('ovr', or 'auto' with
    /// liblinear, normalizes one-vs-rest sigmoids; 'multinomial' binary is softmax of [-d, d]).
    private static func probabilityRule(_ state: SKLearnFittedState, classCount k: Int) throws(ModelError) -> ProbabilityRule {
        guard let multiClass = state.optionalString("multi_class") else {
            return k == 2 ? .binaryLogistic : .softmax
        }
        let solver = state.optionalString("solver") ?? "lbfgs"
        switch multiClass {
        case "ovr", "warn":
            return k == 2 ? .binaryLogistic : .oneVsRestNormalized
        case "auto", "deprecated":
            if k == 2 { return .binaryLogistic }
            return solver == "liblinear" ? .oneVsRestNormalized : .softmax
        case "multinomial":
            return k == 2 ? .binarySoftmax : .softmax
        default:
            throw ModelError.unsupported("\(state.name).multi_class: '\(multiClass)' is not supported")
        }
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try SKLearnLinearInput.validate(x, for: self)
        let scores = function.evaluate(x)
        let outputs = function.outputs
        var indices = [Int](repeating: 0, count: x.rows)
        if outputs == 1 {
            for r in 0..<x.rows where scores[r] > 0 { indices[r] = 1 }
        } else {
            for r in 0..<x.rows {
                let base = r * outputs
                var best = 0
                // numpy's argmax: the first maximum.
                for k in 1..<outputs where scores[base + k] > scores[base + best] {
                    best = k
                }
                indices[r] = best
            }
        }
        return classes.prediction(indices: indices)
    }

    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? {
        guard let rule = probabilityRule else { return nil }
        try SKLearnLinearInput.validate(x, for: self)
        let scores = function.evaluate(x)
        let k = classes.count
        var out = [Double](repeating: 0, count: x.rows * k)
        for r in 0..<x.rows {
            let base = r * k
            switch rule {
            case .binaryLogistic:
                let p = sklearnExpit(scores[r])
                out[base] = 1 - p
                out[base + 1] = p
            case .binarySoftmax:
                out[base] = -scores[r]
                out[base + 1] = scores[r]
                out.withUnsafeMutableBufferPointer { sklearnSoftmax($0, start: base, count: 2) }
            case .softmax:
                for c in 0..<k { out[base + c] = scores[base + c] }
                out.withUnsafeMutableBufferPointer { sklearnSoftmax($0, start: base, count: k) }
            case .oneVsRestNormalized:
                var sum = 0.0
                for c in 0..<k {
                    let p = sklearnExpit(scores[base + c])
                    out[base + c] = p
                    sum += p
                }
                if sum == 0 {
                    for c in 0..<k { out[base + c] = 1 / Double(k) }
                } else {
                    for c in 0..<k { out[base + c] /= sum }
                }
            }
        }
        return Prediction(shape: [x.rows, k], values: .float64(out))
    }
}
