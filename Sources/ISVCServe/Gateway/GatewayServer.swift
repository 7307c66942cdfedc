import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import ISVCCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// `isvc serve`'s front door: one HTTP listener that routes by Host as the compiled gateway does
/// (and, on localhost, by model name in `/v1/models/<name>` and `/v2/models/<name>` paths), then
/// through the workload's queue-proxy to one of its replicas.
public final class GatewayServer: Sendable {
    let logger: Logger
    let client: UpstreamHTTPClient
    /// HTTP/2 to replicas behind an HTTP/2 cluster (gRPC).
    let h2c: H2CClient
    public static let maxBodyBytes = 64 << 20
    /// Header, body and slow-client limits (request hygiene).
    public let limits: GatewayLimits
    public let metrics = ServeMetrics()
    /// The agent's request logger for workloads with a `logger`.
    let requestLogger: RequestLogger
    /// The agent's batcher of each replica whose workload has a `batcher`, by replica name.
    let batchers = NIOLockedValueBox<[String: RequestBatcher]>([:])
    let store: ModelStore
    /// The InferencePools' endpoint pickers and their metrics readers, by cluster.
    struct Pickers {
        var byCluster: [String: (EndpointPicker, Task<Void, Never>)] = [:]
        /// Set at shutdown: no reader starts after it.
        var closed = false
    }
    let pickers = NIOLockedValueBox(Pickers())
    let native: WorkloadRuntime.NativeRuntime
    /// The address the gateway listens on (`--host`): with localhost, 127.0.0.1 and [::1], the Hosts
    /// for which `/v1/models/<name>` and `/v2/models/<name>` find an InferenceService by name.
    public let listenHost: String

    /// What the gateway serves now (`Serving`), replaced whole when an edit is applied
    /// (`GatewayServer+Apply.swift`); a request reads each part once.
    let serving: NIOLockedValueBox<Serving>
    public var plan: ServePlan { serving.withLockedValue { $0.plan } }
    /// A runtime per workload host (and those being drained after an edit, until they stop).
    var runtimes: [String: WorkloadRuntime] { serving.withLockedValue { $0.runtimes } }
    /// The Envoy clusters of the emitted config that reach workloads, by name.
    var upstreams: [String: UpstreamCluster] { serving.withLockedValue { $0.upstreams } }
    /// In-cluster host -> loopback port of the internal listener that routes as that host (see `internalApplications`).
    public var internalPorts: [String: Int] { serving.withLockedValue { $0.internalPorts } }

    /// `native` loads models in process for the formats a native runtime serves.
    public init(
        plan: ServePlan, workDirectory: URL, native: @escaping WorkloadRuntime.NativeRuntime = { _, _ in nil },
        limits: GatewayLimits = GatewayLimits(), listenHost: String = "127.0.0.1", logger: Logger
    ) {
        self.listenHost = listenHost
        self.logger = logger
        self.limits = limits
        self.native = native
        store = ModelStore(workDirectory: workDirectory)
        serving = NIOLockedValueBox(Serving(plan: plan, runtimes: [:], upstreams: [:], internalPorts: [:]))
        // A refused connection is an attempt's connect failure at once (the retry policy decides what next).
        client = UpstreamHTTPClient(maxBodyBytes: Self.maxBodyBytes)
        h2c = H2CClient(maxBodyBytes: Self.maxBodyBytes)
        let serving = serving
        requestLogger = RequestLogger(metrics: metrics, logger: logger, loopback: client) {
            serving.withLockedValue { $0.internalPorts }
        }
        let first = makeServing(plan, replacing: nil)
        serving.withLockedValue { $0 = first.next }
    }

    /// Starts every workload's replicas (min-scale); errors are logged and answered per request later.
    public func startWorkloads() async {
        for (_, runtime) in runtimes.sorted(by: { $0.key < $1.key }) {
            do { try await runtime.start() } catch {
                logger.error("\(error)")
            }
        }
    }

    public func shutdown() async {
        let (runtimes, tasks) = serving.withLockedValue { state in
            defer {
                state.listeners.removeAll()
                state.rolling.removeAll()
            }
            return (
                state.runtimes.values + state.retiring + state.rolling.values.map(\.old),
                state.listeners + state.rolling.values.compactMap(\.task)
            )
        }
        for task in tasks { task.cancel() }
        let readers = pickers.withLockedValue { p in
            defer {
                p.byCluster.removeAll()
                p.closed = true
            }
            return p.byCluster.values.map(\.1)
        }
        for reader in readers { reader.cancel() }
        for runtime in runtimes { await runtime.stop() }
        await requestLogger.finish()
        client.shutdown()
        h2c.shutdown()
    }

