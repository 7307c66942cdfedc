import Foundation

/// A loaded model answering as its KServe server does: sklearnserver returns `predict` (or
/// `predict_proba` when PREDICT_PROBA=true and the model has one); xgbserver and lgbserver return
/// `Booster.predict`.
public struct ServedModel: Sendable {
    public struct Options: Sendable {
        /// sklearnserver's PREDICT_PROBA environment variable.
        public var predictProbabilities: Bool

        public init(predictProbabilities: Bool = false) {
            self.predictProbabilities = predictProbabilities
        }

        /// From a container's environment, as the server reads it (`"true"`, any case).
        public init(environment: [String: String]) {
            predictProbabilities = environment["PREDICT_PROBA"]?.lowercased() == "true"
        }
    }

    public let kind: ModelServerKind
    public let file: URL
    public let estimator: any Estimator
    public let options: Options

    /// What one row's answer looks like, found by predicting on a row of zeros at load time:
    /// the datatype and the dimensions after the batch one ([] for a label, [K] for K probabilities).
    /// Nil when the model's feature count is unknown or the probe failed.
    public let outputDatatype: String?
    public let outputRowShape: [Int]?

    public init(kind: ModelServerKind, file: URL, estimator: any Estimator, options: Options) {
        self.kind = kind
        self.file = file
        self.estimator = estimator
        self.options = options
        let probe = estimator.featureCount.flatMap { n in
            try? Self.answer(estimator, kind: kind, options: options, Matrix(rows: 1, columns: n, values: .init(repeating: 0, count: n)))
        }
        outputDatatype = probe?.datatype
        outputRowShape = probe.map { Array($0.shape.dropFirst()) }
    }

    public func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try Self.answer(estimator, kind: kind, options: options, x)
    }

    private static func answer(
        _ estimator: any Estimator, kind: ModelServerKind, options: Options,
        _ x: Matrix
    ) throws(ModelError) -> Prediction {
        // hasattr(model, "predict_proba"): models without probabilities answer nil and fall back.
        if kind == .sklearn, options.predictProbabilities, let p = try estimator.predictProbabilities(x) {
            return p
        }
        return try estimator.predict(x)
    }
}
