/// Pipeline: the transformers of `steps` in order ('passthrough' and None skipped), then the last
/// step's `predict` / `predict_proba`. A feature-count error names the step that refuses the batch,
/// as scikit-learn's does ("... but StandardScaler is expecting 30 features as input.").
struct SKLearnPipeline: Estimator {
    let modelName = "Pipeline"
    let transformers: [any Transformer]
    let final: any Estimator

    static let classNames = ["Pipeline"]

    var featureCount: Int? {
        transformers.first.map(\.featureCount) ?? final.featureCount
    }

    init(_ object: PickleObject) throws(ModelError) {
        let state = SKLearnFittedState(object)
        guard let steps = try state.object.require("steps").items else {
            throw state.inconsistent("steps", "is not a list of (name, estimator) pairs")
        }
        var decoded: [(name: String, step: SKLearn.Step)] = []
        for (index, entry) in steps.enumerated() {
            guard let pair = entry.items, pair.count == 2 else {
                throw state.inconsistent("steps[\(index)]", "is not a (name, estimator) pair")
            }
            let name = pair[0].stringValue ?? "step \(index)"
            if pair[1].isNone || pair[1].stringValue == "passthrough" { continue }
            decoded.append((name, try SKLearn.decode(pair[1])))
        }
        guard let last = decoded.popLast() else {
            throw ModelError.unsupported("Pipeline: every step is 'passthrough'; there is no estimator to predict with")
        }
        guard case .estimator(let estimator) = last.step else {
            throw ModelError.unsupported(
                "Pipeline: the last step '\(last.name)' is a transformer with no predict; isvc needs a final estimator")
        }
        var transformers: [any Transformer] = []
        for (name, step) in decoded {
            guard case .transformer(let t) = step else {
                throw ModelError.unsupported("Pipeline: step '\(name)' is an estimator but is not the last step")
            }
            transformers.append(t)
        }
        // Scalers keep the width, so consecutive declared feature counts must agree.
        var width: Int? = nil
        for (index, t) in transformers.enumerated() {
            if let w = width, let f = t.featureCount, w != f {
                throw state.inconsistent("steps", "step \(index) expects \(f) features but the step before it gives \(w)")
            }
            width = t.featureCount ?? width
        }
        if let w = width, let f = estimator.featureCount, w != f {
            throw state.inconsistent("steps", "the final step '\(last.name)' expects \(f) features but the step before it gives \(w)")
        }
        self.transformers = transformers
        final = estimator
    }

    func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try final.predict(transformed(x))
    }

    func predictProbabilities(_ x: Matrix) throws(ModelError) -> Prediction? {
        // hasattr(pipeline, "predict_proba") follows the last step: probe before transforming.
        let probe = Matrix(rows: 0, columns: final.featureCount ?? 0, values: [])
        guard (try? final.predictProbabilities(probe)) != nil else { return nil }
        return try final.predictProbabilities(transformed(x))
    }

    private func transformed(_ x: Matrix) throws(ModelError) -> Matrix {
        var current = x
        for t in transformers { current = try t.transform(current) }
        return current
    }
}
