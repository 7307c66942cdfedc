import ISVCCore

extension ServePlan {
    /// What the gateway's clusters ask for that serve's upstream clients do not do yet, one line per
    /// cluster: the client's protocol to the endpoints (serve speaks HTTP/1.1 or, to an HTTP/2
    /// cluster, h2c), and the connection-pool limits in `common_http_protocol_options`. The local gateway's own hop is served in process and skipped.
    static func clusterWarnings(_ envoy: Envoy.Bootstrap, localGatewayHost: String) -> [String] {
        envoy.clusters.compactMap { cluster -> String? in
            guard !cluster.name.hasSuffix("|\(localGatewayHost)"), let options = cluster.httpProtocolOptions else { return nil }
            var parts: [String] = []
            switch options.upstream {
            case .http1, .http2: break
            case .downstream: parts.append("Envoy speaks the client's HTTP version to its endpoints, serve always HTTP/1.1")
            }
            if let common = options.common {
                let limits = [
                    common.idleTimeout.map { "idle_timeout \($0.text)" },
                    common.maxRequestsPerConnection.map { "max_requests_per_connection \($0)" },
                    common.maxConnectionDuration.map { "max_connection_duration \($0.text)" },
                ].compactMap { $0 }
                if !limits.isEmpty { parts.append("serve does not apply \(limits.joined(separator: ", "))") }
            }
            return parts.isEmpty ? nil : "cluster \(cluster.name): \(parts.joined(separator: "; "))"
        }
    }
}
