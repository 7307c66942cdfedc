import Foundation

/// libsvm's kernel functions (svm.cpp `Kernel::k_function`, dense representation), with the
/// parameters scikit-learn passes: `_gamma`, `degree`, `coef0`.
struct SKLearnSVMKernel: Sendable {
    enum Kind: String, Sendable {
        case linear, poly, rbf, sigmoid
    }

    let kind: Kind
    let gamma: Double
    let degree: Int
    let coef0: Double

    /// Reads `kernel`, `_gamma`, `degree` and `coef0` of a fitted libsvm estimator.
    init(_ state: SKLearnFittedState) throws(ModelError) {
        let name = try state.string("kernel")
        guard let kind = Kind(rawValue: name) else {
            throw ModelError.unsupported(
                "\(state.name): kernel '\(name)' is not supported (isvc runs linear, poly, rbf and sigmoid; a precomputed or callable kernel needs the training data)"
            )
        }
        self.kind = kind
        gamma = kind == .linear ? 0 : try state.double("_gamma")
        degree = kind == .poly ? try state.int("degree") : 0
        coef0 = kind == .poly || kind == .sigmoid ? try state.double("coef0") : 0
        guard degree >= 0 else { throw state.inconsistent("degree", "is \(degree), expected >= 0") }
    }

    init(kind: Kind, gamma: Double, degree: Int, coef0: Double) {
        self.kind = kind
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
    }

    /// Kernel values of one row against every support vector: `out[i] = K(x, sv_i)`.
    /// `x` has `features` values from `xOffset`; `vectors` is row-major [out.count, features].
    @inline(__always)
    func evaluate(
        _ x: UnsafeBufferPointer<Double>, xOffset: Int, vectors: UnsafeBufferPointer<Double>,
        features: Int, into out: UnsafeMutableBufferPointer<Double>
    ) {
        for i in 0..<out.count {
            let sv = i * features
            switch kind {
            case .rbf:
                // libsvm sums squared differences, not ||x||^2 + ||y||^2 - 2x.y.
                var sum = 0.0
                for f in 0..<features {
                    let d = x[xOffset + f] - vectors[sv + f]
                    sum += d * d
                }
                out[i] = exp(-gamma * sum)
            case .linear:
                out[i] = Self.dot(x, xOffset, vectors, sv, features)
            case .poly:
                out[i] = Self.powi(gamma * Self.dot(x, xOffset, vectors, sv, features) + coef0, degree)
            case .sigmoid:
                out[i] = tanh(gamma * Self.dot(x, xOffset, vectors, sv, features) + coef0)
            }
        }
    }

    @inline(__always)
    static func dot(
        _ x: UnsafeBufferPointer<Double>, _ xOffset: Int, _ y: UnsafeBufferPointer<Double>,
        _ yOffset: Int, _ count: Int
    ) -> Double {
        var sum = 0.0
        for f in 0..<count { sum += x[xOffset + f] * y[yOffset + f] }
        return sum
    }

    /// libsvm's `powi`: exponentiation by squaring (not `pow`), so results round as libsvm's do.
    static func powi(_ base: Double, _ times: Int) -> Double {
        var tmp = base, result = 1.0
        var t = times
        while t > 0 {
            if t % 2 == 1 { result *= tmp }
            tmp = tmp * tmp
            t /= 2
        }
        return result
    }
}