    /// A local reply with an `{"error": ...}` body; `grpcMessage` is what a gRPC caller gets instead
    /// (the message, unless given; Envoy's replies for an unknown host or path carry none).
    static func json(_ status: HTTPResponse.Status, _ message: String, extra: [String: Value] = [:], grpcMessage: String? = nil) -> Response
    {
        var object: [String: Value] = ["error": .string(message)]
        for (k, v) in extra { object[k] = v }
        let body = JSONWriter.write(.object(object)) + "\n"
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        var response = Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        response.markLocal(grpcMessage ?? message)
        return response
    }

    /// Whether a Host names the gateway itself (localhost, 127.0.0.1, [::1] or the listen address; port
    /// and letter case ignored): only then does the by-model-name convenience apply. Any other Host
    /// the config does not know is a 404, as Envoy answers it with the same config.
    static func isOwnAddress(_ host: String, listenHost: String) -> Bool {
        var name = Substring(host)
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            name = name[...close]
        } else if let colon = name.firstIndex(of: ":") {
            guard name[name.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            name = name[..<colon]
        }
        let lower = name.lowercased()
        var listen = listenHost.lowercased()
        if listen.contains(":"), !listen.hasPrefix("[") { listen = "[\(listen)]" }  // an IPv6 --host, as a Host header writes it
        return lower == "localhost" || lower == "127.0.0.1" || lower == "[::1]" || (!listen.isEmpty && lower == listen)
    }

