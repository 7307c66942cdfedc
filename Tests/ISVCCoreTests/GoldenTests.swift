import Foundation
import Testing

@testable import ISVCCore

@Suite("Golden fixtures")
struct GoldenTests {
    @Test("fixture compiles to its golden output", arguments: Golden.fixtureNames())
    func fixture(_ name: String) throws {
        let (yaml, report, exitCode) = compileFixture(name)
        Golden.check(report, against: "golden/\(name)/diagnostics.txt")
        if name.hasPrefix("error-") {
            #expect(exitCode == 1, "error fixture \(name) must fail")
        } else {
            #expect(exitCode == 0, "fixture \(name) must compile:\n\(report)")
            Golden.check(yaml, against: "golden/\(name)/compiled.yaml")
            Golden.check(envoyFixture(name), against: "golden/\(name)/envoy.yaml")
            Golden.check(statusFixture(name), against: "golden/\(name)/status.yaml")
        }
    }

    @Test("there are fixtures to test")
    func fixturesExist() {
        #expect(Golden.fixtureNames().count >= 20)
    }

    @Test("compiling twice gives the same bytes", arguments: Golden.fixtureNames().filter { !$0.hasPrefix("error-") })
    func deterministic(_ name: String) {
        #expect(compileFixture(name).yaml == compileFixture(name).yaml)
    }
}
