import Foundation

/// KServe's three predictive model servers and how each finds its model file in the model
/// directory (python/{sklearnserver,xgbserver,lgbserver}/*/model.py).
public enum ModelServerKind: String, Sendable, CaseIterable {
    case sklearn
    case xgboost
    case lightgbm

    /// The server image name in KServe's ClusterServingRuntimes (`kserve/sklearnserver:<tag>`).
    public var imageName: String {
        switch self {
        case .sklearn: "kserve/sklearnserver"
        case .xgboost: "kserve/xgbserver"
        case .lightgbm: "kserve/lgbserver"
        }
    }

    /// File name endings the server loads; any other file in the directory is ignored.
    public var modelFileExtensions: [String] {
        switch self {
        case .sklearn: [".joblib", ".pkl", ".pickle"]
        case .xgboost: [".bst", ".json", ".ubj"]
        case .lightgbm: [".bst"]
        }
    }

    /// The server for a container image (`kserve/sklearnserver:v0.20.0`, any registry prefix), if any.
    public init?(image: String) {
        var repository = image
        if let at = repository.firstIndex(of: "@") { repository = String(repository[..<at]) }
        if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") {
            repository = String(repository[..<colon])
        }
        guard let kind = Self.allCases.first(where: { repository == $0.imageName || repository.hasSuffix("/" + $0.imageName) })
        else { return nil }
        self = kind
    }

    /// The one model file in `directory`, as the server picks it: regular files with one of its
    /// endings; none is KServe's ModelMissingError, more than one its RuntimeError.
    public func modelFile(in directory: URL) throws(ModelError) -> URL {
        let fm = FileManager.default
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: directory.path) } catch {
            throw ModelError.missingModel("model directory \(directory.path) cannot be read: \(error.localizedDescription)")
        }
        let files = names.sorted().filter { name in
            var isDirectory: ObjCBool = false
            return modelFileExtensions.contains { name.hasSuffix($0) }
                && fm.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        guard let first = files.first else {
            throw ModelError.missingModel(
                "no model file in \(directory.path): the \(rawValue) server loads one file ending in "
                    + modelFileExtensions.joined(separator: ", ")
                    + (names.isEmpty ? " (the directory is empty)" : " (found: \(names.sorted().joined(separator: ", ")))"))
        }
        guard files.count == 1 else {
            throw ModelError.missingModel(
                "More than one model file is detected, Only one is allowed within model_dir: "
                    + files.map { directory.appendingPathComponent($0).path }.joined(separator: ", "))
        }
        return directory.appendingPathComponent(first)
    }

    /// Loads the model file of a directory into a predictor.
    public func load(directory: URL, options: ServedModel.Options = .init()) throws(ModelError) -> ServedModel {
        let file = try modelFile(in: directory)
        let estimator: any Estimator
        do {
            switch self {
            case .sklearn: estimator = try SKLearn.estimator(from: PickleReader.read(fileAt: file.path))
            case .xgboost: estimator = try XGBoostModel.load(fileAt: file.path)
            case .lightgbm: estimator = try LightGBMModel.load(fileAt: file.path)
            }
        } catch {
            throw error.naming(file: file.path)
        }
        return ServedModel(kind: self, file: file, estimator: estimator, options: options)
    }
}
