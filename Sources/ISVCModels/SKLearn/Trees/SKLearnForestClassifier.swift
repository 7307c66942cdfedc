/// DecisionTreeClassifier, RandomForestClassifier and ExtraTreesClassifier: the class probabilities
/// are the leaf's class fractions (`tree_.value`, stored normalised by scikit-learn >= 1.4 and used
/// as they are), summed over the trees in `estimators_` order into zeros and divided by the number
/// of trees (`ForestClassifier.predict_proba`); a single tree is the one-tree case of the same
/// arithmetic. `predict` is `classes_[argmax(proba)]`.
struct SKLearnForestClassifier: Estimator {
    let forest: SKLearnForest
    let labels: SKLearnClassLabels

    var modelName: String { forest.modelName }
    var featureCount: Int? { forest.features }

    init(decoding estimator: PickleObject) throws(ModelError) {
        let name = estimator.shortName
        let features = try SKLearnForest.featureCount(estimator)
        labels = try SKLearnClassLabels.decode(estimator, owner: name)
        if let classCount = estimator["n_classes_"]?.intValue, classCount != labels.count {
            throw SKLearnTreeError.corrupt(name, "n_classes_ is \(classCount) but classes_ has \(labels.count) labels")
        }
        forest = try SKLearnForest(decoding: estimator, features: features, width: labels.count)
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
        try forest.mean(x)
    }
}
