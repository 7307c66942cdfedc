/// The trees of a DecisionTree*, RandomForest* or ExtraTrees* model and what they predict together,
/// for the classifier and the regressor alike: the mean of the leaves the trees give a row
/// (`ForestClassifier.predict_proba` of the class fractions, `ForestRegressor.predict` of the values).
struct SKLearnForest: Sendable {
    let modelName: String
    let features: Int
    let ensemble: SKLearnTreeEnsemble

    /// `n_features_in_` of a single-output estimator. Read before anything else of it (the labels of
    /// a classifier), so that a multi-output model is refused as that.
    static func featureCount(_ estimator: PickleObject) throws(ModelError) -> Int {
        try SKLearnTreeFields.requireSingleOutput(estimator)
        return try SKLearnTreeFields.featureCount(estimator)
    }

    /// `width` values a leaf: the number of classes of a classifier, 1 for a regressor.
    init(decoding estimator: PickleObject, features: Int, width: Int) throws(ModelError) {
        modelName = estimator.shortName
        self.features = features
        ensemble = try SKLearnTreeFields.buildEnsemble(estimator, width: width, featureCount: features)
    }

    /// For each row, the `width` values of the leaf it reaches in each tree, summed in `estimators_`
    /// order into zeros and divided by the number of trees (a single tree is the one-tree case).
    /// [rows x width], row-major.
    func mean(_ x: Matrix) throws(ModelError) -> [Double] {
        let input = try SKLearnTreeInput.rounded(x, model: modelName, featureCount: features, allowsNaN: true)
        let rows = x.rows, columns = x.columns, width = ensemble.width
        let treeCount = Double(ensemble.treeCount)
        var out = [Double](repeating: 0, count: rows * width)
        ensemble.nodes.withUnsafeBufferPointer { nodes in
            ensemble.values.withUnsafeBufferPointer { values in
                input.withUnsafeBufferPointer { xs in
                    out.withUnsafeMutableBufferPointer { out in
                        for r in 0..<rows {
                            let o = r * width
                            for root in ensemble.roots {
                                let v = SKLearnTreeEnsemble.leaf(from: root, nodes: nodes, x: xs, rowStart: r * columns) * width
                                for k in 0..<width { out[o + k] += values[v + k] }
                            }
                            for k in 0..<width { out[o + k] /= treeCount }
                        }
                    }
                }
            }
        }
        return out
    }
}
