/// Why a model could not be loaded or could not predict. Messages name the file and the offending
/// class or field, so a user can act on them.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not what its name says, truncated, or internally inconsistent.
    case corrupt(file: String, reason: String)
    /// A pickle refers to a class or function outside the allow-list; nothing was executed.
    case forbiddenGlobal(file: String, name: String)
    /// A well-formed model of a kind isvc cannot run (an estimator, objective or option).
    case unsupported(String)
    /// The model directory has no model file, or more than one.
    case missingModel(String)
    /// A request batch has the wrong number of features.
    case featureMismatch(model: String, expected: Int, got: Int)
    /// A request the model cannot take (ragged rows, non-numeric values).
    case badInput(String)

    public var description: String {
        switch self {
        case .corrupt(let file, let reason): "\(file): not a valid model file: \(reason)"
        case .forbiddenGlobal(let file, let name):
            "\(file): refuses to load '\(name)': not an allowed class (isvc never runs code from a pickle)"
        case .unsupported(let message): message
        case .missingModel(let message): message
        case .featureMismatch(let model, let expected, let got):
            "X has \(got) features, but \(model) is expecting \(expected) features as input."
        case .badInput(let message): message
        }
    }
}

extension ModelError {
    /// The same error, naming the model file it came from when it does not already.
    public func naming(file path: String) -> ModelError {
        switch self {
        case .corrupt(let file, let reason) where !file.hasPrefix("/") && file != path:
            return .corrupt(file: path, reason: "\(file): \(reason)")
        case .unsupported(let message) where !message.contains(path):
            return .unsupported("\(path): \(message)")
        default:
            return self
        }
    }
}
