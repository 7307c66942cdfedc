import Foundation

/// Notices edits of the input files, as `isvc serve --watch` needs: it looks at each file's size,
/// modification time and inode twice a second (an editor that saves by renaming a new file over the
/// old one changes the inode), and reports a change once the files have stayed the same for a
/// moment, so that a save in several writes is read whole.
public struct InputWatcher: Sendable {
    public let paths: [String]
    public let interval: Duration
    public let settle: Duration

    public init(paths: [String], interval: Duration = .milliseconds(500), settle: Duration = .milliseconds(200)) {
        self.paths = paths
        self.interval = interval
        self.settle = settle
    }

    struct Stamp: Equatable {
        var size: UInt64
        var modified: Date
        var inode: UInt64
    }

    /// Each file's stamp now (nil for a file that cannot be seen: deleted while an editor saves).
    func stamps() -> [Stamp?] {
        paths.map { path in
            guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            return Stamp(
                size: (a[.size] as? NSNumber)?.uint64Value ?? 0, modified: a[.modificationDate] as? Date ?? .distantPast,
                inode: (a[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)
        }
    }

    /// Calls `changed` after each edit until the task is cancelled; one call at a time.
    public func run(_ changed: @Sendable () async -> Void) async {
        var last = stamps()
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            var now = stamps()
            guard now != last else { continue }
            // Wait until the files hold still.
            while !Task.isCancelled {
                try? await Task.sleep(for: settle)
                let again = stamps()
                if again == now { break }
                now = again
            }
            last = now
            await changed()
        }
    }
}
