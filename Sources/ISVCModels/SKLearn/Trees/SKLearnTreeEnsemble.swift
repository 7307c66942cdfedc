/// One node of a flattened scikit-learn tree. Child indices are absolute positions in the
/// ensemble's node array; a leaf has `left == -1`.
struct SKLearnTreeNode: Sendable {
    var threshold: Double
    var left: Int32
    var right: Int32
    var feature: Int32
    var missingGoesLeft: Bool

    static func leaf() -> SKLearnTreeNode {
        SKLearnTreeNode(threshold: 0, left: -1, right: -1, feature: 0, missingGoesLeft: false)
    }
}

/// The trees of a model flattened into one node array and one leaf-value array, validated at load
/// time so that walking them can neither leave the arrays nor loop: every child index is inside
/// the array and after its parent, and every split feature is below the model's feature count.
struct SKLearnTreeEnsemble: Sendable {
    /// All trees' nodes, tree after tree.
    private(set) var nodes: [SKLearnTreeNode] = []
    /// `width` values per node (by absolute node index): class fractions or one regression value.
    private(set) var values: [Double] = []
    /// The index of each tree's root in `nodes`.
    private(set) var roots: [Int] = []
    /// Values per node (the number of classes of a classifier tree, 1 for a regression tree).
    let width: Int
    /// The number of features a row has; split features are below it.
    let featureCount: Int

    init(width: Int, featureCount: Int) {
        self.width = width
        self.featureCount = featureCount
    }

    var treeCount: Int { roots.count }

    /// Appends one tree given as parallel node fields (indices relative to the tree) and its
    /// node-major values, after checking them. `owner` names the tree in error messages
    /// ("RandomForestClassifier.estimators_[3].tree_").
    mutating func append(
        left: [Int64], right: [Int64], feature: [Int64], threshold: [Double],
        missingGoesLeft: [Int64], values treeValues: [Double],
        owner: String
    ) throws(ModelError) {
        let count = left.count
        guard count > 0 else { throw SKLearnTreeError.corrupt(owner, "the tree has no nodes") }
        guard right.count == count, feature.count == count, threshold.count == count,
            missingGoesLeft.count == count
        else {
            throw SKLearnTreeError.corrupt(owner, "node fields have different lengths")
        }
        guard treeValues.count == count * width else {
            throw SKLearnTreeError.corrupt(owner, "values has \(treeValues.count) elements, expected \(count) x \(width)")
        }
        let base = nodes.count
        guard base + count < Int(Int32.max) else {
            throw SKLearnTreeError.unsupported(owner, "more than \(Int32.max) nodes in one model")
        }
        nodes.reserveCapacity(base + count)
        for i in 0..<count {
            let l = left[i]
            if l == -1 {
                nodes.append(.leaf())
                continue
            }
            let r = right[i], f = feature[i]
            guard l > Int64(i), l < Int64(count) else {
                throw SKLearnTreeError.corrupt(
                    owner, "node \(i): left_child \(l) is not a later node of the \(count) (out of range or a cycle)")
            }
            guard r > Int64(i), r < Int64(count) else {
                throw SKLearnTreeError.corrupt(
                    owner, "node \(i): right_child \(r) is not a later node of the \(count) (out of range or a cycle)")
            }
            guard f >= 0, f < Int64(featureCount) else {
                throw SKLearnTreeError.corrupt(owner, "node \(i): feature \(f) is out of range for \(featureCount) features")
            }
            nodes.append(
                SKLearnTreeNode(
                    threshold: threshold[i], left: Int32(Int(l) + base),
                    right: Int32(Int(r) + base), feature: Int32(f),
                    missingGoesLeft: missingGoesLeft[i] != 0))
        }
        values.append(contentsOf: treeValues)
        roots.append(base)
    }
}

extension SKLearnTreeEnsemble {
    /// The absolute index of the leaf a row reaches from `root`, as scikit-learn's `Tree.apply`:
    /// `x <= threshold` goes left, NaN follows `missing_go_to_left`. `x` holds rows already
    /// rounded to Float32 (and widened back); the row starts at `rowStart`.
    @inline(__always)
    static func leaf(
        from root: Int, nodes: UnsafeBufferPointer<SKLearnTreeNode>,
        x: UnsafeBufferPointer<Double>, rowStart: Int
    ) -> Int {
        var index = root
        while true {
            let node = nodes[index]
            if node.left < 0 { return index }
            let value = x[rowStart &+ Int(node.feature)]
            if value <= node.threshold {
                index = Int(node.left)
            } else if value.isNaN {
                index = Int(node.missingGoesLeft ? node.left : node.right)
            } else {
                index = Int(node.right)
            }
        }
    }
}
