import Foundation
import ISVCModels
import Testing

/// Every xgboost fixture predicts what xgboost 3.2.0's `Booster.predict(DMatrix(rows))` returned.
@Suite("XGBoost fixtures") struct XGBoostFixtureTests {
    static let names = FixtureExpectation.names(kind: "xgboost")

    @Test("the xgboost fixtures are all there")
    func fixturesExist() {
        #expect(Self.names.count >= 6, "xgboost fixtures: \(Self.names)")
        #expect(Self.names.contains("xgboost-wine-softmax"))  // model.bst, a UBJSON file
        #expect(Self.names.contains("xgboost-cancer-binary-ubj"))
    }

    @Test("predictions match Booster.predict", arguments: names)
    func predictionsMatch(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let model = try XGBoostModel.load(fileAt: try fixture.modelFile.path)
        #expect(model.modelName == "Booster")
        #expect(model.featureCount == fixture.rows.columns)
        #expect(fixture.rows.values.contains { $0.isNaN }, "fixture rows should exercise missing values")
        let prediction = try model.predict(fixture.rows)
        #expect(prediction.datatype == "FP32")
        #expect(differences(prediction, fixture.predict) == [])
        #expect(try model.predictProbabilities(fixture.rows) == nil)
    }

    @Test("one row at a time predicts the same as the batch", arguments: names)
    func rowByRow(name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let model = try XGBoostModel.load(fileAt: try fixture.modelFile.path)
        let batch = try model.predict(fixture.rows)
        guard case .float32(let all) = batch.values else { Issue.record("not float32"); return }
        let perRow = all.count / fixture.rows.rows
        for r in 0..<fixture.rows.rows {
            let one = try model.predict(Matrix(rows: 1, columns: fixture.rows.columns, values: Array(fixture.rows.row(r))))
            #expect(one.values == .float32(Array(all[(r * perRow)..<((r + 1) * perRow)])))
            #expect(one.shape == [1] + batch.shape.dropFirst())
        }
    }

    @Test("an empty batch answers an empty prediction of the right shape")
    func emptyBatch() throws {
        let fixture = try FixtureExpectation(named: "xgboost-iris-softprob")
        let model = try XGBoostModel.load(fileAt: try fixture.modelFile.path)
        let prediction = try model.predict(Matrix(rows: 0, columns: 4, values: []))
        #expect(prediction.shape == [0, 3])
        #expect(prediction.values == .float32([]))
    }

    @Test("the same model as JSON and as UBJSON predicts identically")
    func jsonAndUBJSONAgree() throws {
        let json = try FixtureExpectation(named: "xgboost-cancer-binary")
        let ubj = try FixtureExpectation(named: "xgboost-cancer-binary-ubj")
        let a = try XGBoostModel.load(fileAt: try json.modelFile.path).predict(json.rows)
        let b = try XGBoostModel.load(fileAt: try ubj.modelFile.path).predict(json.rows)
        #expect(a == b)
    }
}
