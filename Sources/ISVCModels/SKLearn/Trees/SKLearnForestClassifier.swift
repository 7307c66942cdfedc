/// DecisionTreeClassifier, RandomForestClassifier and ExtraTreesClassifier: the class probabilities
/// are the leaf's class fractions (`tree_.value`, stored normalised by scikit-learn >= 1.4 and used
/// as they are), summed over the trees in `estimators_` order into zeros and divided by the number
/// of trees (`ForestClassifier.predict_proba`); a single tree is the one-tree case of the same
/// arithmetic. `predict` is `classes_[argmax(proba)]`.
struct SKLearnForestClassifier: Estimator {
    let modelName: String
    let features: Int
    let labels: SKLearnClassLabels
    let ensemble: SKLearnTreeEnsemble

    var featureCount: Int? { features }

    init(decoding estimator: PickleObject) throws(ModelError) {
        modelName = estimator.shortName
        try SKLearnTreeFields.requireSingleOutput(estimator)
        features = try SKLearnTreeFields.featureCount(estimator)
        labels = try SKLearnClassLabels.decode(estimator, owner: modelName)
        if let classCount = estimator["n_classes_"]?.intValue, classCount != labels.count {
            throw SKLearnTreeError.corrupt(modelName, "n_classes_ is \(classCount) but classes_ has \(labels.count) labels")
        }
        ensemble = try SKLearnTreeFields.buildEnsemble(estimator, width: labels.count, featureCount: features)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        let classes = labels.count
        let proba = try probabilities(x)
        var indices = [Int](repeating: 0, count: x.rows)
        proba.withUnsafeBufferPointer { p in
            for r in 0..<x.rows { indices[r] = sklearnArgmax(p, start: r * classes, count: classes) }
        }
        return labels.prediction(indices: indices)
    }

    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? {
        Prediction(shape: [x.rows, labels.count], values: .float64(try probabilities(x)))
    }

    /// [rows x classes] probabilities, row-major.
    func probabilities(_ x: Matrix) throws(ModelError) -> [Double] {
        let input = try SKLearnTreeInput.rounded(x, model: modelName, featureCount: features, allowsNaN: true)
        let classes = labels.count
        let rows = x.rows, columns = x.columns
        let treeCount = Double(ensemble.treeCount)
        var out = [Double](repeating: 0, count: rows * classes)
        ensemble.nodes.withUnsafeBufferPointer { nodes in
            ensemble.values.withUnsafeBufferPointer { values in
                input.withUnsafeBufferPointer { xs in
                    out.withUnsafeMutableBufferPointer { out in
                        for r in 0..<rows {
                            let o = r * classes
                            for root in ensemble.roots {
                                let leaf = SKLearnTreeEnsemble.leaf(from: root, nodes: nodes, x: xs, rowStart: r * columns)
                                let v = leaf * classes
                                for k in 0..<classes { out[o + k] += values[v + k] }
                            }
                            for k in 0..<classes { out[o + k] /= treeCount }
                        }
                    }
                }
            }
        }
        return out
    }
}
