import Foundation
import Synchronization

/// Compiled route regexes by pattern, shared by every request (NSRegularExpression matches are
/// thread-safe). A pattern that does not compile is remembered as such.
final class RegexCache: Sendable {
    private let cache = Mutex<[String: NSRegularExpression?]>([:])

    func compiled(_ pattern: String) -> NSRegularExpression? {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        let regex = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$")
        cache.withLock { $0[pattern] = .some(regex) }
        return regex
    }
}
