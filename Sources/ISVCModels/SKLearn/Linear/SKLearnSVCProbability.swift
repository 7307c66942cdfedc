import Foundation

/// libsvm's `svm_predict_probability`: Platt's sigmoid per pair of classes (clamped to
/// [1e-7, 1 - 1e-7]), coupled into class probabilities by Wu, Lin and Weng's second method
/// (`multiclass_probability`), with libsvm's iteration limit and stopping rule. Holds scratch
/// buffers so a batch allocates once.
struct SKLearnSVCProbability {
    let k: Int
    private var pairwise: [Double]  // [k, k] r[i][j]
    private var q: [Double]  // [k, k]
    private var qp: [Double]
    private var p: [Double]

    init(classes k: Int) {
        self.k = k
        pairwise = [Double](repeating: 0, count: k * k)
        q = [Double](repeating: 0, count: k * k)
        qp = [Double](repeating: 0, count: k)
        p = [Double](repeating: 0, count: k)
    }

    /// libsvm's `sigmoid_predict`, written to avoid cancellation in 1 - p.
    static func sigmoid(_ decision: Double, a: Double, b: Double) -> Double {
        let fApB = decision * a + b
        if fApB >= 0 {
            return exp(-fApB) / (1.0 + exp(-fApB))
        }
        return 1.0 / (1 + exp(fApB))
    }

    /// Class probabilities for one row's pairwise decision values `decisions[offset...]`.
    mutating func estimate(
        decisions: [Double], offset: Int, a: [Double], b: [Double],
        into out: inout [Double], at base: Int
    ) {
        let minProbability = 1e-7
        var pair = 0
        for i in 0..<k {
            for j in (i + 1)..<k {
                let s = Self.sigmoid(decisions[offset + pair], a: a[pair], b: b[pair])
                let clamped = min(max(s, minProbability), 1 - minProbability)
                pairwise[i * k + j] = clamped
                pairwise[j * k + i] = 1 - clamped
                pair += 1
            }
        }
        couple()
        for t in 0..<k { out[base + t] = p[t] }
    }

    /// `multiclass_probability(k, r, p)`.
    private mutating func couple() {
        let maxIterations = max(100, k)
        let eps = 0.005 / Double(k)
        for t in 0..<k {
            p[t] = 1.0 / Double(k)
            q[t * k + t] = 0
            for j in 0..<t {
                q[t * k + t] += pairwise[j * k + t] * pairwise[j * k + t]
                q[t * k + j] = q[j * k + t]
            }
            for j in (t + 1)..<k {
                q[t * k + t] += pairwise[j * k + t] * pairwise[j * k + t]
                q[t * k + j] = -pairwise[j * k + t] * pairwise[t * k + j]
            }
        }
        for _ in 0..<maxIterations {
            var pQp = 0.0
            for t in 0..<k {
                qp[t] = 0
                for j in 0..<k { qp[t] += q[t * k + j] * p[j] }
                pQp += p[t] * qp[t]
            }
            var maxError = 0.0
            for t in 0..<k {
                let error = abs(qp[t] - pQp)
                if error > maxError { maxError = error }
            }
            if maxError < eps { break }
            for t in 0..<k {
                let diff = (-qp[t] + pQp) / q[t * k + t]
                p[t] += diff
                pQp = (pQp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff)
                    p[j] /= (1 + diff)
                }
            }
        }
    }
}
