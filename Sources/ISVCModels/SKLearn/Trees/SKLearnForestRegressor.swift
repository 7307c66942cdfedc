/// DecisionTreeRegressor, RandomForestRegressor and ExtraTreesRegressor: the leaf values of the
/// trees summed in `estimators_` order into zero and divided by the number of trees
/// (`ForestRegressor.predict`); a single tree is the one-tree case. Returns Float64 [N].
struct SKLearnForestRegressor: Estimator {
    let forest: SKLearnForest

    var modelName: String { forest.modelName }
    var featureCount: Int? { forest.features }

    init(decoding estimator: PickleObject) throws(ModelError) {
        forest = try SKLearnForest(decoding: estimator, features: try SKLearnForest.featureCount(estimator), width: 1)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        Prediction(shape: [x.rows], values: .float64(try forest.mean(x)))
    }
}
