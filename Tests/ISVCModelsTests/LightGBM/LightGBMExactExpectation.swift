import Foundation
import ISVCModels

/// The rows and `predict` data of a fixture's expected.json read with `Double(String)`, digit for
/// digit. (FixtureExpectation reads them with JSONSerialization, which on Linux can be off in the
/// last bit, too coarse to check that predictions are bit-for-bit LightGBM's.)
struct LightGBMExactExpectation {
    let rows: Matrix
    let predict: [Double]

    init(named name: String) throws {
        let url = FixtureExpectation.root.appendingPathComponent(name).appendingPathComponent("expected.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let rowValues = try Self.numbers(after: "\"rows\":", in: text)
        guard let predictStart = text.range(of: "\"predict\":") else { throw FixtureError("\(name): no predict") }
        predict = try Self.numbers(after: "\"data\":", in: String(text[predictStart.upperBound...])).flatMap { $0 }
        rows = try Matrix(rows: rowValues)
    }

    /// The numbers of the (one- or two-level) JSON array after `key`, grouped by inner array.
    private static func numbers(after key: String, in text: String) throws -> [[Double]] {
        guard let start = text.range(of: key) else { throw FixtureError("no \(key)") }
        var groups: [[Double]] = []
        var current: [Double] = []
        var token = ""
        var depth = 0
        func flush() throws {
            let word = token.trimmingCharacters(in: .whitespacesAndNewlines)
            token = ""
            if word.isEmpty { return }
            guard let value = word == "null" ? .nan : Double(word) else { throw FixtureError("not a number: \(word)") }
            current.append(value)
        }
        for character in text[start.upperBound...] {
            switch character {
            case "[":
                depth += 1
            case "]":
                try flush()
                depth -= 1
                if depth <= 1 && !current.isEmpty { groups.append(current); current = [] }
                if depth == 0 { return groups }
            case ",":
                try flush()
            default:
                if depth > 0 { token.append(character) }
            }
        }
        throw FixtureError("unterminated array after \(key)")
    }
}
