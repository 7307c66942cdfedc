/// All trees of a model in flat arrays, evaluated as LightGBM's `Tree::Predict` (include/LightGBM/tree.h)
/// evaluates one tree. Every index was validated when the trees were read, so evaluation reads
/// through unchecked buffers.
struct LightGBMForest: Sendable {
    /// An internal node. A child >= 0 is a node index; a child < 0 is the leaf ~child (global).
    struct Node: Sendable {
        var threshold: Double
        var left: Int32
        var right: Int32
        var feature: Int32
        /// For categorical splits: the first word and word count of its bitset in `categoryBits`.
        var categoryStart: Int32
        var categoryWords: Int32
        /// bit 0 categorical (only when the tree has num_cat > 0), bit 1 default left, bits 2-3 missing type.
        var decision: UInt8
    }

    /// LightGBM's kZeroThreshold (1e-35f, a float widened to double).
    static let zeroThreshold = Double(Float(1e-35))

    private(set) var nodes: [Node] = []
    private(set) var leafValues: [Double] = []
    /// Per tree: the root (a node index, or ~leaf for a single-leaf tree) and whether it is linear.
    private(set) var roots: [Int32] = []
    private(set) var linearTrees: [Bool] = []
    private(set) var categoryBits: [UInt32] = []
    /// Linear trees' leaf models, indexed by global leaf: constant and a range of `linearTerms`.
    private(set) var linearConstants: [Double] = []
    private(set) var linearStart: [Int32] = []
    private(set) var linearCount: [Int32] = []
    private(set) var linearFeatures: [Int32] = []
    private(set) var linearCoefficients: [Double] = []

    var treeCount: Int { roots.count }

    init(trees: [LightGBMTree], file: String) throws(ModelError) {
        let totalNodes = trees.reduce(0) { $0 + $1.leafCount - 1 }
        let totalLeaves = trees.reduce(0) { $0 + $1.leafCount }
        let totalCategoryWords = trees.reduce(0) { $0 + $1.categoryBits.count }
        let totalLinearTerms = trees.reduce(0) { $0 + ($1.linear?.features.reduce(0) { $0 + $1.count } ?? 0) }
        guard max(totalNodes, totalLeaves, totalCategoryWords, totalLinearTerms) < Int(Int32.max) else {
            throw ModelError.corrupt(file: file, reason: "the trees are too large (\(totalNodes) nodes, \(totalLeaves) leaves)")
        }
        let anyLinear = trees.contains { $0.linear != nil }
        nodes.reserveCapacity(totalNodes)
        leafValues.reserveCapacity(totalLeaves)
        for tree in trees {
            let nodeBase = Int32(nodes.count)
            let leafBase = Int32(leafValues.count)
            let categoryBase = Int32(categoryBits.count)
            func child(_ c: Int) -> Int32 { c >= 0 ? nodeBase + Int32(c) : ~(leafBase + Int32(~c)) }
            for i in 0..<(tree.leafCount - 1) {
                let type = tree.decisionTypes[i]
                var decision = UInt8(type & 0b1110)
                var start: Int32 = 0, words: Int32 = 0
                if tree.hasCategorical && type & 1 != 0 {
                    decision |= 1
                    let set = Int(tree.thresholds[i])
                    start = categoryBase + Int32(tree.categoryBoundaries[set])
                    words = Int32(tree.categoryBoundaries[set + 1] - tree.categoryBoundaries[set])
                }
                nodes.append(
                    Node(
                        threshold: tree.thresholds[i], left: child(tree.leftChildren[i]),
                        right: child(tree.rightChildren[i]), feature: Int32(tree.splitFeatures[i]),
                        categoryStart: start, categoryWords: words, decision: decision))
            }
            roots.append(tree.leafCount > 1 ? nodeBase : ~leafBase)
            leafValues.append(contentsOf: tree.leafValues)
            categoryBits.append(contentsOf: tree.categoryBits)
            linearTrees.append(tree.linear != nil)
            if anyLinear {
                for leaf in 0..<tree.leafCount {
                    linearStart.append(Int32(linearFeatures.count))
                    if let linear = tree.linear {
                        linearConstants.append(linear.constants[leaf])
                        linearCount.append(Int32(linear.features[leaf].count))
                        linearFeatures.append(contentsOf: linear.features[leaf].map { Int32($0) })
                        linearCoefficients.append(contentsOf: linear.coefficients[leaf])
                    } else {
                        linearConstants.append(0)
                        linearCount.append(0)
                    }
                }
            }
        }
    }

    /// Read-only views of the arrays for the duration of `body`.
    struct View {
        let roots: UnsafeBufferPointer<Int32>
        let nodes: UnsafeBufferPointer<Node>
        let leafValues: UnsafeBufferPointer<Double>
        let categoryBits: UnsafeBufferPointer<UInt32>

        /// The leaf (global index) a row reaches from `root`: LightGBM's GetLeaf.
        @inline(__always)
        func leaf(from root: Int32, row: UnsafePointer<Double>) -> Int {
            var node = root
            while node >= 0 {
                let n = nodes[Int(node)]
                let x = row[Int(n.feature)]
                node = n.decision & 1 == 0 ? numerical(n, x) : categorical(n, x)
            }
            return Int(~node)
        }

        /// NumericalDecision: NaN is 0 unless the missing type is NaN; a missing value (zero for
        /// missing type Zero, NaN for NaN) takes the default side; else x <= threshold goes left.
        @inline(__always)
        func numerical(_ n: Node, _ value: Double) -> Int32 {
            let missingType = (n.decision >> 2) & 3
            var x = value
            if x.isNaN && missingType != 2 { x = 0 }
            if (missingType == 1 && x >= -LightGBMForest.zeroThreshold && x <= LightGBMForest.zeroThreshold)
                || (missingType == 2 && x.isNaN)
            {
                return n.decision & 2 != 0 ? n.left : n.right
            }
            return x <= n.threshold ? n.left : n.right
        }

        /// CategoricalDecision: the value truncated to an int (NaN and values outside int32 become
        /// INT_MIN, as x86's conversion does, so they go right, like negatives); left when its bit
        /// is set in the node's category bitset.
        @inline(__always)
        func categorical(_ n: Node, _ x: Double) -> Int32 {
            guard x > -2_147_483_649.0, x < 2_147_483_648.0 else { return n.right }
            let category = Int(x.rounded(.towardZero))
            if category < 0 { return n.right }
            let word = category >> 5
            if word >= Int(n.categoryWords) { return n.right }
            return (categoryBits[Int(n.categoryStart) + word] >> UInt32(category & 31)) & 1 != 0 ? n.left : n.right
        }
    }

    func withView<R>(_ body: (View) -> R) -> R {
        roots.withUnsafeBufferPointer { r in
            nodes.withUnsafeBufferPointer { n in
                leafValues.withUnsafeBufferPointer { l in
                    categoryBits.withUnsafeBufferPointer { c in
                        body(View(roots: r, nodes: n, leafValues: l, categoryBits: c))
                    }
                }
            }
        }
    }

    /// A linear tree's output at a leaf: Tree::Predict's linear branch (the constant plus each
    /// coefficient times its feature, in order; the plain leaf value if any of those features is NaN).
    func linearOutput(leaf: Int, row: UnsafePointer<Double>) -> Double {
        var output = linearConstants[leaf]
        let start = Int(linearStart[leaf])
        for i in start..<(start + Int(linearCount[leaf])) {
            let x = row[Int(linearFeatures[i])]
            if x.isNaN { return leafValues[leaf] }
            output += linearCoefficients[i] * x
        }
        return output
    }
}
