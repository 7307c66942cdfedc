/// One node of a flattened tree. Children of a split are adjacent (`left`, `left + 1`), so the
/// walk picks a child with one addition.
struct XGBoostNode: Sendable {
    /// Absolute index of the left child in `XGBoostForest.nodes`; -1 for a leaf.
    var left: Int32
    /// The split's feature index, with `defaultLeftBit` set when missing values go left.
    var feature: UInt32
    /// The split threshold (go left when value < threshold), or the leaf value for a leaf.
    var value: Float
    /// Index into `XGBoostForest.categorySets` for a categorical split, -1 for a numerical one.
    var categorySet: Int32

    static let defaultLeftBit: UInt32 = 1 << 31
}

/// All trees of a Booster in one flat node array, validated at load time (every child and
/// feature index is in range, every tree is a tree), so that `accumulate` needs no checks.
struct XGBoostForest: Sendable {
    let nodes: [XGBoostNode]
    /// The root node of each tree, in the order xgboost sums them.
    let roots: [Int32]
    /// The output group (class or target) each tree adds to (`tree_info`).
    let groups: [Int32]
    /// Sorted categories of each categorical split: the values that go right.
    let categorySets: [[Int32]]

    /// Adds each tree's leaf for one row to its group's margin, tree by tree in float32, as
    /// xgboost's CPU predictor does (`out_predt(row, gid) += leaf`).
    /// `features` has `featureCount` values with NaN for missing; `margins` one per group.
    func accumulate(features: UnsafeBufferPointer<Float>, into margins: UnsafeMutableBufferPointer<Float>) {
        nodes.withUnsafeBufferPointer { nodes in
            roots.withUnsafeBufferPointer { roots in
                groups.withUnsafeBufferPointer { groups in
                    for t in 0..<roots.count {
                        let leaf = leafValue(nodes: nodes, root: Int(roots[t]), features: features)
                        margins[Int(groups[t])] += leaf
                    }
                }
            }
        }
    }

    @inline(__always)
    private func leafValue(
        nodes: UnsafeBufferPointer<XGBoostNode>, root: Int,
        features: UnsafeBufferPointer<Float>
    ) -> Float {
        var index = root
        while true {
            let node = nodes[index]
            if node.left < 0 { return node.value }
            let left = Int(node.left)
            let x = features[Int(node.feature & ~XGBoostNode.defaultLeftBit)]
            if x.isNaN {
                index = node.feature & XGBoostNode.defaultLeftBit != 0 ? left : left + 1
            } else if node.categorySet >= 0 {
                index = Self.inCategorySet(x, categorySets[Int(node.categorySet)]) ? left + 1 : left
            } else {
                index = x < node.value ? left : left + 1
            }
        }
    }

    /// common::Decision inverted: a value goes right when it is a valid category (0 <= x <
    /// 2^24 - 1, truncated to an integer) in the split's set; anything else goes left.
    static func inCategorySet(_ x: Float, _ set: [Int32]) -> Bool {
        guard x >= 0, x < 16_777_215 else { return false }
        let category = Int32(x)
        var low = 0, high = set.count
        while low < high {
            let mid = (low + high) / 2
            if set[mid] < category { low = mid + 1 } else { high = mid }
        }
        return low < set.count && set[low] == category
    }
}
