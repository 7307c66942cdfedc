/// A fitted model that predicts on a batch of rows. Implementations hold plain Swift values only:
/// nothing from the file they came from is executed.
public protocol Estimator: Sendable {
    /// The library's class name, as its error messages use it ("SVC", "Booster").
    var modelName: String { get }
    /// How many features each row must have (`n_features_in_`, XGBoost's `num_feature`), when known.
    var featureCount: Int? { get }
    /// What the library's `predict` returns.
    func predict(_ x: Matrix) throws(ModelError) -> Prediction
    /// What the library's `predict_proba` returns ([N, classes] Float64), or nil when the model has
    /// none (regressors, SVC without `probability=True`).
    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction?
}

extension Estimator {
    public func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? { nil }

    /// Throws KServe-style when a batch has the wrong number of features.
    public func checkFeatures(_ x: Matrix) throws(ModelError) {
        if let expected = featureCount, x.columns != expected {
            throw ModelError.featureMismatch(model: modelName, expected: expected, got: x.columns)
        }
    }
}

/// A fitted preprocessing step of a Pipeline (StandardScaler, MinMaxScaler).
public protocol Transformer: Sendable {
    var featureCount: Int? { get }
    func transform(_ x: Matrix) throws(ModelError) -> Matrix
}
