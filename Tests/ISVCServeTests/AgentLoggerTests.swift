import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore
@testable import ISVCServe

/// The agent's request logger through `isvc serve`, checked by a real CloudEvents receiver (the
/// `cloudevents` Python package in scripts/cloudevents-sink.py), which parses each event as a
/// consumer of KServe's logger would.
@Suite("Agent: the request logger")
struct AgentLoggerTests {
    static let runs = TestTools.runs(with: TestTools.kservePython)
    static let missing = Comment(rawValue: "the cloudevents package (.venv-kserve) is \(TestTools.missing)")

    /// The sink process: its port, and the events it has printed so far. It outlives a wait for the
    /// loopback lock (other live tests first) and is killed by PID when the test ends.
    final class Sink: @unchecked Sendable {
        let process = Process()
        private let lines = Locked<[String]>([])
        let port: Int

        init(status: Int = 200) throws {
            process.executableURL = URL(fileURLWithPath: try #require(TestTools.kservePython))
            process.arguments = [TestTools.root.appendingPathComponent("scripts/cloudevents-sink.py").path, "0", String(status), "900"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            let lines = lines
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                lines.withLock { $0 += text.split(separator: "\n").map(String.init) }
            }
            try process.run()
            var port = 0
            for _ in 0..<200 where port == 0 {
                usleep(50_000)
                if let first = lines.withLock({ $0.first }), let object = Self.json(first), let p = object["port"] as? Int { port = p }
            }
            self.port = port
        }

        static func json(_ line: String) -> [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }

        /// The events received, once `count` have arrived (at most `seconds` later).
        func events(_ count: Int, seconds: Double = 15) async -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let events = lines.withLock { $0.dropFirst().compactMap(Self.json) }
                if events.count >= count { return events }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return lines.withLock { $0.dropFirst().compactMap(Self.json) }
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    static func yaml(sink: String, mode: String) -> String {
        """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: doubler
          annotations:
            team.example.com/owner: fraud-ml
        spec:
          predictor:
            logger:
              mode: \(mode)
              url: \(sink)
              metadataHeaders: [X-User-Id]
              metadataAnnotations: [team.example.com/owner]
            containers:
              - name: kserve-container
                image: local/native-doubler
        """
    }

    static func post(_ port: Int, headers: [String: String]) async -> (Int, String) {
        await withCheckedContinuation { continuation in
            Thread {
                let r = Loopback.request(
                    port: port, host: "doubler.default.example.com", path: "/v1/models/doubler:predict",
                    headers: headers.merging(["Content-Type": "application/json"]) { $1 }, method: "POST",
                    body: Array(#"{"instances": [[1, 2]]}"#.utf8))
                continuation.resume(returning: (r?.status ?? 0, r?.body ?? ""))
            }.start()
        }
    }

    static let native: WorkloadRuntime.NativeRuntime = { workload, _ in
        workload.inferenceService == "doubler" ? [DoublingModel(name: "doubler")] : nil
    }

    @Test(
        "mode all: a request and a response event per inference, with KServe's attributes, one id, the metadata and the bodies",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)))
    func all() async throws {
        let sink = try Sink()
        defer { sink.stop() }
        try #require(sink.port > 0)
        try await ServeLiveTests.withRunningGateway(
            Self.yaml(sink: "http://127.0.0.1:\(sink.port)/", mode: "all"), native: Self.native
        ) { port, _, _ in
            let (status, answer) = await Self.post(port, headers: ["X-User-Id": "u1", "Ce-Id": "req-42"])
            #expect(status == 200)
            let events = await sink.events(2)
            try #require(events.count == 2, "\(events)")
            let byType = Dictionary(
                uniqueKeysWithValues: events.compactMap { e -> (String, [String: Any])? in
                    guard let a = e["attributes"] as? [String: String], let t = a["type"] else { return nil }
                    return (t, e)
                })
            let request = try #require(byType["org.kubeflow.serving.inference.request"])
            let response = try #require(byType["org.kubeflow.serving.inference.response"])
            for event in [request, response] {
                let a = try #require(event["attributes"] as? [String: String])
                #expect(a["id"] == "req-42")
                #expect(a["specversion"] == "1.0")
                #expect(a["source"] == "http://localhost:9081/")
                #expect(a["inferenceservicename"] == "doubler")
                #expect(a["namespace"] == "default")
                #expect(a["component"] == "predictor")
                #expect(a["endpoint"] == "")
                #expect(a["metadata"] == #"{"X-User-Id":["u1"]}"#)
                #expect(a["annotations"] == #"{"team.example.com/owner":"fraud-ml"}"#)
                #expect(a["datacontenttype"] == "application/json")
                #expect(a["time"]?.hasSuffix("Z") == true && a["recordedtime"] != nil)
            }
            #expect(request["body"] as? String == #"{"instances": [[1, 2]]}"#)
            #expect(response["body"] as? String == answer)
        }
    }

    @Test(
        "mode request logs requests only; a sink that is down is counted in /metrics and the inference does not notice",
        .enabled(if: runs, missing), .timeLimit(.minutes(15)))
    func deadSink() async throws {
        let sink = try Sink()
        defer { sink.stop() }
        try #require(sink.port > 0)
        // Port 1 on loopback: nothing listens there.
        let yaml =
            // By name: the sink is reached through AsyncHTTPClient (an address goes through the loopback client).
            Self.yaml(sink: "http://localhost:\(sink.port)/", mode: "request") + "\n---\n"
            + Self.yaml(sink: "http://127.0.0.1:1/", mode: "all").replacingOccurrences(of: "name: doubler", with: "name: lost")
        try await ServeLiveTests.withRunningGateway(
            yaml, native: { workload, _ in [DoublingModel(name: workload.inferenceService)] }
        ) { port, gateway, _ in
            #expect(await Self.post(port, headers: [:]).0 == 200)
            let events = await sink.events(1)
            #expect(events.count == 1)
            #expect((events.first?["attributes"] as? [String: String])?["type"] == "org.kubeflow.serving.inference.request")
            let lost: (Int, String) = await withCheckedContinuation { continuation in
                Thread {
                    let r = Loopback.request(
                        port: port, host: "lost.default.example.com", path: "/v1/models/lost:predict", method: "POST",
                        body: Array(#"{"instances": [[1]]}"#.utf8))
                    continuation.resume(returning: (r?.status ?? 0, r?.body ?? ""))
                }.start()
            }
            #expect(lost.0 == 200, "\(lost.1)")
            var failed = false
            for _ in 0..<100 where !failed {
                failed = gateway.metrics.exposition().contains(#"logger_events_total{workload="lost-predictor-00001",outcome="failed"} 2"#)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(failed, "\(gateway.metrics.exposition())")
            // Only the request was logged for doubler; nothing more arrives.
            try await Task.sleep(for: .milliseconds(300))
            #expect(await sink.events(2, seconds: 0.1).count == 1)
        }
    }

    @Test("event times are RFC 3339 in UTC with Go's trimmed fraction, as Foundation's ISO 8601 gives the seconds")
    func timestamps() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<2_000 {
            let micros = Int64(rng.next() % 8_000_000_000_000_000)  // 1970 to about 2223
            let date = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
            let text = CloudEventRequest.timestamp(date)
            let whole = Date(timeIntervalSince1970: (Double(micros) / 1_000_000).rounded(.down)).formatted(.iso8601)
            #expect(text.hasPrefix(String(whole.dropLast())), "\(micros): \(text) vs \(whole)")
            #expect(text.hasSuffix("Z") && (!text.contains(".") || !text.hasSuffix("0Z")), "\(text)")
        }
        #expect(CloudEventRequest.timestamp(Date(timeIntervalSince1970: 1_796_000_000.5)) == "2026-11-30T00:53:20.5Z")
        #expect(CloudEventRequest.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        #expect(CloudEventRequest.timestamp(Date(timeIntervalSince1970: 0.000_123)) == "1970-01-01T00:00:00.000123Z")
    }

    @Test("the agent's arguments as pflag reads them: a boolean flag takes no value, so the webhook's 'false' is skipped")
    func arguments() throws {
        let container: Value = [
            "name": "agent",
            "args": [
                "--enable-batcher", "--max-batchsize", "16", "--log-url", "http://sink/", "--source-uri", "", "--log-mode",
                "response", "--inference-service", "sk", "--namespace", "ns", "--endpoint", "", "--component", "predictor",
                "--metadata-headers", "X-A,X-B", "--metadata-annotations", "a=1,b=2", "--logger-tls-skip-verify", "false",
                "--component-port", "8080",
            ],
        ]
        let settings = try #require(AgentSettings(container: container))
        #expect(settings.batcher == AgentSettings.Batcher(maxBatchSize: 16, maxLatencyMilliseconds: 5000))
        #expect(settings.puller == false)
        let logger = try #require(settings.logger)
        #expect(logger.mode == .response && logger.source == "http://localhost:9081/" && logger.component == "predictor")
        #expect(logger.metadataHeaders == ["X-A", "X-B"])
        #expect(logger.annotations == ["a": "1", "b": "2"])
        #expect(AgentSettings(container: ["name": "kserve-container"]) == nil)
    }
}
