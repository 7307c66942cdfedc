/// One tree of a LightGBM text model, read as LightGBM's `Tree(const char*)` (src/io/tree.cpp) reads
/// it and validated so prediction can index without checks: array lengths match num_leaves,
/// children are in range and form a tree, split features and category sets are in range.
/// Internal nodes are 0..<num_leaves-1; a child < 0 is the leaf ~child.
struct LightGBMTree {
    struct LinearLeaves {
        /// Per leaf: the constant, then (feature, coefficient) terms.
        let constants: [Double]
        let features: [[Int]]
        let coefficients: [[Double]]
    }

    let leafValues: [Double]
    let splitFeatures: [Int]
    let thresholds: [Double]
    /// decision_type: bit 0 categorical, bit 1 default left, bits 2-3 missing type (0 none, 1 zero, 2 NaN).
    let decisionTypes: [Int]
    let leftChildren: [Int]
    let rightChildren: [Int]
    /// num_cat > 0: LightGBM only honours the categorical bit then.
    let hasCategorical: Bool
    /// cat_boundaries (num_cat + 1 word offsets) into cat_threshold (bitsets of categories going left).
    let categoryBoundaries: [Int]
    let categoryBits: [UInt32]
    let linear: LinearLeaves?

    var leafCount: Int { leafValues.count }

    init(_ fields: LightGBMFields, featureCount: Int) throws(ModelError) {
        let leafCount = try fields.int("num_leaves")
        guard leafCount >= 1 else { throw fields.corrupt("num_leaves=\(leafCount), a tree has at least one leaf") }
        let categoryCount = try fields.int("num_cat")
        guard categoryCount >= 0 else { throw fields.corrupt("num_cat=\(categoryCount) is negative") }
        leafValues = try fields.doubles("leaf_value", count: leafCount)
        let isLinear = fields.has("is_linear") ? try fields.int("is_linear") != 0 : false

        let nodeCount = leafCount - 1
        if nodeCount == 0 && !isLinear {
            (splitFeatures, thresholds, decisionTypes, leftChildren, rightChildren) = ([], [], [], [], [])
            (hasCategorical, categoryBoundaries, categoryBits, linear) = (false, [], [], nil)
            return
        }
        leftChildren = try fields.ints("left_child", count: nodeCount)
        rightChildren = try fields.ints("right_child", count: nodeCount)
        splitFeatures = try fields.ints("split_feature", count: nodeCount)
        thresholds = try fields.doubles("threshold", count: nodeCount)
        decisionTypes =
            fields.has("decision_type")
            ? try fields.ints("decision_type", count: nodeCount) : Array(repeating: 0, count: nodeCount)

        for (i, feature) in splitFeatures.enumerated() where !(0..<featureCount).contains(feature) {
            throw fields.corrupt(
                "split_feature[\(i)] = \(feature) is out of range: the model has \(featureCount) features (max_feature_idx=\(featureCount - 1))"
            )
        }
        for (i, type) in decisionTypes.enumerated() where !(0...127).contains(type) {
            throw fields.corrupt("decision_type[\(i)] = \(type) is not a decision type (0...127)")
        }
        try Self.checkStructure(left: leftChildren, right: rightChildren, leafCount: leafCount, fields)

        hasCategorical = categoryCount > 0
        if hasCategorical {
            categoryBoundaries = try fields.ints("cat_boundaries", count: categoryCount + 1)
            for i in 0..<categoryCount where categoryBoundaries[i] < 0 || categoryBoundaries[i] > categoryBoundaries[i + 1] {
                throw fields.corrupt("cat_boundaries is not a non-decreasing list of offsets at index \(i)")
            }
            let wordCount = categoryBoundaries[categoryCount]
            let words = LightGBMModelText.words(try fields.string("cat_threshold"))
            guard words.count == wordCount else {
                throw fields.corrupt("cat_threshold has \(words.count) values, cat_boundaries ends at \(wordCount)")
            }
            var bits: [UInt32] = []
            bits.reserveCapacity(wordCount)
            for (i, word) in words.enumerated() {
                guard let value = UInt32(word) else {
                    throw fields.corrupt("cat_threshold[\(i)] = '\(LightGBMModelText.clip(word))' is not a 32-bit bitset word")
                }
                bits.append(value)
            }
            categoryBits = bits
            for node in 0..<nodeCount where decisionTypes[node] & 1 != 0 {
                let index = thresholds[node]
                guard index > -1, index < Double(categoryCount) else {
                    throw fields.corrupt(
                        "threshold[\(node)] = \(index) of a categorical split is not a category set index (num_cat=\(categoryCount))")
                }
            }
        } else {
            (categoryBoundaries, categoryBits) = ([], [])
        }
        linear = isLinear ? try Self.linearLeaves(fields, leafCount: leafCount, featureCount: featureCount) : nil
    }

