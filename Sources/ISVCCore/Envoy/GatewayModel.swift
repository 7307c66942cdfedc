/// The ingress gateway as istiod sees it: which Gateway objects its pods serve, on which ports, and
/// the VirtualServices and DestinationRules that apply. In a KServe quick-start cluster one
/// `istio-ingressgateway` Envoy serves both Knative gateways: `knative-ingress-gateway` (Service port
/// 80, listener 8080) for external hosts and `knative-local-gateway` (Service port 80, listener 8081)
/// for cluster-local hosts, which KServe's top-level VirtualService forwards to.
public struct GatewayModel: Sendable {
    public struct Server: Sendable {
        /// `namespace/name` of the Gateway object.
        public var gateway: String
        /// The port of the Gateway server (used in virtual host names).
        public var port: Int
        /// The Envoy listener port (the gateway pod's target port).
        public var listenerPort: Int
        public var hosts: [String]

        /// Whether a VirtualService host binds to this server: its hosts (`[ns/]name`, `*`, `*.suffix`).
        func admits(_ host: String) -> Bool {
            hosts.contains { pattern in
                let p = pattern.split(separator: "/").last.map(String.init) ?? pattern
                if p == "*" || p == host { return true }
                return p.hasPrefix("*.") && host.hasSuffix(String(p.dropFirst()))
            }
        }
    }

    public var servers: [Server]
    public var virtualServices: [Value]
    public var destinationRules: [Value]
    public var requestAuthentications: [Value] = []
    public var authorizationPolicies: [Value] = []
    /// `host:port` of the service ports istiod treats as HTTP/2 (`ServicePortProtocol`).
    public var http2Ports: Set<String> = []

    /// The Knative quick-start gateways.
    public static func knativeDefaults(config: ClusterConfig) -> [Server] {
        [
            Server(gateway: config.ingressGateway, port: 80, listenerPort: 8080, hosts: ["*"]),
            Server(gateway: config.localGateway, port: 8081, listenerPort: 8081, hosts: ["*"]),
        ]
    }
}

/// Where the Envoy config listens and where its clusters point.
public struct EnvoyOptions: Sendable {
    /// The address listeners bind (istiod's gateway listeners bind 0.0.0.0).
    public var listenAddress = "0.0.0.0"
    /// Added to every listener port, so a local Envoy can run beside other servers (0: istiod's ports).
    public var portOffset = 0
    public var adminAddress = "127.0.0.1"
    public var adminPort = 9901
    /// `--endpoint HOST=ADDR:PORT`: where a service's cluster points.
    public var endpoints: [String: (address: String, port: Int)] = [:]

    public init() {}
}
