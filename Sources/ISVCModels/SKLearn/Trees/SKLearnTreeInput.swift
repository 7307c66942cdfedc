/// The input checks and Float32 conversion scikit-learn's tree models apply before predicting
/// (`validate_data(X, dtype=np.float32, ensure_all_finite=...)`): the feature count, at least one
/// row, no infinity (including Float64 values too large for Float32), and NaN only where the
/// model accepts missing values. Thresholds are Float64, so rows are rounded to Float32 and
/// widened back, exactly as the C comparison `float32 <= float64` does.
enum SKLearnTreeInput {
    static func rounded(
        _ x: Matrix, model: String, featureCount: Int,
        allowsNaN: Bool
    ) throws(ModelError) -> [Double] {
        guard x.columns == featureCount else {
            throw ModelError.featureMismatch(model: model, expected: featureCount, got: x.columns)
        }
        guard x.rows > 0 else {
            throw ModelError.badInput(
                "Found array with 0 sample(s) (shape=(0, \(x.columns))) while a minimum of 1 is required by \(model).")
        }
        var out = [Double](repeating: 0, count: x.values.count)
        var sawNaN = false
        var sawInfinity = false
        x.values.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for i in 0..<source.count {
                    let f = Float(source[i])
                    sawNaN = sawNaN || f.isNaN
                    sawInfinity = sawInfinity || f.isInfinite
                    target[i] = Double(f)
                }
            }
        }
        if sawNaN && !allowsNaN {
            throw ModelError.badInput(
                "Input X contains NaN. \(model) does not accept missing values encoded as NaN natively.")
        }
        if sawInfinity {
            throw ModelError.badInput("Input X contains infinity or a value too large for dtype('float32').")
        }
        return out
    }
}