    /// Every child index is a node or leaf of this tree, and walking from the root reaches each at
    /// most once (no cycles, no shared subtrees), so a prediction always ends at a leaf.
    private static func checkStructure(
        left: [Int], right: [Int], leafCount: Int,
        _ fields: LightGBMFields
    ) throws(ModelError) {
        let nodeCount = left.count
        guard nodeCount > 0 else { return }
        for (name, children) in [("left_child", left), ("right_child", right)] {
            for (i, child) in children.enumerated() where child >= nodeCount || child < -leafCount {
                throw fields.corrupt(
                    "\(name)[\(i)] = \(child) is out of range: the tree has \(nodeCount) internal nodes (0...\(nodeCount - 1)) and \(leafCount) leaves (-1...-\(leafCount))"
                )
            }
        }
        var seenNodes = [Bool](repeating: false, count: nodeCount)
        var seenLeaves = [Bool](repeating: false, count: leafCount)
        var stack = [0]
        seenNodes[0] = true
        while let node = stack.popLast() {
            for child in [left[node], right[node]] {
                if child >= 0 {
                    guard !seenNodes[child] else {
                        throw fields.corrupt(
                            "node \(child) is reached twice from the root (through node \(node)): the children do not form a tree")
                    }
                    seenNodes[child] = true
                    stack.append(child)
                } else {
                    guard !seenLeaves[~child] else {
                        throw fields.corrupt(
                            "leaf \(~child) is reached twice from the root (through node \(node)): the children do not form a tree")
                    }
                    seenLeaves[~child] = true
                }
            }
        }
    }

    /// A linear tree's per-leaf models: leaf_const, num_features, leaf_features, leaf_coeff.
    private static func linearLeaves(
        _ fields: LightGBMFields, leafCount: Int,
        featureCount: Int
    ) throws(ModelError) -> LinearLeaves {
        let constants =
            fields.has("leaf_const")
            ? try fields.doubles("leaf_const", count: leafCount) : Array(repeating: 0, count: leafCount)
        var features = [[Int]](repeating: [], count: leafCount)
        var coefficients = [[Double]](repeating: [], count: leafCount)
        if fields.has("num_features") {
            let counts = try fields.ints("num_features", count: leafCount)
            var total = 0
            for (i, count) in counts.enumerated() {
                guard count >= 0, count <= featureCount else {
                    throw fields.corrupt("num_features[\(i)] = \(count) is not a feature count (0...\(featureCount))")
                }
                total += count
            }
            if total > 0 {
                let allFeatures = try fields.ints("leaf_features", count: total)
                let allCoefficients = try fields.doubles("leaf_coeff", count: total)
                for (i, feature) in allFeatures.enumerated() where !(0..<featureCount).contains(feature) {
                    throw fields.corrupt("leaf_features[\(i)] = \(feature) is out of range: the model has \(featureCount) features")
                }
                var start = 0
                for (leaf, count) in counts.enumerated() {
                    features[leaf] = Array(allFeatures[start..<(start + count)])
                    coefficients[leaf] = Array(allCoefficients[start..<(start + count)])
                    start += count
                }
            }
        }
        return LinearLeaves(constants: constants, features: features, coefficients: coefficients)
    }
}
