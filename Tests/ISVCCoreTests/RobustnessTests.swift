import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore

/// Broken input of every kind ends in diagnostics, never in a crash or a hang: each fixture is
/// mutated many times (deterministically) and run through the whole pipeline.
@Suite("Robustness")
struct RobustnessTests {
    static let fragments = [
        "", " ", ":", "- ", "{", "}", "[", "]", "'", "\"", "&a", "*a", "!!int", "0", "-1", "true", "~", "\t",
        "\n", "  ", "#", "---\n", "name", "kserve-container", "99999999999999999999", "1e999", ".nan",
    ]

    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let i = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[Int.random(in: 0..<lines.count, using: &rng)], at: i)
            case 2: lines[i] = String(lines[i].dropLast(Int.random(in: 0...max(0, lines[i].count), using: &rng)))
            case 3:
                let at = lines[i].isEmpty ? 0 : Int.random(in: 0...lines[i].count, using: &rng)
                let index = lines[i].index(lines[i].startIndex, offsetBy: at)
                lines[i].insert(contentsOf: fragments.randomElement(using: &rng)!, at: index)
            default:
                lines[i] = String(repeating: " ", count: Int.random(in: 0...8, using: &rng)) + lines[i].trimmingCharacters(in: .whitespaces)
            }
            if lines.isEmpty { break }
        }
        return lines.joined(separator: "\n")
    }

    @Test("mutated fixtures give diagnostics with positions, never a crash", arguments: Golden.fixtureNames())
    func mutations(_ name: String) {
        let original = Golden.read("fixtures/\(name).yaml") ?? ""
        var rng = SplitMix64(state: name.utf8.reduce(UInt64(17)) { $0 &* 31 &+ UInt64($1) })
        for _ in 0..<40 {
            let text = Self.mutate(original, &rng)
            let diagnostics = Diagnostics()
            let result = Compiler.compile([.init(path: "m.yaml", text: text)], options: Compiler.Options(), diagnostics: diagnostics)
            #expect(diagnostics.all.allSatisfy { $0.location != nil || $0.rule.hasPrefix("input") }, "\(diagnostics.all)")
            if !diagnostics.hasErrors {
                _ = PlanRenderer.yaml(result.plan)
                _ = Compiler.envoy(result, options: EnvoyOptions())
            }
        }
    }
}
