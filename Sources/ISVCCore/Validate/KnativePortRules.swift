/// Knative's checks on the container ports of a Knative Service (`pkg/apis/serving/k8s_validation.go`
/// `validateContainersPorts`, `validateContainerPorts`, `validateContainerPortBasic`): one port across
/// all containers (a port is required once there are several containers), named "", `http1` or `h2c`,
/// TCP, not one of the ports queue-proxy and the activator reserve, and only `containerPort`, `name` and
/// `protocol` set. KServe copies a component's ports into its Knative Service unchanged, so serving
/// REST and gRPC on two ports of one Knative predictor is rejected here (Standard mode allows it).
struct KnativePortRules {
    let diagnostics: Diagnostics

    /// 8012/8013 (queue-proxy HTTP/1 and h2c), 8022 (queue admin), 9090/9091 (metrics), 8008 (profiling).
    static let reserved: Set<Int> = [8012, 8013, 8022, 9090, 9091, 8008]
    static let names: Set<String> = ["", "http1", "h2c"]
    static let fields: Set<String> = ["containerPort", "name", "protocol"]

    func check(_ c: ResolvedComponent) {
        let containers = c.podSpec["containers"]?.array ?? []
        let withPorts = containers.enumerated().filter { !($0.element["ports"]?.array ?? []).isEmpty }
        let count = withPorts.reduce(0) { $0 + ($1.element["ports"]?.array?.count ?? 0) }
        if count == 0 && containers.count > 1 {
            reject(c, "missing field(s): spec.template.spec.containers[*].ports")
        }
        if count > 1 {
            reject(
                c,
                "more than one container port is set: spec.template.spec.containers[*].ports (Only a single port is allowed across all containers; \(Self.describe(withPorts.map(\.element))))"
            )
        }
        for (i, container) in withPorts {
            guard let port = container["ports"]?.array?.first else { continue }
            let at = "spec.template.spec.containers[\(i)].ports"
            for key in (port.object?.keys.sorted() ?? []) where !Self.fields.contains(key) {
                reject(c, "must not set the field(s): \(at).\(key)")
            }
            if let n = port["containerPort"]?.int {
                if Self.reserved.contains(n) {
                    reject(
                        c,
                        "invalid value: \(n) is a reserved port: \(at).containerPort (\(n) is a reserved port, please use a different value)"
                    )
                }
                if n < 0 || n > 65535 { reject(c, "expected 0 <= \(n) <= 65535: \(at).containerPort") }
            }
            if let p = port["protocol"]?.string, p != "TCP" { reject(c, "invalid value: \(p): \(at).protocol") }
            let name = port["name"]?.string ?? ""
            if !Self.names.contains(name) {
                reject(c, "Port name \(name) is not allowed: \(at) (Name must be empty, or one of: 'h2c', 'http1')")
            }
        }
    }

    static func describe(_ containers: [Value]) -> String {
        containers.map { c in
            let ports = (c["ports"]?.array ?? []).map { p in
                let name = p["name"]?.string.map { "\($0) " } ?? ""
                return "\(name)\(p["containerPort"]?.int.map(String.init) ?? "?")"
            }
            return "\(c["name"]?.string ?? "?"): \(ports.joined(separator: ", "))"
        }.joined(separator: "; ")
    }

    func reject(_ c: ResolvedComponent, _ message: String) {
        diagnostics.report(
            "Knative rejects the \(c.kind.rawValue)'s Knative Service: validation failed: \(message)", at: c.location,
            rule: KnativeRule.ports)
    }
}
