import Foundation
import HTTPTypes
import Hummingbird
import ISVCCore
import NIOCore
import NIOHTTP1

/// Envoy's HTTP filters and router, as the emitted config sets them, per hop of a routing decision:
/// the fault filter (delay, then abort), mirrors, then the router with its route timeout and retry
/// policy. A hop to the local gateway runs the next hop as its upstream, so the retries and timeouts
/// of both listeners nest as in a cluster.
extension GatewayServer {
    /// The request body under the gateway's limits (413 for too large, 408 for too slow).
    func readBody(_ request: Request) async -> Result<ByteBuffer, LocalReply> {
        let max = limits.maxBodyBytes
        if let length = request.headers[.contentLength], let n = Int(length), n > max {
            return .failure(LocalReply(.contentTooLarge, json: "request body larger than \(max) bytes"))
        }
        do {
            if let length = request.headers[.contentLength], let n = Int(length), n <= limits.untimedBodyBytes {
                return .success(try await request.body.collect(upTo: max))
            }
            return .success(try await Self.race(limits.requestTimeout) { try await request.body.collect(upTo: max) })
        } catch is TimeLimit {
            return .failure(LocalReply(.requestTimeout, text: "request timeout"))
        } catch is HTTPParserError {
            // A malformed body (a bad chunk size...): Envoy's codec error, and the connection closes after it.
            return .failure(LocalReply(.badRequest, text: "Bad Request"))
        } catch {
            return .failure(LocalReply(.contentTooLarge, json: "request body larger than \(max) bytes"))
        }
    }

    /// Runs the routing decision's hops from `index`.
    func execute(_ hops: [GatewayRouter.Hop], at index: Int, body: ByteBuffer, method: HTTPRequest.Method) async -> Reply {
        guard index < hops.count else {
            return Reply(response: LocalReply(.internalServerError, json: "routing ended without a cluster").response)
        }
        let hop = hops[index]
        let policy = hop.policy
        if let fault = policy.fault {
            let (delay, abort) = fault.decide()
            if let delay { try? await Task.sleep(for: .seconds(delay)) }
            if let abort { return Reply(response: LocalReply(.init(code: abort), text: "fault filter abort").response) }
        }
        for mirror in policy.mirrors where mirror.fraction >= 1 || Double.random(in: 0..<1) < mirror.fraction {
            shadow(hop, to: mirror.cluster, body: body, method: method)
        }
        var reply = await routeWithRetries(hops, at: index, policy: policy, body: body, method: method)
        if !policy.responseHeadersToAdd.isEmpty || !policy.responseHeadersToRemove.isEmpty {
            var headers: [(name: String, value: String)] = reply.response.headers.map { ($0.name.rawName, $0.value) }
            policy.applyResponseHeaders(to: &headers)
            var fields = HTTPFields()
            for (n, v) in headers { if let name = HTTPField.Name(n) { fields.append(HTTPField(name: name, value: v)) } }
            reply.response.headers = fields
        }
        return reply
    }

    /// The router: attempts until one is final, with the retry policy's conditions, backoff, previous
    /// hosts and the cluster's `max_retries`; the route timeout bounds them all (RetryLoop).
    func routeWithRetries(
        _ hops: [GatewayRouter.Hop], at index: Int, policy: RoutePolicy, body: ByteBuffer,
        method: HTTPRequest.Method
    ) async -> Reply {
        let hop = hops[index]
        let cluster = upstreams[hop.cluster]
        let loop = RetryLoop(retry: policy.retry, routeTimeout: policy.timeout(for: hop.request), breaker: cluster?.breaker)
        let ending = await loop.run(
            { limit, tried in
                if plan.router.isInternal(hop.cluster) {
                    return await internalAttempt(hops, at: index, body: body, method: method, limit: limit)
                }
                return await attempt(
                    hop, cluster: cluster, hash: policy.hash(hop.request), tried: tried,
                    body: body, method: method, limit: limit)
            },
            event: { event in
                switch event {
                case .retry: metrics.retry(cluster: hop.cluster)
                case .overflow: metrics.overflow(cluster: hop.cluster, what: "retry")
                }
            })
        switch ending {
        case .answer(let result): return Reply(response: result.response, stream: result.stream)
        case .routeTimeout: return Reply(response: LocalReply(.gatewayTimeout, text: "upstream request timeout").response)
        }
    }

    /// A hop to the local gateway: its upstream is the next hop, run here.
    func internalAttempt(
        _ hops: [GatewayRouter.Hop], at index: Int, body: ByteBuffer, method: HTTPRequest.Method,
        limit: AttemptLimit
    ) async -> Attempt {
        do {
            let reply = try await Self.race(limit.remaining) { await self.execute(hops, at: index + 1, body: body, method: method) }
            // This hop's timeouts bound a streamed body to its end too.
            if let stream = reply.stream, let deadline = limit.deadline { stream.limit(until: deadline) }
            return Attempt(
                response: reply.response, outcome: .answered(Self.retryOutcome(reply.response)), endpoint: nil, stream: reply.stream)
        } catch {
            return limit.timeout(endpoint: nil)
        }
    }

    /// A fire-and-forget copy of the request to a mirror cluster (Envoy's shadow: Host gets `-shadow`);
    /// its answer is dropped and the main request never waits for it.
    func shadow(_ hop: GatewayRouter.Hop, to clusterName: String, body: ByteBuffer, method: HTTPRequest.Method) {
        var copy = hop
        copy.cluster = clusterName
        copy.request.host = Self.shadowHost(hop.request.host)
        let cluster = upstreams[clusterName]
        Task.detached { [self] in
            let limit = AttemptLimit(route: nil, perTry: nil)
            let answer = await self.attempt(copy, cluster: cluster, hash: nil, tried: [], body: body, method: method, limit: limit)
            // Read to its end and dropped, as Envoy's shadow reads a mirrored answer.
            await answer.stream?.drain()
        }
    }

    static func shadowHost(_ host: String) -> String {
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"), Int(host[host.index(after: colon)...]) != nil {
            return host[..<colon] + "-shadow" + host[colon...]
        }
        return host + "-shadow"
    }

    static func retryOutcome(_ response: Response) -> RetryPolicy.Outcome {
        let grpc = response.headers[GRPCLocalReply.grpcStatus].flatMap { Int($0) }
        return .response(response.status.code, grpcStatus: grpc)
    }

    struct TimeLimit: Error {}

    /// `work`'s result, or TimeLimit once `limit` passes (nil: no limit).
    static func race<T: Sendable>(_ limit: Duration?, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let limit else { return try await work() }
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw TimeLimit()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw TimeLimit() }
            return first
        }
    }
}

/// An answer the gateway makes itself: Envoy's plain-text local replies, or isvc's JSON errors.
struct LocalReply: Error {
    var response: Response

    init(_ status: HTTPResponse.Status, text: String, headers extra: [(String, String)] = []) {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        for (n, v) in extra { if let name = HTTPField.Name(n) { headers[name] = v } }
        response = Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        response.markLocal(text)
    }

    init(_ status: HTTPResponse.Status, json message: String) {
        response = GatewayServer.json(status, message)
    }
}
