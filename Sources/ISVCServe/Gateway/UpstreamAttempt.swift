import Foundation
import HTTPTypes
import Hummingbird
import ISVCCore
import NIOCore
import NIOPosix

/// How long one attempt may take: the earlier of the route timeout's deadline and the per-try timeout's.
struct AttemptLimit: Sendable {
    enum Kind: Sendable { case route, perTry }
    var deadline: ContinuousClock.Instant?
    var kind: Kind

    init(route: ContinuousClock.Instant?, perTry: ContinuousClock.Instant?) {
        switch (route, perTry) {
        case let (r?, p?): (deadline, kind) = p < r ? (p, .perTry) : (r, .route)
        case let (r?, nil): (deadline, kind) = (r, .route)
        case let (nil, p?): (deadline, kind) = (p, .perTry)
        case (nil, nil): (deadline, kind) = (nil, .route)
        }
    }

    var remaining: Duration? { deadline.map { max(.zero, $0 - ContinuousClock.now) } }
    var expired: Bool { deadline.map { ContinuousClock.now >= $0 - .milliseconds(5) } ?? false }

    /// This limit fired: a per-try timeout (504, maybe retried) or the route timeout (504, final).
    func timeout(endpoint: String?) -> Attempt {
        Attempt(
            response: LocalReply(.gatewayTimeout, text: "upstream request timeout").response,
            outcome: kind == .perTry ? .failed(.perTryTimeout) : .routeTimeout, endpoint: endpoint)
    }

    func shorter(than other: Duration) -> Duration {
        guard let r = remaining else { return other }
        return min(r, other)
    }
}

/// One attempt's end: the answer to give if it is the last one, and what the retry policy sees.
struct Attempt: Sendable {
    enum Outcome: Sendable {
        /// An answer from upstream (a replica, its queue-proxy, or the next hop).
        case answered(RetryPolicy.Outcome)
        /// No answer: connection failure, reset, per-try timeout, overflow.
        case failed(RetryPolicy.Outcome)
        case routeTimeout
        /// Never retried (no healthy upstream, nothing runs behind the cluster, the activator gave up).
        case final
    }

    var response: Response
    var outcome: Outcome
    var endpoint: String? = nil
    /// The body's stream, for an answer passed on as it arrives (`GatewayServer+Streaming.swift`).
    var stream: UpstreamBodyStream? = nil

    var retryOutcome: RetryPolicy.Outcome? {
        switch outcome {
        case .answered(let o), .failed(let o): return o
        case .routeTimeout, .final: return nil
        }
    }

    static func final(_ reply: LocalReply) -> Attempt { Attempt(response: reply.response, outcome: .final, endpoint: nil) }
}

