import Foundation
import ISVCModels
import Testing

/// Layouts XGBoost can write (or wrote in 1.x/2.x) and UBJSON encodings beyond XGBoost's writer.
@Suite("XGBoost formats") struct XGBoostFormatTests {
    typealias Support = XGBoostTestSupport

    static let styles: [String: XGBoostUBJSONTestEncoder.Style] = [
        "xgboost-like": .init(counted: false, typedArrays: true, doubles: false, smallIntegers: false, noOps: false),
        "counted containers, small integers": .init(counted: true, typedArrays: false, doubles: false, smallIntegers: true, noOps: false),
        "terminated containers, float64, no-ops": .init(
            counted: false, typedArrays: false, doubles: true, smallIntegers: true, noOps: true),
        "typed and counted, small integers": .init(counted: true, typedArrays: true, doubles: false, smallIntegers: true, noOps: false),
    ]

    @Test(
        "UBJSON encoded in other spec-conforming styles predicts the same",
        arguments: ["xgboost-iris-softprob", "xgboost-cancer-binary", "xgboost-diabetes-regression"], styles.keys.sorted())
    func ubjsonStyles(fixture name: String, style: String) throws {
        let fixture = try FixtureExpectation(named: name)
        let styleValue = try #require(Self.styles[style])
        let ubj = try XGBoostUBJSONTestEncoder.encode(json: Support.fixtureBytes(name), style: styleValue)
        #expect(ubj.first == UInt8(ascii: "{"))
        let model = try Support.load(ubj, named: "model.ubj")
        #expect(differences(try model.predict(fixture.rows), fixture.predict) == [])
    }

    @Test("the format is told by content, not by file name")
    func formatByContent() throws {
        let json = try FixtureExpectation(named: "xgboost-iris-softprob")
        for name in ["model.bst", "model.ubj", "model"] {
            let model = try Support.load(Support.fixtureBytes("xgboost-iris-softprob"), named: name)
            #expect(differences(try model.predict(json.rows), json.predict) == [], "JSON saved as \(name)")
        }
        let ubj = try FixtureExpectation(named: "xgboost-wine-softmax")  // model.bst holds UBJSON
        let model = try Support.load(Support.fixtureBytes("xgboost-wine-softmax"), named: "model.json")
        #expect(differences(try model.predict(ubj.rows), ubj.predict) == [])
    }

    @Test("JSON with a byte-order mark and surrounding whitespace loads")
    func jsonWhitespace() throws {
        let fixture = try FixtureExpectation(named: "xgboost-cancer-binary")
        let bytes = [0xEF, 0xBB, 0xBF] + Array("\n  ".utf8) + (try Support.fixtureBytes("xgboost-cancer-binary")) + Array(" \n".utf8)
        #expect(differences(try Support.load(bytes).predict(fixture.rows), fixture.predict) == [])
    }

