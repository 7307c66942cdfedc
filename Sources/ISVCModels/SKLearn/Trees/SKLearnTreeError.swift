/// The errors of the tree decoders. The decoders see only the decoded pickle, not its file, so a
/// message names the estimator and the field instead ("RandomForestClassifier.estimators_[2].tree_").
enum SKLearnTreeError {
    /// A fitted attribute is internally inconsistent (an index out of range, a wrong shape).
    static func corrupt(_ owner: String, _ reason: String) -> ModelError {
        .corrupt(file: "scikit-learn \(owner)", reason: reason)
    }

    /// A well-formed estimator using something isvc does not run (multi-output, a custom init).
    static func unsupported(_ owner: String, _ reason: String) -> ModelError {
        .unsupported("scikit-learn \(owner): \(reason)")
    }
}
