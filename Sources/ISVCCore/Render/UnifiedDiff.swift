/// A unified diff of two texts by lines (a longest common subsequence), with 3 lines of context.
///
/// Which common subsequence is shown matters, because it decides the hunks: this is the one a
/// walk from the first lines takes when it keeps a line whenever both texts have it there, and
/// otherwise deletes before it inserts whenever deleting still allows a longest common
/// subsequence. The distances that decide "still allows" come from Myers' O((N+M)D) search run
/// from the ends of the texts (D is the number of deleted and inserted lines), so no N×M table is
/// built: memory grows with D·√D, and a large object with a few changes costs little more than
/// reading it.
public enum UnifiedDiff {
    public static func diff(
        _ old: String, _ new: String, oldName: String = "expected", newName: String = "actual",
        context: Int = 3
    ) -> String {
        render(edits(lines(old), lines(new)), oldName: oldName, newName: newName, context: context)
    }

    /// The hunks of an edit script: changes less than 2×`context` lines apart share a hunk.
    static func render(_ ops: [Op], oldName: String, newName: String, context: Int) -> String {
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

    struct Op: Equatable {
        enum Kind { case same, delete, insert }
        var kind: Kind
        var line: String
        var oldIndex: Int
        var newIndex: Int
    }

    /// The edit script from `a` to `b`: the common prefix and suffix kept, the middle by `EditWalk`.
    static func edits(_ a: [String], _ b: [String]) -> [Op] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        var ops: [Op] = (0..<prefix).map { Op(kind: .same, line: a[$0], oldIndex: $0, newIndex: $0) }
        // Lines as small integers, so the search compares numbers rather than strings.
        var ids: [String: Int32] = [:]
        func id(_ line: String) -> Int32 {
            if let known = ids[line] { return known }
            let next = Int32(ids.count)
            ids[line] = next
            return next
        }
        let am = a[prefix..<(a.count - suffix)].map(id), bm = b[prefix..<(b.count - suffix)].map(id)
        var i = 0, j = 0
        for kind in EditWalk(am, bm).steps() {
            switch kind {
            case .same:
                ops.append(Op(kind: .same, line: a[prefix + i], oldIndex: prefix + i, newIndex: prefix + j)); i += 1; j += 1
            case .delete:
                ops.append(Op(kind: .delete, line: a[prefix + i], oldIndex: prefix + i, newIndex: prefix + j)); i += 1
            case .insert:
                ops.append(Op(kind: .insert, line: b[prefix + j], oldIndex: prefix + i, newIndex: prefix + j)); j += 1
            }
        }
        let offset = a.count - suffix, newOffset = b.count - suffix
        ops += (0..<suffix).map { Op(kind: .same, line: a[offset + $0], oldIndex: offset + $0, newIndex: newOffset + $0) }
        return ops
    }
}

/// The walk through the edit graph of `a` → `b` from (0, 0) to (n, m): along a diagonal when the
/// lines are equal, else down (delete a line of `a`) when that still leaves a shortest edit
/// script, else right (insert a line of `b`).
///
/// "Still leaves a shortest script" is read from the backward frontiers of Myers' search: for
/// each number of edits d, and each diagonal k = i − j, the smallest i from which (n, m) can be
/// reached with at most d edits. The cost to reach the end never grows along a diagonal, so
/// (i, j) can reach it in d edits exactly when i is at or past that frontier. The walk needs the
/// frontiers in the order D−1, D−2, …, 0 while the search makes them 0, 1, …, D: every s-th
/// frontier (s ≈ √(n+m)) is kept from a first search, and each block of s is remade from its
/// checkpoint when the walk reaches it.
struct EditWalk {
    private let a: [Int32], b: [Int32]
    private let n: Int, m: Int
    /// The diagonal of (n, m).
    private let kEnd: Int

    init(_ a: [Int32], _ b: [Int32]) {
        self.a = a; self.b = b
        n = a.count; m = b.count
        kEnd = n - m
    }

    /// One frontier: the smallest i on the diagonals lo, lo+2, …, lo+2(count−1) (Int.max: none).
    private struct Frontier {
        var lo: Int
        var values: [Int]
        subscript(k: Int) -> Int {
            let offset = k - lo
            guard offset >= 0, offset % 2 == 0, offset / 2 < values.count else { return Int.max }
            return values[offset / 2]
        }
    }

    func steps() -> [UnifiedDiff.Op.Kind] {
        if n == 0 || m == 0 {
            return [UnifiedDiff.Op.Kind](repeating: .delete, count: n) + [UnifiedDiff.Op.Kind](repeating: .insert, count: m)
        }
        // The search from the end, until (0, 0) is reached: its d is the length D of a shortest script.
        let stride = max(1, Int(Double(n + m).squareRoot()))
        var checkpoints: [Frontier] = []
        var current = first()
        var d = 0
        while true {
            if d % stride == 0 { checkpoints.append(current) }
            if current[0] == 0 { break }
            d += 1
            current = next(current, d: d)
        }
        let total = d
        var block = -1, cached: [Frontier] = []
        func frontier(at level: Int) -> Frontier {
            if level / stride != block {
                block = level / stride
                var f = checkpoints[block]
                cached = [f]
                var l = block * stride
                while l + 1 < min(block * stride + stride, total + 1) {
                    l += 1
                    f = next(f, d: l)
                    cached.append(f)
                }
            }
            return cached[level - block * stride]
        }

        var out: [UnifiedDiff.Op.Kind] = []
        out.reserveCapacity(n + m)
        var i = 0, j = 0, cost = total
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                out.append(.same); i += 1; j += 1
                continue
            }
            if i < n, i + 1 >= frontier(at: cost - 1)[i - j + 1] {
                out.append(.delete); i += 1
            } else {
                out.append(.insert); j += 1
            }
            cost -= 1
        }
        return out
    }

    /// Frontier 0: back from (n, m) along equal lines.
    private func first() -> Frontier {
        var i = n, j = m
        while i > 0, j > 0, a[i - 1] == b[j - 1] { i -= 1; j -= 1 }
        return Frontier(lo: kEnd, values: [i])
    }

    /// Frontier d from frontier d−1: one more edit back (from diagonal k+1 by a delete, from k−1 by
    /// an insert), then back along equal lines.
    private func next(_ previous: Frontier, d: Int) -> Frontier {
        var lo = kEnd - d
        if lo < -m { lo += (-m - lo + 1) / 2 * 2 }
        var hi = kEnd + d
        if hi > n { hi -= (hi - n + 1) / 2 * 2 }
        var values: [Int] = []
        values.reserveCapacity(max(0, (hi - lo) / 2 + 1))
        var k = lo
        while k <= hi {
            var best = Int.max
            let below = previous[k + 1]
            if below != Int.max, below >= 1 { best = below - 1 }
            let beside = previous[k - 1]
            if beside != Int.max, beside - k >= 0, beside < best { best = beside }
            if best != Int.max {
                var i = best, j = best - k
                while i > 0, j > 0, a[i - 1] == b[j - 1] { i -= 1; j -= 1 }
                best = i
            }
            values.append(best)
            k += 2
        }
        return Frontier(lo: lo, values: values)
    }
}
