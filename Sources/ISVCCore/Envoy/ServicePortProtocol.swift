/// The protocol istiod gives a Kubernetes Service port (`pkg/config/kube/conversion.go
/// ConvertProtocol`), which decides whether the gateway's cluster for it speaks HTTP/2 upstream: the
/// `appProtocol` when set (`kubernetes.io/h2c` is HTTP/2), else the port name's prefix before `-`,
/// case-insensitively (`grpc-web…` first). HTTP/2, gRPC and gRPC-Web ports are HTTP/2 clusters.
enum ServicePortProtocol {
    static func isHTTP2(name: String?, appProtocol: String?) -> Bool {
        if let app = appProtocol {
            switch app {
            case "kubernetes.io/h2c": return true
            case "kubernetes.io/ws", "kubernetes.io/wss": return false
            default: break
            }
        }
        let label = (appProtocol ?? name ?? "").lowercased()
        if label.hasPrefix("grpc-web") { return true }
        let prefix = label.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return prefix == "http2" || prefix == "grpc"
    }

    /// `host:port` of every HTTP/2-family port among the Services of a plan, and the local gateway's
    /// port 80 (net-istio's `knative-local-gateway` Service names it `http2`, so KServe's hop through it
    /// is HTTP/2 for every request).
    static func http2Ports(services: [Value], localGatewayHost: String) -> Set<String> {
        var out: Set<String> = ["\(localGatewayHost):80"]
        for service in services {
            let name = service[path: ["metadata", "name"]]?.string ?? ""
            let namespace = service[path: ["metadata", "namespace"]]?.string ?? "default"
            for port in service[path: ["spec", "ports"]]?.array ?? [] {
                guard let number = port["port"]?.int, port["protocol"]?.string != "UDP",
                    isHTTP2(name: port["name"]?.string, appProtocol: port["appProtocol"]?.string)
                else { continue }
                out.insert("\(name).\(namespace).svc.cluster.local:\(number)")
            }
        }
        return out
    }
}
