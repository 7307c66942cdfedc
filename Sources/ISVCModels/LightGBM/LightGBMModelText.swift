/// The sections of a LightGBM text model (`Booster.save_model`, gbdt_model_text.cpp): the header's
/// key=value lines and one key=value table per `Tree=N` block, located as LightGBM locates them
/// (by the byte offsets of `tree_sizes` when present, else one block after another), followed by
/// `end of trees`. The feature importances and parameters after it are not needed to predict.
struct LightGBMModelText {
    /// One `Tree=N` block: its fields and the 1-based line where the block starts (for messages).
    struct TreeBlock {
        let title: String
        let line: Int
        let fields: [String: String]
    }

    let header: [String: String]
    let trees: [TreeBlock]

    /// The most lines a tree block has (LightGBM reads at most 22; a linear tree writes 20).
    private static let maxTreeLines = 64

    init(bytes: [UInt8], file: String) throws(ModelError) {
        func corrupt(_ reason: String) -> ModelError { .corrupt(file: file, reason: reason) }
        if bytes.isEmpty { throw corrupt("the file is empty") }
        if bytes.contains(0) || String(validating: bytes, as: UTF8.self) == nil {
            throw corrupt("binary data, not a LightGBM text model (lgbserver loads the text written by Booster.save_model)")
        }
        let lines = Self.lines(bytes)
        guard let first = lines.firstIndex(where: { !$0.isEmpty }) else { throw corrupt("the file has no text") }
        let firstText = lines[first].text(bytes)
        if firstText.hasPrefix("{") || firstText.hasPrefix("[") {
            throw corrupt("this is JSON (Booster.dump_model?), not a LightGBM text model; save the model with Booster.save_model")
        }
        guard firstText == "tree" else {
            throw corrupt("the first line is '\(Self.clip(firstText))', a LightGBM text model starts with 'tree'")
        }

        // Header: key=value lines up to the first tree (or the end of trees when there is none).
        var header: [String: String] = [:]
        var cursor = first + 1
        while cursor < lines.count {
            let line = lines[cursor].text(bytes)
            if line.hasPrefix("Tree=") || line == "end of trees" { break }
            if !line.isEmpty {
                let (key, value) = try Self.headerField(line, lineNumber: cursor + 1, file: file)
                header[key] = value
            }
            cursor += 1
        }
        guard cursor < lines.count else { throw corrupt("no 'Tree=' block and no 'end of trees' line: the file is truncated") }
        self.header = header

        var trees: [TreeBlock] = []
        var endLine: Int
        if let sizesText = header["tree_sizes"] {
            // Tree i starts tree_sizes[0] + ... + tree_sizes[i-1] bytes after the first tree's line.
            var offset = lines[cursor].start
            for (i, word) in Self.words(sizesText).enumerated() {
                guard let size = Int(word), size > 0 else { throw corrupt("tree_sizes[\(i)] is '\(Self.clip(word))', not a positive size") }
                guard let lineIndex = Self.lineIndex(startingAt: offset, in: lines) else {
                    throw corrupt(
                        "Tree \(i) would start at byte \(offset) (from tree_sizes), past the end of the file or inside a line: the file is truncated or tree_sizes is wrong"
                    )
                }
                let (block, _) = try Self.treeBlock(at: lineIndex, lines: lines, bytes: bytes, file: file)
                trees.append(block)
                let (next, overflow) = offset.addingReportingOverflow(size)
                guard !overflow else { throw corrupt("tree_sizes[\(i)] = \(size) is too large") }
                offset = next
            }
            guard let afterTrees = Self.lineIndex(startingAt: offset, in: lines) else {
                throw corrupt(
                    "the trees end at byte \(offset) (from tree_sizes), past the end of the file: the file is truncated or tree_sizes is wrong"
                )
            }
            endLine = afterTrees
        } else {
            endLine = cursor
            while endLine < lines.count {
                let line = lines[endLine].text(bytes)
                if line.isEmpty { endLine += 1; continue }
                guard line.hasPrefix("Tree=") else { break }
                let (block, next) = try Self.treeBlock(at: endLine, lines: lines, bytes: bytes, file: file)
                trees.append(block)
                endLine = next
            }
        }
        while endLine < lines.count && lines[endLine].isEmpty { endLine += 1 }
        guard endLine < lines.count else { throw corrupt("no 'end of trees' line after \(trees.count) trees: the file is truncated") }
        let ending = lines[endLine].text(bytes)
        guard ending == "end of trees" else {
            throw corrupt("line \(endLine + 1) is '\(Self.clip(ending))' where 'end of trees' should follow tree \(trees.count - 1)")
        }
        self.trees = trees
    }

