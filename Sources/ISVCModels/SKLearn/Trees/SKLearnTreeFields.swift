/// Fitted attributes the tree estimators share.
enum SKLearnTreeFields {
    /// `n_features_in_`, the number of features `predict` takes.
    static func featureCount(_ estimator: PickleObject) throws(ModelError) -> Int {
        guard let value = estimator["n_features_in_"] else {
            throw SKLearnTreeError.unsupported(
                estimator.shortName, "the pickle has no 'n_features_in_' (not fitted, or saved by scikit-learn < 1.0)")
        }
        guard let count = value.intValue, count > 0, count < Int(Int32.max) else {
            throw SKLearnTreeError.corrupt(estimator.shortName, "n_features_in_ is \(value.kindName), expected a positive integer")
        }
        return count
    }

    /// Rejects multi-output estimators (`n_outputs_` > 1).
    static func requireSingleOutput(_ estimator: PickleObject) throws(ModelError) {
        if let outputs = estimator["n_outputs_"]?.intValue, outputs != 1 {
            throw SKLearnTreeError.unsupported(estimator.shortName, "multi-output models (n_outputs_ = \(outputs)) are not supported")
        }
    }

    /// The trees of an estimator: its own `tree_` for a single tree, else each of `estimators_`.
    static func buildEnsemble(
        _ estimator: PickleObject, width: Int,
        featureCount: Int
    ) throws(ModelError) -> SKLearnTreeEnsemble {
        var ensemble = SKLearnTreeEnsemble(width: width, featureCount: featureCount)
        let name = estimator.shortName
        if let tree = estimator["tree_"] {
            let counts =
                name.hasSuffix("Classifier")
                && SKLearnTreeDecoder.storesCounts(version: estimator["_sklearn_version"]?.stringValue)
            try SKLearnTreeDecoder.appendTree(tree, to: &ensemble, owner: "\(name).tree_", normalizingCounts: counts)
            return ensemble
        }
        guard let value = estimator["estimators_"] else {
            throw SKLearnTreeError.unsupported(name, "the pickle has no 'tree_' or 'estimators_' (not fitted?)")
        }
        guard let trees = value.items, !trees.isEmpty else {
            throw SKLearnTreeError.corrupt(name, "estimators_ is \(value.kindName), expected a non-empty list of trees")
        }
        for (index, tree) in trees.enumerated() {
            try SKLearnTreeDecoder.appendTree(of: tree, to: &ensemble, owner: "\(name).estimators_[\(index)]")
        }
        return ensemble
    }
}
