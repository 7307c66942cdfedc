import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// The InferencePool path: GIE's body-based routing before the routes (`X-Gateway-Model-Name` from
/// the body's `model`), then, for a route to a pool, the endpoint picker instead of the cluster's
/// load balancer, with the EPP's `x-gateway-destination-endpoint` on the request to the replica.
extension GatewayServer {
    /// The header body-based routing sets, which the LLMInferenceServices' model routes match.
    static let modelNameHeader = "X-Gateway-Model-Name"
    /// The header the EPP sets to the endpoint it picked (`ip:port`).
    static let destinationEndpointHeader = "x-gateway-destination-endpoint"
    /// How often each pool's replicas' `/metrics` are read (llm-d's `--refresh-metrics-interval`).
    static let metricsInterval: Duration = .milliseconds(50)

    /// Whether a request is one body-based routing reads: a POST with a JSON body.
    static func readsBodyForRouting(_ request: Request) -> Bool {
        request.method == .post && (request.headers[.contentType]?.lowercased().contains("json") ?? false)
    }

    /// The body's top-level `model`, when it is a JSON object with one.
    static func modelName(inBody body: ByteBuffer) -> String? {
        guard body.readableBytes > 0,
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { return nil }
        return object["model"] as? String
    }

    /// The text the prefix cache hashes: a completion's `prompt` (or prompts, joined), a chat's
    /// messages' roles and contents in order, a Responses request's `input`.
    static func prompt(inBody body: ByteBuffer) -> String? {
        guard body.readableBytes > 0,
            let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { return nil }
        if let prompt = object["prompt"] as? String { return prompt }
        if let prompts = object["prompt"] as? [String] { return prompts.joined(separator: "\n") }
        // The Responses API: `input`, a string or a list of messages.
        if let input = object["input"] as? String { return input }
        guard let messages = (object["messages"] ?? object["input"]) as? [[String: Any]] else { return nil }
        return messages.map { m -> String in
            let role = m["role"] as? String ?? ""
            if let text = m["content"] as? String { return "\(role): \(text)" }
            let parts = (m["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            return "\(role): \(parts.joined(separator: " "))"
        }
        .joined(separator: "\n")
    }

    /// The picker of the pool behind `cluster`, made (and its metrics reader started) on first use;
    /// a pool whose profile changed gets a new one. The reader stops itself once the plan served no
    /// longer has this pool with this profile (an edit removed or changed it), and at shutdown.
    func picker(for cluster: String, pool: ServePlan.Pool) -> EndpointPicker {
        pickers.withLockedValue { pickers in
            if let (picker, _) = pickers.byCluster[cluster], picker.config == pool.config { return picker }
            pickers.byCluster[cluster]?.1.cancel()
            let picker = EndpointPicker(pool: "\(pool.namespace)/\(pool.name)", config: pool.config)
            guard !pickers.closed else { return picker }
            let host = GatewayRouter.serviceHost(ofCluster: cluster)
            let reader = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self, self.plan.pools[cluster]?.config == picker.config else { break }
                    await self.readMetrics(of: host, into: picker)
                    try? await Task.sleep(for: Self.metricsInterval)
                }
                self?.pickers.withLockedValue { if $0.byCluster[cluster]?.0 === picker { $0.byCluster[cluster] = nil } }
            }
            pickers.byCluster[cluster] = (picker, reader)
            return picker
        }
    }

    /// Each ready replica's `/metrics` once, into the picker (a replica that does not answer keeps
    /// its last metrics until they are stale), the outgoing ReplicaSet's too during a rolling update;
    /// replicas that are gone are forgotten.
    func readMetrics(of host: String, into picker: EndpointPicker) async {
        let (runtime, outgoing) = workloadRuntimes(for: host)
        let endpoints = (runtime?.readyEndpoints ?? []) + (outgoing?.readyEndpoints ?? [])
        picker.keep(only: Set(endpoints.map(\.name)))
        await withTaskGroup(of: Void.self) { group in
            for endpoint in endpoints {
                guard case .port(let port) = endpoint.target else { continue }
                group.addTask {
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "127.0.0.1:\(port)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/metrics", headers: headers)
                    guard let answer = try? await self.client.execute(port: port, head: head, body: nil, timeout: .seconds(1)),
                        answer.status == 200, let metrics = ReplicaMetrics(prometheus: String(buffer: answer.body))
                    else { return }
                    picker.update(metrics, for: endpoint.name)
                }
            }
        }
    }

    /// The picker's choice among `endpoints` for a request to `cluster`, logged with every score.
    func pick(
        _ endpoints: [WorkloadRuntime.Endpoint], cluster: String, pool: ServePlan.Pool, body: ByteBuffer
    ) -> EndpointPicker.Pick? {
        let candidates = endpoints.map { e -> EndpointPicker.Candidate in
            let address: String
            switch e.target {
            case .port(let port): address = "127.0.0.1:\(port)"
            default: address = e.name
            }
            return .init(name: e.name, address: address, inFlight: e.queue.active + e.queue.pending)
        }
        guard !candidates.isEmpty else { return nil }
        let pick = picker(for: cluster, pool: pool).pick(candidates, prompt: Self.prompt(inBody: body))
        logger.debug("\(pick.explanation)")
        return pick
    }
}
