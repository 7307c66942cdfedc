import Foundation
import Testing

@testable import ISVCModels

/// Small models scikit-learn 1.9.1 fitted for paths the fixtures miss (SVC probabilities, binary and
/// sigmoid SVMs, break_ties, OneClassSVM, multi-target and other linear regressors, neighbour vote
/// ties and zero distances, scaler options, passthrough steps, legacy `multi_class`), decoded from
/// their `__dict__` and compared with scikit-learn's own predictions.
@Suite("SKLearnLinear dumped models") struct SKLearnLinearDumpedCaseTests {
    static let names = SKLearnLinearDumpedCases.all.keys.sorted()

    @Test("predict and predict_proba match scikit-learn", arguments: names)
    func matches(name: String) throws {
        let c = try SKLearnLinearDumpedCase(json: SKLearnLinearDumpedCases.all[name] ?? "")
        let estimator = try SKLearn.estimator(from: c.model)
        let predicted = try estimator.predict(c.rows)
        let diffs = differences(predicted, c.predict)
        #expect(diffs.isEmpty, "\(name) predict: \(diffs.prefix(5))")
        let probabilities = try estimator.predictProbabilities(c.rows)
        #expect(
            (probabilities == nil) == (c.predictProba == nil),
            "\(name): predict_proba \(probabilities == nil ? "missing" : "present") but scikit-learn's is \(c.predictProba == nil ? "absent" : "present")"
        )
        if let probabilities, let expected = c.predictProba {
            let pDiffs = differences(probabilities, expected)
            #expect(pDiffs.isEmpty, "\(name) predict_proba: \(pDiffs.prefix(5))")
        }
    }
}
