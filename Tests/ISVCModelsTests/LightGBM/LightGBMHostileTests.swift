import Foundation
import ISVCModels
import Testing

/// A two-split model (nodes 0 and 1, leaves 0..2) that loads; each test breaks one thing.
private let validModel = """
    tree
    version=v4
    num_class=1
    num_tree_per_iteration=1
    label_index=0
    max_feature_idx=1
    objective=binary sigmoid:1
    feature_names=a b
    feature_infos=[-1:1] [-1:1]

    Tree=0
    num_leaves=3
    num_cat=0
    split_feature=0 1
    threshold=0.5 -0.25
    decision_type=2 10
    left_child=1 -1
    right_child=-2 -3
    leaf_value=0.1 -0.2 0.3
    shrinkage=1


    end of trees

    """

private func broken(_ old: String, _ new: String) -> String {
    precondition(validModel.contains(old), "test setup: '\(old)' not in the model")
    return validModel.replacingOccurrences(of: old, with: new)
}

private func isCorrupt(_ error: ModelError?, mentioning text: String) -> Bool {
    guard case .corrupt(let file, let reason) = error else { return false }
    return file.hasSuffix("model.bst") && reason.contains(text)
}

@Suite("LightGBM hostile input") struct LightGBMHostileTests {
    @Test("the base model of these tests loads and predicts")
    func baseModelLoads() throws {
        let model = try loadLightGBM(text: validModel)
        let p = float64Values(try model.predict(Matrix(rows: [[0, 0], [1, 0], [0, -1]])))
        let expected = [0.3, -0.2, 0.1].map { 1 / (1 + exp(-$0)) }
        #expect(p == expected)
    }

    static let fixtureText: [UInt8] = {
        let url = FixtureExpectation.root.appendingPathComponent("lightgbm-cancer-binary/model.bst")
        return (try? [UInt8](Data(contentsOf: url))) ?? []
    }()

    /// Offsets in the header, at and inside the first tree, between trees, inside the last tree,
    /// and inside "end of trees".
    static var truncationOffsets: [Int] {
        let text = String(decoding: fixtureText, as: UTF8.self)
        func offset(of needle: String, plus delta: Int = 0) -> Int {
            guard let range = text.range(of: needle) else { return 1 }
            return text.utf8.distance(from: text.startIndex, to: range.lowerBound) + delta
        }
        return [
            1, 5, 40, offset(of: "feature_infos=", plus: 30), offset(of: "Tree=0"), offset(of: "Tree=0", plus: 3),
            offset(of: "Tree=0", plus: 200), offset(of: "Tree=5"), offset(of: "Tree=11", plus: 500),
            offset(of: "end of trees", plus: -2), offset(of: "end of trees"), offset(of: "end of trees", plus: 6),
        ]
    }

    @Test("a truncated model file is refused", arguments: truncationOffsets)
    func truncated(at offset: Int) {
        #expect(Self.fixtureText.count > 10_000)
        let error = lightGBMLoadError(bytes: Array(Self.fixtureText.prefix(offset)))
        guard case .corrupt = error else {
            Issue.record("truncated at \(offset): expected ModelError.corrupt, got \(String(describing: error))")
            return
        }
    }

    @Test("the sections after 'end of trees' are not needed: cut there, the model predicts the same")
    func cutAfterTrees() throws {
        let text = String(decoding: Self.fixtureText, as: UTF8.self)
        let cut = try #require(text.range(of: "end of trees\n"))
        let fixture = try FixtureExpectation(named: "lightgbm-cancer-binary")
        let model = try loadLightGBM(text: String(text[..<cut.upperBound]))
        #expect(differences(try model.predict(fixture.rows), fixture.predict) == [])
    }

