import ISVCModels
import Testing

private typealias B = SKLearnTreeBuilders
private typealias Node = SKLearnTreeBuilders.Node

/// The ModelError a decode throws, or nil when it succeeds.
private func decodeError(_ value: PickleValue) -> ModelError? {
    do {
        _ = try SKLearn.estimator(from: value)
        return nil
    } catch {
        return error
    }
}

private func isCorrupt(_ error: ModelError?, mentioning words: [String]) -> Bool {
    guard case .corrupt? = error, let text = error?.description else { return false }
    return words.allSatisfy { text.contains($0) }
}

@Suite("SKLearnTrees hostile input") struct SKLearnTreesHostileTests {
    private static func regressor(_ nodes: [Node]) -> PickleValue {
        B.regressor(B.tree(nodes, features: 2, width: 1), features: 2)
    }

    @Test("a child index out of range is a ModelError naming the node")
    func childOutOfRange() {
        let error = decodeError(
            Self.regressor([
                Node(left: 1, right: 7, feature: 0, threshold: 0, values: [0]), .leaf([1]), .leaf([2]),
            ]))
        #expect(isCorrupt(error, mentioning: ["DecisionTreeRegressor.tree_", "node 0", "right_child 7"]), "\(String(describing: error))")
        let negative = decodeError(
            Self.regressor([
                Node(left: -5, right: 2, feature: 0, threshold: 0, values: [0]), .leaf([1]), .leaf([2]),
            ]))
        #expect(isCorrupt(negative, mentioning: ["left_child -5"]))
    }

    @Test("a cycle (a child at or before its parent) is a ModelError, not an endless loop")
    func cycle() {
        let selfLoop = decodeError(
            Self.regressor([
                Node(left: 0, right: 1, feature: 0, threshold: 0, values: [0]), .leaf([1]),
            ]))
        #expect(isCorrupt(selfLoop, mentioning: ["node 0", "left_child 0"]))
        let backEdge = decodeError(
            Self.regressor([
                Node(left: 1, right: 2, feature: 0, threshold: 0, values: [0]),
                Node(left: 0, right: 2, feature: 1, threshold: 0, values: [0]), .leaf([2]),
            ]))
        #expect(isCorrupt(backEdge, mentioning: ["node 1", "left_child 0"]))
    }

    @Test("a split feature beyond n_features_in_ is a ModelError")
    func featureOutOfRange() {
        let error = decodeError(
            Self.regressor([
                Node(left: 1, right: 2, feature: 2, threshold: 0, values: [0]), .leaf([1]), .leaf([2]),
            ]))
        #expect(isCorrupt(error, mentioning: ["node 0", "feature 2", "2 features"]))
    }

    @Test("values of the wrong shape, or classes that do not match, are ModelErrors")
    func valuesShape() {
        let nodes: [Node] = [Node(left: 1, right: 2, feature: 0, threshold: 0, values: [0]), .leaf([1]), .leaf([2])]
        let shape = decodeError(B.regressor(B.tree(nodes, features: 2, width: 1, valuesShape: [2, 1, 1]), features: 2))
        #expect(isCorrupt(shape, mentioning: ["values has shape [2, 1, 1]"]))
        let classes = decodeError(B.classifier(B.tree(nodes, features: 2, width: 1), features: 2, classes: B.ints([0, 1])))
        #expect(isCorrupt(classes, mentioning: ["n_classes is [1]", "[2]"]))
    }

    @Test("a classifier without tree_ or with multi-output is unsupported")
    func missingFields() {
        let noTree = decodeError(B.estimator("sklearn.tree._classes.DecisionTreeRegressor", [("n_features_in_", .int(2))]))
        guard case .unsupported(let message)? = noTree else { Issue.record("\(String(describing: noTree))"); return }
        #expect(message.contains("estimators_"))
        let multi = decodeError(
            B.estimator(
                "sklearn.tree._classes.DecisionTreeRegressor",
                [
                    ("n_features_in_", .int(2)), ("n_outputs_", .int(2)),
                ]))
        guard case .unsupported(let multiMessage)? = multi else { Issue.record("\(String(describing: multi))"); return }
        #expect(multiMessage.contains("multi-output"))
    }

    @Test("the wrong number of features is featureMismatch with scikit-learn's message")
    func featureMismatch() throws {
        let model = try SKLearn.estimator(from: B.regressor(B.stump(threshold: 0.5, missingLeft: true), features: 2))
        #expect(model.featureCount == 2)
        #expect(throws: ModelError.featureMismatch(model: "DecisionTreeRegressor", expected: 2, got: 3)) {
            try model.predict(Matrix(rows: [[1, 2, 3]]))
        }
        #expect(
            ModelError.featureMismatch(model: "DecisionTreeRegressor", expected: 2, got: 3).description
                == "X has 3 features, but DecisionTreeRegressor is expecting 2 features as input.")
        let boosted = try SKLearn.estimator(from: B.boostedRegressor(stages: 2))
        #expect(throws: ModelError.featureMismatch(model: "GradientBoostingRegressor", expected: 2, got: 1)) {
            try boosted.predict(Matrix(rows: [[1]]))
        }
    }

    @Test("infinity, values too large for float32 and empty batches are refused; NaN too for gradient boosting")
    func badValues() throws {
        let tree = try SKLearn.estimator(from: B.regressor(B.stump(threshold: 0.5, missingLeft: true), features: 2))
        let boosted = try SKLearn.estimator(from: B.boostedRegressor(stages: 2))
        for model in [tree, boosted] {
            for bad in [Double.infinity, -1e300] {
                #expect(throws: ModelError.badInput("Input X contains infinity or a value too large for dtype('float32').")) {
                    try model.predict(Matrix(rows: [[0, bad]]))
                }
            }
            #expect(throws: ModelError.self) { try model.predict(Matrix(rows: 0, columns: 2, values: [])) }
        }
        #expect(
            throws: ModelError.badInput(
                "Input X contains NaN. GradientBoostingRegressor does not accept missing values encoded as NaN natively.")
        ) {
            try boosted.predict(Matrix(rows: [[0, .nan]]))
        }
    }

    @Test("gradient boosting with a mis-shaped estimators_ or an unknown init is a ModelError")
    func boostingShapes() {
        guard case .object(var gb) = B.boostedRegressor(stages: 2), case .dict(var entries)? = gb.state else {
            Issue.record("builder")
            return
        }
        let index = entries.firstIndex { $0.key.stringValue == "n_trees_per_iteration_" } ?? 0
        entries[index].value = .int(3)
        gb.state = .dict(entries)
        #expect(isCorrupt(decodeError(.object(gb)), mentioning: ["n_trees_per_iteration_ is 3"]))
        let initIndex = entries.firstIndex { $0.key.stringValue == "init_" } ?? 0
        entries[index].value = .int(1)
        entries[initIndex].value = B.estimator("sklearn.linear_model.LinearRegression", [])
        gb.state = .dict(entries)
        guard case .unsupported(let message)? = decodeError(.object(gb)) else { Issue.record("init"); return }
        #expect(message.contains("LinearRegression"))
    }
}