extension GatewayServer {
    /// One attempt at a workload's cluster: the activator while it has no replica, the load balancer
    /// (outlier ejections, panic mode, previous hosts), the circuit breakers, then the replica's
    /// queue-proxy and the replica; the answer goes to the outlier detector.
    func attempt(
        _ hop: GatewayRouter.Hop, cluster: UpstreamCluster?, hash: UInt64?, tried: Set<String>, body: ByteBuffer,
        method: HTTPRequest.Method, limit: AttemptLimit
    ) async -> Attempt {
        let host = GatewayRouter.serviceHost(ofCluster: hop.cluster)
        let (found, outgoing) = workloadRuntimes(for: host)
        guard let runtime = found else { return .final(LocalReply(.badGateway, json: "nothing runs behind \(host)")) }
        let revisionTimeout = Duration.seconds(runtime.workload.timeoutSeconds)
        var endpoints: [WorkloadRuntime.Endpoint] = []
        // During a rolling update the old ReplicaSet's ready replicas serve beside the new one's.
        if let outgoing { endpoints = runtime.readyEndpoints + outgoing.readyEndpoints }
        if endpoints.isEmpty {
            do {
                endpoints = try await runtime.endpoints(timeout: limit.shorter(than: revisionTimeout))
            } catch WorkloadRuntime.Failure.activationTimedOut {
                return limit.expired ? limit.timeout(endpoint: nil) : .final(LocalReply(.gatewayTimeout, json: "activator request timeout"))
            } catch WorkloadRuntime.Failure.unavailable(let why) {
                return .final(LocalReply(.serviceUnavailable, json: why))
            } catch {
                return .final(LocalReply(.serviceUnavailable, json: "\(host) is unavailable: \(error)"))
            }
        }
        var candidates: [LoadBalancer.Candidate] = []
        for e in endpoints { candidates.append(.init(name: e.name, active: e.queue.active + e.queue.pending)) }
        var chosen: String?
        var hop = hop
        if let pool = plan.pools[hop.cluster] {
            // An InferencePool: the endpoint picker chooses, and says which in the EPP's header.
            // A retry goes to a replica not tried yet while there is one (the EPP's fallback endpoints).
            let untried = endpoints.filter { !tried.contains($0.name) }
            guard let pick = pick(untried.isEmpty ? endpoints : untried, cluster: hop.cluster, pool: pool, body: body) else {
                return .final(LocalReply(.serviceUnavailable, text: "no healthy upstream"))
            }
            chosen = pick.name
            hop.request.headers.removeAll { Self.named($0.name, "x-gateway-destination-endpoint") }
            hop.request.headers.append((Self.destinationEndpointHeader, pick.address))
        } else if let cluster {
            do {
                chosen = try cluster.choose(candidates, hash: hash, tried: tried)
            } catch {
                return .final(LocalReply(.serviceUnavailable, text: "no healthy upstream"))
            }
        } else {
            // Least request, ties at random (Envoy's LEAST_REQUEST picks among equals by chance).
            let fewest = candidates.map(\.active).min()
            chosen = candidates.filter { $0.active == fewest }.randomElement()?.name
        }
        guard let name = chosen, let endpoint = endpoints.first(where: { $0.name == name }) else {
            return .final(LocalReply(.serviceUnavailable, text: "no healthy upstream"))
        }
        if let cluster {
            do {
                try await cluster.breaker.acquire(timeout: limit.remaining)
            } catch CircuitBreaker.Refusal.overflow {
                metrics.overflow(cluster: hop.cluster, what: "request")
                return Attempt(
                    response: LocalReply(
                        .serviceUnavailable, text: "upstream connect error or disconnect/reset before headers. reset reason: overflow",
                        headers: [("x-envoy-overloaded", "true")]
                    ).response,
                    outcome: .failed(.overflow), endpoint: nil)
            } catch {
                return limit.timeout(endpoint: nil)
            }
        }
        let result = await send(
            hop, to: endpoint, body: body, method: method, limit: limit, revisionTimeout: revisionTimeout,
            agent: runtime.workload.agent, workload: runtime.workload.name, http2: cluster?.policy.http2Upstream ?? false)
        if let cluster {
            // A streamed answer holds its connection (and so its place under max_connections) to its end.
            if let stream = result.attempt.stream { stream.whenDone { cluster.breaker.release() } } else { cluster.breaker.release() }
        }
        if let status = result.reported { cluster?.report(name, status: status) }
        var attempt = result.attempt
        attempt.endpoint = name
        return attempt
    }

    /// Through the replica's queue-proxy to the replica; with the status the outlier detector gets
    /// (local failures as Envoy maps them: connect failure and reset 503, timeout 504).
    func send(
        _ hop: GatewayRouter.Hop, to endpoint: WorkloadRuntime.Endpoint, body: ByteBuffer, method: HTTPRequest.Method,
        limit: AttemptLimit, revisionTimeout: Duration, agent: AgentSettings? = nil, workload: String = "", http2: Bool = false
    ) async -> (attempt: Attempt, reported: Int?) {
        let timeout = limit.shorter(than: revisionTimeout)
        let decision = GatewayRouter.Decision(clusterHost: hop.cluster, request: hop.request, timeoutSeconds: nil, trace: [])
        // The agent stands between the queue-proxy and the replica: what it logs is what the replica gets.
        let logged = agent?.logger.map { AgentLogging(settings: $0, workload: workload, request: hop.request, body: body) }
        if let logged, logged.settings.logsRequests { requestLogger.log(logged.event(.request, body: body)) }
        // The batcher takes V1 :predict requests; its answers never reach the logger (the agent's
        // batcher writes no status header, so the logger's writer sees none and logs no response).
        var batching: RequestBatcher?
        if let settings = agent?.batcher, RequestBatcher.batches(path: hop.request.path) {
            batching = batcher(for: endpoint, workload: workload, settings: settings)
        }
        let batcher = batching
        // An answer streams unless the agent reads it whole (its logger records the body; the batcher splits it).
        let streaming = logged == nil && batcher == nil ? Self.streaming(limit) : nil
        do {
            let answer = try await Self.inSlot(of: endpoint.queue, timeout: timeout) {
                if let batcher { return await Self.batched(batcher, path: hop.request.path, body: body) }
                return try await self.replica(
                    endpoint, decision: decision, body: body, method: method, timeout: timeout, http2: http2, streaming: streaming)
            }
            if case .inProcess = endpoint.target, limit.expired { return (limit.timeout(endpoint: nil), 504) }
            if let logged, batcher == nil, logged.settings.logsResponses, answer.status == .ok {
                requestLogger.log(logged.event(.response, body: answer.body))
            }
            let response = answer.response
            // Envoy's gRPC retry conditions read grpc-status in a trailers-only answer's headers.
            let outcome: RetryPolicy.Outcome =
                answer.trailersOnlyStatus.map { .response(response.status.code, grpcStatus: $0) } ?? Self.retryOutcome(response)
            return (Attempt(response: response, outcome: .answered(outcome), stream: answer.stream), response.status.code)
        } catch QueueProxy.Refusal.queueFull {
            return (
                Attempt(
                    response: Self.json(.serviceUnavailable, "pending request queue full"),
                    outcome: .answered(.response(503, grpcStatus: nil))), 503
            )
        } catch let error where Self.isTimeout(error) {
            // queue-proxy's TimeoutHandler counts the wait for a slot in the revision timeout.
            if limit.expired { return (limit.timeout(endpoint: nil), 504) }
            return (
                Attempt(response: Self.json(.gatewayTimeout, "request timeout"), outcome: .answered(.response(504, grpcStatus: nil))), 504
            )
        } catch let error where Self.isConnectFailure(error) {
            return (
                Attempt(
                    response: LocalReply(
                        .serviceUnavailable,
                        text: "upstream connect error or disconnect/reset before headers. reset reason: connection failure"
                    ).response,
                    outcome: .failed(.connectFailure)), 503
            )
        } catch {
            return (
                Attempt(
                    response: LocalReply(
                        .serviceUnavailable,
                        text: "upstream connect error or disconnect/reset before headers. reset reason: connection termination"
                    ).response,
                    outcome: .failed(.reset)), 503
            )
        }
    }

