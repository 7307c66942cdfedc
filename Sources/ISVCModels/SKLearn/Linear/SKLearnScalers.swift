/// StandardScaler: `X -= mean_` when `with_mean`, then `X /= scale_` when `with_std` (a division,
/// as numpy does it). NaN passes through; infinity is refused, as `validate_data` does.
struct SKLearnStandardScaler: Transformer {
    let modelName: String
    let featureCount: Int?
    let mean: [Double]?
    let scale: [Double]?

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        let withMean = try state.bool("with_mean", default: true)
        let withStd = try state.bool("with_std", default: true)
        let declared = try state.featureCount(implied: nil)
        var implied = declared
        if withMean {
            let values = try state.vector("mean_", count: implied)
            implied = values.count
            mean = values
        } else {
            mean = nil
        }
        if withStd {
            guard state.has("scale_") else { throw state.inconsistent("scale_", "is None but with_std is True") }
            let values = try state.vector("scale_", count: implied)
            implied = values.count
            scale = values
        } else {
            scale = nil
        }
        featureCount = declared ?? implied
    }

    func transform(_ x: Matrix) throws(ModelError) -> Matrix {
        try SKLearnScalerInput.transformed(x, name: modelName, featureCount: featureCount) { value, c in
            if let mean { value -= mean[c] }
            if let scale { value /= scale[c] }
        }
    }
}

/// MinMaxScaler: `X *= scale_; X += min_`, then clipped to `feature_range` when `clip`
/// (NaN passes through, as with np.clip).
struct SKLearnMinMaxScaler: Transformer {
    let modelName: String
    let featureCount: Int?
    let scale: [Double]
    let offset: [Double]
    let clipRange: (low: Double, high: Double)?

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        modelName = state.name
        let declared = try state.featureCount(implied: nil)
        scale = try state.vector("scale_", count: declared)
        offset = try state.vector("min_", count: scale.count)
        featureCount = declared ?? scale.count
        if try state.bool("clip", default: false) {
            guard let range = state.object["feature_range"]?.items, range.count == 2,
                let low = range[0].doubleValue, let high = range[1].doubleValue
            else {
                throw state.inconsistent("feature_range", "is not a pair of numbers")
            }
            clipRange = (low, high)
        } else {
            clipRange = nil
        }
    }

    func transform(_ x: Matrix) throws(ModelError) -> Matrix {
        try SKLearnScalerInput.transformed(x, name: modelName, featureCount: featureCount) { value, c in
            value *= scale[c]
            value += offset[c]
            if let clipRange {
                if value < clipRange.low { value = clipRange.low } else if value > clipRange.high { value = clipRange.high }
            }
        }
    }
}

enum SKLearnScalerInput {
    /// Scalers accept NaN but not infinity, then check the feature count.
    private static func validate(_ x: Matrix, name: String, featureCount: Int?) throws(ModelError) {
        try SKLearnLinearInput.requireFinite(x, estimator: name, allowNaN: true)
        if let featureCount, x.columns != featureCount {
            throw ModelError.featureMismatch(model: name, expected: featureCount, got: x.columns)
        }
    }

    /// `x` validated, then `scaled(&value, column)` on each of its values: both scalers work value
    /// by value, each column with its own parameters.
    static func transformed(
        _ x: Matrix, name: String, featureCount: Int?, _ scaled: (inout Double, Int) -> Void
    ) throws(ModelError) -> Matrix {
        try validate(x, name: name, featureCount: featureCount)
        var out = x
        let columns = x.columns
        out.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<x.rows {
                let base = r * columns
                for c in 0..<columns { scaled(&v[base + c], c) }
            }
        }
        return out
    }
}
