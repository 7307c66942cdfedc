import Foundation

/// KNeighborsClassifier by brute force over `_fit_X`, with the distances scikit-learn's KD-tree and
/// ball-tree compute (sums of per-feature terms, then the root), neighbours in ascending distance
/// (equal distances: the lower training index first). Votes: uniform, or `1/distance` where a row
/// with a zero distance weighs its zero-distance neighbours 1 and the rest 0 (`_get_weights`);
/// the winner is the lowest class index with the largest vote (`scipy.stats.mode`,
/// `weighted_mode`); `predict_proba` is the votes over their sum.
struct SKLearnKNeighborsClassifier: Estimator {
    enum Metric: Sendable, Equatable {
        case euclidean, manhattan, chebyshev
        case minkowski(p: Double)
    }

    let modelName: String
    let featureCount: Int?
    let classes: SKLearnClassLabels
    let metric: Metric
    let distanceWeighted: Bool
    let neighbors: Int
    let samples: Int
    let features: Int
    /// Row-major [samples, features].
    let points: [Double]
    /// Class index of each training point (`_y`).
    let labels: [Int]

    static let classNames = ["KNeighborsClassifier"]

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        if try state.bool("outputs_2d_", default: false) {
            throw ModelError.unsupported("\(modelName): multi-output classification (outputs_2d_) is not supported")
        }
        classes = try SKLearnClassLabels(state)
        metric = try Self.metric(state)
        switch try state.string("weights") {
        case "uniform": distanceWeighted = false
        case "distance": distanceWeighted = true
        case let other: throw ModelError.unsupported("\(modelName): weights '\(other)' is not supported (uniform or distance)")
        }
        let fit = try state.matrix("_fit_X")
        samples = fit.rows
        features = fit.columns
        points = fit.values
        featureCount = try state.featureCount(implied: features)
        let labels = try state.integers("_y")
        guard labels.count == fit.rows else {
            throw state.inconsistent("_y", "has \(labels.count) labels but _fit_X has \(fit.rows) rows")
        }
        let classCount = classes.count
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw state.inconsistent("_y", "holds class index \(bad) but classes_ has \(classCount) classes")
        }
        self.labels = labels
        neighbors = try state.int("n_neighbors")
        guard neighbors >= 1, neighbors <= samples else {
            throw state.inconsistent("n_neighbors", "is \(neighbors), expected 1...\(samples) (the rows of _fit_X)")
        }
    }

    /// `effective_metric_` (and its `p`), as `NeighborsBase._fit` resolved it.
    private static func metric(_ state: SKLearnFittedState) throws(ModelError) -> Metric {
        let name: String
        if let effective = state.optionalString("effective_metric_") { name = effective } else { name = try state.string("metric") }
        switch name {
        case "euclidean", "l2": return .euclidean
        case "manhattan", "cityblock", "l1": return .manhattan
        case "chebyshev", "infinity": return .chebyshev
        case "minkowski":
            let params = state.object["effective_metric_params_"]
            if let w = params?["w"], !w.isNone {
                throw ModelError.unsupported("\(state.name): a weighted minkowski metric is not supported")
            }
            let p: Double
            if let given = params?["p"]?.doubleValue { p = given } else { p = try state.double("p") }
            switch p {
            case 1: return .manhattan
            case 2: return .euclidean
            case .infinity: return .chebyshev
            case let p where p >= 1: return .minkowski(p: p)
            default: throw ModelError.unsupported("\(state.name): minkowski p=\(p) is not supported (p >= 1)")
            }
        default:
            throw ModelError.unsupported("\(state.name): metric '\(name)' is not supported (euclidean, manhattan, chebyshev, minkowski)")
        }
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try SKLearnLinearInput.validate(x, for: self)
        let votes = classVotes(x)
        let k = classes.count
        var indices = [Int](repeating: 0, count: x.rows)
        for r in 0..<x.rows {
            var best = 0
            for c in 1..<k where votes[r * k + c] > votes[r * k + best] { best = c }
            indices[r] = best
        }
        return classes.prediction(indices: indices)
    }

    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? {
        try SKLearnLinearInput.validate(x, for: self)
        var votes = classVotes(x)
        let k = classes.count
        for r in 0..<x.rows {
            var sum = 0.0
            for c in 0..<k { sum += votes[r * k + c] }
            for c in 0..<k { votes[r * k + c] /= sum }
        }
        return Prediction(shape: [x.rows, k], values: .float64(votes))
    }

    /// Summed neighbour weights per class, row-major [rows, classes].
    func classVotes(_ x: Matrix) -> [Double] {
        let k = classes.count
        var votes = [Double](repeating: 0, count: x.rows * k)
        var nearest = [Double](repeating: 0, count: neighbors)
        var nearestIndex = [Int](repeating: 0, count: neighbors)
        for r in 0..<x.rows {
            let found = findNeighbors(x, row: r, distances: &nearest, indices: &nearestIndex)
            if distanceWeighted {
                let anyZero = nearest[0..<found].contains(0)
                for n in 0..<found {
                    let d = rootDistance(nearest[n])
                    let weight = anyZero ? (d == 0 ? 1.0 : 0.0) : 1.0 / d
                    votes[r * k + labels[nearestIndex[n]]] += weight
                }
            } else {
                for n in 0..<found { votes[r * k + labels[nearestIndex[n]]] += 1 }
            }
        }
        return votes
    }

    /// The `neighbors` nearest training points of row `row`, ascending by reduced distance.
    private func findNeighbors(_ x: Matrix, row: Int, distances: inout [Double], indices: inout [Int]) -> Int {
        var count = 0
        let limit = neighbors
        x.values.withUnsafeBufferPointer { xs in
            points.withUnsafeBufferPointer { pts in
                let xo = row * features
                for s in 0..<samples {
                    let d = reducedDistance(xs, xo, pts, s * features)
                    if count == limit && !(d < distances[limit - 1]) { continue }
                    // Insert after every equal distance so the lower index stays first.
                    var slot = count == limit ? limit - 1 : count
                    while slot > 0 && distances[slot - 1] > d {
                        distances[slot] = distances[slot - 1]
                        indices[slot] = indices[slot - 1]
                        slot -= 1
                    }
                    distances[slot] = d
                    indices[slot] = s
                    if count < limit { count += 1 }
                }
            }
        }
        return count
    }

    /// The tree metrics' `rdist`: squared for euclidean, the p-th power sum for minkowski.
    @inline(__always)
    private func reducedDistance(_ x: UnsafeBufferPointer<Double>, _ xo: Int, _ y: UnsafeBufferPointer<Double>, _ yo: Int) -> Double {
        var sum = 0.0
        switch metric {
        case .euclidean:
            for f in 0..<features {
                let d = x[xo + f] - y[yo + f]
                sum += d * d
            }
        case .manhattan:
            for f in 0..<features { sum += abs(x[xo + f] - y[yo + f]) }
        case .chebyshev:
            for f in 0..<features { sum = max(sum, abs(x[xo + f] - y[yo + f])) }
        case .minkowski(let p):
            for f in 0..<features { sum += pow(abs(x[xo + f] - y[yo + f]), p) }
        }
        return sum
    }

    /// `_rdist_to_dist`.
    private func rootDistance(_ reduced: Double) -> Double {
        switch metric {
        case .euclidean: sqrt(reduced)
        case .manhattan, .chebyshev: reduced
        case .minkowski(let p): pow(reduced, 1 / p)
        }
    }
}
