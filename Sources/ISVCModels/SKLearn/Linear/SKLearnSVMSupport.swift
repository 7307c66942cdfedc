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
    init(
        _ state: SKLearnFittedState, coefficientRows: Int, interceptCount: Int,
        flipBinarySigns: Bool
    ) throws(ModelError) {
        if try state.bool("_sparse", default: false) {
            throw ModelError.unsupported(
                "\(state.name): a model fitted on sparse input (support_vectors_ as a scipy sparse matrix) is not supported")
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

    /// Rows computed per block by `forEachKernelBlock`.
    static let blockRows = 1024

    /// Kernel values of the rows of `x` against every support vector, a block of rows at a time
    /// (row-major [rows in the block, vectorCount]): memory for a block, not rows x vectorCount
    /// Doubles for the whole request (bench/RESULTS.md, protocol memory).
    func forEachKernelBlock(_ x: Matrix, _ body: (_ rows: Range<Int>, _ kernel: UnsafeBufferPointer<Double>) -> Void) {
        var block = [Double](repeating: 0, count: min(x.rows, Self.blockRows) * vectorCount)
        x.values.withUnsafeBufferPointer { xs in
            vectors.withUnsafeBufferPointer { sv in
                block.withUnsafeMutableBufferPointer { o in
                    var start = 0
                    while start < x.rows {
                        let end = min(x.rows, start + Self.blockRows)
                        if vectorCount > 0 {
                            for r in start..<end {
                                let at = (r - start) * vectorCount
                                kernel.evaluate(
                                    xs, xOffset: r * features, vectors: sv, features: features,
                                    into: UnsafeMutableBufferPointer(rebasing: o[at..<(at + vectorCount)]))
                            }
                        }
                        body(start..<end, UnsafeBufferPointer(rebasing: o[0..<((end - start) * vectorCount)]))
                        start = end
                    }
                }
            }
        }
    }
}
