import ISVCModels
import Testing

private typealias B = SKLearnTreeBuilders

private func floats(_ p: Prediction?) -> [Double] {
    if case .float64(let v)? = p?.values { return v }
    return []
}

@Suite("SKLearnTrees traversal") struct SKLearnTreesTraversalTests {
    @Test("NaN follows missing_go_to_left", arguments: [true, false])
    func nanFollowsMissingGoToLeft(missingLeft: Bool) throws {
        let model = try SKLearn.estimator(from: B.regressor(B.stump(threshold: 0.5, missingLeft: missingLeft), features: 2))
        let x = try Matrix(rows: [[.nan, 0], [0.25, .nan], [0.75, 0]])
        let p = try model.predict(x)
        #expect(p.shape == [3])
        #expect(floats(p) == [missingLeft ? 10 : 20, 10, 20])
    }

    @Test("inputs are rounded to float32 before the float64 threshold, and x <= threshold goes left")
    func float32Rounding() throws {
        // Float(0.1) = 0.10000000149 > 0.1, so scikit-learn sends 0.1 right of a 0.1 threshold.
        let model = try SKLearn.estimator(from: B.regressor(B.stump(threshold: 0.1, missingLeft: false), features: 2))
        let exact = try SKLearn.estimator(from: B.regressor(B.stump(threshold: 0.5, missingLeft: false), features: 2))
        #expect(floats(try model.predict(Matrix(rows: [[0.1, 0]]))) == [20])
        #expect(floats(try exact.predict(Matrix(rows: [[0.5, 0], [0.5000001, 0]]))) == [10, 20])
    }

    @Test("a classifier returns leaf fractions, classes_ labels with their dtype, first maximum on ties")
    func classifierLabels() throws {
        let tree = B.tree(
            [
                .init(left: 1, right: 2, feature: 1, threshold: 0, values: [0.5, 0.25, 0.25]),
                .leaf([0.5, 0.5, 0]), .leaf([0.1, 0.2, 0.7]),
            ], features: 3, width: 3)
        let strings = PickleValue.array(NDArray(shape: [3], dtype: "<U3", elements: .string(["a", "b", "c"])))
        let model = try SKLearn.estimator(from: B.classifier(tree, features: 3, classes: strings))
        let x = try Matrix(rows: [[0, -1, 0], [0, 1, 0]])
        #expect(try model.predict(x) == Prediction(shape: [2], values: .string(["a", "c"])))
        #expect(try model.predictProbabilities(x) == Prediction(shape: [2, 3], values: .float64([0.5, 0.5, 0, 0.1, 0.2, 0.7])))
        let floatsModel = try SKLearn.estimator(from: B.classifier(tree, features: 3, classes: B.doubles([1.5, 2.5, 3.5])))
        #expect(try floatsModel.predict(x) == Prediction(shape: [2], values: .float64([1.5, 3.5])))
    }

    @Test("gradient boosting adds learning_rate times each tree to the init constant")
    func boostedRegressor() throws {
        let model = try SKLearn.estimator(from: B.boostedRegressor(stages: 3, learningRate: 0.5))
        #expect(model.modelName == "GradientBoostingRegressor")
        #expect(floats(try model.predict(Matrix(rows: [[0, 0], [1, 0]]))) == [115, 130])
        #expect(try model.predictProbabilities(Matrix(rows: [[0, 0]])) == nil)
    }
}
