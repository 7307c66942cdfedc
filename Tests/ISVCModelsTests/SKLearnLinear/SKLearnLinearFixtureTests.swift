import Foundation
import Testing

@testable import ISVCModels

/// Every linear/SVM/neighbours fixture: read with PickleReader, decoded with `SKLearn.estimator`,
/// predicted on the recorded rows; labels must match exactly and floats within 1e-6 relative.
@Suite("SKLearnLinear fixtures") struct SKLearnLinearFixtureTests {
    static let fixtures = [
        "sklearn-iris-svc", "sklearn-iris-svc-linear", "sklearn-wine-svc-poly", "sklearn-iris-svc-strings",
        "sklearn-diabetes-svr", "sklearn-diabetes-svr-linear", "sklearn-iris-logreg", "sklearn-cancer-logreg",
        "sklearn-diabetes-linear", "sklearn-diabetes-ridge", "sklearn-iris-knn", "sklearn-wine-knn-distance",
        "sklearn-iris-logreg-pickle2", "sklearn-iris-logreg-pickle3", "sklearn-iris-logreg-pickle4",
        "sklearn-iris-logreg-pickle5",
    ]

    static func load(_ name: String) throws -> (FixtureExpectation, any Estimator) {
        let fixture = try FixtureExpectation(named: name)
        let value = try PickleReader.read(fileAt: try fixture.modelFile.path)
        return (fixture, try SKLearn.estimator(from: value))
    }

    @Test("predict and predict_proba match scikit-learn 1.9.1", arguments: fixtures)
    func matchesLibrary(name: String) throws {
        let (fixture, estimator) = try Self.load(name)
        let predicted = try estimator.predict(fixture.rows)
        let predictDiffs = differences(predicted, fixture.predict)
        #expect(predictDiffs.isEmpty, "\(name) predict: \(predictDiffs.prefix(5))")

        let probabilities = try estimator.predictProbabilities(fixture.rows)
        switch (probabilities, fixture.predictProba) {
        case (nil, nil): break
        case (let p?, let e?):
            let diffs = differences(p, e)
            #expect(diffs.isEmpty, "\(name) predict_proba: \(diffs.prefix(5))")
        case (let p, let e):
            Issue.record("\(name): predict_proba is \(p == nil ? "nil" : "present") but scikit-learn's is \(e == nil ? "null" : "present")")
        }
    }

    @Test("featureCount comes from n_features_in_", arguments: fixtures)
    func featureCount(name: String) throws {
        let (fixture, estimator) = try Self.load(name)
        #expect(estimator.featureCount == fixture.rows.columns)
    }

    @Test("the class names are registered")
    func registered() {
        for name in [
            "LogisticRegression", "LinearRegression", "Ridge", "SVC", "SVR", "KNeighborsClassifier",
            "StandardScaler", "MinMaxScaler", "Pipeline",
        ] {
            #expect(SKLearn.supportedClasses.contains(name), "\(name) is not registered")
        }
    }
}
