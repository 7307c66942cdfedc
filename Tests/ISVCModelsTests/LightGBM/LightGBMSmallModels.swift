import Foundation
import ISVCModels

/// Small LightGBM models covering what the fixtures do not (random forest averaging, linear trees,
/// categorical splits, missing-as-zero splits, single-leaf trees, more objectives). They were
/// trained with lightgbm 4.7.0 on 200 random rows (3 features, NaN and zeros injected), saved with
/// `Booster.model_to_string()` cut at "end of trees", with the optional fields LightGBM does not
/// need to predict removed (tree_sizes, split_gain, leaf_weight/count, internal_*), and checked to
/// predict identically after that; `expected` is `Booster.predict(rows)`.
enum LightGBMSmallModels {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let expected: [Double]
        let shape: [Int]
        let text: String
        var description: String { name }
    }

    /// NaN, a zero, a value below kZeroThreshold, a negative and a huge category, 2^31.
    static let rows: [[Double]] = [
        [0.3, -0.2, 1.0], [.nan, 0.0, 3.0], [-1.5, 1e-40, 0.0], [0.0, .nan, .nan], [2.0, -3.0, -0.5],
        [10000000000.0, 0.5, 4.9], [-0.1, 0.1, 10000000000.0], [0.05, -0.01, 2147483648.0],
    ]

    static var all: [Case] { objectives + trees }
}

/// Loads a model from text through the public entry point (a temporary file).
func loadLightGBM(text: String, name: String = "model.bst") throws -> LightGBMModel {
    try loadLightGBM(bytes: Array(text.utf8), name: name)
}

func loadLightGBM(bytes: [UInt8], name: String = "model.bst") throws -> LightGBMModel {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-lgbm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent(name)
    try Data(bytes).write(to: file)
    return try LightGBMModel.load(fileAt: file.path)
}

/// The ModelError a load throws, or nil when it loads.
func lightGBMLoadError(_ text: String) -> ModelError? {
    lightGBMLoadError(bytes: Array(text.utf8))
}

func lightGBMLoadError(bytes: [UInt8]) -> ModelError? {
    do {
        _ = try loadLightGBM(bytes: bytes)
        return nil
    } catch let error as ModelError {
        return error
    } catch {
        return .badInput("not a ModelError: \(error)")
    }
}

func float64Values(_ prediction: Prediction) -> [Double] {
    if case .float64(let values) = prediction.values { return values }
    return []
}
