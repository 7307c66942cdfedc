import Testing

@testable import ISVCCore

@Suite("Parallel stages")
struct ConcurrencyTests {
    @Test("Parallel.map gives results in index order, in parallel or not")
    func mapOrder() {
        for count in [0, 1, 5, 63, 64, 1_000] {
            #expect(Parallel.map(count) { $0 * 3 } == (0..<count).map { $0 * 3 })
        }
    }

    @Test("one Diagnostics shared by parallel jobs keeps every diagnostic")
    func sharedDiagnostics() {
        let diagnostics = Diagnostics(strict: true)
        _ = Parallel.map(2_000, threshold: 2) { i in
            diagnostics.report("w\(i)", at: nil, rule: SchemaRule.unknownField)
            return diagnostics.hasErrors
        }
        #expect(diagnostics.all.count == 2_000)
        #expect(diagnostics.errorCount == 2_000)
        #expect(Set(diagnostics.all.map(\.message)).count == 2_000)
    }

    @Test("schema patterns are cached per instance, and one instance answers parallel checks")
    func patterns() {
        let patterns = SchemaPatterns()
        let quantity = #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#
        let texts = ["100m", "1Gi", "2", "x", "1.5e3", "--1"]
        let expected = texts.map { SchemaPatterns().matches($0, quantity) }
        #expect(expected == [true, true, true, false, true, false])
        let found = Parallel.map(600, threshold: 2) { i in patterns.matches(texts[i % texts.count], quantity) }
        #expect(found == (0..<600).map { expected[$0 % texts.count] })
        #expect(SchemaPatterns().matches("anything", "(unclosed"))
    }
}
