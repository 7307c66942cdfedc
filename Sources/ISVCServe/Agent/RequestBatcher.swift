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
        var instances: [GoJSONValue]
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
        guard case .success(let request) = GoJSONValue.decodeStruct(body, type: "batcher.Request", arrayFields: ["instances"]) else {
            return .error(400, "can't Unmarshal body")
        }
        let instances = request["instances"] ?? []
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
        var body = Array(#"{"instances":"#.utf8)
        GoJSONValue.array(instances).write(into: &body)
        body.append(UInt8(ascii: "}"))
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
        /// json.Marshal(Response): message (bytes, as Go's `string(responseBody)` holds them), batchId,
        /// predictions (null when there are none).
        func reply(_ message: [UInt8], batchID: String, predictions: ArraySlice<GoJSONValue>?) -> Reply {
            var json = Array(#"{"message":"#.utf8)
            GoJSONValue.writeString(message, into: &json)
            json += Array(#","batchId":"#.utf8)
            GoJSONValue.writeString(Array(batchID.utf8), into: &json)
            json += Array(#","predictions":"#.utf8)
            if let predictions {
                GoJSONValue.array(Array(predictions)).write(into: &json)
            } else {
                json += Array("null".utf8)
            }
            json.append(UInt8(ascii: "}"))
            // Written without WriteHeader: 200, and Go sniffs JSON text as text/plain.
            return Reply(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: json)
        }
        guard let answer else {
            // The agent's proxy answers 502 with an empty body when the model server cannot be reached.
            return sizes.map { _ in reply([], batchID: "", predictions: nil) }
        }
        guard answer.status == 200 else {
            return sizes.map { _ in reply(answer.body, batchID: "", predictions: nil) }
        }
        let batchID = UUID().uuidString.lowercased()
        let predictions: [GoJSONValue]
        switch GoJSONValue.decodeStruct(answer.body, type: "batcher.PredictionResponse", arrayFields: ["predictions"]) {
        case .failure(let error): return sizes.map { _ in reply(Array(error.message.utf8), batchID: batchID, predictions: nil) }
        case .success(let response): predictions = response["predictions"] ?? []
        }
        guard predictions.count == total else {
            return sizes.map { _ in
                reply(Array("size of prediction is not equal to the size of instances".utf8), batchID: batchID, predictions: nil)
            }
        }
        var offset = 0
        return sizes.map { n in
            defer { offset += n }
            return reply([], batchID: batchID, predictions: predictions[offset..<offset + n])
        }
    }
}
