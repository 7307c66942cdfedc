import Foundation
import ISVCCore
import NIOCore

/// KServe's agent batcher (`pkg/batcher/handler.go`) for one replica: V1 `:predict` requests are
/// gathered until `maxBatchSize` instances (a request is never split, so a batch may hold more) or
/// `maxLatency` since the first request of the batch, sent as one request, and each caller gets its
/// own slice of the predictions. One batch is in flight at a time; requests arriving meanwhile start
/// the next batch when it returns. Everything else passes through.
public actor RequestBatcher {
    /// What the agent answers a caller.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        /// `http.Error`: text, `nosniff`, the message and a newline.
        static func error(_ status: Int, _ message: String) -> Reply {
            Reply(
                status: status,
                headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")],
                body: Array((message + "\n").utf8))
        }
    }

    /// The replica's answer to a batch: status and body.
    public typealias Send = @Sendable (_ path: String, _ body: [UInt8]) async throws -> (status: Int, body: [UInt8])
    /// Told of each batch sent: its instances and whether it failed (for `/metrics` and the log).
    public typealias Sent = @Sendable (_ instances: Int, _ failed: Bool) -> Void

    struct Waiting {
        var instances: [String]
        var continuation: CheckedContinuation<Reply, Never>
    }

    let maxBatchSize: Int
    let maxLatency: Duration
    let send: Send
    let sent: Sent
    private var batch: [Waiting] = []
    private var count = 0
    private var path = ""
    private var start: ContinuousClock.Instant = .now
    private var inFlight = false
    private var timer: Task<Void, Never>?
    /// Batches sent, and the instances in each (for tests and the log).
    public private(set) var sentSizes: [Int] = []

    public init(settings: AgentSettings.Batcher, sent: @escaping Sent = { _, _ in }, send: @escaping Send) {
        self.sent = sent
        maxBatchSize = settings.maxBatchSize > 0 ? settings.maxBatchSize : 32
        maxLatency = .milliseconds(settings.maxLatencyMilliseconds > 0 ? settings.maxLatencyMilliseconds : 5000)
        self.send = send
    }

    /// Whether the batcher takes a request on this path (`:predict$`); others go straight through.
    public nonisolated static func batches(path: String) -> Bool {
        (path.split(separator: "?", maxSplits: 1).first ?? "").hasSuffix(":predict")
    }

    /// One caller's request: its body is read as `{"instances": [...]}` (anything else is the agent's 400).
    public func submit(path: String, body: [UInt8]) async -> Reply {
        // json.Unmarshal into Request: null leaves it empty; an object needs instances to be an array
        // (or null); anything else is an error.
        let parsed =
            GoJSONScanner.isValid(body)
            ? try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) : nil
        let object: [String: Any]
        switch parsed {
        case is NSNull: object = [:]
        case let o as [String: Any] where o["instances"] == nil || o["instances"] is [Any] || o["instances"] is NSNull: object = o
        default: return .error(400, "can't Unmarshal body")
        }
        let instances = (object["instances"] as? [Any] ?? []).map(GoJSON.value)
        guard !instances.isEmpty else { return .error(400, "no instances in the request") }
        return await withCheckedContinuation { continuation in
            if batch.isEmpty { start = .now }
            self.path = path
            batch.append(Waiting(instances: instances, continuation: continuation))
            count += instances.count
            check()
        }
    }

    /// Fires the batch when it is full or old enough, unless one is in flight; else waits for the
    /// batch's latency to run out.
    private func check() {
        guard !inFlight, !batch.isEmpty else { return }
        if count >= maxBatchSize || ContinuousClock.now - start >= maxLatency {
            fire()
            return
        }
        if timer == nil {
            let deadline = start + maxLatency
            timer = Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                await self?.timerFired()
            }
        }
    }

    private func timerFired() {
        timer = nil
        check()
    }

    private func fire() {
        timer?.cancel()
        timer = nil
        let waiting = batch
        let instances = waiting.flatMap(\.instances)
        let path = path
        batch = []
        count = 0
        inFlight = true
        sentSizes.append(instances.count)
        let body = Array(("{\"instances\":[" + instances.joined(separator: ",") + "]}").utf8)
        let send = send
        let sent = sent
        Task {
            let answer = try? await send(path, body)
            sent(instances.count, answer?.status != 200)
            await self.finish(waiting, instances: instances.count, answer: answer)
        }
    }

    private func finish(_ waiting: [Waiting], instances: Int, answer: (status: Int, body: [UInt8])?) {
        for (waiter, reply) in zip(waiting, Self.replies(waiting.map(\.instances.count), total: instances, answer: answer)) {
            waiter.continuation.resume(returning: reply)
        }
        inFlight = false
        // Requests that arrived meanwhile start their batch now.
        if !batch.isEmpty { start = .now }
        check()
    }

    /// Each caller's reply (`batchPredict`): its slice of the predictions with the batch's id, or the
    /// batch's failure for everyone.
    static func replies(_ sizes: [Int], total: Int, answer: (status: Int, body: [UInt8])?) -> [Reply] {
        func reply(_ message: String, batchID: String, predictions: [String]?) -> Reply {
            let list = predictions.map { "[" + $0.joined(separator: ",") + "]" } ?? "null"
            let json = "{\"message\":\(GoJSON.quote(message)),\"batchId\":\(GoJSON.quote(batchID)),\"predictions\":\(list)}"
            // Written without WriteHeader: 200, and Go sniffs JSON text as text/plain.
            return Reply(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(json.utf8))
        }
        guard let answer else {
            // The agent's proxy answers 502 with an empty body when the model server cannot be reached.
            return sizes.map { _ in reply("", batchID: "", predictions: nil) }
        }
        guard answer.status == 200 else {
            let body = String(decoding: answer.body, as: UTF8.self)
            return sizes.map { _ in reply(body, batchID: "", predictions: nil) }
        }
        let batchID = UUID().uuidString.lowercased()
        if let error = GoJSONScanner.firstError(answer.body) {
            return sizes.map { _ in reply(error.message, batchID: batchID, predictions: nil) }
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.body), options: [.fragmentsAllowed])) as? [String: Any]
        let predictions = (object?["predictions"] as? [Any] ?? []).map(GoJSON.value)
        guard predictions.count == total else {
            return sizes.map { _ in reply("size of prediction is not equal to the size of instances", batchID: batchID, predictions: nil) }
        }
        var offset = 0
        return sizes.map { n in
            defer { offset += n }
            return reply("", batchID: batchID, predictions: Array(predictions[offset..<offset + n]))
        }
    }
}
