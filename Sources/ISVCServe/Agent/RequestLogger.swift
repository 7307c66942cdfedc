import AsyncHTTPClient
import Foundation
import ISVCCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// KServe's agent logger (`pkg/logger`): each request and each 200 answer of a workload with a
/// `logger` becomes a CloudEvent, sent in binary mode to the logger's URL by a pool of workers, so
/// the inference never waits for the sink. A sink that is down or answers other than 200 is logged
/// and counted in `/metrics`; a full queue drops the event (counted) rather than delay the request.
public final class RequestLogger: Sendable {
    /// One event, as `LogRequest` holds it.
    public struct Event: Sendable {
        public enum Kind: String, Sendable {
            case request = "org.kubeflow.serving.inference.request"
            case response = "org.kubeflow.serving.inference.response"
        }

        public var settings: AgentSettings.Logger
        public var workload: String
        public var kind: Kind
        public var id: String
        public var time: Date
        /// The inference request's Content-Type, for both events (as the agent sends it).
        public var contentType: String?
        public var metadata: [String: [String]]
        public var body: [UInt8]
    }

    /// Events waiting for a worker; more are dropped and counted.
    public static let queueCapacity = 1000
    /// `--workers`'s default.
    public static let workers = 5

    let metrics: ServeMetrics
    let logger: Logger
    /// In-cluster host -> loopback port of the gateway's internal listener for it, so that a sink that
    /// is a service of this run is reached as it would be in a cluster.
    let internalPorts: @Sendable () -> [String: Int]
    private let queue: AsyncStream<Event>.Continuation
    private let stream: AsyncStream<Event>
    private let running: Task<Void, Never>
    /// Drops not yet said in the log, and when the log last spoke of them: a full queue is said at
    /// most once a second (a line per dropped event cost more than sending it).
    private let drops = NIOLockedValueBox<(unsaid: Int, lastSaid: ContinuousClock.Instant?)>((0, nil))

    /// Lives as long as the process, like `HTTPClient.shared`, with short timeouts: a sink that hangs
    /// holds one worker for at most the read timeout.
    static let client: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(2), read: .seconds(10))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    /// `loopback`: the gateway's keep-alive client, for sinks at 127.0.0.1 (or a service of the run,
    /// through the gateway's internal listener); other hosts go through AsyncHTTPClient.
    public init(
        metrics: ServeMetrics, logger: Logger, loopback: UpstreamHTTPClient? = nil,
        internalPorts: @escaping @Sendable () -> [String: Int] = { [:] }
    ) {
        self.metrics = metrics
        self.logger = logger
        self.internalPorts = internalPorts
        (stream, queue) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(Self.queueCapacity))
        let (stream, metrics, log) = (stream, metrics, logger)
        running = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.workers {
                    group.addTask {
                        for await event in stream {
                            await Self.deliver(event, metrics: metrics, logger: log, loopback: loopback, internalPorts: internalPorts)
                        }
                    }
                }
            }
        }
    }

    /// Queues an event; never waits.
    public func log(_ event: Event) {
        guard case .dropped = queue.yield(event) else { return }
        metrics.loggerEvent(workload: event.workload, outcome: "dropped")
        let now = ContinuousClock.now
        let say = drops.withLockedValue { state -> Int? in
            state.unsaid += 1
            if let last = state.lastSaid, now - last < .seconds(1) { return nil }
            defer { state = (0, now) }
            return state.unsaid
        }
        if let count = say {
            logger.warning(
                "\(event.workload): the logger's queue is full (\(Self.queueCapacity) events); \(count) event\(count == 1 ? " was" : "s were") dropped since the last report (counted in /metrics)"
            )
        }
    }

    /// Sends what is queued, then stops the workers (at most `timeout`).
    public func finish(timeout: Duration = .seconds(2)) async {
        queue.finish()
        let running = running
        let drained = Task { await running.value }
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            running.cancel()
        }
        await drained.value
        deadline.cancel()
    }

    static func deliver(
        _ event: Event, metrics: ServeMetrics, logger: Logger, loopback: UpstreamHTTPClient?,
        internalPorts: @Sendable () -> [String: Int]
    ) async {
        do {
            let status: Int
            if let loopback, let target = CloudEventRequest.loopbackTarget(event.settings.url, internalPorts: internalPorts()) {
                let (head, body) = CloudEventRequest.head(event, host: target.host, path: target.path)
                status = try await loopback.execute(port: target.port, head: head, body: body, timeout: .seconds(10)).status
            } else {
                let request = try CloudEventRequest.make(event, internalPorts: internalPorts())
                status = Int(try await client.execute(request, timeout: .seconds(10)).status.code)
            }
            if status == 200 {
                metrics.loggerEvent(workload: event.workload, outcome: "sent")
            } else {
                metrics.loggerEvent(workload: event.workload, outcome: "failed")
                logger.warning(
                    "\(event.workload): the logger's sink \(event.settings.url) answered \(status) to \(event.kind.rawValue) \(event.id)"
                )
            }
        } catch {
            metrics.loggerEvent(workload: event.workload, outcome: "failed")
            logger.warning("\(event.workload): the logger's sink \(event.settings.url) is unreachable: \(error)")
        }
    }
}

