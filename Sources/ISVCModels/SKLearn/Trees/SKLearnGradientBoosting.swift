/// GradientBoostingClassifier: probabilities from the raw prediction through the loss
/// (`_loss.predict_proba`: expit for log_loss with two classes, expit(2 raw) for exponential,
/// softmax otherwise); `predict` is `classes_[raw >= 0]` for two classes and
/// `classes_[argmax(raw)]` otherwise.
struct SKLearnGradientBoostingClassifier: Estimator {
    let trees: SKLearnBoostedTrees
    let loss: SKLearnBoostingLoss
    let labels: SKLearnClassLabels

    var modelName: String { trees.modelName }
    var featureCount: Int? { trees.features }

    init(decoding estimator: PickleObject) throws(ModelError) {
        labels = try SKLearnClassLabels.decode(estimator, owner: estimator.shortName)
        guard labels.count >= 2 else {
            throw SKLearnTreeError.corrupt(estimator.shortName, "classes_ has \(labels.count) label; at least 2 are needed")
        }
        if let classCount = estimator["n_classes_"]?.intValue, classCount != labels.count {
            throw SKLearnTreeError.corrupt(estimator.shortName, "n_classes_ is \(classCount) but classes_ has \(labels.count) labels")
        }
        loss = try SKLearnBoostingLoss.decode(estimator, classifier: true, classCount: labels.count)
        trees = try SKLearnBoostedTrees(decoding: estimator, loss: loss, classCount: labels.count)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        let raw = try trees.raw(x)
        let outputs = trees.outputs
        var indices = [Int](repeating: 0, count: x.rows)
        if outputs == 1 {
            for r in 0..<x.rows { indices[r] = raw[r] >= 0 ? 1 : 0 }
        } else {
            raw.withUnsafeBufferPointer { raw in
                for r in 0..<x.rows { indices[r] = sklearnArgmax(raw, start: r * outputs, count: outputs) }
            }
        }
        return labels.prediction(indices: indices)
    }

    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? {
        var raw = try trees.raw(x)
        let rows = x.rows
        switch loss {
        case .binomial, .exponential:
            let scale = loss == .exponential ? 2.0 : 1.0
            var proba = [Double](repeating: 0, count: rows * 2)
            for r in 0..<rows {
                let p = sklearnExpit(scale * raw[r])
                proba[2 * r + 1] = p
                proba[2 * r] = 1 - p
            }
            return Prediction(shape: [rows, 2], values: .float64(proba))
        default:
            let outputs = trees.outputs
            raw.withUnsafeMutableBufferPointer { raw in
                for r in 0..<rows { sklearnSoftmax(raw, start: r * outputs, count: outputs) }
            }
            return Prediction(shape: [rows, outputs], values: .float64(raw))
        }
    }
}

/// GradientBoostingRegressor: the raw prediction itself (every regression loss has the identity
/// link), Float64 [N].
struct SKLearnGradientBoostingRegressor: Estimator {
    let trees: SKLearnBoostedTrees

    var modelName: String { trees.modelName }
    var featureCount: Int? { trees.features }

    init(decoding estimator: PickleObject) throws(ModelError) {
        let loss = try SKLearnBoostingLoss.decode(estimator, classifier: false, classCount: 0)
        trees = try SKLearnBoostedTrees(decoding: estimator, loss: loss, classCount: 0)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        Prediction(shape: [x.rows], values: .float64(try trees.raw(x)))
    }
}
