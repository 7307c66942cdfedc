import Dispatch

/// The one way ISVCCore's stages run work in parallel: independent jobs by index, results in index
/// order, so output and diagnostics do not depend on which core finished first.
enum Parallel {
    /// `body(i)` for every i in 0..<count, in index order: on every core when there are at least
    /// `threshold` jobs, else one after another on this thread.
    static func map<T: Sendable>(_ count: Int, threshold: Int = 64, _ body: @Sendable (Int) -> T) -> [T] {
        guard count >= max(threshold, 2) else { return (0..<count).map { body($0) } }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Each job writes its own slot, once; the array is read only after all have returned.
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: count) { i in
                (slots.base + i).initialize(to: body(i))
            }
            initialized = count
        }
    }

    private struct Slots<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T>
    }
}
