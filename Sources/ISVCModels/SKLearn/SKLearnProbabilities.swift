import Foundation

// The two functions scikit-learn turns scores into probabilities with, one copy for the linear
// classifiers (LogisticRegression) and gradient boosting, so that both round as scikit-learn does.

/// scipy.special.expit.
@inline(__always)
func sklearnExpit(_ x: Double) -> Double {
    1 / (1 + exp(-x))
}

/// `sklearn.utils.extmath.softmax` of one row in place: subtract the maximum, exponentiate,
/// divide by the sum.
@inline(__always)
func sklearnSoftmax(_ row: UnsafeMutableBufferPointer<Double>, start: Int, count: Int) {
    var maximum = row[start]
    for k in 1..<max(count, 1) { maximum = Swift.max(maximum, row[start + k]) }
    var sum = 0.0
    for k in 0..<count {
        let e = exp(row[start + k] - maximum)
        row[start + k] = e
        sum += e
    }
    for k in 0..<count { row[start + k] /= sum }
}
