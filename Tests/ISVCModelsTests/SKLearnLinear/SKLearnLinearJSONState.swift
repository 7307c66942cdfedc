import Foundation

@testable import ISVCModels

/// Builds `PickleValue` trees by hand for tests: from Swift values, or from the JSON form of a fitted
/// estimator's `__dict__` (scalars tagged {"i": n} / {"f": x}, arrays {"nd": shape, "dtype", "data"},
/// {"tuple": [...]}, {"dict": [[key, value], ...]}, {"object": class, "state": ...}).
enum SKLearnLinearTestValues {
    static func array(_ values: [Double], shape: [Int]) -> PickleValue {
        .array(NDArray(shape: shape, dtype: "<f8", elements: .float(values)))
    }

    static func ints(_ values: [Int64], shape: [Int]? = nil, dtype: String = "<i8") -> PickleValue {
        .array(NDArray(shape: shape ?? [values.count], dtype: dtype, elements: .int(values)))
    }

    static func strings(_ values: [String]) -> PickleValue {
        .array(NDArray(shape: [values.count], dtype: "<U10", elements: .string(values)))
    }

    static func object(_ className: String, _ state: [(String, PickleValue)]) -> PickleObject {
        PickleObject(
            className: className, arguments: [],
            state: .dict(state.map { (key: PickleValue.string($0.0), value: $0.1) }))
    }

    /// A copy of an object with one state field replaced (or added).
    static func replacing(_ object: PickleObject, _ field: String, with value: PickleValue) -> PickleObject {
        guard case .dict(var entries)? = object.state else { return object }
        if let i = entries.firstIndex(where: { if case .string(let k) = $0.key { k == field } else { false } }) {
            entries[i].value = value
        } else {
            entries.append((key: .string(field), value: value))
        }
        return PickleObject(className: object.className, arguments: object.arguments, state: .dict(entries))
    }

    static func fromJSON(_ json: Any?) throws -> PickleValue {
        guard let json, !(json is NSNull) else { return .none }
        if let s = json as? String { return .string(s) }
        if let list = json as? [Any] { return .list(try list.map(fromJSON)) }
        guard let d = json as? [String: Any] else {
            // Untagged numbers are JSON booleans (ints and floats are tagged).
            if let n = json as? NSNumber { return .bool(n.boolValue) }
            throw FixtureError("unexpected JSON \(json)")
        }
        if let i = d["i"] as? NSNumber { return .int(i.int64Value) }
        if let f = d["f"] { return .float(try double(f)) }
        if let t = d["tuple"] as? [Any] { return .tuple(try t.map(fromJSON)) }
        if let entries = d["dict"] as? [[Any]] {
            return .dict(try entries.map { (key: try fromJSON($0[0]), value: try fromJSON($0[1])) })
        }
        if let className = d["object"] as? String {
            return .object(PickleObject(className: className, arguments: [], state: try fromJSON(d["state"])))
        }
        if let shape = d["nd"] as? [Int], let dtype = d["dtype"] as? String, let data = d["data"] as? [Any] {
            return .array(NDArray(shape: shape, dtype: dtype, elements: try elements(dtype: dtype, data)))
        }
        throw FixtureError("unexpected JSON object \(d.keys.sorted())")
    }

    private static func double(_ raw: Any) throws -> Double {
        if let n = raw as? NSNumber { return n.doubleValue }
        switch raw as? String {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: throw FixtureError("bad float \(raw)")
        }
    }

    private static func elements(dtype: String, _ data: [Any]) throws -> NDArray.Elements {
        let kind = dtype.dropFirst().first ?? "?"
        let values = try data.map(fromJSON)
        switch kind {
        case "f": return .float(values.map { $0.doubleValue ?? .nan })
        case "i", "u": return .int(values.map { Int64($0.intValue ?? 0) })
        case "b": return .bool(values.map { if case .bool(let b) = $0 { b } else { false } })
        case "U", "S": return .string(values.map { $0.stringValue ?? "" })
        case "O": return .object(values)
        default: throw FixtureError("unsupported dtype \(dtype)")
        }
    }
}

/// A model dumped from Python with its predictions (written by scripts/make-sklearn-linear-test-cases.py).
struct SKLearnLinearDumpedCase {
    let name: String
    let model: PickleValue
    let rows: Matrix
    let predict: FixtureExpectation.Expected
    let predictProba: FixtureExpectation.Expected?

    init(json: String) throws {
        guard let doc = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let rows = doc["rows"] as? [[Double]], let predict = doc["predict"] as? [String: Any],
            let shape = predict["shape"] as? [Int], let data = predict["data"] as? [Any]
        else {
            throw FixtureError("bad dumped case")
        }
        name = doc["name"] as? String ?? "?"
        model = try SKLearnLinearTestValues.fromJSON(doc["model"])
        self.rows = try Matrix(rows: rows)
        let dtype = predict["dtype"] as? String ?? "?"
        let kind: String =
            dtype.hasPrefix("<U") || dtype == "object"
            ? "str"
            : dtype.hasPrefix("int") ? "int64" : dtype
        self.predict = FixtureExpectation.Expected(shape: shape, dtype: kind, data: data)
        if let proba = doc["predict_proba"] as? [String: Any], let pShape = proba["shape"] as? [Int],
            let pData = proba["data"] as? [Any]
        {
            predictProba = FixtureExpectation.Expected(shape: pShape, dtype: "float64", data: pData)
        } else {
            predictProba = nil
        }
    }
}
