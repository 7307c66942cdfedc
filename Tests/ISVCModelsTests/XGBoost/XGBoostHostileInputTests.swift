import Foundation
import ISVCModels
import Testing

/// Broken, hostile and unsupported files fail to load with a ModelError that says why; bad
/// requests fail to predict.
@Suite("XGBoost hostile input") struct XGBoostHostileInputTests {
    typealias Support = XGBoostTestSupport

    @Test("truncations of a UBJSON model are corrupt files: every one in its first 1000 bytes, then every 7th")
    func truncatedUBJSON() throws {
        let bytes = try Support.fixtureBytes("xgboost-cancer-logitraw")  // model.ubj
        for length in Array(0..<1000) + Array(stride(from: 1000, to: bytes.count, by: 7)) + [bytes.count - 1] {
            let error = try? XGBoostModel.decodeForTesting(Array(bytes.prefix(length)))
            #expect(Support.isCorrupt(error), "truncated at \(length): \(Support.message(error))")
        }
    }

    @Test("truncations of a JSON model are corrupt files", arguments: [1, 2, 10, 100, 1000, 5000, 16000, -3, -2, -1])
    func truncatedJSON(offset: Int) throws {
        let bytes = try Support.fixtureBytes("xgboost-iris-softprob")
        let length = offset > 0 ? offset : bytes.count + offset
        let error = try Support.loadError(Array(bytes.prefix(length)))
        #expect(Support.isCorrupt(error), "truncated at \(length): \(Support.message(error))")
    }

    @Test("truncations of a UBJSON .bst file are corrupt files", arguments: [1, 2, 9, 64, 500, 5000, 20000, -9, -1])
    func truncatedBST(offset: Int) throws {
        let bytes = try Support.fixtureBytes("xgboost-wine-softmax")
        let length = offset > 0 ? offset : bytes.count + offset
        let error = try Support.loadError(Array(bytes.prefix(length)), named: "model.bst")
        #expect(Support.isCorrupt(error), "truncated at \(length): \(Support.message(error))")
    }

    static let treeEdits: [(String, String, @Sendable (inout [String: Any]) -> Void)] = [
        ("child out of range", "child 99", { $0["left_children"] = [99, -1, 3, -1, -1] }),
        ("negative child", "child -7", { $0["right_children"] = [-7, -1, 4, -1, -1] }),
        ("cycle back to the root", "reached twice", { $0["left_children"] = [1, -1, 0, -1, -1] }),
        ("shared child", "reached twice", { $0["right_children"] = [2, -1, 3, -1, -1] }),
        ("split feature >= num_feature", "feature 4", { $0["split_indices"] = [4, 0, 0, 0, 0] }),
        ("negative split feature", "feature -1", { $0["split_indices"] = [-1, 0, 0, 0, 0] }),
        ("short array", "split_conditions", { $0["split_conditions"] = [1.0, 0.5] }),
        (
            "num_nodes disagrees", "has 5 elements, expected 6",
            { $0["tree_param"] = ["num_nodes": "6", "num_feature": "4", "num_deleted": "0", "size_leaf_vector": "1"] }
        ),
        ("missing field", "missing member 'default_left'", { $0["default_left"] = nil }),
        ("wrong type", "expected an array", { $0["left_children"] = "1,2" }),
        ("repeated tree id", "tree id 1", { $0["id"] = 1 }),
        (
            "categorical split with categories out of range", "categories_segments",
            {
                $0["split_type"] = [1, 0, 0, 0, 0]
                $0["categories_nodes"] = [0]; $0["categories_segments"] = [0]; $0["categories_sizes"] = [5]; $0["categories"] = [1, 2]
            }
        ),
    ]

    @Test("invalid trees are corrupt models", arguments: treeEdits.indices)
    func invalidTree(index: Int) throws {
        let (name, expectedText, edit) = Self.treeEdits[index]
        let doc = try Support.editingFirstTree(try Support.fixtureDocument("xgboost-iris-softprob"), edit)
        let error = try Support.loadError(Support.serialize(doc))
        #expect(Support.isCorrupt(error), "\(name): \(Support.message(error))")
        #expect(Support.message(error).contains(expectedText), "\(name): \(Support.message(error))")
        #expect(Support.message(error).contains("model.json"), "the message names the file")
    }

