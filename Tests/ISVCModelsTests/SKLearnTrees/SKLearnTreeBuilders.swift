import ISVCModels

/// Hand-built decoded pickles of small fitted tree models, shaped as the pickle reader gives them.
enum SKLearnTreeBuilders {
    struct Node {
        var left: Int64
        var right: Int64
        var feature: Int64
        var threshold: Double
        var missingLeft: Bool = false
        var values: [Double]

        static func leaf(_ values: [Double]) -> Node {
            Node(left: -1, right: -1, feature: -2, threshold: -2, values: values)
        }
    }

    static func dict(_ entries: [(String, PickleValue)]) -> PickleValue {
        .dict(entries.map { (key: PickleValue.string($0.0), value: $0.1) })
    }

    static func ints(_ v: [Int64], shape: [Int]? = nil) -> PickleValue {
        .array(NDArray(shape: shape ?? [v.count], dtype: "<i8", elements: .int(v)))
    }

    static func doubles(_ v: [Double], shape: [Int]? = nil) -> PickleValue {
        .array(NDArray(shape: shape ?? [v.count], dtype: "<f8", elements: .float(v)))
    }

    /// A `sklearn.tree._tree.Tree` with `width` values per node.
    static func tree(_ nodes: [Node], features: Int, width: Int, valuesShape: [Int]? = nil) -> PickleValue {
        let n = nodes.count
        func field<T>(
            _ name: String, _ dtype: String, _ pick: (Node) -> T,
            _ wrap: ([T]) -> NDArray.Elements
        ) -> (name: String, values: NDArray) {
            (name: name, values: NDArray(shape: [n], dtype: dtype, elements: wrap(nodes.map(pick))))
        }
        let structured = NDArray(
            shape: [n], dtype: "V64",
            elements: .structured([
                field("left_child", "<i8", { $0.left }, { .int($0) }),
                field("right_child", "<i8", { $0.right }, { .int($0) }),
                field("feature", "<i8", { $0.feature }, { .int($0) }),
                field("threshold", "<f8", { $0.threshold }, { .float($0) }),
                field("impurity", "<f8", { _ in 0.0 }, { .float($0) }),
                field("n_node_samples", "<i8", { _ in Int64(1) }, { .int($0) }),
                field("weighted_n_node_samples", "<f8", { _ in 1.0 }, { .float($0) }),
                field("missing_go_to_left", "|u1", { Int64($0.missingLeft ? 1 : 0) }, { .int($0) }),
            ]))
        let state = dict([
            ("max_depth", .int(3)),
            ("node_count", .int(Int64(n))),
            ("nodes", .array(structured)),
            ("values", doubles(nodes.flatMap(\.values), shape: valuesShape ?? [n, 1, width])),
        ])
        return .object(
            PickleObject(
                className: "sklearn.tree._tree.Tree",
                arguments: [.int(Int64(features)), ints([Int64(width)]), .int(1)],
                state: state))
    }

    static func estimator(_ className: String, _ entries: [(String, PickleValue)]) -> PickleValue {
        .object(PickleObject(className: className, arguments: [], state: dict(entries)))
    }

    static func classifier(_ tree: PickleValue, features: Int, classes: PickleValue) -> PickleValue {
        estimator(
            "sklearn.tree._classes.DecisionTreeClassifier",
            [
                ("n_features_in_", .int(Int64(features))), ("n_outputs_", .int(1)),
                ("classes_", classes), ("tree_", tree),
            ])
    }

    static func regressor(_ tree: PickleValue, features: Int) -> PickleValue {
        estimator(
            "sklearn.tree._classes.DecisionTreeRegressor",
            [
                ("n_features_in_", .int(Int64(features))), ("n_outputs_", .int(1)), ("tree_", tree),
            ])
    }

    /// One split on `feature` at `threshold`: left leaf 10, right leaf 20.
    static func stump(feature: Int64 = 0, threshold: Double, missingLeft: Bool, features: Int = 2) -> PickleValue {
        tree(
            [
                Node(left: 1, right: 2, feature: feature, threshold: threshold, missingLeft: missingLeft, values: [15]),
                .leaf([10]), .leaf([20]),
            ], features: features, width: 1)
    }

    /// A GradientBoostingRegressor of `stages` stumps with a DummyRegressor init of 100.
    static func boostedRegressor(stages: Int, learningRate: Double = 0.5) -> PickleValue {
        let trees = (0..<stages).map { _ in
            regressor(stump(threshold: 0.5, missingLeft: true), features: 2)
        }
        return estimator(
            "sklearn.ensemble._gb.GradientBoostingRegressor",
            [
                ("n_features_in_", .int(2)), ("loss", .string("squared_error")), ("learning_rate", .float(learningRate)),
                ("n_trees_per_iteration_", .int(1)),
                ("init_", estimator("sklearn.dummy.DummyRegressor", [("constant_", doubles([100], shape: [1, 1]))])),
                ("estimators_", .array(NDArray(shape: [stages, 1], dtype: "|O", elements: .object(trees)))),
            ])
    }
}
