import Testing

@testable import ISVCServe

@Suite("Queue-proxy breaker")
struct QueueProxyTests {
    @Test("containerConcurrency 1: one in flight, ten waiting, the twelfth refused at once")
    func breaker() async throws {
        let queue = QueueProxy(containerConcurrency: 1)
        let gate = Gate()
        var tasks: [Task<Result<Int, Error>, Never>] = []
        for i in 0..<11 {
            tasks.append(
                Task {
                    await Result(catching: {
                        try await queue.run(timeout: .seconds(10)) {
                            await gate.wait(); return i
                        }
                    })
                })
        }
        // Wait until one runs and ten wait.
        for _ in 0..<200 where queue.pending < 10 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(queue.active == 1)
        #expect(queue.pending == 10)
        await #expect(throws: QueueProxy.Refusal.queueFull) {
            try await queue.run(timeout: .seconds(1)) { 0 }
        }
        await gate.open()
        var done = 0
        for t in tasks { if case .success = await t.value { done += 1 } }
        #expect(done == 11)
        #expect(queue.active == 0)
    }

    @Test("a request that waits past its deadline is refused")
    func timeout() async throws {
        let queue = QueueProxy(containerConcurrency: 1)
        let gate = Gate()
        let holder = Task { try await queue.run(timeout: .seconds(5)) { await gate.wait() } }
        for _ in 0..<100 where queue.active == 0 { try await Task.sleep(for: .milliseconds(10)) }
        await #expect(throws: QueueProxy.Refusal.timedOut) {
            try await queue.run(timeout: .milliseconds(100)) { 0 }
        }
        await gate.open()
        _ = try await holder.value
    }

    @Test("under contention: never more than containerConcurrency in flight, every request served in turn")
    func contention() async throws {
        let queue = QueueProxy(containerConcurrency: 2)
        let peak = Peak()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    for _ in 0..<50 {
                        try await queue.run(timeout: .seconds(30)) {
                            await peak.enter(queue.active)
                            await Task.yield()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await peak.max == 2)
        #expect(await peak.count == 1000)
        #expect(queue.active == 0 && queue.pending == 0)
    }

    @Test("a waiting request whose task is cancelled leaves the queue at once")
    func cancelledWaiter() async throws {
        let queue = QueueProxy(containerConcurrency: 1)
        let gate = Gate()
        let holder = Task { try await queue.run(timeout: .seconds(30)) { await gate.wait() } }
        for _ in 0..<500 where queue.active == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let waiter = Task { try await queue.run(timeout: .seconds(60)) { 1 } }
        for _ in 0..<500 where queue.pending == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(queue.pending == 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(queue.pending == 0 && queue.active == 1)
        // Cancelled before it even looked: refused, never queued.
        let early = Task { () async throws -> Int in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await queue.run(timeout: .seconds(60)) { 1 }
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(queue.pending == 0)
        await gate.open()
        _ = try await holder.value
        #expect(queue.active == 0)
    }

    @Test("containerConcurrency 0 is unlimited")
    func unlimited() async throws {
        let queue = QueueProxy(containerConcurrency: 0)
        let gate = Gate()
        let tasks = (0..<50).map { _ in Task { try await queue.run(timeout: .seconds(5)) { await gate.wait() } } }
        for _ in 0..<200 where queue.active < 50 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(queue.active == 50)
        await gate.open()
        for t in tasks { _ = try await t.value }
    }
}

/// The highest value seen, and how many were.
actor Peak {
    private(set) var max = 0
    private(set) var count = 0
    func enter(_ value: Int) {
        max = Swift.max(max, value)
        count += 1
    }
}

/// Holds tasks until opened.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }
    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
