import Foundation

/// A LightGBM model read from its text form (`Booster.save_model`, what KServe's lgbserver loads
/// as `model.bst`), predicting as `Booster.predict(rows)` does: per row, the sum of each class's
/// trees over all iterations (tree i belongs to class i % num_tree_per_iteration), divided by the
/// iteration count for random forests (`average_output`), then the objective's output transform.
/// Float64 output, shape [N] for one output per row and [N, K] for K classes.
public struct LightGBMModel: Estimator {
    public var modelName: String { "Booster" }
    public var featureCount: Int? { features }

    /// max_feature_idx + 1.
    let features: Int
    /// num_class = num_tree_per_iteration: outputs per row.
    let classes: Int
    /// Trees used: num_trees / num_tree_per_iteration whole iterations (LightGBM drops a partial one).
    let iterations: Int
    let averageOutput: Bool
    let objective: LightGBMObjective
    let forest: LightGBMForest
    let hasLinearTrees: Bool

    public static func load(fileAt path: String) throws(ModelError) -> LightGBMModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.missingModel("\(path): the LightGBM model file cannot be read")
        }
        return try LightGBMModel(bytes: [UInt8](data), file: path)
    }

    init(bytes: [UInt8], file: String) throws(ModelError) {
        let text = try LightGBMModelText(bytes: bytes, file: file)
        let header = LightGBMFields(values: text.header, section: "header", file: file)
        let classes = try header.int("num_class")
        let treesPerIteration = header.has("num_tree_per_iteration") ? try header.int("num_tree_per_iteration") : classes
        guard classes >= 1 else { throw header.corrupt("num_class=\(classes) must be at least 1") }
        guard treesPerIteration == classes else {
            throw header.corrupt("num_tree_per_iteration=\(treesPerIteration) differs from num_class=\(classes)")
        }
        _ = try header.int("label_index")
        let maxFeatureIndex = try header.int("max_feature_idx")
        guard maxFeatureIndex >= 0 else { throw header.corrupt("max_feature_idx=\(maxFeatureIndex) is negative") }
        let features = maxFeatureIndex + 1
        for key in ["feature_names", "feature_infos"] {
            let count = LightGBMModelText.words(try header.string(key)).count
            guard count == features else {
                throw header.corrupt("\(key) has \(count) entries, max_feature_idx=\(maxFeatureIndex) means \(features)")
            }
        }
        let objective = try LightGBMObjective(line: text.header["objective"], classes: classes, file: file)

        var trees: [LightGBMTree] = []
        trees.reserveCapacity(text.trees.count)
        for block in text.trees {
            let fields = LightGBMFields(values: block.fields, section: "\(block.title) (line \(block.line))", file: file)
            trees.append(try LightGBMTree(fields, featureCount: features))
        }
        let iterations = trees.count / classes
        trees.removeLast(trees.count - iterations * classes)

        self.features = features
        self.classes = classes
        self.iterations = iterations
        self.averageOutput = header.has("average_output")
        self.objective = objective
        self.forest = try LightGBMForest(trees: trees, file: file)
        self.hasLinearTrees = trees.contains { $0.linear != nil }
    }

    public func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        try checkFeatures(x)
        let rows = x.rows
        if rows == 0 { return Prediction(shape: classes == 1 ? [0] : [0, classes], values: .float64([])) }
        var output = [Double](repeating: 0, count: rows * classes)
        var row = [Double](repeating: 0, count: features)
        x.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                row.withUnsafeMutableBufferPointer { buffer in
                    guard let rowPointer = buffer.baseAddress, let inputBase = input.baseAddress,
                        let outBase = out.baseAddress
                    else { return }
                    forest.withView { view in
                        for r in 0..<rows {
                            // LightGBM's dense-row reader keeps only |v| > kZeroThreshold or NaN;
                            // the rest reach the trees as 0.
                            let source = inputBase + r * features
                            for j in 0..<features {
                                let v = source[j]
                                buffer[j] = (abs(v) > LightGBMForest.zeroThreshold || v.isNaN) ? v : 0
                            }
                            let scores = UnsafeMutableBufferPointer(start: outBase + r * classes, count: classes)
                            score(view, row: rowPointer, into: scores)
                        }
                    }
                }
            }
        }
        return Prediction(shape: classes == 1 ? [rows] : [rows, classes], values: .float64(output))
    }

    /// One row: GBDT::PredictRaw (scores zeroed, then iteration by iteration each class's tree
    /// added), the average for random forests, then the objective's ConvertOutput.
    @inline(__always)
    private func score(_ view: LightGBMForest.View, row: UnsafePointer<Double>, into scores: UnsafeMutableBufferPointer<Double>) {
        var tree = 0
        for _ in 0..<iterations {
            for k in 0..<classes {
                let leaf = view.leaf(from: view.roots[tree], row: row)
                scores[k] +=
                    hasLinearTrees && forest.linearTrees[tree]
                    ? forest.linearOutput(leaf: leaf, row: row) : view.leafValues[leaf]
                tree += 1
            }
        }
        if averageOutput {
            for k in 0..<classes { scores[k] /= Double(iterations) }
        }
        objective.convert(scores)
    }
}
