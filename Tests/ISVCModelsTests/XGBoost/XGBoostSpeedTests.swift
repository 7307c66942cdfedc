import Foundation
import ISVCModels
import Testing

/// How long predict takes on a small batch, the server's hot path. Prints the measurement and
/// asserts nothing about it (a shared machine's timings are noise in a test); `bench/model-speed.sh`
/// runs these in a release build.
@Suite("XGBoost speed") struct XGBoostSpeedTests {
    @Test("predict on a 2-row batch of xgboost-iris-softprob")
    func twoRowBatch() throws {
        let fixture = try FixtureExpectation(named: "xgboost-iris-softprob")
        let model = try XGBoostModel.load(fileAt: try fixture.modelFile.path)
        let x = Matrix(rows: 2, columns: 4, values: Array(fixture.rows.values.prefix(8)))
        for _ in 0..<1_000 { _ = try model.predict(x) }
        var samples: [Double] = []
        for _ in 0..<20 {
            let iterations = 2_000
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { _ = try model.predict(x) }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations))
        }
        let median = samples.sorted()[samples.count / 2]
        print("XGBoost speed: predict 2 rows of xgboost-iris-softprob (24 trees): median \(Int(median)) ns per call")
    }

    @Test("predict on a 1000-row batch of xgboost-cancer-binary")
    func largeBatch() throws {
        let fixture = try FixtureExpectation(named: "xgboost-cancer-binary")
        let model = try XGBoostModel.load(fileAt: try fixture.modelFile.path)
        var values: [Double] = []
        for i in 0..<1000 { values += fixture.rows.row(i % fixture.rows.rows) }
        let x = Matrix(rows: 1000, columns: fixture.rows.columns, values: values)
        _ = try model.predict(x)
        let start = DispatchTime.now().uptimeNanoseconds
        let iterations = Int(ProcessInfo.processInfo.environment["XGB_BENCH_ITERATIONS"] ?? "") ?? 50
        for _ in 0..<iterations { _ = try model.predict(x) }
        let perCall = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
        print("XGBoost speed: predict 1000 rows of xgboost-cancer-binary (12 trees): \(Int(perCall / 1000)) µs per call")
    }
}
