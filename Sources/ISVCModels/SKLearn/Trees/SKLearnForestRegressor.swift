/// DecisionTreeRegressor, RandomForestRegressor and ExtraTreesRegressor: the leaf values of the
/// trees summed in `estimators_` order into zero and divided by the number of trees
/// (`ForestRegressor.predict`); a single tree is the one-tree case. Returns Float64 [N].
struct SKLearnForestRegressor: Estimator {
    let modelName: String
    let features: Int
    let ensemble: SKLearnTreeEnsemble

    var featureCount: Int? { features }

    init(decoding estimator: PickleObject) throws(ModelError) {
        modelName = estimator.shortName
        try SKLearnTreeFields.requireSingleOutput(estimator)
        features = try SKLearnTreeFields.featureCount(estimator)
        ensemble = try SKLearnTreeFields.buildEnsemble(estimator, width: 1, featureCount: features)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        let input = try SKLearnTreeInput.rounded(x, model: modelName, featureCount: features, allowsNaN: true)
        let rows = x.rows, columns = x.columns
        let treeCount = Double(ensemble.treeCount)
        var out = [Double](repeating: 0, count: rows)
        ensemble.nodes.withUnsafeBufferPointer { nodes in
            ensemble.values.withUnsafeBufferPointer { values in
                input.withUnsafeBufferPointer { xs in
                    for r in 0..<rows {
                        var sum = 0.0
                        for root in ensemble.roots {
                            sum += values[SKLearnTreeEnsemble.leaf(from: root, nodes: nodes, x: xs, rowStart: r * columns)]
                        }
                        out[r] = sum / treeCount
                    }
                }
            }
        }
        return Prediction(shape: [rows], values: .float64(out))
    }
}