    @Test(
        "base_score as xgboost 1.x/2.x wrote it (a plain number string) predicts the same",
        arguments: ["6.247756E-1", "0.6247756", " [6.247756E-1] ", "(6.247756E-1)"])
    func legacyBaseScore(baseScore: String) throws {
        let fixture = try FixtureExpectation(named: "xgboost-cancer-binary")
        let text = String(decoding: try Support.fixtureBytes("xgboost-cancer-binary"), as: UTF8.self)
        let edited = text.replacingOccurrences(of: #""base_score":"[6.247756E-1]""#, with: #""base_score":"\#(baseScore)""#)
        #expect(edited != text)
        #expect(differences(try Support.load(Array(edited.utf8)).predict(fixture.rows), fixture.predict) == [])
    }

    @Test("a scalar base_score of a multi-class model applies to every class (models before xgboost 3.1)")
    func scalarBaseScoreBroadcasts() throws {
        let fixture = try FixtureExpectation(named: "xgboost-iris-softprob")
        let text = String(decoding: try Support.fixtureBytes("xgboost-iris-softprob"), as: UTF8.self)
        let original = #""base_score":"[2.1663666E-2,-2.182126E-2,1.5759468E-4]""#
        #expect(text.contains(original))
        func predict(_ baseScore: String) throws -> Prediction {
            let edited = text.replacingOccurrences(of: original, with: #""base_score":"\#(baseScore)""#)
            return try Support.load(Array(edited.utf8)).predict(fixture.rows)
        }
        let scalar = try predict("3E-1")
        #expect(scalar.shape == [12, 3])
        #expect(scalar == (try predict("[3E-1,3E-1,3E-1]")))
        #expect(scalar != (try predict("[3E-1,3E-1,4E-1]")))
        #expect(differences(scalar, fixture.predict) != [])
    }

    @Test("default_left as booleans (xgboost 1.x JSON) predicts the same")
    func booleanDefaultLeft() throws {
        let fixture = try FixtureExpectation(named: "xgboost-cancer-binary")
        var doc = try Support.fixtureDocument("xgboost-cancer-binary")
        doc = try Support.editingLearner(doc) { learner in
            guard var booster = learner["gradient_booster"] as? [String: Any],
                var model = booster["model"] as? [String: Any], var trees = model["trees"] as? [[String: Any]]
            else { return }
            for t in trees.indices {
                trees[t]["default_left"] = (trees[t]["default_left"] as? [Int])?.map { $0 == 1 }
            }
            model["trees"] = trees
            booster["model"] = model
            learner["gradient_booster"] = booster
        }
        let text = String(decoding: try Support.serialize(doc), as: UTF8.self)
        #expect(text.contains(#""default_left":[true"#) || text.contains(#""default_left":[false"#))
        #expect(differences(try Support.load(Array(text.utf8)).predict(fixture.rows), fixture.predict) == [])
    }

    @Test("trees are placed by their id, not by their position in the file")
    func treesById() throws {
        let fixture = try FixtureExpectation(named: "xgboost-iris-softprob")
        let doc = try Support.editingLearner(try Support.fixtureDocument("xgboost-iris-softprob")) { learner in
            guard var booster = learner["gradient_booster"] as? [String: Any],
                var model = booster["model"] as? [String: Any], let trees = model["trees"] as? [[String: Any]]
            else { return }
            model["trees"] = Array(trees.reversed())
            booster["model"] = model
            learner["gradient_booster"] = booster
        }
        #expect(differences(try Support.load(Support.serialize(doc)).predict(fixture.rows), fixture.predict) == [])
    }

    @Test("feature names are read when the Booster has them")
    func featureNames() throws {
        #expect(try XGBoostModel.load(fileAt: FixtureExpectation(named: "xgboost-iris-softprob").modelFile.path).featureNames == [])
        let names = ["sepal length", "sepal width", "petal length", "petal width"]
        let doc = try Support.editingLearner(try Support.fixtureDocument("xgboost-iris-softprob")) { learner in
            learner["feature_names"] = names
        }
        #expect(try Support.load(Support.serialize(doc)).featureNames == names)
    }

    @Test(
        "tiny models for other objectives, dart, multiple targets and categorical splits match xgboost",
        arguments: xgboostInlineModels)
    func inlineModels(model inline: XGBoostInlineModel) throws {
        let model = try Support.load(Array(inline.json.utf8))
        let rows = try Matrix(rows: inline.rows)
        let prediction = try model.predict(rows)
        let expected = FixtureExpectation.Expected(shape: inline.shape, dtype: "float32", data: inline.expected.map { NSNumber(value: $0) })
        #expect(differences(prediction, expected) == [])
    }

    @Test("every inline model is also read correctly as UBJSON")
    func inlineModelsAsUBJSON() throws {
        let style = try #require(Self.styles["xgboost-like"])
        for inline in xgboostInlineModels {
            let ubj = try XGBoostUBJSONTestEncoder.encode(json: Array(inline.json.utf8), style: style)
            let prediction = try Support.load(ubj, named: "model.ubj").predict(try Matrix(rows: inline.rows))
            let expected = FixtureExpectation.Expected(
                shape: inline.shape, dtype: "float32", data: inline.expected.map { NSNumber(value: $0) })
            #expect(differences(prediction, expected) == [], "\(inline.name)")
        }
    }
}
