/// Decodes the trees of a gbtree model (`learner.gradient_booster.model`, xgboost's
/// src/gbm/gbtree_model.cc and src/tree/tree_model.cc) into one validated `XGBoostForest`.
///
/// Each tree is walked from its root (node 0) and renumbered depth-first so the two children of a
/// split are adjacent; a child index out of range, a node reached twice (a cycle or a shared
/// child) or a split feature >= `num_feature` is a corrupt model. Deleted nodes are unreachable
/// and dropped.
struct XGBoostTreeDecoder {
    let featureCount: Int
    let groupCount: Int

    /// The forest of `model` (an object with `trees`, `tree_info`, `gbtree_model_param`); dart
    /// models pass the weight of each tree, which is folded into its leaf values (xgboost
    /// multiplies each tree's float32 output by its weight before adding it).
    func forest(model: XGBoostField, weights: [Float]?) throws(ModelError) -> XGBoostForest {
        let treeCount = try model.member("gbtree_model_param").member("num_trees").integerParameter(in: 0...Int(Int32.max))
        let treeFields = try model.member("trees").elements()
        guard treeFields.count == treeCount else {
            throw try model.member("trees").corrupt("has \(treeFields.count) trees, num_trees is \(treeCount)")
        }
        let treeInfo = try model.member("tree_info").integers(count: treeCount)
        if let weights, weights.count != treeCount {
            throw model.corrupt("dart weight_drop has \(weights.count) weights for \(treeCount) trees")
        }

        var nodes: [XGBoostNode] = []
        var roots: [Int32] = []
        var groups: [Int32] = []
        var categorySets: [[Int32]] = []
        for (position, treeIndex) in try order(of: treeFields).enumerated() {
            let group = treeInfo[position]
            guard group >= 0, group < Int64(groupCount) else {
                throw try model.member("tree_info").corrupt("tree \(position) adds to output group \(group), the model has \(groupCount)")
            }
            roots.append(Int32(nodes.count))
            groups.append(Int32(group))
            try append(tree: treeFields[treeIndex], weight: weights?[position], to: &nodes, categorySets: &categorySets)
        }
        return XGBoostForest(nodes: nodes, roots: roots, groups: groups, categorySets: categorySets)
    }

    /// Trees are placed by their `id` (GBTreeModel::LoadModel); without ids, in file order.
    /// Returns, for each position, the index of the tree field to use.
    private func order(of trees: [XGBoostField]) throws(ModelError) -> [Int] {
        var order = Array(trees.indices)
        var seen = [Bool](repeating: false, count: trees.count)
        for (i, tree) in trees.enumerated() {
            guard let idField = try tree.optionalMember("id") else { return Array(trees.indices) }
            let id = try idField.integer()
            guard id >= 0, id < Int64(trees.count), !seen[Int(id)] else {
                throw idField.corrupt("tree id \(id) is out of range or repeated (\(trees.count) trees)")
            }
            seen[Int(id)] = true
            order[Int(id)] = i
        }
        return order
    }

