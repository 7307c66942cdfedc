import Foundation
import Testing

@testable import ISVCCore

/// `isvc version` and `isvc --version`: isvc's version and the upstream versions its output mirrors.
@Suite("Command line: version")
struct CLIVersionTests {
    @Test("isvc version and --version print the same text, golden-tested")
    func version() throws {
        let cli = CLITests()
        let version = try cli.run(["version"])
        #expect(version.status == 0)
        Golden.check(version.stdout, against: "golden/cli/version.txt")
        let flag = try cli.run(["--version"])
        #expect(flag.status == 0)
        #expect(flag.stdout == version.stdout)
    }
}
