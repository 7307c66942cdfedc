/// What a model returns for a batch: a tensor with the element type its library returns
/// (scikit-learn's `classes_` dtype for labels, Float64 for scores, XGBoost's Float32).
public struct Prediction: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case int64([Int64])
        case float32([Float])
        case float64([Double])
        case string([String])
        case bool([Bool])

        public var count: Int {
            switch self {
            case .int64(let v): v.count
            case .float32(let v): v.count
            case .float64(let v): v.count
            case .string(let v): v.count
            case .bool(let v): v.count
            }
        }
    }

    /// [N] for one value per row, [N, K] for K per row (class probabilities).
    public var shape: [Int]
    public var values: Values

    public init(shape: [Int], values: Values) {
        precondition(shape.reduce(1, *) == values.count, "Prediction: shape \(shape) for \(values.count) values")
        self.shape = shape
        self.values = values
    }

    /// The Open Inference Protocol datatype of the values (BYTES for strings).
    public var datatype: String {
        switch values {
        case .int64: "INT64"
        case .float32: "FP32"
        case .float64: "FP64"
        case .string: "BYTES"
        case .bool: "BOOL"
        }
    }
}