/// A CloudEvent in the HTTP binding's binary mode, as the CloudEvents Go SDK writes the agent's events.
enum CloudEventRequest {
    static func make(_ event: RequestLogger.Event, internalPorts: [String: Int]) throws -> HTTPClientRequest {
        let s = event.settings
        var url = s.url
        var host: String?
        // An in-cluster sink that this run serves: through the gateway's internal listener for its host.
        if let parsed = URLComponents(string: s.url), let h = parsed.host, let port = internalPorts[h] {
            host = h
            var local = parsed
            local.scheme = "http"
            local.host = "127.0.0.1"
            local.port = port
            url = local.string ?? s.url
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if let host { request.headers.replaceOrAdd(name: "Host", value: host) }
        for (name, value) in ceHeaders(event) { request.headers.add(name: name, value: value) }
        request.body = .bytes(event.body)
        return request
    }

    /// Where a sink on this machine is reached over loopback: its port, the Host to send, the path.
    static func loopbackTarget(_ url: String, internalPorts: [String: Int]) -> (port: Int, host: String, path: String)? {
        guard let parsed = URLComponents(string: url), parsed.scheme == "http", let host = parsed.host else { return nil }
        let path =
            (parsed.percentEncodedPath.isEmpty ? "/" : parsed.percentEncodedPath)
            + (parsed.percentEncodedQuery.map { "?" + $0 } ?? "")
        if let port = internalPorts[host] { return (port, host, path) }
        guard host == "127.0.0.1" else { return nil }
        let port = parsed.port ?? 80
        return (port, parsed.port.map { "\(host):\($0)" } ?? host, path)
    }

    /// The same event as a request head and body for the loopback client.
    static func head(_ event: RequestLogger.Event, host: String, path: String) -> (HTTPRequestHead, ByteBuffer) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        for (name, value) in ceHeaders(event) { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(event.body.count))
        return (HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers), ByteBuffer(bytes: event.body))
    }

    /// The binary-mode headers of an event, as the CloudEvents Go SDK writes them.
    static func ceHeaders(_ event: RequestLogger.Event) -> [(String, String)] {
        let s = event.settings
        var headers: [(String, String)] = [
            ("Ce-Specversion", "1.0"), ("Ce-Id", event.id), ("Ce-Source", s.source), ("Ce-Type", event.kind.rawValue),
            ("Ce-Time", timestamp(event.time)), ("Ce-Recordedtime", timestamp(Date())),
            ("Ce-Inferenceservicename", s.inferenceService), ("Ce-Namespace", s.namespace),
            ("Ce-Component", s.component), ("Ce-Endpoint", s.endpoint), ("Ce-Metadata", metadataJSON(event.metadata)),
        ]
        if !s.annotations.isEmpty { headers.append(("Ce-Annotations", stringMapJSON(s.annotations))) }
        if let type = event.contentType, !type.isEmpty { headers.append(("Content-Type", type)) }
        return headers
    }

    /// An RFC 3339 time in UTC with the fraction Go's `time.RFC3339Nano` writes (trailing zeros
    /// dropped), to the microsecond; written by hand (two per event: Foundation's formatter was a
    /// measurable part of an event's cost).
    static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = Int(micros - seconds * 1_000_000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        var out: [UInt8] = []
        out.reserveCapacity(30)
        func digits(_ value: Int, _ count: Int) {
            var v = value
            var buffer = [UInt8](repeating: 0x30, count: count)
            for i in stride(from: count - 1, through: 0, by: -1) {
                buffer[i] = UInt8(0x30 + v % 10)
                v /= 10
            }
            out += buffer
        }
        digits(year, 4)
        out.append(UInt8(ascii: "-"))
        digits(month, 2)
        out.append(UInt8(ascii: "-"))
        digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        if fraction > 0 {
            out.append(UInt8(ascii: "."))
            var f = fraction * 1000  // nanoseconds
            var count = 9
            while f % 10 == 0 {
                f /= 10
                count -= 1
            }
            digits(f, count)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `map[string][]string` as `encoding/json` writes it: keys sorted.
    static func metadataJSON(_ metadata: [String: [String]]) -> String {
        "{"
            + metadata.keys.sorted().map { key in
                GoJSON.quote(key) + ":[" + metadata[key]!.map(GoJSON.quote).joined(separator: ",") + "]"
            }.joined(separator: ",") + "}"
    }

    static func stringMapJSON(_ map: [String: String]) -> String {
        "{" + map.keys.sorted().map { GoJSON.quote($0) + ":" + GoJSON.quote(map[$0]!) }.joined(separator: ",") + "}"
    }
}
