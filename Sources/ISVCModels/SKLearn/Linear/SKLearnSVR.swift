/// SVR and NuSVR (the kernel expansion plus `_intercept_`, as Float64), and OneClassSVM (+1 when
/// that value is positive, else -1, as integers): libsvm's single decision function.
struct SKLearnSVR: Estimator {
    let modelName: String
    let featureCount: Int?
    let support: SKLearnSVMSupport
    /// OneClassSVM answers the sign of the decision value.
    let answersSign: Bool

    static let classNames = ["SVR", "NuSVR", "OneClassSVM"]

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        answersSign = modelName == "OneClassSVM"
        support = try SKLearnSVMSupport(state, coefficientRows: 1, interceptCount: 1, flipBinarySigns: false)
        featureCount = try state.featureCount(implied: support.features)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try SKLearnLinearInput.validate(x, for: self)
        let values = decisionValues(x)
        if answersSign {
            return Prediction(shape: [x.rows], values: .int64(values.map { $0 > 0 ? 1 : -1 }))
        }
        return Prediction(shape: [x.rows], values: .float64(values))
    }

    func decisionValues(_ x: Matrix) -> [Double] {
        let n = support.vectorCount
        let intercept = support.intercepts[0]
        var out = [Double](repeating: 0, count: x.rows)
        support.coefficients.withUnsafeBufferPointer { coef in
            support.forEachKernelBlock(x) { rows, kv in
                for r in rows {
                    let kb = (r - rows.lowerBound) * n
                    var sum = 0.0
                    for i in 0..<n { sum += coef[i] * kv[kb + i] }
                    out[r] = sum + intercept
                }
            }
        }
        return out
    }
}
