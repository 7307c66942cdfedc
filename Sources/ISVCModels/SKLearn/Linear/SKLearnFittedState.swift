/// Reading and validating the fitted attributes of a pickled scikit-learn estimator: every shape is
/// checked here, at load time, so that predict can index flat arrays without further checks.
struct SKLearnFittedState {
    let object: PickleObject

    init(_ object: PickleObject) { self.object = object }

    var name: String { object.shortName }

    /// A load-time error naming the class and the field.
    func inconsistent(_ field: String, _ reason: String) -> ModelError {
        ModelError.corrupt(file: "pickled \(name)", reason: "\(name).\(field) \(reason)")
    }

    func has(_ field: String) -> Bool {
        guard let value = object[field] else { return false }
        return !value.isNone
    }

    /// A numeric array, flattened in row-major order, with its shape.
    func doubles(_ field: String) throws(ModelError) -> (shape: [Int], values: [Double]) {
        let array = try object.array(field)
        let values: [Double]
        do { values = try array.doubles() } catch {
            throw inconsistent(field, "is not numeric (dtype \(array.dtype))")
        }
        guard values.count == array.count else {
            throw inconsistent(field, "holds \(values.count) values for shape \(array.shape)")
        }
        return (array.shape, values)
    }

    /// A numeric array that must be finite (coefficients, support vectors, scales).
    func finiteDoubles(_ field: String) throws(ModelError) -> (shape: [Int], values: [Double]) {
        let result = try doubles(field)
        if result.values.contains(where: { !$0.isFinite }) {
            throw inconsistent(field, "holds a value that is not finite")
        }
        return result
    }

    /// A 1-D numeric array of exactly `count` elements (any count when nil).
    func vector(_ field: String, count: Int? = nil) throws(ModelError) -> [Double] {
        let (shape, values) = try finiteDoubles(field)
        guard shape.count == 1 else { throw inconsistent(field, "has shape \(shape), expected one dimension") }
        if let count, values.count != count {
            throw inconsistent(field, "has \(values.count) values, expected \(count)")
        }
        return values
    }

    /// A 2-D numeric array (rows, columns, row-major values).
    func matrix(_ field: String) throws(ModelError) -> (rows: Int, columns: Int, values: [Double]) {
        let (shape, values) = try finiteDoubles(field)
        guard shape.count == 2 else { throw inconsistent(field, "has shape \(shape), expected two dimensions") }
        return (shape[0], shape[1], values)
    }

    /// An integer array (int32 `_n_support`, int64 `_y`), 1-D.
    func integers(_ field: String) throws(ModelError) -> [Int] {
        let array = try object.array(field)
        let values: [Int64]
        do { values = try array.ints() } catch {
            throw inconsistent(field, "is not an integer array (dtype \(array.dtype))")
        }
        guard array.shape.count == 1, values.count == array.count else {
            throw inconsistent(field, "has shape \(array.shape), expected one dimension")
        }
        return values.map { Int(truncatingIfNeeded: $0) }
    }

    func double(_ field: String) throws(ModelError) -> Double {
        let value = try object.double(field)
        guard value.isFinite else { throw inconsistent(field, "is \(value), expected a finite number") }
        return value
    }

    func int(_ field: String) throws(ModelError) -> Int { try object.int(field) }

    func string(_ field: String) throws(ModelError) -> String { try object.string(field) }

    /// A boolean hyperparameter; `defaultValue` when the pickle predates it.
    func bool(_ field: String, default defaultValue: Bool) throws(ModelError) -> Bool {
        guard let value = object[field] else { return defaultValue }
        switch value {
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .none: return defaultValue
        default:
            if let i = value.intValue { return i != 0 }
            throw inconsistent(field, "is \(value.kindName), expected a bool")
        }
    }

    /// A string hyperparameter, or nil when absent or None.
    func optionalString(_ field: String) -> String? {
        object[field]?.stringValue
    }

    /// `n_features_in_` when the pickle has it (scikit-learn >= 0.24), checked against what the
    /// fitted arrays imply; otherwise the implied count.
    func featureCount(implied: Int?) throws(ModelError) -> Int? {
        guard has("n_features_in_") else { return implied }
        let count = try int("n_features_in_")
        guard count >= 0 else { throw inconsistent("n_features_in_", "is \(count)") }
        if let implied, implied != count {
            throw inconsistent("n_features_in_", "is \(count) but the fitted arrays have \(implied) features")
        }
        return count
    }
}