    /// A request through the agent's batcher, answered as the batcher answers it.
    static func batched(_ batcher: RequestBatcher, path fullPath: String, body: ByteBuffer) async -> UpstreamAnswer {
        let path = String(fullPath.split(separator: "?", maxSplits: 1).first ?? "")
        let reply = await batcher.submit(path: path, body: Array(body.readableBytesView))
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        return UpstreamAnswer(status: .init(code: reply.status), headers: fields, body: ByteBuffer(bytes: reply.body))
    }

    /// The replica itself: over loopback, or the models in this process. With `streaming`, a process
    /// replica's answer that streams comes back at its head (HTTP/1.1 only; h2c answers come whole).
    func replica(
        _ endpoint: WorkloadRuntime.Endpoint, decision: GatewayRouter.Decision, body: ByteBuffer, method: HTTPRequest.Method,
        timeout: Duration, http2: Bool = false, streaming: UpstreamHTTPClient.Streaming? = nil
    ) async throws -> UpstreamAnswer {
        switch endpoint.target {
        case .port(let port) where http2:
            return try await forwardH2C(decision, body: body, method: method, port: port, timeout: timeout)
        case .port(let port):
            return try await forward(decision, body: body, method: method, port: port, timeout: timeout, streaming: streaming)
        case .graph(let router):
            return await Self.answer(router, decision: decision, body: body)
        case .inProcess(let server) where http2 && endpoint.grpcPort != nil:
            // A call over an HTTP/2 cluster reaches the native replica's gRPC service: in process
            // when it is one plain message, else its gRPC server.
            if let answer = await Self.answerGRPC(server, decision: decision, body: body) { return answer }
            return try await forwardH2C(decision, body: body, method: method, port: endpoint.grpcPort!, timeout: timeout)
        case .inProcess(let server):
            // Small requests are answered on the event loop; a large one (its JSON and its
            // rows) on NIO's blocking pool, so that it does not stall the loop's other connections.
            guard body.readableBytes > limits.untimedBodyBytes else {
                return Self.answer(server, decision: decision, method: method, body: body)
            }
            return try await NIOThreadPool.singleton.runIfActive {
                Self.answer(server, decision: decision, method: method, body: body)
            }
        }
    }

    /// The replica's batcher (the agent runs one per pod), made on its first batched request. The
    /// batch goes to the model server as the agent sends it: a bare POST, no headers but Host
    /// example.com (`httptest.NewRequest`).
    func batcher(for endpoint: WorkloadRuntime.Endpoint, workload: String, settings: AgentSettings.Batcher) -> RequestBatcher {
        batchers.withLockedValue { batchers in
            if let existing = batchers[endpoint.name] { return existing }
            let metrics = metrics
            let made = RequestBatcher(
                settings: settings, sent: { metrics.batch(workload: workload, instances: $0, failed: $1) }
            ) { [self] path, body in
                let request = GatewayRouter.Request(host: "example.com", path: path, method: "POST")
                let decision = GatewayRouter.Decision(clusterHost: endpoint.name, request: request, timeoutSeconds: nil, trace: [])
                let answer = try await self.replica(
                    endpoint, decision: decision, body: ByteBuffer(bytes: body), method: .post, timeout: .seconds(300))
                return (Int(answer.status.code), Array(answer.body.readableBytesView))
            }
            batchers[endpoint.name] = made
            return made
        }
    }

    static func isTimeout(_ error: Error) -> Bool {
        if let e = error as? QueueProxy.Refusal { return e == .timedOut }
        if let e = error as? UpstreamHTTPClient.Failure { return e == .timeout }
        return false
    }

    static func isConnectFailure(_ error: Error) -> Bool {
        if case UpstreamHTTPClient.Failure.connectFailure? = error as? UpstreamHTTPClient.Failure { return true }
        return false
    }
}
