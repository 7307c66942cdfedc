/// The regression trees of a GradientBoosting* model and how they add up (`_raw_predict`): the
/// init estimator's raw prediction, then for each stage and each of the K outputs
/// `raw[:, k] += learning_rate * tree[stage, k](x)` (`predict_stages`).
struct SKLearnBoostedTrees: Sendable {
    /// Trees stage-major: tree `stage * outputs + k` adds to output k.
    let ensemble: SKLearnTreeEnsemble
    /// K: 1 for regression and binary classification, the class count otherwise.
    let outputs: Int
    let learningRate: Double
    /// The init estimator's raw prediction, one per output.
    let initial: [Double]
    let features: Int
    let modelName: String

    init(decoding estimator: PickleObject, loss: SKLearnBoostingLoss, classCount: Int) throws(ModelError) {
        modelName = estimator.shortName
        features = try SKLearnTreeFields.featureCount(estimator)
        outputs = loss == .multinomial ? classCount : 1
        if let perIteration = estimator["n_trees_per_iteration_"]?.intValue, perIteration != outputs {
            throw SKLearnTreeError.corrupt(modelName, "n_trees_per_iteration_ is \(perIteration), expected \(outputs)")
        }
        guard let rate = estimator["learning_rate"]?.doubleValue else {
            throw SKLearnTreeError.unsupported(modelName, "the pickle has no numeric 'learning_rate'")
        }
        learningRate = rate
        initial = try SKLearnBoostingInit.raw(estimator, loss: loss, classCount: classCount, outputs: outputs)
        guard initial.count == outputs else {
            throw SKLearnTreeError.corrupt("\(modelName).init_", "gives \(initial.count) raw predictions, expected \(outputs)")
        }
        guard case .array(let stages)? = estimator["estimators_"], case .object(let trees) = stages.elements else {
            throw SKLearnTreeError.unsupported(modelName, "the pickle has no object array 'estimators_' (not fitted?)")
        }
        guard stages.shape.count == 2, stages.shape[1] == outputs, stages.shape[0] > 0, trees.count == stages.count else {
            throw SKLearnTreeError.corrupt(modelName, "estimators_ has shape \(stages.shape), expected [n_estimators, \(outputs)]")
        }
        var ensemble = SKLearnTreeEnsemble(width: 1, featureCount: features)
        for (index, tree) in trees.enumerated() {
            let owner = "\(modelName).estimators_[\(index / outputs), \(index % outputs)]"
            try SKLearnTreeDecoder.appendTree(of: tree, to: &ensemble, owner: owner)
        }
        self.ensemble = ensemble
    }

    /// [rows x outputs] raw predictions (`decision_function`), row-major. NaN is refused as
    /// GradientBoosting* refuses it.
    func raw(_ x: Matrix) throws(ModelError) -> [Double] {
        let input = try SKLearnTreeInput.rounded(x, model: modelName, featureCount: features, allowsNaN: false)
        let rows = x.rows, columns = x.columns, outputs = outputs, rate = learningRate
        let stageCount = ensemble.treeCount / outputs
        var out = [Double](repeating: 0, count: rows * outputs)
        ensemble.nodes.withUnsafeBufferPointer { nodes in
            ensemble.values.withUnsafeBufferPointer { values in
                ensemble.roots.withUnsafeBufferPointer { roots in
                    input.withUnsafeBufferPointer { xs in
                        out.withUnsafeMutableBufferPointer { out in
                            for r in 0..<rows {
                                let o = r * outputs, rowStart = r * columns
                                for k in 0..<outputs { out[o + k] = initial[k] }
                                for stage in 0..<stageCount {
                                    for k in 0..<outputs {
                                        let leaf = SKLearnTreeEnsemble.leaf(
                                            from: roots[stage * outputs + k], nodes: nodes,
                                            x: xs, rowStart: rowStart)
                                        out[o + k] += rate * values[leaf]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
