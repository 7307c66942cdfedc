/// Input checks scikit-learn's `validate_data` makes before predicting, with its messages.
enum SKLearnLinearInput {
    /// Estimators reject NaN and infinity; scalers (`allowNaN`) pass NaN through.
    static func requireFinite(_ x: Matrix, estimator: String, allowNaN: Bool = false) throws(ModelError) {
        var sawNaN = false
        for value in x.values where !value.isFinite {
            if value.isNaN {
                if allowNaN { continue }
                sawNaN = true
                break
            }
            throw ModelError.badInput("Input X contains infinity or a value too large for dtype('float64').")
        }
        if sawNaN {
            throw ModelError.badInput("Input X contains NaN.\n\(estimator) does not accept missing values encoded as NaN natively.")
        }
    }

    /// Finite values (NaN too unless allowed), then the feature count, as `validate_data` does.
    static func validate<E: Estimator>(_ x: Matrix, for estimator: E, allowNaN: Bool = false) throws(ModelError) {
        try requireFinite(x, estimator: estimator.modelName, allowNaN: allowNaN)
        try estimator.checkFeatures(x)
    }
}
