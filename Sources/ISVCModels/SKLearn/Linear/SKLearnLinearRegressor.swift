/// LinearRegression, Ridge and the other linear regressors whose `predict` is
/// `X @ coef_.T + intercept_` (LinearModel._decision_function): [N] for a 1-D `coef_`, [N, targets]
/// for a 2-D one.
struct SKLearnLinearRegressor: Estimator {
    let modelName: String
    let featureCount: Int?
    let function: SKLearnLinearFunction

    static let classNames = [
        "LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV", "ElasticNet",
        "ElasticNetCV", "BayesianRidge", "HuberRegressor", "LinearSVR", "SGDRegressor",
    ]

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        function = try SKLearnLinearFunction(state)
        featureCount = try state.featureCount(implied: function.features)
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try SKLearnLinearInput.validate(x, for: self)
        let values = function.evaluate(x)
        let shape = function.coefficientsWereVector ? [x.rows] : [x.rows, function.outputs]
        return Prediction(shape: shape, values: .float64(values))
    }
}
