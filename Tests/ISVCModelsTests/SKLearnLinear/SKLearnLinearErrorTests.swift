import Foundation
import Testing

@testable import ISVCModels

/// Load-time validation and request errors: messages name the class and the field, feature-count
/// errors read as scikit-learn's, hostile values throw a ModelError instead of crashing.
@Suite("SKLearnLinear errors") struct SKLearnLinearErrorTests {
    typealias V = SKLearnLinearTestValues

    /// A small valid 3-class SVC (2 features, one support vector per class).
    static let svc = V.object(
        "sklearn.svm._classes.SVC",
        [
            ("kernel", .string("rbf")), ("_gamma", .float(0.5)), ("degree", .int(3)), ("coef0", .float(0)),
            ("n_features_in_", .int(2)), ("classes_", V.ints([0, 1, 2])), ("_n_support", V.ints([1, 1, 1], dtype: "<i4")),
            ("support_vectors_", V.array([0, 0, 1, 1, 2, 2], shape: [3, 2])),
            ("_dual_coef_", V.array([1, -1, 0.5, 0.5, 1, -1], shape: [2, 3])),
            ("_intercept_", V.array([0.1, 0.2, 0.3], shape: [3])),
            ("probability", .string("deprecated")), ("_probA", V.array([], shape: [0])), ("_probB", V.array([], shape: [0])),
        ])

    static let logistic = V.object(
        "sklearn.linear_model._logistic.LogisticRegression",
        [
            ("n_features_in_", .int(2)), ("classes_", V.strings(["a", "b", "c"])),
            ("coef_", V.array([1, 2, 3, 4, 5, 6], shape: [3, 2])), ("intercept_", V.array([0, 0, 0], shape: [3])),
        ])

    static let knn = V.object(
        "sklearn.neighbors._classification.KNeighborsClassifier",
        [
            ("n_neighbors", .int(2)), ("weights", .string("uniform")), ("metric", .string("minkowski")), ("p", .int(2)),
            ("effective_metric_", .string("euclidean")), ("n_features_in_", .int(2)), ("outputs_2d_", .bool(false)),
            ("classes_", V.ints([0, 1])), ("_y", V.ints([0, 1, 1])), ("_fit_X", V.array([0, 0, 1, 1, 2, 2], shape: [3, 2])),
        ])

    static let scaler = V.object(
        "sklearn.preprocessing._data.StandardScaler",
        [
            ("with_mean", .bool(true)), ("with_std", .bool(true)), ("n_features_in_", .int(2)),
            ("mean_", V.array([1, 2], shape: [2])), ("scale_", V.array([2, 4], shape: [2])),
        ])

    static func pipeline(_ steps: [(String, PickleValue)]) -> PickleValue {
        .object(
            V.object(
                "sklearn.pipeline.Pipeline",
                [
                    ("steps", .list(steps.map { .tuple([.string($0.0), $0.1]) }))
                ]))
    }