    /// The request path's model name for the localhost convenience routes.
    static func modelName(_ path: String) -> String? {
        for prefix in ["/v1/models/", "/v2/models/"] where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            let name = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" }
            if !name.isEmpty { return String(name) }
        }
        return nil
    }

    /// Answers one request: entering the external listener, or, for an internal address, the
    /// cluster-local gateway as `asHost` (what an in-cluster caller of that host reaches); `scheme`
    /// is the listener's (`https` on the TLS listener). `downstream` is the client's channel: when it
    /// closes while an answer streams, the stream ends and the replica's request with it.
    public func respond(
        to request: Request, asHost internalHost: String? = nil, scheme: String = "http", downstream: (any Channel)? = nil
    ) async -> Response {
        let reply = await route(request, asHost: internalHost, scheme: scheme)
        if let stream = reply.stream, let downstream {
            downstream.closeFuture.whenComplete { [weak stream] _ in stream?.cancel() }
        }
        return GRPCLocalReply.finish(reply.response, grpc: GRPCLocalReply.isGRPC(request))
    }

    func route(_ request: Request, asHost internalHost: String?, scheme: String) async -> Reply {
        switch RequestHygiene.check(request, limits: limits) {
        case .headersTooLarge(let why)?: return Reply(response: LocalReply(.init(code: 431), text: why).response)
        case .badRequest(let why)?: return Reply(response: LocalReply(.badRequest, text: why).response)
        case nil: break
        }
        // Counted from here, so that an edit stops a workload only when no request can still reach it
        // (a streamed answer leaves when its body has ended).
        let (plan, generation) = enter()
        let reply = await route(request, plan: plan, asHost: internalHost, scheme: scheme)
        if let stream = reply.stream { stream.whenDone { self.leave(generation) } } else { leave(generation) }
        return reply
    }

    /// A request past hygiene, routed by `plan`: the listener's filters, the route, then its hops.
    func route(_ request: Request, plan: ServePlan, asHost internalHost: String?, scheme: String) async -> Reply {
        // The listener's jwt_authn and RBAC filters first (Security/): a denied request stops here.
        let admission = await admit(request, asHost: internalHost, scheme: scheme)
        guard let request = admission.request else {
            return Reply(response: admission.denial ?? Self.json(.forbidden, RBACFilter.deniedMessage))
        }
        let host = internalHost ?? request.head.authority ?? ""
        guard let path = RequestHygiene.normalize(request.uri.description) else {
            return Reply(response: LocalReply(.badRequest, text: "invalid request path").response)
        }
        var headers: [(name: String, value: String)] = []
        for field in request.headers where internalHost == nil || field.name.canonicalName != "host" {
            headers.append((field.name.rawName, field.value))
        }
        let entry = internalHost == nil ? nil : plan.router.localPort
        // GIE's body-based routing, in front of the LLMInferenceServices' routes: the body is read
        // first and its `model` goes into X-Gateway-Model-Name.
        var preread: ByteBuffer?
        if plan.bodyBasedRouting, internalHost == nil, Self.readsBodyForRouting(request) {
            switch await readBody(request) {
            case .success(let body):
                preread = body
                if let model = Self.modelName(inBody: body) {
                    headers.removeAll { Self.named($0.name, "x-gateway-model-name") }
                    headers.append((Self.modelNameHeader, model))
                }
            case .failure(let local): return Reply(response: local.response)
            }
        }
        var routed = plan.router.route(
            .init(host: host, path: path, method: request.method.rawValue, headers: headers, scheme: scheme),
            enteringAt: entry)
        // (No route either: the KServe gateway's listener, which serve shares, takes every host.)
        if case .failure(let failure) = routed, failure.isUnknownHostOrNoRoute, Self.isOwnAddress(host, listenHost: listenHost),
            let model = Self.modelName(path), let external = plan.modelHosts[model]
        {
            routed = plan.router.route(.init(host: external, path: path, method: request.method.rawValue, headers: headers, scheme: scheme))
        }
        // A Standard-mode Service no gateway route serves: straight to its pods, as from inside the cluster.
        switch routed {
        case .failure(.unknownHost), .failure(.noRoute):
            if let direct = Self.directDecision(host: host, path: path, method: request.method.rawValue, headers: headers, plan: plan) {
                routed = .success(direct)
            }
        default: break
        }
        let decision: GatewayRouter.Decision
        switch routed {
        case .success(let d): decision = d
        case .failure(.unknownHost(let h, let known)):
            let hosts: Value = .array(known.map { .string($0) })
            let models: Value = .array(plan.modelHosts.keys.sorted().map { .string($0) })
            return Reply(
                response: Self.json(
                    .notFound, "no InferenceService serves host \(h)", extra: ["hosts": hosts, "models": models], grpcMessage: ""))
        case .failure(.noRoute(let h)):
            return Reply(response: Self.json(.notFound, "no route for \(request.method.rawValue) \(path) on host \(h)", grpcMessage: ""))
        case .failure(.noBackend(let h)):
            return Reply(response: Self.json(.internalServerError, "no backend for \(request.method.rawValue) \(path) on host \(h)"))
        case .failure(.loop):
            return Reply(response: Self.json(.internalServerError, "routing loop for host \(host)"))
        }
        if let denial = await admitHops(decision) { return Reply(response: denial) }
        guard let runtime = runtimes[decision.clusterHost] else {
            return Reply(response: Self.json(.badGateway, "nothing runs behind \(decision.clusterHost)"))
        }
        return await run(decision, workload: runtime.workload.name, request: request, body: preread)
    }

    /// The request's body read, then its hops run; counted in the workload's metrics until the answer
    /// (a streamed one: its body) has ended.
    func run(_ decision: GatewayRouter.Decision, workload name: String, request: Request, body preread: ByteBuffer? = nil) async -> Reply {
        let started = ContinuousClock.now
        let inFlight = metrics.inFlight(workload: name)
        inFlight.increment()
        let reply: Reply
        let read: Result<ByteBuffer, LocalReply>
        if let preread { read = .success(preread) } else { read = await readBody(request) }
        switch read {
        case .success(let body): reply = await execute(decision.hops, at: 0, body: body, method: request.method)
        case .failure(let local): reply = Reply(response: local.response)
        }
        let metrics = metrics
        let code = reply.response.status.code
        let done: @Sendable () -> Void = {
            inFlight.decrement()
            metrics.request(workload: name, code: code, duration: ContinuousClock.now - started)
        }
        if let stream = reply.stream { stream.whenDone(done) } else { done() }
        return reply
    }

    /// A replica's answer, its body still at hand (the agent's logger sends it).
    struct UpstreamAnswer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        /// An HTTP/2 answer's trailers (a gRPC status), passed on after the body.
        var trailers: HTTPFields? = nil
        /// The grpc-status of a trailers-only answer (which serve sends as headers, then trailers).
        var trailersOnlyStatus: Int? = nil
        /// The body as it arrives, for an answer passed on chunk by chunk (`body` is empty).
        var stream: UpstreamBodyStream? = nil
        var response: Response {
            if let stream { return Response(status: status, headers: headers, body: GatewayServer.streamedBody(stream)) }
            guard let trailers else { return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)) }
            let body = body
            return Response(
                status: status, headers: headers,
                body: ResponseBody { writer in
                    if body.readableBytes > 0 { try await writer.write(body) }
                    try await writer.finish(trailers)
                })
        }
    }

    /// A request answered by models in this process, with the headers as they arrive at a replica.
    static func answer(
        _ server: ProtocolServer, decision: GatewayRouter.Decision, method: HTTPRequest.Method, body: ByteBuffer
    ) -> UpstreamAnswer {
        // The body is read in place: a copy into an Array was one more body-sized allocation per request.
        let answer = server.handle(
            method: method.rawValue, path: decision.request.path, headers: decision.request.headers,
            body: body)
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let n = HTTPField.Name(name) { headers.append(HTTPField(name: n, value: value)) }
        }
        return UpstreamAnswer(status: .init(code: answer.status), headers: headers, body: ByteBuffer(bytes: answer.body))
    }

    /// The request as the replica receives it (hop-by-hop headers dropped, Host the route's), and its answer.
    func forward(
        _ decision: GatewayRouter.Decision, body: ByteBuffer, method: HTTPRequest.Method, port: Int,
        timeout: Duration, streaming: UpstreamHTTPClient.Streaming? = nil
    ) async throws -> UpstreamAnswer {
        var headers = HTTPHeaders()
        headers.reserveCapacity(decision.request.headers.count + 2)
        headers.add(name: "Host", value: decision.request.host)
        for (name, value) in decision.request.headers where !Self.isHopByHop(name) && !Self.named(name, "host") {
            headers.add(name: name, value: value)
        }
        if body.readableBytes > 0 || Self.framesBody(method) {
            headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        let head = HTTPRequestHead(
            version: .http1_1, method: .init(rawValue: method.rawValue), uri: decision.request.path, headers: headers)
        let answer = try await client.execute(port: port, head: head, body: body, timeout: timeout, streaming: streaming)
        var fields = HTTPFields()
        fields.reserveCapacity(answer.headers.count)
        for (name, value) in answer.headers where !Self.isHopByHop(name) {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return UpstreamAnswer(status: .init(code: answer.status), headers: fields, body: answer.body, stream: answer.stream)
    }

    /// Whether a request of this method announces its body's length even when it is empty (POST,
    /// PUT, PATCH and others do; GET, HEAD, DELETE, OPTIONS and TRACE without a body do not).
    static func framesBody(_ method: HTTPRequest.Method) -> Bool {
        switch method {
        case .get, .head, .delete, .options, .trace: return false
        default: return true
        }
    }

    /// Headers that belong to one connection, not to the request or answer (the server frames its own).
    /// (`upgrade` too: the gateway does not tunnel upgraded connections, so a replica must not switch.)
    static func isHopByHop(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: return named(name, "te")
        case 7: return named(name, "upgrade")
        case 10: return named(name, "connection") || named(name, "keep-alive")
        case 14: return named(name, "content-length")
        case 16: return named(name, "proxy-connection")
        case 17: return named(name, "transfer-encoding")
        default: return false
        }
    }

    /// Whether a header name is `lowercase` in any letter case (ASCII only, as header names are).
    static func named(_ name: String, _ lowercase: StaticString) -> Bool {
        let bytes = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return name.utf8.elementsEqual(bytes) { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
    }

    /// One loopback listener per in-cluster host a container calls (`--predictor_host`): requests
    /// there are routed as that host through the cluster-local gateway, as a transformer's calls are
    /// in a cluster. The container's flag is pointed at it.
    public func internalApplications() -> [any Service] {
        internalPorts.sorted { $0.key < $1.key }.map { host, port in internalApplication(host: host, port: port) }
    }

    /// The internal listener on loopback `port` that routes as `host`.
    func internalApplication(host: String, port: Int) -> any Service {
        let responder = CallbackResponder<GatewayRequestContext> { request, context in
            await self.respond(to: request, asHost: host, downstream: context.channel)
        }
        return Application(
            responder: responder, server: .http1(configuration: Self.http1()),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: logger) as any Service
    }

    /// The admin listener: Prometheus metrics at `/metrics`, and `/healthz`.
    public func adminApplication(
        host: String, port: Int,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var headers = HTTPFields()
            switch request.uri.path {
            case "/metrics":
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(
                    status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
            case "/healthz":
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
            default:
                return Self.json(.notFound, "the admin port serves /metrics and /healthz")
            }
        }
        return Application(
            responder: responder, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Every listener's HTTP/1 channel: Envoy's answers to requests the parser refuses and its
    /// `Connection: close` while draining (`GatewayConnectionHandler`).
    static func http1(idleTimeout: TimeAmount? = nil) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(additionalChannelHandlers: [GatewayConnectionHandler()], idleTimeout: idleTimeout)
    }

    /// The Hummingbird application serving the gateway on `host:port`.
    public func application(
        host: String, port: Int,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let responder = CallbackResponder<GatewayRequestContext> { request, context in
            await self.respond(to: request, downstream: context.channel)
        }
        let idle = limits.idleTimeout
        let idleNanoseconds = Int64(idle.components.seconds) * 1_000_000_000 + idle.components.attoseconds / 1_000_000_000
        let http1 = Self.http1(idleTimeout: .nanoseconds(idleNanoseconds))
        // HTTP/1.1 and h2c (prior knowledge) on the same port, as Envoy's codec_type AUTO.
        let server = HTTPServerBuilder { responder in
            CleartextHTTPChannel(responder: responder, http1: http1, http2: .init(idleTimeout: idle, streamConfiguration: .init()))
        }
        return Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