    private func append(
        tree: XGBoostField, weight: Float?, to nodes: inout [XGBoostNode],
        categorySets: inout [[Int32]]
    ) throws(ModelError) {
        let parameters = try tree.member("tree_param")
        let count = try parameters.member("num_nodes").integerParameter(in: 1...Int(Int32.max))
        if let leafVector = try parameters.optionalMember("size_leaf_vector"),
            try leafVector.integerParameter(in: 0...Int(Int32.max)) > 1
        {
            throw ModelError.unsupported("\(tree.file): XGBoost vector-leaf trees (multi_strategy=\"multi_output_tree\") are not supported")
        }
        let lefts = try tree.member("left_children").integers(count: count)
        let rights = try tree.member("right_children").integers(count: count)
        let features = try tree.member("split_indices").integers(count: count)
        let conditions = try tree.member("split_conditions").floats(count: count)
        let defaultLeft = try tree.member("default_left").flags(count: count)
        let categories = try categoriesByNode(tree: tree, count: count)

        guard nodes.count + count <= Int(Int32.max) else { throw tree.corrupt("too many nodes") }
        var visited = [Bool](repeating: false, count: count)
        visited[0] = true
        var pending: [(original: Int, flat: Int)] = [(0, nodes.count)]
        nodes.append(XGBoostNode(left: -1, feature: 0, value: 0, categorySet: -1))
        while let (original, flat) = pending.popLast() {
            let left = lefts[original]
            if left == -1 {
                let leaf = conditions[original]
                nodes[flat].value = weight.map { leaf * $0 } ?? leaf
                continue
            }
            let right = rights[original]
            for child in [left, right] {
                guard child >= 0, child < Int64(count) else {
                    throw tree.corrupt("node \(original) has child \(child), the tree has \(count) nodes")
                }
                guard !visited[Int(child)] else {
                    throw tree.corrupt("node \(child) is reached twice (a cycle or a shared child, from node \(original))")
                }
                visited[Int(child)] = true
            }
            let feature = features[original]
            guard feature >= 0, feature < Int64(featureCount) else {
                throw try tree.member("split_indices").corrupt(
                    "node \(original) splits on feature \(feature), num_feature is \(featureCount)")
            }
            let firstChild = nodes.count
            nodes.append(XGBoostNode(left: -1, feature: 0, value: 0, categorySet: -1))
            nodes.append(XGBoostNode(left: -1, feature: 0, value: 0, categorySet: -1))
            nodes[flat] = XGBoostNode(
                left: Int32(firstChild),
                feature: UInt32(feature) | (defaultLeft[original] ? XGBoostNode.defaultLeftBit : 0),
                value: conditions[original],
                categorySet: -1)
            if let set = categories[original] {
                nodes[flat].categorySet = Int32(categorySets.count)
                categorySets.append(set)
            }
            pending.append((Int(right), firstChild + 1))
            pending.append((Int(left), firstChild))
        }
    }

    /// The category set of each categorical split (`split_type` 1), from the CSR-like fields
    /// `categories_nodes`, `categories_segments`, `categories_sizes`, `categories`, as
    /// RegTree::LoadCategoricalSplit reads them; a categorical split not listed has an empty set.
    private func categoriesByNode(tree: XGBoostField, count: Int) throws(ModelError) -> [Int: [Int32]] {
        guard let typeField = try tree.optionalMember("split_type") else { return [:] }
        let types = try typeField.integers(count: count)
        guard types.contains(where: { $0 != 0 }) else { return [:] }
        let nodes = try tree.member("categories_nodes").integers()
        let segments = try tree.member("categories_segments").integers(count: nodes.count)
        let sizes = try tree.member("categories_sizes").integers(count: nodes.count)
        let values = try tree.member("categories").integers()
        var listed: [Int: [Int32]] = [:]
        var previous: Int64 = -1
        for k in nodes.indices {
            let node = nodes[k], begin = segments[k], size = sizes[k]
            guard node > previous, node < Int64(count) else {
                throw try tree.member("categories_nodes").corrupt("entry \(k) is node \(node): not increasing or out of range")
            }
            previous = node
            guard begin >= 0, size >= 0, begin <= Int64(values.count) - size else {
                throw try tree.member("categories_segments").corrupt(
                    "entry \(k) spans \(begin)..<\(begin + size), categories has \(values.count)")
            }
            var set: [Int32] = []
            for c in values[Int(begin)..<Int(begin + size)] {
                guard c >= 0, c <= Int64(Int32.max) else {
                    throw try tree.member("categories").corrupt("category \(c) of node \(node) is not a valid category")
                }
                set.append(Int32(c))
            }
            listed[Int(node)] = Array(Set(set)).sorted()
        }
        var out: [Int: [Int32]] = [:]
        for (node, type) in types.enumerated() where type == 1 { out[node] = listed[node] ?? [] }
        for (node, type) in types.enumerated() where type != 0 && type != 1 {
            throw typeField.corrupt("node \(node) has split type \(type), expected 0 (numerical) or 1 (categorical)")
        }
        return out
    }
}
