import Testing

@testable import ISVCCore

@Suite("Unified diff")
struct UnifiedDiffTests {
    /// The edit script of the N×M longest-common-subsequence table UnifiedDiff used before the
    /// Myers walk, kept as the reference the walk must reproduce step for step (it decides the hunks).
    static func tableEdits(_ a: [String], _ b: [String]) -> [UnifiedDiff.Op] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let am = Array(a[prefix..<(a.count - suffix)]), bm = Array(b[prefix..<(b.count - suffix)])
        var ops: [UnifiedDiff.Op] = (0..<prefix).map { .init(kind: .same, line: a[$0], oldIndex: $0, newIndex: $0) }
        let n = am.count, m = bm.count
        var lcs = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i][j] = am[i] == bm[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
                }
            }
        }
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, am[i] == bm[j] {
                ops.append(.init(kind: .same, line: am[i], oldIndex: prefix + i, newIndex: prefix + j)); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                ops.append(.init(kind: .delete, line: am[i], oldIndex: prefix + i, newIndex: prefix + j)); i += 1
            } else {
                ops.append(.init(kind: .insert, line: bm[j], oldIndex: prefix + i, newIndex: prefix + j)); j += 1
            }
        }
        let offset = a.count - suffix, newOffset = b.count - suffix
        ops += (0..<suffix).map { .init(kind: .same, line: a[offset + $0], oldIndex: offset + $0, newIndex: newOffset + $0) }
        return ops
    }

    /// A small deterministic generator (SplitMix64), so a failure names a seed that reproduces it.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("the Myers walk gives the same edit script and hunks as the LCS table, on random line arrays")
    func sameAsTable() {
        var rng = SplitMix(state: 12)
        for round in 0..<4000 {
            // Few distinct lines make many equal choices, where the two could disagree.
            let alphabet = Int.random(in: 1...6, using: &rng)
            let a = (0..<Int.random(in: 0...30, using: &rng)).map { _ in "l\(Int.random(in: 0..<alphabet, using: &rng))" }
            var b = a
            // Half the pairs are edits of one another (as objects are), half unrelated.
            if round % 2 == 0 {
                for _ in 0..<Int.random(in: 0...6, using: &rng) {
                    let at = Int.random(in: 0...b.count, using: &rng)
                    if Bool.random(using: &rng), at < b.count {
                        b.remove(at: at)
                    } else {
                        b.insert("l\(Int.random(in: 0..<alphabet, using: &rng))", at: at)
                    }
                }
            } else {
                b = (0..<Int.random(in: 0...30, using: &rng)).map { _ in "l\(Int.random(in: 0..<alphabet, using: &rng))" }
            }
            let expected = Self.tableEdits(a, b), actual = UnifiedDiff.edits(a, b)
            #expect(actual == expected, "round \(round): \(a) → \(b)")
            if actual != expected { return }
            for context in [0, 1, 3] {
                #expect(
                    UnifiedDiff.render(actual, oldName: "a", newName: "b", context: context)
                        == UnifiedDiff.render(expected, oldName: "a", newName: "b", context: context))
            }
        }
    }

    @Test("YAML-like objects with edits at both ends diff the same as the table")
    func yamlLike() {
        var rng = SplitMix(state: 7)
        for _ in 0..<200 {
            let count = Int.random(in: 20...120, using: &rng)
            let a = (0..<count).map { i in i % 7 == 0 ? "  - name: x" : "  key\(i % 11): \(i % 5)" }
            var b = a
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let at = Int.random(in: 0..<b.count, using: &rng)
                b[at] = "  changed: \(Int.random(in: 0..<3, using: &rng))"
            }
            #expect(UnifiedDiff.edits(a, b) == Self.tableEdits(a, b))
        }
    }

    @Test("a 5,000-line object changed at both ends and the middle diffs without an N×M table: three hunks, every line accounted for")
    func largeObject() {
        let a = (0..<5_000).map { "  field\($0): value-\($0 % 97)" }
        var b = a
        b[2] = "  field2: changed"
        b[4_997] = "  field4997: changed"
        b.insert("  inserted: line", at: 2_500)
        let ops = UnifiedDiff.edits(a, b)
        #expect(ops.filter { $0.kind == .delete }.count == 2)
        #expect(ops.filter { $0.kind == .insert }.count == 3)
        #expect(ops.filter { $0.kind == .same }.count == 4_998)
        let text = UnifiedDiff.diff(a.joined(separator: "\n") + "\n", b.joined(separator: "\n") + "\n")
        #expect(text.components(separatedBy: "\n@@ ").count == 4)
        #expect(text.contains("@@ -1,6 +1,6 @@\n"))
    }

    @Test("two unrelated 2,000-line texts: a full replacement, as the table gave")
    func unrelated() {
        let a = (0..<2_000).map { "old \($0)" }, b = (0..<2_000).map { "new \($0)" }
        let ops = UnifiedDiff.edits(a, b)
        #expect(ops.prefix(2_000).allSatisfy { $0.kind == .delete })
        #expect(ops.suffix(2_000).allSatisfy { $0.kind == .insert })
    }
}
