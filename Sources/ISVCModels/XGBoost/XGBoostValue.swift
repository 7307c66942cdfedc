/// A decoded XGBoost model document: what `Booster.save_model` writes, as JSON or UBJSON. Both
/// readers produce this tree, so the model decoder does not care which format the file was in.
///
/// Numbers keep the precision XGBoost gives them: its JSON numbers are float32 (`JsonNumber`
/// holds a `float`), so JSON reals and UBJSON `d` become `.float`; UBJSON `D` stays `.double`.
/// Homogeneous arrays are stored compactly (`.floats`, `.integers`) because trees are big.
indirect enum XGBoostValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Float)
    case double(Double)
    case string(String)
    case array([XGBoostValue])
    case floats([Float])
    case integers([Int64])
    case object([String: XGBoostValue])

    /// A short name of the kind of value, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .float, .double: "a number"
        case .string: "a string"
        case .array, .floats, .integers: "an array"
        case .object: "an object"
        }
    }

    /// Packs an array of parsed values into `.integers` or `.floats` when they all are one kind.
    static func packed(_ elements: [XGBoostValue]) -> XGBoostValue {
        guard let first = elements.first else { return .array([]) }
        switch first {
        case .integer:
            var out: [Int64] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                guard case .integer(let v) = element else { return .array(elements) }
                out.append(v)
            }
            return .integers(out)
        case .float:
            var out: [Float] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                guard case .float(let v) = element else { return .array(elements) }
                out.append(v)
            }
            return .floats(out)
        default:
            return .array(elements)
        }
    }
}
