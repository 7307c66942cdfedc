import Foundation
import ISVCModels

/// A fixture model directory under fixtures/models (the model file only, as KServe's servers want
/// it) and, beside it, `<name>.expected.json` with the predictions its own library made (both
/// written by scripts/make-model-fixtures.py).
struct FixtureExpectation {
    let directory: URL
    let library: String
    let kind: String
    let rows: Matrix
    let predict: Expected
    let predictProba: Expected?

    struct Expected {
        let shape: [Int]
        let dtype: String
        let data: [Any]
    }

    static let root = URL(fileURLWithPath: "fixtures/models")

    /// Every fixture directory of a kind ("sklearn", "xgboost", "lightgbm").
    static func names(kind: String) -> [String] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }
        return all.filter { (try? FixtureExpectation(named: $0))?.kind == kind }.sorted()
    }

    init(named name: String) throws {
        directory = Self.root.appendingPathComponent(name)
        let data = try Data(contentsOf: Self.root.appendingPathComponent("\(name).expected.json"))
        // JSONDecoder reads numbers exactly (JSONSerialization on Linux can be an ulp or more off).
        let doc = try JSONDecoder().decode(Document.self, from: data)
        library = doc.library
        kind = doc.kind
        rows = try Matrix(rows: doc.rows.map { $0.map { $0 ?? .nan } })
        predict = doc.predict.expected
        predictProba = doc.predict_proba?.expected
    }

    private struct Document: Decodable {
        let library: String
        let kind: String
        let rows: [[Double?]]
        let predict: Tensor
        let predict_proba: Tensor?
    }

    private struct Tensor: Decodable {
        let shape: [Int]
        let dtype: String
        let data: [Scalar]
        var expected: Expected { Expected(shape: shape, dtype: dtype, data: data.map(\.value)) }
    }

    private enum Scalar: Decodable {
        case number(Double), string(String), bool(Bool), null

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else {
                self = .string(try c.decode(String.self))
            }
        }

        var value: Any {
            switch self {
            case .number(let d): NSNumber(value: d)
            case .string(let s): s
            case .bool(let b): NSNumber(value: b)
            case .null: NSNull()
            }
        }
    }

    /// The one model file in the directory.
    var modelFile: URL {
        get throws {
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            guard files.count == 1 else { throw FixtureError("\(directory.path): \(files.count) model files") }
            return directory.appendingPathComponent(files[0])
        }
    }

    private static func expected(_ t: [String: Any]) throws -> Expected {
        guard let shape = t["shape"] as? [Int], let dtype = t["dtype"] as? String, let data = t["data"] as? [Any] else {
            throw FixtureError("bad expected tensor")
        }
        return Expected(shape: shape, dtype: dtype, data: data)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Compares a Swift prediction with the library's: shape exactly, labels (ints, strings) exactly,
/// floats within `relative` (and `absolute` near zero). Returns the differences, empty when equal.
func differences(
    _ actual: Prediction, _ expected: FixtureExpectation.Expected,
    relative: Double = 1e-6, absolute: Double = 1e-9
) -> [String] {
    var out: [String] = []
    if actual.shape != expected.shape { out.append("shape \(actual.shape) != expected \(expected.shape)") }
    switch actual.values {
    case .string(let v):
        let e = expected.data.map { "\($0)" }
        if expected.dtype != "str" { out.append("dtype BYTES != expected \(expected.dtype)") }
        for (i, (a, b)) in zip(v, e).enumerated() where a != b { out.append("[\(i)] \(a) != \(b)") }
        if v.count != e.count { out.append("count \(v.count) != \(e.count)") }
        return out
    case .int64(let v):
        if expected.dtype != "int64" { out.append("dtype INT64 != expected \(expected.dtype)") }
        let e = expected.data.map { ($0 as? NSNumber)?.int64Value }
        for (i, (a, b)) in zip(v, e).enumerated() where a != b { out.append("[\(i)] \(a) != \(b.map(String.init) ?? "nil")") }
        if v.count != e.count { out.append("count \(v.count) != \(e.count)") }
        return out
    case .bool(let v):
        let e = expected.data.map { ($0 as? NSNumber)?.boolValue }
        for (i, (a, b)) in zip(v, e).enumerated() where a != b { out.append("[\(i)] \(a) != \(String(describing: b))") }
        return out
    case .float32(let v):
        if expected.dtype != "float32" { out.append("dtype FP32 != expected \(expected.dtype)") }
        out += compareFloats(v.map(Double.init), expected.data, relative: relative, absolute: absolute)
    case .float64(let v):
        if expected.dtype != "float64" { out.append("dtype FP64 != expected \(expected.dtype)") }
        out += compareFloats(v, expected.data, relative: relative, absolute: absolute)
    }
    return out
}

private func compareFloats(_ v: [Double], _ data: [Any], relative: Double, absolute: Double) -> [String] {
    var out: [String] = []
    if v.count != data.count { out.append("count \(v.count) != \(data.count)") }
    for (i, (a, raw)) in zip(v, data).enumerated() {
        let b = (raw as? NSNumber)?.doubleValue ?? .nan
        if a.isNaN && b.isNaN { continue }
        if abs(a - b) > max(absolute, relative * abs(b)) { out.append("[\(i)] \(a) != \(b)") }
    }
    return out
}
