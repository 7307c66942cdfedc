import Foundation
import Testing

@testable import ISVCModels

/// Every field of every dumped model replaced by hostile values (None, wrong types, empty, wrong
/// shapes, NaN, huge or negative numbers): decoding throws a ModelError or yields a model whose
/// predict answers or throws a ModelError; nothing crashes.
@Suite("SKLearnLinear hostile fields") struct SKLearnLinearHostileTests {
    typealias V = SKLearnLinearTestValues

    static let hostileValues: [PickleValue] = [
        .none, .string("x"), .int(-1), .int(0), .int(1_000_000_000), .float(.nan), .bool(true),
        .list([]), .global("os.system"),
        V.array([], shape: [0]), V.array([1], shape: [1]), V.array([.nan, 1, 2, 3], shape: [2, 2]),
        V.array([1, 2, 3, 4, 5, 6], shape: [3, 2]), V.array(Array(repeating: 1, count: 8), shape: [2, 2, 2]),
        V.ints([-1, -2, -3]), V.ints([Int64.max, 1]), V.strings(["a", "b"]),
    ]

    @Test("hostile fields never crash", arguments: SKLearnLinearDumpedCaseTests.names)
    func hostileFields(name: String) throws {
        let c = try SKLearnLinearDumpedCase(json: SKLearnLinearDumpedCases.all[name] ?? "")
        guard case .object(let object) = c.model, case .dict(let entries)? = object.state else {
            Issue.record("\(name) is not an object with a dict state")
            return
        }
        var decoded = 0
        for mutated in Self.mutations(of: object, entries: entries) {
            guard let estimator = try? SKLearn.estimator(from: .object(mutated)) else { continue }
            decoded += 1
            _ = try? estimator.predict(c.rows)
            _ = try? estimator.predictProbabilities(c.rows)
        }
        #expect(decoded > 0)
    }

    /// The object with each field replaced by each hostile value, and for a Pipeline, the same for
    /// every field of every step.
    static func mutations(of object: PickleObject, entries: [(key: PickleValue, value: PickleValue)]) -> [PickleObject] {
        var out: [PickleObject] = []
        for entry in entries {
            guard case .string(let field) = entry.key else { continue }
            for value in hostileValues { out.append(V.replacing(object, field, with: value)) }
        }
        guard object.shortName == "Pipeline", let steps = object["steps"]?.items else { return out }
        for (index, step) in steps.enumerated() {
            guard let pair = step.items, pair.count == 2, case .object(let inner) = pair[1],
                case .dict(let innerEntries)? = inner.state
            else { continue }
            for mutatedStep in mutations(of: inner, entries: innerEntries) {
                var newSteps = steps
                newSteps[index] = .tuple([pair[0], .object(mutatedStep)])
                out.append(V.replacing(object, "steps", with: .list(newSteps)))
            }
        }
        return out
    }

    @Test("a missing field names the field")
    func missingField() throws {
        let c = try SKLearnLinearDumpedCase(json: SKLearnLinearDumpedCases.all["svc-rbf-proba"] ?? "")
        guard case .object(let object) = c.model, case .dict(let entries)? = object.state else { return }
        let without = PickleObject(
            className: object.className, arguments: [],
            state: .dict(entries.filter { if case .string("support_vectors_") = $0.key { false } else { true } }))
        do {
            _ = try SKLearn.estimator(from: .object(without))
            Issue.record("decoded without support_vectors_")
        } catch {
            #expect(error.description.contains("SVC"))
            #expect(error.description.contains("support_vectors_"))
        }
        let noState = PickleObject(className: object.className, arguments: [], state: nil)
        #expect(throws: ModelError.self) { try SKLearn.estimator(from: .object(noState)) }
        #expect(throws: ModelError.self) { try SKLearn.estimator(from: .list([])) }
    }
}