    /// Decodes and expects a ModelError whose message contains every fragment.
    func expectError(_ value: PickleValue, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SKLearn.estimator(from: value)
            Issue.record("decoded without error; expected \(fragments)", sourceLocation: sourceLocation)
        } catch {
            let message = error.description
            for fragment in fragments {
                #expect(message.contains(fragment), "'\(message)' lacks '\(fragment)'", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("the hand-built models decode and predict")
    func validModels() throws {
        let x = try Matrix(rows: [[0.1, 0.2], [1.9, 2.1]])
        #expect(try SKLearn.estimator(from: .object(Self.svc)).predict(x).shape == [2])
        #expect(try SKLearn.estimator(from: .object(Self.logistic)).predict(x).values == .string(["c", "c"]))
        #expect(try SKLearn.estimator(from: .object(Self.knn)).predict(x).values == .int64([0, 1]))
        let scaled = try SKLearn.estimator(from: Self.pipeline([("s", .object(Self.scaler)), ("lr", .object(Self.logistic))]))
        #expect(try scaled.predictProbabilities(x)?.shape == [2, 3])
    }

    @Test("a wrong feature count is scikit-learn's message")
    func featureMismatch() throws {
        let x = try Matrix(rows: [[1, 2, 3]])
        let svc = try SKLearn.estimator(from: .object(Self.svc))
        #expect(throws: ModelError.featureMismatch(model: "SVC", expected: 2, got: 3)) { try svc.predict(x) }
        #expect(
            ModelError.featureMismatch(model: "SVC", expected: 2, got: 3).description
                == "X has 3 features, but SVC is expecting 2 features as input.")
        // In a Pipeline the first step refuses the batch, under its own name.
        let pipe = try SKLearn.estimator(from: Self.pipeline([("s", .object(Self.scaler)), ("lr", .object(Self.logistic))]))
        #expect(throws: ModelError.featureMismatch(model: "StandardScaler", expected: 2, got: 3)) { try pipe.predict(x) }
        #expect(throws: ModelError.featureMismatch(model: "StandardScaler", expected: 2, got: 3)) { try pipe.predictProbabilities(x) }
    }

    @Test(
        "the fixtures refuse a wrong feature count",
        arguments: [
            ("sklearn-iris-svc", "X has 3 features, but SVC is expecting 4 features as input."),
            ("sklearn-cancer-logreg", "X has 3 features, but StandardScaler is expecting 30 features as input."),
            ("sklearn-diabetes-ridge", "X has 3 features, but Ridge is expecting 10 features as input."),
            ("sklearn-iris-knn", "X has 3 features, but KNeighborsClassifier is expecting 4 features as input."),
        ])
    func fixtureFeatureMismatch(name: String, message: String) throws {
        let (_, estimator) = try SKLearnLinearFixtureTests.load(name)
        let x = try Matrix(rows: [[1, 2, 3], [4, 5, 6]])
        do {
            _ = try estimator.predict(x)
            Issue.record("\(name) predicted on 3 features")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("NaN and infinity are refused as scikit-learn refuses them")
    func nonFiniteInput() throws {
        let svc = try SKLearn.estimator(from: .object(Self.svc))
        do { _ = try svc.predict(try Matrix(rows: [[.nan, 1]])); Issue.record("NaN accepted") } catch {
            #expect(error.description.hasPrefix("Input X contains NaN.\nSVC does not accept missing values"))
        }
        #expect(throws: ModelError.badInput("Input X contains infinity or a value too large for dtype('float64').")) {
            try svc.predict(try Matrix(rows: [[.infinity, 1]]))
        }
    }

    @Test("an empty batch answers empty tensors")
    func emptyBatch() throws {
        let empty = Matrix(rows: 0, columns: 2, values: [])
        #expect(try SKLearn.estimator(from: .object(Self.svc)).predict(empty).shape == [0])
        #expect(try SKLearn.estimator(from: .object(Self.knn)).predictProbabilities(empty)?.shape == [0, 2])
        #expect(try SKLearn.estimator(from: .object(Self.svc)).predictProbabilities(empty) == nil)
    }

    @Test("inconsistent SVC shapes name the field")
    func inconsistentSVC() {
        expectError(
            .object(V.replacing(Self.svc, "_n_support", with: V.ints([1, 1, 2], dtype: "<i4"))),
            ["SVC", "_n_support", "adds up to 4", "3 rows"])
        expectError(.object(V.replacing(Self.svc, "_n_support", with: V.ints([3], dtype: "<i4"))), ["SVC._n_support", "3 classes"])
        expectError(
            .object(V.replacing(Self.svc, "_dual_coef_", with: V.array([1, 2, 3], shape: [1, 3]))),
            ["SVC._dual_coef_", "1 row(s), expected 2"])
        expectError(
            .object(V.replacing(Self.svc, "_dual_coef_", with: V.array([1, 2, 3, 4], shape: [2, 2]))),
            ["SVC._dual_coef_", "2 columns", "support_vectors_ has 3 rows"])
        expectError(.object(V.replacing(Self.svc, "_intercept_", with: V.array([1], shape: [1]))), ["SVC._intercept_", "expected 3"])
        expectError(.object(V.replacing(Self.svc, "n_features_in_", with: .int(5))), ["SVC.n_features_in_", "is 5", "2 features"])
        expectError(
            .object(V.replacing(Self.svc, "support_vectors_", with: V.array([0, 1, 2], shape: [3]))),
            ["SVC.support_vectors_", "two dimensions"])
        expectError(
            .object(V.replacing(Self.svc, "_dual_coef_", with: V.array([1, .nan, 0.5, 0.5, 1, -1], shape: [2, 3]))),
            ["SVC._dual_coef_", "not finite"])
        var withProbability = V.replacing(Self.svc, "probability", with: .bool(true))
        withProbability = V.replacing(withProbability, "_probA", with: V.array([1, 2], shape: [2]))
        withProbability = V.replacing(withProbability, "_probB", with: V.array([1, 2, 3], shape: [3]))
        expectError(.object(withProbability), ["SVC._probA", "expected 3"])
    }

    @Test("unsupported SVC options say so")
    func unsupportedSVC() {
        expectError(.object(V.replacing(Self.svc, "kernel", with: .string("precomputed"))), ["SVC", "kernel 'precomputed'"])
        expectError(.object(V.replacing(Self.svc, "_sparse", with: .bool(true))), ["SVC", "sparse"])
        expectError(.object(V.replacing(Self.svc, "kernel", with: .global("mymodule.kernel"))), ["SVC.kernel"])
        expectError(.object(V.replacing(Self.svc, "support_vectors_", with: .string("oops"))), ["SVC.support_vectors_", "numpy array"])
    }

    @Test("inconsistent linear, neighbour and scaler shapes name the field")
    func inconsistentOthers() {
        let oneRow = V.replacing(
            V.replacing(Self.logistic, "coef_", with: V.array([1, 2], shape: [1, 2])),
            "intercept_", with: V.array([0], shape: [1]))
        expectError(.object(oneRow), ["LogisticRegression.coef_", "1 row(s) for 3 classes"])
        expectError(
            .object(V.replacing(Self.logistic, "intercept_", with: V.array([1, 2], shape: [2]))),
            ["LogisticRegression.intercept_", "(3,)"])
        expectError(.object(V.replacing(Self.logistic, "classes_", with: V.strings(["a"]))), ["LogisticRegression.classes_", "1 class"])
        expectError(.object(V.replacing(Self.logistic, "multi_class", with: .string("crammer"))), ["LogisticRegression.multi_class"])
        expectError(.object(V.replacing(Self.knn, "_y", with: V.ints([0, 1]))), ["KNeighborsClassifier._y", "2 labels", "3 rows"])
        expectError(.object(V.replacing(Self.knn, "_y", with: V.ints([0, 1, 7]))), ["KNeighborsClassifier._y", "class index 7"])
        expectError(.object(V.replacing(Self.knn, "n_neighbors", with: .int(4))), ["KNeighborsClassifier.n_neighbors", "is 4"])
        expectError(.object(V.replacing(Self.knn, "effective_metric_", with: .string("haversine"))), ["KNeighborsClassifier", "haversine"])
        expectError(.object(V.replacing(Self.knn, "weights", with: .string("custom"))), ["KNeighborsClassifier", "weights 'custom'"])
        let badScaler = V.replacing(Self.scaler, "scale_", with: V.array([1, 2, 3], shape: [3]))
        expectError(Self.pipeline([("s", .object(badScaler)), ("lr", .object(Self.logistic))]), ["StandardScaler.scale_", "expected 2"])
        let regression = V.object(
            "sklearn.linear_model._base.LinearRegression",
            [
                ("n_features_in_", .int(3)), ("coef_", V.array([1, 2], shape: [2])), ("intercept_", .float(1)),
            ])
        expectError(.object(regression), ["LinearRegression.n_features_in_", "is 3", "2 features"])
        expectError(
            .object(V.replacing(regression, "coef_", with: V.array([1, 2, 3, 4, 5, 6, 7, 8], shape: [2, 2, 2]))),
            ["LinearRegression.coef_", "shape [2, 2, 2]"])
    }

    @Test("a Pipeline must end in an estimator and chain matching widths")
    func pipelineShape() {
        expectError(Self.pipeline([("s", .object(Self.scaler))]), ["Pipeline", "last step 's'", "no predict"])
        expectError(Self.pipeline([("s", .object(Self.scaler)), ("p", .string("passthrough"))]), ["Pipeline", "last step 's'"])
        expectError(Self.pipeline([("p", .string("passthrough")), ("n", .none)]), ["Pipeline", "passthrough"])
        expectError(Self.pipeline([("lr", .object(Self.logistic)), ("s", .object(Self.svc))]), ["Pipeline", "'lr' is an estimator"])
        let wide = V.replacing(Self.svc, "n_features_in_", with: .none)
        let wider = V.replacing(wide, "support_vectors_", with: V.array([0, 0, 0, 1, 1, 1, 2, 2, 2], shape: [3, 3]))
        expectError(Self.pipeline([("s", .object(Self.scaler)), ("svc", .object(wider))]), ["Pipeline.steps", "expects 3 features"])
        expectError(.object(V.object("sklearn.pipeline.Pipeline", [("steps", .string("x"))])), ["Pipeline.steps"])
        expectError(
            Self.pipeline([("x", .object(V.object("sklearn.decomposition.PCA", [])))]), ["sklearn.decomposition.PCA is not supported"])
    }

    @Test("a transformer alone is not a model")
    func transformerAlone() {
        expectError(.object(Self.scaler), ["transformer", "StandardScaler"])
    }
}
