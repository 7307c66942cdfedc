import Foundation
import ISVCModels
import Testing

/// A regression model on one feature `x` (`featureInfos` its range or categories) with one tree,
/// given as its lines after `Tree=0` up to `shrinkage`. No tree_sizes line, so the trees are read
/// one after another.
private func oneFeatureModel(featureInfos: String, tree: String) -> String {
    """
    tree
    version=v4
    num_class=1
    num_tree_per_iteration=1
    label_index=0
    max_feature_idx=0
    objective=regression
    feature_names=x
    feature_infos=\(featureInfos)

    Tree=0
    \(tree)
    shrinkage=1


    end of trees

    """
}

/// A one-split model: feature 0 against `threshold` with `decisionType`, left leaf 1, right leaf 2.
private func numericalModel(threshold: String, decisionType: Int) -> String {
    oneFeatureModel(
        featureInfos: "[-1:1]",
        tree: """
            num_leaves=2
            num_cat=0
            split_feature=0
            threshold=\(threshold)
            decision_type=\(decisionType)
            left_child=-1
            right_child=-2
            leaf_value=1 2
            """)
}

/// Two categorical splits on feature 0: set 0 = {0, 40} goes to leaf 1, then set 1 = {2} to leaf 2, else leaf 3.
private func categoricalModel(decisionType: Int) -> String {
    oneFeatureModel(
        featureInfos: "0:2:40",
        tree: """
            num_leaves=3
            num_cat=2
            split_feature=0 0
            threshold=0 1
            decision_type=\(decisionType) \(decisionType)
            left_child=-1 -2
            right_child=1 -3
            leaf_value=1 2 3
            cat_boundaries=0 2 3
            cat_threshold=1 256 4
            """)
}

private func predictColumn(_ model: LightGBMModel, _ values: [Double]) throws -> [Double] {
    float64Values(try model.predict(Matrix(rows: values.count, columns: 1, values: values)))
}

@Suite("LightGBM decisions") struct LightGBMDecisionTests {
    /// NaN, 0, ±1e-36 (below kZeroThreshold), 0.3, 1, -1, -0.0.
    static let numericalRows: [Double] = [.nan, 0, 1e-36, -1e-36, 0.3, 1, -1, -0.0]

    /// (threshold, decision_type, leaves reached) as lightgbm 4.7.0's Booster.predict answers.
    /// decision_type: 0/2 missing None (NaN becomes 0), 4/6 missing Zero (zero and NaN take the
    /// default side), 8/10 missing NaN (only NaN does); +2 means the default side is left.
    static let numericalCases: [(String, Int, [Double])] = [
        ("0.5", 0, [1, 1, 1, 1, 1, 2, 1, 1]), ("0.5", 2, [1, 1, 1, 1, 1, 2, 1, 1]),
        ("0.5", 4, [2, 2, 2, 2, 1, 2, 1, 2]), ("0.5", 6, [1, 1, 1, 1, 1, 2, 1, 1]),
        ("0.5", 8, [2, 1, 1, 1, 1, 2, 1, 1]), ("0.5", 10, [1, 1, 1, 1, 1, 2, 1, 1]),
        ("-0.5", 0, [2, 2, 2, 2, 2, 2, 1, 2]), ("-0.5", 2, [2, 2, 2, 2, 2, 2, 1, 2]),
        ("-0.5", 4, [2, 2, 2, 2, 2, 2, 1, 2]), ("-0.5", 6, [1, 1, 1, 1, 2, 2, 1, 1]),
        ("-0.5", 8, [2, 2, 2, 2, 2, 2, 1, 2]), ("-0.5", 10, [1, 2, 2, 2, 2, 2, 1, 2]),
        ("0", 0, [1, 1, 1, 1, 2, 2, 1, 1]), ("0", 4, [2, 2, 2, 2, 2, 2, 1, 2]),
        ("0", 8, [2, 1, 1, 1, 2, 2, 1, 1]), ("0", 10, [1, 1, 1, 1, 2, 2, 1, 1]),
        // Values within kZeroThreshold of 0 reach the trees as 0 (LightGBM's dense-row reader).
        ("5e-37", 0, [1, 1, 1, 1, 2, 2, 1, 1]), ("-5e-37", 0, [2, 2, 2, 2, 2, 2, 1, 2]),
        ("-5e-37", 8, [2, 2, 2, 2, 2, 2, 1, 2]),
    ]

    @Test("NumericalDecision: missing types, default side, x <= threshold goes left", arguments: numericalCases.indices)
    func numerical(index: Int) throws {
        let (threshold, type, expected) = Self.numericalCases[index]
        let model = try loadLightGBM(text: numericalModel(threshold: threshold, decisionType: type))
        #expect(try predictColumn(model, Self.numericalRows) == expected, "threshold \(threshold), decision_type \(type)")
    }

    @Test(
        "CategoricalDecision: bitsets over cat_threshold; NaN, negatives and values past int32 go right",
        arguments: [1, 3, 5, 9, 11])
    func categorical(decisionType: Int) throws {
        let model = try loadLightGBM(text: categoricalModel(decisionType: decisionType))
        let rows: [Double] = [0, -0.5, .nan, 40, 40.7, 41, 1, 2, 2.9, 64, -1, 1e10, -3e9, 1e-40]
        let expected: [Double] = [1, 1, 3, 1, 1, 3, 3, 2, 2, 3, 3, 3, 3, 1]  // lightgbm 4.7.0
        #expect(try predictColumn(model, rows) == expected)
    }

    @Test("the categorical bit is ignored in a tree with num_cat=0 (LightGBM decides numerically)")
    func categoricalBitWithoutCategories() throws {
        let model = try loadLightGBM(text: numericalModel(threshold: "0.5", decisionType: 1))
        #expect(try predictColumn(model, [0.2, 0.7, 40]) == [1, 2, 2])
    }

    @Test("small trained models match Booster.predict bit for bit", arguments: LightGBMSmallModels.all)
    func smallModel(_ model: LightGBMSmallModels.Case) throws {
        let loaded = try loadLightGBM(text: model.text)
        let prediction = try loaded.predict(Matrix(rows: LightGBMSmallModels.rows))
        #expect(prediction.shape == model.shape)
        let got = float64Values(prediction)
        #expect(got.count == model.expected.count)
        for (i, (a, b)) in zip(got, model.expected).enumerated() {
            #expect(a.bitPattern == b.bitPattern, "\(model.name)[\(i)]: \(a) != \(b) (bit for bit)")
        }
    }

    @Test("a single-leaf tree adds its leaf value; a model of only such trees predicts a constant")
    func singleLeaf() throws {
        let text = numericalModel(threshold: "0.5", decisionType: 0)
            .replacingOccurrences(of: "num_leaves=2", with: "num_leaves=1")
            .replacingOccurrences(of: "leaf_value=1 2", with: "leaf_value=0.25")
        let model = try loadLightGBM(text: text)
        #expect(try predictColumn(model, [.nan, -3, 7]) == [0.25, 0.25, 0.25])
    }
}
