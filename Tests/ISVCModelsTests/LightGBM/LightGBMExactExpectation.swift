import Foundation
import ISVCModels

/// A fixture's rows and `predict` data as plain Doubles, for bit-for-bit comparisons with
/// LightGBM (FixtureExpectation reads numbers exactly, with JSONDecoder).
struct LightGBMExactExpectation {
    let rows: Matrix
    let predict: [Double]

    init(named name: String) throws {
        let fixture = try FixtureExpectation(named: name)
        rows = fixture.rows
        predict = try fixture.predict.data.map { value in
            guard let number = value as? NSNumber else { throw FixtureError("\(name): predict holds \(value)") }
            return number.doubleValue
        }
    }
}
