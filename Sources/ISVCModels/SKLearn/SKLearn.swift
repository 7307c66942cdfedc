/// scikit-learn estimators decoded from a pickle (never executed): the dispatch from a class name to
/// the decoder that turns its fitted state into a Swift `Estimator` or `Transformer`.
public enum SKLearn {
    /// One step of a model: a predictor, or a preprocessing step of a Pipeline.
    public enum Step: Sendable {
        case estimator(any Estimator)
        case transformer(any Transformer)
    }

    public typealias Decoder = @Sendable (PickleObject) throws(ModelError) -> Step

    /// Decoders by short class name ("SVC"); each family registers its own.
    static let decoders: [String: Decoder] = SKLearnLinearFamily.decoders
        .merging(SKLearnTreeFamily.decoders) { first, _ in first }

    /// The class names isvc can run, sorted, for error messages and the README.
    public static var supportedClasses: [String] { decoders.keys.sorted() }

    /// Decodes one fitted estimator or transformer (recursively for a Pipeline's steps).
    public static func decode(_ value: PickleValue) throws(ModelError) -> Step {
        guard let object = value.object else {
            throw ModelError.unsupported("expected a fitted scikit-learn estimator, found \(value.kindName)")
        }
        guard let decoder = decoders[object.shortName] else {
            throw ModelError.unsupported(
                "scikit-learn class \(object.className) is not supported; isvc runs \(supportedClasses.joined(separator: ", "))")
        }
        return try decoder(object)
    }

    /// Decodes the top-level object of a model file into something that predicts.
    public static func estimator(from value: PickleValue) throws(ModelError) -> any Estimator {
        switch try decode(value) {
        case .estimator(let e): return e
        case .transformer:
            throw ModelError.unsupported("the model file holds a transformer (\(value.object?.shortName ?? "?")) with no predict")
        }
    }
}

extension PickleValue {
    /// A short name of what the value is, for error messages.
    public var kindName: String {
        switch self {
        case .none: "None"
        case .bool: "a bool"
        case .int, .bigInt: "an int"
        case .float: "a float"
        case .string: "a str"
        case .bytes: "bytes"
        case .list: "a list"
        case .tuple: "a tuple"
        case .set: "a set"
        case .dict: "a dict"
        case .global(let name): "a reference to \(name)"
        case .object(let o): "an instance of \(o.className)"
        case .array(let a): "a numpy array of dtype \(a.dtype)"
        }
    }
}
