import Foundation
import ISVCModels
import Testing

@Suite("LightGBM fixtures") struct LightGBMFixtureTests {
    static let names = FixtureExpectation.names(kind: "lightgbm")

    @Test("the three LightGBM fixtures are found")
    func fixturesFound() {
        #expect(Self.names == ["lightgbm-cancer-binary", "lightgbm-diabetes-regression", "lightgbm-iris-multiclass"])
    }

    @Test("predict matches Booster.predict on rows with missing values", arguments: names)
    func matchesBoosterPredict(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        #expect(fixture.rows.values.contains { $0.isNaN }, "the fixture rows should include NaN")
        let model = try LightGBMModel.load(fileAt: fixture.modelFile.path)
        #expect(model.modelName == "Booster")
        #expect(model.featureCount == fixture.rows.columns)
        let prediction = try model.predict(fixture.rows)
        #expect(differences(prediction, fixture.predict) == [])
    }

    @Test("predict is bit-for-bit Booster.predict (same arithmetic in the same order)", arguments: names)
    func bitForBit(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let exact = try LightGBMExactExpectation(named: name)
        let model = try LightGBMModel.load(fileAt: fixture.modelFile.path)
        let got = float64Values(try model.predict(exact.rows))
        #expect(got.count == exact.predict.count)
        for (i, (a, b)) in zip(got, exact.predict).enumerated() {
            #expect(a.bitPattern == b.bitPattern, "[\(i)] \(a) != \(b)")
        }
        #expect(try model.predictProbabilities(fixture.rows) == nil)
    }

    @Test("a row at a time gives the same answers as the batch", arguments: names)
    func rowByRow(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let model = try LightGBMModel.load(fileAt: fixture.modelFile.path)
        let batch = float64Values(try model.predict(fixture.rows))
        var single: [Double] = []
        for r in 0..<fixture.rows.rows {
            single += float64Values(try model.predict(Matrix(rows: 1, columns: fixture.rows.columns, values: Array(fixture.rows.row(r)))))
        }
        #expect(single == batch)
    }

    @Test("an empty batch gives an empty answer of the right shape")
    func emptyBatch() throws {
        let fixture = try FixtureExpectation(named: "lightgbm-iris-multiclass")
        let model = try LightGBMModel.load(fileAt: fixture.modelFile.path)
        let prediction = try model.predict(Matrix(rows: 0, columns: 4, values: []))
        #expect(prediction.shape == [0, 3])
    }

    @Test("a batch with the wrong number of features is refused", arguments: [3, 5])
    func wrongFeatureCount(columns: Int) throws {
        let fixture = try FixtureExpectation(named: "lightgbm-iris-multiclass")
        let model = try LightGBMModel.load(fileAt: fixture.modelFile.path)
        let x = Matrix(rows: 2, columns: columns, values: .init(repeating: 1, count: 2 * columns))
        #expect(throws: ModelError.featureMismatch(model: "Booster", expected: 4, got: columns)) { try model.predict(x) }
    }

    @Test("predict time of a 2-row batch on lightgbm-iris-multiclass")
    func speed() throws {
        let fixture = try FixtureExpectation(named: "lightgbm-iris-multiclass")
        let model = try LightGBMModel.load(fileAt: fixture.modelFile.path)
        let exact = try LightGBMExactExpectation(named: "lightgbm-iris-multiclass")
        let x = Matrix(rows: 2, columns: 4, values: Array(exact.rows.values.prefix(8)))
        let expected = Array(exact.predict.prefix(6))
        let iterations = 20_000
        var checksum = 0.0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<iterations { checksum += float64Values(try model.predict(x))[0] }
        }
        let nanoseconds = Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9
        let perCall = nanoseconds / Double(iterations) / 1000
        print("LightGBM iris-multiclass (24 trees): predict of 2 rows takes \(String(format: "%.2f", perCall)) µs")
        #expect(float64Values(try model.predict(x)) == expected)
        #expect(checksum > 0)
        #expect(perCall < 1000, "a 2-row predict should take well under a millisecond")
    }
}