    /// A header line as LightGBM splits it: on '=' with empty parts dropped; one part is a key
    /// with an empty value, and only feature_names and monotone_constraints may hold more '='.
    private static func headerField(_ line: String, lineNumber: Int, file: String) throws(ModelError) -> (String, String) {
        let parts = line.split(separator: "=", omittingEmptySubsequences: true)
        switch parts.count {
        case 1: return (String(parts[0]), "")
        case 2: return (String(parts[0]), String(parts[1]))
        default:
            let key = String(parts[0])
            guard key == "feature_names" || key == "monotone_constraints" else {
                throw ModelError.corrupt(file: file, reason: "line \(lineNumber) '\(clip(line))' has more than one '='")
            }
            return (key, String(line.dropFirst(key.count + 1)))
        }
    }

    /// The block whose `Tree=N` line is `lines[index]`: key=value lines up to a blank line.
    /// Returns the block and the index of the line after its blank line.
    private static func treeBlock(
        at index: Int, lines: [Line], bytes: [UInt8],
        file: String
    ) throws(ModelError) -> (TreeBlock, Int) {
        let title = lines[index].text(bytes)
        guard title.hasPrefix("Tree=") else {
            throw ModelError.corrupt(
                file: file,
                reason: "line \(index + 1) is '\(clip(title))' where a 'Tree=' block should start (tree_sizes does not match the file)")
        }
        var fields: [String: String] = [:]
        var cursor = index + 1
        while true {
            guard cursor < lines.count else {
                throw ModelError.corrupt(
                    file: file, reason: "\(title) (line \(index + 1)) ends without a blank line: the file is truncated")
            }
            if lines[cursor].isEmpty { break }
            guard cursor - index <= maxTreeLines else {
                throw ModelError.corrupt(file: file, reason: "\(title) (line \(index + 1)) has more than \(maxTreeLines) lines")
            }
            let line = lines[cursor].text(bytes)
            guard let equals = line.firstIndex(of: "=") else {
                throw ModelError.corrupt(file: file, reason: "line \(cursor + 1) '\(clip(line))' in \(title) is not key=value")
            }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            cursor += 1
        }
        return (TreeBlock(title: title, line: index + 1, fields: fields), cursor + 1)
    }

    /// A line's byte range, without its line ending ("\n", "\r\n" or "\r").
    struct Line {
        let start: Int
        let end: Int
        var isEmpty: Bool { start == end }
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }
    }

    private static func lines(_ bytes: [UInt8]) -> [Line] {
        var out: [Line] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                out.append(Line(start: start, end: i))
                if b == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { out.append(Line(start: start, end: bytes.count)) }
        return out
    }

    /// The line that starts exactly at byte `offset`, if any.
    private static func lineIndex(startingAt offset: Int, in lines: [Line]) -> Int? {
        var low = 0, high = lines.count
        while low < high {
            let mid = (low + high) / 2
            if lines[mid].start < offset { low = mid + 1 } else { high = mid }
        }
        return low < lines.count && lines[low].start == offset ? low : nil
    }

    /// Space-separated words, empty ones dropped (LightGBM's Common::Split).
    static func words(_ text: String) -> [Substring] {
        text.split(separator: " ", omittingEmptySubsequences: true)
    }

    /// At most 80 characters of a line, for messages.
    static func clip(_ text: some StringProtocol) -> String {
        text.count > 80 ? String(text.prefix(80)) + "…" : String(text)
    }
}
