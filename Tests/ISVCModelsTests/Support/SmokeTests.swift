import ISVCModels
import Testing

@Suite("Fixture expectations") struct FixtureExpectationTests {
    @Test("every fixture directory has readable expectations and one model file")
    func fixturesRead() throws {
        for kind in ["sklearn", "xgboost", "lightgbm"] {
            let names = FixtureExpectation.names(kind: kind)
            #expect(!names.isEmpty, "no \(kind) fixtures")
            for name in names {
                let f = try FixtureExpectation(named: name)
                #expect(f.rows.rows > 0)
                _ = try f.modelFile
            }
        }
    }
}
