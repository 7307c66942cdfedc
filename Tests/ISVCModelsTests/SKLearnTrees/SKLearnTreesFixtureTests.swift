import Foundation
import ISVCModels
import Testing

@Suite("SKLearnTrees fixtures") struct SKLearnTreesFixtureTests {
    static let names = [
        "sklearn-iris-tree", "sklearn-diabetes-tree", "sklearn-wine-forest", "sklearn-diabetes-forest",
        "sklearn-iris-extratrees", "sklearn-diabetes-extratrees", "sklearn-cancer-gb", "sklearn-iris-gb",
        "sklearn-diabetes-gb", "sklearn-iris-forest-zlib",
    ]

    @Test("predict and predict_proba match scikit-learn 1.9.1", arguments: names)
    func matchesScikitLearn(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let model = try SKLearn.estimator(from: PickleReader.read(fileAt: fixture.modelFile.path))
        #expect(model.featureCount == fixture.rows.columns)
        let predicted = try model.predict(fixture.rows)
        #expect(differences(predicted, fixture.predict) == [], "\(name) predict")
        // The arithmetic follows scikit-learn's order of operations, so it agrees far below 1e-6.
        #expect(differences(predicted, fixture.predict, relative: 1e-13, absolute: 1e-15) == [], "\(name) predict, tight")
        let proba = try model.predictProbabilities(fixture.rows)
        #expect((proba == nil) == (fixture.predictProba == nil), "\(name) predict_proba presence")
        if let proba, let expected = fixture.predictProba {
            #expect(differences(proba, expected) == [], "\(name) predict_proba")
            #expect(differences(proba, expected, relative: 1e-13, absolute: 1e-15) == [], "\(name) predict_proba, tight")
        }
    }

    @Test("a fixture with one feature too few is featureMismatch", arguments: ["sklearn-wine-forest", "sklearn-iris-gb"])
    func featureMismatch(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let model = try SKLearn.estimator(from: PickleReader.read(fileAt: fixture.modelFile.path))
        let columns = fixture.rows.columns - 1
        let x = Matrix(rows: 1, columns: columns, values: [Double](repeating: 0, count: columns))
        #expect(throws: ModelError.featureMismatch(model: model.modelName, expected: columns + 1, got: columns)) {
            try model.predict(x)
        }
    }

    @Test("a truncated model file is a ModelError", arguments: ["sklearn-wine-forest", "sklearn-iris-forest-zlib"])
    func truncated(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let bytes = try Data(contentsOf: fixture.modelFile)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sktrees-\(name)-truncated.joblib").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for fraction in [0.3, 0.7, 0.95] {
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            #expect(throws: ModelError.self) { try SKLearn.estimator(from: PickleReader.read(fileAt: path)) }
        }
    }

    @Test("predict time for a 2-row batch of sklearn-wine-forest")
    func wineForestSpeed() throws {
        let fixture = try FixtureExpectation(named: "sklearn-wine-forest")
        let model = try SKLearn.estimator(from: PickleReader.read(fileAt: fixture.modelFile.path))
        let columns = fixture.rows.columns
        let x = Matrix(rows: 2, columns: columns, values: Array(fixture.rows.values.prefix(2 * columns)))
        let expected = try model.predict(x)
        let iterations = 20_000
        let clock = ContinuousClock()
        var same = true
        let elapsed = try clock.measure {
            for _ in 0..<iterations { same = try model.predict(x) == expected && same }
        }
        let proba = try clock.measure {
            for _ in 0..<iterations { _ = try model.predictProbabilities(x) }
        }
        #expect(same)
        let perCall = elapsed / iterations, perProba = proba / iterations
        print("SKLearnTrees: sklearn-wine-forest 2-row predict \(perCall), predict_proba \(perProba) per call")
    }
}
