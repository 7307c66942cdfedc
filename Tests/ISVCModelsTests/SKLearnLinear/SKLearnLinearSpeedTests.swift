import Foundation
import Testing
@testable import ISVCModels

/// Predict time of KServe's example model (sklearn-iris-svc) on a 2-row batch, printed for the
/// report; the bound is loose so that a debug build on a busy machine passes.
@Suite("SKLearnLinear speed") struct SKLearnLinearSpeedTests {
    @Test("iris SVC predicts a 2-row batch quickly", .enabled(if: SKLearnLinearFixtureTests.readerWritten))
    func irisSVC() throws {
        let (fixture, estimator) = try SKLearnLinearFixtureTests.load("sklearn-iris-svc")
        let batch = Matrix(rows: 2, columns: 4, values: Array(fixture.rows.values[0..<8]))
        let iterations = 20_000
        var sink = 0
        let clock = ContinuousClock()
        _ = try estimator.predict(batch)
        let elapsed = try clock.measure {
            for _ in 0..<iterations { sink &+= try estimator.predict(batch).values.count }
        }
        let micros = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        let perBatch = micros / Double(iterations)
        print("sklearn-iris-svc: \(String(format: "%.2f", perBatch)) µs per 2-row predict (\(iterations) runs)")
        #expect(sink == 2 * iterations)
        #expect(perBatch < 1_000, "a 2-row SVC predict took \(perBatch) µs")
    }
}
