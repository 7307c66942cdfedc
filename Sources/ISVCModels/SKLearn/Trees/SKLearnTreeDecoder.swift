/// Reads the `tree_` of a fitted DecisionTree*/ExtraTree* estimator: a `sklearn.tree._tree.Tree`
/// pickled as `Tree(n_features, n_classes, n_outputs)` with the state
/// `{max_depth, node_count, nodes, values}`, where `nodes` is a structured array (left_child,
/// right_child, feature, threshold, impurity, n_node_samples, weighted_n_node_samples,
/// missing_go_to_left) and `values` has shape [node_count, n_outputs, max_n_classes].
enum SKLearnTreeDecoder {
    /// Appends the `tree_` of a fitted tree estimator to `ensemble`. `owner` names the estimator
    /// in messages ("RandomForestClassifier.estimators_[3]").
    static func appendTree(of estimator: PickleValue, to ensemble: inout SKLearnTreeEnsemble,
                           owner: String) throws(ModelError) {
        guard let object = estimator.object else {
            throw SKLearnTreeError.unsupported(owner, "expected a fitted tree estimator, found \(estimator.kindName)")
        }
        guard let tree = object["tree_"] else {
            throw SKLearnTreeError.unsupported(owner, "\(object.shortName) has no 'tree_' (not a fitted tree?)")
        }
        if let outputs = object["n_outputs_"]?.intValue, outputs != 1 {
            throw SKLearnTreeError.unsupported(owner, "multi-output trees (n_outputs_ = \(outputs)) are not supported")
        }
        try appendTree(tree, to: &ensemble, owner: "\(owner).tree_")
    }

    /// Appends one `Tree` object to `ensemble` after checking its shape against the ensemble's
    /// width (classes per leaf) and feature count.
    static func appendTree(_ value: PickleValue, to ensemble: inout SKLearnTreeEnsemble,
                           owner: String) throws(ModelError) {
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
                values: values.doubles(),
                owner: owner)
        } catch .unsupported(let message) {
            throw SKLearnTreeError.corrupt(owner, message)
        }
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
