/// A unified diff of two texts by lines (longest common subsequence), with 3 lines of context.
public enum UnifiedDiff {
    public static func diff(_ old: String, _ new: String, oldName: String = "expected", newName: String = "actual",
                            context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let ops = edits(a, b)
        guard ops.contains(where: { $0.kind != .same }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var i = 0
        while i < ops.count {
            guard let start = ops[i...].firstIndex(where: { $0.kind != .same }) else { break }
            var end = start
            // Extend the hunk while changes are within 2*context lines of each other.
            var j = start
            while j < ops.count {
                if ops[j].kind != .same { end = j; j += 1; continue }
                let nextChange = ops[j...].firstIndex { $0.kind != .same }
                if let n = nextChange, n - end <= 2 * context { j = n } else { break }
            }
            let lo = max(i, start - context), hi = min(ops.count - 1, end + context)
            let hunk = ops[lo...hi]
            let oldCount = hunk.filter { $0.kind != .insert }.count, newCount = hunk.filter { $0.kind != .delete }.count
            // An empty range starts at the line before it (0 for an empty file), as diff -u writes it.
            let oldStart = (hunk.first?.oldIndex ?? 0) + (oldCount == 0 ? 0 : 1)
            let newStart = (hunk.first?.newIndex ?? 0) + (newCount == 0 ? 0 : 1)
            out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
            for op in hunk {
                switch op.kind {
                case .same: out += " \(op.line)\n"
                case .delete: out += "-\(op.line)\n"
                case .insert: out += "+\(op.line)\n"
                }
            }
            i = hi + 1
        }
        return out
    }

    /// The lines of a text; a final newline ends the last line rather than starting an empty one.
    static func lines(_ text: String) -> [String] {
        var l = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if l.last == "" { l.removeLast() }
        return l
    }

    struct Op {
        enum Kind { case same, delete, insert }
        var kind: Kind
        var line: String
        var oldIndex: Int
        var newIndex: Int
    }

    static func edits(_ a: [String], _ b: [String]) -> [Op] {
        // Trim the common prefix and suffix, then LCS on the middle.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let am = Array(a[prefix..<(a.count - suffix)]), bm = Array(b[prefix..<(b.count - suffix)])
        var ops: [Op] = (0..<prefix).map { Op(kind: .same, line: a[$0], oldIndex: $0, newIndex: $0) }
        let n = am.count, m = bm.count
        if n * m > 25_000_000 {
            // Too large for the table: show the middle as replaced.
            ops += am.enumerated().map { Op(kind: .delete, line: $0.element, oldIndex: prefix + $0.offset, newIndex: prefix) }
            ops += bm.enumerated().map { Op(kind: .insert, line: $0.element, oldIndex: prefix + n, newIndex: prefix + $0.offset) }
        } else {
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
                    ops.append(Op(kind: .same, line: am[i], oldIndex: prefix + i, newIndex: prefix + j)); i += 1; j += 1
                } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                    ops.append(Op(kind: .delete, line: am[i], oldIndex: prefix + i, newIndex: prefix + j)); i += 1
                } else {
                    ops.append(Op(kind: .insert, line: bm[j], oldIndex: prefix + i, newIndex: prefix + j)); j += 1
                }
            }
        }
        let offset = a.count - suffix, newOffset = b.count - suffix
        ops += (0..<suffix).map { Op(kind: .same, line: a[offset + $0], oldIndex: offset + $0, newIndex: newOffset + $0) }
        return ops
    }
}
