/// What a pickle decodes to in isvc: plain values only. Objects are never constructed; a class
/// reference (from the allow-list) is kept by name with the arguments and state the pickle gave it.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer that does not fit Int64, as its little-endian two's-complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    case set([PickleValue])
    /// Keys and values in insertion order.
    case dict([(key: PickleValue, value: PickleValue)])
    /// A reference to a global (`module.name`) that was not called.
    case global(String)
    /// An instance of an allowed class: `className(arguments...)` then `__setstate__(state)`.
    case object(PickleObject)
    /// A numpy array (plain pickle or joblib's embedded form), decoded.
    case array(NDArray)
}

public struct PickleObject: Sendable {
    /// Fully qualified: "sklearn.svm._classes.SVC".
    public var className: String
    /// The arguments of REDUCE / NEWOBJ (for `copyreg._reconstructor` and `__newobj__`, the class's own).
    public var arguments: [PickleValue]
    /// The BUILD state (a dict for most estimators), nil when none was given.
    public var state: PickleValue?

    public init(className: String, arguments: [PickleValue], state: PickleValue?) {
        self.className = className
        self.arguments = arguments
        self.state = state
    }

    /// The short class name: "SVC".
    public var shortName: String { String(className.split(separator: ".").last ?? Substring(className)) }
}

/// A numpy ndarray: shape, dtype and elements. Numeric elements are kept in the widest Swift type of
/// their kind; structured arrays (scikit-learn's tree nodes) keep their fields.
public struct NDArray: Sendable {
    public enum Elements: Sendable {
        case float([Double])  // f2, f4, f8 (values exactly as stored, widened)
        case int([Int64])  // i1..i8, u1..u4, and u8 within Int64
        case bool([Bool])
        case string([String])  // U and S dtypes
        case object([PickleValue])  // dtype object (pickled elements)
        /// A structured dtype: one array per field, each with `count` elements.
        case structured([(name: String, values: NDArray)])
    }

    public var shape: [Int]
    /// numpy's dtype string: "<f8", "<i8", "|b1", "<U6", "|O", or "V56" for a structured dtype.
    public var dtype: String
    public var elements: Elements

    public init(shape: [Int], dtype: String, elements: Elements) {
        self.shape = shape
        self.dtype = dtype
        self.elements = elements
    }

    public var count: Int { shape.reduce(1, *) }
}