    @Test("a tree adding to an output group the model does not have is corrupt")
    func groupOutOfRange() throws {
        let doc = try Support.editingLearner(try Support.fixtureDocument("xgboost-iris-softprob")) { learner in
            guard var booster = learner["gradient_booster"] as? [String: Any], var model = booster["model"] as? [String: Any],
                var info = model["tree_info"] as? [Int]
            else { return }
            info[5] = 3
            model["tree_info"] = info
            booster["model"] = model
            learner["gradient_booster"] = booster
        }
        let error = try Support.loadError(Support.serialize(doc))
        #expect(Support.isCorrupt(error) && Support.message(error).contains("output group 3"), "\(Support.message(error))")
    }

    @Test(
        "unknown objectives are unsupported, naming the objective", arguments: ["rank:pairwise", "survival:aft", "binary:hinge", "no:such"])
    func unknownObjective(name: String) throws {
        let doc = try Support.editingLearner(try Support.fixtureDocument("xgboost-cancer-binary")) { learner in
            learner["objective"] = ["name": name]
        }
        let error = try Support.loadError(Support.serialize(doc))
        #expect(Support.isUnsupported(error), "\(Support.message(error))")
        #expect(Support.message(error).contains("'\(name)'"))
    }

    @Test("gblinear boosters and vector-leaf trees are unsupported")
    func unsupportedBoosters() throws {
        let linear = try Support.editingLearner(try Support.fixtureDocument("xgboost-cancer-binary")) { learner in
            learner["gradient_booster"] = ["name": "gblinear", "model": ["weights": [0.5, 0.25]]]
        }
        let linearError = try Support.loadError(Support.serialize(linear))
        #expect(Support.isUnsupported(linearError) && Support.message(linearError).contains("gblinear"), "\(Support.message(linearError))")

        let vectorLeaf = try Support.editingFirstTree(try Support.fixtureDocument("xgboost-iris-softprob")) { tree in
            tree["tree_param"] = ["num_nodes": "5", "num_feature": "4", "num_deleted": "0", "size_leaf_vector": "3"]
        }
        let vectorError = try Support.loadError(Support.serialize(vectorLeaf))
        #expect(
            Support.isUnsupported(vectorError) && Support.message(vectorError).contains("multi_output_tree"),
            "\(Support.message(vectorError))")
    }

    @Test("invalid base_score values are corrupt", arguments: ["[2E0]", "[-1E-1]", "NaN", "[5E-1,5E-1]", "abc", ""])
    func invalidBaseScore(baseScore: String) throws {
        let doc = try Support.editingLearner(try Support.fixtureDocument("xgboost-cancer-binary")) { learner in
            var parameters = learner["learner_model_param"] as? [String: Any] ?? [:]
            parameters["base_score"] = baseScore
            learner["learner_model_param"] = parameters
        }
        let error = try Support.loadError(Support.serialize(doc))
        #expect(Support.isCorrupt(error) && Support.message(error).contains("base_score"), "\(baseScore): \(Support.message(error))")
    }

    @Test(
        "files that are not models are corrupt",
        arguments: [
            ("empty", [UInt8]()),
            ("text", Array("hello, world\n".utf8)),
            ("random bytes", (0..<600).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
            ("a JSON array", Array("[1, 2, 3]".utf8)),
            ("JSON without a learner", Array(#"{"version": [3, 2, 0]}"#.utf8)),
            ("UBJSON without a learner", Array("{i\u{1}aZ}".utf8)),
        ])
    func garbage(name: String, bytes: [UInt8]) throws {
        let error = try Support.loadError(bytes, named: "model.bst")
        #expect(Support.isCorrupt(error), "\(name): \(Support.message(error))")
    }

    @Test("the deprecated binary format and pickles are unsupported, saying how to re-save")
    func legacyFormats() throws {
        let binf =
            Array("binf".utf8) + [UInt8](repeating: 0, count: 140) + [15, 0, 0, 0, 0, 0, 0, 0] + Array("binary:logistic".utf8)
            + [6, 0, 0, 0, 0, 0, 0, 0] + Array("gbtree".utf8)
        let headerless =
            [0, 0, 0, 0x3F, 30, 0, 0, 0] + [UInt8](repeating: 0, count: 128) + [6, 0, 0, 0, 0, 0, 0, 0] + Array("gbtree".utf8)
        for bytes in [binf, headerless] {
            let error = try Support.loadError(bytes, named: "model.bst")
            #expect(Support.isUnsupported(error) && Support.message(error).contains("save_model"), "\(Support.message(error))")
        }
        let pickle: [UInt8] = [0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0]
        let error = try Support.loadError(pickle, named: "model.bst")
        #expect(Support.isUnsupported(error) && Support.message(error).contains("pickle"), "\(Support.message(error))")
    }

    static let hostileUBJSONCases: [(String, [UInt8])] = {
        let u = { (text: String) -> [UInt8] in Array(text.utf8) }
        let maxInt64: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let huge: [UInt8] = [0x3F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let one: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
        var cases: [(String, [UInt8])] = []
        cases.append(("huge typed count", u("{L") + one + u("a[$d#L") + huge + [1, 2, 3, 4]))
        cases.append(("negative count", u("{i\u{1}a[#i") + [0xFE] + u("}")))
        cases.append(("huge string length", u("{L") + maxInt64 + u("abc")))
        cases.append(("unknown marker", u("{i\u{1}aQ}")))
        cases.append(("typed container without count", u("{i\u{1}a[$d") + [0, 0, 0, 0] + u("]}")))
        cases.append(("deep nesting", u("{i\u{1}a") + [UInt8](repeating: UInt8(ascii: "["), count: 100_000)))
        cases.append(("huge object count", u("{#L") + maxInt64))
        return cases
    }()

    @Test("hostile UBJSON counts, markers and nesting are corrupt, not crashes", arguments: hostileUBJSONCases)
    func hostileUBJSON(name: String, bytes: [UInt8]) throws {
        let error = try Support.loadError(bytes, named: "model.ubj")
        #expect(Support.isCorrupt(error), "\(name): \(Support.message(error))")
    }

    @Test("deeply nested JSON is corrupt, not a stack overflow")
    func deepJSON() throws {
        let bytes = Array(#"{"learner":"#.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let error = try Support.loadError(bytes)
        #expect(Support.isCorrupt(error) && Support.message(error).contains("nested"), "\(Support.message(error))")
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        #expect(throws: ModelError.self) { try XGBoostModel.load(fileAt: "/nonexistent/isvc/model.json") }
    }

    @Test("more columns than the booster has features are refused, as XGBoost's learner refuses them")
    func tooManyColumns() throws {
        let model = try XGBoostModel.load(fileAt: try FixtureExpectation(named: "xgboost-iris-softprob").modelFile.path)
        let x = Matrix(rows: 2, columns: 5, values: [Double](repeating: 1, count: 10))
        do {
            _ = try model.predict(x)
            Issue.record("5 columns for a 4-feature booster were accepted")
        } catch {
            #expect(error.description.contains("Number of columns does not match number of features in booster"))
        }
    }

    @Test("fewer columns than features are missing values, as Booster.predict treats them")
    func fewerColumnsAreMissing() throws {
        let model = try XGBoostModel.load(fileAt: try FixtureExpectation(named: "xgboost-iris-softprob").modelFile.path)
        let short = try model.predict(Matrix(rows: 1, columns: 3, values: [6.8, 2.8, 4.8]))
        let padded = try model.predict(Matrix(rows: 1, columns: 4, values: [6.8, 2.8, 4.8, .nan]))
        #expect(short == padded)
        // xgboost 3.2.0: Booster.predict(DMatrix([[6.8, 2.8, 4.8]])) on this model.
        guard case .float32(let v) = short.values else { Issue.record("not float32"); return }
        for (a, b) in zip(v, [Float(0.05734508), 0.8892481, 0.05340678]) { #expect(abs(a - b) <= 1e-6 * b) }
        #expect(try model.predict(Matrix(rows: 2, columns: 0, values: [])).shape == [2, 3])
    }

    @Test(
        "infinite values, and values too large for float32, are refused as XGBoost refuses them",
        arguments: [Double.infinity, -Double.infinity, 1e300])
    func infiniteInput(value: Double) throws {
        let model = try XGBoostModel.load(fileAt: try FixtureExpectation(named: "xgboost-iris-softprob").modelFile.path)
        let x = Matrix(rows: 2, columns: 4, values: [5.1, 3.5, 1.4, 0.2, 6.0, value, 4.0, 1.0])
        do {
            _ = try model.predict(x)
            Issue.record("predicted on \(value)")
        } catch {
            guard case .badInput(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("row 1") && message.contains("inf"))
        }
    }
}

extension XGBoostModel {
    /// The error loading these bytes throws (via a temporary file), for tests that try many files.
    static func decodeForTesting(_ bytes: [UInt8]) throws -> ModelError? {
        try XGBoostTestSupport.loadError(bytes, named: "model.ubj")
    }
}
