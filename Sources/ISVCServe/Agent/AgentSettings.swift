import ISVCCore

/// What KServe's agent sidecar does for a workload, read from the `agent` container the compiled
/// plan's pod template has (the arguments the pod webhook passes, `cmd/agent/main.go`'s flags).
public struct AgentSettings: Sendable, Equatable {
    public struct Logger: Sendable, Equatable {
        public enum Mode: String, Sendable { case all, request, response }
        public var url: String
        /// `--source-uri`; empty (the webhook does not know the pod's name) means the agent's own address.
        public var source: String
        public var mode: Mode
        public var inferenceService: String
        public var namespace: String
        public var endpoint: String
        public var component: String
        /// Request headers copied into the events' metadata, by Go's canonical name.
        public var metadataHeaders: [String]
        /// `--metadata-annotations` as the webhook resolved them: annotation -> value.
        public var annotations: [String: String]

        var logsRequests: Bool { mode != .response }
        var logsResponses: Bool { mode != .request }
    }

    public struct Batcher: Sendable, Equatable {
        public var maxBatchSize: Int
        public var maxLatencyMilliseconds: Int
    }

    public var logger: Logger?
    public var batcher: Batcher?
    public var puller: Bool

    /// The agent's settings from its container, or nil when the pod has no agent.
    public init?(container: Value) {
        guard container["name"]?.string == "agent" else { return nil }
        let args = container["args"]?.array?.compactMap(\.string) ?? []
        var flags: [String: String] = [:]
        var switches: Set<String> = []
        var i = 0
        // As pflag reads them: a boolean flag takes no separate value (the webhook's
        // `--logger-tls-skip-verify false` sets it, and "false" is a positional argument, skipped);
        // the others take the next argument.
        let booleans: Set<String> = ["--enable-puller", "--enable-batcher", "--logger-tls-skip-verify"]
        while i < args.count {
            let arg = args[i]
            if booleans.contains(arg) {
                switches.insert(arg)
                i += 1
            } else if arg.hasPrefix("--") {
                flags[arg] = i + 1 < args.count ? args[i + 1] : ""
                i += 2
            } else {
                i += 1
            }
        }
        puller = switches.contains("--enable-puller")
        batcher =
            switches.contains("--enable-batcher")
            ? Batcher(
                maxBatchSize: flags["--max-batchsize"].flatMap(Int.init) ?? 32,
                maxLatencyMilliseconds: flags["--max-latency"].flatMap(Int.init) ?? 5000) : nil
        if let url = flags["--log-url"] {
            let port = flags["--port"] ?? "9081"
            let source = flags["--source-uri"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://localhost:\(port)/"
            var annotations: [String: String] = [:]
            for pair in (flags["--metadata-annotations"] ?? "").split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { annotations[String(parts[0])] = String(parts[1]) }
            }
            logger = Logger(
                url: url, source: source, mode: Logger.Mode(rawValue: flags["--log-mode"] ?? "all") ?? .all,
                inferenceService: flags["--inference-service"] ?? "", namespace: flags["--namespace"] ?? "",
                endpoint: flags["--endpoint"] ?? "", component: flags["--component"] ?? "",
                metadataHeaders: (flags["--metadata-headers"] ?? "").split(separator: ",").map(String.init),
                annotations: annotations)
        } else {
            logger = nil
        }
    }
}
