/// Reads the `tree_` of a fitted DecisionTree*/ExtraTree* estimator: a `sklearn.tree._tree.Tree`
/// pickled as `Tree(n_features, n_classes, n_outputs)` with the state
/// `{max_depth, node_count, nodes, values}`, where `nodes` is a structured array (left_child,
/// right_child, feature, threshold, impurity, n_node_samples, weighted_n_node_samples,
/// missing_go_to_left) and `values` has shape [node_count, n_outputs, max_n_classes].
enum SKLearnTreeDecoder {
    /// Appends the `tree_` of a fitted tree estimator to `ensemble`. `owner` names the estimator
    /// in messages ("RandomForestClassifier.estimators_[3]").
    static func appendTree(
        of estimator: PickleValue, to ensemble: inout SKLearnTreeEnsemble,
        owner: String
    ) throws(ModelError) {
        guard let object = estimator.object else {
            throw SKLearnTreeError.unsupported(owner, "expected a fitted tree estimator, found \(estimator.kindName)")
        }
        guard let tree = object["tree_"] else {
            throw SKLearnTreeError.unsupported(owner, "\(object.shortName) has no 'tree_' (not a fitted tree?)")
        }
        if let outputs = object["n_outputs_"]?.intValue, outputs != 1 {
            throw SKLearnTreeError.unsupported(owner, "multi-output trees (n_outputs_ = \(outputs)) are not supported")
        }
        // Before scikit-learn 1.4 a classifier's tree held class counts, and predict_proba divided
        // them by their sum (0 -> 1); since 1.4 it holds the fractions and divides by nothing.
        let counts = object.shortName.hasSuffix("Classifier") && storesCounts(version: object["_sklearn_version"]?.stringValue)
        try appendTree(tree, to: &ensemble, owner: "\(owner).tree_", normalizingCounts: counts)
    }

    /// Whether a pickle of this scikit-learn version stores class counts in its trees' values.
    static func storesCounts(version: String?) -> Bool {
        guard let version else { return false }
        let parts = version.split(separator: ".").prefix(2).map { Int($0.prefix { $0.isNumber }) ?? 0 }
        guard parts.count == 2 else { return false }
        return parts[0] < 1 || (parts[0] == 1 && parts[1] < 4)
    }

    /// Appends one `Tree` object to `ensemble` after checking its shape against the ensemble's
    /// width (classes per leaf) and feature count.
    static func appendTree(
        _ value: PickleValue, to ensemble: inout SKLearnTreeEnsemble,
        owner: String, normalizingCounts: Bool = false
    ) throws(ModelError) {
        guard let tree = value.object, tree.shortName == "Tree" else {
            throw SKLearnTreeError.unsupported(owner, "expected a sklearn.tree._tree.Tree, found \(value.kindName)")
        }
        try checkArguments(tree, width: ensemble.width, owner: owner)
        guard let state = tree.state else { throw SKLearnTreeError.corrupt(owner, "the Tree has no state") }
        guard let nodeCount = state["node_count"]?.intValue else {
            throw SKLearnTreeError.corrupt(owner, "no integer 'node_count' in the Tree state")
        }
        guard case .array(let nodes)? = state["nodes"] else {
            throw SKLearnTreeError.corrupt(owner, "no 'nodes' array in the Tree state")
        }
        guard case .array(let values)? = state["values"] else {
            throw SKLearnTreeError.corrupt(owner, "no 'values' array in the Tree state")
        }
        guard nodes.shape.count == 1, nodes.count == nodeCount, nodeCount > 0 else {
            throw SKLearnTreeError.corrupt(owner, "nodes has shape \(nodes.shape), node_count is \(nodeCount)")
        }
        guard values.shape == [nodeCount, 1, ensemble.width] else {
            throw SKLearnTreeError.corrupt(owner, "values has shape \(values.shape), expected [\(nodeCount), 1, \(ensemble.width)]")
        }
        do throws(ModelError) {
            try ensemble.append(
                left: nodes.field("left_child").ints(),
                right: nodes.field("right_child").ints(),
                feature: nodes.field("feature").ints(),
                threshold: nodes.field("threshold").doubles(),
                missingGoesLeft: nodes.field("missing_go_to_left").ints(),
                values: normalizingCounts ? normalized(values.doubles(), width: ensemble.width) : values.doubles(),
                owner: owner)
        } catch .unsupported(let message) {
            throw SKLearnTreeError.corrupt(owner, message)
        }
    }

    /// Each node's class counts divided by their sum, as scikit-learn < 1.4's predict_proba did.
    private static func normalized(_ values: [Double], width: Int) -> [Double] {
        guard width > 0 else { return values }
        var out = values
        for start in stride(from: 0, to: out.count - width + 1, by: width) {
            var sum = 0.0
            for k in 0..<width { sum += out[start + k] }
            if sum == 0 { sum = 1 }
            for k in 0..<width { out[start + k] /= sum }
        }
        return out
    }

    /// `Tree(n_features, n_classes, n_outputs)`: one output with `width` classes (1 for regression).
    private static func checkArguments(_ tree: PickleObject, width: Int, owner: String) throws(ModelError) {
        var arguments = tree.arguments
        if arguments.count == 1, case .tuple(let inner) = arguments[0] { arguments = inner }
        guard arguments.count == 3, arguments[0].intValue != nil, let outputs = arguments[2].intValue else {
            throw SKLearnTreeError.corrupt(owner, "expected Tree(n_features, n_classes, n_outputs), got \(arguments.count) arguments")
        }
        guard outputs == 1 else {
            throw SKLearnTreeError.unsupported(owner, "multi-output trees (n_outputs = \(outputs)) are not supported")
        }
        let classes: [Int64]
        switch arguments[1] {
        case .array(let a): classes = try a.ints()
        case .list(let items), .tuple(let items): classes = items.compactMap { $0.intValue.map(Int64.init) }
        default: classes = []
        }
        guard classes == [Int64(width)] else {
            throw SKLearnTreeError.corrupt(owner, "n_classes is \(classes), expected [\(width)] for the estimator's classes")
        }
    }
}
