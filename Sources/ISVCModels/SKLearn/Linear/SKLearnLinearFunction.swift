/// `X @ coef_.T + intercept_`: the decision function shared by linear regressors and classifiers.
/// `coef_` is kept row-major as [outputs, features]; a 1-D `coef_` is one output.
struct SKLearnLinearFunction: Sendable {
    let outputs: Int
    let features: Int
    /// Row-major [outputs, features].
    let coefficients: [Double]
    /// One per output.
    let intercepts: [Double]
    /// Whether `coef_` was 1-D (predict returns [N] rather than [N, outputs]).
    let coefficientsWereVector: Bool

    /// Reads `coef_` and `intercept_` (a scalar, a 1-element or an `outputs`-element array, or 0.0
    /// when `fit_intercept=False`).
    init(_ state: SKLearnFittedState) throws(ModelError) {
        let (shape, coef) = try state.finiteDoubles("coef_")
        switch shape.count {
        case 1:
            outputs = 1
            features = shape[0]
            coefficientsWereVector = true
        case 2:
            outputs = shape[0]
            features = shape[1]
            coefficientsWereVector = false
        default:
            throw state.inconsistent("coef_", "has shape \(shape), expected one or two dimensions")
        }
        guard outputs >= 1 else { throw state.inconsistent("coef_", "has shape \(shape): no outputs") }
        coefficients = coef
        intercepts = try Self.intercepts(state, outputs: outputs)
    }

    private static func intercepts(_ state: SKLearnFittedState, outputs: Int) throws(ModelError) -> [Double] {
        guard let value = state.object["intercept_"] else { return Array(repeating: 0, count: outputs) }
        switch value {
        case .array(let a) where !a.shape.isEmpty:
            let (shape, values) = try state.finiteDoubles("intercept_")
            guard shape.count == 1, values.count == outputs || values.count == 1 else {
                throw state.inconsistent("intercept_", "has shape \(shape), expected (\(outputs),) to match coef_")
            }
            return values.count == outputs ? values : Array(repeating: values[0], count: outputs)
        default:
            let scalar = try state.double("intercept_")
            return Array(repeating: scalar, count: outputs)
        }
    }

    /// Decision values, row-major [rows, outputs]; `x` must have `features` columns.
    func evaluate(_ x: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: x.rows * outputs)
        x.values.withUnsafeBufferPointer { xs in
            coefficients.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    for r in 0..<x.rows {
                        let row = r * features
                        for k in 0..<outputs {
                            let wk = k * features
                            var sum = 0.0
                            for f in 0..<features { sum += xs[row + f] * w[wk + f] }
                            o[r * outputs + k] = sum + intercepts[k]
                        }
                    }
                }
            }
        }
        return out
    }
}
