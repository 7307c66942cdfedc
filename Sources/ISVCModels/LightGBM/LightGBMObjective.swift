import Foundation

/// How `Booster.predict` turns a row's raw scores into its output: the `ConvertOutput` of the
/// objective named by the model's `objective=` line (src/objective/*.hpp), built as
/// `ObjectiveFunction::CreateObjectiveFunction(ParseObjectiveAlias(line))` builds it.
enum LightGBMObjective: Sendable, Equatable {
    /// regression (without sqrt), regression_l1, huber, fair, quantile, mape, lambdarank,
    /// rank_xendcg, custom, or no objective line: the raw score.
    case identity
    /// regression family with `sqrt`: sign(x) * x * x.
    case signedSquare
    /// binary (`sigmoid:`), cross_entropy (1): 1 / (1 + exp(-sigmoid * x)).
    case sigmoid(Double)
    /// multiclassova: the sigmoid of each class's score.
    case sigmoidPerClass(Double)
    /// multiclass: softmax over the classes.
    case softmax
    /// poisson, gamma, tweedie: exp(x).
    case exponential
    /// cross_entropy_lambda: log1p(exp(x)).
    case softplus

    /// The objective of a model with `classes` outputs per row; throws for one LightGBM cannot
    /// load or isvc does not know.
    init(line: String?, classes: Int, file: String) throws(ModelError) {
        guard let line else { self = .identity; return }
        let words = LightGBMModelText.words(Self.alias(line))
        guard let name = words.first.map(String.init) else { self = .identity; return }
        let options = words.dropFirst()
        func corrupt(_ reason: String) -> ModelError { .corrupt(file: file, reason: "objective=\(line): \(reason)") }
        func option(_ key: String) -> Substring? {
            for word in options {
                let parts = word.split(separator: ":", omittingEmptySubsequences: true)
                if parts.count == 2 && parts[0] == key { return parts[1] }
            }
            return nil
        }
        func sigmoid() throws(ModelError) -> Double {
            let value = option("sigmoid").flatMap(LightGBMNumbers.legacyAtof) ?? -1
            guard value > 0 else { throw corrupt("the sigmoid parameter must be greater than zero") }
            return value
        }
        func checkSingleOutput() throws(ModelError) {
            guard classes == 1 else { throw corrupt("a \(name) model has one output per row, the header says num_class=\(classes)") }
        }
        let sqrt = options.contains("sqrt")
        switch name {
        case "regression", "regression_l1", "quantile", "fair", "mape":
            try checkSingleOutput()
            self = sqrt ? .signedSquare : .identity
        case "huber", "lambdarank", "rank_xendcg":
            try checkSingleOutput()
            self = .identity
        case "poisson", "gamma", "tweedie":
            try checkSingleOutput()
            self = .exponential
        case "binary":
            try checkSingleOutput()
            self = .sigmoid(try sigmoid())
        case "cross_entropy":
            try checkSingleOutput()
            self = .sigmoid(1)
        case "cross_entropy_lambda":
            try checkSingleOutput()
            self = .softplus
        case "multiclass", "multiclassova":
            guard let text = option("num_class"), let count = Int(text) else { throw corrupt("the num_class parameter is missing") }
            guard count == classes else { throw corrupt("num_class:\(count) but the header says num_class=\(classes)") }
            self = name == "multiclass" ? .softmax : .sigmoidPerClass(try sigmoid())
        case "custom":
            self = .identity
        default:
            throw ModelError.unsupported("\(file): LightGBM objective '\(name)' is not supported")
        }
    }

    /// LightGBM's ParseObjectiveAlias, applied (as LightGBM does) to the whole objective line.
    private static func alias(_ line: String) -> String {
        switch line {
        case "regression_l2", "mean_squared_error", "mse", "l2", "l2_root", "root_mean_squared_error", "rmse": "regression"
        case "mean_absolute_error", "l1", "mae": "regression_l1"
        case "softmax": "multiclass"
        case "multiclass_ova", "ova", "ovr": "multiclassova"
        case "xentropy": "cross_entropy"
        case "xentlambda": "cross_entropy_lambda"
        case "mean_absolute_percentage_error": "mape"
        case "xendcg", "xe_ndcg", "xe_ndcg_mart", "xendcg_mart": "rank_xendcg"
        case "none", "null", "na": "custom"
        default: line
        }
    }

    /// Converts one row's raw scores in place (`scores` holds the row's K values).
    @inline(__always)
    func convert(_ scores: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case .identity:
            return
        case .signedSquare:
            let x = scores[0]
            let sign: Double = x > 0 ? 1 : (x < 0 ? -1 : 0)
            scores[0] = sign * x * x
        case .sigmoid(let s):
            scores[0] = 1 / (1 + exp(-s * scores[0]))
        case .sigmoidPerClass(let s):
            for k in scores.indices { scores[k] = 1 / (1 + exp(-s * scores[k])) }
        case .softmax:
            // Common::Softmax: max (std::max keeps the first on NaN), exp of the shifted scores, divide by their sum.
            var top = scores[0]
            for k in scores.indices.dropFirst() where scores[k] > top { top = scores[k] }
            var sum = 0.0
            for k in scores.indices {
                scores[k] = exp(scores[k] - top)
                sum += scores[k]
            }
            for k in scores.indices { scores[k] /= sum }
        case .exponential:
            scores[0] = exp(scores[0])
        case .softplus:
            scores[0] = log1p(exp(scores[0]))
        }
    }
}
