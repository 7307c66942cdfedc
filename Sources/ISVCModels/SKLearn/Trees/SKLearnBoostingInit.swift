import Foundation

/// The raw prediction of a gradient-boosting model's `init_` (`_raw_predict_init`): the same for
/// every row, so computed once at load time. `'zero'` gives zeros; a DummyRegressor its
/// `constant_` (every regression loss has the identity link); a DummyClassifier its
/// `predict_proba` row, clipped to [eps, 1 - eps] and mapped through the loss's link
/// (`_init_raw_predictions`).
enum SKLearnBoostingInit {
    static func raw(
        _ estimator: PickleObject, loss: SKLearnBoostingLoss, classCount: Int,
        outputs: Int
    ) throws(ModelError) -> [Double] {
        let owner = "\(estimator.shortName).init_"
        guard let value = estimator["init_"] else {
            throw SKLearnTreeError.unsupported(estimator.shortName, "the pickle has no 'init_' (not fitted?)")
        }
        if value.stringValue == "zero" { return [Double](repeating: 0, count: outputs) }
        guard let initial = value.object else {
            throw SKLearnTreeError.unsupported(owner, "\(value.kindName) is not supported (only 'zero', DummyClassifier, DummyRegressor)")
        }
        switch (initial.shortName, loss) {
        case ("DummyRegressor", .identity):
            guard case .array(let constant)? = initial["constant_"], let c = (try? constant.doubles()),
                c.count == 1
            else {
                throw SKLearnTreeError.unsupported(owner, "DummyRegressor.constant_ is not a single number (multi-output?)")
            }
            return c
        case ("DummyClassifier", .binomial), ("DummyClassifier", .exponential), ("DummyClassifier", .multinomial):
            let proba = try dummyProbabilities(initial, classCount: classCount, owner: owner)
            let eps = Double.ulpOfOne
            let clipped = proba.map { Swift.min(Swift.max($0, eps), 1 - eps) }
            switch loss {
            case .binomial: return [sklearnLogit(clipped[1])]
            case .exponential: return [0.5 * sklearnLogit(clipped[1])]
            default: return multinomialLink(clipped)
            }
        default:
            throw SKLearnTreeError.unsupported(
                owner, "\(initial.className) is not supported as the init estimator (only 'zero', DummyClassifier, DummyRegressor)")
        }
    }

    /// `DummyClassifier.predict_proba` of one row for the strategies that do not draw at random.
    private static func dummyProbabilities(
        _ dummy: PickleObject, classCount: Int,
        owner: String
    ) throws(ModelError) -> [Double] {
        let strategy = dummy["_strategy"]?.stringValue ?? dummy["strategy"]?.stringValue ?? "?"
        if let outputs = dummy["n_outputs_"]?.intValue, outputs != 1 {
            throw SKLearnTreeError.unsupported(owner, "multi-output DummyClassifier is not supported")
        }
        guard case .array(let priorArray)? = dummy["class_prior_"], let prior = try? priorArray.doubles(),
            prior.count == classCount
        else {
            throw SKLearnTreeError.corrupt(owner, "DummyClassifier.class_prior_ is missing or does not have \(classCount) classes")
        }
        switch strategy {
        case "prior":
            return prior
        case "most_frequent":
            var best = 0
            for k in 1..<classCount where prior[k] > prior[best] || (prior[k].isNaN && !prior[best].isNaN) { best = k }
            return (0..<classCount).map { $0 == best ? 1 : 0 }
        case "uniform":
            return [Double](repeating: 1 / Double(classCount), count: classCount)
        default:
            throw SKLearnTreeError.unsupported(owner, "DummyClassifier strategy '\(strategy)' is not supported as the init estimator")
        }
    }

    /// MultinomialLogit.link: log(p / gmean(p)), gmean = exp(mean(log p)).
    private static func multinomialLink(_ p: [Double]) -> [Double] {
        var sum = 0.0
        for v in p { sum += log(v) }
        let gmean = exp(sum / Double(p.count))
        return p.map { log($0 / gmean) }
    }
}
