import Foundation

/// The one lock in ISVCCore: a value that is only reached while holding the lock around it.
/// (`Synchronization.Mutex` would do, but needs macOS 15 and the package supports macOS 14.)
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
