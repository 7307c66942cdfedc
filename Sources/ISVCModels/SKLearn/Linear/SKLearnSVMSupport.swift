/// The libsvm model inside a fitted SVC/SVR: the kernel, the support vectors and libsvm's own
/// coefficients. scikit-learn flips the signs of the public `dual_coef_`/`intercept_` of binary
/// classifiers; libsvm (and so predict) uses `_dual_coef_`/`_intercept_`, which isvc reads.
struct SKLearnSVMSupport: Sendable {
    let kernel: SKLearnSVMKernel
    let features: Int
    let vectorCount: Int
    /// Row-major [vectorCount, features].
    let vectors: [Double]
    /// Row-major [coefficientRows, vectorCount] (`_dual_coef_`: classes - 1 rows, 1 for regression).
    let coefficients: [Double]
    let coefficientRows: Int
    /// libsvm's `-rho` per decision function (`_intercept_`).
    let intercepts: [Double]

    /// Reads the kernel and support arrays; `coefficientRows` and `interceptCount` are what the
    /// estimator's kind implies (classes - 1 and pairs for SVC, 1 and 1 for SVR).
    init(_ state: SKLearnFittedState, coefficientRows: Int, interceptCount: Int,
         flipBinarySigns: Bool) throws(ModelError) {
        if try state.bool("_sparse", default: false) {
            throw ModelError.unsupported("\(state.name): a model fitted on sparse input (support_vectors_ as a scipy sparse matrix) is not supported")
        }
        kernel = try SKLearnSVMKernel(state)
        let sv = try state.matrix("support_vectors_")
        vectorCount = sv.rows
        features = sv.columns
        vectors = sv.values
        self.coefficientRows = coefficientRows

        // scikit-learn >= 0.22 keeps libsvm's coefficients in `_dual_coef_` / `_intercept_`;
        // older pickles only have the public ones, sign-flipped for binary classifiers.
        let keepsLibsvmCoefficients = state.has("_dual_coef_") && state.has("_intercept_")
        let coefField = keepsLibsvmCoefficients ? "_dual_coef_" : "dual_coef_"
        let interceptField = keepsLibsvmCoefficients ? "_intercept_" : "intercept_"
        let coef = try state.matrix(coefField)
        guard coef.rows == coefficientRows else {
            throw state.inconsistent(coefField, "has \(coef.rows) row(s), expected \(coefficientRows)")
        }
        guard coef.columns == vectorCount else {
            throw state.inconsistent(coefField, "has \(coef.columns) columns but support_vectors_ has \(vectorCount) rows")
        }
        var intercepts = try state.vector(interceptField)
        guard intercepts.count == interceptCount else {
            throw state.inconsistent(interceptField, "has \(intercepts.count) value(s), expected \(interceptCount)")
        }
        var coefficients = coef.values
        if !keepsLibsvmCoefficients && flipBinarySigns {
            coefficients = coefficients.map { -$0 }
            intercepts = intercepts.map { -$0 }
        }
        self.coefficients = coefficients
        self.intercepts = intercepts
    }

    /// Kernel values of every row of `x` against every support vector, row-major [rows, vectorCount].
    func kernelValues(_ x: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: x.rows * vectorCount)
        guard vectorCount > 0 else { return out }
        x.values.withUnsafeBufferPointer { xs in
            vectors.withUnsafeBufferPointer { sv in
                out.withUnsafeMutableBufferPointer { o in
                    for r in 0..<x.rows {
                        let slice = UnsafeMutableBufferPointer(rebasing: o[(r * vectorCount)..<((r + 1) * vectorCount)])
                        kernel.evaluate(xs, xOffset: r * features, vectors: sv, features: features, into: slice)
                    }
                }
            }
        }
        return out
    }
}