    /// (edits to the base model, what the error must say).
    static let brokenModels: [([(String, String)], String)] = [
        ([("left_child=1 -1", "left_child=5 -1")], "left_child[0] = 5 is out of range"),
        ([("right_child=-2 -3", "right_child=-2 -4")], "right_child[1] = -4 is out of range"),
        ([("left_child=1 -1", "left_child=1 0")], "node 0 is reached twice"),
        ([("right_child=-2 -3", "right_child=-2 -1")], "leaf 0 is reached twice"),
        ([("split_feature=0 1", "split_feature=0 2")], "split_feature[1] = 2 is out of range"),
        ([("split_feature=0 1", "split_feature=0 -1")], "split_feature[1] = -1 is out of range"),
        ([("leaf_value=0.1 -0.2 0.3", "leaf_value=0.1 -0.2")], "leaf_value has 2 values, expected 3"),
        ([("threshold=0.5 -0.25", "threshold=0.5 abc")], "threshold[1] = 'abc' is not a number"),
        ([("decision_type=2 10", "decision_type=2 200")], "decision_type[1] = 200"),
        ([("num_leaves=3", "num_leaves=0")], "num_leaves=0"),
        ([("num_leaves=3", "num_leaves=x")], "num_leaves='x' is not an integer"),
        ([("left_child=1 -1\n", "")], "'left_child' is missing"),
        ([("max_feature_idx=1", "max_feature_idx=2")], "feature_names has 2 entries"),
        ([("num_class=1", "num_class=2")], "num_tree_per_iteration=1 differs from num_class=2"),
        ([("objective=binary sigmoid:1", "objective=binary")], "sigmoid parameter must be greater than zero"),
        ([("objective=binary sigmoid:1", "objective=multiclass num_class:3")], "num_class:3 but the header says num_class=1"),
        ([("\n\nend of trees", "\n\nend of forest")], "'end of forest' where 'end of trees' should follow"),
        ([("num_class=1\n", "")], "the field 'num_class' is missing"),
        ([("max_feature_idx=1", "max_feature_idx=1=2")], "has more than one '='"),
        ([("num_cat=0", "num_cat=1\ncat_boundaries=0 1\ncat_threshold=1 2")], "cat_threshold has 2 values, cat_boundaries ends at 1"),
        ([("num_cat=0", "num_cat=1\ncat_boundaries=1 0\ncat_threshold=")], "cat_boundaries is not a non-decreasing"),
        (
            [
                ("num_cat=0", "num_cat=1\ncat_boundaries=0 1\ncat_threshold=-1"), ("decision_type=2 10", "decision_type=1 10"),
                ("threshold=0.5", "threshold=0"),
            ], "cat_threshold[0] = '-1'"
        ),
        (
            [
                ("num_cat=0", "num_cat=1\ncat_boundaries=0 1\ncat_threshold=1"), ("decision_type=2 10", "decision_type=1 10"),
                ("threshold=0.5", "threshold=1.5"),
            ], "threshold[0] = 1.5 of a categorical split"
        ),
    ]

    @Test("a model with an inconsistent field is refused, naming the field", arguments: brokenModels.indices)
    func brokenField(index: Int) {
        let (edits, message) = Self.brokenModels[index]
        var text = validModel
        for (old, new) in edits {
            #expect(text.contains(old), "test setup: '\(old)' not in the model")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let error = lightGBMLoadError(text)
        #expect(isCorrupt(error, mentioning: message), "\(String(describing: error))")
    }

    @Test("a tree with category sets but only numerical splits loads")
    func categorySetsUnused() {
        #expect(lightGBMLoadError(broken("num_cat=0", "num_cat=1\ncat_boundaries=0 1\ncat_threshold=1")) == nil)
    }

    @Test("tree_sizes that do not match the trees are refused")
    func wrongTreeSizes() {
        let text = broken("feature_infos=[-1:1] [-1:1]\n", "feature_infos=[-1:1] [-1:1]\ntree_sizes=100\n")
        #expect(isCorrupt(lightGBMLoadError(text), mentioning: "tree_sizes"))
    }

    @Test("an unknown objective is unsupported")
    func unknownObjective() {
        let error = lightGBMLoadError(broken("objective=binary sigmoid:1", "objective=survival"))
        guard case .unsupported(let message) = error else {
            Issue.record("expected ModelError.unsupported, got \(String(describing: error))")
            return
        }
        #expect(message.contains("'survival' is not supported") && message.contains("model.bst"))
    }

    @Test("a JSON dump (Booster.dump_model) is refused with a clear reason")
    func jsonDump() {
        let json = #"{"name":"tree","version":"v4","num_class":1,"num_tree_per_iteration":1,"tree_info":[]}"#
        #expect(isCorrupt(lightGBMLoadError(json), mentioning: "JSON"))
    }

    @Test("binary data and other text files are refused")
    func notAModel() throws {
        #expect(isCorrupt(lightGBMLoadError(bytes: [0x62, 0x69, 0x6e, 0x66, 0x00, 0x01, 0xff, 0x10]), mentioning: "binary data"))
        #expect(isCorrupt(lightGBMLoadError(bytes: [0xff, 0xfe, 0x80]), mentioning: "binary data"))
        #expect(isCorrupt(lightGBMLoadError(bytes: []), mentioning: "empty"))
        #expect(isCorrupt(lightGBMLoadError("this is a text file, not a model\n"), mentioning: "starts with 'tree'"))
        let pickle = FixtureExpectation.root.appendingPathComponent("sklearn-iris-logreg-pickle4")
        for name in try FileManager.default.contentsOfDirectory(atPath: pickle.path) {
            let bytes = try [UInt8](Data(contentsOf: pickle.appendingPathComponent(name)))
            #expect(isCorrupt(lightGBMLoadError(bytes: bytes), mentioning: "binary data"))
        }
    }

    @Test("a missing file is reported as a missing model")
    func missingFile() {
        #expect(throws: ModelError.self) { try LightGBMModel.load(fileAt: "/nonexistent/model.bst") }
    }
}
